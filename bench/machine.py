"""A description of the machine and software the benchmark ran on, for reading the numbers."""

import os
import platform
import shutil
import sqlite3
import subprocess
from pathlib import Path

import psycopg

from bench.common import POSTGRES_SERVER, PROJECT_ROOT


def _cpu_model() -> str:
    """Return the CPU's model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    """Return the machine's memory in GB, from /proc/meminfo."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _postgres_version() -> str | None:
    """Return the PostgreSQL server's version, or None when it does not answer."""
    url = POSTGRES_SERVER.replace("postgresql+psycopg://", "postgresql://", 1) + "/postgres"
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        return None


def _git(*arguments: str) -> str | None:
    """Return the output of a read-only git command in the project, or None."""
    try:
        completed = subprocess.run(  # noqa: S603
            ["git", "--no-optional-locks", *arguments],  # noqa: S607  (git from PATH)
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.rstrip()


def _version(module_name: str) -> str | None:
    """Return an installed package's version."""
    from importlib import metadata

    try:
        return metadata.version(module_name)
    except metadata.PackageNotFoundError:
        return None


def describe() -> dict:
    """Return the machine's CPU, cores, memory and the versions of everything measured."""
    import goaltracker

    changed = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgres_version(),
        "duckdb": _version("duckdb"),
        "sqlalchemy": _version("SQLAlchemy"),
        "psycopg": _version("psycopg"),
        "gunicorn": _version("gunicorn"),
        "wrk": _wrk_version(),
        "code": str(Path(goaltracker.__file__).resolve().parent.parent),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        # Porcelain lines are a two-letter status, a space, then the path.
        "git_changed_files": [line[3:] for line in changed.splitlines()] if changed else [],
    }


def _wrk_version() -> str | None:
    """Return wrk's version line, or None when it is not installed."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    completed = subprocess.run(  # noqa: S603  (a fixed program)
        [wrk, "--version"], capture_output=True, text=True, timeout=10, check=False
    )
    return completed.stdout.splitlines()[0].strip() if completed.stdout else None

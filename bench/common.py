"""What every part of the benchmark shares: tiers, databases, the app, timing and memory."""

import gc
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH_DIRECTORY = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIRECTORY.parent
DEFAULT_DATA_DIRECTORY = BENCH_DIRECTORY / "data"
AREA_CODE = "BENCH"
SEED = 1
# Bump when the synthetic data changes shape, so that tier databases built before are rebuilt.
DATA_VERSION = 1
BENCH_PASSWORD = "bench-only-password-not-for-real-use"  # noqa: S105  (local benchmark accounts)
MANAGER_EMAIL = "bench-manager@bench.invalid"
PRACTITIONER_EMAIL = "bench-practitioner@bench.invalid"
POSTGRES_SERVER = os.environ.get(
    "BENCH_POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DATABASES = (SQLITE, POSTGRESQL)


@dataclass(frozen=True)
class Tier:
    """A size of area to measure at, and the databases it is built on."""

    name: str
    children: int
    databases: tuple[str, ...]

    @property
    def postgres_database(self) -> str:
        """Return the PostgreSQL database this tier lives in: bench_s, bench_m or bench_l."""
        return f"bench_{self.name.lower()}"


TIERS: dict[str, Tier] = {
    "S": Tier("S", 5_000, DATABASES),
    "M": Tier("M", 50_000, DATABASES),
    # Half a million children in one SQLite file is not a deployment anyone would run.
    "L": Tier("L", 500_000, (POSTGRESQL,)),
}


def database_url(tier: Tier, database: str, data_directory: Path) -> str:
    """Return the SQLAlchemy URL of a tier's database."""
    if database == SQLITE:
        return f"sqlite:///{data_directory / f'bench_{tier.name.lower()}.sqlite'}"
    return f"{POSTGRES_SERVER}/{tier.postgres_database}"


def bench_config(url: str, **extra) -> dict:
    """Return the app configuration of the benchmark: testing, no CSRF, no second factor."""
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "bench-secret-key",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "TWO_FACTOR_ROLES": "",
        "MAIL_BACKEND": "memory",
        **extra,
    }


def create_bench_app(url: str, **extra):
    """Build the application on a benchmark database."""
    from goaltracker import create_app

    return create_app(bench_config(url, **extra))


def percentile(values: list[float], share: float) -> float:
    """Return a percentile by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * share
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def summarise(seconds: list[float], first: float | None = None) -> dict:
    """Return the p50, p95, mean, minimum and maximum of timings, in milliseconds."""
    milliseconds = [value * 1000 for value in seconds]
    summary = {
        "n": len(milliseconds),
        "p50_ms": percentile(milliseconds, 0.5),
        "p95_ms": percentile(milliseconds, 0.95),
        "mean_ms": statistics.fmean(milliseconds),
        "min_ms": min(milliseconds),
        "max_ms": max(milliseconds),
    }
    if first is not None:
        summary["first_ms"] = first * 1000
    return summary


def repeat(
    action: Callable[[], None],
    *,
    repetitions: int,
    budget_seconds: float,
    minimum: int = 3,
    before: Callable[[], None] | None = None,
    after: Callable[[], None] | None = None,
    warm_up: bool = True,
) -> dict:
    """Time an action up to `repetitions` times, stopping early once the time budget is spent.

    The first call warms caches (the database's and SQLAlchemy's statement cache) and is
    reported apart; `before` and `after` run outside the timing.
    """
    first = None
    if warm_up:
        first = _timed(action, before, after)
    seconds: list[float] = []
    started = time.perf_counter()
    while len(seconds) < repetitions:
        if len(seconds) >= minimum and time.perf_counter() - started > budget_seconds:
            break
        seconds.append(_timed(action, before, after))
    return summarise(seconds, first)


def _timed(action, before, after) -> float:
    """Run an action once and return how long it took, in seconds."""
    if before is not None:
        before()
    gc.collect()
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    if after is not None:
        after()
    return elapsed


def max_rss_mb() -> float:
    """Return this process's peak resident memory so far, in megabytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def traced_memory(result: dict):
    """Record the peak of Python allocations inside the block, in megabytes, into `result`."""
    tracemalloc.start()
    try:
        yield
    finally:
        if tracemalloc.is_tracing():
            result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()


def write_result(path: str | None, result: dict) -> None:
    """Write a worker's result as JSON to a file, or to standard output."""
    text = json.dumps(result, indent=2, default=str)
    if path:
        Path(path).write_text(text)
    else:
        sys.stdout.write(text + "\n")


def log(message: str) -> None:
    """Say what the benchmark is doing, on standard error so results stay clean."""
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()

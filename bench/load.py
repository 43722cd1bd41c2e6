"""The load test: gunicorn serving a tier's PostgreSQL database, and locust's simulated people.

Everything runs on 127.0.0.1, for a bounded time, and every process started here is stopped at
the end, by its own process id.
"""

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from bench.common import (
    BENCH_DIRECTORY,
    BENCH_PASSWORD,
    MANAGER_EMAIL,
    PROJECT_ROOT,
    log,
)
from bench.tiers import bench_area

FAMILY_EMAIL = "bench-family-{number}@bench.invalid"
USERS = 50
SPAWN_RATE = 10
DURATION = "60s"
HEALTH_DURATION = "20s"
WORKERS = 2


def set_up_families(app, families: int) -> dict:
    """Create family accounts linked to synthetic children with active goals; return them."""
    from goaltracker import security
    from goaltracker.extensions import db
    from goaltracker.models import Child, FamilyLink, Goal, User

    with app.app_context():
        area = bench_area(db.session)
        children = db.session.scalar(
            select(func.count(Child.id)).where(
                Child.area_id == area.id, Child.reference.like("SYN-%")
            )
        )
        step = max(1, children // (families * 2))
        references = [f"SYN-{number}" for number in range(1, children + 1, step)]
        active = {}
        for child_id, goal_id in db.session.execute(
            select(Child.id, Goal.id)
            .join(Goal, Goal.child_id == Child.id)
            .where(
                Child.area_id == area.id,
                Child.reference.in_(references),
                Goal.status == "active",
            )
            .order_by(Child.id, Goal.id)
        ):
            active.setdefault(child_id, []).append(goal_id)
        password_hash = security.hash_password(BENCH_PASSWORD)
        accounts = []
        for number, (child_id, goal_ids) in enumerate(sorted(active.items())[:families], start=1):
            email = FAMILY_EMAIL.format(number=number)
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(
                    email=email,
                    name=f"Bench family {number}",
                    role="family",
                    area_id=area.id,
                    password_hash=password_hash,
                )
                db.session.add(user)
                db.session.flush()
            else:
                user.password_hash = password_hash
                db.session.execute(
                    FamilyLink.__table__.delete().where(FamilyLink.user_id == user.id)
                )
            db.session.add(FamilyLink(user_id=user.id, child_id=child_id))
            accounts.append({"email": email, "child_id": child_id, "goal_ids": goal_ids})
        db.session.commit()
        db.engine.dispose()
    return {"password": BENCH_PASSWORD, "manager": MANAGER_EMAIL, "families": accounts}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(base_url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until the app answers its health check, or fail when it does not start."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start (exit status {process.returncode})")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /healthz within a minute")


def _stop(process: subprocess.Popen) -> None:
    """Stop a process this module started, and its children, by its own process group."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _locust(base_url: str, users_file: Path, prefix: Path, user_classes, duration: str) -> dict:
    """Run locust headless for a bounded time and return its figures per request name."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BENCH_DIRECTORY / "locustfile.py"),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(SPAWN_RATE),
        "--run-time",
        duration,
        "--host",
        base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        # Sign-ins happen while users start; capacity is measured once all are running.
        *(["--reset-stats"] if os.environ.get("BENCH_NO_PAUSE") == "1" else []),
        "--loglevel",
        "WARNING",
        *user_classes,
    ]
    environment = {**os.environ, "BENCH_LOAD_USERS": str(users_file)}
    log(f"  locust: {USERS} users, {duration}, {' '.join(user_classes)}")
    completed = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        command,
        cwd=PROJECT_ROOT,
        env=environment,
        timeout=300,
        capture_output=True,
        text=True,
        check=False,
    )
    # Locust exits with 1 when any request failed; the figures still tell what happened.
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"locust failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return read_locust_stats(Path(f"{prefix}_stats.csv"))


def read_locust_stats(path: Path) -> dict:
    """Read locust's statistics CSV: requests, failures, rate and latency percentiles by name."""
    figures = {}
    with open(path, newline="") as file:
        for row in csv.DictReader(file):
            figures[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "requests_per_second": float(row["Requests/s"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "mean_ms": float(row["Average Response Time"]),
                "max_ms": float(row["Max Response Time"]),
            }
    return figures


def run_load_test(url: str, users: dict, work_directory: Path) -> dict:
    """Serve the app with gunicorn and run the mixed load, then /healthz alone, with locust."""
    work_directory.mkdir(parents=True, exist_ok=True)
    users_file = work_directory / "load-users.json"
    users_file.write_text(json.dumps(users))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "GOALTRACKER_ENV": "development",
        "GOALTRACKER_TWO_FACTOR_ROLES": "",
        "GOALTRACKER_RATELIMIT_STORAGE": "redis://127.0.0.1:6379",
        # Every simulated person signs in from 127.0.0.1, which the real limit would stop.
        "GOALTRACKER_SIGN_IN_RATE_LIMIT": "100000 per minute",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        *(
            ["--worker-class", "gthread", "--threads", os.environ["BENCH_THREADS"]]
            if os.environ.get("BENCH_THREADS")
            else []
        ),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "goaltracker:create_app()",
    ]
    log(f"  gunicorn: {WORKERS} workers on {base_url}")
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
        command, cwd=PROJECT_ROOT, env=environment, start_new_session=True
    )
    try:
        _wait_until_healthy(base_url, server)
        mixed = _locust(
            base_url, users_file, work_directory / "mixed", ["FamilyUser", "ManagerUser"], DURATION
        )
        health = _locust(
            base_url, users_file, work_directory / "health", ["HealthUser"], HEALTH_DURATION
        )
    finally:
        _stop(server)
    return {
        "date": date.today().isoformat(),
        "server": f"gunicorn, {WORKERS} workers"
        + (
            f" x {os.environ['BENCH_THREADS']} threads"
            if os.environ.get("BENCH_THREADS")
            else " (sync)"
        ),
        "users": USERS,
        "spawn_rate": SPAWN_RATE,
        "duration": DURATION,
        "health_duration": HEALTH_DURATION,
        "families": len(users["families"]),
        "mixed": mixed,
        "health": health,
    }

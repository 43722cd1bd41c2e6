"""The load test: gunicorn serving a tier's PostgreSQL database, loaded by wrk from loopback.

Everyone signs in through the real sign-in form before the measured time; wrk then sends the mix
of pages in bench/load.lua over 50 connections, one person each at a time. Everything runs on
127.0.0.1 for a bounded time, and every process started here is stopped at the end.
"""

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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
WORKERS = 2
WRK = shutil.which("wrk") or "wrk"
# wrk's own threads: one is enough to keep 50 connections busy, and leaves the server more CPU.
WRK_THREADS = 1
WARM_UP_SECONDS = 5
DURATION_SECONDS = 60
CAPACITY_SECONDS = 30
HEALTH_SECONDS = 20
PAGE_SECONDS = 10
NO_PAUSE = (0, 0)
# The measured run's pause before each request, drawn between these (ms): 50 people who click
# this fast ask for about 300 pages a second, half as much again as the target's 200.
PAUSE_MS = tuple(int(part) for part in os.environ.get("BENCH_LOAD_PAUSE_MS", "50,200").split(","))
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
RATED_GOAL = re.compile(r'name="performance_(\d+)"')
PAGES = ("family home", "goal page", "review form", "review submit", "manager dashboard")
RESULT_LINE = re.compile(r"^BENCH-RESULT (.*)$", re.MULTILINE)


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


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hand a redirect back instead of following it, as the load test checks redirects."""

    def redirect_request(self, *_arguments, **_keywords):
        return None


class _Browser:
    """A client that keeps its cookies, as a browser would, and does not follow redirects."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _KeepRedirects()
        )

    def cookie_header(self) -> str:
        """Return the Cookie header it would send now: the session as last set."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)


def _page(browser: _Browser, url: str, data: dict | None = None) -> tuple[int, str]:
    """Fetch a page (posting the form data when given); return its status and text."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with browser.opener.open(url, data=body, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode()


def csrf_token(html: str) -> str:
    """Return the CSRF token of the form on a page, as a browser would send it back."""
    found = CSRF_INPUT.search(html)
    if found is None:
        raise ValueError("The page has no CSRF token")
    return VALUE.search(found.group(0)).group(1)


def sign_in(base_url: str, email: str, password: str) -> _Browser:
    """Sign in through the real form, with its CSRF token; return the signed-in browser."""
    browser = _Browser()
    _status, form = _page(browser, f"{base_url}/sign-in")
    status, _text = _page(
        browser,
        f"{base_url}/sign-in",
        {"csrf_token": csrf_token(form), "email": email, "password": password},
    )
    if status != 302:
        raise RuntimeError(f"{email} could not sign in ({status})")
    return browser


def _signed_in_family(base_url: str, password: str, account: dict) -> dict:
    """Sign a family in and read its review form: its token and the goals it rates."""
    browser = sign_in(base_url, account["email"], password)
    status, form = _page(browser, f"{base_url}/children/{account['child_id']}/review")
    if status != 200:
        raise RuntimeError(f"{account['email']} could not open the review form ({status})")
    return {
        # The form's token is kept in the session, so the cookie is read after the form.
        "cookie": browser.cookie_header(),
        "csrf_token": urllib.parse.quote(csrf_token(form), safe=""),
        "child_id": account["child_id"],
        "goal_ids": sorted({int(goal_id) for goal_id in RATED_GOAL.findall(form)}),
    }


def sign_everyone_in(base_url: str, users: dict, data_file: Path) -> int:
    """Sign every benchmark person in before the measured time; write them for wrk's script."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        families = list(
            pool.map(
                lambda account: _signed_in_family(base_url, users["password"], account),
                users["families"],
            )
        )
    manager_cookie = sign_in(base_url, users["manager"], users["password"]).cookie_header()
    lines = ["return {", f"  manager_cookie = {_lua(manager_cookie)},", "  families = {"]
    for person in families:
        lines.append(
            f"    {{cookie = {_lua(person['cookie'])}, csrf_token = {_lua(person['csrf_token'])}, "
            f"child_id = {person['child_id']}, "
            f"goal_ids = {{{', '.join(str(goal_id) for goal_id in person['goal_ids'])}}}}},"
        )
    lines += ["  },", "}"]
    data_file.write_text("\n".join(lines) + "\n")
    return len(families)


def _lua(text: str) -> str:
    """Return a Lua string literal of text, which holds no quote or backslash here."""
    if '"' in text or "\\" in text:
        raise ValueError("unexpected quote in a cookie or token")
    return f'"{text}"'


def wrk(base_url: str, data_file: Path, mix: str, seconds: int, pause_ms: tuple[int, int]) -> dict:
    """Run wrk with the benchmark's script for a bounded time; return its figures."""
    command = [
        WRK,
        "--threads",
        str(WRK_THREADS),
        "--connections",
        str(USERS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(BENCH_DIRECTORY / "load.lua"),
        base_url,
    ]
    environment = {
        **os.environ,
        "BENCH_LOAD_DATA": str(data_file),
        "BENCH_LOAD_MIX": mix,
        "BENCH_LOAD_PAUSE_MS": f"{pause_ms[0]},{pause_ms[1]}",
    }
    log(f"  wrk: {USERS} connections, {seconds} s, {mix}, pauses {pause_ms[0]}-{pause_ms[1]} ms")
    completed = subprocess.run(  # noqa: S603  (a fixed program and our own arguments)
        command, env=environment, timeout=seconds + 60, capture_output=True, text=True, check=False
    )
    found = RESULT_LINE.search(completed.stdout)
    if completed.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return figures(json.loads(found.group(1)))


def figures(raw: dict) -> dict:
    """Turn wrk's counts and microseconds into the rates and milliseconds reported."""
    errors = raw["errors"]
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "failures": raw["failed_answers"] + sum(errors.values()),
        "errors": errors,
        "failed_answers": raw["failed_answers"],
        "seconds": round(seconds, 1),
        "requests_per_second": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "sent_by_page": raw["sent_by_page"],
    }


def run_load_test(url: str, users: dict, work_directory: Path) -> dict:
    """Serve the app with gunicorn; load it with the mix, then /healthz alone, then each page."""
    work_directory.mkdir(parents=True, exist_ok=True)
    data_file = work_directory / "load-people.lua"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        # Plain HTTP on loopback: cookies marked Secure would not be sent back.
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
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
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
    pause = PAUSE_MS
    try:
        _wait_until_healthy(base_url, server)
        people = sign_everyone_in(base_url, users, data_file)
        wrk(base_url, data_file, "mixed", WARM_UP_SECONDS, pause)
        mixed = wrk(base_url, data_file, "mixed", DURATION_SECONDS, pause)
        # Capacity: the same people with no pauses, then the trivial page and each page alone.
        capacity = wrk(base_url, data_file, "mixed", CAPACITY_SECONDS, NO_PAUSE)
        health = wrk(base_url, data_file, "healthz", HEALTH_SECONDS, NO_PAUSE)
        pages = {page: wrk(base_url, data_file, page, PAGE_SECONDS, NO_PAUSE) for page in PAGES}
    finally:
        _stop(server)
    return {
        "date": date.today().isoformat(),
        "tool": f"wrk ({WRK_THREADS} thread{'s' if WRK_THREADS > 1 else ''})",
        "server": f"gunicorn, {WORKERS} sync workers",
        "users": USERS,
        "pause_ms": list(pause),
        "duration_seconds": DURATION_SECONDS,
        "capacity_seconds": CAPACITY_SECONDS,
        "health_seconds": HEALTH_SECONDS,
        "page_seconds": PAGE_SECONDS,
        "families": people,
        "mixed": mixed,
        "capacity": capacity,
        "health": health,
        "pages": pages,
    }

"""Building a tier's database once and reusing it while its row counts still match."""

import importlib
import importlib.util
import json
import time
from datetime import date
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from bench.common import (
    AREA_CODE,
    BENCH_PASSWORD,
    DATA_VERSION,
    MANAGER_EMAIL,
    POSTGRES_SERVER,
    POSTGRESQL,
    PRACTITIONER_EMAIL,
    SEED,
    SQLITE,
    TIERS,
    Tier,
    create_bench_app,
    database_url,
    log,
    max_rss_mb,
)

# The only PostgreSQL databases the benchmark may create or drop.
BENCH_DATABASES = frozenset(tier.postgres_database for tier in TIERS.values())
# At L, Python's allocation tracing would double the seeding time, so it watches a first slice.
TRACED_CHILDREN = 50_000


def _server_connection():
    """Connect to the PostgreSQL server's maintenance database, outside any transaction."""
    url = POSTGRES_SERVER.replace("postgresql+psycopg://", "postgresql://", 1) + "/postgres"
    return psycopg.connect(url, autocommit=True)


def _check_bench_database(name: str) -> None:
    """Refuse any database that is not one of the benchmark's own."""
    if name not in BENCH_DATABASES:
        raise ValueError(f"The benchmark only manages {', '.join(sorted(BENCH_DATABASES))}")


def postgres_database_exists(name: str) -> bool:
    """Return whether the server has this database."""
    with _server_connection() as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


def recreate_postgres_database(name: str) -> None:
    """Drop the benchmark database (if there) and create it empty."""
    _check_bench_database(name)
    with _server_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def ensure_postgres_database(name: str) -> None:
    """Create the benchmark database when it is missing."""
    _check_bench_database(name)
    if not postgres_database_exists(name):
        with _server_connection() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')


def manifest_path(data_directory: Path) -> Path:
    """Return the file that remembers what each tier database holds."""
    return data_directory / "manifest.json"


def read_manifest(data_directory: Path) -> dict:
    """Return what each tier database held when it was built."""
    path = manifest_path(data_directory)
    return json.loads(path.read_text()) if path.exists() else {}


def write_manifest_entry(data_directory: Path, key: str, entry: dict) -> None:
    """Remember what a tier database holds."""
    manifest = read_manifest(data_directory)
    manifest[key] = entry
    manifest_path(data_directory).write_text(json.dumps(manifest, indent=2, default=str))


def synthetic_counts(session, area_id: int) -> dict:
    """Count the area's synthetic children, their goals and their synthetic ratings.

    Seeding records ratings by nobody; ratings the load test's families add (always dated the
    day they are made, after every seeded rating) name who recorded them and are not counted.
    """
    from goaltracker.models import Child, Goal, Rating

    synthetic = (Child.area_id == area_id, Child.reference.like("SYN-%"))
    children = session.scalar(select(func.count(Child.id)).where(*synthetic))
    goals = session.scalar(
        select(func.count(Goal.id)).join(Child, Child.id == Goal.child_id).where(*synthetic)
    )
    ratings = session.scalar(
        select(func.count(Rating.id))
        .join(Goal, Goal.id == Rating.goal_id)
        .join(Child, Child.id == Goal.child_id)
        .where(*synthetic, Rating.recorded_by_id.is_(None))
    )
    return {"children": children, "goals": goals, "ratings": ratings}


def bench_area(session):
    """Return the benchmark's area, or None."""
    from goaltracker.models import Area

    return session.scalar(select(Area).where(Area.code == AREA_CODE))


def ensure_staff(session, area) -> None:
    """Create the manager and practitioner the measurements sign in as, once."""
    from goaltracker import security
    from goaltracker.models import Organisation, User

    first_organisation = session.scalar(
        select(Organisation).where(Organisation.area_id == area.id).order_by(Organisation.name)
    )
    password_hash = None
    for email, role, organisation in (
        (MANAGER_EMAIL, "manager", None),
        (PRACTITIONER_EMAIL, "practitioner", first_organisation),
    ):
        if session.scalar(select(User.id).where(User.email == email)) is None:
            password_hash = password_hash or security.hash_password(BENCH_PASSWORD)
            session.add(
                User(
                    email=email,
                    name=f"Bench {role}",
                    role=role,
                    area_id=area.id,
                    organisation_id=organisation.id if organisation else None,
                    password_hash=password_hash,
                )
            )
    session.commit()


def rebuild_kept_aggregates(session, area, today: date, *, everything: bool) -> float | None:
    """Rebuild the kept report data after bulk writes (or, on a reused tier whose kept data is
    kept, only refresh it), when the app has it; return seconds."""
    import goaltracker

    spec = importlib.util.find_spec("goaltracker.reports.kept")
    # An editable install can find the module in another checkout than the one being measured.
    if spec is None or Path(goaltracker.__file__).parent not in Path(spec.origin).parents:
        return None
    kept = importlib.import_module("goaltracker.reports.kept")
    started = time.perf_counter()
    kept.refresh(session, area, today, everything=everything)
    session.commit()
    return time.perf_counter() - started


def _reusable(app, key: str, entry: dict | None, tier: Tier) -> bool:
    """Return whether the tier database already holds what its manifest entry says."""
    from goaltracker.extensions import db

    if not entry or entry.get("data_version") != DATA_VERSION or entry.get("seed") != SEED:
        return False
    with app.app_context():
        try:
            upgrade()
        except Exception as error:  # noqa: BLE001  (any failure means: build it again)
            log(f"{key}: cannot upgrade the existing database ({error}); rebuilding it")
            db.session.rollback()
            return False
        area = bench_area(db.session)
        if area is None:
            return False
        counts = synthetic_counts(db.session, area.id)
        db.session.rollback()
    expected = {name: entry[name] for name in ("children", "goals", "ratings")}
    if counts != expected or counts["children"] != tier.children:
        log(f"{key}: holds {counts}, expected {expected}; rebuilding it")
        return False
    return True


def _seed(app, tier: Tier, database: str, key: str) -> dict:
    """Create the schema and the area, seed the tier's children and return what it cost."""
    import tracemalloc

    from goaltracker import areas
    from goaltracker.devtools import synthetic
    from goaltracker.extensions import db

    result: dict = {}
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        result["schema_seconds"] = time.perf_counter() - started
        area = areas.create_area(AREA_CODE, "Bench Borough")
        db.session.commit()
        done = 0
        traced_limit = min(tier.children, TRACED_CHILDREN)
        last_log = time.perf_counter()

        def progress(count: int) -> None:
            """Log progress now and then, and stop tracing allocations after the traced slice."""
            nonlocal done, last_log
            done += count
            if tracemalloc.is_tracing() and done >= traced_limit:
                result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
                result["tracemalloc_children"] = done
                tracemalloc.stop()
            if time.perf_counter() - last_log > 15:
                last_log = time.perf_counter()
                log(f"{key}: {done:,} of {tier.children:,} children")

        tracemalloc.start()
        started = time.perf_counter()
        summary = synthetic.seed_synthetic(
            db.session, area, tier.children, seed=SEED, progress=progress
        )
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        seconds = time.perf_counter() - started
        # The rate is the whole run's, including the slice slowed by tracing allocations.
        result.update(
            seconds=seconds,
            children=summary.children,
            goals=summary.goals,
            outcome_links=summary.outcome_links,
            ratings=summary.ratings,
            children_per_second=summary.children / seconds,
            rows_per_second=(
                summary.children + summary.goals + summary.outcome_links + summary.ratings
            )
            / seconds,
            max_rss_mb=max_rss_mb(),
        )
    return result


def _vacuum(engine) -> float:
    """VACUUM (ANALYZE) a PostgreSQL tier, and return the seconds it took.

    After seeding or a refresh, so that the measurements neither run beside the autovacuum the
    new rows would set off nor read pages not yet marked all-visible (a live database's
    autovacuum keeps them so); quick when there is nothing to do.
    """
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
    return time.perf_counter() - started


def build_tier(tier: Tier, database: str, data_directory: Path) -> dict:
    """Make sure the tier's database holds its synthetic children; return build and reuse facts."""
    from goaltracker.extensions import db

    key = f"{tier.name}-{database}"
    url = database_url(tier, database, data_directory)
    entry = read_manifest(data_directory).get(key)
    if database == POSTGRESQL:
        ensure_postgres_database(tier.postgres_database)
    app = create_bench_app(url)
    result: dict = {"tier": tier.name, "database": database, "url": url}
    if _reusable(app, key, entry, tier):
        log(f"{key}: reusing the existing database ({entry['children']:,} children)")
        result.update(reused=True, seeding=entry["seeding"], built_at=entry["built_at"])
    else:
        with app.app_context():
            db.engine.dispose()
        if database == POSTGRESQL:
            recreate_postgres_database(tier.postgres_database)
        else:
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        log(f"{key}: seeding {tier.children:,} children")
        seeding = _seed(app, tier, database, key)
        log(
            f"{key}: seeded in {seeding['seconds']:.1f} s "
            f"({seeding['children_per_second']:,.0f} children/s)"
        )
        entry = {
            "data_version": DATA_VERSION,
            "seed": SEED,
            "children": seeding["children"],
            "goals": seeding["goals"],
            "ratings": seeding["ratings"],
            "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "built_on": date.today().isoformat(),
            "seeding": seeding,
        }
        write_manifest_entry(data_directory, key, entry)
        result.update(reused=False, seeding=seeding, built_at=entry["built_at"])
    with app.app_context():
        area = bench_area(db.session)
        ensure_staff(db.session, area)
        rebuild_seconds = rebuild_kept_aggregates(
            db.session, area, date.today(), everything=not result["reused"]
        )
        words = "refreshed" if result["reused"] else "rebuilt"
        result["aggregates_rebuild_seconds" if not result["reused"] else "kept_refresh_seconds"] = (
            rebuild_seconds
        )
        if rebuild_seconds is not None:
            log(f"{key}: {words} the kept report data in {rebuild_seconds:.1f} s")
        result["counts"] = {
            name: entry[name] for name in ("children", "goals", "ratings") if name in entry
        }
        if database == SQLITE:
            result["file_mb"] = Path(url.removeprefix("sqlite:///")).stat().st_size / 1024 / 1024
        else:
            db.session.commit()
            result["vacuum_seconds"] = _vacuum(db.engine)
            log(f"{key}: vacuumed and analysed in {result['vacuum_seconds']:.1f} s")
            result["database_mb"] = (
                db.session.scalar(text("SELECT pg_database_size(current_database())")) / 1024 / 1024
            )
        db.session.rollback()
        db.engine.dispose()
    return result

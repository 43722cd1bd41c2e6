"""Import speed: a generated CSV of ratings imported into a fresh database, in rows per second."""

import csv
import time
from datetime import date
from pathlib import Path

import psycopg

from bench.common import POSTGRES_SERVER, create_bench_app, log, max_rss_mb
from bench.tiers import ensure_postgres_database

IMPORT_SEED = 99
IMPORT_AREA = "IMPORT"
# PostgreSQL's fresh database for the import is a fresh schema in a benchmark database, because
# the benchmark creates no databases other than its tiers'.
IMPORT_SCHEMA = "bench_import"
IMPORT_HOST_DATABASE = "bench_s"


def write_import_file(path: Path, rows: int, today: date) -> dict:
    """Write a CSV of `rows` ratings in the import format, made from synthetic children."""
    from goaltracker import importing
    from goaltracker.devtools import synthetic

    weights = synthetic.organisation_weights([kind for _, kind in synthetic.ORGANISATIONS])
    organisation_names = [name for name, _ in synthetic.ORGANISATIONS]
    outcome_codes = [code for code, _, _ in synthetic.OUTCOMES]
    header = (*importing.REQUIRED_COLUMNS, *importing.OPTIONAL_COLUMNS)
    written = children = goals = 0
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for child in synthetic.synthetic_children(
            IMPORT_SEED, range(1, rows + 1), today, weights, len(outcome_codes), prefix="IMP-"
        ):
            children += 1
            for goal in child.goals:
                goals += 1
                for rating in goal.ratings:
                    writer.writerow(
                        (
                            child.reference,
                            child.date_of_birth.isoformat(),
                            child.primary_need,
                            "yes" if child.ehcp else "no",
                            organisation_names[child.organisation],
                            goal.reference,
                            goal.text,
                            goal.occupation_area,
                            goal.importance,
                            ";".join(outcome_codes[position] for position in goal.outcomes),
                            goal.set_on.isoformat(),
                            rating.rater,
                            rating.assessed_on.isoformat(),
                            rating.performance,
                            rating.satisfaction,
                            goal.status,
                            goal.closed_on.isoformat() if goal.closed_on else "",
                        )
                    )
                    written += 1
                    if written == rows:
                        break
                if written == rows:
                    break
            if written == rows:
                break
    return {
        "rows": written,
        "children": children,
        "goals": goals,
        "bytes": path.stat().st_size,
    }


def _server_url(database: str) -> str:
    """Return a plain libpq URL of a benchmark database."""
    return POSTGRES_SERVER.replace("postgresql+psycopg://", "postgresql://", 1) + f"/{database}"


# A role that owns the import's schema but may not set session_replication_role, as a service's
# own role usually is: its imports check foreign keys row by row (see bulk.py).
PLAIN_ROLE = "goaltracker_bench_plain"


def _reset_import_schema(drop_only: bool = False, role: str | None = None) -> None:
    """Drop the import's schema and, unless told otherwise, create it empty (owned by `role`)."""
    ensure_postgres_database(IMPORT_HOST_DATABASE)
    with psycopg.connect(_server_url(IMPORT_HOST_DATABASE), autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {IMPORT_SCHEMA} CASCADE")
        if drop_only:
            return
        if (
            role is not None
            and not connection.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]
            ).fetchone()
        ):
            connection.execute(f"CREATE ROLE {role} NOLOGIN")
        owner = f" AUTHORIZATION {role}" if role is not None else ""
        connection.execute(f"CREATE SCHEMA {IMPORT_SCHEMA}{owner}")


def fresh_import_app(database: str, data_directory: Path, role: str | None = None):
    """Return the app on a fresh, empty database of the given kind, with the schema built; on
    PostgreSQL as `role` when given, else as the server's superuser."""
    if database == "sqlite":
        path = data_directory / "import.sqlite"
        path.unlink(missing_ok=True)
        return create_bench_app(f"sqlite:///{path}")
    _reset_import_schema(role=role)
    options = f"-csearch_path={IMPORT_SCHEMA}" + (f" -crole={role}" if role else "")
    return create_bench_app(
        f"{POSTGRES_SERVER}/{IMPORT_HOST_DATABASE}",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": {"options": options}},
    )


def measure_import(
    database: str, data_directory: Path, rows: int, plain_role: bool = False
) -> dict:
    """Import a generated file into a fresh database and return the rows per second; on
    PostgreSQL, with `plain_role`, as a role that may not skip foreign-key triggers."""
    from flask_migrate import upgrade

    from goaltracker import areas, bulk, importing
    from goaltracker.devtools import synthetic
    from goaltracker.extensions import db

    today = date.today()
    path = data_directory / f"import-{rows}.csv"
    started = time.perf_counter()
    result = {"database": database, "file": write_import_file(path, rows, today)}
    result["generate_seconds"] = time.perf_counter() - started
    app = fresh_import_app(database, data_directory, PLAIN_ROLE if plain_role else None)
    with app.app_context():
        upgrade()
        if database == "postgresql":
            with bulk.foreign_keys_checked_at_once(db.session) as at_once:
                result["foreign_keys"] = "at once" if at_once else "row by row"
            db.session.rollback()
        area = areas.create_area(IMPORT_AREA, "Import Borough")
        for code, title, description in synthetic.OUTCOMES:
            areas.add_outcome(area, code, title, description)
        for name, kind in synthetic.ORGANISATIONS:
            areas.add_organisation(area, name, kind)
        db.session.commit()
        result["rss_before_mb"] = max_rss_mb()
        started = time.perf_counter()
        summary = importing.import_ratings(db.session, area, path)
        if not summary.imported:
            db.session.rollback()
            raise RuntimeError(f"The generated file did not import: {summary.errors[:5]}")
        db.session.commit()
        seconds = time.perf_counter() - started
        result.update(
            seconds=seconds,
            rows_per_second=result["file"]["rows"] / seconds,
            children_created=summary.children_created,
            goals_created=summary.goals_created,
            ratings_created=summary.ratings_created,
            max_rss_mb=max_rss_mb(),
        )
        db.session.remove()
        db.engine.dispose()
    checked = f", foreign keys checked {result['foreign_keys']}" if "foreign_keys" in result else ""
    log(
        f"  import into {database}{checked}: {result['file']['rows']:,} rows in {seconds:.1f} s "
        f"({result['rows_per_second']:,.0f} rows/s)"
    )
    path.unlink(missing_ok=True)
    if database == "postgresql":
        _reset_import_schema(drop_only=True)
    return result


UPLOAD_BYTES = 50 * 1024 * 1024
WIDE_COLUMNS = 100_000


def _write_file_of_size(path: Path, target_bytes: int, today: date) -> dict:
    """Write a valid import file just under `target_bytes`: synthetic lines, repeated children."""
    # About 172 bytes a line: generate enough lines, then stop at the size.
    rows = target_bytes // 150
    info = write_import_file(path, rows, today)
    if path.stat().st_size > target_bytes:
        # Cut back to the end of the last whole line under the size.
        with open(path, "rb+") as file:
            content = file.read(target_bytes)
            file.truncate(content.rfind(b"\n") + 1)
    return {**info, "bytes": path.stat().st_size}


def write_upload_files(data_directory: Path) -> dict:
    """Write the upload check's files (in the orchestrator, so their making is not measured)."""
    large = data_directory / "upload-large.csv"
    info = _write_file_of_size(large, UPLOAD_BYTES, date.today())
    wide = data_directory / "upload-wide.csv"
    wide.write_text(",".join(f"column{n}" for n in range(WIDE_COLUMNS)) + "\n" + "x\n")
    return info


def measure_upload(data_directory: Path) -> dict:
    """Time the import page's check of a 50 MB file and of a header of 100,000 columns, with
    the process's peak memory: the upload is saved as it arrives, then read line by line."""
    from flask_migrate import upgrade

    from goaltracker import areas, importing, uploads
    from goaltracker.devtools import synthetic
    from goaltracker.extensions import db

    results = {}
    app = fresh_import_app("sqlite", data_directory)
    with app.app_context():
        upgrade()
        area = areas.create_area(IMPORT_AREA, "Import Borough")
        for code, title, description in synthetic.OUTCOMES:
            areas.add_outcome(area, code, title, description)
        db.session.commit()
        large = data_directory / "upload-large.csv"
        wide = data_directory / "upload-wide.csv"
        for name, source in (("50 MB file", large), ("100,000 columns", wide)):
            target = data_directory / "upload-saved.csv"
            rss_before = max_rss_mb()
            started = time.perf_counter()
            with open(source, "rb") as stream:
                saved = uploads.save(stream, target, importing.MAX_FILE_BYTES)
            summary = importing.validate(db.session, area, target) if saved else None
            seconds = time.perf_counter() - started
            db.session.rollback()
            results[name] = {
                "bytes": source.stat().st_size,
                "seconds": seconds,
                "errors": len(summary.errors) if summary else None,
                "max_rss_mb": max_rss_mb(),
                "rss_before_mb": rss_before,
            }
            peak = results[name]["max_rss_mb"]
            log(f"  upload check, {name}: {seconds:.1f} s, peak RSS {peak:.0f} MB")
            target.unlink(missing_ok=True)
        with open(large, "rb") as file:
            results["large_file_lines"] = sum(1 for _ in file) - 1
        large.unlink(missing_ok=True)
        wide.unlink(missing_ok=True)
        db.session.remove()
        db.engine.dispose()
    return results

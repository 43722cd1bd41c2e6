"""Thin `flask` commands over plain functions, for scripts, scheduled jobs and tests."""

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app, url_for
from flask_migrate import upgrade
from sqlalchemy import select

from goaltracker import (
    accounts,
    areas,
    audit,
    backup,
    demo,
    erasure,
    goal_setting,
    importing,
    reminders,
    vocabulary,
)
from goaltracker.accounts import staff
from goaltracker.extensions import db
from goaltracker.models import Area
from goaltracker.reports import compute, formats, kept, outcome_reports, protect


def link_context():
    """Return a request context whose links point at the service's public address."""
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"])


def init_db() -> None:
    """Create the schema, or upgrade it to the latest migration."""
    upgrade()


@click.command("init-db")
def init_db_command():
    """Create or upgrade the database schema (safe to run again)."""
    init_db()
    click.echo("Database schema is up to date.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Load the demo only when it is not there yet.")
def seed_demo_command(if_empty: bool):
    """Load the demo area and print the demo sign-ins."""
    if areas.area_by_code(demo.AREA_CODE) is not None:
        if not if_empty:
            raise click.ClickException("The demo area is already loaded.")
    else:
        click.echo("Loading demo data…")
        demo.seed()
        db.session.commit()
    click.echo(demo.sign_in_text())


@click.command("create-area")
@click.option("--code", required=True, help="Short code: A-Z, 0-9 and _.")
@click.option("--name", required=True, help="The area's name.")
@click.option(
    "--suppression-threshold",
    type=click.IntRange(protect.MINIMUM_THRESHOLD, protect.MAXIMUM_THRESHOLD),
    default=5,
    show_default=True,
    help="Rows with fewer children than this show nothing (5 to 50).",
)
@click.option("--review-interval-days", type=click.IntRange(min=1), default=84, show_default=True)
@click.option("--max-active-goals", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--important-change",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
)
def create_area_command(
    code, name, suppression_threshold, review_interval_days, max_active_goals, important_change
):
    """Create an area with its settings."""
    try:
        area = areas.create_area(
            code,
            name,
            suppression_threshold=suppression_threshold,
            review_interval_days=review_interval_days,
            max_active_goals=max_active_goals,
            important_change=important_change,
        )
    except areas.AreaError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created area {area.code}: {area.name}")


@click.command("add-outcome")
@click.option("--area", "area_code", required=True, help="The area's code.")
@click.option("--code", required=True, help="The outcome's code: A-Z, 0-9 and _.")
@click.option("--title", required=True, help="The outcome's title, in plain English.")
@click.option("--description", default="", help="What the outcome means, in plain English.")
def add_outcome_command(area_code, code, title, description):
    """Add a strategic outcome to an area's framework."""
    area = areas.area_by_code(area_code)
    if area is None:
        raise click.ClickException(f"No area has the code {area_code}")
    try:
        outcome = areas.add_outcome(area, code, title, description)
    except areas.AreaError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Added outcome {outcome.code} to {area.code}: {outcome.title}")


def _area_or_fail(area_code: str):
    """Return the area with this code, or stop the command with a plain message."""
    area = areas.area_by_code(area_code)
    if area is None:
        raise click.ClickException(f"No area has the code {area_code}")
    return area


@click.command("import-ratings")
@click.option("--area", "area_code", required=True, help="The area's code.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_ratings_command(area_code, file):
    """Import a CSV file of ratings into an area: all of it, or nothing if it has any error."""
    area = _area_or_fail(area_code)
    try:
        summary = importing.import_ratings(db.session, area, file)
    except Exception:
        db.session.rollback()
        raise
    if not summary.imported:
        db.session.rollback()
        for problem in summary.errors:
            click.echo(str(problem), err=True)
        click.echo(
            f"Nothing was imported: the file has {len(summary.errors)} "
            f"error{'s' if len(summary.errors) != 1 else ''}.",
            err=True,
        )
        raise click.exceptions.Exit(1)
    db.session.commit()
    click.echo(f"Imported {file.name} into {area.code}.")
    for line in summary.describe():
        click.echo(line)


@click.command("outcomes-report")
@click.option("--area", "area_code", required=True, help="The area's code.")
@click.option(
    "--as-at",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The report's date, YYYY-MM-DD.",
)
@click.option("--by", type=click.Choice(compute.BREAKDOWNS), help="Break the rows down by.")
@click.option("--organisation", help="Only children whose key worker is of this organisation.")
@click.option(
    "--age-band",
    type=click.Choice((*vocabulary.AGE_BANDS, vocabulary.OTHER_AGE_BAND)),
    help="Only children in this age band on the date.",
)
@click.option(
    "--primary-need",
    type=click.Choice(vocabulary.PRIMARY_NEEDS, case_sensitive=False),
    help="Only children with this primary need on the date.",
)
@click.option(
    "--ehcp", type=click.Choice(["yes", "no"]), help="Only children with (or without) an EHC plan."
)
@click.option("--rater", type=click.Choice(vocabulary.RATERS), help="Only this rater's view.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
)
@click.option(
    "--exact",
    is_flag=True,
    help="Print the true figures: no threshold, perturbation or rounding (audited).",
)
def outcomes_report_command(
    area_code, as_at, by, organisation, age_band, primary_need, ehcp, rater, output_format, exact
):
    """Print an area's outcomes report, protected as the dashboard's (or exact with --exact)."""
    area = _area_or_fail(area_code)
    filters = compute.ReportFilters(
        organisation=_organisation_or_fail(area, organisation) if organisation else None,
        age_band=age_band,
        primary_need=primary_need.upper() if primary_need else None,
        ehcp=None if ehcp is None else ehcp == "yes",
        rater=rater,
    )
    make_report = (
        outcome_reports.exact_outcomes_report if exact else outcome_reports.outcomes_report
    )
    report = make_report(db.session, area, as_at.date(), by=by, filters=filters)
    audit.record(
        "outcomes_report_exported",
        area_id=area.id,
        detail={
            "as_at": report.as_at.isoformat(),
            "by": by,
            "format": output_format,
            "filters": {name: value for name, value in (report.filters.applied()).items()},
            "exact": exact,
            "from": "command line",
        },
    )
    db.session.commit()
    if output_format == "csv":
        click.echo(formats.report_to_csv(report), nl=False)
    else:
        click.echo(formats.report_to_json(report))


def _organisation_or_fail(area, name: str) -> int:
    """Return the id of the area's organisation with this name, or stop with a message."""
    organisation = areas.organisation_called(area, name)
    if organisation is None:
        known = ", ".join(o.name for o in area.organisations) or "none yet"
        raise click.ClickException(
            f"Area {area.code} has no organisation called {name!r} (it has: {known})"
        )
    return organisation.id


@click.command("create-user")
@click.option("--email", required=True, help="Their work email address.")
@click.option("--name", required=True, help="Their full name.")
@click.option("--role", required=True, type=click.Choice(accounts.STAFF_ROLES))
@click.option("--organisation", help="Their organisation, by name (practitioners need one).")
@click.option("--area", "area_code", required=True, help="The area's code.")
def create_user_command(email, name, role, organisation, area_code):
    """Create a staff account and print its one-time link to set a password."""
    area = _area_or_fail(area_code)
    try:
        sent = staff.create_user(
            email=email,
            name=name,
            role=role,
            area=area,
            organisation_name=organisation,
            valid_days=current_app.config["INVITATION_DAYS"],
        )
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {role} {sent.invitation.email} in {area.code}.")
    click.echo("Send them this link to set their password (it works once):")
    with link_context():
        click.echo(url_for("auth.accept_invitation", token=sent.token, _external=True))


def areas_chosen(area_code: str | None) -> list[Area]:
    """Return the area a command names, or every area; an unknown code is an error."""
    query = select(Area).order_by(Area.code)
    if area_code:
        query = query.where(Area.code == area_code)
    chosen = list(db.session.scalars(query))
    if area_code and not chosen:
        raise click.ClickException(f"No area has the code {area_code}")
    return chosen


@click.command("apply-retention")
@click.option("--area", "area_code", help="One area's code (default: every area).")
@click.option("--dry-run", is_flag=True, help="List the records that are due; change nothing.")
def apply_retention_command(area_code: str | None, dry_run: bool):
    """Anonymise records past their area's retention period (a scheduled job), or list them."""
    chosen = areas_chosen(area_code)
    today = date.today()
    for area in chosen:
        due = erasure.apply_retention(area, today, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        verb = "due" if dry_run else "anonymised"
        click.echo(f"{area.code}: {len(due)} record{'s' if len(due) != 1 else ''} {verb}")
        for record in due:
            click.echo(f"  {record.reference}: due since {record.due_on.isoformat()}")
    if not dry_run and not area_code:
        # Goals being set that nobody came back to hold a family's words: they go too.
        removed = goal_setting.remove_stale_drafts()
        db.session.commit()
        if removed:
            click.echo(
                f"Goals being set, untouched for {goal_setting.DRAFT_DAYS} days: {removed} removed"
            )


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path | None):
    """Copy the SQLite database consistently, even while the app is running."""
    try:
        written = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {written}")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
def restore_command(source: Path, yes: bool):
    """Replace the SQLite database with a backup (stop the app first)."""
    if not yes:
        click.confirm(
            "This replaces everything in the database with the backup. Go on?", abort=True
        )
    db.engine.dispose()
    try:
        backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored from {source}. Run init-db to bring it up to the latest schema.")


@click.command("send-review-reminders")
def send_review_reminders_command():
    """Email practitioners who asked for reminders that reviews are due (a scheduled job)."""
    with link_context():
        sent, failed = reminders.send_review_reminders(date.today())
    click.echo(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
    if failed:
        raise click.ClickException(
            f"{failed} reminder{'s' if failed != 1 else ''} could not be sent (see the log); "
            "run the command again to retry"
        )


@click.command("refresh-aggregates")
@click.option("--area", "area_code", help="One area's code (default: every area).")
@click.option("--rebuild", is_flag=True, help="Rebuild every kept date from scratch.")
def refresh_aggregates_command(area_code: str | None, rebuild: bool):
    """Keep today's and every quarter end's report ready (run daily, after midnight)."""
    chosen = areas_chosen(area_code)
    for area in chosen:
        built = kept.refresh(db.session, area, date.today(), everything=rebuild)
        db.session.commit()
        click.echo(f"{area.code}: built {len(built)} report date{'s' if len(built) != 1 else ''}")


@click.command("seed-synthetic")
@click.option("--area", "area_code", required=True, help="The area's code.")
@click.option(
    "--children", type=click.IntRange(min=1), required=True, help="How many children to add."
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="The same seed, the same data."
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Children written and committed at a time (default 5,000).",
)
def seed_synthetic_command(area_code: str, children: int, seed: int, batch_size: int | None):
    """Add synthetic children with goals and ratings to an area, for benchmarks and load tests."""
    from goaltracker.devtools.synthetic import DEFAULT_BATCH_SIZE, seed_synthetic

    area = areas.area_by_code(area_code)
    if area is None:
        raise click.ClickException(f"No area has the code {area_code}")
    with click.progressbar(length=children, label=f"Seeding {area.code}") as bar:
        summary = seed_synthetic(
            db.session,
            area,
            children,
            seed=seed,
            progress=bar.update,
            batch_size=batch_size or DEFAULT_BATCH_SIZE,
        )
    click.echo(
        f"Added {summary.children} children ({summary.first_reference} to "
        f"{summary.last_reference}), {summary.goals} goals, {summary.outcome_links} links to "
        f"outcomes and {summary.ratings} ratings to {area.code}."
    )
    if summary.organisations_created or summary.outcomes_created:
        click.echo(
            f"Also added {summary.organisations_created} organisations and "
            f"{summary.outcomes_created} outcomes."
        )
    # The bulk writes went round the upkeep of the kept report data: rebuild it.
    kept.rebuild(db.session, area, date.today())
    db.session.commit()
    click.echo(f"Rebuilt the kept report data of {area.code}.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (
        init_db_command,
        seed_demo_command,
        create_area_command,
        add_outcome_command,
        import_ratings_command,
        outcomes_report_command,
        create_user_command,
        apply_retention_command,
        backup_command,
        restore_command,
        send_review_reminders_command,
        refresh_aggregates_command,
        seed_synthetic_command,
    ):
        app.cli.add_command(command)

"""The import-ratings and outcomes-report commands, and the report's JSON and CSV formats."""

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from goaltracker import aggregation, report_formats
from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, Goal, Rating
from goaltracker.suppression import COLUMNS
from tests.conftest import DATA

REFERENCE_CSV = DATA / "small_area.csv"
REFERENCE_REPORTS = [
    (1, None, "small_area.report.k1.json"),
    (5, None, "small_area.report.k5.json"),
    (1, "age_band", "small_area.report.by_age_band.k1.json"),
    (5, "age_band", "small_area.report.by_age_band.k5.json"),
]
MODELS = (Child, Goal, Rating)


def invoke(runner, *args: str):
    """Run a `flask` command and return its result."""
    return runner.invoke(args=list(args))


def set_up_small_area(runner, threshold: int) -> None:
    """Create the reference area SMALL with its three outcomes and import its ratings."""
    commands = [
        ("create-area", "--code", "SMALL", "--name", "Small"),
        ("add-outcome", "--area", "SMALL", "--code", "HEALTHY", "--title", "Healthy"),
        ("add-outcome", "--area", "SMALL", "--code", "INCLUDED", "--title", "Included"),
        ("add-outcome", "--area", "SMALL", "--code", "INDEPENDENT", "--title", "Independent"),
        ("import-ratings", "--area", "SMALL", str(REFERENCE_CSV)),
    ]
    commands[0] += ("--suppression-threshold", str(threshold))
    for command in commands:
        result = invoke(runner, *command)
        assert result.exit_code == 0, result.output


def report_json(runner, *extra: str) -> dict:
    """Print SMALL's report as at the reference date as JSON, and read it back."""
    result = invoke(runner, "outcomes-report", "--area", "SMALL", "--as-at", "2026-03-31", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_reports_match(actual: dict, expected: dict) -> None:
    """Compare two JSON reports: top-level fields, rows by (outcome, group), numbers to 2 dp."""
    for key in ("area", "as_at", "suppression_threshold", "by"):
        assert actual[key] == expected[key], key
    actual_rows = {(row["outcome"], row["group"]): row for row in actual["rows"]}
    expected_rows = {(row["outcome"], row["group"]): row for row in expected["rows"]}
    assert len(actual_rows) == len(actual["rows"]), "a row appears twice"
    assert actual_rows.keys() == expected_rows.keys()
    for key, expected_row in expected_rows.items():
        actual_row = actual_rows[key]
        assert actual_row.keys() == expected_row.keys(), key
        assert actual_row["suppressed"] == expected_row["suppressed"], key
        for column in COLUMNS:
            expected_value, actual_value = expected_row[column], actual_row[column]
            if expected_value is None:
                assert actual_value is None, (key, column)
            else:
                assert actual_value is not None, (key, column)
                assert round(actual_value, 2) == round(expected_value, 2), (key, column)


@pytest.mark.parametrize(("threshold", "by", "filename"), REFERENCE_REPORTS)
def test_outcomes_report_reproduces_the_reference_answers(runner, threshold, by, filename):
    set_up_small_area(runner, threshold)
    expected = json.loads((DATA / filename).read_text(encoding="utf-8"))
    actual = report_json(runner, *(["--by", by] if by else []))
    assert_reports_match(actual, expected)


def test_report_json_has_integer_counts_and_float_statistics(runner):
    set_up_small_area(runner, 1)
    report = report_json(runner)
    assert list(report) == ["area", "as_at", "suppression_threshold", "by", "rows"]
    all_row = report["rows"][0]
    assert all_row["outcome"] == "ALL" and all_row["group"] is None
    assert isinstance(all_row["goals"], int) and not isinstance(all_row["goals"], bool)
    assert isinstance(all_row["reviewed_on_time_pct"], float)
    assert isinstance(all_row["mean_change_performance"], float)


def test_report_rows_come_in_the_areas_order_with_all_first(runner):
    set_up_small_area(runner, 1)
    outcomes = [row["outcome"] for row in report_json(runner)["rows"]]
    assert outcomes == ["ALL", "HEALTHY", "INCLUDED", "INDEPENDENT"]


def test_age_band_groups_follow_each_total_in_age_order(runner):
    set_up_small_area(runner, 1)
    rows = [
        (row["outcome"], row["group"]) for row in report_json(runner, "--by", "age_band")["rows"]
    ]
    assert rows[:3] == [("ALL", None), ("ALL", "5-10"), ("ALL", "16-19")]


def test_report_as_csv_marks_suppressed_and_leaves_not_applicable_empty(runner):
    set_up_small_area(runner, 5)
    result = invoke(
        runner,
        "outcomes-report",
        *("--area", "SMALL", "--as-at", "2026-03-31", "--by", "age_band", "--format", "csv"),
    )
    assert result.exit_code == 0, result.output
    lines = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(lines[0]) == ["outcome", "group", *COLUMNS]
    all_row = lines[0]
    assert (all_row["outcome"], all_row["group"]) == ("ALL", "")
    assert all_row["children"] == "[c]"
    assert all_row["goals"] == "5"
    assert all_row["mean_latest_performance"] == "4.80"
    young_independent = next(
        line for line in lines if (line["outcome"], line["group"]) == ("INDEPENDENT", "16-19")
    )
    # Nothing reassessed: the means do not apply, which is not the same as hidden.
    assert young_independent["mean_change_performance"] == ""
    assert young_independent["reassessed"] == "0"
    assert young_independent["goals"] == "[c]"


def test_importing_the_same_file_twice_leaves_the_report_and_tables_unchanged(runner):
    set_up_small_area(runner, 1)
    before = report_json(runner, "--by", "age_band")
    counts_before = [db.session.scalar(select(func.count()).select_from(m)) for m in MODELS]
    result = invoke(runner, "import-ratings", "--area", "SMALL", str(REFERENCE_CSV))
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated" in result.stdout
    assert "0 created, 0 corrected" in result.stdout
    counts_after = [db.session.scalar(select(func.count()).select_from(m)) for m in MODELS]
    assert counts_after == counts_before
    assert report_json(runner, "--by", "age_band") == before


def test_import_ratings_prints_a_summary_naming_new_organisations(runner):
    invoke(runner, "create-area", "--code", "SMALL", "--name", "Small")
    for code in ("HEALTHY", "INCLUDED", "INDEPENDENT"):
        invoke(runner, "add-outcome", "--area", "SMALL", "--code", code, "--title", code)
    result = invoke(runner, "import-ratings", "--area", "SMALL", str(REFERENCE_CSV))
    assert result.exit_code == 0, result.output
    assert "Children: 4 created" in result.stdout
    assert "Ratings: 13 created" in result.stdout
    assert "Identical repeated lines ignored: 1" in result.stdout
    assert "Children's Social Care, Community Paediatrics, Northfield School" in result.stdout
    assert result.stderr == ""


def test_import_ratings_with_errors_exits_non_zero_lists_them_and_imports_nothing(runner, tmp_path):
    invoke(runner, "create-area", "--code", "SMALL", "--name", "Small")
    text = REFERENCE_CSV.read_text(encoding="utf-8")
    # No outcomes exist yet, so every line with outcome codes is wrong; line 3 also gets a
    # score out of range.
    lines = text.splitlines()
    lines[2] = lines[2].replace(",5,6,active,", ",11,6,active,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke(runner, "import-ratings", "--area", "SMALL", str(bad))
    assert result.exit_code != 0
    assert result.stdout == ""
    errors = result.stderr.strip().splitlines()
    assert errors[0].startswith("Line 2: outcomes has a code this area does not have: INDEPENDENT")
    assert any(error.startswith("Line 3: performance must be a whole number") for error in errors)
    assert errors[-1].startswith("Nothing was imported")
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 0
    assert db.session.scalar(select(func.count()).select_from(Child)) == 0


def test_commands_refuse_an_unknown_area(runner):
    result = invoke(runner, "import-ratings", "--area", "NOPE", str(REFERENCE_CSV))
    assert result.exit_code != 0
    assert "No area has the code NOPE" in result.output
    result = invoke(runner, "outcomes-report", "--area", "NOPE", "--as-at", "2026-03-31")
    assert result.exit_code != 0
    assert "No area has the code NOPE" in result.output


def test_outcomes_report_refuses_a_badly_written_date_or_breakdown(runner):
    invoke(runner, "create-area", "--code", "SMALL", "--name", "Small")
    result = invoke(runner, "outcomes-report", "--area", "SMALL", "--as-at", "31/03/2026")
    assert result.exit_code != 0
    result = invoke(
        runner, "outcomes-report", "--area", "SMALL", "--as-at", "2026-03-31", "--by", "school"
    )
    assert result.exit_code != 0


def test_outcomes_report_export_is_audited(runner):
    set_up_small_area(runner, 5)
    report_json(runner, "--by", "age_band")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "outcomes_report_exported")
    ).one()
    assert event.detail == {"as_at": "2026-03-31", "by": "age_band", "format": "json"}


@pytest.mark.parametrize("by", aggregation.BREAKDOWNS)
def test_outcomes_report_runs_with_every_breakdown(runner, by):
    set_up_small_area(runner, 1)
    report = report_json(runner, "--by", by)
    assert report["by"] == by
    assert report["rows"][0]["outcome"] == "ALL" and report["rows"][0]["group"] is None


def _report(rows: tuple[aggregation.Row, ...], **filters) -> aggregation.Report:
    """Build a report by hand, for testing the formats alone."""
    return aggregation.Report(
        area="TEST",
        as_at=date(2026, 3, 31),
        suppression_threshold=5,
        by="organisation",
        filters=aggregation.ReportFilters(**filters),
        rows=rows,
    )


def _row(outcome: str = "ALL", group: str | None = None, **values) -> aggregation.Row:
    """Build a report row by hand: every column 7 (or 7.5) unless told otherwise."""
    defaults = {column.name: 7 if column.is_count else 7.5 for column in report_formats.COLUMNS}
    defaults.update(values)
    suppressed = tuple(sorted(name for name, value in values.items() if value is None))
    return aggregation.Row(outcome=outcome, group=group, suppressed=suppressed, **defaults)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_text_that_a_spreadsheet_would_run_as_a_formula(start):
    name = f'{start}HYPERLINK("http://example.com")'
    report = _report((_row(group=name),))
    line = list(csv.reader(io.StringIO(report_formats.report_to_csv(report))))[1]
    assert line[1] == "'" + name


def test_csv_keeps_negative_numbers_as_numbers():
    report = _report((_row(mean_change_performance=-1.5),))
    line = list(csv.DictReader(io.StringIO(report_formats.report_to_csv(report))))[0]
    assert line["mean_change_performance"] == "-1.50"


def test_csv_writes_counts_as_whole_numbers_and_statistics_to_two_places():
    report = _report((_row(goals=12, child_voice_pct=100 / 3),))
    line = list(csv.DictReader(io.StringIO(report_formats.report_to_csv(report))))[0]
    assert line["goals"] == "12"
    assert line["child_voice_pct"] == "33.33"


def test_json_names_the_filters_only_when_a_report_is_filtered():
    assert "filters" not in report_formats.report_to_json_dict(_report((_row(),)))
    data = report_formats.report_to_json_dict(_report((_row(),), rater="child"))
    assert data["filters"] == {"rater": "child"}


def test_json_shows_suppressed_values_as_null_and_names_them():
    data = report_formats.report_to_json_dict(_report((_row(children=None),)))
    row = data["rows"][0]
    assert row["children"] is None
    assert row["suppressed"] == ["children"]
    assert row["mean_baseline_performance"] == 7.5


def test_every_column_has_a_plain_english_description_in_report_order():
    assert [column.name for column in report_formats.COLUMNS] == list(COLUMNS)
    for column in report_formats.COLUMNS:
        assert column.label and column.description.endswith(".")
        assert column.question in {
            report_formats.HOW_MUCH,
            report_formats.HOW_WELL,
            report_formats.BETTER_OFF,
        }
    assert report_formats.COLUMN_DESCRIPTIONS.keys() == set(COLUMNS)

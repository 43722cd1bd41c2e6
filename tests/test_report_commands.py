"""The import-ratings and outcomes-report commands, and the report's JSON and CSV formats."""

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from goaltracker.extensions import db
from goaltracker.models import AuditEvent, Child, Goal, Rating
from goaltracker.reports import columns, compute, formats, outcome_reports
from goaltracker.reports.columns import NAMES as COLUMNS
from goaltracker.reports.columns import PERCENTAGES
from tests.conftest import DATA

REFERENCE_CSV = DATA / "small_area.csv"
REFERENCE_REPORTS = [
    (None, "small_area.report.exact.json"),
    ("age_band", "small_area.report.by_age_band.exact.json"),
]
MODELS = (Child, Goal, Rating)


def invoke(runner, *args: str):
    """Run a `flask` command and return its result."""
    return runner.invoke(args=list(args))


def set_up_small_area(runner) -> None:
    """Create the reference area SMALL with its three outcomes and import its ratings."""
    commands = [
        ("create-area", "--code", "SMALL", "--name", "Small"),
        ("add-outcome", "--area", "SMALL", "--code", "HEALTHY", "--title", "Healthy"),
        ("add-outcome", "--area", "SMALL", "--code", "INCLUDED", "--title", "Included"),
        ("add-outcome", "--area", "SMALL", "--code", "INDEPENDENT", "--title", "Independent"),
        ("import-ratings", "--area", "SMALL", str(REFERENCE_CSV)),
    ]
    for command in commands:
        result = invoke(runner, *command)
        assert result.exit_code == 0, result.output


def report_json(runner, *extra: str) -> dict:
    """Print SMALL's report (as at the reference date unless told) as JSON, and read it back."""
    if "--as-at" not in extra:
        extra = ("--as-at", "2026-03-31", *extra)
    result = invoke(runner, "outcomes-report", "--area", "SMALL", *extra)
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


@pytest.mark.parametrize(("by", "filename"), REFERENCE_REPORTS)
def test_outcomes_report_exact_reproduces_the_reference_answers(runner, by, filename):
    set_up_small_area(runner)
    expected = json.loads((DATA / filename).read_text(encoding="utf-8"))
    actual = report_json(runner, "--exact", *(["--by", by] if by else []))
    assert_reports_match(actual, expected)


def test_exact_report_keeps_full_precision(runner):
    set_up_small_area(runner)
    report = report_json(runner, "--exact", "--by", "age_band")
    values = [row["mean_latest_performance"] for row in report["rows"]]
    assert any(value is not None and round(value, 1) != value for value in values)


def test_report_json_has_the_shape_of_section_6(runner):
    set_up_small_area(runner)
    report = report_json(runner)
    assert list(report) == ["area", "as_at", "suppression_threshold", "by", "rows"]
    assert report["suppression_threshold"] == 5
    all_row = report["rows"][0]
    assert all_row["outcome"] == "ALL" and all_row["group"] is None
    assert list(all_row) == ["outcome", "group", *COLUMNS, "suppressed"]


def test_a_protected_report_has_whole_counts_and_percentages_and_means_to_one_place(runner):
    # The reference area has only 3 or 4 children, fewer than the threshold: seed more.
    set_up_small_area(runner)
    invoke(runner, "seed-synthetic", "--area", "SMALL", "--children", "60", "--seed", "3")
    report = report_json(runner, "--as-at", "2026-11-30")
    shown = [row for row in report["rows"] if row["children"] is not None]
    assert shown, "some rows must be shown"
    for row in shown:
        for column in COLUMNS:
            value = row[column]
            if value is None:
                continue
            if column.startswith("mean_"):
                assert isinstance(value, float) and round(value, 1) == value, column
            else:
                assert isinstance(value, int) and not isinstance(value, bool), column
                if column in PERCENTAGES:
                    assert 0 <= value <= 100


def test_report_rows_come_in_the_areas_order_with_all_first(runner):
    set_up_small_area(runner)
    outcomes = [row["outcome"] for row in report_json(runner)["rows"]]
    assert outcomes == ["ALL", "HEALTHY", "INCLUDED", "INDEPENDENT"]


def test_age_band_groups_follow_each_total_in_age_order(runner):
    set_up_small_area(runner)
    rows = [
        (row["outcome"], row["group"])
        for row in report_json(runner, "--exact", "--by", "age_band")["rows"]
    ]
    assert rows[:3] == [("ALL", None), ("ALL", "5-10"), ("ALL", "16-19")]


def test_report_as_csv_hides_every_value_of_a_row_with_fewer_children_than_the_threshold(
    runner,
):
    set_up_small_area(runner)
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
    # Three children, fewer than 5: nothing of the row is shown, not even what does not apply.
    assert [all_row[column] for column in COLUMNS] == ["[c]"] * len(COLUMNS)


def test_exact_csv_leaves_not_applicable_empty(runner):
    set_up_small_area(runner)
    result = invoke(
        runner,
        "outcomes-report",
        *("--area", "SMALL", "--as-at", "2026-03-31", "--by", "age_band", "--format", "csv"),
        "--exact",
    )
    lines = list(csv.DictReader(io.StringIO(result.stdout)))
    young_independent = next(
        line for line in lines if (line["outcome"], line["group"]) == ("INDEPENDENT", "16-19")
    )
    assert young_independent["mean_change_performance"] == ""
    assert young_independent["reassessed"] == "0"
    assert young_independent["children"] == "1"


def test_importing_the_same_file_twice_leaves_the_report_and_tables_unchanged(runner):
    set_up_small_area(runner)
    before = report_json(runner, "--exact", "--by", "age_band")
    counts_before = [db.session.scalar(select(func.count()).select_from(m)) for m in MODELS]
    result = invoke(runner, "import-ratings", "--area", "SMALL", str(REFERENCE_CSV))
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated" in result.stdout
    assert "0 created, 0 corrected" in result.stdout
    counts_after = [db.session.scalar(select(func.count()).select_from(m)) for m in MODELS]
    assert counts_after == counts_before
    assert report_json(runner, "--exact", "--by", "age_band") == before


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


def test_outcomes_report_export_is_audited_and_says_when_it_was_exact(runner):
    set_up_small_area(runner)
    report_json(runner, "--by", "age_band")
    report_json(runner, "--exact", "--rater", "child")
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "outcomes_report_exported")
        .order_by(AuditEvent.id)
    ).all()
    assert [event.detail for event in events] == [
        {
            "as_at": "2026-03-31",
            "by": "age_band",
            "format": "json",
            "filters": {},
            "exact": False,
            "from": "command line",
        },
        {
            "as_at": "2026-03-31",
            "by": None,
            "format": "json",
            "filters": {"rater": "child"},
            "exact": True,
            "from": "command line",
        },
    ]


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--organisation", " community  PAEDIATRICS", {"organisation"}),
        ("--age-band", "16-19", {"age_band"}),
        ("--primary-need", "asd", {"primary_need"}),
        ("--ehcp", "yes", {"ehcp"}),
        ("--rater", "parent_carer", {"rater"}),
    ],
)
def test_outcomes_report_takes_the_dashboards_filters(runner, option, value, expected):
    set_up_small_area(runner)
    exact = report_json(runner, "--exact", option, value)
    unfiltered = report_json(runner, "--exact")
    assert exact["rows"][0]["goals"] < unfiltered["rows"][0]["goals"]
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "outcomes_report_exported")
        .order_by(AuditEvent.id)
    ).first()
    assert set(event.detail["filters"]) == expected


def test_a_filter_equals_the_same_group_of_the_breakdown(runner):
    set_up_small_area(runner)
    filtered = report_json(runner, "--exact", "--ehcp", "yes")
    broken_down = report_json(runner, "--exact", "--by", "ehcp")
    for row in filtered["rows"]:
        group = next(
            r for r in broken_down["rows"] if (r["outcome"], r["group"]) == (row["outcome"], "yes")
        )
        assert {c: row[c] for c in COLUMNS} == {c: group[c] for c in COLUMNS}


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--organisation", "Nowhere School", "no organisation called 'Nowhere School'"),
        ("--age-band", "7-9", "Invalid value for '--age-band'"),
        ("--primary-need", "XYZ", "Invalid value for '--primary-need'"),
        ("--ehcp", "maybe", "Invalid value for '--ehcp'"),
        ("--rater", "teacher", "Invalid value for '--rater'"),
    ],
)
def test_unknown_filter_values_stop_the_command_with_a_message(runner, option, value, message):
    set_up_small_area(runner)
    result = invoke(
        runner, "outcomes-report", "--area", "SMALL", "--as-at", "2026-03-31", option, value
    )
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("by", compute.BREAKDOWNS)
def test_outcomes_report_runs_with_every_breakdown(runner, by):
    set_up_small_area(runner)
    report = report_json(runner, "--by", by)
    assert report["by"] == by
    assert report["rows"][0]["outcome"] == "ALL" and report["rows"][0]["group"] is None


def _report(rows: tuple[outcome_reports.Row, ...], **filters) -> outcome_reports.Report:
    """Build a report by hand, for testing the formats alone."""
    return outcome_reports.Report(
        area="TEST",
        as_at=date(2026, 3, 31),
        suppression_threshold=5,
        by="organisation",
        filters=compute.ReportFilters(**filters),
        rows=rows,
    )


def _row(outcome: str = "ALL", group: str | None = None, **values) -> outcome_reports.Row:
    """Build a report row by hand: every column 7 (or 7.5) unless told otherwise."""
    defaults = {
        column.name: 7 if column.is_count or column.is_percentage else 7.5
        for column in columns.COLUMNS
    }
    defaults.update(values)
    suppressed = tuple(sorted(name for name, value in values.items() if value is None))
    return outcome_reports.Row(outcome=outcome, group=group, suppressed=suppressed, **defaults)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_text_that_a_spreadsheet_would_run_as_a_formula(start):
    name = f'{start}HYPERLINK("http://example.com")'
    report = _report((_row(group=name),))
    line = list(csv.reader(io.StringIO(formats.report_to_csv(report))))[1]
    assert line[1] == "'" + name


def test_csv_keeps_negative_numbers_as_numbers():
    report = _report((_row(mean_change_performance=-1.5),))
    line = list(csv.DictReader(io.StringIO(formats.report_to_csv(report))))[0]
    assert line["mean_change_performance"] == "-1.5"


def test_csv_writes_counts_and_percentages_whole_and_means_to_one_place():
    report = _report((_row(goals=12, child_voice_pct=33, mean_latest_performance=4.5),))
    line = list(csv.DictReader(io.StringIO(formats.report_to_csv(report))))[0]
    assert (line["goals"], line["child_voice_pct"], line["mean_latest_performance"]) == (
        "12",
        "33",
        "4.5",
    )


def test_exact_csv_and_json_keep_full_precision():
    report = _report((_row(child_voice_pct=100 / 3, mean_latest_performance=14 / 3),))
    report = outcome_reports.Report(**{**report.__dict__, "exact": True})
    line = list(csv.DictReader(io.StringIO(formats.report_to_csv(report))))[0]
    assert float(line["child_voice_pct"]) == 100 / 3
    data = formats.report_to_json_dict(report)["rows"][0]
    assert data["mean_latest_performance"] == 14 / 3


def test_json_names_the_filters_only_when_a_report_is_filtered():
    assert "filters" not in formats.report_to_json_dict(_report((_row(),)))
    data = formats.report_to_json_dict(_report((_row(),), rater="child"))
    assert data["filters"] == {"rater": "child"}


def test_json_shows_suppressed_values_as_null_and_names_them():
    data = formats.report_to_json_dict(_report((_row(children=None),)))
    row = data["rows"][0]
    assert row["children"] is None
    assert row["suppressed"] == ["children"]
    assert row["mean_baseline_performance"] == 7.5


def test_every_column_has_a_plain_english_description_in_report_order():
    assert [column.name for column in columns.COLUMNS] == list(COLUMNS)
    for column in columns.COLUMNS:
        assert column.label and column.description.endswith(".")
        assert column.question in {
            columns.HOW_MUCH,
            columns.HOW_WELL,
            columns.BETTER_OFF,
        }
    assert columns.BY_NAME.keys() == set(COLUMNS)

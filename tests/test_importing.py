"""The CSV import of domain.md section 6: check the whole file, then write all of it or nothing."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from goaltracker import bulk, importing
from goaltracker.extensions import db
from goaltracker.models import (
    AuditEvent,
    Child,
    Goal,
    GoalRevision,
    Organisation,
    Rating,
)
from goaltracker.reports import kept
from tests import factories

TODAY = date(2026, 4, 30)
HEADER = (*importing.REQUIRED_COLUMNS, *importing.OPTIONAL_COLUMNS)


def line(**values) -> dict[str, str]:
    """Return one valid line of a file as a dict, changed as told."""
    defaults = {
        "child_ref": "AMY",
        "date_of_birth": "2016-05-10",
        "primary_need": "ASD",
        "ehcp": "yes",
        "organisation": "Northfield School",
        "goal_ref": "AMY-1",
        "goal_text": "Get dressed for school by myself",
        "occupation_area": "self_care",
        "importance": "9",
        "outcomes": "INDEPENDENT",
        "set_on": "2025-09-01",
        "rater": "parent_carer",
        "assessed_on": "2025-09-01",
        "performance": "3",
        "satisfaction": "2",
        "status": "active",
        "closed_on": "",
    }
    defaults.update(values)
    return defaults


def csv_text(*lines: dict[str, str], header: tuple[str, ...] = HEADER) -> str:
    """Return a CSV file's text with a header and the given lines."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(header)
    for values in lines:
        writer.writerow([values.get(column, "") for column in header])
    return output.getvalue()


@pytest.fixture
def area(app):
    """An area with three outcomes and one organisation already known."""
    area = factories.make_area("SMALL", name="Small", max_active_goals=2)
    for position, code in enumerate(("HEALTHY", "INCLUDED", "INDEPENDENT"), start=1):
        factories.make_outcome(area, code, position=position)
    factories.make_organisation(area, "Northfield School", "education")
    db.session.commit()
    return area


def run_import(area, *lines, **options):
    """Import lines into the area as of TODAY and commit."""
    source = options.pop("source", None) or csv_text(*lines)
    summary = importing.import_ratings(db.session, area, source, today=TODAY, **options)
    db.session.commit()
    return summary


def count(model) -> int:
    """Return how many rows a table holds."""
    return db.session.scalar(select(func.count()).select_from(model))


def messages(summary) -> list[str]:
    """Return the errors as the lines a person reads."""
    return [str(problem) for problem in summary.errors]


def test_a_valid_file_creates_children_goals_ratings_and_links_outcomes(area):
    summary = run_import(
        area,
        line(),
        line(assessed_on="2025-12-01", performance="5", satisfaction="6"),
        line(
            goal_ref="AMY-2",
            goal_text="Make a friend at lunch, and keep them",
            outcomes="INCLUDED;HEALTHY",
            rater="child",
        ),
    )
    assert summary.ok and summary.imported
    assert (summary.children_created, summary.goals_created, summary.ratings_created) == (1, 2, 3)
    child = db.session.scalars(select(Child)).one()
    assert (child.reference, child.date_of_birth, child.primary_need, child.ehcp) == (
        "AMY",
        date(2016, 5, 10),
        "ASD",
        True,
    )
    assert child.organisation.name == "Northfield School" and child.key_worker_id is None
    goals = {goal.reference: goal for goal in db.session.scalars(select(Goal))}
    assert [outcome.code for outcome in goals["AMY-2"].outcomes] == ["HEALTHY", "INCLUDED"]
    assert goals["AMY-1"].text == "Get dressed for school by myself"
    assert [r.performance for r in goals["AMY-1"].ratings] == [3, 5]
    assert summary.organisations_created == []


def test_new_organisations_are_created_as_other_and_named_in_the_summary(area):
    summary = run_import(
        area,
        line(),
        line(child_ref="BEN", goal_ref="BEN-1", organisation="Community Paediatrics"),
        line(child_ref="CAL", goal_ref="CAL-1", organisation="Children's Social Care"),
    )
    assert summary.organisations_created == ["Children's Social Care", "Community Paediatrics"]
    created = db.session.scalars(
        select(Organisation).where(Organisation.name == "Community Paediatrics")
    ).one()
    assert created.type == "other" and created.area_id == area.id
    assert any("Community Paediatrics" in text for text in summary.describe())


def test_organisations_are_matched_ignoring_case_and_spacing(area):
    summary = run_import(area, line(organisation="  northfield   SCHOOL "))
    assert summary.organisations_created == []
    assert count(Organisation) == 1


def test_importing_the_same_file_twice_changes_nothing_the_second_time(area):
    lines = [line(), line(assessed_on="2025-12-01", performance="5"), line(child_ref="BEN")]
    run_import(area, *lines)
    before = [count(model) for model in (Child, Goal, Rating, Organisation)]
    summary = run_import(area, *lines)
    assert summary.imported
    assert (
        summary.children_created,
        summary.children_updated,
        summary.goals_created,
        summary.goals_updated,
        summary.ratings_created,
        summary.ratings_corrected,
    ) == (0, 0, 0, 0, 0, 0)
    assert summary.ratings_unchanged == 3
    assert [count(model) for model in (Child, Goal, Rating, Organisation)] == before


def test_an_identical_repeated_line_is_ignored(area):
    summary = run_import(area, line(), line())
    assert summary.ok
    assert summary.ratings_created == 1 and summary.repeated_lines_ignored == 1
    assert count(Rating) == 1


def test_two_different_ratings_by_one_rater_on_one_day_are_an_error_naming_both_lines(area):
    summary = run_import(area, line(), line(performance="4"))
    assert not summary.imported
    assert len(summary.errors) == 1
    problem = summary.errors[0]
    assert problem.line == 3
    assert "differs from line 2" in problem.message
    assert count(Rating) == 0


def test_the_same_day_by_two_raters_is_two_ratings(area):
    summary = run_import(area, line(), line(rater="child", performance="6"))
    assert summary.ok and summary.ratings_created == 2


def test_a_later_file_corrects_a_rating_and_the_audit_keeps_the_old_values(area):
    recorder = factories.make_user("admin", area)
    run_import(area, line(), line(assessed_on="2025-12-01", performance="5"))
    summary = run_import(
        area,
        line(performance="4", satisfaction="3"),
        recorded_by=recorder,
    )
    assert summary.ratings_corrected == 1 and summary.ratings_created == 0
    rating = db.session.scalars(select(Rating).where(Rating.assessed_on == date(2025, 9, 1))).one()
    assert (rating.performance, rating.satisfaction) == (4, 3)
    assert rating.recorded_by_id == recorder.id
    assert count(Rating) == 2
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rating_corrected")
    ).one()
    child = db.session.scalars(select(Child)).one()
    assert event.child_id == child.id and event.area_id == area.id
    assert event.user_id == recorder.id
    assert event.detail["before"] == {"performance": 3, "satisfaction": 2}
    assert event.detail["after"] == {"performance": 4, "satisfaction": 3}
    assert event.detail["rater"] == "parent_carer"
    assert event.detail["assessed_on"] == "2025-09-01"
    assert event.detail["goal_reference"] == "AMY-1"


def test_each_import_is_recorded_in_the_audit_trail(area):
    run_import(area, line())
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "ratings_imported")
    ).one()
    assert event.area_id == area.id
    assert event.detail["ratings_created"] == 1


def test_an_existing_childs_cohort_attributes_are_updated_from_the_file(area):
    run_import(area, line())
    summary = run_import(
        area,
        line(date_of_birth="2016-05-11", primary_need="SEMH", ehcp="no", organisation="Clinic"),
    )
    assert (summary.children_created, summary.children_updated) == (0, 1)
    child = db.session.scalars(select(Child)).one()
    assert (child.date_of_birth, child.primary_need, child.ehcp) == (
        date(2016, 5, 11),
        "SEMH",
        False,
    )
    assert child.organisation.name == "Clinic"
    assert summary.organisations_created == ["Clinic"]


def test_children_are_matched_on_reference_within_the_area_only(area):
    other_area = factories.make_area("OTHER")
    other_organisation = factories.make_organisation(other_area, "Elsewhere")
    practitioner = factories.make_user("practitioner", other_area, other_organisation)
    factories.make_child(practitioner, reference="AMY")
    db.session.commit()
    summary = run_import(area, line())
    assert summary.children_created == 1
    assert count(Child) == 2


def test_changes_to_a_goal_update_it_keep_the_old_wording_and_move_its_version_on(area):
    run_import(area, line())
    goal = db.session.scalars(select(Goal)).one()
    version = goal.version
    summary = run_import(
        area,
        line(
            goal_text="Get dressed by myself",
            importance="10",
            outcomes="HEALTHY",
            status="achieved",
            closed_on="2026-01-31",
        ),
    )
    assert summary.goals_updated == 1 and summary.goals_created == 0
    db.session.expire_all()
    goal = db.session.scalars(select(Goal)).one()
    assert goal.text == "Get dressed by myself"
    assert (goal.importance, goal.status, goal.closed_on) == (10, "achieved", date(2026, 1, 31))
    assert [outcome.code for outcome in goal.outcomes] == ["HEALTHY"]
    assert goal.version == version + 1
    assert [revision.text for revision in goal.revisions] == ["Get dressed for school by myself"]


def test_a_child_over_the_active_goal_limit_is_named_as_a_warning_not_refused(area):
    summary = run_import(
        area,
        line(goal_ref="AMY-1"),
        line(goal_ref="AMY-2"),
        line(goal_ref="AMY-3"),
        line(goal_ref="AMY-4", status="achieved", closed_on="2026-01-01"),
        line(child_ref="BEN", goal_ref="BEN-1"),
    )
    assert summary.imported and summary.goals_created == 5
    assert summary.warnings == [
        "Child AMY now has 3 active goals, more than the area's limit of 2; imported anyway."
    ]
    assert "Warning: Child AMY" in summary.describe()[-1]


def test_the_active_goal_limit_counts_goals_already_held(area):
    run_import(area, line(goal_ref="AMY-1"), line(goal_ref="AMY-2"))
    summary = run_import(area, line(goal_ref="AMY-3"))
    assert summary.warnings and "3 active goals" in summary.warnings[0]


def test_one_bad_line_imports_nothing_and_names_the_line(area):
    summary = run_import(area, line(), line(child_ref="BEN"), line(child_ref="CAL", rater="mum"))
    assert not summary.imported
    assert messages(summary) == ['Line 4: rater must be one of child, parent_carer, not "mum"']
    assert summary.errors[0].column == "rater"
    assert [count(model) for model in (Child, Goal, Rating)] == [0, 0, 0]
    assert count(Organisation) == 1


def test_every_error_is_listed_with_its_line_in_line_order(area):
    summary = run_import(
        area,
        line(performance="11"),
        line(child_ref="BEN"),
        line(child_ref="CAL", satisfaction="0", importance="x", set_on="2025-13-01"),
    )
    assert [(problem.line, problem.column) for problem in summary.errors] == [
        (2, "performance"),
        (4, "importance"),
        (4, "set_on"),
        (4, "satisfaction"),
    ]


def test_validate_is_a_dry_run_that_says_what_an_import_would_do(area):
    text = csv_text(line(), line(child_ref="BEN", organisation="Clinic"))
    summary = importing.validate(db.session, area, text, today=TODAY)
    assert summary.ok and not summary.imported
    assert (summary.children_created, summary.ratings_created) == (2, 2)
    assert summary.organisations_created == ["Clinic"]
    assert summary.describe()[0] == "Children: 2 would be created, 0 would be updated."
    assert [count(model) for model in (Child, Goal, Rating)] == [0, 0, 0]
    assert count(Organisation) == 1


def test_validate_lists_errors_without_writing(area):
    summary = importing.validate(db.session, area, csv_text(line(ehcp="maybe")), today=TODAY)
    assert messages(summary) == ['Line 2: ehcp must be one of yes, no, not "maybe"']


LONG_TEXT = "x" * 501

# Each bad value, the column the error names, and words the message must contain.
INVALID_LINES = [
    ({"outcomes": "INDEPENDENT;WELLBEING"}, "outcomes", "does not have: WELLBEING"),
    ({"date_of_birth": "10/05/2016"}, "date_of_birth", "YYYY-MM-DD"),
    ({"date_of_birth": "2016-5-10"}, "date_of_birth", "YYYY-MM-DD"),
    ({"set_on": "2025-02-30"}, "set_on", "not a real date"),
    ({"assessed_on": ""}, "assessed_on", "is empty"),
    ({"date_of_birth": "2026-05-01"}, "date_of_birth", "in the future"),
    ({"set_on": "2026-05-01", "assessed_on": "2026-05-01"}, "set_on", "in the future"),
    ({"assessed_on": "2026-05-01"}, "assessed_on", "in the future"),
    ({"assessed_on": "2025-08-31"}, "assessed_on", "before the goal was set"),
    ({"performance": "11"}, "performance", "whole number from 1 to 10"),
    ({"performance": "0"}, "performance", "whole number from 1 to 10"),
    ({"performance": "2.5"}, "performance", "whole number from 1 to 10"),
    ({"performance": ""}, "performance", "but it is empty"),
    ({"satisfaction": "ten"}, "satisfaction", "whole number from 1 to 10"),
    ({"satisfaction": "-1"}, "satisfaction", "whole number from 1 to 10"),
    ({"importance": "0"}, "importance", "whole number from 1 to 10"),
    ({"importance": "11"}, "importance", "whole number from 1 to 10"),
    ({"rater": "teacher"}, "rater", "one of child, parent_carer"),
    ({"occupation_area": "school"}, "occupation_area", "self_care, productivity, leisure"),
    ({"primary_need": "DYSLEXIA"}, "primary_need", "one of SPLD"),
    ({"status": "paused"}, "status", "one of active, achieved, stopped"),
    ({"status": "achieved"}, "closed_on", "needed when status is achieved"),
    ({"status": "stopped"}, "closed_on", "needed when status is stopped"),
    ({"closed_on": "2026-01-01"}, "closed_on", "must be empty when the goal is active"),
    ({"status": "achieved", "closed_on": "2025-08-01"}, "closed_on", "before the goal was set"),
    ({"status": "achieved", "closed_on": "2026-05-01"}, "closed_on", "in the future"),
    ({"ehcp": "Y"}, "ehcp", "one of yes, no"),
    ({"goal_text": ""}, "goal_text", "goal_text is empty"),
    ({"goal_text": LONG_TEXT}, "goal_text", "501 characters long; the most allowed is 500"),
    ({"child_ref": ""}, "child_ref", "child_ref is empty"),
    ({"goal_ref": ""}, "goal_ref", "goal_ref is empty"),
    ({"organisation": ""}, "organisation", "organisation is empty"),
]


@pytest.mark.parametrize(("values", "column", "words"), INVALID_LINES)
def test_an_invalid_value_is_refused_with_its_line_and_column(area, values, column, words):
    summary = run_import(area, line(), line(**{"child_ref": "BEN", **values}))
    assert not summary.imported
    assert len(summary.errors) >= 1
    problem = summary.errors[0]
    assert (problem.line, problem.column) == (3, column)
    assert column in problem.message
    assert words in problem.message
    assert str(problem).startswith("Line 3: ")
    assert count(Rating) == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("goal_text", "Get dressed"),
        ("occupation_area", "leisure"),
        ("importance", "8"),
        ("outcomes", "HEALTHY"),
        ("set_on", "2025-08-01"),
        ("status", "stopped"),
    ],
)
def test_goal_columns_must_agree_on_every_line_of_the_goal(area, column, value):
    changed = line(assessed_on="2025-12-01", **{column: value})
    if column == "status":
        changed["closed_on"] = "2026-01-01"
    summary = run_import(area, line(), changed)
    assert not summary.imported
    problem = next(problem for problem in summary.errors if problem.column == column)
    assert problem.line == 3
    assert "on line 2; every line of goal AMY-1 of AMY must agree" in problem.message


def test_outcomes_agree_whatever_their_order(area):
    summary = run_import(
        area,
        line(outcomes="HEALTHY;INCLUDED"),
        line(outcomes=" included ; HEALTHY ", assessed_on="2025-12-01"),
    )
    assert summary.ok


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("date_of_birth", "2016-05-11"),
        ("primary_need", "SEMH"),
        ("ehcp", "no"),
        ("organisation", "Clinic"),
    ],
)
def test_child_columns_must_agree_on_every_line_of_the_child(area, column, value):
    summary = run_import(area, line(), line(goal_ref="AMY-2", **{column: value}))
    assert [(problem.line, problem.column) for problem in summary.errors] == [(3, column)]
    assert "every line of child AMY must agree" in summary.errors[0].message


def test_the_same_goal_reference_under_two_children_is_two_goals(area):
    summary = run_import(area, line(), line(child_ref="BEN", goal_text="Something else"))
    assert summary.ok and summary.goals_created == 2


def test_codes_are_accepted_whatever_their_case(area):
    summary = run_import(
        area,
        line(primary_need="asd", ehcp="YES", rater="Parent_Carer", status="Active"),
        line(outcomes="independent", occupation_area="Self_Care", assessed_on="2025-10-01"),
    )
    assert summary.ok, messages(summary)
    child = db.session.scalars(select(Child)).one()
    assert child.primary_need == "ASD"


def test_a_goal_may_be_linked_to_no_outcome(area):
    summary = run_import(area, line(outcomes=""))
    assert summary.ok
    assert db.session.scalars(select(Goal)).one().outcomes == []


def test_retired_outcomes_are_accepted_because_files_carry_history(area):
    factories.make_outcome(area, "OLD").retired_at = datetime(2025, 1, 1, tzinfo=UTC)
    db.session.commit()
    assert run_import(area, line(outcomes="OLD")).ok


def test_status_and_closed_on_columns_are_optional(area):
    summary = run_import(
        area, source=csv_text(line(), header=importing.REQUIRED_COLUMNS), max_bytes=10_000
    )
    assert summary.ok
    assert db.session.scalars(select(Goal)).one().status == "active"


def test_missing_columns_in_the_header_are_listed(area):
    header = tuple(c for c in HEADER if c not in {"rater", "satisfaction"})
    summary = run_import(area, source=csv_text(line(), header=header))
    assert len(summary.errors) == 1
    assert summary.errors[0].line == 1
    assert "missing the columns rater, satisfaction" in summary.errors[0].message


def test_a_header_naming_a_column_twice_is_refused(area):
    summary = run_import(area, source=csv_text(line(), header=(*HEADER, "rater")))
    assert messages(summary) == ["Line 1: The header names rater more than once."]


def test_unknown_columns_are_ignored_with_a_warning(area):
    summary = run_import(area, source=csv_text(line(notes="hello"), header=(*HEADER, "notes")))
    assert summary.ok
    assert summary.warnings == ["These columns are not used and were ignored: notes."]


def test_a_line_with_more_values_than_the_header_is_refused(area):
    text = csv_text(line()) + csv_text(line(), header=HEADER).splitlines()[1] + ",extra,cells\n"
    summary = run_import(area, source=text)
    assert [problem.line for problem in summary.errors] == [3]
    assert "double quotes" in summary.errors[0].message


def test_empty_lines_and_lines_of_commas_are_skipped(area):
    text = csv_text(line()) + "\n" + "," * (len(HEADER) - 1) + "\n"
    assert run_import(area, source=text).ok


def test_line_numbers_count_from_the_header(area, tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text(csv_text(line(), line(child_ref="BEN", rater="x")), encoding="utf-8")
    summary = run_import(area, source=path)
    assert summary.errors[0].line == 3


def test_a_quoted_goal_text_with_a_comma_and_a_newline_is_one_value(area):
    text = "Make a friend,\nand keep them"
    summary = run_import(area, line(goal_text=text), line(goal_text=text, rater="x"))
    # The second line of the file's first record is line 3, so the bad line starts at line 4.
    assert [problem.line for problem in summary.errors] == [4]
    summary = run_import(area, line(goal_text=text))
    assert summary.ok
    assert db.session.scalars(select(Goal)).one().text == text


def test_a_file_in_another_encoding_is_refused(area, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(csv_text(line(), line(goal_text="Café with friends")).encode("latin-1"))
    summary = run_import(area, source=path)
    assert len(summary.errors) == 1
    assert summary.errors[0].line == 3
    assert "not UTF-8" in summary.errors[0].message
    assert count(Child) == 0


def test_a_utf8_file_with_a_byte_order_mark_is_accepted(area, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(line(goal_text="Café")).encode("utf-8"))
    summary = run_import(area, source=path)
    assert summary.ok, messages(summary)
    assert db.session.scalars(select(Goal)).one().text == "Café"


def test_an_empty_file_is_refused(area, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert messages(run_import(area, source=path)) == ["The file is empty."]
    assert messages(run_import(area, source=b"  \n\n")) == ["The file is empty."]


def test_a_file_with_only_a_header_is_refused(area):
    summary = run_import(area, source=csv_text())
    assert messages(summary) == ["The file has a header but no ratings."]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(area, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(csv_text(*[line(assessed_on=f"2025-10-{day:02}") for day in range(1, 29)]))
    summary = run_import(area, source=path, max_bytes=1024)
    assert len(summary.errors) == 1
    assert "larger than 1024 bytes" in summary.errors[0].message
    with path.open("rb") as file:
        assert not run_import(area, source=file, max_bytes=1024).ok
    assert run_import(area, source=path, max_bytes=1024 * 1024).ok


def test_the_default_size_limit_is_fifty_megabytes():
    assert importing.MAX_FILE_BYTES == 50 * 1024 * 1024


def test_files_can_be_given_as_paths_binary_or_text_files_bytes_or_text(area, tmp_path):
    text = csv_text(line())
    path = tmp_path / "ratings.csv"
    path.write_text(text, encoding="utf-8")
    assert run_import(area, source=path).ratings_created == 1
    with path.open("rb") as file:
        assert run_import(area, source=file).ratings_unchanged == 1
    assert run_import(area, source=io.StringIO(text)).ratings_unchanged == 1
    assert run_import(area, source=text.encode()).ratings_unchanged == 1


def test_a_set_on_after_a_rating_already_held_is_refused(area):
    run_import(area, line(), line(assessed_on="2025-10-01"))
    summary = run_import(area, line(set_on="2025-09-15", assessed_on="2025-10-01"))
    assert [(problem.line, problem.column) for problem in summary.errors] == [(2, "set_on")]
    assert "after a rating already held" in summary.errors[0].message


def test_an_erased_childs_reference_is_refused(area):
    run_import(area, line())
    child = db.session.scalars(select(Child)).one()
    with kept.tracking(db.session, [child.id]):
        child.erased_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    summary = run_import(area, line(assessed_on="2025-10-01"))
    assert [(problem.line, problem.column) for problem in summary.errors] == [(2, "child_ref")]


def test_ratings_record_who_imported_them(area):
    recorder = factories.make_user("admin", area)
    run_import(area, line(), recorded_by=recorder)
    assert db.session.scalars(select(Rating)).one().recorded_by_id == recorder.id
    assert db.session.scalars(select(Goal)).one().created_by_id == recorder.id


def test_an_unchanged_goal_keeps_its_version_and_wording(area):
    run_import(area, line())
    run_import(area, line(assessed_on="2025-10-01"))
    assert db.session.scalars(select(Goal)).one().version == 1
    assert count(GoalRevision) == 0


def test_the_number_of_statements_does_not_grow_with_the_file(app):
    def statements_for(children: int) -> int:
        """Import this many children's lines into a new area and count the SQL statements."""
        area = factories.make_area()
        factories.make_outcome(area, "INDEPENDENT")
        db.session.commit()
        lines = [
            line(child_ref=f"C{number}", assessed_on=day)
            for number in range(children)
            for day in ("2025-09-01", "2025-12-01")
        ]
        with factories.counted_statements() as executed:
            summary = run_import(area, *lines)
        assert summary.ratings_created == 2 * children
        return len(executed)

    assert statements_for(200) == statements_for(20)


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x1b", "\x7f"])
@pytest.mark.parametrize("column", ["goal_text", "organisation", "child_ref", "outcomes"])
def test_control_characters_are_refused_with_their_line(area, character, column):
    value = line()[column]
    summary = run_import(
        area, line(), line(**{column: f"{value}{character}x", "assessed_on": "2025-10-01"})
    )
    assert not summary.imported
    assert any(
        message.startswith(f"Line 3: {column}") and "control characters" in message
        for message in messages(summary)
    ), messages(summary)
    assert count(Rating) == 0


def test_a_header_of_too_many_columns_is_refused_at_once(area):
    header = ",".join(f"column{number}" for number in range(100_000))
    summary = run_import(area, source=header + "\n" + "x," * 10 + "\n")
    assert not summary.imported
    assert "at most 200" in messages(summary)[0]


def test_repeated_columns_are_found_in_linear_time(area):
    header = (*HEADER, *(f"extra{number}" for number in range(150)), "goal_text")
    summary = run_import(area, source=csv_text(line(), header=header))
    assert "goal_text more than once" in messages(summary)[0]


def test_a_file_without_status_columns_leaves_goals_status_as_held(area):
    run_import(area, line(status="achieved", closed_on="2025-12-01"))
    goal = db.session.scalar(select(Goal))
    assert (goal.status, goal.closed_on) == ("achieved", date(2025, 12, 1))
    without = (*importing.REQUIRED_COLUMNS,)
    summary = run_import(
        area, source=csv_text(line(), line(assessed_on="2026-01-10"), header=without)
    )
    assert summary.imported, messages(summary)
    db.session.refresh(goal)
    assert (goal.status, goal.closed_on) == ("achieved", date(2025, 12, 1))
    assert count(Rating) == 2
    # A new goal in such a file is active.
    run_import(area, source=csv_text(line(goal_ref="AMY-2"), header=without))
    new = db.session.scalar(select(Goal).where(Goal.reference == "AMY-2"))
    assert (new.status, new.closed_on) == ("active", None)


def test_on_postgresql_an_import_checks_its_rows_parents_at_once(area, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite checks each row as it is added")
    checked = []
    check_and_lock = bulk._Parents.check_and_lock

    def noting(parents, session):
        checked.append({column.table.name for column in parents.pointed_at})
        check_and_lock(parents, session)

    monkeypatch.setattr(bulk._Parents, "check_and_lock", noting)
    summary = run_import(area, line(), line(child_ref="BEN", goal_ref="BEN-1"))
    assert summary.imported
    assert len(checked) == 1
    assert {"area", "organisation", "child", "goal", "strategic_outcome"} <= checked[0]
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 2


def test_an_import_on_sqlite_writes_within_a_roomy_page_cache(area, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own page cache")
    seen = []
    writing = importing._write

    def _write(*args):
        seen.append(bulk.page_cache_size(db.session))
        return writing(*args)

    monkeypatch.setattr(importing, "_write", _write)
    usual = bulk.page_cache_size(db.session)
    summary = run_import(area, line())
    assert summary.imported, messages(summary)
    assert seen == [-bulk.BULK_PAGE_CACHE_KIB]
    assert bulk.page_cache_size(db.session) == usual

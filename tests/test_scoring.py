"""Tests of COPM-style scoring against the shared reference cases, properties and edge cases."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goaltracker import scoring
from goaltracker.scoring import (
    BANDS,
    DEFAULT_IMPORTANT_CHANGE,
    DETERIORATED,
    IMPROVED,
    NO_CHANGE,
    Score,
    SeriesSummary,
    age_band,
    age_on,
    apply_corrections,
    change_band,
    describe_band,
    format_change,
    format_score,
    is_valid_score,
    review_totals,
    suggest_parent_rating,
    summarise_series,
    total_change,
    total_score,
)
from goaltracker.vocabulary import AGE_BANDS, OTHER_AGE_BAND

CASES_PATH = Path(__file__).parent / "data" / "scoring_cases.json"
CASES: dict[str, Any] = json.loads(CASES_PATH.read_text(encoding="utf-8"))

# Listing every field a case may carry means a field added to the reference file later cannot be
# silently ignored by these tests.
KNOWN_FIELDS = {
    "review_totals": {
        "name",
        "performance",
        "satisfaction",
        "total_performance",
        "total_satisfaction",
        "displayed_performance",
        "displayed_satisfaction",
    },
    "series_change": {
        "name",
        "ratings",
        "corrections",
        "important_change",
        "as_at",
        "reassessed",
        "ratings_in_series",
        "change_performance",
        "change_satisfaction",
        "performance_band",
        "satisfaction_band",
    },
    "child_total_change": {
        "name",
        "initial",
        "reassessment",
        "total_change_performance",
        "total_change_satisfaction",
    },
    "age_band": {"name", "date_of_birth", "as_at", "band"},
}

MEASURES = ("performance", "satisfaction")
MIRRORED_BAND = {IMPROVED: DETERIORATED, NO_CHANGE: NO_CHANGE, DETERIORATED: IMPROVED, None: None}

# The child_total_change cases may give one measure only; the other gets a constant that
# contributes no change, and is not checked.
UNCHECKED_SCORE = 5

# The example database would otherwise be written into the working tree.
NO_EXAMPLE_DATABASE = settings(database=None)

scores = st.integers(min_value=1, max_value=10)
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
thresholds = st.sampled_from([1, 1.5, 2, 2.2, 3, 5])
ratings_on_distinct_days = st.lists(
    st.builds(Score, days, scores, scores),
    unique_by=lambda rating: rating.assessed_on,
    max_size=8,
)


def reference_cases(section: str) -> list[Any]:
    """Return one section's cases as pytest params named after each case."""
    params = []
    for case in CASES[section]:
        name = case.get("name") or f"born {case['date_of_birth']} as at {case['as_at']}"
        params.append(pytest.param(case, id=name))
    return params


def score_from_row(row: list[Any]) -> Score:
    """Build a Score from a reference row of [date, performance, satisfaction]."""
    assessed_on, performance, satisfaction = row
    return Score(date.fromisoformat(assessed_on), performance, satisfaction)


def two_rating_summary(
    initial: tuple[int, int], reassessment: tuple[int, int], threshold: float = 2
) -> SeriesSummary:
    """Summarise a series rated on 10 January and again on 10 April 2026."""
    return summarise_series(
        [Score(date(2026, 1, 10), *initial), Score(date(2026, 4, 10), *reassessment)],
        as_at=date(2026, 5, 1),
        important_change=threshold,
    )


# Reference cases


def test_reference_file_has_exactly_the_known_sections_and_fields() -> None:
    """Every section and field of the reference file is one these tests check."""
    assert set(CASES) - {"about"} == set(KNOWN_FIELDS)
    for section, fields in KNOWN_FIELDS.items():
        assert CASES[section], section
        for case in CASES[section]:
            assert set(case) <= fields, case


@pytest.mark.parametrize("case", reference_cases("review_totals"))
def test_reference_review_totals(case: dict[str, Any]) -> None:
    """Totals are the mean of a review's scores, shown to one decimal place."""
    total_performance, total_satisfaction = review_totals(case["performance"], case["satisfaction"])
    assert total_performance == pytest.approx(case["total_performance"])
    assert total_satisfaction == pytest.approx(case["total_satisfaction"])
    if "displayed_performance" in case:
        assert format_score(total_performance) == case["displayed_performance"]
    if "displayed_satisfaction" in case:
        assert format_score(total_satisfaction) == case["displayed_satisfaction"]


@pytest.mark.parametrize("case", reference_cases("series_change"))
def test_reference_series_change(case: dict[str, Any]) -> None:
    """A series' change and bands, as at a date, match the hand-computed answers."""
    series = apply_corrections(
        [score_from_row(row) for row in case["ratings"]],
        [score_from_row(row) for row in case.get("corrections", [])],
    )
    as_at = date.fromisoformat(case["as_at"])
    summary = summarise_series(
        series, as_at, case.get("important_change", DEFAULT_IMPORTANT_CHANGE)
    )
    assert summary.reassessed is case["reassessed"]
    assert summary.change_performance == case["change_performance"]
    assert summary.change_satisfaction == case["change_satisfaction"]
    assert summary.performance_band == case.get("performance_band")
    assert summary.satisfaction_band == case.get("satisfaction_band")
    if "ratings_in_series" in case:
        assert len(series) == case["ratings_in_series"]
    counted = [rating for rating in series if rating.assessed_on <= as_at]
    assert summary.ratings_counted == len(counted)


@pytest.mark.parametrize("case", reference_cases("child_total_change"))
def test_reference_child_total_change(case: dict[str, Any]) -> None:
    """A child's total change is the mean per-goal change, and equals the change in totals."""
    goal_count = len(case["initial"]["performance"])
    occasions = {}
    for occasion in ("initial", "reassessment"):
        occasions[occasion] = {
            measure: case[occasion].get(measure, [UNCHECKED_SCORE] * goal_count)
            for measure in MEASURES
        }
    summaries = [
        two_rating_summary(
            (occasions["initial"]["performance"][goal], occasions["initial"]["satisfaction"][goal]),
            (
                occasions["reassessment"]["performance"][goal],
                occasions["reassessment"]["satisfaction"][goal],
            ),
        )
        for goal in range(goal_count)
    ]
    changes = dict(zip(MEASURES, total_change(summaries), strict=True))
    for measure in MEASURES:
        expected_field = f"total_change_{measure}"
        if expected_field in case:
            assert changes[measure] == pytest.approx(case[expected_field])
            change_in_totals = total_score(case["reassessment"][measure]) - total_score(
                case["initial"][measure]
            )
            assert changes[measure] == pytest.approx(change_in_totals)


@pytest.mark.parametrize("case", reference_cases("age_band"))
def test_reference_age_band(case: dict[str, Any]) -> None:
    """Age bands use the age on the as-at date."""
    band = age_band(date.fromisoformat(case["date_of_birth"]), date.fromisoformat(case["as_at"]))
    assert band == case["band"]


# Properties


@NO_EXAMPLE_DATABASE
@given(performance=st.lists(scores, min_size=1), satisfaction=st.lists(scores, min_size=1))
def test_totals_are_always_on_the_scale(performance: list[int], satisfaction: list[int]) -> None:
    """A total of scores from 1 to 10 is itself between 1 and 10."""
    satisfaction = (satisfaction * len(performance))[: len(performance)]
    total_performance, total_satisfaction = review_totals(performance, satisfaction)
    assert 1 <= total_performance <= 10
    assert 1 <= total_satisfaction <= 10
    assert min(performance) <= total_performance <= max(performance)


@NO_EXAMPLE_DATABASE
@given(
    first=st.tuples(scores, scores),
    second=st.tuples(scores, scores),
    earlier=days,
    gap_in_days=st.integers(min_value=1, max_value=400),
    threshold=thresholds,
)
def test_swapping_baseline_and_latest_negates_change_and_mirrors_bands(
    first: tuple[int, int],
    second: tuple[int, int],
    earlier: date,
    gap_in_days: int,
    threshold: float,
) -> None:
    """Reversing which rating came first negates the change and swaps improved and deteriorated."""
    later = earlier + timedelta(days=gap_in_days)
    forward = summarise_series(
        [Score(earlier, *first), Score(later, *second)], later, important_change=threshold
    )
    backward = summarise_series(
        [Score(earlier, *second), Score(later, *first)], later, important_change=threshold
    )
    assert forward.change_performance is not None
    assert forward.change_satisfaction is not None
    assert backward.change_performance == -forward.change_performance
    assert backward.change_satisfaction == -forward.change_satisfaction
    assert backward.performance_band == MIRRORED_BAND[forward.performance_band]
    assert backward.satisfaction_band == MIRRORED_BAND[forward.satisfaction_band]


@NO_EXAMPLE_DATABASE
@given(
    change=st.floats(min_value=-9, max_value=9, allow_nan=False),
    threshold=st.floats(min_value=0.1, max_value=9),
)
def test_change_band_is_antisymmetric(change: float, threshold: float) -> None:
    """A change and its negation fall in mirrored bands, whatever the threshold."""
    assert change_band(-change, threshold) == MIRRORED_BAND[change_band(change, threshold)]


@NO_EXAMPLE_DATABASE
@given(series=ratings_on_distinct_days, first_as_at=days, second_as_at=days)
def test_a_later_as_at_date_never_loses_ratings_or_reassessment(
    series: list[Score], first_as_at: date, second_as_at: date
) -> None:
    """Moving the as-at date later never reduces the ratings counted nor undoes reassessment."""
    earlier, later = sorted((first_as_at, second_as_at))
    earlier_summary = summarise_series(series, earlier)
    later_summary = summarise_series(series, later)
    assert earlier_summary.ratings_counted <= later_summary.ratings_counted
    if earlier_summary.reassessed:
        assert later_summary.reassessed
        assert later_summary.baseline == earlier_summary.baseline


@NO_EXAMPLE_DATABASE
@given(
    as_at=days,
    days_before=st.lists(
        st.tuples(st.integers(min_value=0, max_value=2000), scores, scores),
        unique_by=lambda row: row[0],
        max_size=6,
    ),
    days_after=st.lists(
        st.tuples(st.integers(min_value=1, max_value=2000), scores, scores),
        unique_by=lambda row: row[0],
        min_size=1,
        max_size=6,
    ),
)
def test_ratings_after_the_as_at_date_never_affect_the_summary(
    as_at: date,
    days_before: list[tuple[int, int, int]],
    days_after: list[tuple[int, int, int]],
) -> None:
    """Adding ratings dated after the as-at date leaves the summary exactly as it was."""
    counted = [Score(as_at - timedelta(days=days), *values) for days, *values in days_before]
    ignored = [Score(as_at + timedelta(days=days), *values) for days, *values in days_after]
    assert summarise_series(counted + ignored, as_at) == summarise_series(counted, as_at)


@NO_EXAMPLE_DATABASE
@given(series=ratings_on_distinct_days, as_at=days, data=st.data())
def test_the_order_ratings_are_given_in_does_not_matter(
    series: list[Score], as_at: date, data: st.DataObject
) -> None:
    """Ratings may arrive in any order; the summary depends only on their dates."""
    shuffled = data.draw(st.permutations(series))
    assert summarise_series(shuffled, as_at) == summarise_series(series, as_at)


@NO_EXAMPLE_DATABASE
@given(goals=st.lists(st.tuples(scores, scores, scores, scores), min_size=1, max_size=10))
def test_total_change_equals_change_in_totals_for_the_same_goals(
    goals: list[tuple[int, int, int, int]],
) -> None:
    """When the same goals are rated twice, the mean per-goal change is the change in totals."""
    summaries = [
        two_rating_summary((initial_p, initial_s), (later_p, later_s))
        for initial_p, initial_s, later_p, later_s in goals
    ]
    initial_totals = review_totals([goal[0] for goal in goals], [goal[1] for goal in goals])
    later_totals = review_totals([goal[2] for goal in goals], [goal[3] for goal in goals])
    change_performance, change_satisfaction = total_change(summaries)
    assert change_performance == pytest.approx(later_totals[0] - initial_totals[0])
    assert change_satisfaction == pytest.approx(later_totals[1] - initial_totals[1])


def birthday_in(year: int, date_of_birth: date) -> date:
    """Return the birthday in a year, taking 1 March for 29 February in a common year."""
    try:
        return date_of_birth.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


@NO_EXAMPLE_DATABASE
@given(date_of_birth=st.dates(), as_at=st.dates())
def test_age_band_is_always_a_band_or_other(date_of_birth: date, as_at: date) -> None:
    """Any pair of dates gives one of the five bands or "other", consistent with the age."""
    band = age_band(date_of_birth, as_at)
    assert band in (*AGE_BANDS, OTHER_AGE_BAND)
    if as_at >= date_of_birth:
        age = age_on(date_of_birth, as_at)
        if band == OTHER_AGE_BAND:
            assert age > 25
        else:
            youngest, oldest = (int(part) for part in band.split("-"))
            assert youngest <= age <= oldest


@NO_EXAMPLE_DATABASE
@given(date_of_birth=st.dates(max_value=date(9000, 1, 1)), days_later=st.integers(0, 40000))
def test_age_counts_the_birthdays_passed(date_of_birth: date, days_later: int) -> None:
    """Age is the number of birthdays on or before the date, counted the long way."""
    as_at = date_of_birth + timedelta(days=days_later)
    expected = as_at.year - date_of_birth.year
    if birthday_in(as_at.year, date_of_birth) > as_at:
        expected -= 1
    assert age_on(date_of_birth, as_at) == expected


@NO_EXAMPLE_DATABASE
@given(value=st.floats(min_value=-10, max_value=10))
def test_formatting_rounds_to_the_nearest_tenth(value: float) -> None:
    """The shown value is within half a tenth of the true value, with one decimal place."""
    shown = format_score(value)
    assert abs(float(shown) - value) <= 0.05 + 1e-9
    assert len(shown.split(".")[1]) == 1
    assert float(format_change(value)) == float(shown)


# Edge cases: changes and bands


def test_change_exactly_at_threshold_is_important() -> None:
    """A change of exactly the important amount counts, both up and down."""
    assert change_band(2) == IMPROVED
    assert change_band(-2) == DETERIORATED
    assert change_band(1.5, important_change=1.5) == IMPROVED
    assert change_band(-1.5, important_change=1.5) == DETERIORATED


def test_change_just_inside_threshold_is_not_important() -> None:
    """Anything less than the important amount either way is no important change."""
    assert change_band(1.99) == NO_CHANGE
    assert change_band(-1.99) == NO_CHANGE
    assert change_band(0) == NO_CHANGE
    assert change_band(1, important_change=1.5) == NO_CHANGE


def test_no_change_gives_no_band() -> None:
    """A series not yet reassessed has no band."""
    assert change_band(None) is None


@pytest.mark.parametrize("threshold", [0, -2, float("nan")])
def test_change_band_rejects_a_threshold_that_is_not_positive(threshold: float) -> None:
    """A threshold of zero or less would make no change at all both improved and worse."""
    with pytest.raises(ValueError, match="more than zero"):
        change_band(1, important_change=threshold)


def test_bands_are_the_three_outcomes() -> None:
    """BANDS lists the three bands from better to worse."""
    assert BANDS == ("improved", "no_change", "deteriorated")
    assert DEFAULT_IMPORTANT_CHANGE == 2


def test_describe_band_uses_plain_words() -> None:
    """Each band, and the absence of one, has a plain description."""
    assert describe_band(IMPROVED) == "Improved by an important amount"
    assert describe_band(NO_CHANGE) == "No important change"
    assert describe_band(DETERIORATED) == "Got worse by an important amount"
    assert describe_band(None) == "Not yet reassessed"


def test_describe_band_rejects_an_unknown_band() -> None:
    """A misspelt band is a programming error, not something to show."""
    with pytest.raises(ValueError, match="unknown change band"):
        describe_band("better")


# Edge cases: series


def test_single_rating_is_not_reassessed() -> None:
    """One rating is both baseline and latest, with no change and no band."""
    only = Score(date(2026, 1, 10), 4, 6)
    summary = summarise_series([only], as_at=date(2026, 3, 31))
    assert summary == SeriesSummary(
        ratings_counted=1,
        baseline=only,
        latest=only,
        reassessed=False,
        change_performance=None,
        change_satisfaction=None,
        performance_band=None,
        satisfaction_band=None,
    )


def test_series_with_no_ratings_by_the_as_at_date_is_empty() -> None:
    """A series whose first rating is after the as-at date has no baseline yet."""
    summary = summarise_series([Score(date(2026, 6, 1), 4, 6)], as_at=date(2026, 3, 31))
    assert summary.ratings_counted == 0
    assert summary.baseline is None
    assert summary.latest is None
    assert not summary.reassessed
    assert summarise_series([], as_at=date(2026, 3, 31)) == summary


def test_rating_on_the_as_at_date_is_counted() -> None:
    """Ratings on the as-at date itself count."""
    summary = summarise_series(
        [Score(date(2026, 1, 10), 3, 3), Score(date(2026, 3, 31), 6, 4)], as_at=date(2026, 3, 31)
    )
    assert summary.reassessed
    assert summary.change_performance == 3
    assert summary.performance_band == IMPROVED


def test_baseline_is_the_earliest_rating_whatever_the_order_given() -> None:
    """Ratings given latest first still take the earliest as baseline."""
    summary = summarise_series(
        [
            Score(date(2026, 3, 1), 9, 9),
            Score(date(2026, 2, 1), 5, 5),
            Score(date(2026, 1, 1), 1, 2),
        ],
        as_at=date(2026, 3, 31),
    )
    assert summary.baseline == Score(date(2026, 1, 1), 1, 2)
    assert summary.latest == Score(date(2026, 3, 1), 9, 9)
    assert (summary.change_performance, summary.change_satisfaction) == (8, 7)


def test_same_day_ratings_are_rejected() -> None:
    """Two ratings on one day mean a correction was not applied, which is a programming error."""
    with pytest.raises(ValueError, match="one rating per day"):
        summarise_series(
            [Score(date(2026, 1, 10), 6, 5), Score(date(2026, 1, 10), 7, 6)],
            as_at=date(2026, 3, 31),
        )


def test_same_day_ratings_after_the_as_at_date_are_still_rejected() -> None:
    """The one-rating-a-day rule holds for the whole series, not just the counted part."""
    with pytest.raises(ValueError, match="one rating per day"):
        summarise_series(
            [Score(date(2026, 6, 1), 6, 5), Score(date(2026, 6, 1), 7, 6)],
            as_at=date(2026, 3, 31),
        )


def test_correction_replaces_that_days_rating() -> None:
    """Rating again on the same day replaces that day's rating; a new day adds a rating."""
    corrected = apply_corrections(
        [Score(date(2026, 1, 10), 6, 5), Score(date(2025, 10, 1), 2, 1)],
        [
            Score(date(2026, 1, 10), 7, 6),
            Score(date(2026, 1, 10), 8, 6),
            Score(date(2026, 2, 1), 9, 9),
        ],
    )
    assert corrected == [
        Score(date(2025, 10, 1), 2, 1),
        Score(date(2026, 1, 10), 8, 6),
        Score(date(2026, 2, 1), 9, 9),
    ]


def test_total_change_ignores_series_not_yet_reassessed() -> None:
    """Only reassessed series contribute to a child's total change."""
    reassessed = two_rating_summary((2, 3), (6, 4))
    single = summarise_series([Score(date(2026, 1, 10), 1, 1)], as_at=date(2026, 5, 1))
    assert total_change([reassessed, single]) == (4.0, 1.0)


def test_total_change_without_reassessed_series_is_none() -> None:
    """With nothing reassessed there is no total change, rather than a change of zero."""
    single = summarise_series([Score(date(2026, 1, 10), 1, 1)], as_at=date(2026, 5, 1))
    assert total_change([single]) == (None, None)
    assert total_change([]) == (None, None)


# Edge cases: scores and totals


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (1, True),
        (10, True),
        (0, False),
        (11, False),
        (True, False),
        (5.0, False),
        ("5", False),
        (None, False),
    ],
)
def test_is_valid_score(value: object, valid: bool) -> None:
    """Only whole numbers from 1 to 10 are scores; True is not 1."""
    assert is_valid_score(value) is valid


@pytest.mark.parametrize(("performance", "satisfaction"), [(0, 5), (5, 11), (True, 5)])
def test_score_rejects_values_off_the_scale(performance: int, satisfaction: int) -> None:
    """A Score cannot be built with a value outside 1 to 10."""
    with pytest.raises(ValueError, match="1 to 10"):
        Score(date(2026, 1, 10), performance, satisfaction)


def test_total_of_no_goals_is_rejected() -> None:
    """A review with no rated goals has no total."""
    with pytest.raises(ValueError, match="at least one"):
        total_score([])


def test_total_rejects_values_off_the_scale() -> None:
    """A score outside 1 to 10 never reaches a total."""
    with pytest.raises(ValueError, match="1 to 10"):
        total_score([5, 11])


def test_review_totals_reject_mismatched_goals() -> None:
    """Each rated goal needs both a performance and a satisfaction score."""
    with pytest.raises(ValueError, match="one score per rated goal"):
        review_totals([5, 6], [5])


# Edge cases: ages


def test_birthday_on_as_at_date_moves_band() -> None:
    """The fifth birthday itself is in the 5-10 band; the day before is still 0-4."""
    date_of_birth = date(2016, 5, 10)
    assert age_band(date_of_birth, date(2021, 5, 9)) == "0-4"
    assert age_band(date_of_birth, date(2021, 5, 10)) == "5-10"


def test_29_february_birthday() -> None:
    """Someone born on 29 February has their birthday on 1 March in a common year."""
    date_of_birth = date(2008, 2, 29)
    assert age_on(date_of_birth, date(2026, 2, 28)) == 17
    assert age_on(date_of_birth, date(2026, 3, 1)) == 18
    assert age_on(date_of_birth, date(2028, 2, 28)) == 19
    assert age_on(date_of_birth, date(2028, 2, 29)) == 20
    assert age_band(date(2012, 2, 29), date(2017, 2, 28)) == "0-4"
    assert age_band(date(2012, 2, 29), date(2017, 3, 1)) == "5-10"


def test_day_of_birth_is_age_zero() -> None:
    """A baby is in the 0-4 band from the day they are born."""
    assert age_on(date(2026, 1, 1), date(2026, 1, 1)) == 0
    assert age_band(date(2026, 1, 1), date(2026, 1, 1)) == "0-4"


def test_26th_birthday_moves_to_other() -> None:
    """Records outlive the age range: from 26 a person is in the band "other"."""
    assert age_band(date(2000, 6, 1), date(2026, 5, 31)) == "20-25"
    assert age_band(date(2000, 6, 1), date(2026, 6, 1)) == OTHER_AGE_BAND


def test_age_before_birth_is_rejected_and_banded_other() -> None:
    """Before the date of birth there is no age, and reports put the child in "other"."""
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(date(2026, 1, 2), date(2026, 1, 1))
    assert age_band(date(2026, 1, 2), date(2026, 1, 1)) == OTHER_AGE_BAND


def test_parent_rating_is_suggested_under_eight() -> None:
    """The form suggests a parent or carer rates until the child's eighth birthday."""
    date_of_birth = date(2018, 9, 15)
    assert suggest_parent_rating(date_of_birth, on=date(2026, 9, 14))
    assert not suggest_parent_rating(date_of_birth, on=date(2026, 9, 15))


# Edge cases: display


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (4, "4.0"),
        (4.0, "4.0"),
        (8 / 3, "2.7"),
        (4 / 3, "1.3"),
        (53 / 20, "2.7"),
        (2.25, "2.3"),
        (10.0, "10.0"),
    ],
)
def test_format_score_rounds_halves_up(value: float | None, shown: str) -> None:
    """Scores show one decimal place, with halves rounded up as people round by hand."""
    assert format_score(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (2, "+2.0"),
        (2.4, "+2.4"),
        (-1.5, "-1.5"),
        (0, "0.0"),
        (0.04, "0.0"),
        (-0.04, "0.0"),
        (-0.05, "-0.1"),
        (-2.25, "-2.3"),
        (0.05, "+0.1"),
    ],
)
def test_format_change_shows_the_sign(value: float | None, shown: str) -> None:
    """Changes carry their sign, halves round away from zero, and a nil change has no sign."""
    assert format_change(value) == shown


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_format_rejects_values_that_are_not_numbers(value: float) -> None:
    """Not-a-number is a calculation bug and must not be shown as a score."""
    with pytest.raises(ValueError, match="cannot show"):
        format_score(value)


# Review schedule


@pytest.mark.parametrize(
    ("days_since", "status"),
    [
        (0, scoring.NOT_DUE),
        (69, scoring.NOT_DUE),
        (70, scoring.DUE_SOON),
        (84, scoring.DUE_SOON),
        (85, scoring.OVERDUE),
        (400, scoring.OVERDUE),
    ],
)
def test_review_status_at_the_edges_of_an_84_day_interval(days_since, status):
    last = date(2026, 1, 1)
    today = last + timedelta(days=days_since)
    assert scoring.review_status(last, today, 84) == status


def test_review_is_on_time_through_day_84_and_overdue_from_day_85():
    last = date(2026, 1, 1)
    assert scoring.review_due_on(last, 84) == date(2026, 3, 26)
    assert scoring.review_status(last, date(2026, 3, 26), 84) != scoring.OVERDUE
    assert scoring.review_status(last, date(2026, 3, 27), 84) == scoring.OVERDUE


def test_goals_never_rated_are_not_rated_rather_than_due():
    assert scoring.review_status(None, date(2026, 1, 1), 84) == scoring.NOT_RATED
    assert scoring.review_due_on(None, 84) is None

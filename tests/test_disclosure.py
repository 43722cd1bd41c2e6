"""The cell key method of domain.md section 5: the perturbation table and protecting a row."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goaltracker.reports import protect
from goaltracker.reports.columns import COUNT_COLUMNS, HIDDEN_COUNTS, KEY_RANGE, MEANS, PERCENTAGES
from goaltracker.reports.columns import NAMES as COLUMNS
from goaltracker.reports.protect import (
    perturbation,
    published_count,
    sum_noise,
    table_row,
)

PERTURBED = (*COUNT_COLUMNS, *HIDDEN_COUNTS)
KEYS = range(KEY_RANGE)


@pytest.mark.parametrize("column", PERTURBED)
@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 6, 9, 50, 51, 255, 256, 1000, 123_457])
@pytest.mark.parametrize("room", [0, 1, 2, 7])
def test_every_row_of_the_table_has_the_properties_of_section_5(column, count, room):
    row = table_row(column, count, room)
    assert len(row) == 256
    assert all(-2 <= p <= 2 for p in row)  # |p| <= 2
    assert sum(row) == 0  # the perturbations average 0
    assert row.count(0) >= 128  # p is 0 for at least half the table
    assert min(row) >= -min(room, 2)  # never below the floor the room allows


@pytest.mark.parametrize("column", PERTURBED)
def test_a_true_zero_stays_zero_and_no_count_goes_below_zero(column):
    for key in KEYS:
        assert perturbation(column, key, 0) == 0
        for count in range(1, 12):
            assert count + perturbation(column, key, count) >= 0


@pytest.mark.parametrize("threshold", [5, 6, 10, 50])
def test_children_of_the_threshold_or_more_are_never_published_below_it(threshold):
    for key in KEYS:
        for count in range(threshold, threshold + 6):
            assert published_count("children", key, count, threshold) >= threshold


def test_the_table_is_fixed_whoever_asks_and_however_often():
    first = [perturbation("goals", key, 37) for key in KEYS]
    table_row.cache_clear()
    assert [perturbation("goals", key, 37) for key in KEYS] == first
    # Different columns and counts use different rows, so perturbations do not repeat in step.
    assert first != [perturbation("ratings", key, 37) for key in KEYS]
    assert first != [perturbation("goals", key, 38) for key in KEYS]


def test_perturbation_is_visible_often_enough_to_matter():
    changed = sum(perturbation("goals", key, 20) != 0 for key in KEYS)
    assert 64 <= changed <= 128


def test_sum_noise_is_fixed_centred_and_unbounded():
    draws = [sum_noise("latest_performance", key, total) for key in KEYS for total in range(40)]
    assert draws == [sum_noise("latest_performance", k, t) for k in KEYS for t in range(40)]
    counts = Counter(draws)
    assert 0.2 < counts[0] / len(draws) < 0.3
    assert abs(sum(draws) / len(draws)) < 0.2
    assert max(draws) >= 8 and min(draws) <= -8  # no bound an attacker could rely on


def sums(children: int, **values) -> dict:
    """Return a row's true sums: sensible values for its number of children unless told."""
    goals = values.pop("goals", children * 2)
    reassessed = values.pop("reassessed", goals)
    base = {
        "children": children,
        "goals": goals,
        "ratings": goals * 3,
        "active_goals": goals,
        "reviewed_on_time": goals // 2,
        "child_voice": goals // 3,
        "reassessed": reassessed,
        "baseline_performance": reassessed * 3,
        "latest_performance": reassessed * 6,
        "baseline_satisfaction": reassessed * 4,
        "latest_satisfaction": reassessed * 5,
        "improved_performance": reassessed // 2,
        "improved_satisfaction": reassessed // 4,
        "record_keys": 1234,
    }
    base.update(values)
    return base


@pytest.mark.parametrize("children", [1, 2, 3, 4])
def test_a_row_with_fewer_children_than_the_threshold_shows_nothing(children):
    shown = protect.protect(sums(children), threshold=5)
    assert all(value is None for value in shown.values.values())
    assert set(shown.suppressed) == set(COLUMNS)


def test_a_row_with_no_children_shows_zeros_and_nothing_hidden():
    shown = protect.protect(sums(0, goals=0), threshold=5)
    assert [shown.values[name] for name in COUNT_COLUMNS] == [0] * len(COUNT_COLUMNS)
    assert all(shown.values[name] is None for name in (*PERCENTAGES, *MEANS))
    assert shown.suppressed == ()


@given(
    children=st.integers(5, 400),
    goals_per_child=st.integers(1, 5),
    reassessed_share=st.floats(0, 1),
    record_keys=st.integers(0, 10**6),
    threshold=st.integers(5, 50),
)
def test_a_shown_row_is_within_the_rules(
    children, goals_per_child, reassessed_share, record_keys, threshold
):
    goals = children * goals_per_child
    true = sums(
        children,
        goals=goals,
        reassessed=int(goals * reassessed_share),
        record_keys=record_keys,
    )
    shown = protect.protect(true, threshold)
    if children < threshold:
        assert set(shown.suppressed) == set(COLUMNS)
        return
    for name in COUNT_COLUMNS:
        assert abs(shown.values[name] - true[name]) <= 2, name
        assert shown.values[name] >= 0
    assert shown.values["children"] >= threshold
    for name, (_numerator, denominator) in PERCENTAGES.items():
        value = shown.values[name]
        if true[denominator] < threshold:
            assert value is None
            assert (name in shown.suppressed) == (true[denominator] > 0)
        else:
            assert isinstance(value, int) and 0 <= value <= 100
    for name, (_parts, (low, high)) in MEANS.items():
        value = shown.values[name]
        if true["reassessed"] < threshold:
            assert value is None
        else:
            assert isinstance(value, float) and round(value, 1) == value
            assert low <= value <= high
    # The same cell always gives the same figures.
    assert protect.protect(dict(true), threshold) == shown


def test_percentages_come_from_the_published_counts():
    true = sums(40, goals=80, reassessed=60, improved_performance=21)
    shown = protect.protect(true, 5)
    key = protect.cell_key(true["record_keys"])
    improved = published_count("improved_performance", key, 21, 5)
    reassessed = published_count("reassessed", key, 60, 5)
    assert shown.values["improved_performance_pct"] == protect.whole_percentage(
        improved, reassessed
    )


def test_means_come_from_a_perturbed_sum_over_the_published_count():
    true = sums(40, goals=80, reassessed=60)
    shown = protect.protect(true, 5)
    key = protect.cell_key(true["record_keys"])
    total = true["latest_performance"] + sum_noise("latest_performance", key, 360)
    assert shown.values["mean_latest_performance"] == protect.one_decimal(
        total / published_count("reassessed", key, 60, 5), 1, 10
    )


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(1, 8, 13), (1, 200, 1), (1, 400, 0), (5, 4, 100), (0, 7, 0), (1, 3, 33), (2, 3, 67)],
)
def test_percentages_are_whole_numbers_rounded_half_up_within_0_to_100(
    numerator, denominator, expected
):
    assert protect.whole_percentage(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        (4.25, 1, 10, 4.3),
        (4.2499, 1, 10, 4.2),
        (0.4, 1, 10, 1.0),
        (11.2, 1, 10, 10.0),
        (-9.5, -9, 9, -9.0),
        (-1.25, -9, 9, -1.3),
    ],
)
def test_means_are_rounded_to_one_place_halves_away_from_zero_within_their_scale(
    value, low, high, expected
):
    assert protect.one_decimal(value, low, high) == expected


def test_the_exact_figures_are_the_true_ones_at_full_precision():
    true = sums(3, goals=3, reassessed=3, child_voice=1, latest_performance=14)
    shown = protect.exact(true)
    assert shown.values["children"] == 3
    assert shown.values["child_voice_pct"] == 100 / 3
    assert shown.values["mean_latest_performance"] == 14 / 3
    assert shown.suppressed == ()

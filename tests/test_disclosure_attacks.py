"""A curious manager's attacks on the protected report, played against generated data.

Each attack is what was found to undo the old suppression: a filter's total against the same
group of a breakdown, the raters against the total, an outcome against ALL and the others,
percentages times their denominators, and two consecutive days with one rating between them.
The attacker knows the method and the table's bounds (|p| <= 2 for counts; any whole number for
the noise on sums) but not the children's secret record keys. For each attack the test works out
every true value consistent with what was published, and checks that none is ever pinned down
to one value: no hidden count and no child's rating is recovered exactly and with certainty.
"""

import random
from datetime import date, timedelta

import pytest

from goaltracker.extensions import db
from goaltracker.reports import formats, kept, outcome_reports, protect
from tests import factories

AS_AT = date(2026, 3, 31)
SEED = 20261202
# The attacker knows the method: the table's largest perturbation of a count, and the noise on
# sums. Were the method to perturb nothing, these would be 0 and the attacks would succeed.
BOUND = max(abs(p) for shape in protect.ROW_SHAPES.values() for p in shape)


def noise_bound(share: float) -> int:
    """Return the smallest E with P(|noise on a sum| <= E) >= share, from the method's noise."""
    alpha = protect.ALPHA
    if alpha == 0:
        return 0
    bound = 0
    # P(|e| <= E) = 1 - 2 * alpha ** (E + 1) / (1 + alpha) for two-sided geometric noise.
    while 1 - 2 * alpha ** (bound + 1) / (1 + alpha) < share:
        bound += 1
    return bound


def protected(area, as_at=AS_AT, **options) -> dict:
    """Return the report as a manager downloads it (JSON), keyed by (outcome, group)."""
    report = outcome_reports.outcomes_report(db.session, area, as_at, **options)
    return {
        (row["outcome"], row["group"]): row for row in formats.report_to_json_dict(report)["rows"]
    }


def exact(area, as_at=AS_AT, **options) -> dict:
    """Return the true report, keyed by (outcome, group), to check the attacks' candidates."""
    report = outcome_reports.exact_outcomes_report(db.session, area, as_at, **options)
    return {(row.outcome, row.group): row for row in report.rows}


@pytest.fixture
def generated(app):
    """An area of 140 children with record keys set by the test."""
    stream = random.Random(SEED)
    area = factories.make_area("ATTACK")
    organisations = [
        factories.make_organisation(area, name, kind)
        for name, kind in (
            ("Clinic", "health"),
            ("Northfield School", "education"),
            ("Tiny Charity", "voluntary"),
        )
    ]
    workers = [factories.make_user("practitioner", area, o) for o in organisations]
    outcomes = [
        factories.make_outcome(area, code, position=n) for n, code in enumerate(("A", "B", "C"), 1)
    ]
    needs = ["ASD"] * 6 + ["SEMH"] * 4 + ["SLCN"] * 3 + ["PMLD"]  # PMLD is rare
    for number in range(140):
        # The charity has only a handful of children, so its groups are hidden.
        worker = workers[2] if number % 35 == 0 else workers[number % 2]
        child = factories.make_child(
            worker,
            date_of_birth=date(2026 - stream.choice([6, 8, 12, 14, 17, 22]), 5, 1),
            primary_need=stream.choice(needs),
            ehcp=stream.random() < 0.4,
            record_key=stream.randrange(256),
        )
        for _ in range(stream.randint(1, 3)):
            # Each goal under exactly one outcome: the strongest case for "ALL minus the
            # others". Outcome C is rare.
            outcome = outcomes[2] if stream.random() < 0.03 else stream.choice(outcomes[:2])
            goal = factories.make_goal(child, set_on=date(2025, 6, 1), outcomes=[outcome])
            raters = ["parent_carer"] + (["child"] if stream.random() < 0.1 else [])
            for rater in raters:
                day = date(2025, 6, 1)
                for _ in range(stream.randint(1, 3)):
                    factories.make_rating(
                        goal, day, stream.randint(1, 10), stream.randint(1, 10), rater
                    )
                    day += timedelta(days=stream.randint(20, 90))
    db.session.commit()
    return area


def candidates(published_difference: int, cells: int, low: int, high: float) -> range:
    """Return every true value consistent with a difference of `cells` perturbed counts."""
    spread = BOUND * cells
    return range(
        max(low, published_difference - spread), int(min(high, published_difference + spread)) + 1
    )


def test_attacks_on_the_generated_area(generated):
    # One test, so the generated data is built once and read by every attack.
    area = generated
    threshold = area.suppression_threshold
    recovered, attacked = [], 0

    # 1. A filter's total against the same group of a breakdown: always the same figures, so
    # what is hidden in one is hidden in the other.
    filters_for = {
        "ehcp": lambda group: {"ehcp": group == "yes"},
        "age_band": lambda group: {"age_band": group},
        "primary_need": lambda group: {"primary_need": group},
        "rater": lambda group: {"rater": group},
        "organisation": lambda group: {
            "organisation": next(o.id for o in area.organisations if o.name == group)
        },
    }
    for by, to_filters in filters_for.items():
        broken_down = protected(area, by=by)
        for (outcome, group), row in broken_down.items():
            if group is None:
                continue
            filtered = protected(area, filters=to_filters(group))
            assert filtered[(outcome, None)] | {"group": group} == row, (by, outcome, group)

    # 2. Partitions: a hidden group's children from the total minus the shown groups.
    for by in ("ehcp", "age_band", "primary_need", "organisation"):
        shown, truth = protected(area, by=by), exact(area, by=by)
        for outcome in {key[0] for key in shown}:
            groups = [key for key in shown if key[0] == outcome and key[1] is not None]
            hidden = [key for key in groups if shown[key]["children"] is None]
            if len(hidden) != 1 or shown[(outcome, None)]["children"] is None:
                continue
            difference = shown[(outcome, None)]["children"] - sum(
                shown[key]["children"] for key in groups if key not in hidden
            )
            possible = candidates(difference, len(groups), 1, threshold - 1)
            attacked += 1
            assert truth[hidden[0]].children in possible
            if len(possible) == 1:
                recovered.append(("partition", by, outcome))

    # 3. The raters against the total: ratings split between the two raters exactly.
    shown, truth = protected(area, by="rater"), exact(area, by="rater")
    for outcome in {key[0] for key in shown}:
        child_view, parent_view = (
            shown.get((outcome, "child")),
            shown.get((outcome, "parent_carer")),
        )
        total = shown[(outcome, None)]
        if child_view is None or parent_view is None or total["ratings"] is None:
            continue
        for hidden, other in ((child_view, parent_view), (parent_view, child_view)):
            if hidden["ratings"] is None and other["ratings"] is not None:
                possible = candidates(total["ratings"] - other["ratings"], 2, 1, float("inf"))
                attacked += 1
                if len(possible) == 1:
                    recovered.append(("rater", outcome))

    # 4. An outcome from ALL minus the other outcomes (each goal is under exactly one).
    shown, truth = protected(area), exact(area)
    outcome_keys = [key for key in shown if key[0] != "ALL"]
    hidden = [key for key in outcome_keys if shown[key]["goals"] is None]
    for hidden_key in hidden:
        others = [key for key in outcome_keys if key != hidden_key]
        if any(shown[key]["goals"] is None for key in others):
            continue
        difference = shown[("ALL", None)]["goals"] - sum(shown[key]["goals"] for key in others)
        possible = candidates(difference, len(outcome_keys), 1, float("inf"))
        attacked += 1
        assert truth[hidden_key].goals in possible
        if len(possible) == 1:
            recovered.append(("outcome", hidden_key))

    # 5. Percentages times denominators: whole percentages of published counts give at best a
    # published count back, never the true one.
    for key, row in protected(area, by="age_band").items():
        if row["child_voice_pct"] is None:
            continue
        published_goals = row["goals"]
        numerators = [
            n
            for n in range(published_goals + BOUND + 1)
            if protect.whole_percentage(n, published_goals) == row["child_voice_pct"]
        ]
        possible = {true for n in numerators for true in range(max(0, n - BOUND), n + BOUND + 1)}
        attacked += 1
        if len(possible) == 1:
            recovered.append(("percentage", key))

    assert attacked >= 10, "the generated area must give the attacks something to attack"
    assert recovered == []


def mean_window(mean: float, count: int, low: int, high: int) -> range:
    """Return the whole-number sums whose mean over `count`, to one place, was published."""
    bottom = -(10**6) if mean <= low else (mean - 0.05) * count
    top = 10**6 if mean >= high else (mean + 0.05) * count
    return range(int(bottom) - 1, int(top) + 2)


def sums_fitting(mean: float, count: int) -> list[int]:
    """Return the sums (true sum plus noise) consistent with a published mean of 1 to 10."""
    return [
        total
        for total in mean_window(mean, count, 1, 10)
        if protect.one_decimal(total / count, 1, 10) == mean
    ]


def test_two_days_with_one_rating_between_them_do_not_give_the_rating_away(app):
    stream = random.Random(SEED + 1)
    area = factories.make_area("DAYS")
    worker = factories.make_user("practitioner", area, factories.make_organisation(area, "Clinic"))
    outcome = factories.make_outcome(area, "A", position=1)
    for _ in range(30):
        child = factories.make_child(worker, record_key=stream.randrange(256))
        goal = factories.make_goal(child, set_on=date(2025, 6, 1), outcomes=[outcome])
        factories.make_rating(goal, date(2025, 6, 1), stream.randint(1, 10), stream.randint(1, 10))
        factories.make_rating(goal, date(2025, 9, 1), stream.randint(1, 10), stream.randint(1, 10))
    # One more child's goal was rated once before the first day and is rated again on the second.
    target = factories.make_goal(
        factories.make_child(worker, record_key=stream.randrange(256)),
        set_on=date(2025, 6, 1),
        outcomes=[outcome],
    )
    factories.make_rating(target, date(2025, 6, 1), 3, 3)
    db.session.commit()
    first_day, second_day = date(2026, 3, 30), date(2026, 3, 31)
    # An attacker sure that each sum's noise is within the bound it keeps 9 times in 10.
    bound = noise_bound(0.9)
    for score in range(1, 11):
        rating = factories.make_rating(target, second_day, score, 11 - score)
        db.session.flush()
        before = protected(area, first_day)[("ALL", None)]
        after = protected(area, second_day)[("ALL", None)]
        # The second day's latest-performance sum is the first's plus the new score, each with
        # its own noise; the means are over the published counts of reassessed series.
        possible = {
            second - first + difference
            for first in sums_fitting(before["mean_latest_performance"], before["reassessed"])
            for second in sums_fitting(after["mean_latest_performance"], after["reassessed"])
            for difference in range(-2 * bound, 2 * bound + 1)
        } & set(range(1, 11))
        assert score in possible
        assert len(possible) > 1, score
        with kept.tracking(db.session, [target.child_id]):
            db.session.delete(rating)
            db.session.flush()

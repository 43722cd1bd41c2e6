"""Progress charts: one per view, labelled where the lines end, with the numbers as a table."""

from datetime import date
from types import SimpleNamespace

from goaltracker import charts
from goaltracker.extensions import db
from tests import factories


def rating(rater, day, performance, satisfaction):
    """Return something shaped like a rating."""
    return SimpleNamespace(
        rater=rater, assessed_on=day, performance=performance, satisfaction=satisfaction
    )


def test_one_chart_per_view_with_both_scores_labelled_at_their_ends():
    ratings = [
        rating("parent_carer", date(2026, 1, 1), 2, 3),
        rating("parent_carer", date(2026, 4, 1), 6, 8),
        rating("child", date(2026, 4, 1), 5, 9),
    ]
    drawn = charts.progress_charts(ratings)
    assert [chart.title for chart in drawn] == [
        "The child's own view",
        "A parent's or carer's view",
    ]
    parent = drawn[1]
    assert [line.label for line in parent.lines] == ["How well 6", "How happy 8"]
    assert [len(line.points) for line in parent.lines] == [2, 2]
    for chart in drawn:
        for line in chart.lines:
            for point in line.points:
                assert chart.plot_left <= point.x <= chart.plot_right
                assert chart.plot_top <= point.y <= chart.plot_bottom
    # Both charts share one time axis, so they can be compared.
    assert drawn[0].lines[0].points[-1].x == parent.lines[0].points[-1].x
    assert [text for _, text, _ in parent.x_ticks] == ["Jan 2026", "Apr 2026"]


def test_end_labels_never_overlap_even_when_the_lines_end_together():
    for performance, satisfaction in ((7, 7), (7, 8), (1, 10), (10, 9)):
        chart = charts.progress_charts(
            [rating("child", date(2026, 1, 1), performance, satisfaction)]
        )[0]
        upper, lower = sorted(line.label_y for line in chart.lines)
        assert lower - upper >= charts.LABEL_GAP - 1e-9
    assert charts.progress_charts([]) == []


def test_the_goal_page_draws_a_chart_per_view_and_the_table(client, auth, world):
    factories.make_rating(world.goal, date(2026, 3, 1), 5, 6, rater="child")
    db.session.commit()
    auth.sign_in(world.parent)
    page = client.get(f"/children/{world.child.id}/goals/{world.goal.id}").get_data(as_text=True)
    assert page.count('<figure class="app-chart-figure"') == 2
    assert "The child&#39;s own view" in page or "The child's own view" in page
    assert "How well 5" in page and "How happy 6" in page
    assert "How well: 3 on 10 January 2026." in page  # the chart's words for screen readers
    assert "Every rating" in page
    assert 'fill="#' not in page and 'stroke="#' not in page  # colours come from the stylesheet

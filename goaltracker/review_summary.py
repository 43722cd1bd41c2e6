"""The review meeting summary, fit for an EHC annual review: the same content on the printed
page and in the PDF, which is tagged for screen readers (PDF/UA) and prints every script the
machine has a font for (the Noto fonts cover the languages families use)."""

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import gettext, ngettext

from goaltracker import child_details, consent, goals, scoring, vocabulary
from goaltracker.models import Child
from goaltracker.templating import format_date, format_datetime, period_words

# The notes a summary shows, newest first; the rest stay on the child's record.
NOTES_SHOWN = 10


@dataclass(frozen=True)
class GoalLine:
    """One goal as the summary shows it."""

    text: str
    status: str
    importance: str
    outcomes: str
    views: list[tuple[str, str, str, str]]  # whose view, first, latest, change in words


@dataclass(frozen=True)
class NoteLine:
    """One note as the summary shows it."""

    written: str
    author: str
    text: str


@dataclass(frozen=True)
class Summary:
    """Everything on the review meeting summary, already in words."""

    child_name: str
    reference: str
    date_of_birth: date
    prepared_on: date
    key_worker: str
    ehc_plan: str
    primary_need: str
    headline: str
    next_review: str
    can_see: list[str]
    goals: list[GoalLine]
    reviews: list[str]
    notes: list[NoteLine]
    notes_not_shown: int


def _change_words(series: scoring.SeriesSummary) -> str:
    """Describe one series' change in words, for both scores."""
    if not series.reassessed:
        return gettext(scoring.describe_band(None))
    return gettext(
        "How well %(well)s (%(well_words)s); how happy %(happy)s (%(happy_words)s)",
        well=scoring.format_change(series.change_performance),
        well_words=gettext(scoring.describe_band(series.performance_band)).lower(),
        happy=scoring.format_change(series.change_satisfaction),
        happy_words=gettext(scoring.describe_band(series.satisfaction_band)).lower(),
    )


def build(child: Child, today: date) -> Summary:
    """Gather the summary of a child's goals and progress as at today."""
    progress = goals.child_summary(child, as_at=today)
    lines = []
    for item in progress:
        views = []
        for rater, series in item.series.items():
            views.append(
                (
                    gettext(vocabulary.label(vocabulary.RATER_LABELS, rater)),
                    f"{series.baseline.performance} / {series.baseline.satisfaction}",
                    f"{series.latest.performance} / {series.latest.satisfaction}",
                    _change_words(series),
                )
            )
        status = gettext(vocabulary.label(vocabulary.GOAL_STATUS_LABELS, item.goal.status))
        if item.goal.closed_on:
            status = gettext(
                "%(status)s on %(day)s", status=status, day=format_date(item.goal.closed_on)
            )
        lines.append(
            GoalLine(
                text=item.goal.text,
                status=status,
                importance=gettext("%(score)s out of 10", score=item.goal.importance),
                outcomes=", ".join(outcome.title for outcome in item.goal.outcomes)
                or gettext("None"),
                views=views,
            )
        )
    reviews = [
        gettext(
            "%(day)s, %(who)s: %(count)s goals, average how well %(well)s, how happy %(happy)s",
            day=format_date(review.assessed_on),
            who=gettext(vocabulary.label(vocabulary.RATER_LABELS, review.rater)).lower(),
            count=review.goals_rated,
            well=scoring.format_score(review.total_performance),
            happy=scoring.format_score(review.total_satisfaction),
        )
        for review in goals.reviews(child)
    ]
    all_notes = goals.notes(child)
    return Summary(
        child_name=child.display_name,
        reference=child.reference,
        date_of_birth=child.date_of_birth,
        prepared_on=today,
        key_worker=child.key_worker.name if child.key_worker else gettext("None"),
        ehc_plan=period_words(child_details.plan_history(child)[0]),
        primary_need=period_words(child_details.need_history(child)[0]),
        headline=headline(progress, child.area.important_change),
        next_review=next_review_words(child, today),
        can_see=[organisation.name for organisation in consent.organisations_that_can_see(child)],
        goals=lines,
        reviews=reviews,
        notes=[
            NoteLine(
                written=format_datetime(note.created_at),
                author=note.author.name
                if note.author
                else gettext("Someone whose account has gone"),
                text=note.body,
            )
            for note in all_notes[:NOTES_SHOWN]
        ],
        notes_not_shown=max(0, len(all_notes) - NOTES_SHOWN),
    )


def headline(progress: list[goals.GoalProgress], important_change: float) -> str:
    """Say in one sentence how many goals improved: "2 of 3 goals improved".

    A goal counts when it was rated at least twice by the same person; it improved when, in the
    child's or a parent's or carer's view, how well it goes or how happy they are with it rose by
    at least the area's important change.
    """
    reassessed = [
        item for item in progress if any(series.reassessed for series in item.series.values())
    ]
    if not reassessed:
        return gettext("No goal has been rated twice yet, so there is no change to report.")
    improved = sum(
        1
        for item in reassessed
        if any(
            scoring.IMPROVED in (series.performance_band, series.satisfaction_band)
            for series in item.series.values()
        )
    )
    points = f"{important_change:g}"
    how_many = ngettext(
        "%(improved)s of %(num)d goal improved.",
        "%(improved)s of %(num)d goals improved.",
        len(reassessed),
        improved=improved,
    )
    how_much = ngettext(
        "Of the goals rated at least twice, %(num)d was %(points)s points or more better in "
        "someone's view.",
        "Of the goals rated at least twice, %(num)d were %(points)s points or more better in "
        "someone's view.",
        improved,
        points=points,
    )
    return f"{how_many} {how_much}"


def next_review_words(child: Child, today: date) -> str:
    """Say when the next review is due, from the latest rating and the area's interval."""
    last = goals.last_rated_on(child)
    interval = child.area.review_interval_days
    due = scoring.review_due_on(last, interval)
    if due is None:
        return gettext("Not rated yet: the first rating starts the reviews.")
    if scoring.review_status(last, today, interval) == scoring.OVERDUE:
        return gettext("Overdue: it was due by %(day)s.", day=format_date(due))
    return gettext("Due by %(day)s.", day=format_date(due))


class PdfUnavailable(RuntimeError):
    """This machine cannot draw PDFs (WeasyPrint needs the Pango library)."""


def to_pdf(summary: Summary) -> bytes:
    """Render the summary as a tagged PDF (PDF/UA-1), with nothing on it the page does not show."""
    try:
        # Loads Pango and the fonts: only when a PDF is asked for.
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    html = render_template("children/summary_pdf.html", summary=summary)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")

"""The one-page review meeting summary: the same content for the printed page and the PDF."""

import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF

from goaltracker import consent, goals, scoring, vocabulary
from goaltracker.models import Child

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


@dataclass(frozen=True)
class GoalLine:
    """One goal as the summary shows it."""

    text: str
    status: str
    outcomes: str
    views: list[tuple[str, str, str, str]]  # whose view, first, latest, change in words


@dataclass(frozen=True)
class Summary:
    """Everything on the review meeting summary, already in words."""

    child_name: str
    reference: str
    date_of_birth: date
    prepared_on: date
    key_worker: str
    can_see: list[str]
    goals: list[GoalLine]
    reviews: list[str]


def _change_words(series: scoring.SeriesSummary) -> str:
    """Describe one series' change in words, for both scores."""
    if not series.reassessed:
        return scoring.describe_band(None)
    return (
        f"How well {scoring.format_change(series.change_performance)} "
        f"({scoring.describe_band(series.performance_band).lower()}); "
        f"how happy {scoring.format_change(series.change_satisfaction)} "
        f"({scoring.describe_band(series.satisfaction_band).lower()})"
    )


def build(child: Child, today: date) -> Summary:
    """Gather the summary of a child's goals and progress as at today."""
    lines = []
    for item in goals.child_summary(child, as_at=today):
        views = []
        for rater, series in item.series.items():
            views.append(
                (
                    vocabulary.label(vocabulary.RATER_LABELS, rater),
                    f"{series.baseline.performance} / {series.baseline.satisfaction}",
                    f"{series.latest.performance} / {series.latest.satisfaction}",
                    _change_words(series),
                )
            )
        status = vocabulary.label(vocabulary.GOAL_STATUS_LABELS, item.goal.status)
        if item.goal.closed_on:
            status += f" on {item.goal.closed_on.day} {item.goal.closed_on:%B %Y}"
        lines.append(
            GoalLine(
                text=item.goal.text,
                status=status,
                outcomes=", ".join(outcome.title for outcome in item.goal.outcomes) or "None",
                views=views,
            )
        )
    reviews = [
        f"{review.assessed_on.day} {review.assessed_on:%B %Y}, "
        f"{vocabulary.label(vocabulary.RATER_LABELS, review.rater).lower()}: "
        f"{review.goals_rated} goals, "
        f"average how well {scoring.format_score(review.total_performance)}, "
        f"how happy {scoring.format_score(review.total_satisfaction)}"
        for review in goals.reviews(child)
    ]
    return Summary(
        child_name=child.display_name,
        reference=child.reference,
        date_of_birth=child.date_of_birth,
        prepared_on=today,
        key_worker=child.key_worker.name if child.key_worker else "None",
        can_see=[organisation.name for organisation in consent.organisations_that_can_see(child)],
        goals=lines,
        reviews=reviews,
    )


def _font_path() -> str | None:
    """Return a Unicode font on this machine, if there is one."""
    return next((path for path in FONT_CANDIDATES if Path(path).exists()), None)


def _latin(text: str) -> str:
    """Fold text to Latin-1 for the built-in font, keeping letters readable where possible."""
    replacements = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."}
    text = "".join(replacements.get(character, character) for character in text)
    folded = unicodedata.normalize("NFKD", text)
    return folded.encode("latin-1", "ignore").decode("latin-1")


def to_pdf(summary: Summary) -> bytes:
    """Render the summary as a PDF, with nothing on it that the page does not show."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"Goals and progress: {summary.child_name}")
    pdf.set_author("Goal Tracker")
    font = _font_path()
    if font:
        pdf.add_font("Body", "", font)
        family, clean = "Body", str
    else:
        family, clean = "Helvetica", _latin
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def write(text: str, size: int = 10, space: float = 1.5) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(width, size * 0.5, clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(space)

    write(f"Goals and progress: {summary.child_name}", 16, 2)
    born = summary.date_of_birth
    write(
        f"Reference {summary.reference}. Born {born.day} {born:%B %Y}. "
        f"Key worker: {summary.key_worker}. "
        f"Prepared on {summary.prepared_on.day} {summary.prepared_on:%B %Y}."
    )
    write("Can see this record: " + (", ".join(summary.can_see) or "None"))
    write("Goals", 13, 1)
    if not summary.goals:
        write("No goals yet.")
    for line in summary.goals:
        write(line.text, 11, 0.5)
        write(f"Status: {line.status}. Helps with: {line.outcomes}.", 9, 0.5)
        if not line.views:
            write("Not rated yet.", 9)
        for whose, first, latest, change in line.views:
            write(
                f"{whose}: first {first}, latest {latest} (how well / how happy). {change}.", 9, 0.5
            )
        pdf.ln(2)
    write("Reviews", 13, 1)
    for review in summary.reviews or ["No ratings yet."]:
        write(review, 9, 0.5)
    return bytes(pdf.output())

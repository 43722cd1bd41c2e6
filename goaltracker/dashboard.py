"""What the manager dashboard and its exports show: the suppressed report, described in words.

Everything here starts from `outcome_reports.outcomes_report`, which always applies suppression, so
no page or file can carry an unsuppressed number.
"""

import functools
import io
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from goaltracker import text, vocabulary
from goaltracker.extensions import db
from goaltracker.models import Area, Organisation
from goaltracker.reports import columns, formats, outcome_reports
from goaltracker.templating import format_date
from goaltracker.vocabulary import N_


@dataclass(frozen=True)
class Cell:
    """A number as a person sees it: a value, [c] when hidden, or not applicable."""

    text: str
    suppressed: bool


def cell(row: outcome_reports.Row, column: columns.Column) -> Cell:
    """Return a report number for display: whole counts and percentages, means to one decimal.

    A value that does not apply is an empty cell, as the key says.
    """
    if column.name in row.suppressed:
        return Cell(formats.SUPPRESSED_MARK, True)
    value = row.value(column.name)
    if value is None:
        return Cell("", False)
    return Cell(column.text(value), False)


def columns_for(question: str) -> list[columns.Column]:
    """Return the columns that answer one of the three questions."""
    return [column for column in columns.COLUMNS if column.question == question]


QUESTIONS = columns.QUESTIONS


@dataclass(frozen=True)
class Table:
    """One table of the dashboard: the question it answers, the part of it, and its columns
    with the short headings the table uses (the columns' full names are in the key)."""

    question: str
    part: str | None
    columns: tuple[tuple[columns.Column, str], ...]

    @property
    def name(self) -> str:
        """Return the table's name, for its caption and its scrolling region's label."""
        return f"{self.question} {self.part}" if self.part else self.question


def _table(question: str, part: str | None, *shown: tuple[str, str]) -> Table:
    return Table(question, part, tuple((columns.BY_NAME[name], short) for name, short in shown))


# "Is anyone better off?" has two tables, how well it goes and how happy people are with it,
# so that each fits a desktop screen without scrolling sideways.
TABLES = (
    _table(
        columns.HOW_MUCH,
        None,
        ("children", N_("Children")),
        ("goals", N_("Goals")),
        ("ratings", N_("Ratings")),
    ),
    _table(
        columns.HOW_WELL,
        None,
        ("reviewed_on_time_pct", N_("Reviewed on time (%)")),
        ("child_voice_pct", N_("Child's own view (%)")),
    ),
    _table(
        columns.BETTER_OFF,
        N_("How well it is going (performance)"),
        ("reassessed", N_("Views reassessed")),
        ("mean_baseline_performance", N_("Average first score")),
        ("mean_latest_performance", N_("Average latest score")),
        ("mean_change_performance", N_("Average change")),
        ("improved_performance", N_("Improved by an important amount")),
        ("improved_performance_pct", N_("Improved (%)")),
    ),
    _table(
        columns.BETTER_OFF,
        N_("How happy they are with it (satisfaction)"),
        ("reassessed", N_("Views reassessed")),
        ("mean_baseline_satisfaction", N_("Average first score")),
        ("mean_latest_satisfaction", N_("Average latest score")),
        ("mean_change_satisfaction", N_("Average change")),
        ("improved_satisfaction", N_("Improved by an important amount")),
        ("improved_satisfaction_pct", N_("Improved (%)")),
    ),
)


ALL_GOALS = N_("All goals")


def outcome_titles(area: Area) -> dict[str, str]:
    """Return each outcome code's title, and ALL's in the page's language (the area's own titles
    stay as the area wrote them)."""
    titles = {outcome_reports.ALL_OUTCOMES: gettext(ALL_GOALS)}
    titles.update({outcome.code: outcome.title for outcome in area.outcomes})
    return titles


BREAKDOWN_WORDS = {
    "age_band": N_("Age band"),
    "primary_need": N_("Primary need"),
    "ehcp": N_("EHC plan or not"),
    "organisation": N_("Organisation"),
    "rater": N_("Whose view"),
}
# How each filter is named above a report, on the page and in the files.
FILTER_WORDS = {
    "organisation": N_("Filter: organisation"),
    "age_band": N_("Filter: age band"),
    "primary_need": N_("Filter: primary need"),
    "ehcp": N_("Filter: ehcp"),
    "rater": N_("Filter: rater"),
}


def in_english(export):
    """Make an export speak English whatever the page's language: the area's tools read its
    files, so their words and dates do not change with the reader."""

    @functools.wraps(export)
    def english(*args, **kwargs):
        with force_locale("en"):
            return export(*args, **kwargs)

    return english


def group_label(by: str | None, group: str | None) -> str:
    """Return a breakdown group in words, such as "EHC plan" for ehcp "yes"."""
    if group is None:
        return ""
    if by == "age_band" and group in vocabulary.AGE_BANDS:
        return gettext(N_("Aged %(band)s"), band=group)
    labels = {
        "ehcp": {"yes": N_("EHC plan"), "no": N_("No EHC plan")},
        "primary_need": vocabulary.PRIMARY_NEED_LABELS,
        "rater": vocabulary.RATER_LABELS,
        "age_band": {"other": N_("Other ages")},
    }.get(by or "", {})
    return gettext(labels[group]) if group in labels else group


def describe_filters(area: Area, report: outcome_reports.Report) -> list[tuple[str, str]]:
    """Return the report's choices in words, for the page and the exports."""
    applied = report.filters.applied()
    lines = [
        (gettext(N_("Area")), area.name),
        (gettext(N_("Report date")), format_date(report.as_at)),
    ]
    names = {
        "organisation": lambda value: db.session.get(Organisation, value).name,
        "age_band": lambda value: gettext(vocabulary.label(vocabulary.AGE_BAND_LABELS, value)),
        "primary_need": lambda value: gettext(
            vocabulary.label(vocabulary.PRIMARY_NEED_LABELS, value)
        ),
        "ehcp": lambda value: gettext(N_("EHC plan") if value else N_("No EHC plan")),
        "rater": lambda value: gettext(vocabulary.label(vocabulary.RATER_LABELS, value)),
    }
    for name, value in applied.items():
        heading = FILTER_WORDS.get(name) or f"Filter: {name.replace('_', ' ')}"
        lines.append((gettext(heading), names[name](value)))
    breakdown = BREAKDOWN_WORDS.get(report.by, N_("None")) if report.by else N_("None")
    lines.append((gettext(N_("Breakdown")), gettext(breakdown)))
    lines.append(
        (
            gettext(N_("Rows with fewer children than this are hidden")),
            str(report.suppression_threshold),
        )
    )
    return lines


@in_english
def export_csv(area: Area, report: outcome_reports.Report) -> str:
    """Return the report as CSV with its date, filters and threshold written above the table."""
    return formats.csv_text(
        [
            *([key, value] for key, value in describe_filters(area, report)),
            None,
            *formats.report_table(report),
        ],
        byte_order_mark=True,
    )


@in_english
def export_xlsx(area: Area, report: outcome_reports.Report) -> bytes:
    """Return the report as a spreadsheet: a title, the table (its header frozen, columns wide
    enough, numbers formatted), then a sheet of what it shows and what the columns mean."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Outcomes report"
    titles = outcome_titles(area)
    sheet.append(
        [text.spreadsheet_cell(f"Outcomes for {area.name}, as at {format_date(report.as_at)}")]
    )
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([text.spreadsheet_cell("See the About sheet for what each column means.")])
    header_row = 3
    sheet.append(["Outcome", "Group", *(column.label for column in columns.COLUMNS)])
    for header in sheet[header_row]:
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
    for row in report.rows:
        values = []
        for column in columns.COLUMNS:
            if column.name in row.suppressed:
                values.append(formats.SUPPRESSED_MARK)
            else:
                value = row.value(column.name)
                values.append(None if value is None else column.data(value))
        sheet.append(
            [
                text.spreadsheet_cell(titles.get(row.outcome, row.outcome)),
                text.spreadsheet_cell(group_label(report.by, row.group)),
                *values,
            ]
        )
    for position, column in enumerate(columns.COLUMNS, start=3):
        number_format = "0" if column.is_count or column.is_percentage else "0.0"
        for (item,) in sheet.iter_rows(min_row=header_row + 1, min_col=position, max_col=position):
            item.number_format = number_format
        sheet.column_dimensions[get_column_letter(position)].width = 16
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 22
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    about = workbook.create_sheet("About")
    for key, value in describe_filters(area, report):
        about.append([text.spreadsheet_cell(key), text.spreadsheet_cell(value)])
    about.append([])
    about.append(["Note", formats.SUPPRESSION_NOTE])
    for column in columns.COLUMNS:
        about.append([column.label, column.description])
    about.column_dimensions["A"].width = 40
    about.column_dimensions["B"].width = 100
    # Every cell written as text is a string, never a formula, whatever it starts with.
    for worksheet in (sheet, about):
        for cells in worksheet.iter_rows():
            for item in cells:
                if isinstance(item.value, str):
                    item.data_type = "s"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# Room left of a trend chart for its "100%" label.
TREND_LEFT = 72


@dataclass(frozen=True)
class TrendChart:
    """A trend line of one percentage across quarter ends, placed for an SVG."""

    points: list[tuple[float, float | None, date, str]]  # x, y (None when hidden), date, text
    width: int = 640
    height: int = 260
    left: int = TREND_LEFT


def trend_chart(points: list[tuple[date, outcome_reports.Row]], column: str) -> TrendChart:
    """Place a percentage column of an outcome's total rows on a 0-100 chart."""
    width, height, left, right, top, bottom = 640, 260, TREND_LEFT, 16, 16, 48
    placed = []
    count = max(len(points) - 1, 1)
    for index, (as_at, row) in enumerate(points):
        x = left + (width - left - right) * index / count
        value = None if column in row.suppressed else row.value(column)
        y = None if value is None else top + (height - top - bottom) * (100 - value) / 100
        text = ("[c]" if column in row.suppressed else "") if value is None else f"{value:g}"
        placed.append((x, y, as_at, text))
    return TrendChart(placed, width, height)


def default_quarters(today: date, count: int = 8) -> list[date]:
    """Return the last `count` quarter ends before today."""
    ends = outcome_reports.quarter_ends(date(today.year - 3, 1, 1), today)
    return [end for end in ends if end < today][-count:]


def default_months(today: date, count: int = 24) -> list[date]:
    """Return the last `count` month ends before today."""
    ends = outcome_reports.month_ends(date(today.year - count // 12 - 1, 1, 1), today)
    return [end for end in ends if end < today][-count:]


# How often a trend has a point: (the days, the words for one point, the words for all).
TREND_PERIODS = {
    "quarter": (
        default_quarters,
        N_("Quarter end"),
        N_("the end of each of the last 8 financial quarters"),
    ),
    "month": (default_months, N_("Month end"), N_("the end of each of the last 24 months")),
}

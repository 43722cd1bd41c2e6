"""The outcomes report as data: JSON and CSV as domain.md section 6 says, and what columns mean."""

import csv
import io
import json
from dataclasses import dataclass

from goaltracker import text
from goaltracker.aggregation import Report, Row
from goaltracker.disclosure import COLUMNS as COLUMN_NAMES
from goaltracker.disclosure import COUNT_COLUMNS, PERCENTAGES

SUPPRESSED_MARK = "[c]"
# Spreadsheets such as Excel read a UTF-8 CSV correctly only when it starts with this mark.
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class Column:
    """One column of the report: its name, the question it answers, and what it means."""

    name: str
    question: str
    label: str
    description: str

    @property
    def is_count(self) -> bool:
        """Return whether the column is a count (an integer) rather than a mean or percentage."""
        return self.name in COUNT_COLUMNS

    @property
    def is_percentage(self) -> bool:
        """Return whether the column is a percentage (a whole number when protected)."""
        return self.name in PERCENTAGES

    def text(self, value: int | float, *, exact: bool = False) -> str:
        """Return a value as written in a file: counts and protected percentages whole,
        protected means to one decimal place, exact figures at full precision."""
        if self.is_count or (self.is_percentage and not exact):
            return str(int(value))
        return repr(float(value)) if exact else f"{value:.1f}"

    def data(self, value: int | float, *, exact: bool = False) -> int | float:
        """Return a value as JSON data, with no more precision than the page shows."""
        if self.is_count or (self.is_percentage and not exact):
            return int(value)
        return float(value) if exact else round(float(value), 1)


HOW_MUCH = "How much did we do?"
HOW_WELL = "How well did we do it?"
BETTER_OFF = "Is anyone better off?"

COLUMNS: tuple[Column, ...] = (
    Column(
        "children",
        HOW_MUCH,
        "Children",
        "Children with at least one goal in this row.",
    ),
    Column("goals", HOW_MUCH, "Goals", "Goals set on or before the report date."),
    Column(
        "ratings",
        HOW_MUCH,
        "Ratings",
        "Ratings of those goals made on or before the report date.",
    ),
    Column(
        "reviewed_on_time_pct",
        HOW_WELL,
        "Reviewed on time (%)",
        "Of the goals still being worked on at the report date, the percentage rated within the "
        "area's review interval before it. A goal never rated is not on time.",
    ),
    Column(
        "child_voice_pct",
        HOW_WELL,
        "Child's own view (%)",
        "The percentage of goals the child or young person has rated themselves at least once.",
    ),
    Column(
        "reassessed",
        BETTER_OFF,
        "Views reassessed",
        "Goals rated at least twice by the same person. A child's and a parent's or carer's "
        "view count separately: a goal rated twice by the child and twice by a parent counts "
        "twice, as the two views are never averaged, so this can be larger than Goals.",
    ),
    Column(
        "mean_baseline_performance",
        BETTER_OFF,
        "Average first performance score",
        "How well the child did the goal at the first rating, on average (1 to 10).",
    ),
    Column(
        "mean_latest_performance",
        BETTER_OFF,
        "Average latest performance score",
        "How well the child does the goal at the latest rating, on average (1 to 10).",
    ),
    Column(
        "mean_change_performance",
        BETTER_OFF,
        "Average change in performance",
        "Latest minus first performance score, on average; above 0 means doing better.",
    ),
    Column(
        "mean_baseline_satisfaction",
        BETTER_OFF,
        "Average first satisfaction score",
        "How satisfied the rater was with how the goal was done at the first rating (1 to 10).",
    ),
    Column(
        "mean_latest_satisfaction",
        BETTER_OFF,
        "Average latest satisfaction score",
        "How satisfied the rater is with how the goal is done at the latest rating (1 to 10).",
    ),
    Column(
        "mean_change_satisfaction",
        BETTER_OFF,
        "Average change in satisfaction",
        "Latest minus first satisfaction score, on average; above 0 means more satisfied.",
    ),
    Column(
        "improved_performance",
        BETTER_OFF,
        "Important improvement in performance",
        "Reassessed goals whose performance score rose by at least the area's important change.",
    ),
    Column(
        "improved_performance_pct",
        BETTER_OFF,
        "Important improvement in performance (%)",
        "Those goals as a percentage of the reassessed goals.",
    ),
    Column(
        "improved_satisfaction",
        BETTER_OFF,
        "Important improvement in satisfaction",
        "Reassessed goals whose satisfaction score rose by at least the area's important change.",
    ),
    Column(
        "improved_satisfaction_pct",
        BETTER_OFF,
        "Important improvement in satisfaction (%)",
        "Those goals as a percentage of the reassessed goals.",
    ),
)
COLUMN_DESCRIPTIONS: dict[str, str] = {column.name: column.description for column in COLUMNS}
COLUMN_BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
SUPPRESSION_NOTE = (
    f"{SUPPRESSED_MARK} means the number is hidden because fewer children than the area's "
    "threshold are in that row, or too few for that figure, so a child could be recognised. "
    "To keep children unidentifiable however the figures are combined, every count may differ "
    "from the true count by up to 2, and percentages and averages are worked out from those "
    "counts. An empty cell means the number does not apply, such as an average when no goal "
    "has been rated twice."
)


def row_to_json_dict(row: Row, exact: bool) -> dict:
    """Return one row as JSON data: counts and protected percentages whole, means rounded."""
    data: dict = {"outcome": row.outcome, "group": row.group}
    for column in COLUMNS:
        value = row.value(column.name)
        data[column.name] = None if value is None else column.data(value, exact=exact)
    data["suppressed"] = list(row.suppressed)
    return data


def report_to_json_dict(report: Report) -> dict:
    """Return the report as the JSON data of domain.md section 6."""
    data: dict = {
        "area": report.area,
        "as_at": report.as_at.isoformat(),
        "suppression_threshold": report.suppression_threshold,
        "by": report.by,
    }
    # Only a filtered report says so, so that an unfiltered one has exactly the shape of §6.
    applied = report.filters.applied()
    if applied:
        data["filters"] = applied
    data["rows"] = [row_to_json_dict(row, report.exact) for row in report.rows]
    return data


def report_to_json(report: Report) -> str:
    """Return the report as JSON text."""
    return json.dumps(report_to_json_dict(report), indent=2)


def csv_text(rows, *, byte_order_mark: bool = False) -> str:
    """Write rows as CSV: every cell quoted, every text cell safe to open in a spreadsheet.

    The one CSV writer of the service. Text cells lose control characters and, when they start
    like a formula (= + - @ tab or carriage return), gain a leading ' so that a crafted name
    can never run on a commissioner's computer. Numbers are written as they are, so -1.5 stays a
    number. A row of None is an empty line.
    """
    output = io.StringIO()
    if byte_order_mark:
        output.write(BYTE_ORDER_MARK)
    writer = csv.writer(output, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        if row is None:
            output.write("\n")
            continue
        writer.writerow(
            [
                text.spreadsheet_cell(cell)
                if isinstance(cell, str) and not isinstance(cell, Number)
                else cell
                for cell in row
            ]
        )
    return output.getvalue()


def _cell(column: Column, row: Row, exact: bool) -> str:
    """Return one number as a CSV cell: [c] when suppressed, empty when not applicable."""
    if column.name in row.suppressed:
        return SUPPRESSED_MARK
    value = row.value(column.name)
    return "" if value is None else column.text(value, exact=exact)


def report_table(report: Report) -> list[list]:
    """Return the report as CSV rows: a header, then one line per row, in the report's order."""
    rows: list[list] = [["outcome", "group", *COLUMN_NAMES]]
    for row in report.rows:
        # The numbers are text written by us (such as -1.5 or [c]): only names can be formulas.
        rows.append(
            [
                row.outcome,
                row.group or "",
                *(Number(_cell(column, row, report.exact)) for column in COLUMNS),
            ]
        )
    return rows


class Number(str):
    """A cell the service wrote itself (a number, [c] or empty): written as it is."""


def report_to_csv(report: Report, *, byte_order_mark: bool = False) -> str:
    """Return the report as CSV: a header, then one line per row, in the report's order."""
    return csv_text(report_table(report), byte_order_mark=byte_order_mark)


def csvw_metadata(url: str, *, title: str, publisher: str) -> dict:
    """Return CSV on the Web metadata describing the report's CSV, for machines to read it."""
    columns = [
        {
            "name": "outcome",
            "titles": "outcome",
            "datatype": "string",
            "dc:description": "The strategic outcome's code, or ALL for every goal once.",
        },
        {
            "name": "group",
            "titles": "group",
            "datatype": "string",
            "null": "",
            "dc:description": "The breakdown's group; empty for an outcome's total.",
        },
    ]
    for column in COLUMNS:
        columns.append(
            {
                "name": column.name,
                "titles": column.name,
                "datatype": "integer" if column.is_count or column.is_percentage else "decimal",
                "null": ["", SUPPRESSED_MARK],
                "dc:title": column.label,
                "dc:description": f"{column.question} {column.description}",
            }
        )
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": url,
        "dc:title": title,
        "dc:publisher": publisher,
        "dc:description": SUPPRESSION_NOTE,
        "tableSchema": {"columns": columns, "primaryKey": ["outcome", "group"]},
    }

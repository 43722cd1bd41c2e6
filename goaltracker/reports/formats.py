"""The outcomes report as data: JSON and CSV as domain.md section 6 says, and what columns mean."""

import csv
import io
import json

from goaltracker import text
from goaltracker.reports.columns import COLUMNS, NAMES, Column
from goaltracker.reports.outcome_reports import Report, Row
from goaltracker.vocabulary import N_

SUPPRESSED_MARK = "[c]"
# Spreadsheets such as Excel read a UTF-8 CSV correctly only when it starts with this mark.
BYTE_ORDER_MARK = "\ufeff"


# The note under every table of figures and in every file, translated where a page shows it.
SUPPRESSION_NOTE = N_(
    "[c] means the number is hidden because fewer children than the area's "
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
    return [["outcome", "group", *NAMES], *(_table_row(row, report.exact) for row in report.rows)]


def _table_row(row: Row, exact: bool) -> list:
    """Return one row's CSV cells: its outcome, group and every column."""
    # The numbers are text written by us (such as -1.5 or [c]): only names can be formulas.
    return [
        row.outcome,
        row.group or "",
        *(Number(_cell(column, row, exact)) for column in COLUMNS),
    ]


class Number(str):
    """A cell the service wrote itself (a number, [c] or empty): written as it is."""


def report_to_csv(report: Report, *, byte_order_mark: bool = False) -> str:
    """Return the report as CSV: a header, then one line per row, in the report's order."""
    return csv_text(report_table(report), byte_order_mark=byte_order_mark)


def trend_to_json_dict(area_code: str, outcome: str, every: str, by, filters, points) -> dict:
    """Return a trend (protected rows at each date) as JSON data."""
    data: dict = {"area": area_code, "outcome": outcome, "every": every, "by": by}
    applied = filters.applied()
    if applied:
        data["filters"] = applied
    data["points"] = [
        {
            "as_at": point.as_at.isoformat(),
            "rows": [row_to_json_dict(row, exact=False) for row in point.rows],
        }
        for point in points
    ]
    return data


def trend_to_csv(points) -> str:
    """Return a trend as CSV: the report's columns after the date of each point."""
    rows: list[list] = [["as_at", "outcome", "group", *NAMES]]
    for point in points:
        rows += [[Number(point.as_at.isoformat()), *_table_row(row, False)] for row in point.rows]
    return csv_text(rows)


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

"""The CSV import of domain.md section 6: check the whole file, then write all of it or nothing.

Speed matters (areas arrive with years of spreadsheets), so the import reads the area's existing
records with a few set-based queries into dictionaries, works out every change in memory, and
writes with bulk statements: no query per line.
"""

import csv
import gc
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from typing import IO, Any

from flask_babel import gettext, ngettext
from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from goaltracker import audit, bulk, child_details, erasure
from goaltracker import text as text_rules
from goaltracker.models import (
    Area,
    Child,
    Goal,
    GoalRevision,
    Organisation,
    Rating,
    StrategicOutcome,
    User,
    goal_outcome,
    utcnow,
)
from goaltracker.reports import kept
from goaltracker.vocabulary import (
    GOAL_STATUSES,
    GOAL_TEXT_LONGEST,
    N_,
    OCCUPATION_AREAS,
    PRIMARY_NEEDS,
    RATERS,
    SCALE_MAXIMUM,
    SCALE_MINIMUM,
)

MAX_FILE_BYTES = 50 * 1024 * 1024
# No file of goals and ratings needs more; a file of thousands of columns is a wrong file.
MAX_COLUMNS = 200
REQUIRED_COLUMNS: tuple[str, ...] = (
    "child_ref",
    "date_of_birth",
    "primary_need",
    "ehcp",
    "organisation",
    "goal_ref",
    "goal_text",
    "occupation_area",
    "importance",
    "outcomes",
    "set_on",
    "rater",
    "assessed_on",
    "performance",
    "satisfaction",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("status", "closed_on")
# Columns that describe the child or the goal repeat on each of its lines and must agree.
CHILD_COLUMNS: tuple[str, ...] = ("date_of_birth", "primary_need", "ehcp", "organisation")
GOAL_COLUMNS: tuple[str, ...] = (
    "goal_text",
    "occupation_area",
    "importance",
    "outcomes",
    "set_on",
    "status",
    "closed_on",
)
MAX_REFERENCE_LENGTH = 64
MAX_ORGANISATION_NAME_LENGTH = 200
# Lists of ids in one IN (...) stay well under every database's limit on bound parameters.
_CHUNK_SIZE = 500

_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_NUMBER_PATTERN = re.compile(r"[0-9]{1,9}")
_EHCP_VALUES = {"yes": True, "no": False}
# Columns whose texts are remembered with their checked values, up to this many of each.
_UNREPEATED = frozenset({"child_ref", "goal_ref", "goal_text"})
_REMEMBERED_MOST = 10_000
_MISSING = object()
# The value of an optional column the file does not have: whatever is held (or the default).
_AS_HELD = object()


@dataclass(frozen=True)
class ImportProblem:
    """One reason a file cannot be imported: its line (the header is line 1), column and why."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """Say where the problem is and what it is, in one line."""
        if self.line is None:
            return self.message
        return gettext("Line %(line)s: %(message)s", line=self.line, message=self.message)


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do), its warnings, and its errors."""

    children_created: int = 0
    children_updated: int = 0
    goals_created: int = 0
    goals_updated: int = 0
    ratings_created: int = 0
    ratings_corrected: int = 0
    ratings_unchanged: int = 0
    repeated_lines_ignored: int = 0
    organisations_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    imported: bool = False
    # True when the import was too large to keep the report's kept data up to date as it went.
    kept_data_dropped: bool = False

    @property
    def ok(self) -> bool:
        """Return whether the file can be (or was) imported: it has no errors."""
        return not self.errors

    def describe(self) -> list[str]:
        """Return the summary as plain-English lines, for a person to read."""
        if self.imported:
            lines = [
                gettext(
                    "Children: %(created)s created, %(updated)s updated.",
                    created=self.children_created,
                    updated=self.children_updated,
                ),
                gettext(
                    "Goals: %(created)s created, %(updated)s updated.",
                    created=self.goals_created,
                    updated=self.goals_updated,
                ),
                gettext(
                    "Ratings: %(created)s created, %(corrected)s corrected, %(unchanged)s "
                    "already held unchanged.",
                    created=self.ratings_created,
                    corrected=self.ratings_corrected,
                    unchanged=self.ratings_unchanged,
                ),
            ]
        else:
            lines = [
                gettext(
                    "Children: %(created)s would be created, %(updated)s would be updated.",
                    created=self.children_created,
                    updated=self.children_updated,
                ),
                gettext(
                    "Goals: %(created)s would be created, %(updated)s would be updated.",
                    created=self.goals_created,
                    updated=self.goals_updated,
                ),
                gettext(
                    "Ratings: %(created)s would be created, %(corrected)s would be corrected, "
                    "%(unchanged)s already held unchanged.",
                    created=self.ratings_created,
                    corrected=self.ratings_corrected,
                    unchanged=self.ratings_unchanged,
                ),
            ]
        if self.repeated_lines_ignored:
            lines.append(
                gettext(
                    "Identical repeated lines ignored: %(count)s.",
                    count=self.repeated_lines_ignored,
                )
            )
        if self.organisations_created:
            names = ", ".join(self.organisations_created)
            lines.append(
                gettext("Organisations created (type other): %(names)s", names=names)
                if self.imported
                else gettext("Organisations would be created (type other): %(names)s", names=names)
            )
        lines.extend(gettext("Warning: %(warning)s", warning=warning) for warning in self.warnings)
        if self.kept_data_dropped:
            lines.append(
                gettext(
                    "The outcomes report is worked out from the records, more slowly, until "
                    "tonight's refresh (or refresh-aggregates --rebuild) has kept its figures "
                    "again."
                )
            )
        return lines


class _Invalid(ValueError):
    """A cell that is not valid; the message names the column and says what it should be."""


@dataclass
class _Line:
    """One line of the file with the values of its valid cells."""

    number: int
    values: dict[str, Any]


@dataclass
class _Plan:
    """Every change the file makes, worked out before anything is written."""

    new_organisations: dict[str, str] = field(default_factory=dict)
    organisation_of_child: dict[str, int | str] = field(default_factory=dict)
    new_children: list[dict] = field(default_factory=list)
    changed_children: list[dict] = field(default_factory=list)
    new_goals: list[dict] = field(default_factory=list)
    changed_goals: list[dict] = field(default_factory=list)
    revisions: list[dict] = field(default_factory=list)
    outcome_links: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    relinked_goal_ids: list[int] = field(default_factory=list)
    # (goal key, rater, assessed on, performance, satisfaction): tuples, as there can be many.
    new_ratings: list[tuple] = field(default_factory=list)
    corrected_ratings: list[dict] = field(default_factory=list)
    # Ids of the children and goals the area already holds, by their references in the file.
    child_ids: dict[str, int] = field(default_factory=dict)
    goal_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    # A check that only counts (the import page's preview) keeps no rows of new goals and
    # ratings: a large file has hundreds of thousands.
    rows: bool = True
    # (child id, primary need, EHC plan) of children whose need or plan changes today.
    changed_details: list[tuple[int, str, bool]] = field(default_factory=list)
    today: date | None = None


def _show(text: str) -> str:
    """Quote a value from the file for a message, shortened when long."""
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def _key(name: str) -> str:
    """Return the form of an organisation's name used to match it: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def _chunks(items: list, size: int = _CHUNK_SIZE) -> Iterator[list]:
    """Yield the items in lists of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _too_big(max_bytes: int) -> ImportProblem:
    """Return the problem of a file over the size limit."""
    megabyte = 1024 * 1024
    if max_bytes % megabyte == 0:
        message = gettext(
            "The file is larger than %(size)s MB, the most one import takes; split it into "
            "smaller files.",
            size=max_bytes // megabyte,
        )
    else:
        message = gettext(
            "The file is larger than %(size)s bytes, the most one import takes; split it into "
            "smaller files.",
            size=max_bytes,
        )
    return ImportProblem(None, None, message)


NOT_UTF8 = N_(
    "The file is not UTF-8 text: this line has a character in another encoding. "
    'Save the file as "CSV UTF-8 (comma delimited)" and import it again.'
)


class _NotUtf8(Exception):
    """A line of the file that is not UTF-8 text."""

    def __init__(self, line: int):
        """Remember the line."""
        super().__init__(line)
        self.line = line


def _decoded_lines(binary: IO[bytes]) -> Iterator[str]:
    """Yield the file's lines as text, one at a time; a line that is not UTF-8 stops it.

    The byte order mark that spreadsheet programs add at the start is dropped.
    """
    for number, raw in enumerate(binary, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _NotUtf8(number) from error


@contextmanager
def _open_text(source: Any, max_bytes: int) -> Iterator[Iterator[str] | ImportProblem]:
    """Open the file to read line by line (never all at once), or give its problem.

    A path is read from disk as it is parsed, so a large file never sits in memory whole; bytes
    and text already in memory are read from there.
    """
    if isinstance(source, str):
        yield iter(io.StringIO(source.removeprefix("\ufeff"), newline=""))
        return
    if isinstance(source, os.PathLike):
        if os.path.getsize(source) > max_bytes:
            yield _too_big(max_bytes)
            return
        with open(source, "rb") as file:
            yield _decoded_lines(file)
        return
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        raise TypeError("import a path, a file, bytes or text")
    if isinstance(data, str):  # a text file
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        yield _too_big(max_bytes)
        return
    yield _decoded_lines(io.BytesIO(data))


_INTERNED: dict[frozenset, frozenset] = {}


def _interned(codes: frozenset) -> frozenset:
    """Return one shared set for equal sets of codes: files repeat the same few many times."""
    return _INTERNED.setdefault(codes, codes)


def _text_checker(column: str, max_length: int) -> Callable[[str], str]:
    """Return a check for a required text cell of at most max_length characters."""

    def check(text: str) -> str:
        """Return the text, or raise _Invalid when it is empty or too long."""
        if not text:
            raise _Invalid(gettext("%(column)s is empty; every line needs one", column=column))
        if len(text) > max_length:
            raise _Invalid(
                gettext(
                    "%(column)s is %(length)s characters long; the most allowed is %(most)s",
                    column=column,
                    length=len(text),
                    most=max_length,
                )
            )
        return text

    return check


def _choice_checker(column: str, allowed: Iterable[str], normalise=str.lower):
    """Return a check for a cell that must be one of a list of codes."""
    allowed = tuple(allowed)
    # The code returned is always the allowed one itself, never a copy made from the line, so
    # the many lines of a large file share one string per code.
    canonical = {code: code for code in allowed}

    def check(text: str) -> str:
        """Return the code, or raise _Invalid naming the codes allowed."""
        code = canonical.get(normalise(text))
        if code is None:
            codes = ", ".join(allowed)
            if text:
                raise _Invalid(
                    gettext(
                        "%(column)s must be one of %(codes)s, not %(value)s",
                        column=column,
                        codes=codes,
                        value=_show(text),
                    )
                )
            raise _Invalid(
                gettext(
                    "%(column)s must be one of %(codes)s, but it is empty",
                    column=column,
                    codes=codes,
                )
            )
        return code

    return check


def _score_checker(column: str) -> Callable[[str], int]:
    """Return a check for a whole number from 1 to 10."""

    def check(text: str) -> int:
        """Return the number, or raise _Invalid when it is not a whole number from 1 to 10."""
        if _WHOLE_NUMBER_PATTERN.fullmatch(text):
            value = int(text)
            if SCALE_MINIMUM <= value <= SCALE_MAXIMUM:
                return value
        if text:
            raise _Invalid(
                gettext(
                    "%(column)s must be a whole number from %(low)s to %(high)s, not %(value)s",
                    column=column,
                    low=SCALE_MINIMUM,
                    high=SCALE_MAXIMUM,
                    value=_show(text),
                )
            )
        raise _Invalid(
            gettext(
                "%(column)s must be a whole number from %(low)s to %(high)s, but it is empty",
                column=column,
                low=SCALE_MINIMUM,
                high=SCALE_MAXIMUM,
            )
        )

    return check


def _date_checker(column: str, today: date, optional: bool = False):
    """Return a check for a YYYY-MM-DD date that is not after today."""
    known: dict[str, date] = {}

    def check(text: str) -> date | None:
        """Return the date, or raise _Invalid when it is malformed, impossible or in the future."""
        if text in known:
            return known[text]
        if not text:
            if optional:
                return None
            raise _Invalid(
                gettext(
                    "%(column)s is empty; every line needs a date, as YYYY-MM-DD", column=column
                )
            )
        if not _DATE_PATTERN.fullmatch(text):
            raise _Invalid(
                gettext(
                    "%(column)s must be a date written YYYY-MM-DD, not %(value)s",
                    column=column,
                    value=_show(text),
                )
            )
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise _Invalid(
                gettext("%(column)s %(value)s is not a real date", column=column, value=_show(text))
            ) from None
        if value > today:
            raise _Invalid(
                gettext(
                    "%(column)s %(value)s is in the future (today is %(today)s)",
                    column=column,
                    value=text,
                    today=today.isoformat(),
                )
            )
        known[text] = value
        return value

    return check


def _outcomes_checker(outcome_ids: dict[str, int]):
    """Return a check for a list of the area's outcome codes separated by semicolons."""

    def check(text: str) -> frozenset[str]:
        """Return the set of codes, or raise _Invalid naming the codes the area does not have."""
        codes = _interned(
            frozenset(code.strip().upper() for code in text.split(";") if code.strip())
        )
        unknown = sorted(codes - outcome_ids.keys())
        if unknown:
            known = ", ".join(sorted(outcome_ids)) or gettext("none yet")
            raise _Invalid(
                ngettext(
                    "outcomes has a code this area does not have: %(unknown)s (the area's "
                    "codes: %(known)s)",
                    "outcomes has codes this area does not have: %(unknown)s (the area's "
                    "codes: %(known)s)",
                    len(unknown),
                    unknown=", ".join(unknown),
                    known=known,
                )
            )
        return codes

    return check


def _checkers(today: date, outcome_ids: dict[str, int]) -> dict[str, Callable[[str], Any]]:
    """Return the check of every column, by column name."""
    return {
        "child_ref": _text_checker("child_ref", MAX_REFERENCE_LENGTH),
        "date_of_birth": _date_checker("date_of_birth", today),
        "primary_need": _choice_checker("primary_need", PRIMARY_NEEDS, str.upper),
        "ehcp": _choice_checker("ehcp", _EHCP_VALUES),
        "organisation": _text_checker("organisation", MAX_ORGANISATION_NAME_LENGTH),
        "goal_ref": _text_checker("goal_ref", MAX_REFERENCE_LENGTH),
        "goal_text": _text_checker("goal_text", GOAL_TEXT_LONGEST),
        "occupation_area": _choice_checker("occupation_area", OCCUPATION_AREAS),
        "importance": _score_checker("importance"),
        "outcomes": _outcomes_checker(outcome_ids),
        "set_on": _date_checker("set_on", today),
        "rater": _choice_checker("rater", RATERS),
        "assessed_on": _date_checker("assessed_on", today),
        "performance": _score_checker("performance"),
        "satisfaction": _score_checker("satisfaction"),
        # An empty status means active, so that files without the column read the same.
        "status": lambda text: _choice_checker("status", GOAL_STATUSES)(text or "active"),
        "closed_on": _date_checker("closed_on", today, optional=True),
    }


def _check_line_dates(line: _Line, problems: list[ImportProblem]) -> None:
    """Check the dates of one line against each other and against the goal's status."""
    values = line.values
    set_on = values.get("set_on")
    assessed_on = values.get("assessed_on")
    if set_on is not None and assessed_on is not None and assessed_on < set_on:
        problems.append(
            ImportProblem(
                line.number,
                "assessed_on",
                gettext(
                    "assessed_on %(assessed_on)s is before the goal was set (set_on "
                    "%(set_on)s); a goal can only be rated once it is set",
                    assessed_on=assessed_on.isoformat(),
                    set_on=set_on.isoformat(),
                ),
            )
        )
    if "status" not in values or "closed_on" not in values or values["status"] is _AS_HELD:
        return
    status, closed_on = values["status"], values["closed_on"]
    if status == "active" and closed_on is not None:
        problems.append(
            ImportProblem(
                line.number,
                "closed_on",
                gettext(
                    "closed_on must be empty when the goal is active (status is empty or active)"
                ),
            )
        )
    elif status != "active" and closed_on is None:
        problems.append(
            ImportProblem(
                line.number,
                "closed_on",
                gettext(
                    "closed_on is needed when status is %(status)s: the date the goal was "
                    "%(status)s",
                    status=status,
                ),
            )
        )
    elif closed_on is not None and set_on is not None and closed_on < set_on:
        problems.append(
            ImportProblem(
                line.number,
                "closed_on",
                gettext(
                    "closed_on %(closed_on)s is before the goal was set (set_on %(set_on)s)",
                    closed_on=closed_on.isoformat(),
                    set_on=set_on.isoformat(),
                ),
            )
        )


def _describe_value(column: str, value: Any) -> str:
    """Show a checked value as the file would have it, for a message."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return '"' + ";".join(sorted(value)) + '"' if value else gettext("empty")
    if value is None:
        return gettext("empty")
    return _show(str(value))


def _parse(
    text: Iterator[str], checkers: dict, problems: list[ImportProblem], warnings: list[str]
) -> Iterator[_Line]:
    """Read the CSV line by line and check every cell; yield each line with its valid values.

    Lines are yielded as they are read, so the caller keeps what it needs of each and nothing
    holds the whole file.
    """
    reader = csv.reader(text)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)  # blank lines before the header: read on
    except StopIteration:
        problems.append(ImportProblem(None, None, gettext("The file is empty.")))
        return
    except _NotUtf8 as error:
        problems.append(ImportProblem(error.line, None, gettext(NOT_UTF8)))
        return
    except csv.Error as error:
        problems.append(
            ImportProblem(
                1,
                None,
                gettext("The header line cannot be read as CSV: %(error)s", error=error),
            )
        )
        return
    if len(header) > MAX_COLUMNS:
        problems.append(
            ImportProblem(
                1,
                None,
                gettext(
                    "The header has %(count)s columns; a file of goals and ratings has at most "
                    "%(most)s. Check that the file is the right one, saved as CSV",
                    count=f"{len(header):,}",
                    most=MAX_COLUMNS,
                ),
            )
        )
        return
    names = [name.strip().lower() for name in header]
    named = [name for name in names if name]
    missing = [column for column in REQUIRED_COLUMNS if column not in named]
    # Counted once each, so a header of many columns is checked in linear time.
    repeated = sorted(name for name, times in Counter(named).items() if times > 1)
    if missing:
        problems.append(
            ImportProblem(
                1,
                None,
                ngettext(
                    "The header is missing the column %(missing)s. The first line must name "
                    "the columns %(required)s (and optionally %(optional)s).",
                    "The header is missing the columns %(missing)s. The first line must name "
                    "the columns %(required)s (and optionally %(optional)s).",
                    len(missing),
                    missing=", ".join(missing),
                    required=", ".join(REQUIRED_COLUMNS),
                    optional=", ".join(OPTIONAL_COLUMNS),
                ),
            )
        )
    if repeated:
        problems.append(
            ImportProblem(
                1,
                None,
                gettext(
                    "The header names %(columns)s more than once.", columns=", ".join(repeated)
                ),
            )
        )
    if missing or repeated:
        return
    unused = [name for name in named if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unused:
        warnings.append(
            gettext(
                "These columns are not used and were ignored: %(columns)s.",
                columns=", ".join(unused),
            )
        )
    # Columns whose values repeat down the file remember each text's checked value, so most
    # cells cost one look-up; references and goal texts are not remembered (nearly all differ).
    positions = [
        (position, name, checkers[name], None if name in _UNREPEATED else {})
        for position, name in enumerate(names)
        if name in checkers
    ]
    remembered = [
        (position, name, known) for position, name, _, known in positions if known is not None
    ]
    unremembered = [entry for entry in positions if entry[3] is None]
    absent = [column for column in OPTIONAL_COLUMNS if column not in names]
    last_line_read = reader.line_num
    while True:
        number = last_line_read + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except _NotUtf8 as error:
            problems.append(ImportProblem(error.line, None, gettext(NOT_UTF8)))
            break
        except csv.Error as error:
            problems.append(
                ImportProblem(
                    number,
                    None,
                    gettext(
                        "The line cannot be read as CSV (%(error)s); the rest of the file was "
                        "not checked.",
                        error=error,
                    ),
                )
            )
            break
        last_line_read = reader.line_num
        joined = "".join(cells)
        # Spreadsheets often save empty rows at the end as lines of commas.
        if not joined.strip():
            continue
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
            problems.append(
                ImportProblem(
                    number,
                    None,
                    gettext(
                        "The line has %(values)s values but the header names %(columns)s "
                        "columns; text containing a comma must be in double quotes",
                        values=len(cells),
                        columns=len(names),
                    ),
                )
            )
            continue
        # One search of the whole line; each cell is looked at only when it found something.
        suspicious = text_rules.has_controls(joined)
        short = len(cells) < len(names)
        values: dict[str, Any] = {}
        if not (suspicious or short):
            # The usual line: every remembered column's text seen before, then the rest checked.
            try:
                values = {
                    name: known[cells[position].strip()] for position, name, known in remembered
                }
            except KeyError:
                values = {}
        for position, name, check, known in unremembered if values else positions:
            cell = "" if short and position >= len(cells) else cells[position].strip()
            if known is not None:
                value = known.get(cell, _MISSING)
                if value is not _MISSING:
                    values[name] = value
                    continue
            unreadable = text_rules.problem(cell, name) if suspicious else None
            if unreadable:
                problems.append(ImportProblem(number, name, unreadable))
                continue
            try:
                value = values[name] = check(cell)
            except _Invalid as error:
                problems.append(ImportProblem(number, name, str(error)))
                continue
            if known is not None and len(known) < _REMEMBERED_MOST:
                known[cell] = value
        for name in absent:
            # A file without both columns leaves a held goal's status as it is (domain.md 6).
            values[name] = _AS_HELD if len(absent) == len(OPTIONAL_COLUMNS) else checkers[name]("")
        line = _Line(number, values)
        _check_line_dates(line, problems)
        yield line


class _FirstValues:
    """The first valid value of each column for one child or goal, and the line it was on.

    Kept compactly (a list of values, and line numbers only where a value came later than the
    first line), because a large file has a hundred thousand goals.
    """

    __slots__ = ("positions", "line", "values", "later_lines", "complete", "key")
    _positions: dict[tuple[str, ...], dict[str, int]] = {}

    def __init__(self, columns: tuple[str, ...], line: int, complete: tuple | None = None):
        """Start with the first line of the child or goal and its values, when it has them all."""
        self.positions = self._positions.get(columns) or self._positions.setdefault(
            columns, {column: position for position, column in enumerate(columns)}
        )
        self.line = line
        self.values: list = list(complete) if complete else [_MISSING] * len(columns)
        self.later_lines: dict[int, int] | None = None
        # Every value, once each column has one: most lines repeat them exactly.
        self.complete = complete
        # A goal's (child, goal) references, as its ratings share them.
        self.key: tuple[str, str] | None = None

    def __contains__(self, column: str) -> bool:
        """Return whether a valid value of the column has been seen."""
        return column == "line" or self.values[self.positions[column]] is not _MISSING

    def __getitem__(self, column: str) -> tuple[Any, int | None]:
        """Return the column's first valid value and its line ("line": the first line)."""
        if column == "line":
            return None, self.line
        position = self.positions[column]
        line = (self.later_lines or {}).get(position, self.line)
        return self.values[position], line

    def set(self, column: str, value: Any, line: int) -> None:
        """Keep the first valid value of a column."""
        position = self.positions[column]
        self.values[position] = value
        if line != self.line:
            self.later_lines = self.later_lines or {}
            self.later_lines[position] = line
        if _MISSING not in self.values:
            self.complete = tuple(self.values)


def _agree(
    first: _FirstValues,
    line: _Line,
    columns: tuple[str, ...],
    what: tuple[str, ...],
    problems: list[ImportProblem],
    compare: Callable[[str, Any], Any] = lambda column, value: value,
) -> None:
    """Check that a line's values agree with the first line of the same child or goal."""
    for column in columns:
        if column not in line.values:
            continue
        value = line.values[column]
        if column not in first:
            first.set(column, value, line.number)
            continue
        first_value, first_line = first[column]
        if compare(column, value) != compare(column, first_value):
            problems.append(
                ImportProblem(
                    line.number,
                    column,
                    _disagreement(
                        column,
                        _describe_value(column, value),
                        _describe_value(column, first_value),
                        first_line,
                        what,
                    ),
                )
            )


def _same(getter: Callable[[dict], tuple], values: dict, complete: tuple | None) -> bool:
    """Return whether a line has every value of its child or goal, the same as the first line's
    (the usual line, compared in one step)."""
    if complete is None:
        return False
    try:
        return getter(values) == complete
    except KeyError:
        return False


@cache
def _getter(columns: tuple[str, ...]) -> Callable[[dict], tuple]:
    """Return a function that takes the columns' values from a line, in order."""
    getter = itemgetter(*columns)
    return getter if len(columns) > 1 else lambda values: (getter(values),)


def _disagreement(column: str, value: str, first: str, line: int, what: tuple[str, ...]) -> str:
    """Say that a line's value differs from the first line of the same child (what is its
    reference) or goal (what is the goal's and the child's references)."""
    if len(what) == 1:
        return gettext(
            "%(column)s is %(value)s here but %(first)s on line %(line)s; every line of child "
            "%(child)s must agree",
            column=column,
            value=value,
            first=first,
            line=line,
            child=what[0],
        )
    return gettext(
        "%(column)s is %(value)s here but %(first)s on line %(line)s; every line of goal "
        "%(goal)s of %(child)s must agree",
        column=column,
        value=value,
        first=first,
        line=line,
        goal=what[0],
        child=what[1],
    )


def _organisation_compare(column: str, value: Any) -> Any:
    """Compare organisations by name ignoring case and spacing, other values as they are."""
    return _key(value) if column == "organisation" else value


_RATING_COLUMNS = itemgetter("rater", "assessed_on", "performance", "satisfaction")


def _first_values(columns: tuple[str, ...], line: _Line) -> _FirstValues:
    """Start the values of a child or goal from its first line."""
    try:
        return _FirstValues(columns, line.number, _getter(columns)(line.values))
    except KeyError:
        # Some of the line's cells are not valid: keep those that are.
        first = _FirstValues(columns, line.number)
        for column in columns:
            if column in line.values:
                first.set(column, line.values[column], line.number)
        return first


def _collect(lines: Iterable[_Line], problems: list[ImportProblem], summary: ImportSummary):
    """Gather each child's and goal's values and each rating, checking that repeats agree.

    Returns them with the number of lines read; the lines themselves are not kept.
    """
    children: dict[str, _FirstValues] = {}
    goals: dict[tuple[str, str], _FirstValues] = {}
    ratings: dict[tuple[str, str, str, date], tuple[int, int, int]] = {}
    read = 0
    child_values, goal_values = _getter(CHILD_COLUMNS), _getter(GOAL_COLUMNS)
    for line in lines:
        read += 1
        values = line.values
        child_ref = values.get("child_ref")
        if child_ref is None:
            continue
        first_of_child = children.get(child_ref)
        if first_of_child is None:
            children[child_ref] = _first_values(CHILD_COLUMNS, line)
        elif not _same(child_values, values, first_of_child.complete):
            _agree(
                first_of_child,
                line,
                CHILD_COLUMNS,
                (child_ref,),
                problems,
                _organisation_compare,
            )
        goal_ref = values.get("goal_ref")
        if goal_ref is None:
            continue
        first_of_goal = goals.get((child_ref, goal_ref))
        if first_of_goal is None:
            first_of_goal = goals[(child_ref, goal_ref)] = _first_values(GOAL_COLUMNS, line)
            # The goal's references from its first line, shared by all its ratings: a large
            # file's ratings would otherwise each hold copies. (Dates are shared already: each
            # date's text is checked once and its value remembered.)
            first_of_goal.key = (child_ref, goal_ref)
        elif not _same(goal_values, values, first_of_goal.complete):
            _agree(first_of_goal, line, GOAL_COLUMNS, (goal_ref, child_ref), problems)
        try:
            rater, assessed_on, performance, satisfaction = _RATING_COLUMNS(values)
        except KeyError:
            continue
        identity = (*first_of_goal.key, rater, assessed_on)
        scores = (performance, satisfaction)
        if identity not in ratings:
            ratings[identity] = (*scores, line.number)
        elif ratings[identity][:2] == scores:
            summary.repeated_lines_ignored += 1
        else:
            first_performance, first_satisfaction, first_line = ratings[identity]
            problems.append(
                ImportProblem(
                    line.number,
                    "performance",
                    gettext(
                        "a second %(rater)s rating of goal %(goal)s of %(child)s on %(day)s "
                        "(performance %(performance)s, satisfaction %(satisfaction)s) differs "
                        "from line %(line)s (performance %(first_performance)s, satisfaction "
                        "%(first_satisfaction)s); a rater rates a goal at most once a day, so "
                        "keep one of the two lines",
                        rater=values["rater"],
                        goal=goal_ref,
                        child=child_ref,
                        day=values["assessed_on"].isoformat(),
                        performance=scores[0],
                        satisfaction=scores[1],
                        line=first_line,
                        first_performance=first_performance,
                        first_satisfaction=first_satisfaction,
                    ),
                )
            )
    return (children, goals, ratings), read


@dataclass
class _Existing:
    """The area's records as they are before the import, read with a few set-based queries."""

    outcome_ids: dict[str, int]
    organisations_by_name: dict[str, int]
    organisations_by_key: dict[str, int]
    children: dict[str, Any]
    goals: dict[tuple[int, str], Any]
    goal_statuses_by_child: dict[int, dict[int, str]]
    outcome_links: dict[int, frozenset[int]]
    ratings: dict[tuple[int, str, date], Any]
    earliest_rating: dict[int, date]
    area_id: int
    # Keyed hashes of the references of the area's erased records.
    erased: frozenset[str]


def _load_outcomes(session: Session, area: Area) -> dict[str, int]:
    """Return the area's outcome ids by code, retired outcomes included (files carry history)."""
    return dict(
        session.execute(
            select(StrategicOutcome.code, StrategicOutcome.id).where(
                StrategicOutcome.area_id == area.id
            )
        ).all()
    )


def _load_existing(session: Session, area: Area, outcome_ids: dict[str, int]) -> _Existing:
    """Read what the area already holds that an import can match or change."""
    organisations_by_name: dict[str, int] = {}
    organisations_by_key: dict[str, int] = {}
    for organisation_id, name in session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.area_id == area.id)
        .order_by(Organisation.id)
    ):
        organisations_by_name[name] = organisation_id
        organisations_by_key.setdefault(_key(name), organisation_id)
    children = {
        child.reference: child
        for child in session.execute(
            select(
                Child.id,
                Child.reference,
                Child.date_of_birth,
                Child.primary_need,
                Child.ehcp,
                Child.organisation_id,
                Child.erased_at,
            ).where(Child.area_id == area.id)
        )
    }
    in_area = Child.area_id == area.id
    goals: dict[tuple[int, str], Any] = {}
    statuses: dict[int, dict[int, str]] = {}
    for goal in session.execute(
        select(
            Goal.id,
            Goal.child_id,
            Goal.reference,
            Goal.text,
            Goal.occupation_area,
            Goal.importance,
            Goal.set_on,
            Goal.status,
            Goal.closed_on,
        )
        .join(Child, Child.id == Goal.child_id)
        .where(in_area)
    ):
        statuses.setdefault(goal.child_id, {})[goal.id] = goal.status
        if goal.reference is not None:
            goals[(goal.child_id, goal.reference)] = goal
    # Only goals with a reference can be matched by a file, so only theirs are read.
    referenced = Goal.reference.is_not(None)
    links: dict[int, set[int]] = {}
    for goal_id, outcome_id in session.execute(
        select(goal_outcome.c.goal_id, goal_outcome.c.outcome_id)
        .join(Goal, Goal.id == goal_outcome.c.goal_id)
        .join(Child, Child.id == Goal.child_id)
        .where(in_area, referenced)
    ):
        links.setdefault(goal_id, set()).add(outcome_id)
    ratings: dict[tuple[int, str, date], Any] = {}
    earliest: dict[int, date] = {}
    for rating in session.execute(
        select(
            Rating.id,
            Rating.goal_id,
            Rating.rater,
            Rating.assessed_on,
            Rating.performance,
            Rating.satisfaction,
        )
        .join(Goal, Goal.id == Rating.goal_id)
        .join(Child, Child.id == Goal.child_id)
        .where(in_area, referenced)
    ):
        ratings[(rating.goal_id, rating.rater, rating.assessed_on)] = rating
        if rating.goal_id not in earliest or rating.assessed_on < earliest[rating.goal_id]:
            earliest[rating.goal_id] = rating.assessed_on
    return _Existing(
        outcome_ids=outcome_ids,
        organisations_by_name=organisations_by_name,
        organisations_by_key=organisations_by_key,
        children=children,
        goals=goals,
        goal_statuses_by_child=statuses,
        outcome_links={goal_id: frozenset(ids) for goal_id, ids in links.items()},
        ratings=ratings,
        earliest_rating=earliest,
        area_id=area.id,
        erased=erasure.erased_hashes(area.id),
    )


def _value(first: _FirstValues, column: str) -> Any:
    """Return the value of a column from the first line that had a valid one."""
    return first.values[first.positions[column]]


def _plan_children(
    existing: _Existing,
    children: dict,
    plan: _Plan,
    problems: list[ImportProblem],
    summary: ImportSummary,
) -> set[str]:
    """Plan the new and changed children and organisations; return the new children's refs."""
    new_child_refs: set[str] = set()
    for child_ref, first in children.items():
        if first.complete is None:  # a value of the child's is not valid
            continue
        name = _value(first, "organisation")
        # An exact name wins; otherwise "northfield school" is taken to be "Northfield School".
        organisation = existing.organisations_by_name.get(name)
        if organisation is None:
            organisation = existing.organisations_by_key.get(_key(name))
        if organisation is None:
            plan.new_organisations.setdefault(_key(name), name)
            organisation = _key(name)
        plan.organisation_of_child[child_ref] = organisation
        wanted = {
            "date_of_birth": _value(first, "date_of_birth"),
            "primary_need": _value(first, "primary_need"),
            "ehcp": _EHCP_VALUES[_value(first, "ehcp")],
        }
        if existing.erased and erasure.reference_hash(existing.area_id, child_ref) in (
            existing.erased
        ):
            problems.append(
                ImportProblem(
                    first["line"][1],
                    "child_ref",
                    gettext(
                        "child_ref %(child)s belongs to a record that was erased on request; it "
                        "cannot be imported again, so remove its lines from the file",
                        child=child_ref,
                    ),
                )
            )
            continue
        held = existing.children.get(child_ref)
        if held is None:
            plan.new_children.append({"reference": child_ref, **wanted})
            new_child_refs.add(child_ref)
            summary.children_created += 1
            continue
        if held.erased_at is not None:
            problems.append(
                ImportProblem(
                    first["line"][1],
                    "child_ref",
                    gettext(
                        "child_ref %(child)s belongs to a record that has been erased; remove "
                        "its lines from the file",
                        child=child_ref,
                    ),
                )
            )
            continue
        plan.child_ids[child_ref] = held.id
        if (
            any(getattr(held, column) != value for column, value in wanted.items())
            or held.organisation_id != organisation
        ):
            plan.changed_children.append({"id": held.id, "reference": child_ref, **wanted})
            summary.children_updated += 1
            if (held.primary_need, bool(held.ehcp)) != (wanted["primary_need"], wanted["ehcp"]):
                # A new need or plan takes effect on the import's day (domain.md 1).
                plan.changed_details.append((held.id, wanted["primary_need"], wanted["ehcp"]))
    summary.organisations_created = sorted(plan.new_organisations.values(), key=str.casefold)
    return new_child_refs


def _plan_goals(
    area: Area,
    existing: _Existing,
    goals: dict,
    new_child_refs: set[str],
    plan: _Plan,
    problems: list[ImportProblem],
    summary: ImportSummary,
) -> set[tuple[str, str]]:
    """Plan the new and changed goals and their outcome links; return the new goals' keys."""
    new_goal_keys: set[tuple[str, str]] = set()
    # Each child's goals and their statuses after the import, to warn about the active limit.
    statuses: dict[str, dict[Any, str]] = {
        child_ref: dict(existing.goal_statuses_by_child.get(child_id, {}))
        for child_ref, child_id in plan.child_ids.items()
    }
    for (child_ref, goal_ref), first in goals.items():
        known_child = child_ref in plan.child_ids or child_ref in new_child_refs
        if not known_child or first.complete is None:
            continue
        wanted = {
            "text": _value(first, "goal_text"),
            "occupation_area": _value(first, "occupation_area"),
            "importance": _value(first, "importance"),
            "set_on": _value(first, "set_on"),
            "status": _value(first, "status"),
            "closed_on": _value(first, "closed_on"),
        }
        outcome_ids = frozenset(existing.outcome_ids[code] for code in _value(first, "outcomes"))
        child_id = plan.child_ids.get(child_ref)
        held = existing.goals.get((child_id, goal_ref)) if child_id is not None else None
        if wanted["status"] is _AS_HELD:
            wanted["status"] = held.status if held is not None else "active"
            wanted["closed_on"] = held.closed_on if held is not None else None
        if held is None:
            if plan.rows:
                plan.new_goals.append({"child_ref": child_ref, "reference": goal_ref, **wanted})
                plan.outcome_links[(child_ref, goal_ref)] = outcome_ids
            new_goal_keys.add((child_ref, goal_ref))
            statuses.setdefault(child_ref, {})[(child_ref, goal_ref)] = wanted["status"]
            summary.goals_created += 1
            continue
        statuses[child_ref][held.id] = wanted["status"]
        earliest = existing.earliest_rating.get(held.id)
        if earliest is not None and earliest < wanted["set_on"]:
            problems.append(
                ImportProblem(
                    first["set_on"][1],
                    "set_on",
                    gettext(
                        "set_on %(set_on)s is after a rating already held for goal %(goal)s of "
                        "%(child)s (on %(day)s); a goal cannot be rated before it was set",
                        set_on=wanted["set_on"].isoformat(),
                        goal=goal_ref,
                        child=child_ref,
                        day=earliest.isoformat(),
                    ),
                )
            )
            continue
        plan.goal_ids[(child_ref, goal_ref)] = held.id
        goal_changed = any(getattr(held, column) != value for column, value in wanted.items())
        if goal_changed:
            plan.changed_goals.append({"goal_id": held.id, **wanted})
            if held.text != wanted["text"]:
                plan.revisions.append({"goal_id": held.id, "text": held.text})
        relinked = existing.outcome_links.get(held.id, frozenset()) != outcome_ids
        if relinked:
            plan.relinked_goal_ids.append(held.id)
            plan.outcome_links[(child_ref, goal_ref)] = outcome_ids
        if goal_changed or relinked:
            summary.goals_updated += 1
    for child_ref, goal_statuses in sorted(statuses.items()):
        active = sum(status == "active" for status in goal_statuses.values())
        if active > area.max_active_goals:
            summary.warnings.append(
                gettext(
                    "Child %(child)s now has %(active)s active goals, more than the area's limit "
                    "of %(most)s; imported anyway.",
                    child=child_ref,
                    active=active,
                    most=area.max_active_goals,
                )
            )
    return new_goal_keys


def _plan_ratings(
    existing: _Existing,
    ratings: dict,
    new_goal_keys: set[tuple[str, str]],
    plan: _Plan,
    summary: ImportSummary,
) -> None:
    """Plan the new and corrected ratings, and count those already held unchanged."""
    # Dicts keep insertion order, which is the file's order of first appearance.
    for (child_ref, goal_ref, rater, assessed_on), (
        performance,
        satisfaction,
        _,
    ) in ratings.items():
        goal_key = (child_ref, goal_ref)
        if goal_key not in plan.goal_ids and goal_key not in new_goal_keys:
            continue
        goal_id = plan.goal_ids.get(goal_key)
        held = existing.ratings.get((goal_id, rater, assessed_on)) if goal_id else None
        if held is None:
            if plan.rows:
                plan.new_ratings.append((goal_key, rater, assessed_on, performance, satisfaction))
            summary.ratings_created += 1
        elif (held.performance, held.satisfaction) == (performance, satisfaction):
            summary.ratings_unchanged += 1
        else:
            plan.corrected_ratings.append(
                {
                    "id": held.id,
                    "child_id": plan.child_ids[child_ref],
                    "goal_id": goal_id,
                    "goal_reference": goal_ref,
                    "rater": rater,
                    "assessed_on": assessed_on,
                    "old": {"performance": held.performance, "satisfaction": held.satisfaction},
                    "new": {"performance": performance, "satisfaction": satisfaction},
                }
            )
            summary.ratings_corrected += 1


def _plan_changes(
    area: Area,
    existing: _Existing,
    collected: tuple[dict, dict, dict],
    problems: list[ImportProblem],
    summary: ImportSummary,
    *,
    rows: bool = True,
    today: date | None = None,
) -> _Plan:
    """Work out every row to insert or update, counting them in the summary."""
    children, goals, ratings = collected
    plan = _Plan(rows=rows, today=today)
    new_child_refs = _plan_children(existing, children, plan, problems, summary)
    new_goal_keys = _plan_goals(area, existing, goals, new_child_refs, plan, problems, summary)
    _plan_ratings(existing, ratings, new_goal_keys, plan, summary)
    return plan


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Pause Python's collector of reference cycles while a file is checked and written.

    Its values and rows hold no cycles, but hundreds of thousands of new objects make the
    collector walk everything held again and again; memory is still freed as usual.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@_cycle_collection_paused()
def _check(
    session: Session,
    area: Area,
    source: Any,
    today: date | None,
    max_bytes: int,
    *,
    rows: bool = True,
) -> tuple[ImportSummary, _Plan | None]:
    """Check the whole file against the rules and the area's records; plan the changes."""
    summary = ImportSummary()
    outcome_ids = _load_outcomes(session, area)
    problems: list[ImportProblem] = []
    with _open_text(source, max_bytes) as text:
        if isinstance(text, ImportProblem):
            summary.errors.append(text)
            return summary, None
        lines = _parse(
            text, _checkers(today or date.today(), outcome_ids), problems, summary.warnings
        )
        collected, read = _collect(lines, problems, summary)
    if not read and not problems:
        problems.append(ImportProblem(None, None, gettext("The file has a header but no ratings.")))
    if not read:
        summary.errors = problems
        return summary, None
    existing = _load_existing(session, area, outcome_ids)
    plan = _plan_changes(area, existing, collected, problems, summary, rows=rows, today=today)
    # Python's sort is stable, so problems on one line stay in column order.
    summary.errors = sorted(problems, key=lambda problem: problem.line or 0)
    return summary, plan


def too_big_summary(max_bytes: int = MAX_FILE_BYTES) -> ImportSummary:
    """Return the summary of a file refused for its size before it was read."""
    summary = ImportSummary()
    summary.errors.append(_too_big(max_bytes))
    return summary


def validate(
    session: Session,
    area: Area,
    file_or_text: Any,
    *,
    today: date | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> ImportSummary:
    """Check a file without writing anything; the summary says what an import would do."""
    summary, _ = _check(session, area, file_or_text, today, max_bytes, rows=False)
    return summary


@_cycle_collection_paused()
def import_ratings(
    session: Session,
    area: Area,
    file_or_text: Any,
    recorded_by: User | None = None,
    *,
    today: date | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> ImportSummary:
    """Import a file of ratings into the area: all of it, or nothing when it has any error.

    The file may be a path, a binary or text file, bytes, or the CSV text itself. The changes
    are made in the session's transaction; the caller commits (or rolls back on an exception).
    """
    summary, plan = _check(session, area, file_or_text, today, max_bytes)
    if summary.errors or plan is None:
        return summary
    # The rows' parents are checked and locked at the end, at once, not row by row (bulk.py).
    with bulk.roomy_page_cache(session), bulk.foreign_keys_checked_at_once(session):
        with kept.tracking(
            session,
            plan.child_ids.values(),
            area=area,
            expected=len(plan.child_ids) + len(plan.new_children),
        ) as tracked:
            written = _write(session, area, plan, recorded_by)
            tracked.include(written)
        # One event per child the file touches, so each record's own history shows the import.
        audit.record_many(
            "child_imported",
            area_id=area.id,
            user=recorded_by,
            child_ids=written,
        )
    summary.kept_data_dropped = tracked.dropped
    summary.imported = True
    audit.record(
        "ratings_imported",
        area_id=area.id,
        user=recorded_by,
        detail={
            "children_created": summary.children_created,
            "children_updated": summary.children_updated,
            "goals_created": summary.goals_created,
            "goals_updated": summary.goals_updated,
            "ratings_created": summary.ratings_created,
            "ratings_corrected": summary.ratings_corrected,
            "organisations_created": summary.organisations_created,
        },
    )
    return summary


def _table(model) -> Table:
    """Return a model's table, for Core inserts.

    The ORM's bulk insert splits the rows into a batch wherever the set of None values changes
    (such as closed_on between goals), which makes large imports many times slower.
    """
    return model.__table__


def _write(session: Session, area: Area, plan: _Plan, recorded_by: User | None) -> list[int]:
    """Write the planned changes with bulk statements, parents before children.

    Returns the ids of the children the file holds, so that their kept report data follows.
    """
    written = _Written(utcnow(), recorded_by.id if recorded_by is not None else None)
    organisation_ids = _write_organisations(session, area, plan)
    child_ids = _write_children(session, area, plan, organisation_ids, written, recorded_by)
    goal_ids = _write_goals(session, plan, child_ids, written)
    _write_links(session, plan, goal_ids)
    _write_ratings(session, plan, goal_ids, written, recorded_by)
    return list(child_ids.values())


@dataclass(frozen=True)
class _Written:
    """When an import writes, and by whom (None for the command line)."""

    at: datetime
    by_id: int | None


def _write_organisations(session: Session, area: Area, plan: _Plan) -> dict[str, int]:
    """Create the organisations the file names for the first time; return their ids by key."""
    if not plan.new_organisations:
        return {}
    # Each insert returns the natural key with the id, so the rows can come back in any
    # order: asking for parameter order would make SQLite insert one row at a time.
    created = session.execute(
        insert(_table(Organisation)).returning(Organisation.id, Organisation.name),
        [
            {"area_id": area.id, "name": name, "type": "other"}
            for name in plan.new_organisations.values()
        ],
    )
    return {_key(name): organisation_id for organisation_id, name in created}


def _write_children(
    session: Session,
    area: Area,
    plan: _Plan,
    organisation_ids: dict[str, int],
    written: _Written,
    recorded_by: User | None,
) -> dict[str, int]:
    """Create new children and change existing ones; return every child's id by reference."""

    def organisation_id(child_ref: str) -> int:
        """Return the id of a child's organisation, existing or just created."""
        organisation = plan.organisation_of_child[child_ref]
        return organisation if isinstance(organisation, int) else organisation_ids[organisation]

    created = bulk.add_with_ids(
        session,
        _table(Child),
        [
            {
                **child,
                "area_id": area.id,
                "organisation_id": organisation_id(child["reference"]),
                "first_name": "",
                "last_name": "",
                "created_at": written.at,
            }
            for child in plan.new_children
        ],
        ("reference",),
    )
    child_ids: dict[str, int] = {reference: child_id for (reference,), child_id in created.items()}
    child_ids.update(plan.child_ids)
    for child_id, primary_need, ehcp in plan.changed_details:
        # The history is written before the child's row, which still holds the old values.
        child_details.record_change(
            session.get(Child, child_id),
            primary_need,
            ehcp,
            effective_from=plan.today or date.today(),
            recorded_by=recorded_by,
        )
    if plan.changed_children:
        session.execute(
            update(Child),
            [
                {
                    **{key: value for key, value in child.items() if key != "reference"},
                    "organisation_id": organisation_id(child["reference"]),
                }
                for child in plan.changed_children
            ],
        )
    return child_ids


def _write_goals(
    session: Session, plan: _Plan, child_ids: dict[str, int], written: _Written
) -> dict[tuple[str, str], int]:
    """Create new goals, change existing ones with their revisions; return ids by key."""
    goal_ids: dict[tuple[str, str], int] = {}
    if plan.new_goals:
        rows = []
        for goal in plan.new_goals:
            row = {key: value for key, value in goal.items() if key != "child_ref"}
            rows.append(
                {
                    **row,
                    "child_id": child_ids[goal["child_ref"]],
                    "created_by_id": written.by_id,
                    "created_at": written.at,
                }
            )
        reference_of_child = {child_id: reference for reference, child_id in child_ids.items()}
        created = bulk.add_with_ids(session, _table(Goal), rows, ("child_id", "reference"))
        goal_ids = {
            (reference_of_child[child_id], reference): goal_id
            for (child_id, reference), goal_id in created.items()
        }
    goal_ids.update(plan.goal_ids)
    if plan.changed_goals:
        table = Goal.__table__
        # A Core update skips the ORM's optimistic locking, so the version is moved on here.
        session.execute(
            update(table)
            .where(table.c.id == bindparam("goal_id"))
            .values(
                text=bindparam("new_text"),
                occupation_area=bindparam("new_occupation_area"),
                importance=bindparam("new_importance"),
                set_on=bindparam("new_set_on"),
                status=bindparam("new_status"),
                closed_on=bindparam("new_closed_on"),
                version=table.c.version + 1,
            ),
            [
                {
                    "goal_id": goal["goal_id"],
                    **{f"new_{name}": value for name, value in goal.items() if name != "goal_id"},
                }
                for goal in plan.changed_goals
            ],
        )
    if plan.revisions:
        session.execute(
            insert(_table(GoalRevision)),
            [
                {**revision, "changed_by_id": written.by_id, "changed_at": written.at}
                for revision in plan.revisions
            ],
        )
    return goal_ids


def _write_links(session: Session, plan: _Plan, goal_ids: dict[tuple[str, str], int]) -> None:
    """Replace the outcome links of the goals whose links the file changes."""
    for chunk in _chunks(plan.relinked_goal_ids):
        session.execute(delete(goal_outcome).where(goal_outcome.c.goal_id.in_(chunk)))
    bulk.add_rows(
        session,
        goal_outcome,
        ("goal_id", "outcome_id"),
        (
            (goal_ids[key], outcome_id)
            for key, outcome_ids in plan.outcome_links.items()
            for outcome_id in sorted(outcome_ids)
        ),
    )


def _write_ratings(
    session: Session,
    plan: _Plan,
    goal_ids: dict[tuple[str, str], int],
    written: _Written,
    recorded_by: User | None,
) -> None:
    """Add new ratings and correct changed ones (each correction audited)."""
    by_id, at = written.by_id, written.at
    # Made as they are written, so that a large import never holds all its rows twice.
    bulk.add_rows(
        session,
        _table(Rating),
        (
            "goal_id",
            "rater",
            "assessed_on",
            "performance",
            "satisfaction",
            "note",
            "recorded_by_id",
            "recorded_at",
        ),
        (
            (goal_ids[goal_key], rater, assessed_on, performance, satisfaction, "", by_id, at)
            for goal_key, rater, assessed_on, performance, satisfaction in plan.new_ratings
        ),
    )
    if plan.corrected_ratings:
        session.execute(
            update(Rating),
            [
                {
                    "id": rating["id"],
                    **rating["new"],
                    "recorded_by_id": written.by_id,
                    "recorded_at": written.at,
                }
                for rating in plan.corrected_ratings
            ],
        )
        _audit_corrections(session, plan.corrected_ratings, recorded_by)


def _audit_corrections(session: Session, corrections: list[dict], recorded_by: User | None) -> None:
    """Record each corrected rating's old and new values in the child's audit trail."""
    child_ids = sorted({correction["child_id"] for correction in corrections})
    children: dict[int, Child] = {}
    for chunk in _chunks(child_ids):
        children.update(
            (child.id, child) for child in session.scalars(select(Child).where(Child.id.in_(chunk)))
        )
    for correction in corrections:
        audit.record(
            "rating_corrected",
            child=children[correction["child_id"]],
            user=recorded_by,
            detail={
                "source": "import",
                "goal_id": correction["goal_id"],
                "goal_reference": correction["goal_reference"],
                "rater": correction["rater"],
                "assessed_on": correction["assessed_on"].isoformat(),
                # The same shape as a correction made on the rating form.
                "before": correction["old"],
                "after": correction["new"],
            },
        )

"""One rule for text, wherever it comes in or goes out: no control characters but tab and new lines.

People never type control characters; they arrive from pasted or exported data, and a NUL or a
vertical tab breaks databases, spreadsheets and file names. Text coming in (forms, imports) with
one is refused with a plain message; text going out into a file name or a spreadsheet's cells is
cleaned, so an old record can never break an export.
"""

import re
import unicodedata

from flask_babel import gettext

ALLOWED_CONTROLS = frozenset("\t\r\n")
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_control(character: str) -> bool:
    """Return whether a character is a control character (C0, DEL, C1) other than tab or newline."""
    return unicodedata.category(character) == "Cc" and character not in ALLOWED_CONTROLS


# Every control character (Unicode category Cc: C0, DEL and C1) but tab, line feed and return,
# to find one fast; a test checks it against unicodedata for every character it could match.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_controls(text: str) -> bool:
    """Return whether the text has a control character that is not allowed."""
    return _CONTROL.search(text) is not None


def control_characters(text: str) -> list[str]:
    """Return the control characters in the text that are not allowed, as U+ codes."""
    if not has_controls(text):
        return []
    return sorted({f"U+{ord(c):04X}" for c in text if _is_control(c)})


def problem(text: str, field: str | None = None) -> str | None:
    """Return why the text cannot be accepted, in plain words, or None when it can.

    With a field's name (an import's column), the message starts with it.
    """
    found = control_characters(text)
    if not found:
        return None
    codes = ", ".join(found[:3]) + (gettext(" and others") if len(found) > 3 else "")
    if field:
        return gettext(
            "%(field)s has invisible control characters (%(codes)s), which often come from "
            "copying text out of another system: remove them",
            field=field,
            codes=codes,
        )
    return gettext(
        "Remove the invisible control characters (%(codes)s), which often come from copying "
        "text out of another system",
        codes=codes,
    )


def without_controls(text: str) -> str:
    """Return the text with control characters (other than tab and new lines) removed."""
    return "".join(character for character in text if not _is_control(character))


def spreadsheet_cell(text: str) -> str:
    """Return text safe for a spreadsheet cell: no control characters, never a formula."""
    text = without_controls(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _plain_letters(part: str) -> str:
    """Return the text with accents taken off letters (Ü becomes U), without control characters."""
    decomposed = unicodedata.normalize("NFKD", without_controls(part))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def filename(*parts: str, extension: str) -> str:
    """Return a safe download file name from parts such as a reference: letters, digits, - and _.

    Quotes, new lines and anything outside plain ASCII could break the Content-Disposition header.
    """
    cleaned = [_UNSAFE_FILENAME.sub("-", _plain_letters(part)).strip("-.") for part in parts]
    stem = "-".join(part for part in cleaned if part)[:120] or "download"
    return f"{stem}.{extension}"

"""The interface's languages: English and Welsh catalogues through Flask-Babel, the choice kept
in a cookie, and the page's language and direction.

Goals, notes and names stay in the words and language the family wrote them in: only the
service's own words are translated.
"""

from datetime import date, datetime
from urllib.parse import urlsplit

from babel import Locale
from babel.dates import format_date
from flask import Flask, current_app, redirect, request
from flask_babel import Babel, get_locale

COOKIE = "language"
COOKIE_DAYS = 365
# Language code → its own name, as the switch in the header shows it.
NAMES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
DEFAULT = "en"

babel = Babel()


def languages() -> tuple[str, ...]:
    """Return the languages the service offers (config LANGUAGES)."""
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str:
    """Return the language chosen with the switch, or English."""
    chosen = request.cookies.get(COOKIE, "") if request else ""
    return chosen if chosen in languages() else DEFAULT


def language() -> str:
    """Return the language of this page."""
    return str(get_locale() or DEFAULT)


def direction(code: str | None = None) -> str:
    """Return "rtl" for a language written right to left, otherwise "ltr"."""
    try:
        order = Locale.parse(code or language()).character_order
    except (ValueError, TypeError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def name_of(code: str) -> str:
    """Return a language's name in that language."""
    if code in NAMES:
        return NAMES[code]
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (ValueError, TypeError):
        return code


def safe_next(target: str | None) -> str:
    """Return a path on this site to go back to; anything else goes home."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(character) < 32 for character in target):
        return "/"
    return target


def switch_to(code: str, next_path: str | None):
    """Remember a language for this browser and go back to the page."""
    response = redirect(safe_next(next_path))
    if code in languages():
        response.set_cookie(
            COOKIE,
            code,
            max_age=COOKIE_DAYS * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


def format_day(value: date | datetime) -> str:
    """Return a date as people write it, in the page's language: 24 November 2026."""
    return format_date(value, "d MMMM y", locale=language())


def init_app(app: Flask) -> None:
    """Set up the catalogues and offer the page's language and direction to templates."""
    app.config.setdefault("LANGUAGES", tuple(NAMES))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_of_page() -> dict:
        return {
            "page_language": language(),
            "page_direction": direction(),
            "language_names": {code: name_of(code) for code in languages()},
        }

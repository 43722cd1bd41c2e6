"""Jinja set-up: GOV.UK Frontend macros, and the one place numbers and dates are formatted."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, has_request_context, url_for
from flask.templating import Environment
from flask_babel import gettext
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, pass_context

from goaltracker import i18n, policy, scoring, vocabulary
from goaltracker.vocabulary import N_

# Times are stored in UTC and shown as the clocks in the UK show them.
UK_TIME = ZoneInfo("Europe/London")


class PageEnvironment(Environment):
    """Flask's Jinja environment, keeping each template's globals in a plain dict.

    Jinja keeps them as a ChainMap over the environment's globals, and each macro import (GOV.UK
    Frontend's macros import others every time they are called) compares that map's keys with
    the page's, in Python, dozens of times a page. A dict's keys compare in C. Every global is
    installed when the app is built, before the first template loads.
    """

    def make_globals(self, d):
        """Return the globals of a template: the environment's, then its own."""
        return {**self.globals, **(d or {})}


def format_date(value: date | datetime | None) -> str:
    """Return a date as people write it, in the page's language: 24 November 2026."""
    if value is None:
        return ""
    if has_request_context() and i18n.language() != i18n.DEFAULT:
        return i18n.format_day(value)
    return f"{value.day} {value:%B %Y}"


def local_time(value: datetime) -> datetime:
    """Return a stored timestamp (UTC; naive ones are UTC too) in the UK's time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UK_TIME)


def format_time(value: datetime) -> str:
    """Return a time of day as GOV.UK writes it: 9am, 5:30pm, midday, midnight."""
    if (value.hour, value.minute) == (12, 0):
        return gettext("midday")
    if (value.hour, value.minute) == (0, 0):
        return gettext("midnight")
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    suffix = gettext("am") if value.hour < 12 else gettext("pm")
    return f"{hour}{minutes}{suffix}"


def format_datetime(value: datetime | None) -> str:
    """Return a timestamp as a date and time in the UK: 1 March 2026 at 9:05am."""
    if value is None:
        return ""
    local = local_time(value)
    return gettext("%(day)s at %(time)s", day=format_date(local), time=format_time(local))


def device_words(user_agent: str | None) -> str:
    """Return a browser's description in words, such as "Firefox on Windows"."""
    text = user_agent or ""
    browsers = (
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    )
    systems = (
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "Mac"),
        ("CrOS", "Chromebook"),
        ("Linux", "Linux"),
    )
    browser = next((name for marker, name in browsers if marker in text), None)
    system = next((name for marker, name in systems if marker in text), None)
    if browser is None:
        return gettext("A browser on %(system)s", system=system) if system else gettext("A browser")
    return (
        gettext("%(browser)s on %(system)s", browser=browser, system=system) if system else browser
    )


def words_from_iso(value: str | None) -> str:
    """Return an ISO date or timestamp (as the family's download holds them) in words.

    "2026-03-03" becomes "3 March 2026"; "2026-03-03T14:05:00+00:00" becomes
    "3 March 2026 at 2:05pm" (the download's timestamps are already in Europe/London time).
    """
    if not value:
        return ""
    if "T" in value:
        return format_datetime(datetime.fromisoformat(value))
    return format_date(date.fromisoformat(value))


def period_words(period) -> str:
    """Return a value and its dates in words, in the page's language: "EHC plan since 3 March
    2026"."""
    what = gettext(period.label) if period.label else period.label
    if period.until is None:
        return gettext("%(what)s since %(day)s", what=what, day=format_date(period.since))
    return gettext(
        "%(what)s from %(start)s to %(end)s",
        what=what,
        start=format_date(period.since),
        end=format_date(period.until),
    )


NAVIGATION = {
    "family": [("family.home", N_("My goals"))],
    "practitioner": [
        ("practitioner.home", N_("Caseload")),
        ("practitioner.add_child", N_("Add a child")),
    ],
    "manager": [("manager.home", N_("Outcomes")), ("admin.children", N_("Key workers"))],
    "admin": [
        ("admin.home", N_("Area set-up")),
        ("admin.children", N_("Children")),
        ("staff.index", N_("Staff")),
        ("admin.import_file", N_("Import")),
        ("admin.audit_trail", N_("Audit trail")),
    ],
}


@dataclass(frozen=True)
class NavigationItem:
    """A link in the service navigation."""

    href: str
    text: str


def navigation_items() -> list[NavigationItem]:
    """Return the signed-in user's menu, by role."""
    if not current_user.is_authenticated:
        return []
    return [
        NavigationItem(url_for(endpoint), gettext(text))
        for endpoint, text in NAVIGATION.get(current_user.role, [])
    ]


@pass_context
def translated(context, text):
    """Return some of the service's own words in the page's language (as they are if unknown).

    It takes the context only so that Jinja never works it out once, when the template is
    compiled, for words written in the template: that would fix the first page's language.
    """
    return gettext(text) if isinstance(text, str) and text else text


def translated_label(mapping, code) -> str:
    """Return a code's label in the page's language."""
    words = vocabulary.label(mapping, code)
    return gettext(words) if words else words


def init_app(app: Flask) -> None:
    """Install the template loaders, filters and globals."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.template_folder),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.jinja_env.filters.update(
        score=scoring.format_score,
        change=scoring.format_change,
        band_words=scoring.describe_band,
        govuk_date=format_date,
        govuk_datetime=format_datetime,
        device_words=device_words,
        period_words=period_words,
        words=words_from_iso,
        # The service's own words held in Python (labels, scale words), in the page's language.
        t=translated,
    )
    app.jinja_env.globals.update(
        vocabulary=vocabulary,
        label=translated_label,
        navigation_items=navigation_items,
        policy=policy,
        scoring=scoring,
    )

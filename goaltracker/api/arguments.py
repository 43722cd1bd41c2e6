"""The query parameters of the API's reports, checked: a bad value names its parameter."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from goaltracker.models import Area
from goaltracker.reports import compute
from goaltracker.vocabulary import AGE_BANDS, OTHER_AGE_BAND, PRIMARY_NEEDS, RATERS

FORMATS = ("json", "csv")
EVERY = ("quarter", "month")
FILTERS = ("organisation", "age_band", "primary_need", "ehcp", "rater")
REPORT_PARAMETERS = ("as_at", "by", *FILTERS, "format")
TREND_PARAMETERS = ("every", "by", *FILTERS, "format")
# Parameter → the values it takes, for the API's description and its error messages.
CHOICES: dict[str, tuple[str, ...]] = {
    "by": compute.BREAKDOWNS,
    "age_band": (*AGE_BANDS, OTHER_AGE_BAND),
    "primary_need": PRIMARY_NEEDS,
    "ehcp": ("yes", "no"),
    "rater": RATERS,
    "format": FORMATS,
    "every": EVERY,
}


class BadArgument(ValueError):
    """A query parameter the API cannot use, with its name."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReportArguments:
    """What a report or trend was asked for."""

    as_at: date | None
    by: str | None
    filters: compute.ReportFilters
    format: str
    every: str


def _choice(args: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    value = args.get(name, "").strip()
    if not value:
        return default
    if value not in CHOICES[name]:
        raise BadArgument(name, f"{name} must be one of {', '.join(CHOICES[name])}")
    return value


def _as_at(args: Mapping[str, str], today: date) -> date | None:
    value = args.get("as_at", "").strip()
    if not value:
        return None
    try:
        as_at = date.fromisoformat(value)
    except ValueError:
        raise BadArgument("as_at", "as_at must be a date written YYYY-MM-DD") from None
    if len(value) != 10:
        raise BadArgument("as_at", "as_at must be a date written YYYY-MM-DD")
    if as_at > today:
        raise BadArgument("as_at", "as_at must be today or in the past")
    return as_at


def _organisation(args: Mapping[str, str], area: Area) -> int | None:
    value = args.get("organisation", "").strip()
    if not value:
        return None
    known = {str(organisation.id): organisation.id for organisation in area.organisations}
    if value not in known:
        raise BadArgument(
            "organisation", "organisation must be the number of one of the area's organisations"
        )
    return known[value]


def report_arguments(
    args: Mapping[str, str], area: Area, today: date, *, allowed: tuple[str, ...]
) -> ReportArguments:
    """Read a report's parameters; raise BadArgument for the first that is wrong."""
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise BadArgument(
            unknown[0], f"Unknown parameter {unknown[0]}; this address takes {', '.join(allowed)}"
        )
    ehcp = _choice(args, "ehcp")
    filters = compute.ReportFilters(
        organisation=_organisation(args, area),
        age_band=_choice(args, "age_band"),
        primary_need=_choice(args, "primary_need"),
        ehcp=None if ehcp is None else ehcp == "yes",
        rater=_choice(args, "rater"),
    )
    return ReportArguments(
        as_at=_as_at(args, today) if "as_at" in allowed else None,
        by=_choice(args, "by"),
        filters=filters,
        format=_choice(args, "format", "json"),
        every=_choice(args, "every", "quarter") if "every" in allowed else "quarter",
    )

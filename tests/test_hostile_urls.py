"""Junk in every path parameter and every query-string parameter of every route, for every kind
of person: never a 5xx (except 503), never a traceback, and nothing written when refused.

The parameters each view reads are found in the code (`request.args.get("…")` and the fields of
forms read from the query string), so a new parameter is fuzzed without anyone adding it here.
"""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from goaltracker.admin.forms import AuditSearchForm
from goaltracker.extensions import db
from goaltracker.forms import DateField
from goaltracker.manager.forms import DashboardForm
from tests import factories

PACKAGE = Path(__file__).resolve().parents[1] / "goaltracker"
QUERY_FORMS = (DashboardForm, AuditSearchForm)


def query_parameters() -> list[str]:
    """Return every query-string parameter a view reads, from the code and the GET forms."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        names.update(re.findall(r'request\.args\.get\(\s*"(\w+)"', text))
        names.update(re.findall(r'(?:whole_number|text)_argument\(\s*"(\w+)"', text))
        if "page_number()" in text:
            names.add("page")
    for form in QUERY_FORMS:
        for name, value in vars(form).items():
            if hasattr(value, "field_class"):
                names.add(name)
                if issubclass(value.field_class, DateField):  # three boxes
                    names.update(f"{name}-{part}" for part in ("day", "month", "year"))
    return sorted(names | {"next", "kind", "token"})


JUNK = [
    "",
    " ",
    "\t",
    "%20",
    "abc",
    "-1",
    "0",
    "1",
    "2",
    "99999999999999999999",
    "9" * 400,
    "-99999999999999999999",
    "1e309",
    "NaN",
    "sNaN",
    "Infinity",
    "inf",
    "-inf",
    "0x10",
    "1.5",
    "１２",  # full-width digits
    "2026-02-30",
    "<script>alert(1)</script>",
    "'; DROP TABLE child; --",
    "\x0b\x0c\x1f",
    "\u202e",
    "😀" * 50,
    "x" * 5000,
    "../../etc/passwd",
    "//evil.example",
    "javascript:alert(1)",
]
VALUE = st.one_of(st.sampled_from(JUNK), st.text(max_size=40), st.integers().map(str))
# The values every parameter and field gets in the systematic sweeps: one of each kind of junk.
SWEEP = [
    " ",
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "sNaN",
    "１２",
    "2026-02-30",
    "<script>alert(1)</script>",
    "\x0b\x1f",
    "x" * 5000,
]


def path_values(rule) -> st.SearchStrategy:
    """Draw values for a rule's path parameters: huge, negative, zero or junk."""
    strategies = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        if "Integer" in converter or "Id" in converter:
            strategies[name] = st.sampled_from(
                [0, 1, 2, 3, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**20, 10**400]
            )
        elif "Any" in converter:
            strategies[name] = st.sampled_from([*sorted(rule._converters[name].items), "exe"])
        else:
            strategies[name] = st.sampled_from(JUNK[1:] + ["ALL", "TEST", "HEALTHY"])
    return st.fixed_dictionaries(strategies)


def row_count() -> int:
    """Return the number of rows in every table (one query), to see whether anything was written."""
    counts = [
        select(func.count()).select_from(table).scalar_subquery()
        for table in db.metadata.sorted_tables
    ]
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    value = db.session.scalar(select(total))
    db.session.rollback()
    return value


def rules(app) -> list:
    """Return every rule of the app but static files, with its methods."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: rule.rule,
    )


def build(rule, values: dict) -> str:
    """Build a URL with any values, bypassing the converters' own checks."""
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    return path


def check(response, refused_changed_nothing: bool, label) -> None:
    """The oracle: no server error but 503, no traceback, nothing written when refused."""
    body = response.get_data()  # downloads are bytes
    assert response.status_code < 500 or response.status_code == 503, label
    assert b"Traceback" not in body, label
    assert refused_changed_nothing, label


@pytest.mark.parametrize("actor", ["anonymous", "parent", "key_worker", "manager", "admin"])
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_junk_in_any_url_breaks_any_route(app, client, auth, world, actor, data):
    if actor != "anonymous":
        auth.sign_in(getattr(world, actor), factories.PASSWORD)
    names = query_parameters()
    for rule in rules(app):
        path = build(rule, data.draw(path_values(rule), label=rule.endpoint))
        query = data.draw(st.dictionaries(st.sampled_from(names), VALUE, max_size=6), label="query")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            before = row_count()
            response = client.open(path, method=method, query_string=query)
            changed = row_count() != before
            check(
                response, not (400 <= response.status_code < 500 and changed), (method, path, query)
            )


@pytest.mark.parametrize("actor", ["anonymous", "parent", "key_worker", "manager", "admin"])
def test_every_junk_value_in_every_query_parameter_of_every_route(app, client, auth, world, actor):
    # Systematic where the test above is random: each junk value in every parameter at once.
    if actor != "anonymous":
        auth.sign_in(getattr(world, actor), factories.PASSWORD)
    names = query_parameters()
    values = factories.route_values(world)
    for rule in rules(app):
        if "GET" not in rule.methods:
            continue
        path = factories.build_url(rule, world) if rule.arguments <= values.keys() else None
        for junk in SWEEP:
            response = client.get(path, query_string=dict.fromkeys(names, junk))
            check(response, True, (path, junk))


def form_fields() -> list[str]:
    """Return the name of every field of every form of the service."""
    from flask_wtf import FlaskForm

    import goaltracker

    for path in PACKAGE.rglob("forms.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        __import__(module)
    names = set()
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if form.__module__.startswith(goaltracker.__name__):
            for name in dir(form):
                value = getattr(form, name, None)
                if hasattr(value, "field_class"):
                    names.add(name)
                    if issubclass(value.field_class, DateField):
                        names.update(f"{name}-{part}" for part in ("day", "month", "year"))
    return sorted(names)


@pytest.mark.parametrize("actor", ["parent", "key_worker", "admin", "manager"])
def test_every_junk_value_in_every_field_of_every_form(app, client, auth, world, actor):
    auth.sign_in(getattr(world, actor), factories.PASSWORD)
    names = form_fields() + [f"performance_{world.goal.id}", f"satisfaction_{world.goal.id}"]
    for rule in rules(app):
        if "POST" not in rule.methods or rule.endpoint == "auth.sign_out":
            continue
        path = factories.build_url(rule, world)
        for junk in SWEEP:
            before = row_count()
            response = client.post(path, data=dict.fromkeys(names, junk))
            changed = row_count() != before
            check(response, not (400 <= response.status_code < 500 and changed), (path, junk))
            # Signed out by an end-session or password form? Sign in again for the next.
            if client.get("/account/").status_code != 200:
                auth.sign_in(getattr(world, actor), factories.PASSWORD)


def test_every_query_parameter_is_found(app):
    names = query_parameters()
    for expected in ("page", "sort", "show", "area", "by", "organisation", "as_at-day", "rater"):
        assert expected in names

"""The API under /api/v1: tokens and their scopes, the protected feed, its description, and
problem documents for every refusal."""

import csv
import io
import json
import re
from datetime import date, timedelta

import jsonschema
import pytest
from sqlalchemy import select

from goaltracker.api import arguments, openapi, tokens
from goaltracker.extensions import db
from goaltracker.manager.forms import last_quarter_end
from goaltracker.models import ApiToken, AuditEvent, utcnow
from goaltracker.reports import formats, outcome_reports
from tests import factories

PROBLEM = "application/problem+json"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def issue(world, scopes=(tokens.REPORTS_READ,), **fields) -> tuple[ApiToken, str]:
    """Issue a token of the world's area, committed (records:read for the health service)."""
    fields.setdefault("organisation", world.health if tokens.RECORDS_READ in scopes else None)
    return factories.issue_api_key(world, scopes, **fields)


@pytest.fixture
def rated(world):
    """The world's area with twelve children rated twice under its outcome."""
    factories.make_rated_children(world, 12, date(2026, 1, 10), lambda number: (3 + number % 6, 4))
    return world


# The token's life ----------------------------------------------------------------------------


def test_a_token_is_shown_once_and_kept_only_as_its_hash(world):
    token, secret = issue(world)
    assert secret.startswith(tokens.PREFIX) and len(secret) > 40
    stored = db.session.execute(select(ApiToken.__table__)).one()._asdict()
    assert secret not in json.dumps(stored, default=str)
    assert token.hint == secret[: tokens.HINT_LENGTH]
    assert tokens.find(db.session, secret) is token
    assert tokens.find(db.session, secret + "x") is None
    assert tokens.find(db.session, "not-a-key") is None


def test_a_revoked_or_expired_token_stops_working(world):
    token, secret = issue(world, days=1)
    assert tokens.find(db.session, secret, now=utcnow() + timedelta(hours=23)) is token
    assert tokens.find(db.session, secret, now=utcnow() + timedelta(days=1, minutes=1)) is None
    tokens.revoke(token)
    db.session.commit()
    assert tokens.find(db.session, secret) is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["records:write"]}, "scopes"),
        ({"scopes": [tokens.RECORDS_READ], "organisation": None}, "organisation"),
        ({"days": 0}, "days"),
        ({"days": tokens.DAYS_MOST + 1}, "days"),
    ],
)
def test_a_token_is_refused_with_the_field_at_fault(world, fields, field):
    asked = {"name": "Feed", "scopes": [tokens.REPORTS_READ], "days": 30, **fields}
    with pytest.raises(tokens.TokenError) as refused:
        tokens.issue(db.session, world.area, issued_by=world.admin, **asked)
    assert refused.value.field == field


def test_records_read_is_for_one_of_the_areas_own_organisations(world):
    other = factories.make_organisation(world.other_area, "Far Away", "health")
    with pytest.raises(tokens.TokenError):
        tokens.issue(
            db.session,
            world.area,
            name="Feed",
            scopes=[tokens.RECORDS_READ],
            days=30,
            issued_by=world.admin,
            organisation=other,
        )


# Who gets what -------------------------------------------------------------------------------


def api_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]


# endpoint → status per kind of caller. Cookies never sign anyone in here.
CALLERS = ("none", "unknown", "revoked", "expired", "reports", "records", "signed_in_manager")
REFUSED = {"none": 401, "unknown": 401, "revoked": 401, "expired": 401, "signed_in_manager": 401}
API_RULES = {
    "api.description": dict.fromkeys(CALLERS, 200),
    "api.outcomes": REFUSED | {"reports": 200, "records": 403},
    "api.report": REFUSED | {"reports": 200, "records": 403},
    "api.trend": REFUSED | {"reports": 200, "records": 403},
    # The world's child's key worker is of the health organisation, the records key's own.
    "api.child_goals": REFUSED | {"reports": 403, "records": 200},
}


def test_every_api_route_has_a_rule(app):
    assert {rule.endpoint for rule in api_rules(app)} == API_RULES.keys()


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", sorted(API_RULES))
def test_api_access(app, client, auth, world, endpoint, caller):
    headers = {}
    if caller == "signed_in_manager":
        auth.sign_in(world.manager)
    elif caller == "unknown":
        headers = bearer(tokens.PREFIX + "no-such-key")
    elif caller != "none":
        scopes = {
            "reports": [tokens.REPORTS_READ],
            "records": [tokens.RECORDS_READ],
        }.get(caller, list(tokens.SCOPES))
        token, secret = issue(world, scopes=scopes)
        if caller == "revoked":
            tokens.revoke(token)
        if caller == "expired":
            token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        headers = bearer(secret)
    rule = next(rule for rule in api_rules(app) if rule.endpoint == endpoint)
    values = {"code": "ALL", "reference": world.child.reference}
    response = client.get(
        rule.build({name: values[name] for name in rule.arguments})[1], headers=headers
    )
    expected = API_RULES[endpoint][caller]
    assert response.status_code == expected
    assert "Set-Cookie" not in response.headers
    if expected >= 400:
        assert response.mimetype == PROBLEM
        problem = response.get_json()
        assert problem["status"] == expected and problem["title"]
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_browsers_cookie_is_neither_read_nor_set_and_no_cross_origin_access(client, auth, world):
    auth.sign_in(world.manager)
    _, secret = issue(world)
    response = client.get(
        "/api/v1/outcomes", headers={**bearer(secret), "Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert not any(name.startswith("Access-Control-") for name in response.headers.keys())
    # A signed-in browser without a key is refused, not sent to a sign-in page.
    refused = client.get("/api/v1/reports/outcomes")
    assert refused.status_code == 401 and "Location" not in refused.headers


def test_each_use_is_audited_with_the_token_and_its_last_use_kept(client, world):
    token, secret = issue(world)
    assert (
        client.get("/api/v1/reports/outcomes?by=rater", headers=bearer(secret)).status_code == 200
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_read"))
    assert event.detail["token"] == token.id and event.detail["by"] == "rater"
    assert event.user_id is None and event.area_id == world.area.id
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_requests_beyond_the_limit_are_refused_with_a_problem(app, client, world):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    _, secret = issue(world)
    answers = [client.get("/api/v1/outcomes", headers=bearer(secret)) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].mimetype == PROBLEM
    # Another key has its own count.
    _, second = issue(world, name="Excel")
    assert client.get("/api/v1/outcomes", headers=bearer(second)).status_code == 200


# The feed: the dashboard's figures, never exact ------------------------------------------------


def test_the_feed_is_the_dashboards_protected_report(client, auth, rated):
    _, secret = issue(rated)
    query = "by=rater&ehcp=no"
    data = client.get(f"/api/v1/reports/outcomes?{query}", headers=bearer(secret)).get_json()
    auth.sign_in(rated.manager)
    dashboard = json.loads(client.get(f"/manager/export.json?{query}").data)
    assert data == dashboard
    as_at = last_quarter_end(date.today())
    expected = outcome_reports.outcomes_report(
        db.session, rated.area, as_at, by="rater", filters={"ehcp": False}
    )
    assert data == formats.report_to_json_dict(expected)
    exact = outcome_reports.exact_outcomes_report(
        db.session, rated.area, as_at, by="rater", filters={"ehcp": False}
    )
    assert data != formats.report_to_json_dict(exact)  # rounded and suppressed, never exact


def test_the_feed_as_csv_for_a_date(client, rated):
    _, secret = issue(rated)
    response = client.get(
        "/api/v1/reports/outcomes?as_at=2026-02-01&format=csv", headers=bearer(secret)
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    expected = outcome_reports.outcomes_report(db.session, rated.area, date(2026, 2, 1))
    assert response.get_data(as_text=True) == formats.report_to_csv(expected)


@pytest.mark.parametrize("every", ["quarter", "month"])
def test_the_trend_feed_is_the_trend_pages_protected_points(client, rated, every):
    from goaltracker import dashboard

    _, secret = issue(rated)
    data = client.get(
        f"/api/v1/reports/trend/HEALTHY?every={every}", headers=bearer(secret)
    ).get_json()
    days = dashboard.TREND_PERIODS[every][0](date.today())
    points = outcome_reports.trend(db.session, rated.area, "HEALTHY", days)
    assert len(data["points"]) == len(days) == (8 if every == "quarter" else 24)
    assert (data["area"], data["outcome"], data["every"], data["by"]) == (
        "TEST",
        "HEALTHY",
        every,
        None,
    )
    assert [point["as_at"] for point in data["points"]] == [day.isoformat() for day in days]
    for point, expected in zip(data["points"], points, strict=True):
        assert point["rows"] == [
            formats.row_to_json_dict(row, exact=False) for row in expected.rows
        ]
    as_csv = client.get(
        f"/api/v1/reports/trend/HEALTHY?every={every}&format=csv", headers=bearer(secret)
    )
    table = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True))))
    assert table[0][:3] == ["as_at", "outcome", "group"]
    assert len(table) == 1 + len(days)


# Bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("as_at=2026-13-01", "as_at"),
        ("as_at=yesterday", "as_at"),
        (f"as_at={(date.today() + timedelta(days=1)).isoformat()}", "as_at"),
        ("by=colour", "by"),
        ("organisation=abc", "organisation"),
        ("organisation=999999", "organisation"),
        ("age_band=5-9", "age_band"),
        ("primary_need=XYZ", "primary_need"),
        ("ehcp=maybe", "ehcp"),
        ("rater=teacher", "rater"),
        ("format=xml", "format"),
        ("colour=blue", "colour"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, world, query, field):
    _, secret = issue(world)
    response = client.get(f"/api/v1/reports/outcomes?{query}", headers=bearer(secret))
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert response.get_json()["field"] == field
    assert field in response.get_json()["detail"]


def test_unknown_addresses_outcomes_and_methods_are_problems(client, world):
    _, secret = issue(world)
    missing = client.get("/api/v1/reports/trend/NOPE", headers=bearer(secret))
    assert missing.status_code == 404 and missing.get_json()["field"] == "code"
    assert client.get("/api/v1/nothing-here").mimetype == PROBLEM
    posted = client.post("/api/v1/reports/outcomes", headers=bearer(secret))
    assert posted.status_code == 405 and posted.mimetype == PROBLEM
    assert "GET" in posted.headers["Allow"]


JUNK = ["", " ", "-1", "0", "2**63", "1e309", "NaN", "%00", "<script>", "x" * 5000, "😀", "ALL"]


def test_every_junk_value_in_every_api_parameter_and_key(client, world):
    _, secret = issue(world)
    names = sorted({*arguments.REPORT_PARAMETERS, *arguments.TREND_PARAMETERS})
    for path in ("/api/v1/reports/outcomes", "/api/v1/reports/trend/ALL", "/api/v1/outcomes"):
        for junk in JUNK:
            response = client.get(
                path, query_string=dict.fromkeys(names, junk), headers=bearer(secret)
            )
            assert response.status_code in (200, 400), (path, junk)
            if response.status_code == 400:
                assert response.mimetype == PROBLEM
            for header in (f"Bearer {junk}", junk, f"Basic {junk}"):
                refused = client.get(path, headers={"Authorization": header})
                assert refused.status_code == 401 and refused.mimetype == PROBLEM


# The description -------------------------------------------------------------------------------


def documented_operations() -> list[tuple[str, str, dict]]:
    document = openapi.document()
    return [
        (path, method, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_the_description_is_served_and_is_valid_openapi(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.get_json() == openapi.document()
    document = served.get_json()
    assert document["openapi"].startswith("3.1")
    for _, _, operation in documented_operations():
        for parameter in operation.get("parameters", []):
            jsonschema.Draft202012Validator.check_schema(parameter["schema"])
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_api_route_is_documented_and_every_documented_path_exists(app):
    documented = {
        re.sub(r"\{(\w+)\}", r"<\1>", "/api/v1" + path) for path, _, _ in documented_operations()
    }
    routes = {rule.rule for rule in api_rules(app) if rule.endpoint != "api.description"}
    assert documented == routes


def _validator(schema: dict) -> jsonschema.Draft202012Validator:
    document = openapi.document()
    return jsonschema.Draft202012Validator(
        {**schema, "components": document["components"]},
    )


@pytest.mark.parametrize(("path", "method", "operation"), documented_operations())
def test_every_documented_answer_is_what_the_api_answers(client, rated, path, method, operation):
    records = tokens.RECORDS_READ in operation["security"][0]["apiKey"]
    scopes, other = (
        ([tokens.RECORDS_READ], [tokens.REPORTS_READ])
        if records
        else ([tokens.REPORTS_READ], [tokens.RECORDS_READ])
    )
    _, secret = issue(rated, scopes=scopes)
    url = "/api/v1" + path.replace("{code}", "HEALTHY").replace(
        "{reference}", rated.child.reference
    )
    parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
    query_parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    answers = {
        "200": client.open(url, method=method, headers=bearer(secret)),
        "401": client.open(url, method=method),
        "403": client.open(
            url, method=method, headers=bearer(issue(rated, scopes=other, name="Other")[1])
        ),
        "400": client.open(url, method=method, headers=bearer(secret), query_string={"zz": "1"}),
    }
    if "code" in parameters:
        answers["404"] = client.open(url.replace("HEALTHY", "NOPE"), headers=bearer(secret))
    if "reference" in parameters:
        answers["404"] = client.open(
            url.replace(rated.child.reference, "NOPE"), headers=bearer(secret)
        )
    assert set(answers) <= set(operation["responses"])
    for status, response in answers.items():
        assert response.status_code == int(status), (path, status)
        if status == "200":
            (media_type, content), *_ = operation["responses"]["200"]["content"].items()
            assert response.mimetype == media_type
            _validator(content["schema"]).validate(response.get_json())
        else:
            problem = openapi.document()["components"]["schemas"]["Problem"]
            _validator(problem).validate(response.get_json())
    if "format" in query_parameters:
        as_csv = client.open(
            url, method=method, headers=bearer(secret), query_string={"format": "csv"}
        )
        assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    # Each documented query parameter is one the API takes (a 400 names only unknown ones).
    for name in query_parameters:
        response = client.open(url, headers=bearer(secret), query_string={name: ""})
        assert response.status_code == 200, name


# The administrator's pages -----------------------------------------------------------------------


def test_an_administrator_issues_a_key_sees_it_once_and_revokes_it(client, auth, world):
    auth.sign_in(world.admin)
    page = client.get("/admin/api-keys")
    assert page.status_code == 200 and "No keys yet" in page.get_data(as_text=True)
    issued = client.post(
        "/admin/api-keys",
        data={"name": "Power BI board pack", "scopes": [tokens.REPORTS_READ], "days": "90"},
    )
    html = issued.get_data(as_text=True)
    secret = re.search(r'value="(gt_[^"]+)"', html).group(1)
    assert client.get("/api/v1/outcomes", headers=bearer(secret)).status_code == 200
    listing = client.get("/admin/api-keys").get_data(as_text=True)
    assert "Power BI board pack" in listing and secret not in listing
    assert secret[: tokens.HINT_LENGTH] in listing
    token = db.session.scalar(select(ApiToken))
    assert client.post(f"/admin/api-keys/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/outcomes", headers=bearer(secret)).status_code == 401
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("api_token_%"))
    ).all()
    assert sorted(actions) == ["api_token_issued", "api_token_revoked"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scopes": [tokens.REPORTS_READ], "days": "90"}, "Say what the key is for"),
        ({"name": "Feed", "days": "90"}, "Choose what the key may read"),
        (
            {"name": "Feed", "scopes": [tokens.RECORDS_READ], "days": "90"},
            "Choose the organisation",
        ),
        ({"name": "Feed", "scopes": [tokens.REPORTS_READ], "days": "9999"}, "from 1 to 366"),
        ({"name": "Feed", "scopes": [tokens.REPORTS_READ], "days": "soon"}, "days"),
    ],
)
def test_a_key_asked_for_wrongly_comes_back_with_the_error_and_what_was_typed(
    client, auth, world, data, message
):
    auth.sign_in(world.admin)
    response = client.post("/admin/api-keys", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    if data["name"]:
        assert f'value="{data["name"]}"' in html
    assert db.session.scalar(select(ApiToken)) is None


def test_an_administrator_cannot_revoke_another_areas_key(client, auth, world):
    token, secret = issue(world)
    auth.sign_in(world.other_area_admin)
    assert client.post(f"/admin/api-keys/{token.id}/revoke").status_code == 404
    assert tokens.find(db.session, secret) is token

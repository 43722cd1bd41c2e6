"""The API's routes: the protected outcomes report and trends for BI tools, one child's goals as
FHIR, and the document that describes them. Every answer but the description needs a key with
the right scope."""

from datetime import date
from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from goaltracker import audit, dashboard, downloads, fhir, policy
from goaltracker.api import arguments, openapi, tokens
from goaltracker.api.problems import ApiProblem
from goaltracker.extensions import db, limiter
from goaltracker.manager.forms import last_quarter_end
from goaltracker.models import ApiToken, Child, utcnow
from goaltracker.reports import formats, outcome_reports

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


def api_limit() -> str:
    """Return the configured limit on requests per token (or per address without one)."""
    return current_app.config["API_RATE_LIMIT"]


def rate_key() -> str:
    """Count a token's requests together, wherever they come from."""
    secret = _secret()
    return f"token:{ApiToken.hash_token(secret)}" if secret else f"address:{request.remote_addr}"


def _secret() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def needs(scope: str):
    """Let the view run only for a working token with this scope; record each use."""

    def decorator(view):
        @wraps(view)
        @limiter.limit(api_limit, key_func=rate_key)
        def wrapped(*args, **kwargs):
            token = tokens.find(db.session, _secret())
            if token is None:
                raise ApiProblem(
                    401, "Send a working API key in the header Authorization: Bearer <key>"
                )
            if scope not in token.scope_list:
                raise ApiProblem(403, f"This key may not read this: it needs the {scope} scope")
            token.last_used_at = utcnow()
            return view(token, *args, **kwargs)

        return wrapped

    return decorator


def _audit(token: ApiToken, **detail) -> None:
    """Record what a token read, and its last use, at once."""
    audit.record(
        "api_read",
        area_id=token.area_id,
        detail={"token": token.id, "token_name": token.name, "path": request.path, **detail},
    )
    audit.commit_view()


def _arguments(token: ApiToken, allowed: tuple[str, ...]) -> arguments.ReportArguments:
    try:
        return arguments.report_arguments(request.args, token.area, date.today(), allowed=allowed)
    except arguments.BadArgument as error:
        raise ApiProblem(400, str(error), field=error.field) from None


def _csv(body: str, *name_parts: str):
    """Answer with CSV as a file to download."""
    return downloads.download(body, "text/csv", *name_parts, extension="csv")


@blueprint.route("/openapi.json")
def description():
    """Describe the API (OpenAPI 3.1): no token needed to read what it offers."""
    return jsonify(openapi.document())


@blueprint.route("/outcomes")
@needs(tokens.REPORTS_READ)
def outcomes(token: ApiToken):
    """List the area's strategic outcomes."""
    _arguments(token, ())  # it takes no parameters: any is refused, by name
    _audit(token)
    return jsonify(
        {
            "area": token.area.code,
            "outcomes": [
                {"code": outcome.code, "title": outcome.title, "description": outcome.description}
                for outcome in token.area.outcomes
            ],
        }
    )


@blueprint.route("/reports/outcomes")
@needs(tokens.REPORTS_READ)
def report(token: ApiToken):
    """The protected outcomes report as at a date (the last quarter end unless asked)."""
    chosen = _arguments(token, arguments.REPORT_PARAMETERS)
    area = token.area
    as_at = chosen.as_at or last_quarter_end(date.today())
    result = outcome_reports.outcomes_report(
        db.session, area, as_at, by=chosen.by, filters=chosen.filters
    )
    _audit(token, as_at=as_at.isoformat(), by=chosen.by, filters=result.filters.applied())
    if chosen.format == "csv":
        return _csv(formats.report_to_csv(result), "outcomes", area.code, as_at.isoformat())
    return jsonify(formats.report_to_json_dict(result))


@blueprint.route("/reports/trend/<code>")
@needs(tokens.REPORTS_READ)
def trend(token: ApiToken, code: str):
    """One outcome's (or ALL's) protected rows at each of the last 8 quarter ends or 24 month
    ends."""
    chosen = _arguments(token, arguments.TREND_PARAMETERS)
    area = token.area
    if code not in dashboard.outcome_titles(area):
        raise ApiProblem(404, f"The area has no outcome with code {code}", field="code")
    choose_days = dashboard.TREND_PERIODS[chosen.every][0]
    days = choose_days(date.today())
    points = outcome_reports.trend(
        db.session, area, code, days, by=chosen.by, filters=chosen.filters
    )
    _audit(token, trend=code, every=chosen.every, by=chosen.by, filters=chosen.filters.applied())
    if chosen.format == "csv":
        return _csv(formats.trend_to_csv(points), "trend", area.code, code, chosen.every)
    return jsonify(
        formats.trend_to_json_dict(area.code, code, chosen.every, chosen.by, chosen.filters, points)
    )


@blueprint.route("/children/<reference>/goals")
@needs(tokens.RECORDS_READ)
def child_goals(token: ApiToken, reference: str):
    """One child's goals and ratings as a FHIR R4 Bundle, for the key's organisation: a child
    of its own, or one whose family shares the record with it."""
    _arguments(token, ())
    child = db.session.scalar(
        select(Child).where(Child.area_id == token.area_id, Child.reference == reference)
    )
    if child is None or not policy.organisation_can_see_child(
        token.organisation_id, token.area_id, child
    ):
        # Whether the child exists elsewhere is not told.
        raise ApiProblem(404, "No child with this reference is shared with the key's organisation")
    audit.record("record_downloaded", child=child, detail={"format": "fhir", "token": token.id})
    _audit(token, child_reference=reference)
    bundle = fhir.child_bundle(child, current_app.config["PUBLIC_URL"], utcnow())
    response = jsonify(bundle)
    response.mimetype = fhir.MEDIA_TYPE
    return response

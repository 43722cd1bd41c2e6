"""Errors of the API as problem documents (RFC 9457): JSON, never a page or a redirect."""

import json

from flask import Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PREFIX = "/api/"
MEDIA_TYPE = "application/problem+json"


def is_api_path(path: str) -> bool:
    """Return whether an address is the API's."""
    return path.startswith(PREFIX)


def is_api_request() -> bool:
    """Return whether the request is for the API."""
    return is_api_path(request.path)


def problem(status: int, title: str, detail: str = "", *, headers=None, **members) -> Response:
    """Return a problem document response; extra members (such as `field`) are added."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(members)
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_error(error: HTTPException) -> Response:
    """Return an HTTP error of the API as a problem document."""
    headers = {}
    if error.code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="goal-tracker"'
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = getattr(error, "detail_for_api", "") or ""
    members = getattr(error, "problem_members", {}) or {}
    return problem(error.code or 500, error.name, detail, headers=headers, **members)


class ApiProblem(HTTPException):
    """An HTTP error raised by the API with its detail and extra members."""

    def __init__(self, code: int, detail: str, **members):
        super().__init__(description=detail)
        self.code = code
        self.detail_for_api = detail
        self.problem_members = members

    @property
    def name(self) -> str:
        """The status's own name, such as Unauthorized, as the problem's title."""
        return HTTP_STATUS_CODES.get(self.code, "Error")

"""Files people download: one way to name them and to keep them out of shared caches."""

from flask import Response, make_response

from goaltracker import text


def download(body: str | bytes, mimetype: str, *name_parts: str, extension: str) -> Response:
    """Return a file to download, with a safe name and never stored by a cache on the way.

    The name is built from plain letters, digits, - and _, so a reference with a quote or a new
    line cannot break the header; personal data is never kept by a proxy or the browser's cache.
    """
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{text.filename(*name_parts, extension=extension)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response

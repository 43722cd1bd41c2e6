"""The OpenAPI 3.1 description of /api/v1, built from the same lists the API checks against."""

from goaltracker.api import arguments, tokens
from goaltracker.reports.columns import COLUMNS

VERSION = "1.0.0"
PROBLEM = {"$ref": "#/components/responses/Problem"}


def _parameter(name: str, description: str, *, where: str = "query", **schema) -> dict:
    schema = schema or {"type": "string"}
    if name in arguments.CHOICES and "enum" not in schema:
        schema["enum"] = list(arguments.CHOICES[name])
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


FILTER_PARAMETERS = [
    _parameter("by", "Break the rows down by one of these."),
    _parameter(
        "organisation",
        "Only children whose key worker is of this organisation (its number).",
        type="integer",
    ),
    _parameter("age_band", "Only children in this age band on the date."),
    _parameter("primary_need", "Only children with this primary need on the date."),
    _parameter("ehcp", "Only children with (yes) or without (no) an EHC plan on the date."),
    _parameter("rater", "Only this rater's view."),
    _parameter("format", "json (the default) or csv."),
]


def _row_schema() -> dict:
    properties: dict = {
        "outcome": {"type": "string"},
        "group": {"type": ["string", "null"]},
        "suppressed": {"type": "array", "items": {"type": "string"}},
    }
    for column in COLUMNS:
        properties[column.name] = {
            "type": ["number", "null"],
            "description": f"{column.label}: {column.description}",
        }
    return {"type": "object", "properties": properties, "required": list(properties)}


def _answers(schema_name: str, *, csv: bool = True) -> dict:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    return {
        "200": {"description": "The figures, protected as on the dashboard.", "content": content},
        "400": PROBLEM,
        "401": PROBLEM,
        "403": PROBLEM,
        "429": PROBLEM,
    }


def document() -> dict:
    """Return the OpenAPI document."""
    security = [{"apiKey": [tokens.REPORTS_READ]}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Goal Tracker API",
            "version": VERSION,
            "description": (
                "Protected outcome figures for an area's BI tools. Every figure passes the same "
                "small-number protection as the managers' dashboard: counts are rounded and "
                "small ones suppressed ([c] in CSV, listed in each row's 'suppressed'). Exact "
                "figures are never served. Send the key an administrator issued in the header "
                "Authorization: Bearer <key>."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/outcomes": {
                "get": {
                    "operationId": "listOutcomes",
                    "summary": "The area's strategic outcomes",
                    "security": security,
                    "responses": {
                        **_answers("Outcomes", csv=False),
                    },
                }
            },
            "/reports/outcomes": {
                "get": {
                    "operationId": "outcomesReport",
                    "summary": "The outcomes report as at a date",
                    "security": security,
                    "parameters": [
                        _parameter(
                            "as_at",
                            "The report's date, YYYY-MM-DD; the last quarter end unless given.",
                            type="string",
                            format="date",
                        ),
                        *FILTER_PARAMETERS,
                    ],
                    "responses": _answers("Report"),
                }
            },
            "/reports/trend/{code}": {
                "get": {
                    "operationId": "outcomeTrend",
                    "summary": "One outcome's figures at each of the last quarter or month ends",
                    "security": security,
                    "parameters": [
                        _parameter("code", "The outcome's code, or ALL.", where="path"),
                        _parameter("every", "quarter (8 points, the default) or month (24)."),
                        *FILTER_PARAMETERS,
                    ],
                    "responses": {**_answers("Trend"), "404": PROBLEM},
                }
            },
            "/children/{reference}/goals": {
                "get": {
                    "operationId": "childGoals",
                    "summary": "One child's goals and ratings as a FHIR R4 Bundle",
                    "description": "For a key with records:read: a child of the key's "
                    "organisation, or one whose family shares the record with it. The child is "
                    "a Patient (reference, name, date of birth), each goal a Goal in the "
                    "family's words, each rating two Observations (performance and "
                    "satisfaction, 1 to 10) whose focus is the goal.",
                    "security": [{"apiKey": [tokens.RECORDS_READ]}],
                    "parameters": [
                        _parameter("reference", "The child's reference in the area.", where="path")
                    ],
                    "responses": {
                        "200": {
                            "description": "A FHIR R4 Bundle of type collection.",
                            "content": {
                                "application/fhir+json": {
                                    "schema": {"$ref": "#/components/schemas/Bundle"}
                                }
                            },
                        },
                        "400": PROBLEM,
                        "401": PROBLEM,
                        "403": PROBLEM,
                        "404": PROBLEM,
                        "429": PROBLEM,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Scopes: "
                    + "; ".join(f"{scope}: {words}" for scope, words in tokens.SCOPES.items()),
                }
            },
            "responses": {
                "Problem": {
                    "description": "What went wrong (RFC 9457); for a bad parameter, its name.",
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "field": {"type": "string"},
                    },
                    "required": ["type", "title", "status"],
                },
                "Row": _row_schema(),
                "Bundle": {
                    "type": "object",
                    "description": "A FHIR R4 Bundle (https://hl7.org/fhir/R4/bundle.html).",
                    "properties": {
                        "resourceType": {"const": "Bundle"},
                        "type": {"const": "collection"},
                        "timestamp": {"type": "string"},
                        "entry": {"type": "array", "items": {"type": "object"}},
                    },
                    "required": ["resourceType", "type", "entry"],
                },
                "Outcomes": {
                    "type": "object",
                    "properties": {
                        "area": {"type": "string"},
                        "outcomes": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "string"},
                                    "title": {"type": "string"},
                                    "description": {"type": "string"},
                                },
                                "required": ["code", "title", "description"],
                            },
                        },
                    },
                    "required": ["area", "outcomes"],
                },
                "Report": {
                    "type": "object",
                    "properties": {
                        "area": {"type": "string"},
                        "as_at": {"type": "string", "format": "date"},
                        "suppression_threshold": {"type": "integer"},
                        "by": {"type": ["string", "null"]},
                        "filters": {"type": "object"},
                        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
                    },
                    "required": ["area", "as_at", "suppression_threshold", "by", "rows"],
                },
                "Trend": {
                    "type": "object",
                    "properties": {
                        "area": {"type": "string"},
                        "outcome": {"type": "string"},
                        "every": {"type": "string", "enum": list(arguments.EVERY)},
                        "by": {"type": ["string", "null"]},
                        "filters": {"type": "object"},
                        "points": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "as_at": {"type": "string", "format": "date"},
                                    "rows": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Row"},
                                    },
                                },
                                "required": ["as_at", "rows"],
                            },
                        },
                    },
                    "required": ["area", "outcome", "every", "by", "points"],
                },
            },
        },
    }

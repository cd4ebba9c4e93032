"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json (tests check every route is in it
and every response matches it)."""

from __future__ import annotations

from typing import Any

from engage.api.values import MAX_ITEMS
from engage.config import SUPPORTED_LOCALES
from engage.indicators.rows import MAX_COMMENTARY, MAX_PERIOD
from engage.weights.exports import CSV_COLUMNS, VERSION_COLUMNS

#: Text with something in it besides white space, as Python's str.strip() counts it (the API's own check).
#: JSON Schema's \\s is ECMAScript's, which leaves out U+001C-U+001F and U+0085, so those are named too.
TEXT = {"type": "string", "minLength": 1, "maxLength": 300, "pattern": "[^\\s\\u001c-\\u001f\\u0085]"}
NUMBER_OR_NULL = {"type": ["number", "null"]}
STRING_OR_NULL = {"type": ["string", "null"]}
STANDING = {
    "type": "string",
    "enum": ["decided", "advisory"],
    "description": "decided: a partnership board's decision, signed off by an accountable member; "
    "advisory: a network's advice (or published before sign-off existed). Kept as published when a "
    "board's kind changes.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


def _json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": _json_response("No token, or a token that is unknown or revoked", _ref("Error")),
    "403": _json_response("The token's organisation does not sit on this board", _ref("Error")),
    "404": _json_response("No such board or version", _ref("Error")),
}

SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The board's slug, e.g. health-and-wellbeing",
}

#: The languages besides English that officers translate into (the weights carry each priority title's).
OTHER_LOCALES = [code for code in SUPPORTED_LOCALES if code != "en"]
TRANSLATED_TITLES = [f"priority_title_{code}" for code in OTHER_LOCALES]
WEIGHT_FIELDS = [c for c in CSV_COLUMNS if c not in VERSION_COLUMNS] + TRANSLATED_TITLES


def _translations(fields: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Officers' translations beside the English, per language code (cy, ur, pl): only "
        "the texts translated so far",
        "properties": {
            code: {"type": "object", "properties": {f: {"type": "string"} for f in fields}, "required": []}
            for code in OTHER_LOCALES
        },
        "required": OTHER_LOCALES,
    }


SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "problems": {
                        "type": "array",
                        "description": "For a 422: each value with problems (its index in the list sent)",
                        "items": _object(
                            {
                                "item": {"type": "integer"},
                                "problems": {"type": "array", "items": {"type": "string"}},
                            }
                        ),
                    },
                },
                ["status", "message"],
            )
        }
    ),
    "IndicatorValue": {
        **_object(
            {
                "board": {**TEXT, "description": "The board's short code, e.g. HWB"},
                "priority_code": {**TEXT, "description": "The priority's code, e.g. HWB-ACTIVE"},
                "reference": {**TEXT, "description": "The indicator's reference, e.g. NI 8"},
                "period": {**TEXT, "maxLength": MAX_PERIOD, "description": "As your system writes it"},
                "actual": {"type": "number", "minimum": -1e15, "maximum": 1e15},
                "target": {
                    "type": ["number", "null"],
                    "minimum": -1e15,
                    "maximum": 1e15,
                    "description": "Leave it out to keep the target held for the period; null clears it",
                },
                "polarity": {
                    "type": "string",
                    "enum": ["Higher is better", "Lower is better", "higher", "lower"],
                },
                "status": {
                    "type": ["string", "null"],
                    "enum": ["Red", "Amber", "Green", "red", "amber", "green", None],
                },
                "commentary": {"type": ["string", "null"], "maxLength": MAX_COMMENTARY},
            },
            ["board", "priority_code", "reference", "period", "actual", "polarity"],
        ),
        "additionalProperties": False,
    },
    "ValuesSent": {
        **_object(
            {
                "values": {
                    "type": "array",
                    "items": _ref("IndicatorValue"),
                    "minItems": 1,
                    "maxItems": MAX_ITEMS,
                }
            }
        ),
        "additionalProperties": False,
    },
    "ValuesSaved": _object(
        {
            "values": {
                "type": "array",
                "items": _object(
                    {
                        "board": {"type": "string"},
                        "priority_code": {"type": "string"},
                        "reference": {"type": "string"},
                        "period": {"type": "string"},
                        "result": {"type": "string", "enum": ["added", "updated", "unchanged"]},
                    }
                ),
            },
            "added": {"type": "integer"},
            "updated": {"type": "integer"},
            "unchanged": {"type": "integer"},
        }
    ),
    "BoardSummary": _object(
        {
            "slug": {"type": "string"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["partnership", "network"]},
            "translations": _translations(["name", "remit"]),
            "links": _object(
                {
                    "priorities": {"type": "string"},
                    "weights": {"type": "string"},
                    "latest_weights": {"type": "string"},
                }
            ),
        }
    ),
    "Priority": _object(
        {
            "code": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "archived"]},
            "translations": _translations(["title", "description"]),
        }
    ),
    "Weight": _object(
        {
            "priority_code": {"type": "string"},
            "priority_title": {"type": "string"},
            "weight": {
                **NUMBER_OR_NULL,
                "description": "Share of importance, 0 to 1; null when no source covered it",
            },
            "weight_low": NUMBER_OR_NULL,
            "weight_high": NUMBER_OR_NULL,
            "rank": {"type": ["integer", "null"]},
            "respondents": {"type": "integer"},
            **{
                name: {
                    **STRING_OR_NULL,
                    "description": "The priority title in that language; null when untranslated",
                }
                for name in TRANSLATED_TITLES
            },
        },
        WEIGHT_FIELDS,
    ),
    "Decision": _object(
        {
            "decided_at": {"type": "string", "format": "date-time"},
            "decided_by": {"type": "string", "description": "The accountable member's name"},
            "decided_by_role": {"type": "string", "description": "Their role on the board, e.g. Chair"},
            "minute_reference": {"type": "string", "description": "The meeting or minute reference"},
        }
    ),
    "WeightSet": _object(
        {
            "board": _object(
                {"slug": {"type": "string"}, "code": {"type": "string"}, "name": {"type": "string"}}
            ),
            "version": {"type": "integer"},
            "status": {"type": "string", "enum": ["published", "withdrawn"]},
            "standing": STANDING,
            "decision": {
                "oneOf": [{"type": "null"}, _ref("Decision")],
                "description": "Who decided, when and the minute; null for advisory weights",
            },
            "published_at": {"type": "string", "format": "date-time"},
            "withdrawn_at": STRING_OR_NULL,
            "withdrawn_reason": STRING_OR_NULL,
            "method": {"type": "string"},
            "method_statement": {"type": "string"},
            "method_statement_translations": {
                "type": "object",
                "description": "The method statement per language code, where translated",
                "additionalProperties": {"type": "string"},
            },
            "parameters": {"type": "object"},
            "sources": {
                "type": "array",
                "items": _object(
                    {
                        "title": {"type": "string"},
                        "blend_percent": {"type": "number"},
                        "respondents": {"type": ["integer", "null"]},
                        "shares": {"type": "object", "additionalProperties": NUMBER_OR_NULL},
                    }
                ),
            },
            "weights": {"type": "array", "items": _ref("Weight")},
        }
    ),
}


SEND_VALUES = (
    "Needs a read-and-write token. All the values are saved or, when any has a problem, none. Sending the "
    "same value for an indicator and period again changes nothing. Every change is kept in the value's "
    "history."
)


def openapi_document() -> dict[str, Any]:
    """The whole document (OpenAPI 3.1, so nullable types are JSON Schema type lists)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Engage API",
            "version": "1",
            "description": "Read the partnership's boards, their priorities and the published weights, and "
            "send the values of the indicators your organisation owns. "
            "Send 'Authorization: Bearer <token>' (an administrator issues tokens per partner organisation). "
            "Responses carry ETags: send If-None-Match to get 304 when nothing changed.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"token": []}],
        "paths": {
            "/api/v1/boards": {
                "get": {
                    "operationId": "listBoards",
                    "summary": "The boards the token's organisation sits on",
                    "responses": {
                        "200": _json_response(
                            "Boards", _object({"boards": {"type": "array", "items": _ref("BoardSummary")}})
                        ),
                        "401": ERRORS["401"],
                    },
                }
            },
            "/api/v1/boards/{slug}/priorities": {
                "get": {
                    "operationId": "listPriorities",
                    "summary": "A board's priorities (active and archived) with their indicator codes",
                    "parameters": [SLUG],
                    "responses": {
                        "200": _json_response(
                            "Priorities",
                            _object(
                                {
                                    "board": _ref("BoardSummary"),
                                    "priorities": {"type": "array", "items": _ref("Priority")},
                                }
                            ),
                        ),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/boards/{slug}/weights": {
                "get": {
                    "operationId": "listWeightVersions",
                    "summary": "Every published (or withdrawn) version of a board's weights, newest first",
                    "parameters": [SLUG],
                    "responses": {
                        "200": _json_response(
                            "Versions",
                            _object(
                                {
                                    "board": _ref("BoardSummary"),
                                    "versions": {
                                        "type": "array",
                                        "items": _object(
                                            {
                                                "version": {"type": "integer"},
                                                "status": {
                                                    "type": "string",
                                                    "enum": ["published", "withdrawn"],
                                                },
                                                "standing": STANDING,
                                                "published_at": STRING_OR_NULL,
                                                "link": {"type": "string"},
                                            }
                                        ),
                                    },
                                }
                            ),
                        ),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/boards/{slug}/weights/{version}": {
                "get": {
                    "operationId": "getWeights",
                    "summary": "A version of a board's weights: 'latest' (newest not withdrawn) or a number",
                    "parameters": [
                        SLUG,
                        {
                            "name": "version",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^(latest|[0-9]{1,9})$"},
                        },
                    ],
                    "responses": {
                        "200": _json_response("The weight set", _ref("WeightSet")),
                        "400": _json_response("The version is not a number or 'latest'", _ref("Error")),
                        **ERRORS,
                    },
                }
            },
            "/api/v1/indicators/values": {
                "post": {
                    "operationId": "sendIndicatorValues",
                    "summary": "Add or correct values of indicators your organisation owns",
                    "description": SEND_VALUES,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("ValuesSent")}},
                    },
                    "responses": {
                        "200": _json_response("What happened to each value", _ref("ValuesSaved")),
                        "400": _json_response(
                            "The body is not a JSON object with a list of values", _ref("Error")
                        ),
                        "401": ERRORS["401"],
                        "403": _json_response(
                            "A read-only token, or a value of an indicator another organisation owns",
                            _ref("Error"),
                        ),
                        "404": _json_response(
                            "A value names an indicator Engage does not hold (listed); nothing was saved",
                            _ref("Error"),
                        ),
                        "409": _json_response(
                            "Another request saved the same values at the same moment", _ref("Error")
                        ),
                        "422": _json_response(
                            "Values with problems (listed); nothing was saved", _ref("Error")
                        ),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
    }

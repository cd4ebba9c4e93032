"""/api/v1: JSON only (errors too), a bearer token on every call but the OpenAPI document, and ETags."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import abort, current_app, g, jsonify, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import TooManyRequests, Unauthorized

from engage import quotas
from engage.accounts.permissions import sits_on
from engage.api import bp, logger
from engage.api.openapi import openapi_document
from engage.api.tokens import authenticate, log_call
from engage.api.values import Refused, push_values
from engage.audit.service import record
from engage.boards.models import Board
from engage.content import translations_of
from engage.extensions import csrf, db, limiter
from engage.transactions import abandon, atomic, unit_of_work
from engage.weights.exports import weight_set_document
from engage.weights.versions import current_weight_set, published_weight_sets, weight_set_version

PREFIX = "/api/v1"
PUBLIC_ENDPOINTS = {"api.openapi"}


def _unauthorised(message: str) -> Unauthorized:
    return Unauthorized(message, www_authenticate=WWWAuthenticate("bearer", {"realm": "engage"}))


@bp.before_request
def require_token() -> None:
    g.api_token = None
    if not request.path.startswith(PREFIX + "/") or request.endpoint in PUBLIC_ENDPOINTS:
        return  # the token management pages share the blueprint; they use sign-in
    _limit_per_address()
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthorised("Send your API token in the Authorization header: 'Bearer <token>'.")
    token = authenticate(value.strip())
    if token is None:
        raise _unauthorised("This API token is not recognised, has been revoked or has expired.")
    g.api_token = token


def _limit_per_address() -> None:
    """``ENGAGE_API_ADDRESS_LIMIT`` calls per address, with a token or not, counted before the token is
    checked: made-up tokens would each get an allowance of their own from the per-token limit, and a route's
    own limits are only checked once its view runs, after a bad token has been refused."""
    if not quotas.take("ENGAGE_API_ADDRESS_LIMIT", "api-address", request.remote_addr or "-"):
        raise TooManyRequests("Too many API calls from this address. Wait a minute and try again.")


def _caller() -> str:
    """Who an API rate limit counts: the bearer token sent (a hash of it), else the address."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return "api-token:" + hashlib.sha256(value.strip().encode()).hexdigest()[:32]
    return "api-address:" + (request.remote_addr or "unknown")


#: Per token (``ENGAGE_API_LIMIT``), on top of the limit per address checked before the token (below).
api_limit = limiter.shared_limit(
    lambda: current_app.config["ENGAGE_API_LIMIT"],
    scope="api-token",
    key_func=_caller,
    override_defaults=False,
)


@bp.after_app_request
def log_api_call(response):
    """Every call under /api/ made with a valid token leaves one row, answered or refused (a failure to log
    never fails the call). A call without a valid token leaves none: anyone can send those, and a row for
    each let anyone grow the table without limit; the per-address rate limit brakes them instead.

    An answered call's row is part of the call's unit of work, which the request commits. A refused call
    (another organisation's board, a bad version: any error) had its unit of work abandoned by the error
    handler, so its row is written in a unit of work of its own: refusals are what a log is for.
    """
    if not request.path.startswith("/api/") or g.get("api_token") is None:
        return response
    try:
        with unit_of_work() if g.get("engage_abandoned") else atomic():
            log_call(g.api_token, request.method, request.full_path.rstrip("?"), response.status_code)
    except Exception:  # logging must not turn an answer into an error
        logger.exception("could not log API call to %s", request.path)
    return response


def _json(document: Any):
    """JSON with an ETag; a matching If-None-Match gets 304 Not Modified."""
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


def _board(slug: str) -> Board:
    board = db.session.scalar(select(Board).where(Board.slug == slug))
    if board is None:
        abort(404, f"There is no board '{slug}'.")
    if not sits_on(g.api_token, board):  # a token acts for its organisation
        abort(403, "Your organisation does not sit on this board, so this token cannot read it.")
    return board


def _board_summary(board: Board) -> dict[str, Any]:
    return {
        "slug": board.slug,
        "code": board.short_code,
        "name": board.name,
        "kind": board.kind.value,
        "translations": translations_of(board),
        "links": {
            "priorities": url_for(".priorities", slug=board.slug),
            "weights": url_for(".weight_versions", slug=board.slug),
            "latest_weights": url_for(".weights", slug=board.slug, version="latest"),
        },
    }


@bp.get(f"{PREFIX}/openapi.json")
@limiter.exempt
def openapi():
    return _json(openapi_document())


@bp.get(f"{PREFIX}/boards")
@api_limit
def boards():
    rows = db.session.scalars(select(Board).order_by(Board.name))
    return _json({"boards": [_board_summary(board) for board in rows if sits_on(g.api_token, board)]})


@bp.get(f"{PREFIX}/boards/<slug>/priorities")
@api_limit
def priorities(slug: str):
    board = _board(slug)
    return _json(
        {
            "board": _board_summary(board),
            "priorities": [
                {
                    "code": p.code,
                    "title": p.title,
                    "description": p.description,
                    "status": p.status.value,
                    "translations": translations_of(p),
                }
                for p in board.priorities
            ],
        }
    )


@bp.get(f"{PREFIX}/boards/<slug>/weights")
@api_limit
def weight_versions(slug: str):
    board = _board(slug)
    return _json(
        {
            "board": _board_summary(board),
            "versions": [
                {
                    "version": ws.version,
                    "status": ws.status.value,
                    "standing": ws.standing.value if ws.standing else None,
                    "published_at": ws.published_at.isoformat(timespec="seconds")
                    if ws.published_at
                    else None,
                    "link": url_for(".weights", slug=board.slug, version=str(ws.version)),
                }
                for ws in published_weight_sets(board)
            ],
        }
    )


@bp.get(f"{PREFIX}/boards/<slug>/weights/<version>")
@api_limit
def weights(slug: str, version: str):
    board = _board(slug)
    if version == "latest":
        weight_set = current_weight_set(board)
        if weight_set is None:
            abort(404, "This board has not published any weights yet.")
    elif version.isascii() and version.isdigit() and len(version) < 10:
        weight_set = weight_set_version(board, int(version))
        if weight_set is None:
            abort(404, f"This board has no published version {int(version)}.")
    else:
        abort(400, "The version must be a whole number or 'latest'.")
    return _json(weight_set_document(weight_set))


@bp.post(f"{PREFIX}/indicators/values")
@csrf.exempt  # a bearer token, never a cookie: a forged cross-site post carries none (docs/security.md)
@api_limit
def push_indicator_values():
    token = g.api_token
    try:
        results = push_values(token, request.get_json(silent=True))
    except Refused as refused:
        abandon()
        error: dict[str, Any] = {"status": refused.status, "message": refused.message}
        if refused.problems:
            error["problems"] = refused.problems
        return jsonify({"error": error}), refused.status
    counts = {
        outcome: sum(r["result"] == outcome for r in results) for outcome in ("added", "updated", "unchanged")
    }
    if counts["added"] or counts["updated"]:
        record(
            "api.push_indicator_values",
            f"token_id={token.id}",
            ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
            + ": "
            + "; ".join(f"{r['board']} {r['reference']} {r['period']} {r['result']}" for r in results)[:4000],
            actor=f"API token {token.prefix}… ({token.organisation.name})",
            status=200,
        )
    logger.info("token %s sent %s indicator values: %s", token.id, len(results), counts)
    return jsonify({"values": results, **counts})

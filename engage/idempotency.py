"""Idempotency keys that only ever find the same submitter's earlier act.

A form carries a random key so that a double click or a retry is stored once. The key the client sends is
never stored or looked up as it is: what is stored is an HMAC (with the app's secret key) of the key *and*
who sent it (the respondent's cookie token, which only their browser holds, or a staff user). Another person
sending my key therefore stores their own new act under a different value and never finds mine, and a key
cannot be made to collide with one the server makes (those are HMACs in their own namespace).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def _hmac(message: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()  # 64 characters


def submitter_key(scope: str, submitter: str, client_key: str) -> str:
    """What is stored for ``client_key`` sent by ``submitter`` (a respondent token, or ``user:<id>``) within
    ``scope`` (e.g. 'exercise:12'): equal only for the same person, scope and key."""
    return _hmac(f"engage-key:client:{scope}\x00{submitter}\x00{client_key}")


def server_key(*parts: object) -> str:
    """A key the server makes for an act (a workshop participant's answer to a round, a paper sheet):
    the same for the same parts, and not guessable from them without the secret key."""
    return _hmac("engage-key:server:" + "\x00".join(str(part) for part in parts))

"""Two-factor authentication: time-based one-time passwords (TOTP, RFC 6238) and recovery codes.

- The authenticator key is 160 random bits (pyotp), stored encrypted (Fernet, with a key derived from the
  app's secret key by HKDF), so a copy of the database alone cannot make codes. Changing
  ``ENGAGE_SECRET_KEY`` therefore makes stored keys unreadable: people then sign in with a recovery code
  and set up again, or an administrator resets them (``flask reset-two-factor EMAIL``).
- A code is accepted from the current 30-second step or the one either side (clocks drift), and only from a
  step later than the last one accepted for that person: a code cannot be used twice.
- Recovery codes: ten at a time, each 10 characters (about 50 bits), shown once and stored as salted
  SHA-256; a code works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import secrets
import time
from typing import cast

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import CursorResult, delete, func, or_, select, update

from engage.accounts.models import RecoveryCode, User
from engage.database import utcnow
from engage.extensions import db

STEP_SECONDS = 30
DIGITS = 6
#: Steps either side of now whose code is accepted.
WINDOW = 1
RECOVERY_CODES = 10
#: No 0/o, 1/i/l: easy to read back from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10

_NOT_CODE = re.compile(r"[\s-]+")


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"engage totp secrets").derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    """A new authenticator key (base32, 160 bits)."""
    return pyotp.random_base32()


def encrypt_secret(secret: str) -> str:
    """The key as stored."""
    return _fernet().encrypt(secret.encode()).decode()


def stored_secret(user: User) -> str | None:
    """The user's authenticator key, or None (not set up, or stored under another secret key)."""
    if user.totp_secret is None:
        return None
    try:
        return _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        current_app.logger.warning("user %s: two-factor key cannot be read with this secret key", user.id)
        return None


def setup_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["ENGAGE_SERVICE_NAME"]
    )


def qr_svg(uri: str, label: str) -> str:
    """The address as an inline SVG QR code (with the SVG namespace, an accessible name and no script)."""
    out = io.BytesIO()
    colours = {"dark": "#0b0c0c", "light": "#ffffff"}
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=5, **colours)
    svg = out.getvalue().decode()
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attribute(label)}" focusable="false" ', 1)


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def grouped(secret: str) -> str:
    """The key in groups of four, for typing into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (near now) whose code is ``code``, or None."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now // STEP_SECONDS)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def normalise_code(code: str) -> str:
    """What someone typed, without spaces or hyphens, lower case."""
    return _NOT_CODE.sub("", code or "").lower()


def is_totp_code(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def check_setup_code(secret: str, code: str, now: float | None = None) -> int | None:
    """The step of ``code`` when it is right for a key being set up, else None."""
    code = normalise_code(code)
    if not is_totp_code(code):
        return None
    return _matching_step(secret, code, time.time() if now is None else now)


def enable(user: User, secret: str, step: int) -> list[str]:
    """Turn two-factor on with ``secret`` (``step``: the code that confirmed it, which cannot be used again)
    and return a fresh set of recovery codes."""
    user.totp_secret = encrypt_secret(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    """Turn two-factor off and delete the recovery codes (a reset; administrators must set it up again)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def use_totp_code(user: User, code: str, now: float | None = None) -> bool:
    """True when ``code`` is the user's current code and its step has not been used; the step is then
    used up. A single conditional UPDATE claims it, so two requests racing with one code cannot both pass."""
    secret = stored_secret(user)
    if secret is None or not is_totp_code(code):
        return False
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None:
        return False
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["totp_last_step"])
    return cast(CursorResult, claimed).rowcount == 1


def _hash_recovery_code(code: str, salt: str) -> str:
    return f"{salt}${hashlib.sha256(f'{salt}:{code}'.encode()).hexdigest()}"


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them (the only time they are shown),
    formatted ``abcde-fghjk``."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(10)]
    for code in codes:
        hashed = _hash_recovery_code(code, secrets.token_hex(16))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hashed))
    db.session.flush()
    half = RECOVERY_LENGTH // 2
    return [f"{code[:half]}-{code[half:]}" for code in codes]


def use_recovery_code(user: User, code: str) -> bool:
    """True when ``code`` is one of the user's unused recovery codes; it is then used up (a conditional
    UPDATE, so it cannot be used twice even at the same moment)."""
    code = normalise_code(code)
    if len(code) != RECOVERY_LENGTH:
        return False
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    match = None
    for row in unused:
        salt = row.code_hash.split("$", 1)[0]
        if hmac.compare_digest(_hash_recovery_code(code, salt), row.code_hash):
            match = row
    if match is None:
        return False
    burnt = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(match)
    return cast(CursorResult, burnt).rowcount == 1


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the user has."""
    return db.session.execute(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def required_for(user: User) -> bool:
    """True when this user must use two-factor authentication (administrators; all staff when
    ``ENGAGE_TWO_FACTOR_FOR_ALL_STAFF`` is on)."""
    return user.is_admin or bool(current_app.config.get("ENGAGE_TWO_FACTOR_FOR_ALL_STAFF"))

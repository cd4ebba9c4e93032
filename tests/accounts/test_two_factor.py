"""Two-factor authentication: TOTP against RFC 6238's published values, one use per code, recovery codes."""

from __future__ import annotations

import base64

import pyotp
import pytest
from sqlalchemy import select

from engage.accounts import two_factor
from engage.accounts.models import RecoveryCode, Role
from engage.extensions import db
from tests.conftest import TOTP_SECRET

#: RFC 6238 appendix B: the SHA-1 key is the ASCII "12345678901234567890"; (time, 8-digit TOTP).
RFC6238_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC6238_SHA1 = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("when", "expected"), RFC6238_SHA1)
def test_codes_match_rfc_6238(when, expected):
    assert pyotp.TOTP(RFC6238_SECRET, digits=8).at(when) == expected
    # Six digits are the same number modulo 10^6: the last six of the published eight.
    assert two_factor.check_setup_code(RFC6238_SECRET, expected[-6:], now=when) == when // 30


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    when = 1234567890
    code = pyotp.TOTP(RFC6238_SECRET).at(when)
    assert two_factor.check_setup_code(RFC6238_SECRET, code, now=when + 30) is not None
    assert two_factor.check_setup_code(RFC6238_SECRET, code, now=when - 30) is not None
    assert two_factor.check_setup_code(RFC6238_SECRET, code, now=when + 61) is None
    assert two_factor.check_setup_code(RFC6238_SECRET, code, now=when - 61) is None
    assert two_factor.check_setup_code(RFC6238_SECRET, " 890 05-9 ", now=when) is None  # wrong digits
    assert two_factor.check_setup_code(RFC6238_SECRET, f" {code[:3]} {code[3:]} ", now=when) is not None


def test_a_code_cannot_be_used_twice_nor_an_older_one_after_it(make_user):
    user = make_user(Role.ADMIN)
    when = 1_800_000_000
    totp = pyotp.TOTP(TOTP_SECRET)
    assert two_factor.use_totp_code(user, totp.at(when), now=when)
    assert not two_factor.use_totp_code(user, totp.at(when), now=when)  # replayed in its window
    assert not two_factor.use_totp_code(user, totp.at(when - 30), now=when)  # older, still in the window
    assert two_factor.use_totp_code(user, totp.at(when + 30), now=when + 30)
    assert user.totp_last_step == (when + 30) // 30


def test_wrong_or_malformed_codes_fail(make_user):
    user = make_user(Role.ADMIN)
    for code in ["", "12345", "1234567", "abcdef", "000000"]:
        assert not two_factor.use_totp_code(user, code)


def test_the_key_is_stored_encrypted_and_unreadable_under_another_secret_key(app, make_user):
    user = make_user(Role.ADMIN)
    assert TOTP_SECRET not in user.totp_secret
    assert two_factor.stored_secret(user) == TOTP_SECRET
    app.secret_key = "another-secret-key"
    try:
        assert two_factor.stored_secret(user) is None
        assert not two_factor.use_totp_code(user, pyotp.TOTP(TOTP_SECRET).now())
    finally:
        app.secret_key = app.config["SECRET_KEY"]


def test_ten_recovery_codes_stored_hashed_each_used_once(make_user):
    user = make_user(Role.ADMIN)
    codes = two_factor.new_recovery_codes(user)
    assert len(codes) == 10 == len(set(codes))
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    assert len({digest.split("$")[0] for digest in stored}) == 10  # a salt each
    assert two_factor.use_recovery_code(user, codes[3].upper().replace("-", " "))  # as typed from paper
    assert not two_factor.use_recovery_code(user, codes[3])  # burnt
    assert two_factor.recovery_codes_left(user) == 9
    assert not two_factor.use_recovery_code(user, "abcde-fghjk")


def test_new_recovery_codes_replace_the_old_ones(make_user):
    user = make_user(Role.ADMIN)
    old = two_factor.new_recovery_codes(user)
    new = two_factor.new_recovery_codes(user)
    assert not two_factor.use_recovery_code(user, old[0])
    assert two_factor.use_recovery_code(user, new[0])
    assert two_factor.recovery_codes_left(user) == 9


def test_the_qr_code_is_svg_with_its_namespace_and_a_name(app, make_user):
    user = make_user(Role.ANALYST)
    uri = two_factor.setup_uri(user, TOTP_SECRET)
    assert (
        uri.startswith("otpauth://totp/Engage:") and f"secret={TOTP_SECRET}" in uri and "issuer=Engage" in uri
    )
    svg = two_factor.qr_svg(uri, 'QR code for "Engage"')
    assert svg.startswith('<svg role="img" aria-label="QR code for &quot;Engage&quot;"')
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg and "<script" not in svg
    assert two_factor.grouped(TOTP_SECRET).split() == [TOTP_SECRET[i : i + 4] for i in range(0, 32, 4)]

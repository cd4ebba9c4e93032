"""Setting up two-factor, signing in with a code or a recovery code, and what administrators may do."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from engage.accounts import two_factor
from engage.accounts.models import Role, User
from engage.accounts.signing_in import PENDING_KEY, SETUP_KEY
from engage.audit.models import AuditEvent
from engage.extensions import db
from tests.conftest import PASSWORD, TOTP_SECRET, sign_in, totp_code


def audited(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def set_up(client) -> tuple[str, list[str]]:
    """Go through the set-up page as a person would; returns the key and the recovery codes shown."""
    page = client.get("/account/two-factor/set-up")
    assert page.status_code == 200
    with client.session_transaction() as session:
        key = session[SETUP_KEY]["secret"]
    assert two_factor.grouped(key) in page.get_data(as_text=True)
    shown = client.post("/account/two-factor/set-up", data={"code": pyotp.TOTP(key).now()})
    assert shown.status_code == 200, shown.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown.get_data(as_text=True))
    return key, codes


def test_an_administrator_without_two_factor_is_sent_to_set_it_up_before_anything_else(client, make_user):
    """Finding: administrators could work with a password alone."""
    admin = make_user(Role.ADMIN, two_factor_on=False)
    response = client.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert response.headers["Location"] == "/manage"
    for path in ["/manage", "/manage/users", "/account", "/account/password", "/", "/no-such-page"]:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor/set-up", (
            path
        )
    assert client.post("/manage/organisations/new", data={"name": "X"}).status_code == 302
    page = client.get("/account/two-factor/set-up").get_data(as_text=True)
    assert "Administrators must use two-factor authentication" in page
    assert '<svg role="img"' in page and 'xmlns="http://www.w3.org/2000/svg"' in page
    set_up(client)
    assert client.get("/manage/users").status_code == 200
    assert [e.actor for e in audited("two_factor_enabled")] == [admin.email]


def test_an_administrator_may_still_sign_out_before_setting_up(client, make_user):
    admin = make_user(Role.ADMIN, two_factor_on=False)
    sign_in(client, admin)
    assert client.post("/sign-out").headers["Location"] == "/"
    assert client.get("/manage").headers["Location"].startswith("/sign-in")


def test_other_staff_may_choose_two_factor_and_all_staff_can_be_made_to(app_factory, make_user):
    analyst = make_user(Role.ANALYST)
    client = app_factory().test_client()
    sign_in(client, analyst)
    assert client.get("/manage").status_code == 200
    strict = app_factory(ENGAGE_TWO_FACTOR_FOR_ALL_STAFF=True).test_client()
    sign_in(strict, analyst)
    assert strict.get("/manage").headers["Location"] == "/account/two-factor/set-up"


def test_setting_up_with_a_wrong_code_keeps_the_same_key(client, make_user):
    sign_in(client, make_user(Role.FACILITATOR))
    client.get("/account/two-factor/set-up")
    with client.session_transaction() as session:
        key = session[SETUP_KEY]["secret"]
    response = client.post("/account/two-factor/set-up", data={"code": "000000"})
    assert response.status_code == 400 and "The code is not right" in response.get_data(as_text=True)
    assert client.post("/account/two-factor/set-up", data={"code": ""}).status_code == 400
    with client.session_transaction() as session:
        assert session[SETUP_KEY]["secret"] == key  # the QR code already scanned still works
    assert client.post("/account/two-factor/set-up", data={"code": pyotp.TOTP(key).now()}).status_code == 200


def test_setting_up_ends_your_other_sessions_and_the_code_used_cannot_sign_in(app, make_user):
    user = make_user(Role.BOARD_OFFICER)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    key, codes = set_up(here)
    assert len(codes) == 10
    assert here.get("/manage").status_code == 200
    assert elsewhere.get("/manage").status_code == 302
    # The code that confirmed the setup is used up: it cannot sign anyone in.
    db.session.expire_all()
    confirmed = db.session.get(User, user.id)
    assert abs(confirmed.totp_last_step - time.time() // 30) <= 1
    used = pyotp.TOTP(key).at(confirmed.totp_last_step * 30)
    assert not two_factor.use_totp_code(confirmed, used, now=confirmed.totp_last_step * 30)


def test_sign_in_asks_for_the_code_after_the_password(client, make_user):
    admin = make_user(Role.ADMIN)
    response = client.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert response.headers["Location"] == "/sign-in/code"
    assert client.get("/manage").status_code == 302  # not signed in yet
    page = client.get("/sign-in/code").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page
    wrong = client.post("/sign-in/code", data={"code": "123456" if totp_code() != "123456" else "654321"})
    assert wrong.status_code == 400 and "Enter the current code" in wrong.get_data(as_text=True)
    assert client.post("/sign-in/code", data={"code": totp_code()}).headers["Location"] == "/manage"
    assert client.get("/manage").status_code == 200
    assert [e.detail for e in audited("sign_in")] == ["password and authenticator code"]
    assert [e.target for e in audited("sign_in_code_failed")] == [f"user_id={admin.id} ({admin.email})"]


def test_the_code_step_expires_and_needs_the_password_first(client, make_user):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    admin = make_user(Role.ADMIN)
    client.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    with client.session_transaction() as session:
        session[PENDING_KEY] = {**session[PENDING_KEY], "since": int(time.time()) - 301}
    assert client.post("/sign-in/code", data={"code": totp_code()}).headers["Location"] == "/sign-in"
    assert client.get("/manage").status_code == 302


def test_a_user_deactivated_between_password_and_code_cannot_finish(client, make_user):
    admin = make_user(Role.ADMIN)
    client.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    admin.active = False
    db.session.commit()
    assert client.post("/sign-in/code", data={"code": totp_code()}).headers["Location"] == "/sign-in"


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(app, make_user):
    admin = make_user(Role.ADMIN)
    codes = two_factor.new_recovery_codes(admin)
    db.session.commit()
    client = app.test_client()
    client.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    response = client.post("/sign-in/code", data={"code": codes[0].upper()}, follow_redirects=True)
    assert "You have 9 left" in response.get_data(as_text=True)
    assert [e.detail for e in audited("recovery_code_used")] == ["9 left"]
    again = app.test_client()
    again.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert again.post("/sign-in/code", data={"code": codes[0]}).status_code == 400


def test_new_recovery_codes_need_the_password(client, make_user):
    admin = make_user(Role.ADMIN)
    old = two_factor.new_recovery_codes(admin)
    db.session.commit()
    sign_in(client, admin)
    assert client.get("/account/two-factor/recovery-codes").status_code == 200
    wrong = client.post("/account/two-factor/recovery-codes", data={"password": "not my password"})
    assert wrong.status_code == 400 and "Your password is not right" in wrong.get_data(as_text=True)
    shown = client.post("/account/two-factor/recovery-codes", data={"password": PASSWORD})
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert not two_factor.use_recovery_code(admin, old[0])
    assert len(audited("recovery_codes_replaced")) == 1 and len(audited("password_check_failed")) == 1


def test_staff_may_turn_two_factor_off_and_administrators_must_set_it_up_again(app, make_user):
    analyst = make_user(Role.ANALYST, two_factor_on=True)
    client = app.test_client()
    sign_in(client, analyst)
    assert client.post("/account/two-factor/turn-off", data={"password": PASSWORD}).headers["Location"] == (
        "/account"
    )
    db.session.expire_all()
    assert not db.session.get(User, analyst.id).has_two_factor
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    sign_in(client, admin)
    response = client.post("/account/two-factor/turn-off", data={"password": PASSWORD})
    assert response.headers["Location"] == "/account/two-factor/set-up"
    assert client.get("/manage").headers["Location"] == "/account/two-factor/set-up"
    assert len(audited("two_factor_turned_off")) == 2


def test_an_administrator_resets_another_users_two_factor(app, make_user):
    user = make_user(Role.BOARD_OFFICER, two_factor_on=True)
    two_factor.new_recovery_codes(user)
    db.session.commit()
    browser = app.test_client()
    sign_in(browser, user)
    admin = make_user(Role.ADMIN)
    admin_browser = app.test_client()
    sign_in(admin_browser, admin)
    page = admin_browser.get(f"/manage/users/{user.id}/edit").get_data(as_text=True)
    assert "Reset two-factor authentication" in page
    response = admin_browser.post(f"/manage/users/{user.id}/two-factor/reset")
    assert response.headers["Location"] == f"/manage/users/{user.id}/edit"
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_two_factor
    assert two_factor.recovery_codes_left(user) == 0
    assert browser.get("/manage").status_code == 302  # signed out
    [event] = audited("two_factor_reset")
    assert (event.actor, event.target) == (admin.email, f"user_id={user.id} ({user.email})")
    assert audited("accounts.reset_two_factor") == []  # recorded once, with its own words


def test_only_administrators_reset_two_factor(client, signed_in, make_user):
    user = make_user(Role.ADMIN)
    signed_in(Role.BOARD_OFFICER)
    assert client.post(f"/manage/users/{user.id}/two-factor/reset").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, user.id).has_two_factor


def test_the_reset_two_factor_command(runner, client, make_user):
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    result = runner.invoke(args=["reset-two-factor", admin.email])
    assert result.exit_code == 0 and "is off" in result.output
    assert client.get("/manage").status_code == 302
    again = runner.invoke(args=["reset-two-factor", admin.email])
    assert "does not use two-factor" in again.output
    assert runner.invoke(args=["reset-two-factor", "nobody@x.example"]).exit_code != 0


def test_your_account_page(client, make_user):
    admin = make_user(Role.ADMIN)
    two_factor.new_recovery_codes(admin)
    db.session.commit()
    sign_in(client, admin)
    page = client.get("/account").get_data(as_text=True)
    assert "Your account" in page and admin.email in page and "10 recovery codes left" in page
    assert "Move two-factor authentication to a new phone or app" in page
    assert TOTP_SECRET not in page


def test_a_key_someone_else_began_setting_up_in_this_browser_is_not_reused(client, make_user):
    """On a shared computer, one person starts setting up and signs out; the next must get a key of their
    own, not one the first person has seen."""
    first, second = make_user(Role.ANALYST), make_user(Role.ANALYST)
    sign_in(client, first)
    client.get("/account/two-factor/set-up")
    with client.session_transaction() as session:
        seen = session[SETUP_KEY]["secret"]
    client.post("/sign-out")
    with client.session_transaction() as session:
        assert SETUP_KEY not in session
        session[SETUP_KEY] = {"user_id": first.id, "secret": seen}  # as if sign-out had kept it
    sign_in(client, second)
    page = client.get("/account/two-factor/set-up").get_data(as_text=True)
    assert two_factor.grouped(seen) not in page
    with client.session_transaction() as session:
        assert session[SETUP_KEY]["user_id"] == second.id and session[SETUP_KEY]["secret"] != seen

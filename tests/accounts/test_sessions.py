"""Staff sessions end when they should, for a copy of the cookie too (findings: a copied session cookie kept
working after signing out and after an administrator reset the password)."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from engage.accounts.models import Role, StaffSession
from engage.database import utcnow
from engage.extensions import db
from tests.conftest import PASSWORD, sign_in

NEW_PASSWORD = "violet kettle under moonlight"


def copy_of(client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie (stolen, or left on a shared PC)."""
    thief = client.application.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in(client: FlaskClient) -> bool:
    return client.get("/manage").status_code == 200


def sessions_of(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(StaffSession).where(StaffSession.user_id == user.id)
    )


def test_a_copied_cookie_is_signed_out_when_its_owner_signs_out(client, make_user):
    user = make_user(Role.BOARD_OFFICER)
    sign_in(client, user)
    thief = copy_of(client)
    assert signed_in(thief)  # a copy works while the session is live: that is what a session is
    client.post("/sign-out")
    assert not signed_in(thief)
    assert thief.get("/manage").headers["Location"].startswith("/sign-in")
    assert sessions_of(user) == 0


def test_a_copied_cookie_is_signed_out_when_an_administrator_resets_the_password(client, app, make_user):
    officer = make_user(Role.BOARD_OFFICER)
    sign_in(client, officer)
    thief = copy_of(client)
    admin_browser = app.test_client()
    sign_in(admin_browser, make_user(Role.ADMIN))
    response = admin_browser.post(
        f"/manage/users/{officer.id}/edit",
        data={
            "name": officer.name,
            "email": officer.email,
            "organisation_id": officer.organisation_id,
            "roles": ["board_officer"],
            "password": NEW_PASSWORD,
            "active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not signed_in(thief) and not signed_in(client)
    assert signed_in(admin_browser)  # the administrator's own session is untouched


def _edit(admin_browser, user, **changes):
    data = {
        "name": user.name,
        "email": user.email,
        "organisation_id": user.organisation_id,
        "roles": [role.value for role in user.roles],
        "active": "y",
    }
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not None}
    return admin_browser.post(f"/manage/users/{user.id}/edit", data=data)


def test_deactivation_and_a_role_change_end_the_persons_sessions(app, make_user):
    admin_browser = app.test_client()
    sign_in(admin_browser, make_user(Role.ADMIN))
    for change in ({"active": None}, {"roles": ["analyst"]}):
        officer = make_user(Role.BOARD_OFFICER)
        browser = app.test_client()
        sign_in(browser, officer)
        assert _edit(admin_browser, officer, **change).status_code == 302
        assert not signed_in(browser), change


def test_a_change_of_name_alone_leaves_sessions_alone(app, make_user):
    admin_browser = app.test_client()
    sign_in(admin_browser, make_user(Role.ADMIN))
    officer = make_user(Role.BOARD_OFFICER)
    browser = app.test_client()
    sign_in(browser, officer)
    assert _edit(admin_browser, officer, name="Bina Officer-Smith").status_code == 302
    assert signed_in(browser)


def test_an_administrator_editing_themselves_stays_signed_in_and_their_other_sessions_end(app, make_user):
    admin = make_user(Role.ADMIN)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, admin)
    sign_in(elsewhere, admin)
    assert _edit(here, admin, password=NEW_PASSWORD).status_code == 302
    assert signed_in(here) and not signed_in(elsewhere)


def test_changing_your_own_password_ends_your_other_sessions_only(app, make_user):
    user = make_user(Role.ANALYST)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    thief = copy_of(here)
    response = here.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert signed_in(here)
    assert not signed_in(elsewhere)
    # The copy holds the same token as ``here``: it is the same session, so it goes on (sign out to end it).
    assert signed_in(thief)
    here.post("/sign-out")
    assert not signed_in(thief)


def test_the_set_password_command_ends_every_session(client, runner, make_user):
    user = make_user(Role.FACILITATOR)
    sign_in(client, user)
    result = runner.invoke(args=["set-password", user.email, "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert not signed_in(client)


def test_a_session_ends_after_the_idle_time_and_after_its_lifetime(client, make_user):
    user = make_user(Role.ANALYST)
    sign_in(client, user)
    row = db.session.scalar(select(StaffSession).where(StaffSession.user_id == user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=29)
    db.session.commit()
    assert signed_in(client)  # and that request counts as activity
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    assert not signed_in(client)
    sign_in(client, user)
    newest = db.session.scalar(
        select(StaffSession).where(StaffSession.user_id == user.id).order_by(StaffSession.id.desc())
    )
    newest.created_at = utcnow() - timedelta(hours=8, minutes=1)
    db.session.commit()
    assert not signed_in(client)


def test_a_new_sign_in_clears_out_expired_sessions(client, make_user):
    user = make_user(Role.ANALYST)
    db.session.add(
        StaffSession(user_id=user.id, token_hash="0" * 64, last_seen_at=utcnow() - timedelta(hours=2))
    )
    db.session.commit()
    sign_in(client, user)
    assert sessions_of(user) == 1


def test_a_cookie_with_a_user_id_but_no_live_session_is_nobody(client, make_user):
    """What a cookie made before this release holds (or a forged one, if the secret key leaked)."""
    user = make_user(Role.ADMIN)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not signed_in(client)


def test_the_session_cookie_never_holds_the_stored_hash(client, make_user):
    user = make_user(Role.ANALYST)
    sign_in(client, user)
    with client.session_transaction() as session:
        token = session["engage_staff_session"]
    row = db.session.scalar(select(StaffSession).where(StaffSession.user_id == user.id))
    assert token and row.token_hash != token and len(row.token_hash) == 64


def test_you_see_where_you_are_signed_in_and_can_sign_out_everywhere_else(app, make_user):
    user = make_user(Role.FACILITATOR)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    page = here.get("/account").get_data(as_text=True)
    assert page.count('<tr class="govuk-table__row">') == 3 and page.count("This browser") == 1
    assert here.post("/account/sign-out-elsewhere", data={"password": "wrong"}).status_code == 400
    assert signed_in(elsewhere)
    response = here.post("/account/sign-out-elsewhere", data={"password": PASSWORD})
    assert response.headers["Location"] == "/account"
    assert signed_in(here) and not signed_in(elsewhere)
    assert sessions_of(user) == 1


def test_turning_two_factor_off_or_new_recovery_codes_end_your_other_sessions(app, make_user):
    user = make_user(Role.ANALYST, two_factor_on=True)
    for path in ("/account/two-factor/recovery-codes", "/account/two-factor/turn-off"):
        here, elsewhere = app.test_client(), app.test_client()
        sign_in(here, user)
        sign_in(elsewhere, user)
        assert here.post(path, data={"password": PASSWORD}).status_code in {200, 302}
        assert signed_in(here) and not signed_in(elsewhere), path


def test_the_session_cookie_is_host_only_behind_https(app_factory, make_user):
    from engage.config import load_config

    secure = load_config("/tmp", {"ENGAGE_ENV": "testing"}, env={"ENGAGE_SECURE_COOKIES": "1"})
    assert secure["SESSION_COOKIE_NAME"] == "__Host-session" and secure["SESSION_COOKIE_SECURE"]
    app = app_factory(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    with app.app_context():
        response = client.post(
            "/sign-in",
            data={"email": make_user(Role.ANALYST).email, "password": PASSWORD},
            base_url="https://localhost",
        )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-session="))
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie and "HttpOnly" in cookie

"""Password rules: common passwords, the person's email and the service's name are refused everywhere a
password is set (finding: `password1234` was accepted)."""

from __future__ import annotations

import pytest

from engage.accounts.models import Role
from engage.accounts.passwords import is_common, password_problem, verify_password
from engage.extensions import db
from tests.conftest import PASSWORD, sign_in

ENGAGE = ["Engage"]


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # the finding
        "Password1234!",
        "P@ssw0rd12345",
        "qwerty123456",
        "iloveyou2026!!",
        "passwordpassword",
        "123456789012",
        "111111111111",
        "monkeymonkeymonkey",
        "football1234567",
    ],
)
def test_common_passwords_and_their_usual_changes_are_refused(password):
    assert is_common(password) or password_problem(password) is not None
    assert password_problem(password, email="sam@council.example", names=ENGAGE) is not None


def test_password1234_is_on_the_list_itself():
    assert is_common("password1234")
    assert "common passwords" in password_problem("password1234")


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "a long enough password", "violet kettle under moonlight", "Tr0ub4dor&3-harbour-owl"],
)
def test_good_passwords_pass(password):
    assert password_problem(password, email="sam.jones@council.example", names=ENGAGE) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short one", "at least 12 characters"),
        ("x" * 129, "128 characters or fewer"),
        ("sam.jones rules the waves", "before the @"),
        ("Jones-family-holiday-1999", "before the @"),
        ("my engage password is long", "name of the service (Engage)"),
        ("My3ng@ge account for work", "name of the service (Engage)"),
        ("abcdefghijklmnop", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "Repeats like"),
    ],
)
def test_each_problem_has_a_clear_message(password, message):
    problem = password_problem(password, email="sam.jones@council.example", names=ENGAGE)
    assert problem is not None and message in problem, problem


def test_128_characters_of_any_kind_are_allowed():
    long_one = "Ünïcödé pässphrase with emoji 🌧️ and spaces " * 3
    assert password_problem(long_one[:128], email="a@b.example") is None


def test_the_admin_form_refuses_a_weak_password_for_a_new_user(client, signed_in, make_organisation):
    signed_in(Role.ADMIN)
    org = make_organisation()
    response = client.post(
        "/manage/users/new",
        data={
            "name": "Pat",
            "email": "pat@council.example",
            "organisation_id": org.id,
            "roles": ["analyst"],
            "password": "password1234",
        },
    )
    assert response.status_code == 400
    assert "common passwords" in response.get_data(as_text=True)


def test_an_administrator_cannot_reset_a_password_to_a_weak_one(client, signed_in, make_user):
    signed_in(Role.ADMIN)
    user = make_user(Role.ANALYST, email="pat@council.example")
    response = client.post(
        f"/manage/users/{user.id}/edit",
        data={
            "name": user.name,
            "email": user.email,
            "organisation_id": user.organisation_id,
            "roles": ["analyst"],
            "password": "pat-council-2026",
            "active": "y",
        },
    )
    assert response.status_code == 400
    assert "before the @" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


def test_the_command_line_refuses_weak_passwords(runner, make_user):
    user = make_user(Role.ANALYST, email="dee@nhs.example")
    weak = runner.invoke(args=["set-password", user.email, "--password", "password1234"])
    assert weak.exit_code != 0 and "common passwords" in weak.output
    admin = runner.invoke(
        args=["create-admin", "--email", "a@x.example", "--name", "A", "--organisation", "C"]
        + ["--password", "Engage admin account"]
    )
    assert admin.exit_code != 0 and "name of the service" in admin.output
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


def test_changing_your_own_password_follows_the_same_rules(client, make_user):
    user = make_user(Role.ANALYST)
    sign_in(client, user)
    cases = [
        ({"new_password": "password1234", "confirm_password": "password1234"}, "common passwords"),
        ({"new_password": PASSWORD, "confirm_password": PASSWORD}, "different from your current one"),
        ({"new_password": "violet kettle under moonlight", "confirm_password": "violet"}, "do not match"),
        ({}, "Enter a new password"),
    ]
    for fields, message in cases:
        response = client.post("/account/password", data={"current_password": PASSWORD, **fields})
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    db.session.refresh(user)
    assert verify_password(user.password_hash, PASSWORD)


def test_a_password_from_before_the_rules_must_be_changed_at_sign_in(client, make_user):
    """Accounts made before this release may have a common password: signing in with one works, but the
    person changes it before doing anything else."""
    from engage.accounts.passwords import hash_password

    user = make_user(Role.BOARD_OFFICER)
    user.password_hash = hash_password("password1234")
    db.session.commit()
    sign_in(client, user, "password1234")
    for path in ("/manage", "/account", "/manage/boards"):
        assert client.get(path).headers["Location"] == "/account/password", path
    page = client.get("/account/password").get_data(as_text=True)
    assert "Choose a new one before you continue" in page
    response = client.post(
        "/account/password",
        data={
            "current_password": "password1234",
            "new_password": "violet kettle under moonlight",
            "confirm_password": "violet kettle under moonlight",
        },
    )
    assert response.headers["Location"] == "/account"
    assert client.get("/manage").status_code == 200

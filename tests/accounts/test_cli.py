"""``create-admin`` and ``set-password``."""

from sqlalchemy import select

from engage.accounts.models import Organisation, Role, User
from engage.accounts.passwords import verify_password
from engage.extensions import db


def test_create_admin_makes_an_admin_and_their_organisation(runner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Alex@Council.example",
            "--name",
            "Alex",
            "--organisation",
            "Aldermoor Borough Council",
            "--password",
            "a long enough password",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created administrator alex@council.example" in result.output
    user = db.session.scalar(select(User))
    assert user.roles == {Role.ADMIN}
    assert user.organisation.name == "Aldermoor Borough Council"
    assert verify_password(user.password_hash, "a long enough password")


def test_create_admin_reuses_an_existing_organisation(runner, make_organisation):
    make_organisation("Council")
    args = [
        "create-admin",
        "--email",
        "a@x.example",
        "--name",
        "A",
        "--organisation",
        "Council",
        "--password",
        "a long enough password",
    ]
    assert runner.invoke(args=args).exit_code == 0
    assert len(db.session.scalars(select(Organisation)).all()) == 1


def test_create_admin_refuses_a_short_password_and_a_duplicate_email(runner, make_user):
    make_user(Role.ANALYST, email="taken@x.example")
    short = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "a@x.example",
            "--name",
            "A",
            "--organisation",
            "C",
            "--password",
            "short",
        ]
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    taken = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "taken@x.example",
            "--name",
            "A",
            "--organisation",
            "C",
            "--password",
            "a long enough password",
        ]
    )
    assert taken.exit_code != 0 and "already exists" in taken.output


def test_create_admin_needs_an_organisation(runner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "a@x.example",
            "--name",
            "A",
            "--organisation",
            " ",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code != 0 and "must belong to an organisation" in result.output
    assert db.session.scalar(select(User)) is None


def test_set_password(runner, make_user):
    user = make_user(Role.ANALYST, email="dee@nhs.example")
    result = runner.invoke(args=["set-password", "dee@nhs.example", "--password", "another long password"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert verify_password(user.password_hash, "another long password")
    missing = runner.invoke(args=["set-password", "who@x.example", "--password", "another long password"])
    assert missing.exit_code != 0 and "No user has the email address" in missing.output

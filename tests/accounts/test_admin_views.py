"""Administrators manage partner organisations and users; nobody else can."""

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Organisation, OrganisationKind, Role, User
from engage.accounts.passwords import verify_password
from engage.extensions import db

ADMIN_PAGES = ["/manage/organisations", "/manage/organisations/new", "/manage/users", "/manage/users/new"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize("role", [Role.BOARD_OFFICER, Role.FACILITATOR, Role.ANALYST])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_other_roles_are_forbidden(client, signed_in, role, url):
    signed_in(role)
    assert client.get(url).status_code == 403


def test_other_roles_cannot_post_either(client, signed_in):
    signed_in(Role.BOARD_OFFICER)
    response = client.post("/manage/organisations/new", data={"name": "Sneaky", "kind": "council"})
    assert response.status_code == 403
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Sneaky")) is None


def test_admin_sees_organisations_with_their_users_and_boards(client, signed_in, make_organisation):
    make_organisation("Westmarch Police", OrganisationKind.POLICE)
    signed_in(Role.ADMIN)
    html = client.get("/manage/organisations").get_data(as_text=True)
    assert "Westmarch Police" in html and "Police" in html


def test_admin_adds_an_organisation(client, signed_in):
    signed_in(Role.ADMIN)
    response = client.post("/manage/organisations/new", data={"name": " Aldermoor CVS ", "kind": "voluntary"})
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "Aldermoor CVS"))
    assert organisation.kind is OrganisationKind.VOLUNTARY


def test_duplicate_organisation_name_is_refused_with_the_name_kept(client, signed_in, make_organisation):
    make_organisation("Aldermoor College")
    signed_in(Role.ADMIN)
    response = client.post(
        "/manage/organisations/new", data={"name": "aldermoor college", "kind": "education"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "An organisation with this name already exists" in html
    assert 'value="aldermoor college"' in html
    assert (
        db.session.scalar(select(func.count()).select_from(Organisation)) == 2
    )  # the admin's own + the first


def test_organisation_needs_a_name_and_a_kind(client, signed_in):
    signed_in(Role.ADMIN)
    html = client.post("/manage/organisations/new", data={"name": "   "}).get_data(as_text=True)
    assert "Enter the organisation&#39;s name" in html or "Enter the organisation's name" in html
    assert "Select the type of organisation" in html


def test_admin_renames_an_organisation(client, signed_in, make_organisation):
    organisation = make_organisation("Old Name")
    signed_in(Role.ADMIN)
    page = client.get(f"/manage/organisations/{organisation.id}/edit").get_data(as_text=True)
    assert 'value="Old Name"' in page
    client.post(f"/manage/organisations/{organisation.id}/edit", data={"name": "New Name", "kind": "council"})
    db.session.refresh(organisation)
    assert organisation.name == "New Name"


def test_missing_organisation_is_404(client, signed_in):
    signed_in(Role.ADMIN)
    assert client.get("/manage/organisations/9999/edit").status_code == 404


def _user_form(organisation, **changes):
    data = {
        "name": "Dee Analyst",
        "email": "dee@nhs.example",
        "organisation_id": str(organisation.id),
        "roles": ["analyst", "facilitator"],
        "password": "a long enough password",
        "active": "y",
    }
    data.update(changes)
    return data


def test_admin_adds_a_user_with_several_roles(client, signed_in, make_organisation):
    nhs = make_organisation("NHS", OrganisationKind.NHS)
    signed_in(Role.ADMIN)
    response = client.post("/manage/users/new", data=_user_form(nhs, email="Dee@NHS.example"))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "dee@nhs.example"))
    assert user.organisation_id == nhs.id
    assert user.roles == {Role.ANALYST, Role.FACILITATOR}
    assert verify_password(user.password_hash, "a long enough password")
    assert "Dee Analyst" in client.get("/manage/users").get_data(as_text=True)


def test_user_without_an_organisation_is_refused(client, signed_in, make_organisation):
    nhs = make_organisation("NHS")
    signed_in(Role.ADMIN)
    response = client.post("/manage/users/new", data=_user_form(nhs, organisation_id="0"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Select the person&#39;s organisation" in html or "Select the person's organisation" in html
    assert 'value="dee@nhs.example"' in html
    assert db.session.scalar(select(User).where(User.email == "dee@nhs.example")) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"roles": []}, "Select at least one role"),
        ({"password": "short"}, "Password must be at least 12 characters"),
        ({"password": ""}, "Enter a password for the new user"),
        ({"name": ""}, "Enter the person"),
    ],
)
def test_bad_user_details_get_clear_messages_and_nothing_is_written(
    client, signed_in, make_organisation, changes, message
):
    nhs = make_organisation("NHS")
    signed_in(Role.ADMIN)
    response = client.post("/manage/users/new", data=_user_form(nhs, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_duplicate_email_is_refused(client, signed_in, make_user, make_organisation):
    make_user(Role.ANALYST, email="dee@nhs.example")
    signed_in(Role.ADMIN)
    response = client.post("/manage/users/new", data=_user_form(make_organisation()))
    assert "A user with this email address already exists" in response.get_data(as_text=True)


def test_admin_changes_roles_and_deactivates_a_user_keeping_their_password(client, signed_in, make_user):
    user = make_user(Role.ANALYST, email="dee@nhs.example")
    old_hash = user.password_hash
    signed_in(Role.ADMIN)
    page = client.get(f"/manage/users/{user.id}/edit").get_data(as_text=True)
    assert 'value="analyst" checked' in page
    data = _user_form(user.organisation, roles=["board_officer"], password="")
    data.pop("active")
    response = client.post(f"/manage/users/{user.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.roles == {Role.BOARD_OFFICER}
    assert user.active is False
    assert user.password_hash == old_hash
    assert "Cannot sign in" in client.get("/manage/users").get_data(as_text=True)


def test_admin_cannot_lock_themselves_out(client, signed_in):
    admin = signed_in(Role.ADMIN)
    data = _user_form(admin.organisation, email=admin.email, roles=["admin"], password="")
    data.pop("active")
    response = client.post(f"/manage/users/{admin.id}/edit", data=data)
    assert response.status_code == 400
    assert "You cannot stop yourself from signing in" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active

"""Session protection guards staff sign-ins, and leaves residents' sessions alone."""

from engage.accounts.models import Role
from tests.conftest import sign_in


def session_cookie_sent(response) -> bool:
    return any(header.startswith("session=") for header in response.headers.getlist("Set-Cookie"))


def test_a_residents_session_is_sent_back_only_by_a_request_that_changes_it(client):
    """Otherwise two requests at once each return the session as it was when they began, and the later one
    wipes what the other saved (an htmx running total answered after "Continue" lost the budget draft)."""
    assert session_cookie_sent(client.get("/language/cy?next=/"))  # the language choice is saved
    client.get("/")  # the first page with a form saves its CSRF token
    assert not session_cookie_sent(client.get("/"))
    assert not session_cookie_sent(client.get("/accessibility"))
    assert "Cymraeg" in client.get("/").get_data(as_text=True)  # and the choice is still there


def test_a_staff_session_used_from_another_browser_is_signed_out(client, make_user):
    user = make_user(Role.ADMIN)
    sign_in(client, user)
    assert client.get("/manage/organisations").status_code == 200
    elsewhere = client.get("/manage/organisations", headers={"User-Agent": "Another browser/1.0"})
    assert elsewhere.status_code == 302
    assert "/sign-in" in elsewhere.headers["Location"]

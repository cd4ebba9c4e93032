"""Issue 18's low findings that are about the whole app: avoidable 500s, HSTS, staff downloads kept out of
caches."""

import pytest

from tests.conftest import sign_in
from tests.surveys.test_consultations import respond


@pytest.mark.parametrize("target", ["/consultations\r\nSet-Cookie: x=1", "/\t/evil.example", "/a\nb"])
def test_the_language_switcher_never_fails_on_a_line_break(client, target):
    response = client.get("/language/cy", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "path",
    [
        "/consultations/99999999999999999999999",
        "/consultations/9223372036854775808/sections/1",
        "/consultations/2147483648",
        "/manage/consultations/99999999999999999999/responses.csv",
    ],
)
def test_an_id_too_large_for_any_row_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_hsts_only_when_cookies_are_secure(app_factory):
    assert "Strict-Transport-Security" not in app_factory().test_client().get("/").headers
    secure = app_factory(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session")
    header = secure.test_client().get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert header.startswith("max-age=31536000")


def test_staff_downloads_are_never_cached(client, make_consultation, hwb, officer):
    consultation = make_consultation()
    respond(client, consultation, hwb)
    sign_in(client, officer)
    response = client.get(f"/manage/consultations/{consultation.id}/responses.csv")
    response.close()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    # The workbook is prepared as a job and saved from "Downloads and jobs": never cached either.
    asked = client.post(f"/manage/downloads/new/consultation_responses/{consultation.id}.xlsx")
    saved = client.get(f"/manage/downloads/{asked.location.rsplit('job-', 1)[1]}/file")
    saved.close()
    assert saved.status_code == 200 and saved.headers["Cache-Control"] == "no-store"
    assert client.get("/manage").headers.get("Cache-Control") == "no-store"


def test_public_assets_may_still_be_cached(client):
    with client.get("/static/build/htmx.min.js") as response:
        assert response.status_code == 200 and response.headers.get("Cache-Control") != "no-store"

"""What every page shares: layout, headers, error pages, languages."""

import pytest
from flask import abort

from engage.urls import LARGEST_ID, row_id, safe_next


def test_pages_send_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_layout_has_skip_link_service_name_phase_banner_and_footer_links(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="#main-content"' in html and "Skip to main content" in html
    assert "Engage" in html
    assert "Beta" in html
    assert 'href="/accessibility"' in html and 'href="/privacy"' in html
    assert 'hreflang="cy"' in html and "Cymraeg" in html


def test_no_asset_is_loaded_from_another_site(client):
    html = client.get("/").get_data(as_text=True)
    assert "http://" not in html.replace('xmlns="http://', "")
    assert "https://" not in html


def test_unknown_page_is_a_govuk_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_api_clients_get_json_errors(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_wrong_method_is_a_405_page(client):
    response = client.put("/")
    assert response.status_code == 405
    assert "There is a problem" not in response.get_data(as_text=True)


def test_unexpected_error_is_a_polite_500_page_that_says_nothing_was_half_saved(app_factory):
    app = app_factory(fresh=True, ENGAGE_RENDER_500_IN_TESTS=True)  # it adds a route

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in html
    assert "kaboom" not in html


def test_forbidden_is_a_403_page(app_factory):
    app = app_factory(fresh=True)  # it adds a route

    @app.get("/secret")
    def secret():
        abort(403)

    response = app.test_client().get("/secret")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.get_data(as_text=True)


def test_choosing_welsh_changes_the_page_language(client):
    response = client.get("/language/cy?next=/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert '<html lang="cy" dir="ltr"' in html
    assert "Neidio i&#39;r prif gynnwys" in html or "Neidio i'r prif gynnwys" in html


def test_lang_parameter_works_for_shared_links(client):
    html = client.get("/?lang=cy").get_data(as_text=True)
    assert '<html lang="cy"' in html
    # and is remembered for the next page
    assert '<html lang="cy"' in client.get("/privacy").get_data(as_text=True)


def test_browser_language_is_used_when_nothing_was_chosen(client):
    html = client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="cy"' in html


def test_unknown_language_is_ignored(client):
    client.get("/language/xx")
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/boards/x", "/boards/x"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        (None, "/"),
    ],
)
def test_safe_next_never_leaves_the_site(target, expected):
    assert safe_next(target, "/") == expected


def test_health_check_answers_when_the_database_does(client):
    assert client.get("/readyz").get_json() == {"status": "ok", "failed": {}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        (str(LARGEST_ID), LARGEST_ID),
        (str(LARGEST_ID + 1), None),  # no row can have it: PostgreSQL's columns are 32-bit
        ("9" * 40, None),  # SQLite cannot even bind it
        ("²", None),  # str.isdigit() says yes, int() says no
        ("٣", None),  # an Arabic-Indic three: int() reads it, but no form of ours writes one
        ("-1", None),
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_a_row_id_from_a_form_or_address_is_plain_digits_an_id_can_be(text, expected):
    assert row_id(text) == expected

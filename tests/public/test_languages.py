"""Four languages: chosen by the switcher (a cookie) or the browser, never by changing the address; Urdu
right to left; dates, numbers and plurals in each language's own way."""

from __future__ import annotations

import re

import pytest

from engage.prioritise.models import BudgetMode


def html_tag(client, path: str = "/", **headers) -> str:
    return re.search(r"<html[^>]*>", client.get(path, headers=headers).get_data(as_text=True)).group(0)


@pytest.mark.parametrize(
    ("header", "lang", "direction"),
    [
        ("ur-PK,ur;q=0.9,en;q=0.5", "ur", "rtl"),
        ("pl-PL,pl;q=0.9", "pl", "ltr"),
        ("cy", "cy", "ltr"),
        ("fr-FR,fr;q=0.9", "en", "ltr"),  # not offered: English
    ],
)
def test_the_browser_language_is_used_until_the_resident_chooses(client, header, lang, direction):
    assert html_tag(client, **{"Accept-Language": header}) == (
        f'<html lang="{lang}" dir="{direction}" class="govuk-template">'
    )


def test_the_switcher_remembers_the_choice_and_keeps_the_address(client):
    response = client.get("/language/ur?next=/privacy")
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    # The choice is in the session cookie: the shared address stays /privacy, and wins over the browser.
    assert 'lang="ur" dir="rtl"' in html_tag(client, "/privacy", **{"Accept-Language": "pl"})


def test_every_language_is_offered_in_its_own_name(client):
    page = client.get("/").get_data(as_text=True)
    for code, name in [("cy", "Cymraeg"), ("ur", "اردو"), ("pl", "Polski")]:
        assert f'lang="{code}" hreflang="{code}">{name}</a>' in page


@pytest.mark.parametrize(
    ("lang", "date_text"),
    [("en", "26 November 2026"), ("cy", "26 Tachwedd 2026"), ("pl", "26 listopada 2026"), ("ur", "26 نومبر")],
)
def test_dates_are_written_the_way_each_language_writes_them(client, lang, date_text):
    page = client.get(f"/accessibility?lang={lang}").get_data(as_text=True)
    assert date_text in page


def test_polish_plurals_use_three_forms(client, make_exercise):
    from flask_babel import force_locale, ngettext

    with force_locale("pl"):
        forms = [ngettext("%(num)d person", "%(num)d people", n) for n in (1, 3, 5, 22, 25)]
    assert forms == ["1 osoba", "3 osoby", "5 osób", "22 osoby", "25 osób"]


def test_money_is_grouped_the_polish_way(client, make_budget):
    exercise = make_budget(BudgetMode.REBALANCE)
    page = client.get(f"/exercises/{exercise.id}/allocate?lang=pl").get_data(as_text=True)
    assert re.search(r"\d[\u00a0\u202f ]\d{3}[\u00a0\u202f ]\d{3}", page), "no amount written as 1 250 000"


def test_welsh_has_six_plural_forms(client):
    from flask_babel import force_locale, ngettext

    with force_locale("cy"):
        assert ngettext("%(num)d priority", "%(num)d priorities", 2) == "2 flaenoriaeth"
        assert ngettext("%(num)d priority", "%(num)d priorities", 7) == "7 blaenoriaeth"

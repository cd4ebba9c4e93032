"""Officers translate a consultation's own text; residents see it in their language, and English (marked
lang="en") where a text has no translation."""

import re

from sqlalchemy import select

from engage.content.models import ContentTranslation
from engage.extensions import db
from tests.conftest import sign_in


def _keys(html):
    return re.findall(r'<textarea class="govuk-textarea" id="([^"]+)"', html)


def test_officer_translates_and_a_welsh_resident_sees_it(client, app, make_consultation, officer):
    consultation = make_consultation()
    single = consultation.questions[0]
    sign_in(client, officer)
    page = client.get(f"/manage/consultations/{consultation.id}")
    assert "Cymraeg text (0 of" in page.get_data(as_text=True)
    html = client.get(f"/manage/consultations/{consultation.id}/translations/cy").get_data(as_text=True)
    keys = _keys(html)
    assert f"consultation:{consultation.id}:title" in keys and f"option:{single.options[1].id}:label" in keys
    response = client.post(
        f"/manage/consultations/{consultation.id}/translations/cy",
        data={
            f"consultation:{consultation.id}:title": "Eich gwasanaethau iechyd",
            f"question:{single.id}:label": "Sut ydych chi fel arfer yn gweld meddyg teulu?",
            f"option:{single.options[1].id}:label": "Dros y ffôn",
            "question:999999:label": "not this consultation's: ignored",
        },
        follow_redirects=True,
    )
    assert "Saved: 3 of" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(ContentTranslation).where(ContentTranslation.key == "question:999999:label"))
        is None
    )
    # A later save changes only the texts it posts: a blank one is removed, the rest kept.
    client.post(
        f"/manage/consultations/{consultation.id}/translations/cy",
        data={
            f"option:{single.options[1].id}:label": "Dros y ffôn",
            f"option:{single.options[0].id}:label": " ",
        },
    )
    assert (
        client.get(f"/manage/consultations/{consultation.id}")
        .get_data(as_text=True)
        .count("Cymraeg text (3 of")
    )
    resident = app.test_client()
    resident.get(f"/language/cy?next=/consultations/{consultation.id}")
    start = resident.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert '<h1 class="govuk-heading-xl">Eich gwasanaethau iechyd</h1>' in start
    # The summary has no Welsh yet: shown in English, marked as English.
    assert '<p class="govuk-body-l" lang="en">Tell us about health services in Aldermoor.</p>' in start
    section = resident.get(f"/consultations/{consultation.id}/sections/1").get_data(as_text=True)
    assert "Sut ydych chi fel arfer yn gweld meddyg teulu?" in section
    assert 'lang="en">Sut ydych' not in section
    assert "Dros y ffôn" in section and "In person" in section
    assert '<span lang="en">Which services have you used this year?</span>' in section
    # English residents see the English.
    english = app.test_client().get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Your health services" in english and "Eich gwasanaethau" not in english


def test_translation_needs_a_language_residents_can_choose(client, make_consultation, officer):
    consultation = make_consultation()
    sign_in(client, officer)
    assert client.get(f"/manage/consultations/{consultation.id}/translations/fr").status_code == 404
    assert client.get(f"/manage/consultations/{consultation.id}/translations/en").status_code == 404
    assert client.get(f"/manage/consultations/{consultation.id}/translations/ur").status_code == 200

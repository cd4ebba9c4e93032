"""A consultation answered with CSRF protection on, as in production (the rest of the suite turns it off).

Found by `make load`: the check-answers page re-validated each stored page as if it were a submission, with
no CSRF token in the draft, so every resident was sent back to page 1 and no response could be sent.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engage.extensions import db
from engage.surveys.models import ConsultationResponse


def _token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def test_a_resident_sends_a_response_with_csrf_on(app, make_consultation, hwb):
    app.config["WTF_CSRF_ENABLED"] = True  # read per request, so this app now behaves as in production
    consultation = make_consultation()
    gp, _, _, rating = consultation.sections[0].questions
    importance = consultation.sections[1].questions[0]
    priorities = hwb.active_priorities
    client = app.test_client()
    base = f"/consultations/{consultation.id}"
    page = client.get(f"{base}/sections/1").get_data(as_text=True)
    first = {"csrf_token": _token(page), f"q{gp.id}": str(gp.options[0].id), f"q{rating.id}": "7"}
    assert client.post(f"{base}/sections/1", data=first).headers["Location"].endswith("/sections/2")
    page = client.get(f"{base}/sections/2").get_data(as_text=True)
    second = {"csrf_token": _token(page)} | {f"q{importance.id}-p{p.id}": "4" for p in priorities}
    assert client.post(f"{base}/sections/2", data=second).headers["Location"].endswith("/check")
    check = client.get(f"{base}/check")
    assert check.status_code == 200, check.headers.get("Location")
    html = check.get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', html).group(1)
    sent = client.post(f"{base}/check", data={"csrf_token": _token(html), "key": key})
    assert sent.headers["Location"].endswith("/confirmation")
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 1
    # sent again without its token: nothing is stored twice
    client.post(f"{base}/check", data={"key": key})
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 1

"""The same paper sheet form sent twice at the same moment (a double click on a slow connection) stores one
sheet and one submission, and neither copy sees an error."""

import re
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.extensions import db
from engage.prioritise.models import Submission
from engage.workshops import service
from engage.workshops.models import PaperSheet
from tests.conftest import sign_in


@pytest.mark.real_commits  # threads with their own connections
def test_one_sheet_form_sent_twice_at_once_stores_one_sheet(app, hwb, make_user, council, make_budget):
    facilitator = make_user(Role.FACILITATOR, organisation=council)
    session = service.create_session(hwb, facilitator, "Evening", date(2026, 12, 3), "")
    dots = service.add_round(session, make_budget(title="Dot vote"), None)
    db.session.commit()
    url = f"/manage/workshops/{session.id}/paper?round={dots.id}"
    first = app.test_client()
    sign_in(first, facilitator)
    page = first.get(url).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    items = list(dots.exercise.active_items)
    data = {f"item_{item.id}": str(v) for item, v in zip(items, (40, 30, 20, 10), strict=True)} | {"key": key}
    second = app.test_client()
    second._cookies = dict(first._cookies)  # the same browser, two requests in flight
    start, statuses = threading.Barrier(2), []

    def send(client) -> None:
        start.wait()
        statuses.append(client.post(url, data=data).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PaperSheet)) == 1
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1

"""Exports and the API keep codes and English titles, with officers' translations beside them."""

import csv
import io

from engage import content
from engage.accounts.models import Role
from engage.api.tokens import issue_token
from engage.extensions import db
from tests.conftest import sign_in
from tests.factories_weights import publish_weights


def _translate_priority(app, board, priority, locale, text):
    with app.test_request_context("/"):
        content.save(board, locale, {f"priority:{priority.id}:title": text})
        db.session.commit()


def test_the_api_gives_the_english_and_the_translations(client, app, hwb, council, make_user):
    admin = make_user(Role.ADMIN, organisation=council)
    token = issue_token(council, "Reader", admin)[1]
    db.session.commit()
    smoking = next(p for p in hwb.priorities if p.code == "HWB-SMOKING")
    _translate_priority(app, hwb, smoking, "cy", "Helpu pobl i roi’r gorau i ysmygu")
    headers = {"Authorization": f"Bearer {token}"}
    document = client.get(f"/api/v1/boards/{hwb.slug}/priorities", headers=headers).json
    row = next(p for p in document["priorities"] if p["code"] == "HWB-SMOKING")
    assert row["title"] == "Helping people stop smoking"
    assert row["translations"] == {"cy": {"title": "Helpu pobl i roi’r gorau i ysmygu"}, "ur": {}, "pl": {}}
    assert document["board"]["translations"] == {"cy": {}, "ur": {}, "pl": {}}


def test_weights_downloads_and_api_carry_translated_titles(
    client, app, board_with_answers, make_weight_set, analyst, council, make_user
):
    board = board_with_answers["board"]
    weight_set = make_weight_set()
    publish_weights(weight_set, analyst)  # a partnership board's weights are signed off first
    db.session.commit()
    entry = weight_set.entries[0]
    priority = entry.priority
    _translate_priority(app, board, priority, "ur", "ترجمہ شدہ عنوان")
    with app.test_request_context("/"):
        content.save(weight_set, "cy", {f"weights:{weight_set.id}:method_statement": "Datganiad dull"})
        db.session.commit()
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/boards/{board.slug}/weights/1.csv").get_data(as_text=True)))
    )
    first = next(row for row in rows if row["priority_code"] == entry.priority_code)
    assert first["priority_title"] == entry.priority_title
    assert first["priority_title_ur"] == "ترجمہ شدہ عنوان" and first["priority_title_cy"] == ""
    admin = make_user(Role.ADMIN, organisation=council)
    token = issue_token(council, "Reader", admin)[1]
    db.session.commit()
    api = client.get(
        f"/api/v1/boards/{board.slug}/weights/1", headers={"Authorization": f"Bearer {token}"}
    ).json
    weight = next(w for w in api["weights"] if w["priority_code"] == entry.priority_code)
    assert weight["priority_title_ur"] == "ترجمہ شدہ عنوان" and weight["priority_title_pl"] is None
    assert api["method_statement_translations"] == {"cy": "Datganiad dull"}
    welsh = client.get(f"/boards/{board.slug}/weights/1?lang=cy").get_data(as_text=True)
    assert '<p class="govuk-body">Datganiad dull</p>' in welsh
    urdu = client.get(f"/boards/{board.slug}/weights/1?lang=ur").get_data(as_text=True)
    assert "ترجمہ شدہ عنوان</span>" in urdu


def test_exercise_scores_keep_english_and_add_each_language(client, app, officer, make_exercise, cast):
    exercise = make_exercise()
    first, second = exercise.active_items[:2]
    for _ in range(3):
        cast(exercise, first, second)
    with app.test_request_context("/"):
        content.save(exercise, "pl", {f"item:{first.id}:title": "Pomoc w rzuceniu palenia"})
        db.session.commit()
    sign_in(client, officer)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/manage/exercises/{exercise.id}/scores.csv").get_data(as_text=True))
        )
    )
    row = next(r for r in rows if r["title"] == first.title)
    assert row["title_pl"] == "Pomoc w rzuceniu palenia" and row["title_cy"] == "" and row["code"]

"""Saving a board (with its members) or a priority is all or nothing: when another board or priority takes
the web address or code between the form's check and the write, nothing of this one is kept and the form
says so, with what was typed.

The code before "one transaction per action" got this right by rolling back the whole unit of work in the
service; these tests keep it right now that the service may not: the write runs in a savepoint, without
which the session could not even render the form after the database refused the row.
"""

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.boards.models import Board, BoardKind, Priority, board_members
from engage.extensions import db
from tests.all_or_nothing import another_writer_stores, count


def someone_else_takes(slug: str):
    """Another admin's board takes ``slug`` after the form checked it was free."""
    return another_writer_stores(
        lambda obj: isinstance(obj, Board) and obj.slug == slug,
        lambda obj: {
            "name": "Someone else's board",
            "slug": slug,
            "short_code": "ELSE",
            "remit": "",
            "kind": BoardKind.NETWORK,
        },
    )


def members_held() -> int:
    return db.session.scalar(select(func.count()).select_from(board_members))


@pytest.fixture
def partners(make_organisation):
    return make_organisation("Council"), make_organisation("NHS")


def test_a_new_board_whose_address_is_taken_meanwhile_is_not_kept(client, signed_in, partners):
    signed_in(Role.ADMIN)
    form = {
        "name": "Public Health",
        "slug": "",
        "short_code": "PH",
        "remit": "Improves health.",
        "kind": "partnership",
        "members": [str(org.id) for org in partners],
    }
    with someone_else_takes("public-health") as fired:
        response = client.post("/manage/boards/new", data=form)
    assert fired
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Another board already uses this web address" in text and 'value="Public Health"' in text
    db.session.expire_all()
    assert count(Board) == 0 and members_held() == 0


def test_an_edit_whose_address_is_taken_meanwhile_changes_nothing(client, signed_in, make_board, partners):
    council, nhs = partners
    board = make_board("Health", members=[council], short_code="HWB")
    signed_in(Role.ADMIN)
    form = {
        "name": "Public Health",
        "slug": "public-health",
        "short_code": "PH",
        "remit": "Improves health.",
        "kind": "network",
        "members": [str(council.id), str(nhs.id)],
    }
    with someone_else_takes("public-health") as fired:
        response = client.post("/manage/boards/health/edit", data=form)
    assert fired
    assert response.status_code == 400
    assert "Another board already uses this web address" in response.get_data(as_text=True)
    db.session.expire_all()
    board = db.session.get(Board, board.id)
    assert (board.name, board.slug, board.short_code, board.kind) == (
        "Health",
        "health",
        "HWB",
        BoardKind.PARTNERSHIP,
    )
    assert [org.name for org in board.members] == ["Council"]
    assert count(Board) == 1


def test_a_priority_whose_code_is_taken_meanwhile_is_not_kept(client, signed_in, make_board, partners):
    board = make_board("Health", members=[partners[0]], short_code="HWB")
    signed_in(Role.BOARD_OFFICER, organisation=partners[0])
    form = {"code": "HWB-SMOKING", "title": "Helping people stop smoking", "description": ""}
    with another_writer_stores(
        lambda obj: isinstance(obj, Priority) and obj.code == "HWB-SMOKING",
        lambda obj: {"board_id": board.id, "code": obj.code, "title": "Another officer's priority"},
    ) as fired:
        response = client.post("/manage/boards/health/priorities/new", data=form)
    assert fired
    assert response.status_code == 400
    assert "This board already has a priority with this code" in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(Priority) == 0

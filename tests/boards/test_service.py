"""Board service functions used by views and the CLI."""

import pytest

from engage.accounts.models import Role
from engage.boards import service
from engage.boards.models import BoardKind
from engage.service_errors import FieldConflict


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Health & Wellbeing", "health-wellbeing"),
        ("  Safer and Stronger Communities ", "safer-and-stronger-communities"),
        ("Plant Cymru: Blynyddoedd Cynnar", "plant-cymru-blynyddoedd-cynnar"),
        ("Café Society", "cafe-society"),
        ("!!!", ""),
    ],
)
def test_slugify(name, slug):
    assert service.slugify(name) == slug


def test_boards_for_an_admin_is_every_board(app, make_user, make_board):
    make_board("A")
    make_board("B")
    assert [b.name for b in service.boards_for(make_user(Role.ADMIN))] == ["A", "B"]


def test_boards_for_a_partner_is_the_boards_it_sits_on(app, make_user, make_board, make_organisation):
    fire = make_organisation("Fire")
    make_board("A", members=[fire])
    make_board("B")
    assert [b.name for b in service.boards_for(make_user(Role.ANALYST, organisation=fire))] == ["A"]


def test_save_board_refuses_a_clashing_slug_even_without_the_form(app, make_board):
    make_board("Taken", short_code="T1")
    with pytest.raises(FieldConflict) as conflict:
        service.save_board(
            None, name="X", slug="taken", short_code="T2", remit="", kind=BoardKind.NETWORK, members=[]
        )
    assert conflict.value.field == "slug"


def test_save_priority_refuses_a_duplicate_code_even_without_the_form(app, make_board, make_priority):
    board = make_board()
    make_priority(board, "DUP")
    with pytest.raises(FieldConflict):
        service.save_priority(board, None, code="dup", title="Again", description="")

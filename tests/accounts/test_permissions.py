"""The partnership's rule: manage what your organisation owns on its boards; read what your boards did."""

from engage.accounts.models import Role
from engage.accounts.permissions import can_manage_owned, can_manage_priorities, can_read_results, sits_on


def test_rules(app, make_user, make_board, make_organisation):
    council, police = make_organisation("Council"), make_organisation("Police")
    board = make_board(members=[council, police])
    other_board = make_board()
    officer = make_user(Role.BOARD_OFFICER, organisation=council)
    police_officer = make_user(Role.BOARD_OFFICER, organisation=police)
    analyst = make_user(Role.ANALYST, organisation=council)
    admin = make_user(Role.ADMIN, organisation=make_organisation("Elsewhere"))

    assert sits_on(officer, board) and not sits_on(officer, other_board)
    assert can_manage_priorities(officer, board) and not can_manage_priorities(officer, other_board)
    assert not can_manage_priorities(analyst, board)
    assert can_manage_priorities(admin, other_board)

    assert can_read_results(analyst, board) and can_read_results(police_officer, board)
    assert not can_read_results(analyst, other_board)
    assert can_read_results(admin, other_board)

    # An exercise the council owns on the board: the council's officer manages it, the police's does not.
    assert can_manage_owned(officer, board, council.id, Role.BOARD_OFFICER)
    assert not can_manage_owned(police_officer, board, council.id, Role.BOARD_OFFICER)
    assert not can_manage_owned(analyst, board, council.id, Role.BOARD_OFFICER)
    assert can_manage_owned(admin, board, council.id, Role.BOARD_OFFICER)
    assert not can_manage_owned(officer, other_board, council.id, Role.BOARD_OFFICER)

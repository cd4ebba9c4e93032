"""Boards: the public page, admins managing boards, board officers managing priorities."""

import pytest
from sqlalchemy import func, select

from engage.accounts.models import Role
from engage.boards.models import Board, BoardKind, Priority, PriorityStatus
from engage.extensions import db


def _board_form(**changes):
    data = {
        "name": "Health and Wellbeing",
        "slug": "",
        "short_code": "HWB",
        "remit": "Improves health.",
        "kind": "partnership",
        "members": [],
    }
    data.update(changes)
    return data


# -- the public board page ------------------------------------------------------------------------


def test_public_board_page_shows_remit_members_and_active_priorities_only(
    client, make_board, make_priority, make_organisation
):
    police = make_organisation("Westmarch Police")
    board = make_board("Safer Communities", members=[police], remit="Reduces crime.")
    make_priority(board, "SSC-ASB", "Tackling anti-social behaviour", description="Respond quickly.")
    make_priority(board, "SSC-OLD", "An old priority", status=PriorityStatus.ARCHIVED)
    html = client.get("/boards/safer-communities").get_data(as_text=True)
    assert "Reduces crime." in html and "Westmarch Police" in html
    assert "Tackling anti-social behaviour" in html and "Respond quickly." in html
    assert "An old priority" not in html
    assert "elected councillors oversee its work" in html


def test_network_board_says_it_does_not_make_decisions(client, make_board):
    make_board("Economy Network", kind=BoardKind.NETWORK)
    html = client.get("/boards/economy-network").get_data(as_text=True)
    assert "does not make decisions" in html


def test_unknown_board_is_404(client):
    assert client.get("/boards/nope").status_code == 404


def test_text_is_escaped_never_run_as_html(client, make_board, make_priority):
    board = make_board("Board X")
    make_priority(board, "X-1", "<script>alert(1)</script>")
    html = client.get("/boards/board-x").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- managing boards (admins) ---------------------------------------------------------------------


def test_admin_creates_a_board_with_members_and_a_slug_made_from_the_name(
    client, signed_in, make_organisation
):
    council = make_organisation("Council")
    nhs = make_organisation("NHS")
    signed_in(Role.ADMIN)
    response = client.post("/manage/boards/new", data=_board_form(members=[str(council.id), str(nhs.id)]))
    assert response.status_code == 302
    board = db.session.scalar(select(Board))
    assert board.slug == "health-and-wellbeing"
    assert board.short_code == "HWB"
    assert {org.name for org in board.members} == {"Council", "NHS"}
    assert response.headers["Location"] == "/manage/boards/health-and-wellbeing"


def test_boards_list_shows_which_boards_need_political_oversight(client, signed_in, make_board):
    make_board("Partnership Board", kind=BoardKind.PARTNERSHIP)
    make_board("Working Group", kind=BoardKind.NETWORK)
    signed_in(Role.ADMIN)
    html = client.get("/manage/boards").get_data(as_text=True)
    assert "Partnership board" in html and "Network or working group" in html
    assert "Needed" in html and "Not needed" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "taken"}, "slug", "Another board already uses this web address"),
        ({"short_code": "tkn"}, "short_code", "Another board already uses this short code"),
        ({"slug": "Not A Slug!"}, "slug", "Web address can only use lower-case letters"),
        ({"name": ""}, "name", "Enter the board"),
        ({"kind": ""}, "kind", "Select the kind of board"),
        ({"short_code": "has space"}, "short_code", "Short code can only use letters"),
    ],
)
def test_bad_board_details_get_clear_messages_and_nothing_is_written(
    client, signed_in, make_board, changes, field, message
):
    make_board("Taken", short_code="TKN")
    signed_in(Role.ADMIN)
    response = client.post("/manage/boards/new", data=_board_form(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'href="#{field}"' in html
    assert db.session.scalar(select(func.count()).select_from(Board)) == 1


def test_slug_made_from_a_name_that_clashes_is_refused(client, signed_in, make_board):
    make_board("Health and Wellbeing", short_code="H1")
    signed_in(Role.ADMIN)
    response = client.post("/manage/boards/new", data=_board_form())
    assert "Another board already uses this web address" in response.get_data(as_text=True)


def test_admin_edits_a_board_and_its_members(client, signed_in, make_board, make_organisation):
    council, police = make_organisation("Council"), make_organisation("Police")
    board = make_board("Safer", members=[council], short_code="SSC")
    signed_in(Role.ADMIN)
    page = client.get("/manage/boards/safer/edit").get_data(as_text=True)
    assert 'value="SSC"' in page
    client.post(
        "/manage/boards/safer/edit",
        data=_board_form(name="Safer and Stronger", slug="safer", short_code="SSC", members=[str(police.id)]),
    )
    db.session.refresh(board)
    assert board.name == "Safer and Stronger"
    assert [org.name for org in board.members] == ["Police"]


@pytest.mark.parametrize("role", [Role.BOARD_OFFICER, Role.FACILITATOR, Role.ANALYST])
def test_only_admins_create_or_edit_boards(client, signed_in, make_board, role):
    make_board("Existing")
    signed_in(role)
    assert client.get("/manage/boards/new").status_code == 403
    assert client.post("/manage/boards/new", data=_board_form()).status_code == 403
    assert client.get("/manage/boards/existing/edit").status_code == 403


def test_non_admins_see_only_the_boards_their_organisation_sits_on(
    client, signed_in, make_board, make_organisation
):
    police = make_organisation("Police")
    make_board("Safer", members=[police])
    make_board("Health")
    signed_in(Role.ANALYST, organisation=police)
    html = client.get("/manage/boards").get_data(as_text=True)
    assert "Safer" in html and "Health" not in html
    assert client.get("/manage/boards/health").status_code == 403
    assert client.get("/manage/boards/safer").status_code == 200


# -- priorities (board officers) ------------------------------------------------------------------


@pytest.fixture
def hwb(make_board, make_organisation):
    return make_board("Health", members=[make_organisation("Council")], short_code="HWB")


def test_board_officer_of_a_member_organisation_adds_a_priority(client, signed_in, hwb):
    signed_in(Role.BOARD_OFFICER, organisation=hwb.members[0])
    response = client.post(
        "/manage/boards/health/priorities/new",
        data={
            "code": " HWB-SMOKING ",
            "title": "Helping people stop smoking",
            "description": "Free support.",
        },
    )
    assert response.status_code == 302
    priority = db.session.scalar(select(Priority))
    assert (priority.code, priority.title, priority.status) == (
        "HWB-SMOKING",
        "Helping people stop smoking",
        PriorityStatus.ACTIVE,
    )
    assert "Helping people stop smoking" in client.get("/").get_data(as_text=True)


def test_board_officer_from_another_organisation_is_forbidden(client, signed_in, hwb, make_priority):
    priority = make_priority(hwb)
    signed_in(Role.BOARD_OFFICER)
    assert client.get("/manage/boards/health/priorities/new").status_code == 403
    assert client.post(f"/manage/boards/health/priorities/{priority.id}/archive").status_code == 403
    assert client.get("/manage/boards/health").status_code == 403


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.ANALYST])
def test_partners_can_read_a_board_but_only_officers_change_priorities(
    client, signed_in, hwb, make_priority, role
):
    priority = make_priority(hwb, "HWB-1", "Visible to partners")
    signed_in(role, organisation=hwb.members[0])
    html = client.get("/manage/boards/health").get_data(as_text=True)
    assert "Visible to partners" in html
    assert "Add a priority" not in html
    assert client.get(f"/manage/boards/health/priorities/{priority.id}/edit").status_code == 403


def test_duplicate_priority_code_on_a_board_is_refused_with_input_kept(client, signed_in, hwb, make_priority):
    make_priority(hwb, "HWB-SMOKING")
    signed_in(Role.BOARD_OFFICER, organisation=hwb.members[0])
    response = client.post(
        "/manage/boards/health/priorities/new",
        data={"code": "hwb-smoking", "title": "Again", "description": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This board already has a priority with this code" in html
    assert 'value="Again"' in html
    assert db.session.scalar(select(func.count()).select_from(Priority)) == 1


def test_same_code_on_another_board_is_fine(client, signed_in, hwb, make_board, make_priority):
    other = make_board("Other")
    make_priority(other, "SHARED-1")
    signed_in(Role.ADMIN)
    response = client.post(
        "/manage/boards/health/priorities/new", data={"code": "SHARED-1", "title": "Fine", "description": ""}
    )
    assert response.status_code == 302


def test_empty_title_is_refused(client, signed_in, hwb):
    signed_in(Role.ADMIN)
    response = client.post("/manage/boards/health/priorities/new", data={"code": "X", "title": "  "})
    assert response.status_code == 400
    assert "Enter a title" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Priority)) == 0


def test_editing_a_priority_keeps_its_own_code(client, signed_in, hwb, make_priority):
    priority = make_priority(hwb, "HWB-1", "Old")
    signed_in(Role.BOARD_OFFICER, organisation=hwb.members[0])
    response = client.post(
        f"/manage/boards/health/priorities/{priority.id}/edit", data={"code": "HWB-1", "title": "New"}
    )
    assert response.status_code == 302
    db.session.refresh(priority)
    assert priority.title == "New"


def test_priority_on_another_board_is_404(client, signed_in, hwb, make_board, make_priority):
    other = make_priority(make_board("Other"))
    signed_in(Role.ADMIN)
    assert client.get(f"/manage/boards/health/priorities/{other.id}/edit").status_code == 404


def test_archiving_hides_a_priority_from_residents_but_keeps_it(client, signed_in, hwb, make_priority):
    priority = make_priority(hwb, "HWB-1", "Archivable")
    signed_in(Role.BOARD_OFFICER, organisation=hwb.members[0])
    response = client.post(f"/manage/boards/health/priorities/{priority.id}/archive", follow_redirects=True)
    assert "Its history is kept" in response.get_data(as_text=True)
    db.session.refresh(priority)
    assert priority.status is PriorityStatus.ARCHIVED
    assert "Archivable" not in client.get("/boards/health").get_data(as_text=True)
    assert "Archived" in client.get("/manage/boards/health").get_data(as_text=True)
    client.post(f"/manage/boards/health/priorities/{priority.id}/restore")
    db.session.refresh(priority)
    assert priority.status is PriorityStatus.ACTIVE


def test_archive_needs_post(client, signed_in, hwb, make_priority):
    priority = make_priority(hwb)
    signed_in(Role.ADMIN)
    assert client.get(f"/manage/boards/health/priorities/{priority.id}/archive").status_code == 405

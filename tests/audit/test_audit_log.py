"""Administrative actions are recorded, and administrators (only) can read the log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.accounts.models import Role
from engage.audit.models import AuditEvent
from engage.extensions import db
from engage.prioritise.models import ExerciseStatus
from tests.conftest import sign_in


def events() -> list[tuple[str, str, str]]:
    db.session.expire_all()
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(e.actor, e.action, e.target) for e in rows]


def test_sign_ins_failures_and_sign_outs(client, officer):
    client.post("/sign-in", data={"email": officer.email, "password": "wrong"})
    sign_in(client, officer)
    client.post("/sign-out")
    assert events() == [
        ("someone signing in", "sign_in_failed", f"user_id={officer.id} ({officer.email})"),
        (officer.email, "sign_in", f"user_id={officer.id}"),
        (officer.email, "sign_out", ""),
    ]
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_failed"))
    assert failed.user_id is None  # nobody was signed in when it happened


def test_an_email_that_matches_no_account_is_not_kept(client):
    """Finding: what someone typed as an email (perhaps their password in the wrong box, or a stranger's
    address) was stored in the audit log."""
    client.post("/sign-in", data={"email": "Hunter2-my-password@typo.example", "password": "x"})
    client.post("/sign-in", data={"email": "not-an-email-at-all", "password": "x"})
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")).all()
    unknown = ("someone signing in", "", "unknown account")
    assert [(e.actor, e.target, e.detail) for e in rows] == [unknown, unknown]
    assert all("hunter2" not in f"{e.actor}{e.target}{e.detail}".lower() for e in rows)


def test_a_change_by_staff_is_recorded_with_what_it_was_done_to(client, officer, make_exercise):
    exercise = make_exercise(ExerciseStatus.DRAFT)
    sign_in(client, officer)
    client.post(f"/manage/exercises/{exercise.id}/open")
    assert (officer.email, "prioritise.change_status", f"action=open, exercise_id={exercise.id}") in events()


def test_a_form_sent_back_with_errors_changed_nothing_and_is_not_recorded(client, officer, hwb):
    sign_in(client, officer)
    before = len(events())
    response = client.post(f"/manage/boards/{hwb.slug}/exercises/new", data={"title": ""})
    assert response.status_code == 400
    assert len(events()) == before


def test_role_changes_say_what_changed(client, signed_in, make_user):
    admin = signed_in(Role.ADMIN)
    user = make_user(Role.BOARD_OFFICER)
    response = client.post(
        f"/manage/users/{user.id}/edit",
        data={
            "email": user.email,
            "name": user.name,
            "organisation_id": user.organisation_id,
            "roles": ["board_officer", "analyst"],
            "active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roles_changed"))
    assert change.actor == admin.email
    assert change.detail == "board_officer -> analyst, board_officer"


def test_downloads_of_answers_are_recorded_as_exports(client, officer, make_exercise):
    exercise = make_exercise()
    sign_in(client, officer)
    assert client.get(f"/manage/exercises/{exercise.id}/votes.csv").status_code == 200
    target = f"prioritise.download exercise_id={exercise.id}, fmt=csv, what=votes"
    assert (officer.email, "export", target) in events()


@pytest.mark.real_commits  # a backup reads the database through its own connection
def test_commands_run_on_the_server_are_recorded(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "b.backup")])
    assert result.exit_code == 0, result.output
    assert events()[-1][:2] == ("command line", "backup")


def test_only_administrators_read_the_log(client, signed_in, make_user, officer):
    sign_in(client, officer)
    assert client.get("/manage/audit").status_code == 403
    client.post("/sign-out")
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    page = client.get("/manage/audit").get_data(as_text=True)
    assert "Audit log" in page and "Signed in" in page and "Signed out" in page
    assert page.index(admin.email) < page.index(officer.email)  # newest first
    filtered = client.get("/manage/audit?action=sign_out").get_data(as_text=True)
    assert officer.email in filtered and admin.email not in filtered.split("<tbody")[1]
    for nonsense in ("99999999999999999999999", "²", "-3"):  # the first page, not a 500 from the database
        response = client.get("/manage/audit", query_string={"page": nonsense})
        assert response.status_code == 200 and admin.email in response.get_data(as_text=True), nonsense
    past_the_end = client.get("/manage/audit", query_string={"page": 5}).get_data(as_text=True)
    assert admin.email in past_the_end  # the last page (here the only one), not an empty list


def test_a_step_refused_and_undone_part_way_is_not_recorded_as_a_change(app_factory, make_user):
    """The hook counts the writes a request sent; writes a rolled-back savepoint undid (an action refused
    part-way, then answered with a redirect) changed nothing, so they are not an audited action."""
    from flask import redirect

    from engage.boards.models import Board, BoardKind
    from engage.transactions import atomic

    app = app_factory(fresh=True)  # it adds a route

    @app.post("/manage/test-only/refused")
    def refused():
        try:
            with atomic():
                db.session.add(
                    Board(
                        name="Half made", slug="half-made", short_code="HM", remit="x", kind=BoardKind.NETWORK
                    )
                )
                db.session.flush()
                raise ValueError("the second step is refused")
        except ValueError:
            return redirect("/manage")

    with app.app_context():
        user = make_user(Role.ADMIN)
        client = app.test_client()
        sign_in(client, user)
        before = len(events())
        assert client.post("/manage/test-only/refused").status_code == 302
        assert len(events()) == before, [str(e) for e in events()]
        assert db.session.scalar(select(Board).where(Board.slug == "half-made")) is None


def test_a_with_statement_counts_as_a_write_only_when_it_changes_data():
    """PostgreSQL's data-modifying CTEs (the pairwise vote is one) are writes; a WITH that reads is not."""
    from engage.audit.service import WRITES

    assert WRITES.match("WITH counted AS \n(INSERT INTO respondents (exercise_id) SELECT 1) SELECT 1")
    assert WRITES.match("with gone as (delete from votes where id = 1 returning id) select id from gone")
    assert WRITES.match("  UPDATE exercises SET title = 'x'")
    assert not WRITES.match("WITH recent AS (SELECT id FROM pairwise_votes) SELECT inserted_at FROM recent")
    assert not WRITES.match("SELECT 1")

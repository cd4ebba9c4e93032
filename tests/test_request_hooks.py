"""What every request pays for (engage/transactions.py, engage/audit/service.py, engage/web.py): a request
that never uses the database makes no session and commits nothing; the security headers are added only
where a view has not set its own."""

from __future__ import annotations

from flask import Response
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from engage.extensions import db
from engage.transactions import request_session
from engage.web import _security_headers


def test_a_request_that_never_uses_the_database_makes_no_session_and_commits_nothing(app):
    begun: list[Session] = []

    def note(session, transaction):
        begun.append(session)

    event.listen(Session, "after_transaction_create", note)
    try:
        with app.test_request_context("/healthz"):
            assert request_session() is None
            response = app.full_dispatch_request()
            assert response.status_code == 200
            assert request_session() is None  # the hooks at the end made none either
    finally:
        event.remove(Session, "after_transaction_create", note)
    assert begun == []


def test_what_a_request_began_is_still_committed_at_its_end(app):
    with app.test_request_context("/healthz"):
        db.session.execute(select(1))
        session = request_session()
        assert session is not None and session.in_transaction()
        app.process_response(Response("ok"))
        assert not session.in_transaction()


def test_a_views_own_headers_are_kept_and_vary_keeps_what_it_had(app):
    with app.test_request_context("/"):
        response = Response("<p>x</p>", mimetype="text/html")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Vary"] = "Accept-Language"
        _security_headers(response)
        assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
        assert response.headers["Vary"] == "Accept-Language, Cookie"
        assert response.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        plain = _security_headers(Response("x"))
        assert plain.headers.getlist("Vary") == ["Cookie"]
        assert plain.headers["X-Content-Type-Options"] == "nosniff"


def test_a_change_made_after_the_unit_of_work_ended_is_still_committed(app):
    """An object changed once its transaction has ended (nothing begun since) is still flushed and
    committed at the end of the request, as before. (A session of its own: the tests' sessions are
    savepoints of the test's transaction, which never ends inside a test.)"""
    from sqlalchemy import Integer, String, create_engine
    from sqlalchemy.orm import DeclarativeBase, mapped_column

    from engage.transactions import _commit_the_request

    class Base(DeclarativeBase):
        pass

    class Note(Base):
        __tablename__ = "notes"
        id = mapped_column(Integer, primary_key=True)
        text = mapped_column(String)

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = Session(engine, expire_on_commit=False)
    note = Note(id=1, text="before")
    session.add(note)
    session.commit()
    note.text = "changed after the commit"  # begins a transaction (SQLAlchemy's autobegin)
    assert session.dirty
    with app.test_request_context("/healthz"):
        db.session.registry.set(session)
        try:
            _commit_the_request(Response("ok"))
        finally:
            db.session.registry.clear()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT text FROM notes").scalar() == "changed after the commit"

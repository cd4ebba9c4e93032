"""The floor for `make load`: the same stack as Engage (Flask, SQLAlchemy, gunicorn, the same database)
doing nothing but one INSERT and a commit per request."""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func

from engage.config import ping_after_idle_seconds
from engage.database import ping_after_idle  # and the same SQLite settings as Engage (WAL, busy timeout...)

URL = os.environ["ENGAGE_DATABASE_URL"]
# The pool as Engage's: a connection is tested before use only after lying idle (SQLAlchemy's pool_pre_ping
# on every checkout, as Engage had, cost each insert a round trip that Engage no longer pays).
engine = create_engine(URL, pool_pre_ping=False)
ping_after_idle(engine, ping_after_idle_seconds(os.environ))
metadata = MetaData()
bare_votes = Table(
    "bare_votes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64)),
    Column("created_at", DateTime, server_default=func.now()),
)
metadata.create_all(engine)

app = Flask(__name__)


@app.get("/healthz")
def health():
    return "ok"


@app.post("/insert")
def insert():
    with engine.begin() as connection:
        connection.execute(bare_votes.insert().values(key=request.form.get("key", "")[:64]))
    return "ok"

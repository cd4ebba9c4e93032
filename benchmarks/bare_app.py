"""The floor for `make load`: the same stack as Engage (Flask, SQLAlchemy, gunicorn, the same database)
doing nothing but one INSERT and a commit per request."""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func

import engage.database  # noqa: F401 - the same SQLite settings as Engage (WAL, busy timeout, synchronous)

URL = os.environ["ENGAGE_DATABASE_URL"]
engine = create_engine(URL, pool_pre_ping=True)
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

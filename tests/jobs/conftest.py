"""Fixtures of the jobs tests."""

from __future__ import annotations

import pytest

from engage.jobs import cache


@pytest.fixture
def large(monkeypatch):
    """Every exercise counts as large (over 2 answers), and a queued recomputation is recorded, not run:
    what a worker would be asked to do."""
    queued = []
    monkeypatch.setattr(cache, "IN_REQUEST_ANSWERS", 2)

    def refresh_now(subject, subject_id, name=""):
        queued.append((subject, subject_id))
        return True

    monkeypatch.setattr(cache, "refresh_now", refresh_now)
    return queued

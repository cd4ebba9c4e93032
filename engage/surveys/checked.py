"""A draft's answers as checked on the resident's way to "check your answers", kept for the send.

Sending a response used to check every page of the draft again: its pages, questions and options put into
the request's session and a form built and validated per page, about a quarter of a send's processor time
(py-spy, 2026-12-01). Those answers were checked moments before, by the same code, when the resident went on
to "check your answers" from a page. So there, when every page passes, the answer rows are kept on the
draft (``ResponseDraft.checked``) with what they were checked against:

- a SHA-256 digest of the draft's answers they came from: any later change to them (another page saved,
  "come back later" with a page half-done) no longer matches;
- the consultation's structure stamp and board (engage.kept_structure): an officer's edit of a page, a
  question, an option or the board's priorities moves the stamp, and the rows no longer match.

A send stores the kept rows only when both match (:func:`usable`), and otherwise checks every page as
before. Nothing the checks read is missing from those two: whether the consultation is open is read from its
row at the send, and the checks use no clock but "not after today", which a date that passed stays.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engage.surveys.models import Consultation, QuestionKind


@dataclass(frozen=True)
class Checked:
    """Answer rows ready to store (column values, as ``responses.answer_values`` gives them) and the kind of
    each question they answer (for counting them)."""

    rows: list[dict[str, Any]]
    kinds: dict[int, QuestionKind]


def _digest(data: str) -> str:
    return hashlib.sha256(data.encode()).hexdigest()


def _stamp(consultation: Consultation) -> list[int | None]:
    return [consultation.structure_version, consultation.board_id]


def kept(consultation: Consultation, data: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """What ``ResponseDraft.checked`` holds for the answer ``rows`` that the draft's answers ``data`` (its
    column's text) passed every page's checks with."""
    answered = {row["question_id"] for row in rows}
    kinds = {str(q.id): q.kind.value for q in consultation.questions if q.id in answered}
    return json.dumps(
        {"of": _digest(data), "stamp": _stamp(consultation), "rows": list(rows), "kinds": kinds},
        separators=(",", ":"),
    )


def usable(consultation: Consultation, data: str | None, checked: str | None) -> Checked | None:
    """The rows a draft (its ``data`` and ``checked`` columns) kept for sending, when they were checked from
    these very answers against the consultation's pages as they are now; None otherwise (check them)."""
    if not data or not checked:
        return None
    found = json.loads(checked)
    if found["of"] != _digest(data) or found["stamp"] != _stamp(consultation) or not found["rows"]:
        return None
    return Checked(found["rows"], {int(qid): QuestionKind(kind) for qid, kind in found["kinds"].items()})

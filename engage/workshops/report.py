"""The session report: turnout per round and the room's result beside the online result so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engage.spreadsheets import csv_text
from engage.workshops.models import WorkshopRound, WorkshopSession
from engage.workshops.results import RoundResult, round_result, round_turnout

REPORT_COLUMNS = [
    "round",
    "exercise",
    "kind",
    "item",
    "measure",
    "room",
    "online",
    "room_respondents",
    "online_respondents",
    "workshop_people",
    "paper_sheets",
]


@dataclass(frozen=True)
class RoundReport:
    round: WorkshopRound
    room: RoundResult
    online: RoundResult
    turnout: dict[str, int]

    def rows(self) -> list[tuple[str, float, float | None]]:
        """(item, room value, online value) in the room's order."""
        online = dict(self.online.items)
        return [(title, value, online.get(title)) for title, value in self.room.items]


def session_report(session: WorkshopSession) -> list[RoundReport]:
    return [
        RoundReport(r, round_result(r, room=True), round_result(r, room=False), round_turnout(r))
        for r in session.rounds
    ]


def report_csv(session: WorkshopSession) -> str:
    rows: list[Sequence[object]] = [REPORT_COLUMNS]
    for number, report in enumerate(session_report(session), start=1):
        for item, room, online in report.rows():
            rows.append(
                [
                    number,
                    report.round.title,
                    report.round.kind,
                    item,
                    report.room.measure,
                    round(room, 6),
                    None if online is None else round(online, 6),
                    report.room.respondents,
                    report.online.respondents,
                    report.turnout.get("workshop", 0),
                    report.turnout.get("paper", 0),
                ]
            )
    return csv_text(rows)

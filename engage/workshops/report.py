"""The session report: turnout per round and the room's result beside the online result so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engage.spreadsheets import csv_text
from engage.workshops.models import WorkshopRound, WorkshopSession
from engage.workshops.paper import sheet_counts
from engage.workshops.results import RoundResult, round_result, round_turnout

#: measure: "score" (0 to 100), "share" (of the budget, 0 to 1), "answers" (a question: each answer's share of
#: the people who answered, 0 to 1) or "text" (a free-text question: one row, item empty, with the counts; the
#: answers are in the consultation's results). room and online are empty where nobody answered that way. A
#: show of hands is one count of many hands, not sheets: paper_sheets counts sheets typed in (one per person,
#: exercise rounds), shows_of_hands the counts entered and hands_counted the hands in them (question rounds);
#: a column that does not apply to the round is empty.
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
    "shows_of_hands",
    "hands_counted",
]


@dataclass(frozen=True)
class RoundReport:
    round: WorkshopRound
    room: RoundResult
    online: RoundResult
    turnout: dict[str, int]
    #: Paper sheets that count (corrected ones replaced): one person each, or one show of hands each.
    sheets: int

    def rows(self) -> list[tuple[str, float | None, float | None]]:
        """(item, room value, online value) in the room's order; None where nobody answered that way (the
        figure would be a made-up 0 or 50)."""
        if self.room.measure == "text":
            return [("", None, None)]
        online = dict(self.online.items) if self.online.respondents else {}
        return [
            (title, value if self.room.respondents else None, online.get(title))
            for title, value in self.room.items
        ]

    @property
    def hands(self) -> bool:
        """Paper for a closed question is a show of hands (a free-text round takes no paper)."""
        return self.round.question is not None and not self.round.open_text

    @property
    def paper_sheets(self) -> int | None:
        return None if self.hands or self.round.open_text else self.turnout.get("paper", 0)

    @property
    def shows_of_hands(self) -> int | None:
        return self.sheets if self.hands else None

    @property
    def hands_counted(self) -> int | None:
        return self.turnout.get("paper", 0) if self.hands else None


def session_report(session: WorkshopSession) -> list[RoundReport]:
    sheets = sheet_counts(session)
    return [
        RoundReport(
            r, round_result(r, room=True), round_result(r, room=False), round_turnout(r), sheets.get(r.id, 0)
        )
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
                    None if room is None else round(room, 6),
                    None if online is None else round(online, 6),
                    report.room.respondents,
                    report.online.respondents,
                    report.turnout.get("workshop", 0),
                    report.paper_sheets,
                    report.shows_of_hands,
                    report.hands_counted,
                ]
            )
    return csv_text(rows)

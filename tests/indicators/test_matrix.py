"""The priority matrix: the gap from target by polarity, quadrants, and the board page and download."""

import csv
import io

import pytest
from sqlalchemy import select

from engage.boards.models import Board
from engage.extensions import db
from engage.indicators.matrix import priority_matrix, quadrant, target_gap
from engage.indicators.models import Polarity, Rag


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "gap"),
    [
        (110, 100, Polarity.HIGHER, 0.10),  # 10% above a target where higher is better
        (90, 100, Polarity.HIGHER, -0.10),
        (21.4, 20.0, Polarity.LOWER, -0.07),  # NI 56: 1.4 points over a lower-is-better target of 20
        (5.1, 5.5, Polarity.LOWER, 0.4 / 5.5),
        (-2, -4, Polarity.HIGHER, 0.5),  # a negative target: the gap is over its size
        (3, None, Polarity.HIGHER, None),
        (3, 0, Polarity.HIGHER, None),
    ],
)
def test_target_gap_by_hand(actual, target, polarity, gap):
    assert target_gap(actual, target, polarity) == (pytest.approx(gap) if gap is not None else None)


def test_quadrants():
    assert quadrant(0.3, 0.2, -0.1) == "focus"
    assert quadrant(0.3, 0.2, 0.0) == "keep-it-up"
    assert quadrant(0.1, 0.2, -0.1) == "watch"
    assert quadrant(0.1, 0.2, 0.1) == "less-pressing"
    assert quadrant(None, 0.2, 0.1) is None and quadrant(0.1, 0.2, None) is None


def board(code):
    return db.session.scalar(select(Board).where(Board.short_code == code))


def test_demo_board_matrix_joins_weights_and_indicators(demo, app):
    matrix = priority_matrix(board("CYP"))
    by_code = {row.priority.code: row for row in matrix.rows}
    weighted = [row for row in matrix.rows if row.weight is not None]
    assert matrix.average_weight == pytest.approx(1 / len(weighted))
    healthy = by_code["CYP-HEALTHY-WEIGHT"]
    assert healthy.gap == pytest.approx((20.0 - 21.4) / 20.0)
    assert healthy.status is Rag.AMBER
    assert healthy.quadrant in {"focus", "watch"}
    assert by_code["CYP-YOUTH-JUSTICE"].status is Rag.RED
    assert {row.quadrant for row in matrix.plotted} <= {"focus", "keep-it-up", "watch", "less-pressing"}


def test_board_page_shows_the_matrix_and_it_downloads(client, demo):
    page = client.get("/boards/children-and-young-people").get_data(as_text=True)
    assert "Importance and performance" in page
    assert "Obesity among primary school age children in Year 6" in page
    assert "7% worse" in page  # 21.4 against a lower-is-better target of 20
    assert "data-plotly" in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/boards/children-and-young-people/priority-matrix.csv").get_data(as_text=True)
            )
        )
    )
    healthy = next(r for r in rows if r["priority_code"] == "CYP-HEALTHY-WEIGHT")
    assert float(healthy["target_gap"]) == pytest.approx(-0.07)
    assert healthy["status"] == "amber" and healthy["weights_version"] == "1"


def test_a_board_without_weights_or_indicators_shows_no_matrix(client, hwb):
    page = client.get("/boards/health-and-wellbeing").get_data(as_text=True)
    assert "Importance and performance" not in page
    assert client.get("/boards/health-and-wellbeing/priority-matrix.csv").status_code == 200

"""Trend: each priority's weight across published versions beside its indicators over periods (chart and
tables), on a staff page for everyone on the board."""

from sqlalchemy import select

from engage.accounts.models import User
from engage.boards.models import Board
from engage.extensions import db
from engage.indicators.entry import write_value
from engage.indicators.models import ValueSource
from engage.indicators.rows import check_figures
from engage.indicators.trend import board_trend
from tests.conftest import sign_in


def test_weights_by_version_beside_indicators_by_period(client, demo):
    board = db.session.scalar(select(Board).where(Board.slug == "health-and-wellbeing"))
    trend = board_trend(board)
    assert trend.versions and all(v.version for v in trend.versions)
    assert [v.version for v in trend.versions] == sorted(v.version for v in trend.versions)
    active = next(row for row in trend.rows if row.priority.code == "HWB-ACTIVE")
    indicator = active.indicators[0][0]
    assert len(active.weights) == len(trend.versions) and active.weights[-1] is not None
    figures = check_figures({"period": "2025/26 Q3", "actual": "30", "target": "25", "polarity": "higher"})
    write_value(indicator, figures, source=ValueSource.FORM, actor="test")
    db.session.commit()
    trend = board_trend(board)
    active = next(row for row in trend.rows if row.priority.code == "HWB-ACTIVE")
    assert trend.periods[-1] == "2025/26 Q3" and len(trend.periods) >= 2
    assert active.gaps[-1] == 0.2  # 30 against a target of 25, higher is better: 20% better

    sign_in(
        client,
        db.session.scalar(select(User).where(User.email == "officer@aldermoor.example")),
        demo.passwords["officer@aldermoor.example"],
    )
    page = client.get("/manage/boards/health-and-wellbeing/trend").get_data(as_text=True)
    assert "Weight of HWB-ACTIVE in each version" in page and "20% better" in page
    assert "data-plotly=" in page and "30 (25)" in page


def test_the_trend_is_only_for_the_boards_partners(client, demo, make_user):
    from engage.accounts.models import Role

    sign_in(client, make_user(Role.ANALYST))  # an organisation on no board
    assert client.get("/manage/boards/health-and-wellbeing/trend").status_code == 403

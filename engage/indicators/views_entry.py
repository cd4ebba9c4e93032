"""Partners' staff enter and correct the values of the indicators their organisation owns; everyone on the
board sees each value's history, a board's missing returns, and the trend of weights beside indicators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from engage.accounts.models import Organisation
from engage.accounts.permissions import admin_required, can_read_results
from engage.boards.access import board_for
from engage.boards.models import Board
from engage.extensions import db
from engage.forms import form_page
from engage.indicators import bp, entry
from engage.indicators.access import can_enter_values, can_see_values
from engage.indicators.charts import trend_charts
from engage.indicators.forms import CorrectionForm, OwnerForm, ValueForm
from engage.indicators.models import Indicator, IndicatorValue, ValueSource
from engage.indicators.rows import plain_number
from engage.indicators.trend import board_trend
from engage.web import allow_inline_styles


def _indicator(indicator_id: int, *, entering: bool = False) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    allowed = can_enter_values if entering else can_see_values
    if not allowed(current_user, indicator):
        abort(403)
    return indicator


def _owner_form(indicator: Indicator, *, shown: bool = False) -> OwnerForm:
    form = OwnerForm(formdata=None) if shown else OwnerForm()
    members = indicator.priority.board.members
    form.owner.choices = [SelectChoice(0, _("No owner yet (administrators enter its values)"))] + [
        SelectChoice(org.id, org.name) for org in members
    ]
    if shown:
        form.owner.data = indicator.owner_organisation_id or 0
    return form


@bp.get("/manage/indicators/all")
@login_required
def indicator_list():
    boards = [
        board
        for board in db.session.scalars(select(Board).order_by(Board.name))
        if can_read_results(current_user, board)
    ]
    listed = [(board, entry.board_indicators(board)) for board in boards]
    return render_template(
        "indicators/list.html", listed=listed, can_enter=lambda i: can_enter_values(current_user, i)
    )


@bp.get("/manage/indicators/<int:indicator_id>")
@login_required
def indicator(indicator_id: int):
    record = _indicator(indicator_id)
    values = sorted(record.values, key=lambda v: v.period, reverse=True)
    return render_template(
        "indicators/indicator.html",
        indicator=record,
        values=[(value, entry.history(value)) for value in values],
        can_enter=can_enter_values(current_user, record),
        owner_form=_owner_form(record, shown=True) if current_user.is_admin else None,
        number=plain_number,
    )


@bp.post("/manage/indicators/<int:indicator_id>/owner")
@admin_required
def change_owner(indicator_id: int):
    record = db.get_or_404(Indicator, indicator_id)
    form = _owner_form(record)
    if not form.validate_on_submit():
        abort(400)
    organisation = db.session.get(Organisation, form.owner.data) if form.owner.data else None
    entry.set_owner(record, organisation)
    flash(_("Saved who enters this indicator's values."), "success")
    return redirect(url_for(".indicator", indicator_id=record.id))


def _save(record: Indicator, form: ValueForm):
    assert form.figures is not None
    _value, outcome = entry.write_value(
        record,
        form.figures,
        source=ValueSource.FORM,
        actor=entry.person(current_user),
        user=current_user,
    )
    if outcome == entry.UNCHANGED:
        flash(
            _("Nothing changed: the figures for %(period)s were already these.", period=form.figures.period)
        )
    else:
        flash(_("Saved the figures for %(period)s.", period=form.figures.period), "success")
    return redirect(url_for(".indicator", indicator_id=record.id))


@bp.route("/manage/indicators/<int:indicator_id>/values/new", methods=["GET", "POST"])
@form_page
@login_required
def enter_value(indicator_id: int):
    record = _indicator(indicator_id, entering=True)
    form = ValueForm()
    if not form.is_submitted() and record.polarity:
        form.polarity.data = record.polarity.value
    if form.validate_on_submit():
        assert form.figures is not None
        held = db.session.scalar(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id == record.id, IndicatorValue.period == form.figures.period
            )
        )
        if held is not None:
            form.add_error(
                "period",
                _(
                    "There is already a value for %(period)s: correct it from the indicator's page instead",
                    period=held.period,
                ),
            )
        else:
            return _save(record, form)
    status = 400 if form.errors else 200
    return render_template("indicators/value_form.html", form=form, indicator=record, value=None), status


@bp.route("/manage/indicators/<int:indicator_id>/values/<int:value_id>", methods=["GET", "POST"])
@form_page
@login_required
def correct_value(indicator_id: int, value_id: int):
    record = _indicator(indicator_id, entering=True)
    value = db.get_or_404(IndicatorValue, value_id)
    if value.indicator_id != record.id:
        abort(404)
    form = CorrectionForm()
    form.fixed_period = value.period
    if not form.is_submitted():
        form.actual.data = plain_number(value.actual)
        form.target.data = plain_number(value.target)
        form.polarity.data = record.polarity.value
        form.status.data = value.status.value if value.status else ""
        form.commentary.data = value.commentary
    if form.validate_on_submit():
        return _save(record, form)
    status = 400 if form.errors else 200
    return render_template("indicators/value_form.html", form=form, indicator=record, value=value), status


@bp.get("/manage/boards/<slug>/missing-returns")
@login_required
def missing_returns(slug: str):
    board = board_for(slug)
    return render_template(
        "indicators/missing.html",
        board=board,
        returns=entry.missing_returns(board),
        can_enter=lambda i: can_enter_values(current_user, i),
    )


@bp.get("/manage/boards/<slug>/trend")
@login_required
def trend(slug: str):
    board = board_for(slug)
    result = board_trend(board)
    weights_chart, gaps_chart = trend_charts(result)
    if weights_chart or gaps_chart:
        allow_inline_styles()  # Plotly.js writes a <style> element
    return render_template(
        "indicators/trend.html",
        board=board,
        trend=result,
        weights_chart=weights_chart,
        gaps_chart=gaps_chart,
        number=plain_number,
    )

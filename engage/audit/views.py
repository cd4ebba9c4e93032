"""The audit log page (administrators)."""

from __future__ import annotations

from flask import render_template, request

from engage.accounts.permissions import admin_required
from engage.audit import bp, service
from engage.audit.labels import action_label
from engage.urls import page_number


@bp.get("/manage/audit")
@admin_required
def audit_log():
    action = request.args.get("action") or None
    page = service.events(page=page_number(request.args.get("page")), action=action)
    return render_template(
        "audit/log.html",
        page=page,
        action=action,
        actions=service.actions(),
        action_label=action_label,
    )

"""One row per administrative action. Rows are only ever added."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.database import UTCDateTime, utcnow
from engage.extensions import Model


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who, as shown at the time (a user's email; "resident" or "command line" otherwise). Kept when the
    #: user is deleted.
    actor: Mapped[str] = mapped_column(String(255))
    #: What: a short code ("sign_in") or the endpoint that changed something ("weights.publish_weight_set").
    action: Mapped[str] = mapped_column(String(80), index=True)
    #: What it was done to, e.g. "weight_set_id=3".
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[int | None] = mapped_column(Integer)

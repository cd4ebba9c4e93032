"""The area's population by category, one row per (dimension, category)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engage.database import UTCDateTime, utcnow
from engage.extensions import Model


class PopulationMargin(Model):
    __tablename__ = "population_margins"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The weighting question it answers, e.g. age_band, sex, ward (the equality questions' keys).
    dimension: Mapped[str] = mapped_column(String(40))
    #: The answer, spelt as the equality question stores it, e.g. 16-24, Female, Central.
    category: Mapped[str] = mapped_column(String(80))
    population: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("dimension", "category"),
        CheckConstraint("population >= 0", name="population_not_negative"),
    )

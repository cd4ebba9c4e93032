"""Indicators (one per priority and reference), their values per period, imports and remembered mappings."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import Organisation, User
from engage.boards.models import Priority
from engage.database import UTCDateTime, enum_column, utcnow
from engage.extensions import Model


class Polarity(enum.Enum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better


class Rag(enum.Enum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class ImportStatus(enum.Enum):
    #: Uploaded and previewed; nothing written to the indicators yet.
    STAGED = "staged"
    IMPORTED = "imported"


class Indicator(Model):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id", ondelete="RESTRICT"), index=True)
    #: The system's reference, e.g. "NI 56".
    reference: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40), default="")
    polarity: Mapped[Polarity] = mapped_column(enum_column(Polarity, "polarity"))
    #: The organisation whose staff enter and correct its values (NULL: not yet given; admins only).
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )

    priority: Mapped[Priority] = relationship()
    owner: Mapped[Organisation | None] = relationship()
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="IndicatorValue.period", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("priority_id", "reference"),)


class IndicatorValue(Model):
    """One period's figures. Importing the same indicator and period again updates this row."""

    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    #: As the system writes it, e.g. "2025/26 Q2".
    period: Mapped[str] = mapped_column(String(40))
    actual: Mapped[float] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    #: The system's own red/amber/green rating (NULL when it gave none).
    status: Mapped[Rag | None] = mapped_column(enum_column(Rag, "rag"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_imports.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What the owning organisation says about the figure ("" when nothing).
    commentary: Mapped[str] = mapped_column(Text, default="")

    indicator: Mapped[Indicator] = relationship(back_populates="values")
    changes: Mapped[list[IndicatorValueChange]] = relationship(
        back_populates="value", order_by="IndicatorValueChange.id", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("indicator_id", "period"),)


class ValueSource(enum.Enum):
    FORM = "form"  # entered or corrected on the staff page
    API = "api"  # pushed by a partner's system with a write token
    IMPORT = "import"  # an uploaded file


class IndicatorValueChange(Model):
    """One entry or correction of a value: who, when, how, and the figures before and after (JSON). Rows are
    only ever added, so a correction never hides what was there before."""

    __tablename__ = "indicator_value_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("indicator_values.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who, as shown at the time (the person's name and organisation, or the API token's name): kept when
    #: the user or token is gone.
    actor: Mapped[str] = mapped_column(String(300))
    source: Mapped[ValueSource] = mapped_column(enum_column(ValueSource, "value_source"))
    #: The figures before (NULL for the first entry) and after, as JSON.
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)

    value: Mapped[IndicatorValue] = relationship(back_populates="changes")
    user: Mapped[User | None] = relationship()


class IndicatorImport(Model):
    """An uploaded file: staged for preview, then imported. The history of who imported what."""

    __tablename__ = "indicator_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    #: NULL when run from the command line.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    #: The file as uploaded, kept until it is imported (then emptied).
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus, "import_status"), default=ImportStatus.STAGED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)

    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship()


class ColumnMapping(Model):
    """An organisation's remembered mapping from its export's headers to Engage's fields (JSON)."""

    __tablename__ = "indicator_column_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    mapping: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

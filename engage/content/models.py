"""The table of officers' translations of their own texts."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engage.extensions import Model

#: The things a translation screen is about; each translation row belongs to exactly one of them, so it goes
#: when they go.
OWNER_COLUMNS = ("consultation_id", "exercise_id", "board_id", "weight_set_id")


class ContentTranslation(Model):
    """An officer's translation of one resident-facing text into one language.

    ``key`` names the text, ``<kind>:<id>:<field>``: ``exercise:4:question``, ``item:17:buys``,
    ``consequence:3:text``, ``board:2:remit``, ``priority:9:title``, ``consultation:5:we_did``,
    ``option:40:label``... Keys are unique across kinds, so one language has at most one text per key. A text
    with no translation is shown in English, marked ``lang="en"``.
    """

    __tablename__ = "content_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The object whose translation screen holds the text (one of these four is set).
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    exercise_id: Mapped[int | None] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), index=True
    )
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    weight_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("weight_sets.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("locale", "key"),
        CheckConstraint(
            " + ".join(f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)" for column in OWNER_COLUMNS)
            + " = 1",
            name="one_owner",
        ),
    )

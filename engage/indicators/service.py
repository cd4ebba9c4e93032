"""Staging, previewing and importing indicator files; remembered mappings; the import history."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engage.accounts.models import Organisation, User
from engage.accounts.permissions import sits_on
from engage.boards.models import Board
from engage.database import utcnow
from engage.extensions import db
from engage.indicators import logger
from engage.indicators.entry import ADDED, person, write_value
from engage.indicators.models import (
    ColumnMapping,
    ImportStatus,
    Indicator,
    IndicatorImport,
    IndicatorValue,
    ValueSource,
)
from engage.indicators.reading import Table, read_table
from engage.indicators.rows import IndicatorRow, check_rows, guess_mapping, mapping_problems
from engage.service_errors import StateError
from engage.transactions import atomic

#: Rows listed on the preview page at most.
PREVIEW_ROWS = 500


@dataclass
class Preview:
    table: Table
    mapping: dict[str, str]
    mapping_problems: list[str]
    rows: list[IndicatorRow]

    @property
    def valid_rows(self) -> list[IndicatorRow]:
        return [row for row in self.rows if row.valid]

    @property
    def bad_rows(self) -> list[IndicatorRow]:
        return [row for row in self.rows if not row.valid]

    @property
    def kept_targets(self) -> int:
        """Valid rows with no target whose indicator already holds one for the period (kept)."""
        return sum(1 for row in self.valid_rows if row.target is None and row.held_target is not None)

    @property
    def shown_rows(self) -> list[IndicatorRow]:
        """The rows the preview lists, in file order: all of them, or up to ``PREVIEW_ROWS`` with the rows
        that have a problem first (a page listing 20,000 rows is too big to read or send)."""
        if len(self.rows) <= PREVIEW_ROWS:
            return self.rows
        chosen = self.bad_rows[:PREVIEW_ROWS]
        chosen += self.valid_rows[: PREVIEW_ROWS - len(chosen)]
        return sorted(chosen, key=lambda row: row.line)

    @property
    def shown_note(self) -> str:
        return (
            f"The table shows {PREVIEW_ROWS} of the {len(self.rows):,} rows: the rows with a problem first, "
            "then the first rows that can be imported. Every row is checked and counted above."
        )


def remembered_mapping(organisation: Organisation | None) -> dict[str, str]:
    if organisation is None:
        return {}
    row = db.session.scalar(select(ColumnMapping).where(ColumnMapping.organisation_id == organisation.id))
    return json.loads(row.mapping) if row else {}


def remember_mapping(organisation: Organisation, mapping: dict[str, str]) -> None:
    row = db.session.scalar(select(ColumnMapping).where(ColumnMapping.organisation_id == organisation.id))
    if row is None:
        row = ColumnMapping(organisation_id=organisation.id)
        db.session.add(row)
    row.mapping = json.dumps(mapping, sort_keys=True)
    row.updated_at = utcnow()


#: Marks a staged upload kept as its table (JSON) rather than as the file that was sent.
STAGED_TABLE = b'{"engage_table":'


def _table_bytes(table: Table) -> bytes:
    return STAGED_TABLE + json.dumps({"headers": table.headers, "rows": table.rows}).encode() + b"}"


def stage_upload(raw: bytes, filename: str, user: User) -> IndicatorImport:
    """Read an uploaded file once (FileProblem if it cannot be) and keep its table for the preview, so
    previewing never parses the file again (a large workbook took seconds each time)."""
    table = read_table(raw, filename)
    staged = IndicatorImport(
        organisation=user.organisation,
        user=user,
        filename=filename[:255] or "upload",
        content=_table_bytes(table),
    )
    db.session.add(staged)
    db.session.flush()
    return staged


def _allowed_boards(user: User | None) -> set[int] | None:
    if user is None or user.is_admin:
        return None
    return {b.id for b in db.session.scalars(select(Board)) if sits_on(user, b)}


def preview_rows(raw: bytes, mapping: dict[str, str] | None, user: User | None) -> Preview:
    """Read and check every row against a mapping (guessed when None) without writing anything."""
    return preview_table(read_table(raw), mapping, user)


def read_staged(record: IndicatorImport) -> Table:
    """The staged upload's table, as read when it was uploaded (a file staged before tables were kept is read
    again, within today's limits: FileProblem if it cannot be)."""
    content = record.content or b""
    if content.startswith(STAGED_TABLE):
        kept = json.loads(content[len(STAGED_TABLE) : -1])
        return Table(kept["headers"], [(line, cells) for line, cells in kept["rows"]])
    return read_table(content, record.filename)


def preview_table(table: Table, mapping: dict[str, str] | None, user: User | None) -> Preview:
    """Check every row of a table already read against a mapping (guessed when None); writes nothing."""
    if mapping is None:
        mapping = guess_mapping(table.headers, remembered_mapping(user.organisation if user else None))
    problems = mapping_problems(mapping, table.headers)
    boards = list(db.session.scalars(select(Board)))
    rows = [] if problems else check_rows(table, mapping, boards, _allowed_boards(user))
    _refuse_others_indicators(rows, user)
    _find_held_targets(rows)
    return Preview(table, mapping, problems, rows)


def _refuse_others_indicators(rows: list[IndicatorRow], user: User | None) -> None:
    """A row for an indicator another organisation owns is a problem: only the owner's staff (or an admin,
    or the command line) enter its values. Indicators not held yet become the importer's organisation's."""
    if user is None or user.is_admin:
        return
    owners = {
        (priority_id, reference): owner
        for priority_id, reference, owner in db.session.execute(
            select(Indicator.priority_id, Indicator.reference, Indicator.owner_organisation_id)
        )
    }
    for row in rows:
        if row.priority is None:
            continue
        key = (row.priority.id, row.values.get("reference", "").strip())
        if key in owners and owners[key] != user.organisation_id:
            row.problems.append(
                f"Indicator “{key[1]}” is entered by another organisation, so your organisation cannot "
                "import its values"
            )


def _find_held_targets(rows: list[IndicatorRow]) -> None:
    """For each valid row with no target, the target already held for its indicator and period (the import
    keeps it), so the preview can say so. One query for the file."""
    blank = [row for row in rows if row.valid and row.target is None and row.priority is not None]
    if not blank:
        return
    priority_ids = sorted({row.priority.id for row in blank if row.priority is not None})
    held = {
        (priority_id, reference, period): target
        for priority_id, reference, period, target in db.session.execute(
            select(Indicator.priority_id, Indicator.reference, IndicatorValue.period, IndicatorValue.target)
            .join(IndicatorValue, IndicatorValue.indicator_id == Indicator.id)
            .where(Indicator.priority_id.in_(priority_ids), IndicatorValue.target.is_not(None))
        )
    }
    for row in blank:
        assert row.priority is not None
        key = (row.priority.id, row.values.get("reference", "").strip(), row.figures.period)
        row.held_target = held.get(key)


def _write(rows: list[IndicatorRow], record: IndicatorImport) -> tuple[int, int]:
    added = updated = 0
    actor = person(record.user) if record.user is not None else "Command line"
    for row in rows:
        assert row.priority is not None and row.polarity is not None and row.actual is not None
        reference = row.values["reference"].strip()
        indicator = db.session.scalar(
            select(Indicator).where(
                Indicator.priority_id == row.priority.id, Indicator.reference == reference
            )
        )
        if indicator is None:
            # A new indicator belongs to the organisation that imported it (none from the command line).
            indicator = Indicator(priority=row.priority, reference=reference, owner=record.organisation)
            db.session.add(indicator)
        indicator.name = row.values["name"].strip()[:300]
        indicator.unit = row.values.get("unit", "").strip()[:40]
        indicator.polarity = row.polarity
        db.session.flush()
        value, outcome = write_value(
            indicator,
            row.figures,
            source=ValueSource.IMPORT,
            actor=actor,
            user=record.user,
            keep_commentary="commentary" not in row.values,
            keep_target=True,
        )
        if outcome == ADDED:
            added += 1
        else:
            updated += 1
        value.import_id = record.id
        value.updated_at = utcnow()
    return added, updated


def import_rows(record: IndicatorImport, preview: Preview, strict: bool = False) -> IndicatorImport:
    """Write the valid rows, all or none of them (with ``strict``, nothing unless every row is valid); a row
    for an indicator and period already held updates it. Remembers the mapping for the organisation.

    Raises StateError, having written nothing, when the import cannot be done (also when another import
    stores one of the same indicators at the same moment)."""
    if record.status is ImportStatus.IMPORTED:
        raise StateError("This file has already been imported.")
    if preview.mapping_problems:
        raise StateError("Match every required field to a column first.")
    if strict and preview.bad_rows:
        raise StateError(f"{len(preview.bad_rows)} rows have problems, so nothing was imported.")
    if not preview.valid_rows:
        raise StateError("No row can be imported: every row has a problem.")
    try:
        with atomic():  # every valid row, the record and the remembered mapping, or none of them
            db.session.add(record)
            db.session.flush()
            added, updated = _write(preview.valid_rows, record)
            record.rows_total = len(preview.rows)
            record.rows_added, record.rows_updated = added, updated
            record.rows_rejected = len(preview.bad_rows)
            record.status = ImportStatus.IMPORTED
            record.imported_at = utcnow()
            record.content = None
            if record.organisation is not None:
                remember_mapping(record.organisation, preview.mapping)
            db.session.flush()
    except IntegrityError as clash:
        # Another import stored one of these indicators or periods after this one looked for it.
        raise StateError(
            "Another import was saving the same indicators at the same moment, so nothing was imported "
            "from this file. Import it again."
        ) from clash
    logger.info(
        "indicator import %s (%s): %s added, %s updated, %s rejected",
        record.id,
        record.filename,
        added,
        updated,
        record.rows_rejected,
    )
    return record


def import_history(limit: int = 50) -> list[IndicatorImport]:
    return list(
        db.session.scalars(
            select(IndicatorImport)
            .where(IndicatorImport.status == ImportStatus.IMPORTED)
            .order_by(IndicatorImport.imported_at.desc())
            .limit(limit)
        )
    )

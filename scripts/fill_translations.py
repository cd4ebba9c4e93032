"""Merge a {msgid: translation} dictionary into a language's .po file (for translators' batches).

Usage: python scripts/fill_translations.py cy path/to/batch.py
The batch file defines CY = {msgid: msgstr} and optionally CY_PLURAL = {msgid: [forms...]}.
Existing translations are replaced only where the batch has one.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(language: str, batch_path: str) -> None:
    batch = runpy.run_path(batch_path)
    singles = batch.get(language.upper(), {})
    plurals = batch.get(f"{language.upper()}_PLURAL", {})
    po_path = ROOT / "engage" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=language)
    filled = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if isinstance(message.id, tuple) and key in plurals:
            message.string = tuple(plurals[key])
            filled += 1
        elif key in singles:
            message.string = singles[key]
            filled += 1
        if "fuzzy" in message.flags and key in singles | plurals:
            message.flags.discard("fuzzy")
    with po_path.open("wb") as f:
        write_po(f, catalog, width=110, omit_header=False, sort_output=True)
    print(f"{filled} messages filled in {po_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(*sys.argv[1:])

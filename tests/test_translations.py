"""The message catalogues are current, and every resident-facing text has a Welsh translation."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "engage" / "translations"
TEMPLATES = ROOT / "engage" / "templates"

#: Pages residents see (staff pages may fall back to English, and the accessibility statement says so).
RESIDENT_TEMPLATES = [
    "base.html",
    "public/home.html",
    "public/privacy.html",
    "public/accessibility.html",
    "boards/board.html",
    "weights/board_weights.html",
    "weights/published_weights.html",
    "weights/_partials/_versions.html",
    "weights/_partials/_status_tag.html",
    "weights/_partials/_weights_table.html",
    "weights/_partials/_weights_chart.html",
    "weights/_partials/_downloads.html",
    "indicators/_partials/_matrix.html",
    "workshops/join.html",
    "workshops/name.html",
    "workshops/room.html",
    "workshops/_partials/_room.html",
    "errors/400.html",
    "errors/403.html",
    "errors/404.html",
    "errors/405.html",
    "errors/429.html",
    "errors/500.html",
    "errors/csrf.html",
    "prioritise/start.html",
    "prioritise/vote.html",
    "prioritise/not_open.html",
    "prioritise/finish.html",
    "prioritise/thank_you.html",
    "prioritise/public_results.html",
    "prioritise/_partials/_pair.html",
    "prioritise/_partials/_choices.html",
    "prioritise/_partials/_vote_status.html",
    "prioritise/_partials/_scores_table.html",
    "prioritise/_partials/_scores_chart.html",
    "prioritise/allocate.html",
    "prioritise/rank.html",
    "prioritise/check_answers.html",
    "prioritise/answered.html",
    "prioritise/answer_results.html",
    "prioritise/_partials/_allocation_summary.html",
    "prioritise/_partials/_consequence.html",
    "prioritise/_partials/_ranking_list.html",
    "prioritise/_partials/_about_you.html",
    "prioritise/_partials/_shares_table.html",
    "prioritise/_partials/_ranks_table.html",
    "surveys/start.html",
    "surveys/section.html",
    "surveys/check.html",
    "surveys/confirmation.html",
    "surveys/not_open.html",
    "surveys/public_results.html",
    "surveys/delete_response.html",
    "surveys/response_deleted.html",
]


def _ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


def test_template_catalogue_is_current(tmp_path):
    """Run `make extract-messages` after changing text; this fails until you do."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--ignore-dirs",
            ".* node_modules __pycache__ instance build",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as f:
        extracted = _ids(read_po(f))
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        stored = _ids(read_po(f))
    assert extracted - stored == set(), "new text is missing from messages.pot: run `make extract-messages`"
    assert stored - extracted == set(), (
        "messages.pot has text the code no longer uses: run `make extract-messages`"
    )


@pytest.mark.parametrize("template", RESIDENT_TEMPLATES)
def test_resident_pages_are_fully_translated_into_welsh(template):
    with (TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        welsh = read_po(f, locale="cy")
    missing = []
    for _, message, _, _ in extract_from_file("jinja2", TEMPLATES / template):
        key = message[0] if isinstance(message, tuple) else message
        entry = welsh.get(key)
        strings = (
            [entry.string]
            if entry is not None and isinstance(entry.string, str)
            else (entry.string if entry else [])
        )
        if not strings or not all(strings):
            missing.append(key)
    assert missing == [], f"{template} has text with no Welsh translation: {missing}"

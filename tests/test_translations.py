"""The message catalogues are current, and every resident-facing text is in Welsh, Urdu and Polish.

Urdu and Polish were drafted by machine (the accessibility statement says so); README "Translations" says
how a council replaces them with a professional translator's work.
"""

import html
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from engage.config import SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "engage" / "translations"
TEMPLATES = ROOT / "engage" / "templates"

#: Pages residents see (staff pages may fall back to English, and the accessibility statement says so).
RESIDENT_TEMPLATES = [
    "base.html",
    "_partials/_equality_form.html",
    "errors/generic.html",
    "prioritise/_partials/_weighting_note.html",
    "prioritise/_partials/_breakdown_table.html",
    "public/home.html",
    "public/results_archive.html",
    "public/_partials/_results_list.html",
    "public/privacy.html",
    "public/accessibility.html",
    "boards/board.html",
    "weights/board_weights.html",
    "weights/published_weights.html",
    "weights/_partials/_versions.html",
    "weights/_partials/_status_tag.html",
    "weights/_partials/_standing.html",
    "weights/_partials/_weights_table.html",
    "weights/_partials/_weights_chart.html",
    "weights/_partials/_downloads.html",
    "indicators/_partials/_matrix.html",
    "workshops/join.html",
    "workshops/name.html",
    "workshops/room.html",
    "workshops/_partials/_room.html",
    "workshops/_partials/_room_state.html",
    "workshops/_partials/_room_poll.html",
    "workshops/_partials/_room_poller.html",
    "errors/400.html",
    "errors/403.html",
    "errors/404.html",
    "errors/405.html",
    "errors/413.html",
    "errors/429.html",
    "errors/500.html",
    "errors/503.html",
    "errors/csrf.html",
    "prioritise/start.html",
    "prioritise/vote.html",
    "prioritise/not_open.html",
    "prioritise/finish.html",
    "prioritise/thank_you.html",
    "prioritise/public_results.html",
    "prioritise/results_pending.html",
    "prioritise/_partials/_results_age.html",
    "prioritise/_partials/_everyone_pending.html",
    "prioritise/_partials/_everyone_age.html",
    "prioritise/_partials/_pair.html",
    "prioritise/_partials/_pair_box.html",
    "prioritise/_partials/_choices.html",
    "prioritise/_partials/_vote_status.html",
    "prioritise/_partials/_scores_table.html",
    "prioritise/_partials/_scores_chart.html",
    "prioritise/_partials/_scale_note.html",
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
    "surveys/_questions.html",
    "surveys/_question_changes.html",
    "surveys/saved.html",
    "surveys/resume_expired.html",
    "surveys/resume_email.txt",
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


#: Languages residents can choose besides English.
RESIDENT_LANGUAGES = [code for code in SUPPORTED_LOCALES if code != "en"]


@cache
def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def _key(message_id):
    return message_id if isinstance(message_id, str) else message_id[0]


def _translated(entry) -> bool:
    if entry is None:
        return False
    strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
    return bool(strings) and all(strings)


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
@pytest.mark.parametrize("template", RESIDENT_TEMPLATES)
def test_resident_pages_are_fully_translated(template, language):
    translations = catalogue(language)
    missing = []
    for _, message, _, _ in extract_from_file("jinja2", TEMPLATES / template):
        key = _key(message)
        if not _translated(translations.get(key)):
            missing.append(key)
    assert missing == [], f"{template} has text with no {language} translation: {missing}"


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
def test_every_language_covers_the_same_resident_messages(language):
    """What one resident language translates (Python messages included), every one does."""
    covered = {
        code: {_key(m.id) for m in catalogue(code) if m.id and _translated(m)} for code in RESIDENT_LANGUAGES
    }
    others = set().union(*(covered[code] for code in RESIDENT_LANGUAGES if code != language))
    assert sorted(others - covered[language]) == []


PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdif%]")


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
def test_translations_keep_every_placeholder(language):
    """A machine draft must not drop, rename or invent %(name)s placeholders (the page would crash)."""
    broken = []
    for message in catalogue(language):
        if not message.id or not _translated(message):
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            found = sorted(PLACEHOLDER.findall(string))
            # A plural form for exactly one may say "one" in words instead of %(num)d.
            if found != expected and not (len(strings) > 1 and set(found) < set(expected)):
                broken.append((_key(message.id), string))
    assert broken == []


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
def test_plural_forms_are_right_for_the_language(language):
    rule = get_plural(language)
    translations = catalogue(language)
    assert translations.num_plurals == rule.num_plurals
    assert translations.plural_expr.replace(" ", "") == rule.plural_expr.replace(" ", "")
    short = [
        _key(m.id)
        for m in translations
        if isinstance(m.id, tuple) and _translated(m) and len(m.string) != rule.num_plurals
    ]
    assert short == []


def test_polish_has_three_plural_forms_and_urdu_two():
    """The figures the CLDR gives: Polish one/few/many, Urdu one/other."""
    assert get_plural("pl").num_plurals == 3
    assert get_plural("ur").num_plurals == 2
    assert Locale.parse("ur").text_direction == "rtl"


@pytest.mark.parametrize("language", RESIDENT_LANGUAGES)
def test_compiled_catalogues_match_their_sources(language):
    """`make install` compiles the .mo files (they are not in git); a stale one would show old text."""
    mo_path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    assert mo_path.exists(), "run `make translations`"
    with mo_path.open("rb") as f:
        compiled = {
            _key(m.id): tuple(m.string) if isinstance(m.id, (list, tuple)) else m.string
            for m in read_mo(f)
            if m.id
        }
    source = {_key(m.id): m.string for m in catalogue(language) if m.id and _translated(m)}
    assert {key: compiled.get(key) for key in source} == source


#: Attributes a screen reader speaks, and component arguments that become visible text.
SPOKEN_ATTRIBUTE = re.compile(r'\b(aria-label|alt|title|placeholder)="([^"{]*)"')
COMPONENT_TEXT = re.compile(
    r"""['"](text|titleText|label|hint|html|visuallyHiddenText|ariaLabel|menuButtonText)['"]\s*:\s*"""
    r"""(['"])((?:(?!\2).)*[A-Za-z](?:(?!\2).)*)\2"""
)


def untranslated_text(source: str) -> list[str]:
    """English a template shows without passing it through gettext."""
    found = []
    code = " ".join(re.findall(r"{{.*?}}|{%.*?%}", source, flags=re.S))
    found += [m.group(3) for m in COMPONENT_TEXT.finditer(code)]
    text = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    found += [m.group(2) for m in SPOKEN_ATTRIBUTE.finditer(text) if re.search(r"[A-Za-z]{2}", m.group(2))]
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    found += re.findall(r"[A-Za-z][A-Za-z'’ ,.]*[A-Za-z]", text)
    return found


def test_the_literal_text_check_finds_english():
    source = """<p>Thank you</p><img alt="A chart" src="x.png">
    {{ govukButton({'text': 'Continue'}) }} {{ _("Fine") }} <p>{{ value }}</p>
    <a aria-label="{{ _('Fine too') }}">{# a comment #}</a>"""
    assert untranslated_text(source) == ["Continue", "A chart", "Thank you"]


@pytest.mark.parametrize("template", RESIDENT_TEMPLATES)
def test_resident_templates_hold_no_literal_english(template):
    assert untranslated_text((TEMPLATES / template).read_text(encoding="utf-8")) == []


def test_every_resident_template_is_listed():
    """A template residents see must be in RESIDENT_TEMPLATES, so the checks above cover it."""
    staff_or_projector = {
        p.relative_to(TEMPLATES).as_posix()
        for folder in ("accounts", "api", "audit", "indicators", "jobs", "population")
        for p in (TEMPLATES / folder).rglob("*.html")
    }
    staff_or_projector |= {
        p.relative_to(TEMPLATES).as_posix()
        for p in TEMPLATES.rglob("*.html")
        if re.search(
            r"(manage|_form|moderate|activity|control|projector|report|paper|preview|imported|upload)", p.name
        )
    }
    staff_or_projector |= STAFF_TEMPLATES
    unlisted = sorted(
        p.relative_to(TEMPLATES).as_posix()
        for p in TEMPLATES.rglob("*.html")
        if p.relative_to(TEMPLATES).as_posix() not in set(RESIDENT_TEMPLATES) | staff_or_projector
    )
    assert unlisted == []


#: Staff pages whose names do not say so.
STAFF_TEMPLATES = {
    "_partials/_hidden_note.html",
    "_partials/_pagination.html",  # the paper sheets and written answers lists
    "content/_partials/_translations_status.html",
    "prioritise/_partials/_breakdown_note.html",
    "surveys/_consultation_list.html",
    "boards/priority_form.html",
    "prioritise/results.html",
    "surveys/results.html",
    "surveys/written_answers.html",
    "surveys/crosstab.html",
    "weights/_partials/_evidence.html",
    "weights/_partials/_sensitivity.html",
    "weights/_partials/_sources_table.html",
    "weights/confirm_publish.html",
    "weights/weight_set.html",
    "weights/sign_off.html",
    "weights/oversight.html",
    "boards/accountable_members.html",
    "workshops/_partials/_sheet_fields.html",
    "workshops/_partials/_projector_live.html",
}

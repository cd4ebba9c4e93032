"""Officers' own text in Welsh and Urdu, seen by a resident on a 375 px phone: each kind of translatable
thing shows its translation, and a text with none is shown in English marked lang="en" (issue 21, item 1).
Also the screenshots of the pairwise, budget and results pages in Welsh and Urdu at 375 and 1280 px."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from engage import content
from engage.boards.models import Board, Priority
from engage.extensions import db
from engage.prioritise.models import Exercise, ExerciseItem, ExerciseKind, ExerciseStatus
from engage.surveys.models import Consultation, ConsultationStatus
from engage.weights.models import WeightSet
from engage.workshops import service as workshops
from engage.workshops.models import WorkshopSession
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in_as

PHONE = {"width": 375, "height": 800}

#: Welsh and Urdu for the demo's budget exercise and its board, and for last year's closed pairwise
#: exercise (the demo itself has Welsh for the Health and Wellbeing exercise and board only).
TEXTS = {
    "cy": {
        "Economy and environment: how would you spend £4.2m?": (
            "Yr economi a’r amgylchedd: sut fyddech chi’n gwario £4.2m?"
        ),
        "How would you share the £4.2m economy and environment budget?": (
            "Sut fyddech chi’n rhannu cyllideb £4.2m yr economi a’r amgylchedd?"
        ),
        "Helping people into work": "Helpu pobl i gael gwaith",
        "New and growing businesses": "Busnesau newydd a rhai sy’n tyfu",
        "Cutting carbon emissions": "Lleihau allyriadau carbon",
        "Recycling more": "Ailgylchu mwy",
        "Job coaching and training for about 900 people a year": (
            "Hyfforddiant swyddi i tua 900 o bobl y flwyddyn"
        ),
        "The jobs club closes in two of the five wards": "Mae’r clwb swyddi’n cau mewn dwy o’r pum ward",
        "Safer communities: your priorities for 2026": (
            "Cymunedau mwy diogel: eich blaenoriaethau ar gyfer 2026"
        ),
        "Reducing serious violence": "Lleihau trais difrifol",
        "Tackling anti-social behaviour": "Mynd i’r afael ag ymddygiad gwrthgymdeithasol",
        "Supporting victims of domestic abuse": "Cefnogi dioddefwyr cam-drin domestig",
        "Safer roads": "Ffyrdd mwy diogel",
        "People getting on well together": "Pobl yn cyd-dynnu’n dda",
    },
    "ur": {
        "Economy and environment: how would you spend £4.2m?": "معیشت اور ماحول: آپ £4.2m کیسے خرچ کریں گے؟",
        "How would you share the £4.2m economy and environment budget?": (
            "آپ معیشت اور ماحول کے £4.2m کے بجٹ کو کیسے تقسیم کریں گے؟"
        ),
        "Helping people into work": "لوگوں کو روزگار دلانے میں مدد",
        "New and growing businesses": "نئے اور بڑھتے ہوئے کاروبار",
        "Cutting carbon emissions": "کاربن کے اخراج میں کمی",
        "Recycling more": "زیادہ ری سائیکلنگ",
        "Job coaching and training for about 900 people a year": (
            "سال میں تقریباً 900 افراد کے لیے ملازمت کی تربیت"
        ),
        "The jobs club closes in two of the five wards": "پانچ میں سے دو وارڈز میں جاب کلب بند ہو جاتا ہے",
        "Health and wellbeing: what matters most to you?": "صحت اور بہبود: آپ کے لیے سب سے اہم کیا ہے؟",
        "Which should the Health and Wellbeing Board focus on first?": (
            "صحت اور بہبود بورڈ کو پہلے کس پر توجہ دینی چاہیے؟"
        ),
        "Reducing alcohol harm": "شراب کے نقصان میں کمی",
        "Helping people stop smoking": "لوگوں کو تمباکو نوشی چھوڑنے میں مدد",
        "More people active": "زیادہ لوگ متحرک",
        "Independence for older people": "بزرگوں کے لیے خود مختاری",
        "Adult mental wellbeing": "بالغوں کی ذہنی بہبود",
        "Safer communities: your priorities for 2026": "محفوظ تر کمیونٹیز: 2026 کے لیے آپ کی ترجیحات",
        "Reducing serious violence": "سنگین تشدد میں کمی",
        "Tackling anti-social behaviour": "سماج دشمن رویے سے نمٹنا",
        "Supporting victims of domestic abuse": "گھریلو تشدد کے متاثرین کی مدد",
        "Safer roads": "محفوظ تر سڑکیں",
        "People getting on well together": "لوگوں کا مل جل کر رہنا",
    },
}


def _translate(thing, locale: str, known: dict[str, str]) -> None:
    """As an officer would on the translation screen: each text of the thing that ``known`` has."""
    content.save(thing, locale, {t.key: known[t.english] for t in content.texts(thing) if t.english in known})
    db.session.commit()  # services only flush: the live server reads what this test committed


def _untranslate(thing, locale: str, field: str) -> None:
    content.save(_screen_of(thing), locale, {content.key_for(thing, field): ""})
    db.session.commit()


def _screen_of(thing):
    """The object whose translation screen holds the thing's texts."""
    if isinstance(thing, Priority):
        return thing.board
    return thing.exercise if isinstance(thing, ExerciseItem) else thing


def _exercise(kind: ExerciseKind, status: ExerciseStatus = ExerciseStatus.OPEN) -> Exercise:
    query = select(Exercise).where(Exercise.kind == kind, Exercise.status == status)
    return db.session.scalar(query.where(~Exercise.title.startswith("Workshop")).order_by(Exercise.id))


def _phone_in(make_page, locale: str):
    page = make_page(viewport=PHONE)
    page.goto(f"/language/{locale}?next=/")
    return page


def _check(page, where: str) -> None:
    assert_accessible(page, where)
    assert_no_horizontal_scroll(page)


def test_pairwise_exercise_and_its_items_in_welsh(make_page, demo, app):
    exercise = _exercise(ExerciseKind.PAIRWISE)
    kept = exercise.active_items[0]
    for item in exercise.active_items[1:]:  # their Welsh (and their priority's) gone: shown in English
        _untranslate(item, "cy", "title")
        _untranslate(item.priority, "cy", "title")
    page = _phone_in(make_page, "cy")
    page.goto(f"/exercises/{exercise.id}")
    expect(page.locator("h1")).to_have_text("Iechyd a lles: beth sydd bwysicaf i chi?")
    expect(page.locator("main p.govuk-body-l").first).not_to_have_attribute("lang", "en")
    _check(page, "pairwise start in Welsh")
    page.goto(f"/exercises/{exercise.id}/vote")
    question = page.locator("#pair-question")
    expect(question).to_have_text("Ar ba un ddylai’r Bwrdd Iechyd a Lles ganolbwyntio yn gyntaf?")
    expect(question).not_to_have_attribute("lang", "en")
    # Every pair has an untranslated item (only one item has Welsh): it is marked English.
    expect(page.locator(".app-choice__title[lang=en]").first).to_be_visible()
    titles = page.locator(".app-choice__title")
    for k in range(titles.count()):
        title = titles.nth(k)
        if title.inner_text() == content.local(kept, "title", "cy").text:
            expect(title).not_to_have_attribute("lang", "en")
        else:
            expect(title).to_have_attribute("lang", "en")
    _check(page, "pairwise vote in Welsh")


def test_budget_items_what_they_buy_and_consequences_in_welsh(make_page, demo, app):
    exercise = _exercise(ExerciseKind.BUDGET)
    _translate(exercise, "cy", TEXTS["cy"])
    translated = next(item for item in exercise.active_items if item.title == "Helping people into work")
    page = _phone_in(make_page, "cy")
    page.goto(f"/exercises/{exercise.id}/allocate")
    expect(page.locator("h1")).to_have_text(TEXTS["cy"][exercise.question])
    labels = page.locator(".app-allocation-item label")
    expect(labels.filter(has_text="Helpu pobl i gael gwaith").locator("[lang=en]")).to_have_count(0)
    expect(labels.filter(has_text="Affordable homes").locator("span[lang=en]")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Hyfforddiant swyddi i tua 900 o bobl y flwyddyn")
    _check(page, "budget in Welsh")
    box = page.locator(f"input[name=item-{translated.id}]")
    box.fill("800000")
    box.dispatch_event("input")
    expect(page.locator(f"#consequence-{translated.id}")).to_contain_text(
        TEXTS["cy"]["The jobs club closes in two of the five wards"]
    )
    expect(page.locator(f"#consequence-{translated.id} p").first).not_to_have_attribute("lang", "en")


def test_ranking_items_in_welsh(make_page, demo, app):
    exercise = _exercise(ExerciseKind.RANKING)
    translated, untranslated = exercise.active_items[0], exercise.active_items[1]
    _translate(exercise, "cy", {translated.title: "Eitem wedi’i chyfieithu"})
    page = _phone_in(make_page, "cy")
    page.goto(f"/exercises/{exercise.id}/rank")
    titles = page.locator(".app-ranking__title")
    expect(titles.filter(has_text="Eitem wedi’i chyfieithu")).not_to_have_attribute("lang", "en")
    expect(titles.filter(has_text=untranslated.title)).to_have_attribute("lang", "en")
    _check(page, "ranking in Welsh")


def test_board_and_priorities_in_welsh(make_page, demo, app):
    board = db.session.scalar(select(Board).where(Board.slug == "health-and-wellbeing"))
    untranslated = board.active_priorities[0]
    _untranslate(untranslated, "cy", "title")
    page = _phone_in(make_page, "cy")
    page.goto(f"/boards/{board.slug}")
    expect(page.locator("h1")).to_have_text("Iechyd a Lles")
    expect(page.locator("h1")).not_to_have_attribute("lang", "en")
    keys = page.locator(".govuk-summary-list__key")
    expect(keys.filter(has_text="Helpu pobl i roi’r gorau i ysmygu")).not_to_have_attribute("lang", "en")
    expect(keys.filter(has_text=untranslated.title)).to_have_attribute("lang", "en")
    _check(page, "board in Welsh")
    page.goto("/")
    expect(page.get_by_role("link", name="Iechyd a Lles", exact=True)).to_be_visible()


def test_workshop_round_question_in_welsh(make_page, demo, app):
    session = db.session.scalar(select(WorkshopSession))
    page = _phone_in(make_page, "cy")
    page.goto(f"/join/{session.join_code}")
    page.locator("main button[type=submit]").first.click()
    expect(page.locator("main input[name=label]")).to_have_count(0)
    workshops.start_next_round(session)
    db.session.commit()
    page.reload()
    expect(page.locator("#pair-question")).to_have_text(
        "Ar ba un ddylai’r Bwrdd Iechyd a Lles ganolbwyntio yn gyntaf?"
    )
    expect(page.locator("#pair-question")).not_to_have_attribute("lang", "en")
    _check(page, "workshop round in Welsh")


def test_published_weights_and_method_statement_in_welsh(make_page, demo, app):
    weight_set = db.session.scalar(select(WeightSet).where(WeightSet.version == 1))
    board = weight_set.board
    first = weight_set.entries[0]
    _translate(weight_set, "cy", {weight_set.method_statement: "Sut y gwnaed y pwysau hyn (yn Gymraeg)."})
    page = _phone_in(make_page, "cy")
    page.goto(f"/boards/{board.slug}/weights/1")
    expect(page.locator("main")).to_contain_text("Sut y gwnaed y pwysau hyn (yn Gymraeg).")
    rows = page.locator("tbody th span:first-child")
    welsh = content.local(first, "title", "cy")
    expect(rows.filter(has_text=welsh.text).first).to_be_visible()
    if not welsh.translated:
        expect(rows.filter(has_text=welsh.text).first).to_have_attribute("lang", "en")
    _check(page, "published weights in Welsh")


def test_we_did_in_welsh(make_page, demo, app):
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.status == ConsultationStatus.PUBLISHED)
    )
    _translate(consultation, "cy", {consultation.we_did: "Rydym wedi ariannu gwasanaeth galw’n ôl."})
    page = _phone_in(make_page, "cy")
    page.goto(f"/consultations/{consultation.id}/results")
    expect(page.locator("main")).to_contain_text("Rydym wedi ariannu gwasanaeth galw’n ôl.")
    expect(page.locator("main p", has_text="Rydym wedi ariannu")).not_to_have_attribute("lang", "en")
    expect(page.locator(".govuk-caption-l")).to_have_attribute("lang", "en")  # its title has no Welsh
    _check(page, "we asked, you said, we did in Welsh")


def test_screenshots_in_welsh_and_urdu(make_page, demo, app):
    """The pairwise, budget and results pages in Welsh and Urdu at 375 and 1280 px: in the page's language,
    no sideways scrolling, and screenshots for people to look at (with ENGAGE_SCREENSHOTS)."""
    budget = _exercise(ExerciseKind.BUDGET)
    pairwise = _exercise(ExerciseKind.PAIRWISE)
    closed = _exercise(ExerciseKind.PAIRWISE, ExerciseStatus.CLOSED)
    for locale, known in TEXTS.items():
        for thing in (budget, budget.board, pairwise, pairwise.board, closed, closed.board):
            _translate(thing, locale, known)
    for locale in TEXTS:
        for width in (375, 1280):
            page = make_page(viewport={"width": width, "height": 900})
            page.goto(f"/language/{locale}?next=/")
            for name, path in (
                ("pairwise", f"/exercises/{pairwise.id}/vote"),
                ("budget", f"/exercises/{budget.id}/allocate"),
                ("results", f"/exercises/{closed.id}/results"),
            ):
                page.goto(path)
                expect(page.locator("html")).to_have_attribute("lang", locale)
                assert_no_horizontal_scroll(page)
                screenshot(page, f"content-{name}-{width}px-{locale}.png")


def test_an_officer_translates_an_exercise_before_opening_it(make_page, officer, make_exercise):
    """At 1280 px: the exercise's page says its translations are not complete, the Welsh screen shows each
    English text beside its box with what is missing tagged, and saving updates both."""
    exercise = make_exercise(ExerciseStatus.DRAFT)
    page = make_page(viewport={"width": 1280, "height": 900})
    sign_in_as(page, officer)
    page.goto(f"/manage/exercises/{exercise.id}")
    expect(page.locator("#translations-heading")).to_contain_text("Not complete")
    expect(page.locator(".app-translations .govuk-warning-text")).to_be_visible()
    _check(page, "exercise page with translations not complete")
    page.get_by_role("link", name="Cymraeg text (0 of").click()
    expect(page.locator(".govuk-tag", has_text="Missing").first).to_be_visible()
    missing = page.locator(".app-translation--missing").count()
    _check(page, "Welsh translation screen")
    screenshot(page, "content-translation-screen-1280px.png")
    page.get_by_label("Cymraeg").first.fill("Blaenoriaethau iechyd")
    page.get_by_role("button", name="Save translations").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved: 1 of")
    expect(page.locator(".app-translation--missing")).to_have_count(missing - 1)
    expect(page.get_by_label("Cymraeg").first).to_have_value("Blaenoriaethau iechyd")
    page.goto(f"/manage/exercises/{exercise.id}")
    expect(page.locator(".app-translations")).to_contain_text("Cymraeg text (1 of")

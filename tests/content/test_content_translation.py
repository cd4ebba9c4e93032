"""Officers translate every text residents see (exercises and their items, boards and priorities, weight
sets); residents see it in their language, and English marked lang="en" where a text has no translation."""

import re

import pytest
from sqlalchemy import select

from engage import content
from engage.accounts.models import Role
from engage.audit.models import AuditEvent
from engage.content.models import ContentTranslation
from engage.extensions import db
from engage.prioritise.budget.setup import ItemBudget, save_item_budgets
from engage.prioritise.models import BudgetMode, ExerciseStatus, Threshold
from tests.conftest import sign_in


def _keys(html: str) -> list[str]:
    return re.findall(r'<textarea class="govuk-textarea" id="([^"]+)"', html)


def _welsh(app):
    resident = app.test_client()
    resident.get("/language/cy?next=/")
    return resident


# -- the service --


def test_an_exercise_screen_holds_the_exercise_its_items_and_their_consequences(app, make_budget):
    exercise = make_budget(BudgetMode.REBALANCE, status=ExerciseStatus.DRAFT)
    first = exercise.active_items[0]
    save_item_budgets(
        exercise,
        {
            item.id: ItemBudget(
                current_amount=100_000,
                step=10_000,
                buys="Two clinics a week" if item is first else "",
                consequences=[(Threshold.BELOW, 50_000, "Clinics close")] if item is first else [],
            )
            for item in exercise.active_items
        },
    )
    keys = [text.key for text in content.texts(exercise)]
    consequence = first.consequences[0]
    assert keys[:3] == [
        f"exercise:{exercise.id}:title",
        f"exercise:{exercise.id}:question",
        f"exercise:{exercise.id}:introduction",
    ]
    assert f"item:{first.id}:buys" in keys and f"consequence:{consequence.id}:text" in keys
    # Blank English (the other items' "what this buys") is not asked for.
    assert f"item:{exercise.active_items[1].id}:buys" not in keys
    with app.test_request_context("/?lang=cy"):
        assert content.progress(exercise, ["cy"]) == {"cy": (0, len(keys))}
        done = content.save(
            exercise,
            "cy",
            {
                f"exercise:{exercise.id}:title": "  Rhannu’r gyllideb ",
                f"consequence:{consequence.id}:text": "Clinigau’n cau",
                "exercise:999999:title": "not this exercise's: ignored",
            },
        )
        assert done == 2
        assert str(content.local(exercise, "title")) == "Rhannu’r gyllideb"
        assert content.local(exercise, "question").translated is False
        assert str(content.local(consequence, "text", "cy")) == "Clinigau’n cau"
        assert content.local(exercise, "title", "ur").translated is False
        # A blank text removes a translation; texts not posted stay.
        content.save(exercise, "cy", {f"exercise:{exercise.id}:title": " "})
        assert content.local(exercise, "title").translated is False
        assert content.local(consequence, "text").translated is True
        db.session.commit()  # the test is the unit of work
    assert (
        db.session.scalar(select(ContentTranslation).where(ContentTranslation.key == "exercise:999999:title"))
        is None
    )


def test_items_borrow_their_priority_translation_until_given_their_own(app, hwb, make_exercise):
    exercise = make_exercise()
    item = exercise.active_items[0]
    priority = item.priority
    with app.test_request_context("/?lang=cy"):
        content.save(hwb, "cy", {f"priority:{priority.id}:title": "Helpu pobl i roi’r gorau i ysmygu"})
        assert str(content.local(item, "title")) == "Helpu pobl i roi’r gorau i ysmygu"
        assert content.inherited(item, "title", "cy") == "Helpu pobl i roi’r gorau i ysmygu"
        content.save(exercise, "cy", {f"item:{item.id}:title": "Rhoi’r gorau i ysmygu"})
        assert str(content.local(item, "title")) == "Rhoi’r gorau i ysmygu"
        # An item reworded for the exercise does not borrow the priority's words.
        other = exercise.active_items[1]
        content.save(hwb, "cy", {f"priority:{other.priority.id}:title": "Mwy o bobl yn egnïol"})
        other.title = "More people active outdoors"
        assert content.local(other, "title").translated is False
        assert content.translations_of(item, ["cy", "pl"]) == {
            "cy": {"title": "Rhoi’r gorau i ysmygu"},
            "pl": {},
        }
        other.title = other.priority.title
        db.session.commit()


def test_complete_only_when_every_text_is_in_every_language(app, hwb):
    with app.test_request_context("/"):
        assert content.complete(hwb) is False
        for locale in content.other_locales():
            content.save(hwb, locale, {text.key: f"{locale} {text.english}" for text in content.texts(hwb)})
        assert content.complete(hwb) is True
        db.session.commit()


# -- the screens --


def test_officer_translates_an_exercise_and_a_welsh_resident_sees_it(client, app, officer, make_exercise):
    exercise = make_exercise(ExerciseStatus.DRAFT)
    item = exercise.active_items[0]
    sign_in(client, officer)
    page = client.get(f"/manage/exercises/{exercise.id}").get_data(as_text=True)
    assert "Not complete" in page and "Cymraeg text (0 of" in page
    screen = client.get(f"/manage/exercises/{exercise.id}/translations/cy").get_data(as_text=True)
    assert f"item:{item.id}:description" in _keys(screen) and "Missing" in screen
    assert f'id="exercise:{exercise.id}:question-source" lang="en"' in screen
    response = client.post(
        f"/manage/exercises/{exercise.id}/translations/cy",
        data={
            f"exercise:{exercise.id}:title": "Blaenoriaethau iechyd",
            f"exercise:{exercise.id}:question": "Ar ba un ddylai’r bwrdd ganolbwyntio yn gyntaf?",
            f"item:{item.id}:title": "Helpu pobl i roi’r gorau i ysmygu",
        },
        follow_redirects=True,
    )
    assert "Saved: 3 of" in response.get_data(as_text=True)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "prioritise.translate_exercise"))
    assert audit is not None and audit.actor == officer.email
    client.post(f"/manage/exercises/{exercise.id}/open")
    resident = _welsh(app)
    start = resident.get(f"/exercises/{exercise.id}").get_data(as_text=True)
    assert '<h1 class="govuk-heading-xl">Blaenoriaethau iechyd</h1>' in start
    assert '<p class="govuk-body-l" lang="en">Tell us what matters.</p>' in start
    vote = resident.get(f"/exercises/{exercise.id}/vote").get_data(as_text=True)
    assert "Ar ba un ddylai’r bwrdd ganolbwyntio yn gyntaf?</h1>" in vote
    # Whichever pair is shown: the translated item in Welsh, any other in English marked lang="en".
    shown = re.findall(r'<span class="app-choice__title"( lang="en")?>([^<]+)</span>', vote)
    assert len(shown) == 2
    for marked, title in shown:
        assert (title == "Helpu pobl i roi’r gorau i ysmygu") == (not marked)
        assert title != item.title
    english = app.test_client().get(f"/exercises/{exercise.id}?lang=en").get_data(as_text=True)
    assert "Health priorities" in english and "Blaenoriaethau" not in english


def test_the_screen_refuses_other_languages_and_too_long_text(client, officer, make_exercise):
    exercise = make_exercise()
    sign_in(client, officer)
    assert client.get(f"/manage/exercises/{exercise.id}/translations/fr").status_code == 404
    assert client.get(f"/manage/exercises/{exercise.id}/translations/en").status_code == 404
    assert client.get(f"/manage/exercises/{exercise.id}/translations/ur").status_code == 200
    refused = client.post(
        f"/manage/exercises/{exercise.id}/translations/pl",
        data={f"exercise:{exercise.id}:title": "x" * 5001},
    )
    assert refused.status_code == 400
    assert "5,000 characters or fewer" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ContentTranslation)) is None


@pytest.mark.parametrize("who", ["other_organisation", "analyst"])
def test_only_staff_who_may_change_the_exercise_translate_it(
    client, make_user, make_organisation, make_exercise, council, who
):
    exercise = make_exercise()
    if who == "other_organisation":
        user = make_user(Role.BOARD_OFFICER, organisation=make_organisation("Elsewhere Council"))
    else:
        user = make_user(Role.ANALYST, organisation=council)
    sign_in(client, user)
    assert client.get(f"/manage/exercises/{exercise.id}/translations/cy").status_code == 403
    posted = client.post(
        f"/manage/exercises/{exercise.id}/translations/cy", data={f"exercise:{exercise.id}:title": "Hacked"}
    )
    assert posted.status_code == 403
    assert db.session.scalar(select(ContentTranslation)) is None


def test_signed_out_people_are_sent_to_sign_in(client, make_exercise):
    exercise = make_exercise()
    response = client.get(f"/manage/exercises/{exercise.id}/translations/cy")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_board_officers_translate_priorities_and_administrators_the_board_too(
    client, app, hwb, officer, make_user
):
    priority = hwb.active_priorities[0]
    sign_in(client, officer)
    screen = client.get(f"/manage/boards/{hwb.slug}/translations/cy").get_data(as_text=True)
    assert f"priority:{priority.id}:title" in _keys(screen)
    assert f"board:{hwb.id}:name" not in _keys(screen)  # only administrators change the board's name
    client.post(
        f"/manage/boards/{hwb.slug}/translations/cy",
        data={
            f"priority:{priority.id}:title": "Helpu pobl i roi’r gorau i ysmygu",
            f"board:{hwb.id}:name": "No",
        },
    )
    with app.test_request_context("/"):
        assert content.local(hwb, "name", "cy").translated is False
        assert content.local(priority, "title", "cy").translated is True
    admin = make_user(Role.ADMIN)
    client.post("/sign-out")
    sign_in(client, admin)
    client.post(f"/manage/boards/{hwb.slug}/translations/cy", data={f"board:{hwb.id}:name": "Iechyd a Lles"})
    board_page = _welsh(app).get(f"/boards/{hwb.slug}").get_data(as_text=True)
    assert '<h1 class="govuk-heading-xl">Iechyd a Lles</h1>' in board_page
    assert "Helpu pobl i roi’r gorau i ysmygu</dt>" in board_page
    untranslated = hwb.active_priorities[1]
    assert f'<dt class="govuk-summary-list__key" lang="en">{untranslated.title}</dt>' in board_page


def test_a_board_officer_of_another_organisation_cannot_translate_the_board(
    client, hwb, make_user, make_organisation
):
    sign_in(client, make_user(Role.BOARD_OFFICER, organisation=make_organisation("Elsewhere Council")))
    assert client.get(f"/manage/boards/{hwb.slug}/translations/cy").status_code == 403


def test_budget_items_and_consequences_in_urdu(client, app, officer, make_budget):
    exercise = make_budget(BudgetMode.REBALANCE, status=ExerciseStatus.DRAFT)
    first = exercise.active_items[0]
    budgets = {
        item.id: ItemBudget(
            current_amount=item.current_amount,
            minimum=item.minimum,
            step=item.step,
            buys="Two clinics a week" if item is first else "",
            consequences=[(Threshold.BELOW, 390_000, "Clinics close")] if item is first else [],
        )
        for item in exercise.active_items
    }
    save_item_budgets(exercise, budgets)
    db.session.commit()
    consequence = first.consequences[0]
    sign_in(client, officer)
    client.post(
        f"/manage/exercises/{exercise.id}/translations/ur",
        data={
            f"item:{first.id}:buys": "ہفتے میں دو کلینک",
            f"consequence:{consequence.id}:text": "کلینک بند",
        },
    )
    client.post(f"/manage/exercises/{exercise.id}/open")
    resident = app.test_client()
    page = resident.get(f"/exercises/{exercise.id}/allocate?lang=ur").get_data(as_text=True)
    assert "<span>ہفتے میں دو کلینک</span>" in page
    assert f'<span lang="en" dir="ltr">{first.title}</span>' in page
    field = f"item-{first.id}"
    summary = resident.post(
        f"/exercises/{exercise.id}/allocate/total?lang=ur",
        data={**{f"item-{i.id}": str(i.current_amount) for i in exercise.active_items}, field: "300000"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "کلینک بند" in summary

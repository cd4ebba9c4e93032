"""The public results archive (issue 21 item 3): closed exercises whose results are public and published
consultations, for every board and per board; linked from the home page and each board's page; what the
home page says of open exercises (closing date, about N minutes)."""

from datetime import UTC, date, datetime, timedelta

from engage.dates import end_of_day
from engage.extensions import db
from engage.prioritise.models import ExerciseKind, ExerciseStatus
from engage.public.archive import results_archive
from engage.surveys import authoring
from engage.surveys.models import ConsultationStatus


def _published(make_consultation):
    consultation = make_consultation(status=ConsultationStatus.CLOSED)
    authoring.publish(consultation, "We funded two more stop-smoking clinics.")
    db.session.commit()
    return consultation


def test_archive_lists_only_closed_exercises_with_public_results(client, make_exercise, make_consultation):
    listed = make_exercise(status=ExerciseStatus.CLOSED, title="Health priorities 2025")
    make_exercise(status=ExerciseStatus.CLOSED, title="Private results", results_public=False)
    make_exercise(status=ExerciseStatus.OPEN, title="Still open")
    make_exercise(status=ExerciseStatus.DRAFT, title="Not started")
    make_exercise(status=ExerciseStatus.CLOSED, title="Room only", workshop_only=True)
    consultation = _published(make_consultation)
    closed_only = make_consultation(status=ConsultationStatus.CLOSED)
    closed_only.title = "Closed, nothing published"
    db.session.commit()

    assert {entry.subject for entry in results_archive()} == {listed, consultation}
    html = client.get("/results").get_data(as_text=True)
    assert "Health priorities 2025" in html and f'href="/exercises/{listed.id}/results"' in html
    assert f'href="/consultations/{consultation.id}/results"' in html
    assert "We asked, you said, we did" in html
    for hidden in ("Private results", "Still open", "Not started", "Room only", "Closed, nothing published"):
        assert hidden not in html


def test_every_archived_link_opens(client, make_exercise, make_consultation):
    make_exercise(status=ExerciseStatus.CLOSED, title="Health priorities 2025")
    _published(make_consultation)
    html = client.get("/results").get_data(as_text=True)
    for entry in results_archive():
        kind = "consultations" if entry.is_consultation else "exercises"
        assert client.get(f"/{kind}/{entry.subject.id}/results").status_code == 200
    assert "Health priorities 2025" in html


def test_archive_shows_dates_newest_first(client, make_exercise):
    now = datetime.now(UTC)
    older = make_exercise(
        title="Older",
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=300),
        status=ExerciseStatus.CLOSED,
    )
    newer = make_exercise(
        title="Newer",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=30),
        status=ExerciseStatus.CLOSED,
    )
    undated = make_exercise(title="Undated", status=ExerciseStatus.CLOSED)
    assert [entry.subject for entry in results_archive()] == [newer, older, undated]
    html = client.get("/results").get_data(as_text=True)
    assert "Open from" in html and "Closed" in html
    assert html.index("Newer") < html.index("Older") < html.index("Undated")


def test_board_archive_lists_only_that_board(client, make_exercise, make_board, make_priority):
    make_exercise(status=ExerciseStatus.CLOSED, title="Health priorities 2025")
    other = make_board("Community Safety")
    for n in range(3):
        make_priority(other, f"CS-{n}", f"Safety priority {n}")
    make_exercise(
        status=ExerciseStatus.CLOSED,
        title="Safer streets 2025",
        board=other,
        priorities=other.active_priorities,
    )
    html = client.get("/boards/community-safety/results").get_data(as_text=True)
    assert "Safer streets 2025" in html and "Health priorities 2025" not in html
    assert client.get("/boards/no-such-board/results").status_code == 404
    # The board's page and the home page link to the archive.
    assert 'href="/boards/community-safety/results"' in client.get("/boards/community-safety").get_data(
        as_text=True
    )
    home = client.get("/").get_data(as_text=True)
    assert 'href="/results"' in home and "Safer streets 2025" in home


def test_empty_archive_explains_itself(client):
    html = client.get("/results").get_data(as_text=True)
    assert "No results have been published yet" in html


def test_home_page_gives_closing_date_and_minutes(client, make_exercise):
    closes = end_of_day(date(2099, 4, 30))
    exercise = make_exercise(title="Health priorities", closes_at=closes)
    html = client.get("/").get_data(as_text=True)
    # 4 items: 6 pairs at 8 s each and a minute to read: 2 minutes.
    assert "open until 30 April 2099" in html
    assert exercise.minutes_estimate == 2 and "about 2 minutes" in html
    exercise.minutes_to_answer = 7
    db.session.commit()
    assert "about 7 minutes" in client.get("/").get_data(as_text=True)


def test_minutes_estimate_follows_kind_and_size(make_exercise, make_budget, make_ranking):
    assert make_budget().minutes_estimate == 5  # 90 s + 4 items at 45 s
    assert make_ranking().minutes_estimate == 3  # 60 s + 4 items at 30 s
    pairwise = make_exercise()
    assert pairwise.kind is ExerciseKind.PAIRWISE and pairwise.minutes_estimate == 2


def test_workshop_only_exercises_stay_off_the_home_page(client, make_exercise):
    make_exercise(title="For the room", workshop_only=True)
    make_exercise(title="For everyone")
    html = client.get("/").get_data(as_text=True)
    assert "For everyone" in html and "For the room" not in html


def test_archive_gives_exercise_titles_and_board_names_in_the_residents_language(app, hwb, make_exercise):
    from engage import content

    translated = make_exercise(status=ExerciseStatus.CLOSED, title="Health priorities 2025")
    make_exercise(status=ExerciseStatus.CLOSED, title="Untranslated exercise")
    with app.test_request_context("/"):
        content.save(translated, "cy", {f"exercise:{translated.id}:title": "Blaenoriaethau iechyd 2025"})
        content.save(hwb, "cy", {f"board:{hwb.id}:name": "Bwrdd Iechyd a Lles"})
    db.session.commit()
    welsh = app.test_client()
    welsh.get("/language/cy?next=/")
    html = welsh.get("/results").get_data(as_text=True)
    assert '<h2 class="govuk-heading-m">Blaenoriaethau iechyd 2025</h2>' in html
    assert '<h2 class="govuk-heading-m" lang="en">Untranslated exercise</h2>' in html
    assert "<span>Bwrdd Iechyd a Lles</span>" in html and "Health priorities 2025" not in html
    board_page = welsh.get(f"/boards/{hwb.slug}/results").get_data(as_text=True)
    assert '<span class="govuk-caption-l">Bwrdd Iechyd a Lles</span>' in board_page

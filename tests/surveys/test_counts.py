"""The derived counts results are read from (engage.surveys.counts): they follow every way rows are written
and deleted, equal what the rows give, weight like the responses one by one, and rebuild themselves when the
population's categories change or rows were written another way."""

import logging
import re
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select, update

from engage.channels import Channel
from engage.extensions import db
from engage.population.service import import_population
from engage.surveys import counts, paper
from engage.surveys.models import (
    AnswerCount,
    ConsultationProfile,
    ConsultationResponse,
    ResponseCount,
)
from engage.surveys.responses import delete_response, record_one_answer, save_profile
from engage.surveys.results import consultation_results
from engage.surveys.weighting import response_weights
from tests.conftest import sign_in
from tests.surveys.test_consultations import first_page, respond

SEX = "dimension,category,population\nsex,Female,500\nsex,Male,500\n"
SEX_AND_AGE = SEX + "age_band,16-44,400\nage_band,45+,600\n"


def _cells(consultation):
    return {
        (cell, channel): n
        for cell, channel, n in db.session.execute(
            select(ResponseCount.cell, ResponseCount.channel, ResponseCount.responses).where(
                ResponseCount.consultation_id == consultation.id
            )
        )
    }


def _matches_rows(consultation):
    """The counts kept as rows came and went are what counting every row afresh gives."""
    report = counts.rebuild(consultation)
    db.session.commit()
    return report.differences == 0


def test_counts_follow_responses_stored_moved_and_deleted(app, make_consultation, hwb, officer):
    import_population(SEX)
    consultation = make_consultation()
    resident = app.test_client()
    respond(resident, consultation, hwb)
    assert _cells(consultation) == {("{}", "online"): 1}
    resident.post(f"/consultations/{consultation.id}/about-you", data={"sex": "Female"})
    assert _cells(consultation) == {('{"sex": "Female"}', "online"): 1}
    assert _matches_rows(consultation)

    # Paper, a workshop's closed answer, a profile changed, a response deleted: counts stay right.
    typist = app.test_client()
    sign_in(typist, officer)
    typed = typist.post(
        f"/manage/consultations/{consultation.id}/paper", data={"sheet": "0001", **first_page(consultation)}
    )
    assert typed.status_code == 302
    sheet = paper.sheet_response(consultation, "0001")
    single = consultation.questions[0]
    record_one_answer(single, str(single.options[1].id), idempotency_key="hands-1", channel=Channel.WORKSHOP)
    assert _cells(consultation) == {
        ('{"sex": "Female"}', "online"): 1,
        ("{}", "paper"): 1,
        ("{}", "workshop"): 1,
    }
    save_profile(sheet, {"sex": "Male"})
    save_profile(sheet, {"sex": "Female"})
    assert _cells(consultation)[('{"sex": "Female"}', "paper")] == 1
    assert _matches_rows(consultation)
    reference = db.session.scalar(
        select(ConsultationResponse.reference).where(ConsultationResponse.channel == Channel.ONLINE)
    )
    assert delete_response(consultation, reference)
    paper.delete_sheet(sheet, officer)
    assert _cells(consultation) == {("{}", "workshop"): 1}
    assert _matches_rows(consultation)
    results = consultation_results(consultation)
    assert results.responses == 1 and results.channels == {"workshop": 1}
    assert results.questions[0].counts[1][1:] == (1, 1.0)  # "By phone", 1 of 1


def test_weighted_shares_from_counts_equal_weighting_each_response(app, make_consultation):
    """Forty people with random sex and age band (some not saying) answer a single-choice question; the
    weighted shares summed cell by cell equal the shares from weighting each response on its own."""
    import_population(SEX_AND_AGE)
    consultation = make_consultation()
    single = consultation.questions[0]
    rng = np.random.default_rng(3)
    for n in range(40):
        option = single.options[int(rng.integers(3))]
        response = record_one_answer(
            single, str(option.id), idempotency_key=f"key{n}", channel=Channel.ONLINE
        )
        profile = {"sex": str(rng.choice(["Female", "Male", "Prefer not to say"]))}
        if rng.random() < 0.8:
            profile["age_band"] = str(rng.choice(["16-44", "45+"]))
        save_profile(response, profile)
    results = consultation_results(consultation)
    responses = db.session.scalars(
        select(ConsultationResponse).where(ConsultationResponse.consultation_id == consultation.id)
    ).all()
    one_by_one, _ = response_weights([r.id for r in responses])
    total = sum(one_by_one.weights.values())
    expected = [
        sum(one_by_one.weights[r.id] for r in responses if r.answers[0].option_id == option.id) / total
        for option in single.options
    ]
    assert results.questions[0].weighted[:3] == pytest.approx(expected, rel=1e-9)
    assert results.weighting.effective_sample_size == pytest.approx(one_by_one.effective_sample_size)
    assert sorted(results.weighting.dimensions) == ["age_band", "sex"]
    assert not any(
        results.questions[0].weighted[k] == pytest.approx(results.questions[0].counts[k][2]) for k in range(3)
    )


def test_new_population_categories_rebuild_the_counts(app, make_consultation, hwb):
    import_population(SEX)
    consultation = make_consultation()
    resident = app.test_client()
    respond(resident, consultation, hwb)
    resident.post(f"/consultations/{consultation.id}/about-you", data={"sex": "Male", "age_band": "16-24"})
    assert _cells(consultation) == {('{"sex": "Male"}', "online"): 1}
    kept_by = consultation.counted_basis
    import_population(SEX + "age_band,16-24,300\nage_band,25+,700\n")
    results = consultation_results(consultation)
    assert consultation.counted_basis != kept_by
    assert _cells(consultation) == {('{"age_band": "16-24", "sex": "Male"}', "online"): 1}
    ages = {row.category: row.respondents for row in results.heard_from["age_band"]}
    assert ages == {"16-24": 1, "25+": 0}


def test_a_send_after_a_population_import_is_counted_and_the_rebuild_waits_for_a_read(
    app, make_consultation, hwb
):
    """A resident's send counts their response under the counts' own categories (a response without
    equality answers is in the same cell under any): it neither reads the population nor rebuilds every
    count while it holds the write lock. The first read of the results does, and counts both responses."""
    import_population(SEX)
    consultation = make_consultation()
    first = app.test_client()
    respond(first, consultation, hwb)
    first.post(f"/consultations/{consultation.id}/about-you", data={"sex": "Male", "age_band": "16-24"})
    kept_by = consultation.counted_basis
    import_population(SEX + "age_band,16-24,300\nage_band,25+,700\n")
    respond(app.test_client(), consultation, hwb)
    db.session.expire_all()
    assert consultation.counted_basis == kept_by  # the send did not rebuild
    assert _cells(consultation) == {('{"sex": "Male"}', "online"): 1, ("{}", "online"): 1}
    results = consultation_results(consultation)
    assert consultation.counted_basis != kept_by
    both = '{"age_band": "16-24", "sex": "Male"}'
    assert _cells(consultation) == {(both, "online"): 1, ("{}", "online"): 1}
    assert results.responses == 2
    assert _matches_rows(consultation)


def test_rows_written_another_way_are_counted_when_results_are_read(app, make_consultation, hwb, caplog):
    consultation = make_consultation()
    respond(app.test_client(), consultation, hwb)
    single = consultation.questions[0]
    db.session.add(
        ConsultationResponse(
            consultation_id=consultation.id,
            reference="DIRECT1",
            idempotency_key="direct",
            answers=[],
        )
    )
    db.session.commit()
    with caplog.at_level(logging.WARNING, logger="engage.surveys"):
        results = consultation_results(consultation)
    assert results.responses == 2 and results.questions[0].answered == 1
    assert "counts held 1 responses, the rows 2: rebuilding" in caplog.text
    assert single.id in {q.question.id for q in results.questions}


def test_rebuild_command_reports_and_mends_a_wrong_count(app, make_consultation, hwb):
    consultation = make_consultation()
    respond(app.test_client(), consultation, hwb)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["rebuild-answer-counts"]).output
    assert re.search(rf"Consultation {consultation.id}: 1 responses, 0 counts differed", out)
    assert "All counts matched the rows." in out
    db.session.execute(
        update(AnswerCount).where(AnswerCount.consultation_id == consultation.id).values(count=7)
    )
    db.session.commit()
    out = runner.invoke(args=["rebuild-answer-counts", "--consultation", str(consultation.id)]).output
    assert "Fixed" in out and "0 counts differed" not in out
    assert consultation_results(consultation).questions[0].counts[1][1] == 1
    missing = runner.invoke(args=["rebuild-answer-counts", "--consultation", "999999"])
    assert missing.exit_code != 0 and "There is no consultation 999999." in missing.output


def test_retention_deleting_equality_answers_empties_their_cells(app, make_consultation, hwb):
    from engage.privacy.retention import apply_retention

    import_population(SEX)
    consultation = make_consultation()
    resident = app.test_client()
    respond(resident, consultation, hwb)
    resident.post(f"/consultations/{consultation.id}/about-you", data={"sex": "Female"})
    consultation.retain_until = date.today() - timedelta(days=1)
    db.session.commit()
    assert apply_retention(dry_run=True).consultation_equality_answers == 1
    assert _cells(consultation) == {('{"sex": "Female"}', "online"): 1}  # a dry run changes nothing
    report = apply_retention()
    assert report.consultation_equality_answers == 1
    assert db.session.scalar(select(ConsultationProfile.id)) is None
    # The cells went in the same transaction, before anyone reads the results (a closed consultation may
    # never be read again): no count is left per equality category.
    assert _cells(consultation) == {("{}", "online"): 1}
    assert db.session.scalars(select(AnswerCount.cell).distinct()).all() == ["{}"]
    results = consultation_results(consultation)
    assert results.weighting is None and results.responses == 1


@pytest.mark.real_commits  # threads with their own connections
def test_responses_stored_at_the_same_moment_are_all_counted(app, make_consultation):
    """Two people sending at once (threads with their own connections): on PostgreSQL each transaction
    holds a key-share lock on the consultation from its response's foreign key, so the counts' own lock
    must not be one that waits for those (it would deadlock)."""
    import threading

    from engage.surveys.models import Question
    from engage.transactions import unit_of_work

    consultation = make_consultation()
    question_id, option_ids = consultation.questions[0].id, [o.id for o in consultation.questions[0].options]
    start, failures = threading.Barrier(2), []

    def send(worker: int) -> None:
        with app.app_context():
            start.wait()
            try:
                for n in range(10):
                    with unit_of_work():  # one response, one transaction: as a request stores it
                        question = db.session.get(Question, question_id)
                        record_one_answer(
                            question,
                            str(option_ids[n % 3]),
                            idempotency_key=f"{worker}-{n}",
                            channel=Channel.ONLINE,
                        )
            except Exception as error:  # reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    db.session.expire_all()
    assert consultation_results(consultation).responses == 20
    assert _matches_rows(consultation)

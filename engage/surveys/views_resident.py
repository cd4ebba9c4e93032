"""Residents answering a consultation: start page, one section per page, check your answers, confirmation."""

from __future__ import annotations

import secrets

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from engage import mail
from engage.content import local
from engage.database import reads_first
from engage.equality.forms import ProfileForm
from engage.errors import refuse_for
from engage.extensions import htmx, limiter
from engage.forms import form_page, posted_key
from engage.i18n import format_date
from engage.respondents import current_token, respondent_key, set_token_cookie, token_or_new
from engage.service_errors import StateError
from engage.surveys import authoring, bp, checked, drafts, responses, results, resume_mail
from engage.surveys.access import (
    load_questions,
    public_consultation_and_draft_or_404,
    public_consultation_or_404,
)
from engage.surveys.forms import DeleteResponseForm, EmailLinkForm, PageForm, SubmitResponseForm
from engage.surveys.models import Consultation, ConsultationStatus, QuestionKind
from engage.surveys.questions import display, is_shown
from engage.transactions import commit_before_rendering
from engage.urls import external_url


def _checked_pages(consultation: Consultation, answers) -> tuple[list[PageForm], int | None]:
    """Every page's form checked from the draft's ``answers``, and the number of the first page that fails
    (None when none does)."""
    pages = _page_forms(consultation, answers)
    return pages, next((number for number, page in enumerate(pages, start=1) if not page.validate()), None)


def _page_forms(consultation: Consultation, formdata) -> list[PageForm]:
    """Every page re-checked from the stored draft. Not a submission, so no CSRF token to check: the draft
    holds answers only (with the token check on, every response was sent back to page 1 for ever)."""
    priorities = authoring.priorities_for(consultation)
    return [
        PageForm.build(section, priorities, formdata=formdata, answers=formdata, meta={"csrf": False})
        for section in consultation.sections
    ]


def _pages_asked(consultation: Consultation, answers) -> list[int]:
    """The page numbers with at least one question for a resident who has answered this so far (a page of
    conditional questions none of which apply is skipped)."""
    return [
        number
        for number, section in enumerate(consultation.sections, start=1)
        if any(is_shown(question, answers) for question in section.questions)
    ]


def _save_page(consultation: Consultation, token: str, page, priorities: list, found) -> drafts.SavedPage:
    """Keep the posted page in the resident's draft (``found``, as this request read it) and give its answers
    now; the "too many attempts" page (429) when a new draft would pass the limit for their address or the
    consultation."""
    try:
        return drafts.save_page(
            consultation, token, page, request.form, priorities, request.remote_addr, found=found
        )
    except drafts.TooManyDrafts:
        refuse_for(3600)  # the shortest of the limits' periods (ENGAGE_DRAFT_ADDRESS_LIMIT)
        abort(429)


@bp.get("/consultations/<int:consultation_id>")
def start(consultation_id: int):
    consultation = public_consultation_or_404(consultation_id)
    return render_template("surveys/start.html", consultation=consultation)


@bp.route("/consultations/<int:consultation_id>/sections/<int:number>", methods=["GET", "POST"])
@form_page
def section(consultation_id: int, number: int):
    consultation = public_consultation_or_404(consultation_id, with_questions=True)
    if not 1 <= number <= len(consultation.sections):
        abort(404)
    preview = not consultation.accepting_responses()
    if preview and consultation.status is not ConsultationStatus.DRAFT:
        return render_template("surveys/not_open.html", consultation=consultation)
    page = consultation.sections[number - 1]
    priorities = authoring.priorities_for(consultation)
    token, new_token = token_or_new()
    found = drafts.find_draft(consultation, token)  # read once: saving the page and what follows use it
    draft = drafts.answers_of(found)
    # A preview stores nothing, so it cannot follow answers: it shows every question, conditional ones too.
    answers = None if preview else draft
    asked = list(range(1, len(consultation.sections) + 1)) if preview else _pages_asked(consultation, draft)
    status = 200
    if request.method == "GET":
        # What they answered before, if they come back to this page (or change an answer).
        form = PageForm.build(page, priorities, formdata=draft, answers=answers)
    else:
        form = PageForm.build(page, priorities, answers=answers)
        token_ok = "csrf_token" not in form._fields or form.csrf_token.validate(form)
        if request.form.get("later") and not preview and token_ok:
            # Save and come back later: keep what this page says as it is (it is checked when they go on).
            _save_page(consultation, token, page, priorities, found)
            secret = drafts.save_for_later(consultation, token)
            session["resume_link"] = {"id": consultation.id, "secret": secret}
            return set_token_cookie(redirect(url_for(".saved", consultation_id=consultation.id)), token)
    # A page with nothing to ask is passed over on the way through; a post stores nothing until its form
    # (and so its token) is valid.
    go_on = form.validate() if request.method == "POST" else number not in asked
    if go_on:
        saved = None
        if not preview:  # a board member trying a draft goes through the pages; nothing is stored
            saved = _save_page(consultation, token, page, priorities, found)
            asked = _pages_asked(consultation, saved.answers)
        following = next((n for n in asked if n > number), None)
        if following is not None:
            target = url_for(".section", consultation_id=consultation.id, number=following)
        elif saved is None:
            target = url_for(".start", consultation_id=consultation.id)
        else:
            target = url_for(".check", consultation_id=consultation.id)
            _keep_checked(consultation, saved)
        return set_token_cookie(redirect(target), token)
    if request.method == "POST":
        status = 400
    before = [n for n in asked if n < number]
    html = render_template(
        "surveys/section.html",
        consultation=consultation,
        section=page,
        number=number,
        previous=before[-1] if before else None,
        page_of=(len(before) + 1, len(asked)),
        form=form,
        preview=preview,
    )
    response = make_response(html, status)
    return set_token_cookie(response, token) if new_token else response


def _keep_checked(consultation: Consultation, saved: drafts.SavedPage) -> None:
    """On to "check your answers": every page is checked as the send would check it, and when all pass,
    their answer rows are kept on the draft for the send (engage.surveys.checked)."""
    pages, invalid = _checked_pages(consultation, saved.answers)
    rows = responses.answer_values(pages) if invalid is None else []
    if rows:
        drafts.keep_checked(consultation, saved.draft, rows)


#: Kinds whose answer is checked as soon as it is given (a ranking, a grid, a choice with "Other" or a date
#: are half-done while the resident is still on them: they are checked when they press Continue).
CHECKED_AS_GIVEN = {
    QuestionKind.NUMBER,
    QuestionKind.SHORT_TEXT,
    QuestionKind.LONG_TEXT,
    QuestionKind.MULTIPLE,
}


@bp.post("/consultations/<int:consultation_id>/sections/<int:number>/changed")
def section_changed(consultation_id: int, number: int):
    """A resident changed an answer on a page (htmx): send back the questions on the page that depend on it,
    appearing or going, and the question itself when it has a problem to show (or had one). Nothing is
    stored; a blank answer is not complained about until they press Continue. A question is swapped only
    when it must be, so nothing the resident is typing elsewhere is replaced."""
    consultation = public_consultation_or_404(consultation_id, with_questions=True)
    if not htmx or not consultation.accepting_responses() or not 1 <= number <= len(consultation.sections):
        abort(404)
    page = consultation.sections[number - 1]
    draft = drafts.draft_answers(consultation, current_token())
    form = PageForm.build(page, authoring.priorities_for(consultation), answers=draft)
    changed = next((q for q in form.asked if f"question-{q.id}" == htmx.trigger), None)
    if changed is None:
        abort(400)
    form.validate()
    values = [value.strip() for name in form.field_names[changed.id] for value in request.form.getlist(name)]
    checked = changed.kind in CHECKED_AS_GIVEN and any(values) and changed in form.questions
    for question in form.asked:
        if question is not changed or not checked:
            for name in form.field_names[question.id]:
                form[name].errors = []
    problem = any(form[name].errors for name in form.field_names[changed.id])
    had_problem = str(changed.id) in request.form.getlist("_problem")
    depending = [q for q in form.asked if _depends_on(q, changed)]
    before = set(request.form.getlist("_shown"))
    appeared = [q for q in depending if q in form.questions and str(q.id) not in before]
    gone = [q for q in depending if q not in form.questions and str(q.id) in before]
    if appeared:
        status = _("Another question has appeared: %(question)s", question=str(local(appeared[0], "label")))
    elif gone:
        status = _(
            "A question that no longer applies has been hidden: %(question)s",
            question=str(local(gone[0], "label")),
        )
    else:
        status = ""
    # A question of another kind keeps what it shows (a problem included) until Continue: swapping it while
    # the resident is still choosing (a ranking's places) could undo a choice made meanwhile.
    mended = changed.kind in CHECKED_AS_GIVEN and (problem or had_problem)
    swapped = {q.id for q in appeared + gone} | ({changed.id} if mended else set())
    return render_template(
        "surveys/_question_changes.html",
        form=form,
        only=swapped,
        oob=True,
        live_url=url_for(".section_changed", consultation_id=consultation.id, number=number),
        status=status,
    )


def _depends_on(question, changed) -> bool:
    """Whether ``question`` is asked according to ``changed``'s answer (directly or through another)."""
    option = question.show_if_option
    while option is not None:
        if option.question is changed:
            return True
        option = option.question.show_if_option
    return False


@bp.route("/consultations/<int:consultation_id>/check", methods=["GET", "POST"])
@form_page
@limiter.limit("30 per hour", methods=["POST"], key_func=respondent_key)
@reads_first
def check(consultation_id: int):
    token = current_token()
    consultation, draft = public_consultation_and_draft_or_404(consultation_id, token)
    if not consultation.accepting_responses():
        return render_template("surveys/not_open.html", consultation=consultation)
    kept = checked.usable(consultation, draft.data, draft.checked)
    key = posted_key() if token else None  # the send's key, without building its form
    if kept is not None and key is not None and token:
        # Checked on the way here, against the pages as they still are: stored without checking again.
        return _send(consultation, token, kept.rows, key, kept.kinds)
    load_questions(consultation)
    answers = draft.answers
    # A page skipped or changed since: go back to it.
    pages, invalid = _checked_pages(consultation, answers)
    # Nothing to send: no draft in this browser (never started, already sent, or moved to another device by
    # its "come back later" link), or one holding no answers. A blank response is never stored.
    rows = responses.answer_values(pages) if invalid is None else []
    if invalid is not None or not rows:
        reference = _sent_before(consultation, token)
        if reference is not None:  # a second copy of a send already stored: its confirmation
            return _confirmed(consultation.id, reference)
        back_to = invalid
        if back_to is None:
            flash(
                _(
                    "There are no answers to send from this device. Answer at least one question, or if you "
                    "saved your answers to finish later, open the link you were given."
                ),
                "important",
            )
            back_to = next(iter(_pages_asked(consultation, answers)), 1)
        return redirect(url_for(".section", consultation_id=consultation.id, number=back_to))
    form = None
    if key is None:
        form = SubmitResponseForm()
        if request.method == "POST" and form.validate() and token:
            key = form.key.data
    if key is not None and token:
        return _send(consultation, token, rows, key)
    assert form is not None
    if not form.is_submitted():
        form.key.data = secrets.token_hex(16)
    return render_template(
        "surveys/check.html", consultation=consultation, pages=pages, form=form, display=display
    )


def _send(consultation: Consultation, token: str, rows: list[dict], key: str, kinds=None):
    """Store the response of these checked answer rows and go on to its confirmation."""
    try:
        sent = responses.submit_checked(
            consultation, token, rows, idempotency_key=key, locale=str(get_locale() or "en"), kinds=kinds
        )
    except StateError:
        return render_template("surveys/not_open.html", consultation=consultation)
    except responses.DraftGone:  # sent from another tab at the same moment: check your answers says so
        return redirect(url_for(".check", consultation_id=consultation.id))
    # Stored: committed now, not after the redirect is built. Every send adds to the same counts' rows, so
    # each holds their locks (SQLite's write lock) until it commits, and the next waits for that. (The
    # commit expires the consultation's row: its id is taken first, not read again.)
    consultation_id = consultation.id
    commit_before_rendering()
    return _confirmed(consultation_id, sent.reference)


def _sent_before(consultation: Consultation, token: str | None) -> str | None:
    """On a post whose draft has gone, the reference of the response this resident already sent with the
    posted key (a double click whose first copy finished first), else None. Only their own: keys are scoped
    to the sender's token."""
    key = request.form.get("key", "")
    if request.method != "POST" or not token or not 16 <= len(key) <= 64:
        return None
    sent = responses.sent_with_key(consultation, token, key)
    return sent.reference if sent is not None else None


def _confirmed(consultation_id: int, reference: str):
    """On to the confirmation page, which shows the response's reference."""
    session["consultation_reference"] = {"id": consultation_id, "reference": reference}
    return redirect(url_for(".confirmation", consultation_id=consultation_id))


@bp.get("/consultations/<int:consultation_id>/confirmation")
def confirmation(consultation_id: int):
    consultation = public_consultation_or_404(consultation_id)
    sent = session.get("consultation_reference") or {}
    if sent.get("id") != consultation.id:
        return redirect(url_for(".start", consultation_id=consultation.id))
    return render_template(
        "surveys/confirmation.html",
        consultation=consultation,
        reference=sent["reference"],
        profile_form=ProfileForm.build(formdata=None),
        answered_profile=sent.get("profile", False),
    )


@bp.post("/consultations/<int:consultation_id>/about-you")
@form_page
def about_you(consultation_id: int):
    """The optional equality questions, after sending: stored against the response, apart from its answers."""
    consultation = public_consultation_or_404(consultation_id)
    sent = session.get("consultation_reference") or {}
    response = None
    if sent.get("id") == consultation.id:
        response = responses.response_by_reference(consultation, sent.get("reference", ""))
    if response is None:
        return redirect(url_for(".start", consultation_id=consultation.id))
    form = ProfileForm.build()
    if not form.validate_on_submit():
        page = render_template(
            "surveys/confirmation.html",
            consultation=consultation,
            reference=response.reference,
            profile_form=form,
            form=form,
            answered_profile=False,
        )
        return page, 400
    responses.save_profile(response, form.answers())
    session["consultation_reference"] = {**sent, "profile": True}
    return redirect(url_for(".confirmation", consultation_id=consultation.id))


@bp.get("/consultations/<int:consultation_id>/results")
def public_results(consultation_id: int):
    """We asked, you said, we did: published once the board has said what it decided."""
    consultation = public_consultation_or_404(consultation_id)
    if consultation.status is not ConsultationStatus.PUBLISHED:
        abort(404)
    return render_template(
        "surveys/public_results.html",
        consultation=consultation,
        results=results.published_results(consultation),
        small=current_app.config["ENGAGE_SMALL_CELL"],
    )


@bp.route("/consultations/<int:consultation_id>/delete-response", methods=["GET", "POST"])
@form_page
@limiter.limit("10 per hour", methods=["POST"])
def delete_response(consultation_id: int):
    """A resident deletes their own response with the reference number they were given."""
    consultation = public_consultation_or_404(consultation_id)
    form = DeleteResponseForm()
    if form.validate_on_submit():
        if responses.delete_response(consultation, form.reference.data):
            return render_template("surveys/response_deleted.html", consultation=consultation)
        form.add_error("reference", _("No response has that reference number. Check it and try again."))
    status = 400 if form.errors else 200
    return render_template("surveys/delete_response.html", consultation=consultation, form=form), status


def _saved_secret(consultation: Consultation) -> str | None:
    """The secret of the "come back later" link this browser was last given for the consultation."""
    saved = session.get("resume_link") or {}
    return saved["secret"] if saved.get("id") == consultation.id else None


def _how_long(consultation: Consultation, life: drafts.LinkLife) -> list[str]:
    """What the resident is told about how long their link works, paragraph by paragraph (page and email)."""
    day = format_date(life.last_day, "long")
    if life.until_closing:
        return [_("The link works until the consultation closes on %(date)s.", date=day)]
    told = [
        _("The link works until %(date)s.", date=day)
        + " "
        + ngettext(
            "Each time you save your answers, it works for another %(num)s day.",
            "Each time you save your answers, it works for another %(num)s days.",
            life.days,
        )
    ]
    if consultation.last_day:
        told.append(
            _(
                "Send your response by %(date)s, when the consultation closes. Unsent answers are deleted "
                "after that.",
                date=format_date(consultation.last_day, "long"),
            )
        )
    return told


@bp.route("/consultations/<int:consultation_id>/saved", methods=["GET", "POST"])
@form_page
def saved(consultation_id: int):
    """The private link to come back to a saved response, how long it works, and (if email is set up)
    sending it."""
    consultation = public_consultation_or_404(consultation_id)
    secret = _saved_secret(consultation)
    if secret is None:
        return redirect(url_for(".start", consultation_id=consultation.id))
    life = drafts.link_life(consultation, secret)
    if life is None:  # sent since, expired, or a newer link was made on another device
        return render_template("surveys/resume_expired.html", consultation=consultation), 404
    # Built from ENGAGE_BASE_URL: this link is emailed, so it must never follow the request's Host header.
    link = external_url("surveys.resume", consultation_id=consultation.id, secret=secret)
    how_long = _how_long(consultation, life)
    form = EmailLinkForm()
    sent_to = None
    status = 200
    if mail.enabled() and form.validate_on_submit():
        try:
            resume_mail.send_resume_link(consultation, form.email.data, link, how_long)
        except resume_mail.TooManyEmails:
            form.add_error("email", _("Too many emails have been sent. Copy the link on this page instead."))
            status = 429
            refuse_for(3600)  # the shortest of the mail limits' periods
        except resume_mail.NotQueued:
            form.add_error(
                "email",
                _("The email could not be sent just now. Copy the link on this page, or try again later."),
            )
            status = 503
        else:
            sent_to = form.email.data
    if form.errors and status == 200:
        status = 400
    return render_template(
        "surveys/saved.html",
        consultation=consultation,
        link=link,
        how_long=how_long,
        form=form if mail.enabled() else None,
        email_form=form,
        sent_to=sent_to,
        can_email=mail.enabled(),
    ), status


@bp.get("/consultations/<int:consultation_id>/resume/<secret>")
def resume(consultation_id: int, secret: str):
    """Open a saved response on this device, then carry on from the first page still to answer."""
    consultation = public_consultation_or_404(consultation_id, with_questions=True)
    if not consultation.accepting_responses():
        return render_template("surveys/not_open.html", consultation=consultation)
    token = secrets.token_urlsafe(32)
    if not drafts.resume(consultation, secret[:100], token):
        return render_template("surveys/resume_expired.html", consultation=consultation), 404
    # On to the first page they have not been through (check your answers when there is none).
    draft = drafts.draft_answers(consultation, token)
    been = drafts.saved_page_ids(draft)
    left = [n for n in _pages_asked(consultation, draft) if consultation.sections[n - 1].id not in been]
    target = (
        url_for(".section", consultation_id=consultation.id, number=left[0])
        if left
        else url_for(".check", consultation_id=consultation.id)
    )
    return set_token_cookie(redirect(target), token)

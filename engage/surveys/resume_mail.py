"""Emailing a resident their "come back later" link, within limits that a script with fresh cookies cannot
get round: per recipient (a hash of the email address, never the address), per sender's network address and
per consultation, on top of the per-browser limit on the page. Counts live in the rate limiter's storage
(Redis when ``ENGAGE_REDIS_URL`` is set), so every worker shares them."""

from __future__ import annotations

import hashlib

from flask import current_app, render_template, request
from flask_babel import gettext as _

from engage import quotas
from engage.content import local
from engage.jobs import queue
from engage.jobs.tasks import send_mail
from engage.respondents import respondent_key
from engage.surveys.models import Consultation


class TooManyEmails(Exception):
    """A limit on these emails has been reached; nothing was sent."""


class NotQueued(Exception):
    """The job queue could not take the email (its Redis down or silent); nothing was sent or counted."""


def _counts(consultation: Consultation, email: str) -> list[tuple[str, tuple[str, ...]]]:
    recipient = hashlib.sha256(f"engage-resume-mail:{email.strip().lower()}".encode()).hexdigest()[:32]
    return [
        ("ENGAGE_MAIL_BROWSER_LIMIT", ("mail-browser", respondent_key())),
        ("ENGAGE_MAIL_RECIPIENT_LIMIT", ("mail-to", recipient)),
        ("ENGAGE_MAIL_ADDRESS_LIMIT", ("mail-from", request.remote_addr or "unknown")),
        ("ENGAGE_MAIL_CONSULTATION_LIMIT", ("mail-consultation", str(consultation.id))),
    ]


def send_resume_link(consultation: Consultation, email: str, link: str, how_long: list[str]) -> None:
    """Send ``link`` to ``email``, with ``how_long`` it works (as the page says), by a job queued now: the
    link was stored by the request that saved the answers (the relay refusing is retried by the job, never
    waited for here). TooManyEmails when any limit is reached, NotQueued when the queue could not take the
    job (nothing is sent or counted then: found in review, the page used to say the link was sent while the
    job was lost with the queue), as when the limits' storage cannot be reached (the queue's Redis is
    usually the same). Each email sent counts against every limit: counted first, given back when the job
    could not be queued."""
    counts = _counts(consultation, email)
    try:
        if not quotas.take_all(counts):
            raise TooManyEmails
    except quotas.Unreachable as error:
        current_app.logger.warning("resume link not emailed: the rate limiter's storage could not be reached")
        raise NotQueued from error
    subject = _("Your link to finish: %(title)s", title=local(consultation, "title"))
    body = render_template(
        "surveys/resume_email.txt", consultation=consultation, link=link, how_long=how_long
    )
    if not queue.queue_now(lambda: send_mail(email, subject, body)):
        quotas.give_back(counts)
        raise NotQueued

"""Outgoing email through the council's SMTP relay (settings ENGAGE_SMTP_*). A job sends it
(engage.jobs.tasks.send_mail), so nobody waits for the relay; a refusal is tried again by the job."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

logger = logging.getLogger(__name__)


class MailError(Exception):
    """The message could not be handed to the relay."""


def enabled() -> bool:
    return bool(current_app.config["ENGAGE_SMTP_HOST"])


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text message; MailError if the relay refuses or cannot be reached."""
    config = current_app.config
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["ENGAGE_MAIL_FROM"], to, subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["ENGAGE_SMTP_HOST"], config["ENGAGE_SMTP_PORT"], timeout=10) as smtp:
            if config["ENGAGE_SMTP_STARTTLS"]:
                smtp.starttls()
            if config["ENGAGE_SMTP_USER"]:
                smtp.login(config["ENGAGE_SMTP_USER"], config["ENGAGE_SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("email not sent: %s", type(error).__name__)
        raise MailError from error

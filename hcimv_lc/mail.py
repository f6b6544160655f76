"""Outgoing mail: SMTP when configured, the log in development, a list in tests."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

logger = logging.getLogger(__name__)


def outbox() -> list[EmailMessage]:
    """Return the messages kept by the memory backend (used by the tests)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message to one recipient."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "smtp":
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
        logger.info("Mail %r sent", subject)
    elif config["ENV_NAME"] == "production":
        logger.warning("Mail %r not sent: SMTP_HOST is not configured", subject)
    else:
        # Development only: without SMTP the developer reads links from the log.
        logger.info("Mail %r (development, not sent):\n%s", subject, body)

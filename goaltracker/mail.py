"""Sending email through a configurable backend: console (default), memory (tests) or SMTP."""

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app


@dataclass(frozen=True)
class Message:
    """An email as sent."""

    to: str
    subject: str
    body: str


def outbox() -> list[Message]:
    """Return the messages the memory backend has kept (tests read it)."""
    return current_app.extensions.setdefault("goaltracker_outbox", [])


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text email through the configured backend."""
    message = Message(to=to, subject=subject, body=body)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "smtp":
        _send_smtp(message)
    else:
        current_app.logger.info("Email to %s: %s\n%s", to, subject, body)
        print(f"--- Email to {to}: {subject}\n{body}\n---", flush=True)


def _send_smtp(message: Message) -> None:
    """Deliver through the SMTP server named in the configuration."""
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as server:
        if config["SMTP_STARTTLS"]:
            server.starttls()
        if config["SMTP_USERNAME"]:
            server.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        server.send_message(email)


def send_or_log(to: str, subject: str, body: str) -> bool:
    """Send an email, or log why it could not be sent; return whether it went.

    Work that sends an email is saved first: a mail server that is down must not lose it, so
    the caller says the email could not be sent and, where it can, shows the link instead.
    """
    try:
        send(to, subject, body)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send an email to %s: %s", to, subject)
        return False
    return True

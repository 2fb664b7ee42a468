"""Tasks of the shared base, run by the Celery worker (``registry/celery.py``).

``send_email`` delivers one e-mail whose text the caller has already written (in the caller's
language, with its links): a task gets plain JSON values only, never a model instance or a
lazy translation. Callers go through ``core.mail.send_after_commit``, which queues it once the
transaction has committed; nothing here is called inside a request.
"""

from __future__ import annotations

import logging
import smtplib
from email.utils import parseaddr

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)

# Transient failures are retried after 1, 2, 4, 8 then 16 minutes (about half an hour in all);
# the broker's visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS) must stay above the longest.
MAX_RETRIES = 5
RETRY_BASE_SECONDS = 60
# An e-mail marked sent is not sent again by a second delivery of its task (a worker lost after
# sending, before acknowledging) for this long.
SENT_MARK_SECONDS = 2 * 24 * 60 * 60


def retry_delay(retries: int) -> int:
    """Seconds before the next attempt, after ``retries`` failed ones (exponential backoff)."""
    return RETRY_BASE_SECONDS * 2**retries


def is_transient(error: BaseException) -> bool:
    """Whether a failure of the mail server may pass: a lost connection, a timeout, a 4xx reply.
    A 5xx reply (unknown recipient, refused sender, rejected message) will not, and is not
    retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPException | OSError)


def _sent_mark(key: str) -> str:
    return f"core.mail.sent:{key}"


def _message_id(key: str, from_email: str) -> str:
    # One Message-ID per e-mail, the same on every attempt: a mail client that receives a
    # duplicate anyway shows it once.
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
    return f"<{key}@{domain}>"


@shared_task(bind=True, name="core.tasks.send_email", max_retries=MAX_RETRIES)
def send_email(
    self,
    *,
    subject: str,
    body: str,
    recipients: list[str],
    from_email: str = "",
    html_body: str = "",
    reply_to: list[str] | None = None,
    key: str = "",
) -> bool:
    """Send one e-mail through Django's mail framework (``EMAIL_BACKEND``); returns whether it
    was sent now (``False``: ``key`` was already sent).

    ``key`` (``core.mail.send_after_commit`` draws one per e-mail) makes a second delivery of
    the same task a no-op, and is the Message-ID. Transient failures (``is_transient``) are
    retried with an exponential backoff, ``MAX_RETRIES`` times; the others fail the task at once,
    logged by the worker.
    """
    if key and cache.get(_sent_mark(key)):
        logger.info("E-mail %s already sent; not sent again", key)
        return False
    from_email = from_email or settings.DEFAULT_FROM_EMAIL
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email,
        to=list(recipients),
        reply_to=list(reply_to or ()),
        headers={"Message-ID": _message_id(key, from_email)} if key else None,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    try:
        message.send()
    except Exception as error:
        if not is_transient(error):
            raise
        logger.warning(
            "E-mail %s not sent (attempt %d): %s", key or "-", self.request.retries + 1, error
        )
        # Beyond MAX_RETRIES, retry() raises ``error`` itself.
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries)) from error
    if key:
        cache.set(_sent_mark(key), True, timeout=SENT_MARK_SECONDS)
    return True


@shared_task(name="core.tasks.ping", ignore_result=False)
def ping(value: str) -> str:
    """Return ``value``: whether a worker takes tasks from the queue and answers (the
    integration test, a health probe)."""
    return value

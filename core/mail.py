"""E-mail from the application: queued for the worker, sent only once the transaction commits.

Every e-mail the registry sends goes through ``send_after_commit``: a decision rolled back sends
nothing, and the request never waits for the mail server (``core.tasks.send_email`` runs on the
Celery worker; in eager mode — no broker, e.g. ``make run`` and the tests — it runs in the
process right after the commit).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.db import transaction
from kombu.exceptions import OperationalError

from core.tasks import MAX_RETRIES, send_email

logger = logging.getLogger(__name__)


def send_after_commit(
    *,
    subject: str,
    body: str,
    recipients: Iterable[str],
    from_email: str = "",
    html_body: str = "",
    reply_to: Iterable[str] = (),
    using: str | None = None,
) -> str:
    """Queue an e-mail to be sent when the current transaction (on database ``using``) commits —
    at once outside a transaction; nothing is sent if it rolls back. Returns the e-mail's key
    (its Message-ID, and what makes a second delivery of the task a no-op).

    ``subject``, ``body`` and ``html_body`` are final text, already translated: the worker
    renders nothing. ``from_email`` defaults to ``DEFAULT_FROM_EMAIL``.
    """
    kwargs = {
        "subject": str(subject),
        "body": str(body),
        "recipients": [str(address) for address in recipients],
        "from_email": str(from_email),
        "html_body": str(html_body),
        "reply_to": [str(address) for address in reply_to],
        "key": uuid.uuid4().hex,
    }
    # robust: the decision is committed already; a failing send is logged, never a 500.
    transaction.on_commit(lambda: _enqueue(kwargs), using=using, robust=True)
    return kwargs["key"]


def _enqueue(kwargs: dict) -> None:
    try:
        send_email.apply_async(kwargs=kwargs)
    except OperationalError:
        # The broker does not answer: send from here rather than lose the e-mail (a reporter's
        # address, for one, is erased once the answer is sent) — one attempt, no retry that
        # would hold the response.
        logger.warning("Task queue unavailable: e-mail %s sent in the request", kwargs["key"])
        result = send_email.apply(kwargs=kwargs, retries=MAX_RETRIES, throw=False)
        if result.failed():
            logger.error("E-mail %s could not be sent: %s", kwargs["key"], result.result)

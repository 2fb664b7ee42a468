"""The freshness reminder e-mails (``manage.py send_freshness_reminders``).

Who is reminded of what, and the signed links, are decided in ``structures.freshness``; this
module writes the e-mails (they need the site's URLs) and queues them, one per person
(``core.mail.send_after_commit``: the worker sends them, retrying a mail server that fails
for a while).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.mail import send_after_commit
from structures.freshness import (
    ReminderBatch,
    confirmation_token,
    recipient_language,
    record_reminder,
    reminders_due,
)

logger = logging.getLogger(__name__)


@dataclass
class ReminderReport:
    """What a run did: e-mails sent (or that would be, in a dry run), listings, failures."""

    recipients: int = 0
    listings: int = 0
    failed: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def reminder_message(
    batch: ReminderBatch, *, site_url: str, now: datetime.datetime | None = None
) -> EmailMessage:
    """The e-mail reminding ``batch.user`` of their listings, in their language."""
    user = batch.user
    items = [
        {
            "structure": structure,
            "confirm_url": site_url
            + reverse(
                "freshness-confirm",
                args=[confirmation_token(structure=structure, user=user, now=now)],
            ),
            "edit_url": site_url
            + reverse("admin:structures_structure_change", args=[structure.pk]),
        }
        for structure in batch.structures
    ]
    context = {
        "name": user.get_full_name() or user.get_username(),
        "items": items,
        "reminder_months": settings.FRESHNESS_REMINDER_MONTHS,
        "link_days": settings.FRESHNESS_LINK_MAX_AGE_DAYS,
        "listings_url": site_url + reverse("staff-listings"),
    }
    with translation.override(recipient_language(user)):
        subject = render_to_string("email/freshness_reminder_subject.txt", context)
        body = render_to_string("email/freshness_reminder.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def send_freshness_reminders(
    *,
    now: datetime.datetime | None = None,
    days_before: int | None = None,
    dry_run: bool = False,
    site_url: str | None = None,
) -> ReminderReport:
    """E-mail every person the listings they are due a reminder of; record each e-mail queued.

    Idempotent: a person reminded of a listing is not reminded of it again for
    ``FRESHNESS_REMINDER_INTERVAL_DAYS``. Each e-mail is recorded and queued in one transaction
    (queued only once recorded, never recorded without being queued); the worker sends it and
    retries a mail server that fails for a while (``core.tasks.send_email``). A person whose
    e-mail could not be recorded is reported; the others still go.
    """
    now = now or timezone.now()
    site_url = (site_url if site_url is not None else settings.SITE_URL).rstrip("/")
    report = ReminderReport()
    for batch in reminders_due(now=now, days_before=days_before):
        names = ", ".join(str(s) for s in batch.structures)
        if dry_run:
            report.lines.append(f"{batch.user.email} : {names}")
        else:
            message = reminder_message(batch, site_url=site_url, now=now)
            try:
                with transaction.atomic():
                    record_reminder(batch=batch, now=now)
                    send_after_commit(
                        subject=message.subject,
                        body=message.body,
                        recipients=message.to,
                        from_email=message.from_email,
                    )
            except Exception:  # one person's failure must not stop the others
                logger.exception("Freshness reminder to %s not queued", batch.user.email)
                report.failed.append(batch.user.email)
                continue
        report.recipients += 1
        report.listings += len(batch.structures)
    return report

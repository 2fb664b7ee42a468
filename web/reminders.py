"""The freshness reminder e-mails (``manage.py send_freshness_reminders``).

Who is reminded of what, and the signed links, are decided in ``structures.freshness``; this
module writes the e-mails (they need the site's URLs) and sends them, one per person.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

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
    """E-mail every person the listings they are due a reminder of; record each e-mail sent.

    Idempotent: a person reminded of a listing is not reminded of it again for
    ``FRESHNESS_REMINDER_INTERVAL_DAYS``. An e-mail that fails is reported and not recorded
    (the next run tries again); the others still go.
    """
    now = now or timezone.now()
    site_url = (site_url if site_url is not None else settings.SITE_URL).rstrip("/")
    report = ReminderReport()
    batches = reminders_due(now=now, days_before=days_before)
    connection = None if dry_run else get_connection()
    for batch in batches:
        names = ", ".join(str(s) for s in batch.structures)
        if dry_run:
            report.lines.append(f"{batch.user.email} : {names}")
        else:
            message = reminder_message(batch, site_url=site_url, now=now)
            message.connection = connection
            try:
                message.send()
            except Exception:  # an SMTP failure must not stop the others
                logger.exception("Freshness reminder to %s failed", batch.user.email)
                report.failed.append(batch.user.email)
                continue
            record_reminder(batch=batch, now=now)
        report.recipients += 1
        report.listings += len(batch.structures)
    return report

"""The freshness loop: how old a listing's last confirmation is, who is reminded of it, and the
signed one-click "toujours à jour" link of the reminder.

A listing counts from its last confirmation (``verified_at``), or from its creation when nobody
ever confirmed it. Three states (``structures.enums.Freshness``), thresholds in settings:

- **fresh** for ``FRESHNESS_REVIEW_MONTHS`` (12);
- **to_check** ("à vérifier") after that: flagged in the staff lists and the API;
- **stale** after ``FRESHNESS_WARNING_MONTHS`` (18): public results say "informations à
  vérifier". A stale listing is never hidden (rule R4): an old phone number beats no relay.

Its staff (``StaffMembership``) are e-mailed after ``FRESHNESS_REMINDER_MONTHS`` (11), a month
before it turns "à vérifier", at most once every ``FRESHNESS_REMINDER_INTERVAL_DAYS`` per person
and listing (``FreshnessReminder``).

The link carries a token signed with the secret key (``TimestampSigner``, its own salt): the
listing, its version, the recipient. It expires after ``FRESHNESS_LINK_MAX_AGE_DAYS`` and serves
once: a confirmation bumps the listing's version, after which the token's version no longer
matches — and neither does it after any other change to the listing (one cannot vouch for
content one has not seen).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from structures.enums import Freshness
from structures.models import FreshnessReminder, StaffMembership, Structure
from structures.querysets import months_ago

TOKEN_SALT = "structures.freshness.confirm-up-to-date"


# --- States -------------------------------------------------------------------------------------


def thresholds(
    *, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments before which a listing is "to_check" and "stale"."""
    now = now or timezone.now()
    return (
        months_ago(settings.FRESHNESS_REVIEW_MONTHS, now=now),
        months_ago(settings.FRESHNESS_WARNING_MONTHS, now=now),
    )


def reference_date(structure) -> datetime.datetime | None:
    """What the listing's age counts from: its last confirmation, else its creation."""
    return structure.verified_at or structure.created_at


def freshness_of(structure, *, now: datetime.datetime | None = None) -> Freshness:
    """The listing's freshness state (any object with ``verified_at`` and ``created_at``)."""
    since = reference_date(structure)
    if since is None:  # not saved yet: it is being written now
        return Freshness.FRESH
    review, warning = thresholds(now=now)
    if since < warning:
        return Freshness.STALE
    if since < review:
        return Freshness.TO_CHECK
    return Freshness.FRESH


# --- Reminders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderBatch:
    """One e-mail: a person and the listings they are reminded of (oldest confirmation first)."""

    user: object
    structures: tuple[Structure, ...]


def reminder_cutoff(
    *, now: datetime.datetime | None = None, days_before: int | None = None
) -> datetime.datetime:
    """Listings confirmed before this moment are due a reminder: ``FRESHNESS_REMINDER_MONTHS``
    ago, or, with ``days_before``, those that turn "à vérifier" within that many days."""
    now = now or timezone.now()
    if days_before is None:
        return months_ago(settings.FRESHNESS_REMINDER_MONTHS, now=now)
    return months_ago(settings.FRESHNESS_REVIEW_MONTHS, now=now) + datetime.timedelta(
        days=days_before
    )


def reminders_due(
    *, now: datetime.datetime | None = None, days_before: int | None = None
) -> list[ReminderBatch]:
    """Who is to be reminded of which active listings now, one batch per person.

    A person is a staff member of the listing (``StaffMembership``: those who edit it; registry
    administrators, who may edit everything, are not e-mailed about every listing), active, with
    an e-mail address, and not reminded of that listing within ``FRESHNESS_REMINDER_INTERVAL_DAYS``.
    """
    now = now or timezone.now()
    due = Structure.objects.active().confirmed_before(
        reminder_cutoff(now=now, days_before=days_before)
    )
    recently = FreshnessReminder.objects.filter(
        user_id=OuterRef("user_id"),
        structure_id=OuterRef("structure_id"),
        sent_at__gt=now - datetime.timedelta(days=settings.FRESHNESS_REMINDER_INTERVAL_DAYS),
    )
    memberships = (
        StaffMembership.objects.filter(structure__in=due, user__is_active=True)
        .exclude(user__email="")
        .exclude(Exists(recently))
        .select_related("user", "user__registry_scope", "structure")
        # Oldest confirmation first, never confirmed ones by creation date.
        .order_by(
            "user_id",
            Coalesce("structure__verified_at", "structure__created_at"),
            "structure_id",
        )
    )
    grouped: dict[int, list[StaffMembership]] = defaultdict(list)
    for membership in memberships:
        grouped[membership.user_id].append(membership)
    return [
        ReminderBatch(user=rows[0].user, structures=tuple(m.structure for m in rows))
        for rows in grouped.values()
    ]


def record_reminder(*, batch: ReminderBatch, now: datetime.datetime | None = None) -> None:
    """Remember that ``batch`` was sent (call it once the e-mail is out)."""
    now = now or timezone.now()
    with transaction.atomic():
        for structure in batch.structures:
            FreshnessReminder.objects.update_or_create(
                user=batch.user,
                structure=structure,
                defaults={"sent_at": now, "structure_version": structure.version},
            )


def recipient_language(user) -> str:
    """The language of the e-mails ``user`` receives (``AccountScope.language``, else French)."""
    scope = getattr(user, "registry_scope", None) if user is not None else None
    try:
        return scope.language if scope is not None else settings.LANGUAGE_CODE
    except AttributeError:  # pragma: no cover - exotic user objects
        return settings.LANGUAGE_CODE


# --- The one-click link -------------------------------------------------------------------------


class LinkRefused(Exception):
    """A one-click link that cannot confirm anything; ``status`` is the HTTP answer."""

    status = 400
    title = _("Lien non valable")
    message = _(
        "Ce lien de confirmation est incomplet ou a été modifié. Copiez l'adresse entière depuis "
        "le courriel, ou confirmez la fiche depuis « Mes fiches »."
    )


class LinkExpired(LinkRefused):
    status = 410
    title = _("Lien expiré")
    message = _(
        "Ce lien de confirmation a expiré. Un nouveau rappel vous sera envoyé ; vous pouvez aussi "
        "confirmer la fiche dès maintenant depuis « Mes fiches »."
    )


class LinkUsed(LinkRefused):
    status = 410
    title = _("Lien déjà utilisé")
    message = _(
        "Ce lien a déjà servi, ou la fiche a été modifiée depuis l'envoi du rappel : il ne "
        "confirme plus rien. Relisez la fiche depuis « Mes fiches » et confirmez-la de là."
    )


class LinkNotAllowed(LinkRefused):
    status = 403
    title = _("Lien non valable pour ce compte")
    message = _(
        "Le destinataire de ce lien ne gère plus cette fiche (ou son compte est désactivé) : "
        "il ne peut plus la confirmer."
    )


class _Signer(signing.TimestampSigner):
    """A ``TimestampSigner`` whose clock can be set, so that a link's age is testable."""

    def __init__(self, *, now: datetime.datetime | None = None) -> None:
        super().__init__(salt=TOKEN_SALT)
        self._now = now

    def timestamp(self) -> str:
        if self._now is None:
            return super().timestamp()
        return signing.b62_encode(int(self._now.timestamp()))


def confirmation_token(*, structure: Structure, user, now: datetime.datetime | None = None) -> str:
    """A signed token confirming ``structure`` as it is now (its version), for ``user``."""
    return _Signer(now=now).sign_object({"s": structure.pk, "v": structure.version, "u": user.pk})


@dataclass(frozen=True)
class ConfirmationClaim:
    """What a valid token vouches for: the listing at ``version``, confirmed by ``user``."""

    structure: Structure
    user: object
    version: int


def read_confirmation_token(token: str) -> ConfirmationClaim:
    """The claim of a one-click link, or ``LinkRefused`` (tampered), ``LinkExpired``,
    ``LinkUsed`` (confirmed or changed since; or its recipient no longer edits the listing)."""
    max_age = datetime.timedelta(days=settings.FRESHNESS_LINK_MAX_AGE_DAYS)
    try:
        data = _Signer().unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkRefused from error
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "svu"):
        raise LinkRefused
    structure = Structure.objects.filter(pk=data["s"]).first()
    user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    if structure is None:
        raise LinkUsed
    if user is None or not Structure.objects.editable_by(user).filter(pk=structure.pk).exists():
        raise LinkNotAllowed
    if structure.version != data["v"]:
        raise LinkUsed
    return ConfirmationClaim(structure=structure, user=user, version=data["v"])

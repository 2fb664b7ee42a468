"""Corrections from the public: reports of an error on a listing, and the staff's decisions.

- ``submit_correction``: a member of the public reports what is wrong (optionally the right
  value, optionally their e-mail address with their consent). At most
  ``CORRECTION_RATE_LIMIT`` reports per client address and listing within
  ``CORRECTION_RATE_WINDOW_SECONDS``, counted in the shared cache under a keyed hash of the
  address: the address itself is stored nowhere.
- ``accept_correction``: the structure's staff (or a registry administrator) accept it. For a
  report on a field of the structure (``STRUCTURE_FIELD_OF``) the value they confirm is written
  through ``structures.services.update_structure`` — its validation, its history (the change
  reason names the report) and its version check (a listing changed since the decision page was
  loaded is refused with ``StaleVersionError``). Other reports are only marked handled.
- ``reject_correction``: refused, with a reason.

After a decision, the reporter who left an address is told by e-mail (in French, by the task
queue once the transaction has committed: ``core.mail``) and the address is erased at once: it
served that purpose only.

The reads for the staff's inbox (``correction_inbox``) follow the editing rule of
``structures.permissions``: a staff member sees the reports on the structures they may edit, a
registry administrator all of them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.mail import send_after_commit
from structures.enums import CorrectionField, CorrectionStatus
from structures.models import Contact, CorrectionReport, Offer, Structure
from structures.querysets import months_ago
from structures.services import update_structure

logger = logging.getLogger(__name__)

# The consent text shown beside the e-mail field, and its version, stored with each report that
# carries an address: a new wording gets a new version.
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = _(
    "J'accepte que mon adresse électronique soit utilisée uniquement pour m'informer de la suite "
    "donnée à ce signalement. Seules l'équipe de la structure et l'administration du registre la "
    "voient ; elle est effacée dès que la réponse m'a été envoyée, et au plus tard un an après "
    "mon signalement."
)
# The "au plus tard un an" of the consent text: ``purge_correction_emails`` (daily, cron) erases
# the address of a report still undecided after this many months.
EMAIL_RETENTION_MONTHS = 12

# Reports whose acceptance writes a field of the structure: report field → structure field.
STRUCTURE_FIELD_OF: dict[str, str] = {
    CorrectionField.NAME: "name",
    CorrectionField.ADDRESS: "address_line",
    CorrectionField.POSTAL_CODE: "postal_code",
    CorrectionField.PHONE: "phone",
    CorrectionField.EMAIL: "email",
    CorrectionField.WEBSITE: "website",
    CorrectionField.OPENING_HOURS: "opening_hours",
}

_RATE_SALT = "structures.corrections.rate"


class CorrectionRateLimited(Exception):
    """Too many reports from one client address on one listing: answer 429."""

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"retry after {retry_after} s")


# --- Rate limit ---------------------------------------------------------------------------------


def _rate_key(client_address: str | None, structure_id: int) -> str:
    # A keyed hash (SECRET_KEY): the cache never holds the address, and nobody can test a guess
    # against the key without the secret.
    digest = salted_hmac(_RATE_SALT, f"{client_address or '-'}|{structure_id}").hexdigest()
    return f"correction-rate:{digest}"


def _claim_report_slot(*, client_address: str | None, structure: Structure) -> None:
    """Count one report from ``client_address`` on ``structure``, or raise
    ``CorrectionRateLimited`` when the window's allowance is used up. ``add`` then ``incr`` are
    atomic in Redis, so concurrent workers cannot both take the last slot."""
    key = _rate_key(client_address, structure.pk)
    window = settings.CORRECTION_RATE_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window starts
        cache.add(key, 1, timeout=window)
        return
    if count > settings.CORRECTION_RATE_LIMIT:
        raise CorrectionRateLimited(retry_after=window)


# --- Submission ---------------------------------------------------------------------------------


def submit_correction(
    *,
    structure: Structure,
    field: str,
    message: str,
    client_address: str | None,
    proposed_value: str = "",
    reporter_email: str = "",
    consent_given: bool = False,
    offer: Offer | None = None,
    contact: Contact | None = None,
) -> CorrectionReport:
    """Record a report of an error on ``structure`` from the public.

    Raises ``ValidationError`` (French messages by field) on invalid input — an address without
    consent, an offer or contact of another structure, a text too long — and
    ``CorrectionRateLimited`` when ``client_address`` has used its allowance on this listing.
    Nothing is written in either case.
    """
    reporter_email = (reporter_email or "").strip()
    errors = {}
    if reporter_email and not consent_given:
        errors["consent_given"] = _(
            "Cochez cette case pour que nous puissions utiliser votre adresse, ou laissez le "
            "champ « courriel » vide."
        )
    if offer is not None and offer.structure_id != structure.pk:
        errors["offer"] = _("Ce service n'est pas proposé par cette structure.")
    if contact is not None and (contact.structure_id != structure.pk or not contact.is_public):
        errors["contact"] = _("Ce contact n'appartient pas à cette structure.")
    if errors:
        raise ValidationError(errors)
    report = CorrectionReport(
        structure=structure,
        offer=offer,
        contact=contact,
        field=field,
        message=(message or "").strip(),
        proposed_value=(proposed_value or "").strip(),
        reporter_email=reporter_email,
        # Consent is recorded only with the address it is about.
        consent_given=bool(reporter_email),
        consent_version=CONSENT_VERSION if reporter_email else "",
    )
    report.full_clean()
    _claim_report_slot(client_address=client_address, structure=structure)
    report.save()
    return report


def discard_suspected_spam(*, structure: Structure, client_address: str | None) -> None:
    """A submission whose honeypot field was filled: nothing is recorded, but it counts against
    the address's allowance like a real report (a robot hammering the form meets the limit)."""
    _claim_report_slot(client_address=client_address, structure=structure)


# --- Decisions ----------------------------------------------------------------------------------


def _lock_for_decision(report: CorrectionReport, user) -> CorrectionReport:
    current = (
        CorrectionReport.objects.select_for_update().select_related("structure").get(pk=report.pk)
    )
    if not Structure.objects.editable_by(user).filter(pk=current.structure_id).exists():
        raise PermissionDenied(
            gettext("Vous ne pouvez pas traiter les signalements de cette fiche.")
        )
    if current.status != CorrectionStatus.NEW:
        raise ValidationError(
            _("Ce signalement a déjà été traité (%(status)s).")
            % {"status": current.get_status_display()}
        )
    return current


def _decide(
    current: CorrectionReport, *, status: str, user, reason: str, page_url: str
) -> CorrectionReport:
    now = timezone.now()
    current.status = status
    current.decision_reason = reason
    current.decided_by = user
    current.decided_at = now
    address = current.reporter_email
    if address:
        # The address served to answer: it goes as soon as the answer does.
        current.reporter_email = ""
        current.reporter_notified_at = now
        subject, body = _notification(current, page_url=page_url)
        # Queued once the decision commits (core.mail): a rolled-back decision sends nothing.
        send_after_commit(subject=subject, body=body, recipients=[address])
    current.full_clean()
    current.save()
    return current


def accept_correction(
    *,
    report: CorrectionReport,
    user,
    expected_version: int | None,
    value: str = "",
    note: str = "",
    page_url: str = "",
) -> CorrectionReport:
    """Accept ``report``: for a field of the structure, write ``value`` into it (the value the
    staff member confirmed, usually the proposed one) if the listing is still at
    ``expected_version``; for any other report, record that it was handled.

    Raises ``PermissionDenied`` if ``user`` may not edit the structure, ``ValidationError`` if
    the report was already decided or the value is invalid (``{"value": …}``), and
    ``StaleVersionError`` if the listing changed since it was loaded. Nothing is written then.
    ``expected_version`` is the structure's version the staff member saw (ignored for a report
    that writes nothing). ``note`` goes to the reporter with the decision; ``page_url`` is the
    listing's public page.
    """
    with transaction.atomic():
        current = _lock_for_decision(report, user)
        structure_field = STRUCTURE_FIELD_OF.get(current.field)
        if structure_field is not None:
            value = (value or "").strip()
            if not value:
                raise ValidationError({"value": _("Indiquez la valeur à écrire dans la fiche.")})
            try:
                updated = update_structure(
                    structure=current.structure,
                    data={structure_field: value},
                    expected_version=expected_version,
                    user=user,
                    reason=f"Signalement n° {current.pk} accepté",
                )
            except ValidationError as error:
                messages = (
                    error.message_dict.get(structure_field)
                    if hasattr(error, "error_dict")
                    else None
                )
                raise ValidationError({"value": messages or error.messages}) from error
            current.applied_value = str(getattr(updated, structure_field))
            current.structure = updated
        return _decide(
            current,
            status=CorrectionStatus.ACCEPTED,
            user=user,
            reason=(note or "").strip(),
            page_url=page_url,
        )


def reject_correction(
    *, report: CorrectionReport, user, reason: str, page_url: str = ""
) -> CorrectionReport:
    """Reject ``report`` with ``reason`` (required; sent to the reporter if they left an
    address). Raises ``PermissionDenied`` or ``ValidationError`` as ``accept_correction``."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du rejet.")})
    with transaction.atomic():
        current = _lock_for_decision(report, user)
        return _decide(
            current,
            status=CorrectionStatus.REJECTED,
            user=user,
            reason=reason,
            page_url=page_url,
        )


# --- The reporter's e-mail ----------------------------------------------------------------------


def _notification(report: CorrectionReport, *, page_url: str) -> tuple[str, str]:
    """Subject and body of the decision e-mail, in French (the registry's language)."""
    with translation.override("fr"):
        name = str(report.structure)
        subject = gettext("Votre signalement sur la fiche « %(name)s »") % {"name": name}
        lines = [
            gettext("Bonjour,"),
            "",
            gettext(
                "Vous avez signalé le %(date)s une erreur sur la fiche « %(name)s » du registre "
                "des relais export (%(field)s)."
            )
            % {
                "date": timezone.localtime(report.created_at).strftime("%d/%m/%Y"),
                "name": name,
                "field": report.get_field_display().lower(),
            },
            "",
        ]
        if report.status == CorrectionStatus.ACCEPTED:
            if report.applied_value:
                lines.append(
                    gettext("Merci : votre signalement a été accepté et la fiche corrigée.")
                )
            else:
                lines.append(gettext("Merci : votre signalement a été accepté et pris en compte."))
            if report.decision_reason:
                lines += ["", gettext("Message de l'équipe :"), report.decision_reason]
        else:
            lines += [
                gettext(
                    "Après vérification, votre signalement n'a pas été retenu, pour la "
                    "raison suivante :"
                ),
                report.decision_reason,
            ]
        if page_url:
            lines += ["", gettext("La fiche : %(url)s") % {"url": page_url}]
        lines += [
            "",
            gettext(
                "Votre adresse électronique a été effacée de nos fichiers avec l'envoi de ce "
                "message. Ce courriel est automatique : merci de ne pas y répondre."
            ),
        ]
    return subject, "\n".join(lines)


# --- Retention ----------------------------------------------------------------------------------


def erase_expired_reporter_emails(*, now=None) -> int:
    """Erase the address of every report still awaiting a decision ``EMAIL_RETENTION_MONTHS``
    after it was sent, as the consent text promises; returns how many were erased. (A decided
    report's address is erased when the decision is sent.)"""
    cutoff = months_ago(EMAIL_RETENTION_MONTHS, now=now)
    return (
        CorrectionReport.objects.filter(created_at__lt=cutoff)
        .exclude(reporter_email="")
        .update(reporter_email="")
    )


# --- Reads --------------------------------------------------------------------------------------


def correction_inbox(*, user, status: str | None = CorrectionStatus.NEW) -> QuerySet:
    """The reports on the structures ``user`` may edit (all of them for a registry
    administrator), newest first, with what the inbox shows; ``status=None``: every status."""
    reports = CorrectionReport.objects.filter(
        structure__in=Structure.objects.editable_by(user).values("pk")
    ).select_related("structure", "offer__service", "contact", "decided_by")
    if status:
        reports = reports.filter(status=status)
    return reports.order_by("-created_at", "-pk")


def new_correction_count(*, user) -> int:
    """How many reports await a decision on the structures ``user`` may edit."""
    return correction_inbox(user=user).count()


def current_value(report: CorrectionReport) -> str | None:
    """The value the listing holds now for the reported field (``None``: not a structure
    field)."""
    structure_field = STRUCTURE_FIELD_OF.get(report.field)
    if structure_field is None:
        return None
    return str(getattr(report.structure, structure_field) or "")

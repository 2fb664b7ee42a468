"""Corrections reported by the public on a listing ("Signaler une erreur").

A report names the structure (and, if the reporter chose one, the offer or the contact
concerned), what is wrong and, optionally, the right value. The structure's staff accept it
(the value is written into the listing through ``structures.services``, with its history and
version check) or reject it with a reason (``structures.corrections``).

Nothing identifies the reporter but the e-mail address they may leave to hear back, with their
consent (and the version of the consent text they saw); it is erased as soon as the decision has
been sent to them. No client address is stored: the rate limit keeps a keyed hash of it in the
cache only, for an hour.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from structures.enums import CorrectionField, CorrectionStatus

MESSAGE_MAX_LENGTH = 1000
PROPOSED_VALUE_MAX_LENGTH = 500
REASON_MAX_LENGTH = 1000


class CorrectionReport(models.Model):
    """One report of an error on a listing, and what the structure's staff decided."""

    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="correction_reports",
    )
    offer = models.ForeignKey(
        "structures.Offer",
        verbose_name=_("offre concernée"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact = models.ForeignKey(
        "structures.Contact",
        verbose_name=_("contact concerné"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    field = models.CharField(_("élément signalé"), max_length=32, choices=CorrectionField.choices)
    message = models.CharField(
        _("ce qui est inexact"),
        max_length=MESSAGE_MAX_LENGTH,
        help_text=_("Le texte du signalement, tel que la personne l'a écrit."),
    )
    proposed_value = models.CharField(
        _("valeur proposée"),
        max_length=PROPOSED_VALUE_MAX_LENGTH,
        blank=True,
        help_text=_("La valeur correcte selon la personne qui signale, si elle l'a indiquée."),
    )
    reporter_email = models.EmailField(
        _("courriel de la personne"),
        blank=True,
        help_text=_("Pour l'informer de la décision ; effacé dès que la réponse est envoyée."),
    )
    consent_given = models.BooleanField(
        _("consentement donné"),
        default=False,
        help_text=_("La personne a accepté que son adresse serve à lui répondre."),
    )
    consent_version = models.CharField(
        _("version du texte de consentement"), max_length=16, blank=True
    )
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.NEW,
    )
    decision_reason = models.CharField(
        _("motif de la décision"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Obligatoire pour un rejet ; envoyé à la personne si elle a laissé son adresse."
        ),
    )
    applied_value = models.CharField(
        _("valeur appliquée"),
        max_length=PROPOSED_VALUE_MAX_LENGTH,
        blank=True,
        help_text=_("Ce qui a été écrit dans la fiche à l'acceptation."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    reporter_notified_at = models.DateTimeField(
        _("personne informée le"),
        null=True,
        blank=True,
        help_text=_("Date d'envoi de la décision à la personne (vide : pas d'adresse)."),
    )
    created_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("signalement d'erreur")
        verbose_name_plural = _("signalements d'erreur")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CorrectionStatus.values),
                name="structures_correction_status_valid",
                violation_error_message=_("Statut de signalement inconnu."),
            ),
            models.CheckConstraint(
                condition=Q(field__in=CorrectionField.values),
                name="structures_correction_field_valid",
                violation_error_message=_("Élément signalé inconnu."),
            ),
            models.CheckConstraint(
                condition=~Q(message=""),
                name="structures_correction_message_not_empty",
                violation_error_message=_("Décrivez ce qui est inexact."),
            ),
            models.CheckConstraint(
                condition=~Q(status=CorrectionStatus.REJECTED) | ~Q(decision_reason=""),
                name="structures_correction_rejected_has_reason",
                violation_error_message=_("Un rejet doit être motivé."),
            ),
            models.CheckConstraint(
                condition=Q(status=CorrectionStatus.NEW, decided_at__isnull=True)
                | (~Q(status=CorrectionStatus.NEW) & Q(decided_at__isnull=False)),
                name="structures_correction_decided_iff_dated",
                violation_error_message=_("Un signalement traité porte la date de la décision."),
            ),
            models.CheckConstraint(
                condition=Q(reporter_email="") | (Q(consent_given=True) & ~Q(consent_version="")),
                name="structures_correction_email_needs_consent",
                violation_error_message=_(
                    "Une adresse n'est conservée qu'avec le consentement de la personne."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="structures_correction_st_idx"),
            models.Index(fields=["structure", "status"], name="structures_correction_s_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.structure} — {self.get_field_display()} ({self.get_status_display()})"

"""Freshness reminders sent to the staff of a listing (``send_freshness_reminders``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FreshnessReminder(models.Model):
    """When a person was last reminded to confirm a listing: one row per person and listing,
    so that a second run of the command within ``FRESHNESS_REMINDER_INTERVAL_DAYS`` sends
    nothing again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="freshness_reminders",
        verbose_name=_("destinataire"),
    )
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.CASCADE,
        related_name="freshness_reminders",
        verbose_name=_("structure"),
    )
    sent_at = models.DateTimeField(_("dernier rappel le"))
    structure_version = models.PositiveIntegerField(
        _("version rappelée"),
        help_text=_("Version de la fiche au moment du rappel (celle que le lien confirme)."),
    )

    class Meta:
        verbose_name = _("rappel de mise à jour")
        verbose_name_plural = _("rappels de mise à jour")
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"], name="structures_unique_freshness_reminder"
            ),
        ]
        indexes = [models.Index(fields=["sent_at"], name="structures_reminder_sent_idx")]

    def __str__(self) -> str:
        return f"{self.structure} → {self.user} ({self.sent_at:%d/%m/%Y})"

"""Moderation: changes of a published listing's sensitive fields, waiting for a registry
administrator (``structures.moderation``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from structures.enums import PendingChangeStatus
from structures.models.structure import Structure


class PendingChange(models.Model):
    """What someone who is not a registry administrator proposed for a published listing's
    sensitive fields (name, kind, network head, coverage widened to a région or to France).

    The published listing stays as it is until a registry administrator approves the change;
    at most one change waits per structure (a new proposal is merged into it).
    """

    structure = models.ForeignKey(
        Structure,
        on_delete=models.CASCADE,
        related_name="pending_changes",
        verbose_name=_("structure"),
    )
    proposed = models.JSONField(
        _("valeurs proposées"),
        default=dict,
        blank=True,
        help_text=_("Par champ : la valeur proposée (identifiant pour la tête de réseau)."),
    )
    base_values = models.JSONField(
        _("valeurs publiées lors de la proposition"),
        default=dict,
        blank=True,
        help_text=_(
            "Par champ : la valeur publiée quand la modification a été proposée. Si elle a "
            "changé depuis, la proposition ne peut plus être validée telle quelle."
        ),
    )
    coverage_added = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territoires ajoutés à la couverture"),
        related_name="+",
        blank=True,
        help_text=_("Régions ou pays que la proposition ajoute à la couverture de la structure."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposée par"),
    )
    base_version = models.PositiveIntegerField(
        _("version de la fiche"),
        help_text=_("Version de la fiche au moment de la (dernière) proposition."),
    )
    status = models.CharField(
        _("statut"),
        max_length=16,
        choices=PendingChangeStatus.choices,
        default=PendingChangeStatus.PENDING,
        db_index=True,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    reason = models.TextField(
        _("motif"),
        blank=True,
        max_length=2000,
        help_text=_("Obligatoire pour un refus : il est montré à l'auteur de la proposition."),
    )
    created_at = models.DateTimeField(_("proposée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("modification à valider")
        verbose_name_plural = _("modifications à valider")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure"],
                condition=Q(status=PendingChangeStatus.PENDING),
                name="structures_pendingchange_one_pending_per_structure",
                violation_error_message=_(
                    "Une modification de cette structure attend déjà une validation."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=PendingChangeStatus.values),
                name="structures_pendingchange_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=PendingChangeStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=PendingChangeStatus.PENDING) & Q(decided_at__isnull=False)),
                name="structures_pendingchange_decided_when_not_pending",
                violation_error_message=_(
                    "Une modification décidée a une date de décision, une modification en "
                    "attente n'en a pas."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=PendingChangeStatus.REJECTED) | ~Q(reason=""),
                name="structures_pendingchange_rejection_has_reason",
                violation_error_message=_("Indiquez le motif du refus."),
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Modification de « %(structure)s » (%(status)s)")
            % {"structure": self.structure, "status": self.get_status_display()}
        )

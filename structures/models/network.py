"""A structure's network: dated member counts and recorded links to other structures."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from structures.enums import LinkKind, LinkStatus, MemberCountKind
from structures.models.structure import Structure


class StructureMemberCount(models.Model):
    """A dated head count of a structure's members (e.g. 620 SME members of Cap Digital in 2011)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="member_counts")
    kind = models.CharField(
        _("catégorie"),
        max_length=24,
        choices=MemberCountKind.choices,
        default=MemberCountKind.MEMBERS,
    )
    count = models.PositiveIntegerField(_("effectif"))
    as_of = models.DateField(_("à la date du"))
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("nombre de membres")
        verbose_name_plural = _("nombres de membres")
        ordering = ["structure", "kind", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "kind", "as_of"], name="structures_unique_member_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.get_kind_display()} ({self.as_of:%Y-%m-%d})"


class StructureLink(models.Model):
    """A recorded relation between two structures (network, inter-cluster alliance, partnership).

    Rule R10: only recorded, active partnerships count as competence for their countries.
    """

    from_structure = models.ForeignKey(
        Structure,
        on_delete=models.CASCADE,
        related_name="outgoing_links",
        verbose_name=_("structure"),
    )
    to_structure = models.ForeignKey(
        Structure,
        on_delete=models.CASCADE,
        related_name="incoming_links",
        verbose_name=_("structure partenaire"),
    )
    kind = models.CharField(_("nature du lien"), max_length=32, choices=LinkKind.choices)
    status = models.CharField(
        _("statut"), max_length=16, choices=LinkStatus.choices, default=LinkStatus.ACTIVE
    )
    countries = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("pays concernés"),
        blank=True,
        related_name="structure_links",
        limit_choices_to={"level": "country"},
    )
    since = models.DateField(_("depuis le"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("lien entre structures")
        verbose_name_plural = _("liens entre structures")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_structure=F("to_structure")),
                name="structures_link_not_to_self",
                violation_error_message=_("Une structure ne peut pas être liée à elle-même."),
            ),
            models.UniqueConstraint(
                fields=["from_structure", "to_structure", "kind"],
                name="structures_unique_link",
                violation_error_message=_("Ce lien existe déjà."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_structure} → {self.to_structure} ({self.get_kind_display()})"

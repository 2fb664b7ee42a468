"""Reference catalogues: the services relays offer, and sectors (NAF rév. 2 and filières).

Both are loaded by data migrations (see ``structures/catalogue.py``), so every installation
speaks the same codes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import version_field
from structures.enums import SectorKind


class Service(models.Model):
    """One kind of help an exporting SME may need (the "need" of the relay lookup)."""

    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("Identifiant stable, utilisé par l'API (ex. « prospecting-missions »)."),
    )
    name = models.CharField(_("nom"), max_length=200)
    name_en = models.CharField(_("nom en anglais"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description en anglais"), blank=True)
    is_hard_core = models.BooleanField(
        _("cœur dur de l'international"),
        default=False,
        help_text=_(
            "Transport, financement, assurance, aides publiques : les PME préfèrent un relais "
            "de leur propre région : un relais d'une autre région passe après."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("ordre d'affichage"), default=0, help_text=_("Les plus petits d'abord.")
    )
    version = version_field()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """A NAF rév. 2 section or division, or a filière used by clusters.

    Sections are letters ("C"), divisions two digits ("10") with their section as parent;
    filières are slugs ("agroalimentaire") optionally linked to the divisions they span.
    """

    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_(
            "Lettre de section NAF (« C »), division à deux chiffres (« 10 ») ou identifiant "
            "de filière (« agroalimentaire »)."
        ),
    )
    kind = models.CharField(_("nature"), max_length=16, choices=SectorKind.choices)
    name = models.CharField(_("nom"), max_length=255)
    name_en = models.CharField(_("nom en anglais"), max_length=255, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Section NAF d'une division."),
    )
    naf_divisions = models.ManyToManyField(
        "self",
        verbose_name=_("divisions NAF"),
        symmetrical=False,
        blank=True,
        related_name="filieres",
        limit_choices_to={"kind": SectorKind.NAF_DIVISION},
        help_text=_("Divisions NAF couvertes par une filière."),
    )
    version = version_field()

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["kind", "code"]
        indexes = [models.Index(fields=["kind", "code"], name="structures_sector_kind_idx")]

    def __str__(self) -> str:
        if self.kind == SectorKind.FILIERE:
            return self.name
        return f"{self.code} — {self.name}"

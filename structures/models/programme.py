"""Programmes (national, European, regional schemes) and their local entry points (rule R6).

"L'accessibilité, c'est le global dans le local": a scheme of Bpifrance, Business France, the
EU or a Région is only useful with the local desk that opens its door. A ``Programme`` is the
scheme; a ``ProgrammeEntryPoint`` says which structure (and which of its desks) to see for it in
a territory. The most specific door for a place is chosen by
``structures.programmes.entry_points_for``.

Both are reference data kept by registry administrators (``structures.admin.programme``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import version_field
from structures.enums import (
    NATIONWIDE_PROGRAMME_LEVELS,
    PROGRAMME_AREA_LEVEL,
    ProgrammeLevel,
)
from structures.querysets import ProgrammeEntryPointQuerySet, ProgrammeQuerySet
from territories.enums import PLACE_LEVELS, TerritoryLevel

# Where a door may be recorded: a place, an EPCI, a département, a région or France.
DOOR_LEVELS: tuple[str, ...] = (
    *PLACE_LEVELS,
    TerritoryLevel.EPCI.value,
    TerritoryLevel.DEPARTEMENT.value,
    TerritoryLevel.REGION.value,
    TerritoryLevel.COUNTRY.value,
)


class Programme(models.Model):
    """A scheme an exporting SME may use: its operator, level, services, eligibility, period."""

    name = models.CharField(
        _("nom"), max_length=200, help_text=_("Nom usuel du dispositif, ex. « V.I.E ».")
    )
    slug = models.SlugField(
        _("identifiant"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("Adresse de la page du dispositif ; déduit du nom si vide."),
    )
    operator = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("opérateur (structure du registre)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_programmes",
        help_text=_("L'organisme qui porte le dispositif, s'il figure au registre."),
    )
    operator_name = models.CharField(
        _("opérateur (texte)"),
        max_length=200,
        blank=True,
        help_text=_(
            "Nom de l'organisme qui porte le dispositif lorsqu'il ne figure pas au registre "
            "(ex. « Union européenne — FEDER »)."
        ),
    )
    level = models.CharField(
        _("niveau"),
        max_length=16,
        choices=ProgrammeLevel.choices,
        help_text=_(
            "Européen ou national : applicable dans toute la France ; régional ou départemental : "
            "dans le territoire d'application seulement."
        ),
    )
    area = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire d'application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "La région d'un dispositif régional, le département d'un dispositif départemental ; "
            "vide pour un dispositif national ou européen."
        ),
    )
    summary = models.TextField(
        _("présentation"), blank=True, help_text=_("Ce que le dispositif apporte, en deux phrases.")
    )
    services = models.ManyToManyField(
        "structures.Service",
        verbose_name=_("services"),
        related_name="programmes",
        blank=True,
        help_text=_(
            "Les besoins auxquels le dispositif répond : une recherche de relais pour l'un "
            "d'eux affiche la porte d'entrée locale du dispositif."
        ),
    )
    eligibility = models.TextField(
        _("conditions d'éligibilité"),
        blank=True,
        help_text=_("En toutes lettres, ex. « PME de plus d'un an, chiffre d'affaires export »."),
    )
    min_employees = models.PositiveIntegerField(
        _("effectif minimum"),
        null=True,
        blank=True,
        help_text=_("Nombre de salariés, ce nombre compris."),
    )
    max_employees = models.PositiveIntegerField(
        _("effectif maximum"),
        null=True,
        blank=True,
        help_text=_("Nombre de salariés, ce nombre compris."),
    )
    official_url = models.URLField(
        _("page officielle"),
        max_length=500,
        blank=True,
        help_text=_("La page de l'opérateur qui décrit le dispositif."),
    )
    starts_on = models.DateField(
        _("ouvert depuis le"), null=True, blank=True, help_text=_("Vide : sans date de début.")
    )
    ends_on = models.DateField(
        _("ouvert jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Dernier jour de validité, ce jour compris ; vide : sans date de fin."),
    )
    is_active = models.BooleanField(
        _("actif"),
        default=True,
        help_text=_("Décochez pour retirer le dispositif des pages et des réponses."),
    )
    is_demo = models.BooleanField(_("donnée de démonstration"), default=False)
    version = version_field()
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    history = HistoricalRecords()
    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispositif")
        verbose_name_plural = _("dispositifs")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="structures_programme_period",
                violation_error_message=_(
                    "La date de fin doit être postérieure ou égale à la date de début."
                ),
            ),
            models.CheckConstraint(
                condition=Q(min_employees__isnull=True)
                | Q(max_employees__isnull=True)
                | Q(min_employees__lte=F("max_employees")),
                name="structures_programme_employee_range",
                violation_error_message=_(
                    "L'effectif minimum doit être inférieur ou égal à l'effectif maximum."
                ),
            ),
            models.CheckConstraint(
                condition=Q(level__in=NATIONWIDE_PROGRAMME_LEVELS, area__isnull=True)
                | (Q(area__isnull=False) & ~Q(level__in=NATIONWIDE_PROGRAMME_LEVELS)),
                name="structures_programme_area_by_level",
                violation_error_message=_(
                    "Un dispositif régional ou départemental a un territoire d'application ; "
                    "un dispositif national ou européen n'en a pas."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(operator__isnull=True, operator_name=""),
                name="structures_programme_has_operator",
                violation_error_message=_(
                    "Indiquez l'opérateur : une structure du registre ou son nom."
                ),
            ),
        ]
        indexes = [models.Index(fields=["is_active", "level"], name="structures_programme_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("programme-detail", kwargs={"slug": self.slug})

    @property
    def operator_label(self) -> str:
        return str(self.operator) if self.operator_id else self.operator_name

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.name = " ".join(self.name.split())
        if self.level in NATIONWIDE_PROGRAMME_LEVELS and self.area_id:
            errors.setdefault("area", []).append(
                _("Un dispositif national ou européen s'applique à toute la France : laissez vide.")
            )
        wanted = PROGRAMME_AREA_LEVEL.get(self.level)
        if wanted and not self.area_id:
            errors.setdefault("area", []).append(
                _("Indiquez la région d'un dispositif régional, le département d'un départemental.")
            )
        elif wanted and self.area.level != wanted:
            errors.setdefault("area", []).append(
                _("Le territoire d'application doit être de niveau « %(level)s ».")
                % {"level": TerritoryLevel(wanted).label}
            )
        if errors:
            raise ValidationError(errors)

    def _unique_slug(self) -> str:
        base = (slugify(self.name) or "dispositif")[:190]
        slug, n = base, 2
        while Programme.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class ProgrammeEntryPoint(models.Model):
    """The local door of a programme in a territory: which structure, which desk to see."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("dispositif"),
        on_delete=models.CASCADE,
        related_name="entry_points",
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire"),
        on_delete=models.PROTECT,
        related_name="programme_entry_points",
        help_text=_(
            "Où cette porte est la bonne : une commune, une intercommunalité, un département, "
            "une région ou la France. Pour un lieu, la porte du territoire le plus fin l'emporte."
        ),
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="programme_entry_points",
        help_text=_("Elle doit couvrir ce territoire."),
    )
    contact = models.ForeignKey(
        "structures.Contact",
        verbose_name=_("guichet ou contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programme_entry_points",
        help_text=_("Le service ou la personne à voir pour ce dispositif (de la même structure)."),
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("Ex. « sur rendez-vous », « instruit le dossier pour la Région »."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    history = HistoricalRecords()
    objects = ProgrammeEntryPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("porte d'entrée locale")
        verbose_name_plural = _("portes d'entrée locales")
        ordering = ["programme", "territory__rank", "territory__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "territory", "structure"],
                name="structures_unique_programme_entry_point",
                violation_error_message=_(
                    "Cette structure est déjà la porte d'entrée de ce dispositif sur ce territoire."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["territory", "programme"], name="structures_entry_terr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.territory} : {self.structure}"

    def clean(self) -> None:
        from territories.models import TerritoryAncestor

        errors: dict[str, list] = {}
        territory = self.territory if self.territory_id else None
        if territory is not None and territory.level not in DOOR_LEVELS:
            errors.setdefault("territory", []).append(
                _("Choisissez une commune, une intercommunalité, un département, une région.")
            )
        elif territory is not None and territory.level == "country" and territory.code != "FR":
            errors.setdefault("territory", []).append(
                _("Une porte d'entrée est en France : choisissez un territoire français.")
            )
        if self.contact_id and self.structure_id and self.contact.structure_id != self.structure_id:
            errors.setdefault("contact", []).append(
                _("Le contact doit appartenir à la structure choisie.")
            )
        if territory is not None and not errors:
            # In the admin's inline, a new programme is not saved yet: its fields still count.
            try:
                programme = self.programme
            except Programme.DoesNotExist:
                programme = None
            if (
                programme is not None
                and programme.area_id
                and not TerritoryAncestor.objects.filter(
                    descendant=territory, ancestor_id=programme.area_id
                ).exists()
            ):
                errors.setdefault("territory", []).append(
                    _(
                        "Ce territoire n'est pas dans le territoire d'application du dispositif (%(area)s)."
                    )
                    % {"area": programme.area.name}
                )
            if (
                self.structure_id
                and not TerritoryAncestor.objects.filter(
                    descendant=territory, ancestor__covering_structures=self.structure_id
                ).exists()
            ):
                errors.setdefault("structure", []).append(
                    _(
                        "%(structure)s ne couvre pas %(territory)s : choisissez une structure "
                        "dont la couverture contient ce territoire, ou élargissez sa couverture."
                    )
                    % {"structure": self.structure, "territory": territory.name}
                )
        if errors:
            raise ValidationError(errors)

"""What territorial coordinators record: events (the territory's dynamics) and strategic
priorities (its directionality), the qualitative half of the "4 D" of Torrès 2002
(docs/insights.md).

Both are versioned (no lost update, ``insights.services``) and keep a history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import version_field
from insights.enums import INSIGHT_LEVELS, EventKind, PriorityKind
from territories.enums import TerritoryLevel

TERRITORY_HELP = _("Région, département ou EPCI concerné (dans votre périmètre).")


def _check_territory(territory, errors: dict) -> None:
    if territory is not None and territory.level not in INSIGHT_LEVELS:
        errors["territory"] = _("Choisissez une région, un département ou un EPCI.")


def _check_country(country, field: str, errors: dict) -> None:
    if country is not None and country.level != TerritoryLevel.COUNTRY:
        errors[field] = _("Choisissez un pays.")


class _Recorded(models.Model):
    """Who wrote a coordinator's record and when, and its version (no lost update)."""

    version = version_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
        editable=False,
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class TerritorialEvent(_Recorded):
    """Something a coordinator records in a territory's life: a collective action, a trade
    mission, the creation of an export group…"""

    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="territorial_events",
        verbose_name=_("territoire"),
        limit_choices_to={"level__in": INSIGHT_LEVELS},
        help_text=TERRITORY_HELP,
    )
    kind = models.CharField(_("nature"), max_length=32, choices=EventKind.choices)
    title = models.CharField(_("intitulé"), max_length=255)
    start_date = models.DateField(_("date"), help_text=_("Date de l'événement (ou de son début)."))
    end_date = models.DateField(
        _("date de fin"), null=True, blank=True, help_text=_("Vide : un seul jour.")
    )
    description = models.TextField(_("description"), blank=True)
    country = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pays cible"),
        limit_choices_to={"level": TerritoryLevel.COUNTRY},
        help_text=_("Pays visé (mission, salon…), s'il y en a un."),
    )
    sector = models.ForeignKey(
        "structures.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("secteur ou filière"),
        help_text=_("Section ou division NAF rév. 2, ou filière, s'il y en a une."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("événement territorial")
        verbose_name_plural = _("événements territoriaux")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="insights_event_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["territory", "start_date"], name="insights_event_terr_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date:%d/%m/%Y})"

    def clean(self) -> None:
        errors: dict = {}
        if self.territory_id is not None:
            _check_territory(self.territory, errors)
        if self.country_id is not None:
            _check_country(self.country, "country", errors)
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("La date de fin précède la date de début.")
        if errors:
            raise ValidationError(errors)


class TerritorialPriority(_Recorded):
    """A strategic priority of a territory: a target market or a filière."""

    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        related_name="territorial_priorities",
        verbose_name=_("territoire"),
        limit_choices_to={"level__in": INSIGHT_LEVELS},
        help_text=TERRITORY_HELP,
    )
    kind = models.CharField(_("nature"), max_length=16, choices=PriorityKind.choices)
    country = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pays"),
        limit_choices_to={"level": TerritoryLevel.COUNTRY},
        help_text=_("Pour un marché cible : le pays (et rien d'autre)."),
    )
    sector = models.ForeignKey(
        "structures.Sector",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filière ou secteur"),
        help_text=_(
            "Pour une filière : la filière, ou la section ou division NAF rév. 2 (et rien d'autre)."
        ),
    )
    label = models.CharField(
        _("libellé"),
        max_length=255,
        blank=True,
        help_text=_(
            "Comment le territoire nomme cette priorité (vide : le nom du pays ou de la filière)."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("année de début"), null=True, blank=True, help_text=_("Période de la stratégie.")
    )
    end_year = models.PositiveSmallIntegerField(_("année de fin"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("priorité territoriale")
        verbose_name_plural = _("priorités territoriales")
        ordering = ["territory", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=PriorityKind.MARKET, country__isnull=False, sector__isnull=True)
                    | Q(kind=PriorityKind.SECTOR, country__isnull=True, sector__isnull=False)
                ),
                name="insights_priority_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="insights_priority_period_order",
            ),
            models.UniqueConstraint(
                fields=["territory", "kind", "country"],
                condition=Q(country__isnull=False),
                name="insights_priority_unique_market",
            ),
            models.UniqueConstraint(
                fields=["territory", "kind", "sector"],
                condition=Q(sector__isnull=False),
                name="insights_priority_unique_sector",
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def target(self):
        return self.country if self.kind == PriorityKind.MARKET else self.sector

    @property
    def display_label(self) -> str:
        if self.label:
            return self.label
        target = self.target
        return target.name if target is not None else str(self.get_kind_display())

    def clean(self) -> None:
        errors: dict = {}
        if self.territory_id is not None:
            _check_territory(self.territory, errors)
        if self.kind == PriorityKind.MARKET:
            if self.country_id is None:
                errors["country"] = _("Un marché cible nomme un pays.")
            else:
                _check_country(self.country, "country", errors)
            if self.sector_id is not None:
                errors["sector"] = _("Un marché cible ne nomme pas de filière.")
        elif self.kind == PriorityKind.SECTOR:
            if self.sector_id is None:
                errors["sector"] = _("Une filière prioritaire nomme une filière ou un secteur.")
            if self.country_id is not None:
                errors["country"] = _("Une filière prioritaire ne nomme pas de pays.")
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("L'année de fin précède l'année de début.")
        if errors:
            raise ValidationError(errors)

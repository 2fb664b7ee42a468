"""What firms asked for and did not find: unmet relay lookups, counted (docs/relay.md §8).

A lookup that found no competent relay is one unit of unmet demand. The registry keeps only a
counter per (commune, service, target country, month): no address, no SIRET, no user, no time
finer than the month — nothing that identifies who searched. Rows older than
``UNMET_SEARCH_RETENTION_MONTHS`` are deleted by ``purge_unmet_searches``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnmetSearch(models.Model):
    """How many lookups from a commune, for a service (and a target country), in a month, found
    no competent relay (``RelayResponse.results`` empty, whatever the fallbacks)."""

    # The commune the lookup's location resolved to (a commune or a municipal arrondissement):
    # every resolved location has one, a point included (the nearest commune centre), so it is
    # never null. The closure (TerritoryAncestor) then counts it in its EPCI, département,
    # région.
    commune = models.ForeignKey(
        "territories.Territory",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("commune"),
    )
    service = models.ForeignKey(
        "structures.Service",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("service"),
    )
    country = models.ForeignKey(
        "territories.Territory",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pays cible"),
        help_text=_("Vide : recherche sans pays cible."),
    )
    month = models.DateField(_("mois"), help_text=_("Premier jour du mois de la recherche."))
    count = models.PositiveIntegerField(_("recherches"), default=0)

    class Meta:
        verbose_name = _("recherche sans relais")
        verbose_name_plural = _("recherches sans relais")
        ordering = ["-month", "pk"]
        constraints = [
            # NULL is distinct from NULL in a unique index on both backends: the searches without
            # a target country get a partial index of their own, so that they too have one row.
            models.UniqueConstraint(
                fields=["commune", "service", "country", "month"],
                condition=Q(country__isnull=False),
                name="structures_unmet_search_unique_country",
            ),
            models.UniqueConstraint(
                fields=["commune", "service", "month"],
                condition=Q(country__isnull=True),
                name="structures_unmet_search_unique_no_country",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="structures_unmet_search_first_of_month"
            ),
        ]
        indexes = [
            models.Index(fields=["month"], name="structures_unmet_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.commune_id} · {self.service_id} · {self.count}"

"""A denormalised, flat index of offers for the relay lookup.

One row per (active offer of a published structure, territory of its effective coverage), with
everything the lookup filters on in scalar columns: the service, the coverage territory and its
rank, the relay's point, its région, eligibility bounds, and the offer's sectors and markets as
``|code|code|`` strings. The lookup then reads one table through plain B-tree indexes on
(service, territory, latitude, longitude), identical on SQLite and PostgreSQL. The index is
derived data: ``refresh_relay_index`` rebuilds it (signals keep it current on every write; bulk
loaders call it at the end).
"""

from __future__ import annotations

from django.db import models


class RelayIndexEntry(models.Model):
    offer = models.ForeignKey("structures.Offer", on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey("structures.Service", on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="+"
    )
    coverage_rank = models.PositiveSmallIntegerField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    point_is_approximate = models.BooleanField(default=False)
    region = models.ForeignKey(
        "territories.Territory", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_remote = models.BooleanField(default=False)
    min_employees = models.PositiveIntegerField(null=True)
    max_employees = models.PositiveIntegerField(null=True)
    min_age_years = models.PositiveSmallIntegerField(null=True)
    members_only = models.BooleanField(default=False)
    application_required = models.BooleanField(default=False)
    sector_codes = models.TextField(default="", blank=True)
    market_codes = models.TextField(default="", blank=True)
    planned_codes = models.TextField(default="", blank=True)
    naf_include = models.TextField(default="", blank=True)
    naf_exclude = models.TextField(default="", blank=True)
    sort_key = models.CharField(max_length=200)

    class Meta:
        app_label = "structures"
        verbose_name = "entrée de l'index des relais"
        verbose_name_plural = "index des relais"
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "territory"], name="structures_relay_index_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["service", "territory", "latitude", "longitude"],
                name="structures_relay_cov_idx",
            ),
            models.Index(
                fields=["service", "latitude", "longitude"], name="structures_relay_point_idx"
            ),
            models.Index(fields=["service", "is_remote"], name="structures_relay_remote_idx"),
        ]

    def __str__(self) -> str:
        return f"offer {self.offer_id} @ territory {self.territory_id}"

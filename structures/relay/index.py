"""A denormalised, flat index of offers for the relay lookup.

One row per (active offer of a published structure, territory of its effective coverage), with
everything the lookup filters on in scalar columns: the service, the coverage territory and its
rank, the relay's point, its région, eligibility bounds, and the offer's sectors and markets as
``|code|code|`` strings. The lookup then reads one table through plain B-tree indexes on
(service, territory, latitude, longitude), identical on SQLite and PostgreSQL. The index is
derived data: ``refresh_relay_index`` rebuilds it (signals keep it current on every write; bulk
loaders call it at the end).

``details`` repeats, in one text column, what the search needs of a row only once it judges it
(``DETAIL_FIELDS``): a search reads every row of its box but judges only the nearest few, and
the database driver's cost is per column returned (reading the twenty columns took 1.7 times
as long as reading four, ``bench_relay`` on SQLite).
"""

from __future__ import annotations

from django.db import models

# ``details``: these values in this order, separated by SEPARATOR (a control character, never
# in a slug or a code), the condition ones left out altogether when the offer has none.
SEPARATOR = "\x1f"
PLACE_FIELDS = ("structure_id", "territory_id", "point_is_approximate", "region_id", "sort_key")
CONDITION_FIELDS = (
    "min_employees",
    "max_employees",
    "min_age_years",
    "members_only",
    "application_required",
    "sector_codes",
    "market_codes",
    "planned_codes",
    "naf_include",
    "naf_exclude",
)
DETAIL_FIELDS = (*PLACE_FIELDS, *CONDITION_FIELDS)
_INTEGERS = frozenset({"structure_id", "territory_id", "region_id", *CONDITION_FIELDS[:3]})
_BOOLEANS = frozenset({"point_is_approximate", "members_only", "application_required"})
# The condition values of an offer open to every firm: no size, age, sector, market or NAF rule.
NO_CONDITIONS = {
    name: False if name in _BOOLEANS else None for name in CONDITION_FIELDS[:5]
} | dict.fromkeys(CONDITION_FIELDS[5:], "")


def _text(name: str, value) -> str:
    if value is None:
        return ""
    if name in _BOOLEANS:
        return "1" if value else ""
    return str(value)


def pack_details(values: dict) -> str:
    """The ``details`` column of an index row from its values (``DETAIL_FIELDS``)."""
    place = [_text(name, values[name]) for name in PLACE_FIELDS]
    if all(values[name] == NO_CONDITIONS[name] for name in CONDITION_FIELDS):
        return SEPARATOR.join(place)
    return SEPARATOR.join([*place, *(_text(name, values[name]) for name in CONDITION_FIELDS)])


def _value(name: str, text: str):
    if name in _BOOLEANS:
        return text == "1"
    if name in _INTEGERS:
        return int(text) if text else None
    return text


def unpack_details(details: str) -> tuple[dict, bool]:
    """The values ``pack_details`` packed, by name (``DETAIL_FIELDS``, each of its type), and
    whether the offer has conditions (else they are ``NO_CONDITIONS``)."""
    texts = details.split(SEPARATOR)
    values = {
        name: _value(name, text)
        for name, text in zip(PLACE_FIELDS, texts[: len(PLACE_FIELDS)], strict=True)
    }
    if len(texts) == len(PLACE_FIELDS):
        values.update(NO_CONDITIONS)
        return values, False
    values.update(
        (name, _value(name, text))
        for name, text in zip(CONDITION_FIELDS, texts[len(PLACE_FIELDS) :], strict=True)
    )
    return values, True


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
    details = models.TextField(default="", blank=True)

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

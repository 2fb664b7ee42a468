from __future__ import annotations

import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.text import normalize_name, place_name_keys
from territories.enums import (
    LEVEL_RANK,
    PLACE_LEVELS,
    AliasReason,
    CoordinatePrecision,
    TerritoryLevel,
    Tncc,
    Zone,
)


class TerritoryQuerySet(models.QuerySet):
    def current(self) -> TerritoryQuerySet:
        return self.filter(is_current=True)

    def communes(self) -> TerritoryQuerySet:
        """Communes and municipal arrondissements: the places an SME or a structure sits in."""
        return self.filter(level__in=PLACE_LEVELS)

    def of_level(self, level: str) -> TerritoryQuerySet:
        return self.filter(level=level)

    def ancestors_of(self, territory: Territory, *, include_self: bool = True) -> TerritoryQuerySet:
        """Every territory containing ``territory`` (one indexed query on the closure)."""
        qs = self.filter(descendant_links__descendant=territory)
        if not include_self:
            qs = qs.exclude(pk=territory.pk)
        return qs

    def containing(self, territory: Territory) -> TerritoryQuerySet:
        return self.ancestors_of(territory, include_self=True)

    def descendants_of(
        self, territory: Territory, *, include_self: bool = True
    ) -> TerritoryQuerySet:
        qs = self.filter(ancestor_links__ancestor=territory)
        if not include_self:
            qs = qs.exclude(pk=territory.pk)
        return qs

    def search(self, query: str) -> TerritoryQuerySet:
        """Accent- and case-insensitive name search, for autocomplete.

        A name starting with the query ranks first, then a name with a word starting with it
        ("tholonet" finds "Le Tholonet"); abbreviations are spelt out ("St", "Ste": see
        ``core.text.place_name_keys``); digits also match codes and postal codes. Portable: the
        normalised name is stored, so no ``unaccent`` is needed on either database. Spelling
        mistakes are forgiven by ``territories.selectors.search_territories``, not here.
        """
        keys = place_name_keys(query)
        if not keys:
            return self.none()
        condition = Q()
        for key in keys:
            condition |= Q(search_name__startswith=key) | Q(search_name__contains=f" {key}")
        if not is_code_query(keys[-1]):
            return self.filter(condition)
        code = query.strip().upper()
        condition |= Q(code__startswith=code) | Q(postal_codes__code__startswith=code)
        # A commune has several postal codes: the join repeats it.
        return self.filter(condition).distinct()


_CODE_QUERY = re.compile(r"^(\d+|2[ab]\d{0,3})$")


def is_code_query(key: str) -> bool:
    """Whether a normalised query may be (the start of) an INSEE, SIREN or postal code: digits,
    spaced or not ("34 000"), or a Corsican code ("2A004"); "Paris 13" is a name."""
    return bool(_CODE_QUERY.match(key.replace(" ", "")))


class Territory(models.Model):
    """One administrative territory: arrondissement, commune, EPCI, département, région, country.

    Official codes are the keys users see: INSEE COG codes for communes, départements and régions,
    the SIREN of EPCIs, ISO 3166 alpha-2 for countries. A code is unique within its level only
    ("01" is both a département and a région).
    """

    level = models.CharField(_("niveau"), max_length=16, choices=TerritoryLevel.choices)
    code = models.CharField(
        _("code officiel"),
        max_length=12,
        help_text=_("Code INSEE (COG), SIREN pour un EPCI, ISO 3166-1 alpha-2 pour un pays."),
    )
    name = models.CharField(_("nom"), max_length=200)
    name_en = models.CharField(_("nom en anglais"), max_length=200, blank=True)
    search_name = models.CharField(
        _("nom normalisé"), max_length=200, db_index=True, editable=False
    )
    rank = models.PositiveSmallIntegerField(
        _("rang du niveau"), help_text=_("0 = le plus fin (arrondissement), 5 = pays.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent administratif"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_(
            "Département d'une commune, région d'un département, commune d'un arrondissement."
        ),
    )
    zone = models.CharField(_("zone"), max_length=8, choices=Zone.choices, default=Zone.METRO)
    tncc = models.PositiveSmallIntegerField(
        _("type de nom en clair (TNCC)"),
        choices=Tncc.choices,
        null=True,
        blank=True,
        help_text=_(
            "Article et charnière du nom selon le Code officiel géographique (communes, "
            "arrondissements municipaux, départements, régions) ; vide pour les autres niveaux."
        ),
    )
    kind = models.CharField(
        _("nature"),
        max_length=16,
        blank=True,
        help_text=_("Nature de l'EPCI (CC, CA, CU, METRO) ; vide pour les autres niveaux."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    coordinate_precision = models.CharField(
        _("précision des coordonnées"),
        max_length=16,
        choices=CoordinatePrecision.choices,
        default=CoordinatePrecision.NONE,
    )
    iso_alpha3 = models.CharField(_("code ISO alpha-3"), max_length=3, blank=True)
    is_current = models.BooleanField(
        _("en vigueur"),
        default=True,
        help_text=_("Faux pour un territoire disparu du Code officiel géographique."),
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["rank", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="territories_unique_level_code"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="territories_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="territories_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(tncc__isnull=True) | models.Q(tncc__lte=8),
                name="territories_tncc_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="territories_coordinates_both_or_none",
            ),
        ]
        indexes = [
            models.Index(fields=["code"], name="territories_code_idx"),
            # Nearest-commune search from a point: a latitude range, longitude filtered in-index.
            models.Index(fields=["latitude", "longitude"], name="territories_point_idx"),
        ]

    def __str__(self) -> str:
        if self.level in PLACE_LEVELS:
            return f"{self.name} ({self.code})"
        return f"{self.name} ({self.get_level_display()} {self.code})"

    def save(self, *args, **kwargs) -> None:
        self.search_name = normalize_name(self.name)
        self.rank = LEVEL_RANK[self.level]
        super().save(*args, **kwargs)

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_place(self) -> bool:
        """True for a commune or a municipal arrondissement (where an SME can be located)."""
        return self.level in PLACE_LEVELS


class TerritoryAncestor(models.Model):
    """Closure of the containment relation, self included.

    "Does coverage X include commune Y" is then one indexed lookup:
    ``TerritoryAncestor.objects.filter(descendant=Y, ancestor__in=X)``. The ancestor's rank is
    stored so that "the finest matching coverage level" needs no join.
    """

    descendant = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="ancestor_links"
    )
    ancestor = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="descendant_links"
    )
    ancestor_rank = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("lien d'appartenance")
        verbose_name_plural = _("liens d'appartenance")
        constraints = [
            models.UniqueConstraint(
                fields=["descendant", "ancestor"], name="territories_unique_closure_pair"
            ),
        ]
        indexes = [
            models.Index(fields=["ancestor", "descendant"], name="territories_closure_anc_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.descendant_id} ⊂ {self.ancestor_id}"


class PostalCode(models.Model):
    """La Poste postal code → commune (or municipal arrondissement); many-to-many in reality."""

    code = models.CharField(_("code postal"), max_length=5, db_index=True)
    commune = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="postal_codes", verbose_name=_("commune")
    )

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "commune"], name="territories_unique_postal_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.commune_id}"


class CommuneAlias(models.Model):
    """An old or delegated commune code that now resolves to a current commune."""

    code = models.CharField(_("ancien code"), max_length=5, unique=True)
    name = models.CharField(_("ancien nom"), max_length=200, blank=True)
    commune = models.ForeignKey(
        Territory,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("commune actuelle"),
    )
    reason = models.CharField(_("motif"), max_length=16, choices=AliasReason.choices)

    class Meta:
        verbose_name = _("ancien code de commune")
        verbose_name_plural = _("anciens codes de communes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} → {self.commune_id}"


class ReferenceVersion(models.Model):
    """A token that changes whenever the territory reference changes (one row at most).

    Per-process caches derived from the reference (the place-name index of the search) remember
    the token they were built from: one primary-key read tells each worker process when to
    rebuild. The loader, and every save or deletion of a territory, draw a new random token; a
    rolled-back change restores the old one, which no cache built since can carry.
    """

    SINGLETON_PK = 1

    token = models.CharField(_("jeton de version"), max_length=32)
    changed_at = models.DateTimeField(_("modifié le"))

    class Meta:
        verbose_name = _("version du référentiel territorial")
        verbose_name_plural = _("versions du référentiel territorial")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="territories_reference_version_singleton"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M})"

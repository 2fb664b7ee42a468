"""Reads on the territory reference."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from core.exceptions import InputError, MalformedInput, UnknownObject
from core.text import place_name_keys
from territories.enums import NAME_MATCH_QUALITY, PLACE_LEVELS, NameMatch, TerritoryLevel
from territories.models import CommuneAlias, PostalCode, Territory, is_code_query
from territories.place_index import PlaceMatch, place_index

CODE_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    TerritoryLevel.ARRONDISSEMENT: (
        re.compile(r"^(751(0[1-9]|1\d|20)|6938[1-9]|132(0[1-9]|1[0-6]))$"),
        _("un code INSEE d'arrondissement municipal (75101 à 75120, 69381 à 69389, 13201 à 13216)"),
    ),
    TerritoryLevel.COMMUNE: (
        re.compile(r"^(\d{5}|2[AB]\d{3})$"),
        _("un code INSEE de commune à 5 caractères (ex. 34172, 2A004)"),
    ),
    TerritoryLevel.EPCI: (re.compile(r"^\d{9}$"), _("un numéro SIREN d'EPCI à 9 chiffres")),
    TerritoryLevel.DEPARTEMENT: (
        re.compile(r"^(\d{2}|2[AB]|9[78]\d)$"),
        _("un code de département (ex. 34, 2A, 971)"),
    ),
    TerritoryLevel.REGION: (
        re.compile(r"^(\d{2}|9[78]\d)$"),
        _("un code de région à 2 chiffres (ex. 76), ou 3 pour une collectivité d'outre-mer"),
    ),
    TerritoryLevel.COUNTRY: (
        re.compile(r"^[A-Z]{2}$"),
        _("un code pays ISO 3166-1 alpha-2 (ex. FR, MA)"),
    ),
}
POSTAL_CODE_PATTERN = re.compile(r"^\d{5}$")


class TerritoryLookupError(InputError):
    """Base of the lookup errors; ``message`` is French text fit to show a user."""


class MalformedCode(TerritoryLookupError, MalformedInput):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="malformed")


class UnknownTerritory(TerritoryLookupError, UnknownObject):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="unknown")


def normalize_code(*, level: str, code: str) -> str:
    """Validate the shape of an official code for a level and return its canonical form.

    Raises ``MalformedCode`` with a message saying what is expected.
    """
    if level not in TerritoryLevel.values:
        levels = ", ".join(TerritoryLevel.values)
        raise MalformedCode(
            str(_("Niveau inconnu « %(level)s » : attendu l'un de %(levels)s."))
            % {"level": level, "levels": levels}
        )
    cleaned = code.strip().upper()
    pattern, expected = CODE_PATTERNS[level]
    if not pattern.match(cleaned):
        raise MalformedCode(
            str(_("Code « %(code)s » mal formé : attendu %(expected)s."))
            % {"code": code, "expected": expected}
        )
    return cleaned


def get_territory(*, level: str, code: str) -> Territory:
    """The territory of that level and official code; ``MalformedCode`` / ``UnknownTerritory``."""
    cleaned = normalize_code(level=level, code=code)
    try:
        return Territory.objects.select_related("parent").get(level=level, code=cleaned)
    except Territory.DoesNotExist:
        raise UnknownTerritory(
            str(_("Aucun territoire de niveau « %(level)s » n'a le code %(code)s."))
            % {"level": TerritoryLevel(level).label, "code": cleaned}
        ) from None


@dataclass(frozen=True)
class CommuneResolution:
    """A commune found from a code, and the old code it was reached through, if any."""

    commune: Territory
    alias: CommuneAlias | None = None

    @property
    def message(self) -> str:
        if self.alias is None:
            return ""
        return str(
            _("Le code %(old)s (%(name)s) correspond désormais à %(commune)s (%(code)s).")
        ) % {
            "old": self.alias.code,
            "name": self.alias.name or _("ancienne commune"),
            "commune": self.commune.name,
            "code": self.commune.code,
        }


def resolve_commune(*, code: str) -> CommuneResolution:
    """Resolve an INSEE code (current, old or of a municipal arrondissement) to a current place.

    A code that vanished from the COG resolves through ``CommuneAlias`` to the commune it was
    merged into, and says so.
    """
    cleaned = normalize_code(level=TerritoryLevel.COMMUNE, code=code)
    place = (
        Territory.objects.communes()
        .current()
        .select_related("parent")
        .filter(code=cleaned)
        .order_by("rank")
        .first()
    )
    if place is not None:
        return CommuneResolution(commune=place)
    alias = (
        CommuneAlias.objects.select_related("commune", "commune__parent")
        .filter(code=cleaned)
        .first()
    )
    if alias is not None and alias.commune.is_current:
        return CommuneResolution(commune=alias.commune, alias=alias)
    raise UnknownTerritory(str(_("Aucune commune n'a le code INSEE %(code)s.")) % {"code": cleaned})


def communes_for_postal_code(*, code: str) -> list[Territory]:
    """Current communes served by a postal code, finest first.

    Where both a city and one of its municipal arrondissements carry the code (75008 is
    Paris and Paris 8e), only the arrondissement is kept: it is the more precise place.
    Raises ``MalformedCode`` or ``UnknownTerritory`` (no commune has that postal code).
    """
    cleaned = code.strip()
    if not POSTAL_CODE_PATTERN.match(cleaned):
        raise MalformedCode(
            str(_("Code postal « %(code)s » mal formé : attendu 5 chiffres (ex. 34000)."))
            % {"code": code}
        )
    places = list(
        Territory.objects.current()
        .filter(postal_codes__code=cleaned)
        .select_related("parent")
        .order_by("name", "code")
    )
    if not places:
        raise UnknownTerritory(
            str(_("Aucune commune n'a le code postal %(code)s.")) % {"code": cleaned}
        )
    cities_with_districts = {
        p.parent_id for p in places if p.level == TerritoryLevel.ARRONDISSEMENT
    }
    return [p for p in places if p.pk not in cities_with_districts]


def postal_codes_of(*, territory: Territory) -> list[str]:
    return list(
        PostalCode.objects.filter(commune=territory).order_by("code").values_list("code", flat=True)
    )


# Name searches matching more territories exactly or by prefix than this are answered by the
# database (paginated, never corrected); narrower ones from the in-memory index, corrections
# included (territories.place_index).
MEMORY_SEARCH_LIMIT = 100


def search_territories(
    *,
    query: str,
    levels: list[str] | tuple[str, ...] | None = None,
    current_only: bool = True,
    queryset: QuerySet[Territory] | None = None,
    tolerant: bool = True,
) -> QuerySet[Territory]:
    """Name search for autocomplete and forms: accent-, case- and punctuation-insensitive,
    abbreviations spelt out ("St", "Ste"), spelling mistakes forgiven, best matches first.

    Order: exact name, then names starting with the query, then names with a word starting
    with it; within each, places first, then larger populations (Saint-Étienne before
    Saint-Étienne-de-Vicq). When these find no exact name and fewer than three territories,
    current places spelt nearly like the query follow, fewest typos first (see
    ``territories.place_index``). Each territory carries ``match_quality``
    (``NAME_MATCH_QUALITY``: 0 exact … 3 approximate). Digits also match INSEE and postal
    codes, without correction. The same on SQLite and PostgreSQL: the corrections are computed
    in Python and their order is carried into SQL.

    ``tolerant=False`` runs the exact search alone, in SQL, as it was before corrections
    existed: the baseline of ``manage.py bench_places``.
    """
    keys = place_name_keys(query)
    base = queryset if queryset is not None else Territory.objects.all()
    if not keys:
        return base.none()
    wanted_levels = tuple(levels) if levels else None
    if wanted_levels:
        base = base.filter(level__in=wanted_levels)
    if current_only:
        base = base.current()
    if tolerant and not is_code_query(keys[-1]):
        matches = place_index().search(
            keys, levels=wanted_levels, current_only=current_only, limit=MEMORY_SEARCH_LIMIT
        )
        if matches is not None:
            return _in_match_order(base, matches)
    return _database_search(base, keys, query)


def _in_match_order(base: QuerySet[Territory], matches: list[PlaceMatch]) -> QuerySet[Territory]:
    """The matches found in memory, as a queryset in the search's order.

    Exact, prefix and word matches are ordered in SQL as ``_database_search`` orders them;
    approximate ones come last, in the index's order (fewest typos, largest population), which
    a ``CASE`` on at most ``FUZZY_LIMIT`` keys carries into SQL.
    """
    if not matches:
        return base.none()
    by_quality: dict[int, list[int]] = defaultdict(list)
    for match in matches:
        by_quality[match.quality].append(match.pk)
    qs = base.filter(pk__in=[m.pk for m in matches]).annotate(
        match_quality=Case(
            *[When(pk__in=pks, then=Value(q)) for q, pks in sorted(by_quality.items())],
            output_field=IntegerField(),
        )
    )
    approximate = [m.pk for m in matches if m.match == NameMatch.APPROXIMATE]
    if not approximate:
        return _ordered(qs)
    position = Case(
        *[When(pk=pk, then=Value(rank)) for rank, pk in enumerate(approximate)],
        default=Value(0),
        output_field=IntegerField(),
    )
    return _ordered(qs.annotate(match_position=position), by_position=True)


def _ordered(qs: QuerySet[Territory], *, by_position: bool = False) -> QuerySet[Territory]:
    # A constant annotation must not be ordered on: PostgreSQL reads "ORDER BY 0" as a column
    # position once ``values_list`` drops it from the select list.
    return qs.annotate(
        place_first=Case(
            When(level__in=PLACE_LEVELS, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by(
        "match_quality",
        *(["match_position"] if by_position else []),
        "place_first",
        F("population").desc(nulls_last=True),
        "rank",
        "name",
        "code",
    )


def _database_search(
    base: QuerySet[Territory], keys: tuple[str, ...], query: str
) -> QuerySet[Territory]:
    """The exact search in SQL: broad queries (paginated) and codes."""
    return _ordered(
        base.search(query).annotate(
            match_quality=Case(
                When(search_name__in=keys, then=Value(NAME_MATCH_QUALITY[NameMatch.EXACT])),
                *[
                    When(
                        search_name__startswith=key,
                        then=Value(NAME_MATCH_QUALITY[NameMatch.PREFIX]),
                    )
                    for key in keys
                ],
                default=Value(NAME_MATCH_QUALITY[NameMatch.WORD]),
                output_field=IntegerField(),
            ),
        )
    )


def regions_and_departements() -> list[Territory]:
    """Current régions, then départements, by code (the directory's "where" choices)."""
    return list(
        Territory.objects.current()
        .filter(level__in=[TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT])
        .order_by("-rank", "code")
    )


def reference_summary() -> dict[str, int]:
    """How many current territories of each level are loaded (for the home page)."""
    rows = Territory.objects.current().values("level").annotate(total=Count("id"))
    return {row["level"]: row["total"] for row in rows}


class OutsideFrance(TerritoryLookupError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="outside_france")


# A point farther than this from every commune centre is not in France (the largest communes,
# in Guyane, span about 80 km from their centre).
MAX_KM_TO_NEAREST_COMMUNE = 60.0


def nearest_place(*, latitude: float, longitude: float) -> tuple[Territory, float]:
    """The current commune (or municipal arrondissement) whose centre is nearest to a point.

    Returns the place and the distance in km to its centre. Approximate near commune borders
    (centres, not boundaries, are known). Raises ``OutsideFrance`` for invalid coordinates or a
    point far from every French commune.
    """
    from core.geo import BoundingBox, haversine_km

    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise OutsideFrance(
            str(_("Coordonnées invalides : latitude entre -90 et 90, longitude entre -180 et 180."))
        )
    cities_with_districts = Territory.objects.filter(level=TerritoryLevel.ARRONDISSEMENT).values(
        "parent_id"
    )
    radius = 5.0
    while True:
        box = BoundingBox.around(latitude, longitude, radius)
        rows = list(
            Territory.objects.communes()
            .current()
            .filter(box.q())
            # Paris, Lyon and Marseille are found through their arrondissements.
            .exclude(pk__in=cities_with_districts)
            .values_list("pk", "latitude", "longitude", "rank", "code")
        )
        if rows:
            best = min(
                rows,
                key=lambda r: (haversine_km(latitude, longitude, r[1], r[2]), r[3], r[4]),
            )
            distance = haversine_km(latitude, longitude, best[1], best[2])
            if distance <= radius:
                return Territory.objects.select_related("parent").get(pk=best[0]), distance
        if radius >= MAX_KM_TO_NEAREST_COMMUNE:
            raise OutsideFrance(
                str(
                    _(
                        "Ces coordonnées (%(lat).4f, %(lon).4f) ne sont pas en France : aucune commune à moins de %(km)d km."
                    )
                )
                % {"lat": latitude, "lon": longitude, "km": MAX_KM_TO_NEAREST_COMMUNE}
            )
        radius = min(radius * 3, MAX_KM_TO_NEAREST_COMMUNE)

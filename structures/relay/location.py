"""Step 1 of the lookup: from a commune code, a postal code or a point to a commune and a point
(docs/relay.md §1). A registered firm's SIRET is turned into a location by the SME app
(``smes.relay``), which calls ``locate`` here."""

from __future__ import annotations

from functools import lru_cache
from operator import itemgetter

from django.db import connection
from django.utils.translation import gettext as _

from core.db_router import primary_reads, read_connection
from core.prepared import prepared_cursor
from core.reference_cache import ReferenceCache
from structures.relay.reference import TERRITORY_TABLE
from structures.relay.types import (
    TERRITORY_REF_COLUMNS,
    RelayQueryError,
    ResolvedLocation,
    TerritoryRef,
)
from territories.enums import PLACE_LEVELS
from territories.models import Territory, TerritoryAncestor
from territories.selectors import (
    MalformedCode,
    OutsideFrance,
    UnknownTerritory,
    communes_for_postal_code,
    nearest_place,
    resolve_commune,
)

REGION_RANK = 4


# The columns of a current place the lookup and its callers use; the others stay deferred.
_PLACE_COLUMNS = (
    "id",
    "level",
    "code",
    "name",
    "name_en",
    "rank",
    "parent_id",
    "latitude",
    "longitude",
)


def _ancestor_columns(qn) -> str:
    return ", ".join(f"r.{qn(c)}" for c in TERRITORY_REF_COLUMNS)


def _ancestors(commune) -> list[tuple]:
    """(ancestor id, rank, *its TerritoryRef columns) of the commune, itself included: one
    plain indexed SELECT."""
    qn = connection.ops.quote_name
    with prepared_cursor(read_connection(TerritoryAncestor)) as cursor:
        cursor.execute(
            f"SELECT a.ancestor_id, a.ancestor_rank, {_ancestor_columns(qn)} "
            f"FROM {qn(TerritoryAncestor._meta.db_table)} a "
            f"JOIN {qn(Territory._meta.db_table)} r ON r.id = a.ancestor_id "
            "WHERE a.descendant_id = %s",
            [commune.pk],
        )
        return cursor.fetchall()


def _current_place_and_ancestors(code: str) -> tuple[Territory, list[tuple]] | None:
    """The current commune or arrondissement with that exact code and its ancestors (as
    ``_ancestors`` gives them), in one plain SELECT (the common case of the hot path; the ORM's
    compilation would cost more)."""
    qn = connection.ops.quote_name
    columns = ", ".join(f"t.{qn(c)}" for c in _PLACE_COLUMNS)
    reader = read_connection(Territory)
    with prepared_cursor(reader) as cursor:
        cursor.execute(
            f"SELECT {columns}, a.ancestor_id, a.ancestor_rank, {_ancestor_columns(qn)} "
            f"FROM {qn(Territory._meta.db_table)} t "
            f"JOIN {qn(TerritoryAncestor._meta.db_table)} a ON a.descendant_id = t.id "
            f"JOIN {qn(Territory._meta.db_table)} r ON r.id = a.ancestor_id "
            "WHERE t.code = %s AND t.is_current = %s AND t.level IN (%s, %s)",
            [code, True, *PLACE_LEVELS],
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    width = len(_PLACE_COLUMNS)
    # A code names one place; if two levels shared it, the finest (lowest rank) would win.
    finest = min(rows, key=lambda row: (row[5], row[0]))
    place = Territory.from_db(reader.alias, _PLACE_COLUMNS, finest[:width])
    place.is_current = True
    ancestors = [row[width:] for row in rows if row[0] == finest[0]]
    return place, ancestors


def locate(
    commune, *, latitude=None, longitude=None, note: str = "", ancestors=None
) -> ResolvedLocation:
    """A commune as the lookup's location: the given point, else the commune's centre."""
    if latitude is not None and longitude is not None:
        lat, lon, precision = latitude, longitude, "exact"
    elif commune.latitude is not None:
        lat, lon, precision = commune.latitude, commune.longitude, "commune"
    else:
        raise RelayQueryError.of(
            "unknown_commune",
            _("La commune %(name)s n'a pas de coordonnées connues.") % {"name": commune.name},
            field="commune",
        )
    if ancestors is None:
        ancestors = _ancestors(commune)
    region = next((row[0] for row in ancestors if row[1] == REGION_RANK), None)
    return ResolvedLocation(
        commune=commune,
        latitude=lat,
        longitude=lon,
        region_id=region,
        precision=precision,
        note=note,
        ancestor_ids=tuple(sorted(row[0] for row in ancestors)),
        ancestors=tuple(TerritoryRef(*row[2:]) for row in sorted(ancestors, key=itemgetter(1))),
    )


def _error_from(exc: Exception, *, field: str, unknown_code: str) -> RelayQueryError:
    if isinstance(exc, MalformedCode):
        return RelayQueryError.of("malformed", exc.message, field=field)
    if isinstance(exc, OutsideFrance):
        return RelayQueryError.of("outside_france", exc.message, field=field)
    return RelayQueryError.of(unknown_code, str(exc), field=field)


# How many current places each process keeps resolved: the communes searched most (weighted by
# population, a few thousand cover most searches) for a fraction of a megabyte each thousand.
RESOLVED_PLACES_KEPT = 4096


def _current_location(code: str) -> ResolvedLocation | None:
    """The location of the current place with that exact code (``None``: no such place)."""
    # From the primary, as the reference caches: a place read from a lagging replica would be
    # kept under the new version token.
    with primary_reads():
        found = _current_place_and_ancestors(code)
    if found is None:
        return None
    place, ancestors = found
    return locate(place, ancestors=ancestors)


# Resolving a commune code (one SELECT, a model instance and the ancestors' references) cost a
# fifth of a lookup (bench_relay): each process keeps its last resolutions, dropped whenever the
# territory reference changes (its version token, core.reference_cache). Only the exact, current
# code is kept; an old code's resolution carries a message in the active language.
_resolved_places = ReferenceCache(
    lambda: lru_cache(maxsize=RESOLVED_PLACES_KEPT)(_current_location), tables=[TERRITORY_TABLE]
)


def _by_commune(commune: str, postal_code: str) -> ResolvedLocation:
    location = _resolved_places.get()(commune.strip().upper())
    if location is not None:
        place = location.commune
    else:
        try:
            resolution = resolve_commune(code=commune)
        except (MalformedCode, UnknownTerritory) as exc:
            raise _error_from(exc, field="commune", unknown_code="unknown_commune") from None
        place = resolution.commune
        location = locate(place, note=resolution.message)
    if postal_code and not place.postal_codes.filter(code=postal_code.strip()).exists():
        raise RelayQueryError.of(
            "invalid",
            _("La commune %(name)s n'a pas le code postal %(code)s.")
            % {"name": place.name, "code": postal_code},
            field="postal_code",
        )
    return location


def _by_postal_code(postal_code: str) -> ResolvedLocation:
    try:
        places = communes_for_postal_code(code=postal_code)
    except (MalformedCode, UnknownTerritory) as exc:
        raise _error_from(exc, field="postal_code", unknown_code="unknown_postal_code") from None
    if len(places) > 1:
        names = ", ".join(f"{p.name} ({p.code})" for p in places)
        raise RelayQueryError.of(
            "ambiguous_postal_code",
            _("Le code postal %(code)s dessert plusieurs communes : précisez laquelle (%(names)s).")
            % {"code": postal_code, "names": names},
            field="postal_code",
            candidates=tuple(places),
        )
    return locate(places[0])


def _by_point(latitude: float | None, longitude: float | None) -> ResolvedLocation:
    if latitude is None or longitude is None:
        raise RelayQueryError.of(
            "invalid",
            _("Donnez à la fois la latitude et la longitude."),
            field="latitude" if latitude is None else "longitude",
        )
    try:
        place, _distance = nearest_place(latitude=latitude, longitude=longitude)
    except OutsideFrance as exc:
        raise _error_from(exc, field="latitude", unknown_code="outside_france") from None
    return locate(place, latitude=latitude, longitude=longitude)


def resolve_location(
    *,
    commune: str = "",
    postal_code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> ResolvedLocation:
    """The one location given: a commune (with, optionally, a postal code of it), a postal
    code, or a point.

    Raises ``RelayQueryError``: never a guess (an ambiguous postal code lists its communes;
    a commune or postal code together with a point is refused, see ``check_single_location``).
    """
    check_single_location(
        commune=commune, postal_code=postal_code, latitude=latitude, longitude=longitude
    )
    if commune:
        return _by_commune(commune, postal_code)
    if postal_code:
        return _by_postal_code(postal_code)
    if latitude is not None or longitude is not None:
        return _by_point(latitude, longitude)
    raise RelayQueryError.of(
        "missing_location",
        _("Indiquez où se trouve l'entreprise : commune, code postal, SIRET ou coordonnées."),
        field="commune",
    )


def check_single_location(
    *,
    siret: str = "",
    commune: str = "",
    postal_code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> None:
    """Refuse two different ways of placing the firm (``conflicting_location``).

    A SIRET, a commune, a postal code and a point may each say where the firm is; given
    together they may disagree, and using the first one would silently drop the other. The
    only pair allowed is a commune with its postal code (the commune chosen among the postal
    code's, which ``_by_commune`` checks).
    """
    given = []
    if siret:
        given.append(_("un SIRET"))
    if commune or postal_code:
        given.append(_("une commune") if commune else _("un code postal"))
    if latitude is not None or longitude is not None:
        given.append(_("des coordonnées"))
    if len(given) > 1:
        raise RelayQueryError.of(
            "conflicting_location",
            _(
                "Plusieurs lieux donnés (%(given)s) : indiquez-en un seul — SIRET, commune "
                "(avec au besoin son code postal), code postal ou coordonnées."
            )
            % {"given": ", ".join(str(g) for g in given)},
        )

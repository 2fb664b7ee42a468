"""Step 1 of the lookup: from a commune code, a postal code or a point to a commune and a point
(docs/relay.md §1). A registered firm's SIRET is turned into a location by the SME app
(``smes.relay``), which calls ``locate`` here."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.db_router import read_connection
from structures.relay.places import Place, territory_refs, territory_table
from structures.relay.types import RelayQueryError, ResolvedLocation, TerritoryRef
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


def _ancestors(commune) -> tuple[tuple[TerritoryRef, ...], tuple[int, ...]]:
    """The commune's ancestors, itself included, by rank (coarsest last), and their ranks."""
    place = territory_table.get().places.get(commune.code)
    if place is not None and place.ref.pk == commune.pk:
        return place.ancestors, place.ranks
    # A place the copy does not hold as current (a closed commune a caller still points to).
    links = TerritoryAncestor.objects.filter(descendant_id=commune.pk).values_list(
        "ancestor_id", "ancestor_rank"
    )
    ranks = dict(links)
    refs = territory_refs(ranks)
    ordered = sorted(refs.values(), key=lambda ref: (ranks[ref.pk], ref.pk))
    return tuple(ordered), tuple(ranks[ref.pk] for ref in ordered)


def _place_territory(place: Place, alias: str) -> Territory:
    """The place as the ``Territory`` the location carries (the columns it shows and links by;
    the others stay deferred)."""
    ref = place.ref
    values = (ref.pk, ref.level, ref.code, ref.name, ref.name_en, place.rank, place.parent_id)
    values += (ref.latitude, ref.longitude, True)
    return Territory.from_db(alias, _PLACE_COLUMNS, values)


# The columns of a current place the location's ``Territory`` has.
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
    "is_current",
)


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
    refs, ranks = _ancestors(commune) if ancestors is None else ancestors
    region = next(
        (ref.pk for ref, rank in zip(refs, ranks, strict=True) if rank == REGION_RANK), None
    )
    return ResolvedLocation(
        commune=commune,
        latitude=lat,
        longitude=lon,
        region_id=region,
        precision=precision,
        note=note,
        ancestor_ids=tuple(sorted(ref.pk for ref in refs)),
        ancestors=refs,
    )


def _error_from(exc: Exception, *, field: str, unknown_code: str) -> RelayQueryError:
    if isinstance(exc, MalformedCode):
        return RelayQueryError.of("malformed", exc.message, field=field)
    if isinstance(exc, OutsideFrance):
        return RelayQueryError.of("outside_france", exc.message, field=field)
    return RelayQueryError.of(unknown_code, str(exc), field=field)


def _current_location(code: str) -> ResolvedLocation | None:
    """The location of the current place with that exact code (``None``: no such place), from
    this process's copy of the reference (``structures.relay.places``): no query."""
    place = territory_table.get().places.get(code)
    if place is None:
        return None
    commune = _place_territory(place, read_connection(Territory).alias)
    return locate(commune, ancestors=(place.ancestors, place.ranks))


def _by_commune(commune: str, postal_code: str) -> ResolvedLocation:
    location = _current_location(commune.strip().upper())
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

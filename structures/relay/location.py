"""Step 1 of the lookup: from what the user gave to a commune and a point."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from core.reference_cache import fetch_in
from structures.relay.types import RelayError, ResolvedLocation
from territories.enums import TerritoryLevel
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


class LocationError(Exception):
    def __init__(self, error: RelayError) -> None:
        super().__init__(error.message)
        self.error = error


def _ancestors(commune) -> list[tuple[int, int]]:
    """(ancestor id, rank) of the commune, itself included: one plain indexed SELECT."""
    table = connection.ops.quote_name(TerritoryAncestor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ancestor_id, ancestor_rank FROM {table} WHERE descendant_id = %s",
            [commune.pk],
        )
        return cursor.fetchall()


def _located(commune, *, latitude=None, longitude=None, note: str = "") -> ResolvedLocation:
    if latitude is not None and longitude is not None:
        lat, lon, precision = latitude, longitude, "exact"
    elif commune.latitude is not None:
        lat, lon, precision = commune.latitude, commune.longitude, "commune"
    else:
        raise LocationError(
            RelayError(
                code="unknown_commune",
                field="commune",
                message=_("La commune %(name)s n'a pas de coordonnées connues.")
                % {"name": commune.name},
            )
        )
    ancestors = _ancestors(commune)
    region = next((pk for pk, rank in ancestors if rank == REGION_RANK), None)
    return ResolvedLocation(
        commune=commune,
        latitude=lat,
        longitude=lon,
        region_id=region,
        precision=precision,
        note=note,
        ancestor_ids=tuple(sorted(pk for pk, _rank in ancestors)),
    )


def _current_place(code: str):
    """The current commune or arrondissement with that exact code, by a plain SELECT (hot path)."""
    places = [
        t
        for t in fetch_in(Territory, "code", [code])
        if t.is_current and t.level in (TerritoryLevel.COMMUNE, TerritoryLevel.ARRONDISSEMENT)
    ]
    return min(places, key=lambda t: t.rank) if places else None


def _error_from(exc: Exception, *, field: str, unknown_code: str) -> LocationError:
    if isinstance(exc, MalformedCode):
        return LocationError(RelayError(code="malformed", field=field, message=exc.message))
    if isinstance(exc, OutsideFrance):
        return LocationError(RelayError(code="outside_france", field=field, message=exc.message))
    return LocationError(RelayError(code=unknown_code, field=field, message=str(exc)))


def resolve_location(
    *,
    sme=None,
    siret: str | None = None,
    commune: str | None = None,
    postal_code: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> tuple[ResolvedLocation, object | None]:
    """Resolve the first location given, in this order: SME, SIRET, commune, postal code, point.

    Returns the location and the SME it came from (if any). Raises ``LocationError`` carrying a
    ``RelayError``: never a guess (an ambiguous postal code lists its communes).
    """
    if sme is None and siret:
        from smes.models import SME

        cleaned = "".join(ch for ch in siret if ch.isdigit())
        sme = SME.objects.select_related("commune").filter(siret=cleaned).first()
        if sme is None:
            raise LocationError(
                RelayError(
                    code="unknown_sme",
                    field="siret",
                    message=_("Aucune entreprise du registre n'a le SIRET %(siret)s.")
                    % {"siret": siret},
                )
            )
    if sme is not None:
        if sme.commune is None:
            raise LocationError(
                RelayError(
                    code="unknown_commune",
                    field="siret",
                    message=_("La commune de l'entreprise %(name)s n'est pas renseignée.")
                    % {"name": sme.name},
                )
            )
        return _located(sme.commune, latitude=sme.latitude, longitude=sme.longitude), sme

    if commune:
        place, note = _current_place(commune.strip().upper()), ""
        if place is None:
            try:
                resolution = resolve_commune(code=commune)
            except (MalformedCode, UnknownTerritory) as exc:
                raise _error_from(exc, field="commune", unknown_code="unknown_commune") from None
            place, note = resolution.commune, resolution.message
        if postal_code and not place.postal_codes.filter(code=postal_code.strip()).exists():
            raise LocationError(
                RelayError(
                    code="invalid",
                    field="postal_code",
                    message=_("La commune %(name)s n'a pas le code postal %(code)s.")
                    % {"name": place.name, "code": postal_code},
                )
            )
        return _located(place, note=note), None

    if postal_code:
        try:
            places = communes_for_postal_code(code=postal_code)
        except (MalformedCode, UnknownTerritory) as exc:
            raise _error_from(
                exc, field="postal_code", unknown_code="unknown_postal_code"
            ) from None
        if len(places) > 1:
            names = ", ".join(f"{p.name} ({p.code})" for p in places)
            raise LocationError(
                RelayError(
                    code="ambiguous_postal_code",
                    field="postal_code",
                    message=_(
                        "Le code postal %(code)s dessert plusieurs communes : précisez laquelle "
                        "(%(names)s)."
                    )
                    % {"code": postal_code, "names": names},
                    candidates=tuple(places),
                )
            )
        return _located(places[0]), None

    if latitude is not None or longitude is not None:
        if latitude is None or longitude is None:
            raise LocationError(
                RelayError(
                    code="invalid",
                    field="latitude" if latitude is None else "longitude",
                    message=_("Donnez à la fois la latitude et la longitude."),
                )
            )
        try:
            place, _distance = nearest_place(latitude=latitude, longitude=longitude)
        except OutsideFrance as exc:
            raise _error_from(exc, field="latitude", unknown_code="outside_france") from None
        return _located(place, latitude=latitude, longitude=longitude), None

    raise LocationError(
        RelayError(
            code="missing_location",
            field="commune",
            message=_(
                "Indiquez où se trouve l'entreprise : commune, code postal, SIRET ou coordonnées."
            ),
        )
    )


def is_place_level(level: str) -> bool:
    return level in (TerritoryLevel.COMMUNE, TerritoryLevel.ARRONDISSEMENT)

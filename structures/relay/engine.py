"""The nearest competent relay (DESIGN §5, rules R1–R10 of domain.md).

``find_relays`` is the one entry point: the HTML pages, the API and the ``find_relays``
management command all call it. It never raises on bad input: errors come back as
``RelayResponse.error`` with a French message.

How it runs: the location becomes a commune and a point; the commune's ancestors (closure) are
the territories a coverage must contain; the flat ``RelayIndexEntry`` table is read through
growing bounding boxes around the point (plain indexed ranges on both databases) until ``k``
competent relays lie within the radius already searched, so that competent relays are never cut
by a radius: the last round has no box at all. Distances are haversine in Python (core.geo).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.geo import BoundingBox, haversine_km
from core.reference_cache import fetch_in
from structures.relay import criteria, reference
from structures.relay.enums import FallbackKind, MarketMatch
from structures.relay.index import RelayIndexEntry
from structures.relay.location import LocationError, resolve_location
from structures.relay.types import (
    ContactInfo,
    EligibilityProfile,
    RelayError,
    RelayResponse,
    RelayResult,
    ResolvedLocation,
)

DEFAULT_K = 5
MAX_K = 50
# Radii of the successive boxes (km); after the last one the search has no box at all.
SEARCH_RADII_KM = (15.0, 60.0, 240.0, 960.0)

_FIELDS = (
    "offer_id",
    "structure_id",
    "territory_id",
    "coverage_rank",
    "latitude",
    "longitude",
    "point_is_approximate",
    "region_id",
    "is_remote",
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
    "sort_key",
)


@dataclass(frozen=True)
class _Candidate:
    offer_id: int
    structure_id: int
    territory_id: int
    coverage_rank: int
    distance_km: float
    approximate: bool
    region_id: int | None
    market_match: str
    notes: tuple[str, ...]
    sort_key: str
    fallback: str = ""

    def fallback_key(self) -> tuple:
        """Out-of-area and remote fallbacks: distance, then the stable key (docs/relay.md §5)."""
        return (self.distance_km, self.sort_key)

    def key(self) -> tuple:
        market_order = 0 if self.market_match == MarketMatch.EXPLICIT else 1
        return (self.distance_km, self.coverage_rank, market_order, self.sort_key)


@dataclass
class _Context:
    location: ResolvedLocation
    service_id: int
    sectors: frozenset[str] | None
    country: str | None
    profile: EligibilityProfile | None
    profile_naf: frozenset[str]
    today: date


_OFFER, _RANK, _LAT, _LON = (
    _FIELDS.index(f) for f in ("offer_id", "coverage_rank", "latitude", "longitude")
)


def _grouped(rows: Iterable[tuple], ctx: _Context, covering: set[int] | None, radius: float | None):
    """Collapse index rows to one per offer (its finest matching coverage), measured and judged.

    Offers beyond ``radius`` are dropped before being judged: the caller ignores them (a later,
    wider round sees them again).
    """
    best: dict[int, tuple] = {}
    for row in rows:
        current = best.get(row[_OFFER])
        if current is None or row[_RANK] < current[_RANK]:
            best[row[_OFFER]] = row
    lat, lon = ctx.location.latitude, ctx.location.longitude
    for values in best.values():
        if covering is not None:
            covering.add(values[_OFFER])
        distance = haversine_km(lat, lon, values[_LAT], values[_LON])
        if radius is not None and distance > radius:
            continue
        row = dict(zip(_FIELDS, values, strict=True))
        verdict = criteria.judge(
            row,
            sectors=ctx.sectors,
            country=ctx.country,
            profile=ctx.profile,
            profile_naf=ctx.profile_naf,
            today=ctx.today,
        )
        if verdict.status == criteria.NO:
            continue
        yield (
            verdict.status,
            _Candidate(
                offer_id=row["offer_id"],
                structure_id=row["structure_id"],
                territory_id=row["territory_id"],
                coverage_rank=row["coverage_rank"],
                distance_km=distance,
                approximate=row["point_is_approximate"],
                region_id=row["region_id"],
                market_match=verdict.market_match,
                notes=verdict.notes,
                sort_key=row["sort_key"],
            ),
        )


@dataclass(frozen=True)
class _Where:
    """Which index rows a search reads: plain columns, turned into portable SQL."""

    service_id: int
    territory_ids: tuple[int, ...] = ()
    region_id: int | None = None
    region_mode: str = ""  # "", "inside" or "outside" (rule R7)
    remote_only: bool = False


def _index_rows(where: _Where, box: BoundingBox | None) -> list[tuple]:
    """Read index rows with one hand-written, portable SELECT.

    Raw SQL on purpose: compiling the equivalent ORM query costs several times the query itself
    on this hot path (measured with bench_relay); the SQL is plain ``=``, ``IN`` and ``BETWEEN``
    on indexed columns, identical on SQLite and PostgreSQL.
    """
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f) for f in _FIELDS)
    sql = [f"SELECT {columns} FROM {qn(RelayIndexEntry._meta.db_table)} WHERE service_id = %s"]
    params: list = [where.service_id]
    if where.territory_ids:
        sql.append(f"AND territory_id IN ({', '.join(['%s'] * len(where.territory_ids))})")
        params += where.territory_ids
    if where.region_mode == "inside":
        sql.append("AND region_id = %s")
        params.append(where.region_id)
    elif where.region_mode == "outside":
        sql.append("AND (region_id IS NULL OR region_id <> %s)")
        params.append(where.region_id)
    if where.remote_only:
        sql.append("AND is_remote = %s")
        params.append(True)
    if box is not None:
        sql.append("AND latitude BETWEEN %s AND %s")
        params += [box.min_lat, box.max_lat]
        if box.lon_ranges:
            ranges = " OR ".join(["longitude BETWEEN %s AND %s"] * len(box.lon_ranges))
            sql.append(f"AND ({ranges})")
            for low, high in box.lon_ranges:
                params += [low, high]
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        return cursor.fetchall()


def _nearest(
    ctx: _Context,
    condition: _Where,
    k: int,
    *,
    wanted: str,
    covering: set[int] | None = None,
    max_radius: float | None = None,
    exclude: set[int] = frozenset(),
    order=_Candidate.key,
) -> tuple[list[_Candidate], list[_Candidate]]:
    """The ``k`` nearest offers matching ``condition`` whose verdict is ``wanted``.

    Returns (those offers in order, the PLANNED ones seen). When fewer than ``k`` are returned
    the search was exhaustive (within ``max_radius`` when given), so the PLANNED list is complete.
    With ``max_radius`` the search stops at that radius (fallback horizon).
    """
    radii = [r for r in SEARCH_RADII_KM if max_radius is None or r < max_radius]
    if max_radius is not None:
        radii.append(max_radius)
    rounds: list[float | None] = [*radii, None] if max_radius is None else radii
    for radius in rounds:
        box = (
            None
            if radius is None
            else BoundingBox.around(ctx.location.latitude, ctx.location.longitude, radius)
        )
        rows = _index_rows(condition, box)
        found, planned = [], []
        for status, candidate in _grouped(rows, ctx, covering, radius):
            if candidate.offer_id in exclude:
                continue
            if status == wanted:
                found.append(candidate)
            elif status == criteria.PLANNED:
                planned.append(candidate)
        found.sort(key=order)
        exhausted = radius is None or (max_radius is not None and radius == rounds[-1])
        if len(found) >= k or exhausted:
            planned.sort(key=_Candidate.key)
            return found[:k], planned
    return [], []  # pragma: no cover (the last round is always exhaustive)


def horizon_km(export_stage: str | None) -> float:
    """Fallback horizon (rule R2), widened with the firm's export experience (rule R8)."""
    factors = settings.RELAY_HORIZON_FACTORS
    return settings.RELAY_HORIZON_KM * factors.get(export_stage or "", 1.0)


def find_relays(
    *,
    service: str,
    sme=None,
    siret: str | None = None,
    commune: str | None = None,
    postal_code: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    sector: str | None = None,
    country: str | None = None,
    profile: EligibilityProfile | None = None,
    k: int = DEFAULT_K,
    include_remote: bool = True,
    include_private_contacts: bool = False,
    today: date | None = None,
) -> RelayResponse:
    """The nearest competent relays for a need, with labelled fallbacks; see DESIGN §5.

    The location is the first of ``sme``, ``siret``, ``commune`` (INSEE code, old codes
    resolved), ``postal_code`` (with ``commune`` when it serves several) or
    ``latitude``/``longitude``. With an SME, its profile (employees, age, NAF, memberships,
    export stage) and, when ``sector`` is not given, its NAF code are used.
    """
    response = RelayResponse()
    today = today or timezone.localdate()
    if not isinstance(k, int) or not 1 <= k <= MAX_K:
        response.error = RelayError(
            code="invalid",
            field="k",
            message=_("k doit être un entier entre 1 et %(max)d.") % {"max": MAX_K},
        )
        return response
    service_obj = reference.services.get().get((service or "").strip())
    if service_obj is None:
        response.error = RelayError(
            code="unknown_service",
            field="service",
            message=_("Service inconnu : « %(code)s ».") % {"code": service or ""},
        )
        return response
    response.service = service_obj
    try:
        location, found_sme = resolve_location(
            sme=sme,
            siret=siret,
            commune=commune,
            postal_code=postal_code,
            latitude=latitude,
            longitude=longitude,
        )
    except LocationError as exc:
        response.error = exc.error
        return response
    response.location = location

    country_code = None
    if country:
        country_obj = reference.countries.get().get(country.strip().upper())
        if country_obj is None:
            response.error = RelayError(
                code="unknown_country",
                field="country",
                message=_(
                    "Pays inconnu : « %(code)s » (code ISO 3166 à deux lettres attendu, ex. MA)."
                )
                % {"code": country},
            )
            return response
        response.country, country_code = country_obj, country_obj.code

    if found_sme is not None and profile is None:
        profile = EligibilityProfile(
            employees=found_sme.employee_floor,
            created_on=found_sme.created_on,
            naf_code=found_sme.naf_code or None,
            member_of=frozenset(found_sme.memberships.values_list("structure_id", flat=True)),
            export_stage=found_sme.export_stage or None,
        )
    sector_code = sector or (
        found_sme.naf_code if found_sme is not None and found_sme.naf_code else None
    )
    sectors = None
    if sector_code:
        sectors = criteria.expand_sector(sector_code)
        if sectors is None:
            response.error = RelayError(
                code="unknown_sector",
                field="sector",
                message=_("Secteur inconnu : « %(code)s » (code NAF, ex. 10.71C, ou filière).")
                % {"code": sector_code},
            )
            return response
        response.sectors = tuple(sorted(sectors))

    ctx = _Context(
        location=location,
        service_id=service_obj.pk,
        sectors=sectors,
        country=country_code,
        profile=profile,
        profile_naf=criteria.naf_codes_of(profile.naf_code if profile else None),
        today=today,
    )
    covering_q = _Where(service_id=service_obj.pk, territory_ids=location.ancestor_ids)
    covering: set[int] = set()

    if service_obj.is_hard_core and location.region_id:
        # Rule R7: for the hard core of international operations, the firm's own région first.
        inside, planned_in = _nearest(
            ctx,
            replace(covering_q, region_id=location.region_id, region_mode="inside"),
            k,
            wanted=criteria.OK,
            covering=covering,
        )
        outside, planned_out = [], []
        if len(inside) < k:
            outside, planned_out = _nearest(
                ctx,
                replace(covering_q, region_id=location.region_id, region_mode="outside"),
                k - len(inside),
                wanted=criteria.OK,
                covering=covering,
            )
        competent = inside + outside
        planned = sorted(planned_in + planned_out, key=_Candidate.key)
    else:
        competent, planned = _nearest(ctx, covering_q, k, wanted=criteria.OK, covering=covering)

    fallbacks: list[_Candidate] = []
    if len(competent) < k:
        need = k - len(competent)
        fallbacks += [replace(c, fallback=FallbackKind.PLANNED_MARKET) for c in planned[:need]]
        chosen = {c.offer_id for c in competent} | {c.offer_id for c in fallbacks}
        if len(fallbacks) < need:
            horizon = horizon_km(profile.export_stage if profile else None)
            nearby, _planned = _nearest(
                ctx,
                _Where(service_id=service_obj.pk),
                need - len(fallbacks),
                wanted=criteria.OK,
                max_radius=horizon,
                exclude=covering | chosen,
                order=_Candidate.fallback_key,
            )
            fallbacks += [replace(c, fallback=FallbackKind.OUT_OF_AREA) for c in nearby]
            chosen |= {c.offer_id for c in nearby}
        if include_remote and len(fallbacks) < need:
            remote, _planned = _nearest(
                ctx,
                _Where(service_id=service_obj.pk, remote_only=True),
                need - len(fallbacks),
                wanted=criteria.OK,
                exclude=covering | chosen,
                order=_Candidate.fallback_key,
            )
            fallbacks += [replace(c, fallback=FallbackKind.REMOTE) for c in remote]

    results = _hydrate(competent + fallbacks, ctx, service_obj, include_private_contacts)
    response.results = results[: len(competent)]
    response.fallbacks = results[len(competent) :]
    return response


def _contact_for(offer, desks: dict[int, object], include_private: bool) -> ContactInfo | None:
    contact = offer.contact
    if contact is not None and (contact.is_public or include_private):
        return ContactInfo(
            contact.name,
            contact.role,
            contact.phone,
            contact.email,
            contact.kind == "desk",
            "offer",
        )
    desk = desks.get(offer.structure_id)
    if desk is not None:
        return ContactInfo(
            desk.name, desk.role, desk.phone, desk.email, desk.kind == "desk", "structure_desk"
        )
    structure = offer.structure
    if structure.phone or structure.email:
        return ContactInfo(
            _("Accueil"), "", structure.phone, structure.email, True, "structure_switchboard"
        )
    return None


def _hydrate(
    candidates: list[_Candidate], ctx: _Context, service, include_private: bool
) -> list[RelayResult]:
    from structures.models import Contact, Offer, Structure
    from territories.models import Territory

    if not candidates:
        return []
    # Plain SELECTs by id (core.reference_cache.fetch_in): the ORM's select_related compilation
    # alone cost more than the whole search here. Relations are attached by hand below, so
    # callers may use offer.structure, offer.service, offer.contact and structure.commune freely.
    offers = {o.pk: o for o in fetch_in(Offer, "id", [c.offer_id for c in candidates])}
    structures = {
        s.pk: s for s in fetch_in(Structure, "id", {o.structure_id for o in offers.values()})
    }
    territory_ids = {c.territory_id for c in candidates} | {
        s.commune_id for s in structures.values() if s.commune_id
    }
    territories = {t.pk: t for t in fetch_in(Territory, "id", territory_ids)}
    contacts = fetch_in(Contact, "structure_id", structures.keys())
    contact_by_id = {c.pk: c for c in contacts}
    desks: dict[int, object] = {}
    for contact in sorted(
        (c for c in contacts if c.is_public),
        key=lambda c: (c.kind != "desk", c.position, c.pk),
    ):
        desks.setdefault(contact.structure_id, contact)
    services = reference.services.get()
    service_by_id = {svc.pk: svc for svc in services.values()}
    for structure in structures.values():
        structure.commune = territories.get(structure.commune_id) if structure.commune_id else None
    for offer in offers.values():
        offer.structure = structures[offer.structure_id]
        offer.service = service_by_id.get(offer.service_id, service)
        offer.contact = contact_by_id.get(offer.contact_id) if offer.contact_id else None
    results = []
    for candidate in candidates:
        offer = offers[candidate.offer_id]
        territory = territories.get(candidate.territory_id)
        result = RelayResult(
            offer=offer,
            structure=offer.structure,
            distance_km=round(candidate.distance_km, 3),
            distance_is_approximate=candidate.approximate or ctx.location.precision != "exact",
            matched_territory=territory
            if not candidate.fallback or candidate.fallback == FallbackKind.PLANNED_MARKET
            else None,
            matched_level=territory.level if territory and not candidate.fallback else "",
            market_match=candidate.market_match,
            same_region=candidate.region_id is not None
            and candidate.region_id == ctx.location.region_id,
            contact=_contact_for(offer, desks, include_private),
            notes=candidate.notes,
            fallback=candidate.fallback,
        )
        results.append(result)
    # One translation switch per language for the whole list: activating a language costs
    # more than writing the sentences.
    with override("fr"):
        french = [_why(result, service, "fr") for result in results]
    with override("en"):
        english = [_why(result, service, "en") for result in results]
    return [
        replace(result, why_fr=fr, why_en=en)
        for result, fr, en in zip(results, french, english, strict=True)
    ]


def _why(result: RelayResult, service, language: str) -> str:
    """A short sentence saying why this relay is shown (the caller activates ``language``)."""
    name = result.structure.acronym or result.structure.name
    service_name = service.name_en if language == "en" and service.name_en else service.name
    if result.distance_km < 1:
        distance = _("à moins de 1 km")
    else:
        # number_format follows the active language: "2,4 km" in French, "2.4 km" in English.
        km = number_format(result.distance_km, 0 if result.distance_km >= 10 else 1)
        distance = _("à %(km)s km") % {"km": km}
    if result.distance_is_approximate:
        distance += " " + _("(distance approximative)")
    if result.fallback == FallbackKind.OUT_OF_AREA:
        sentence = _(
            "%(name)s propose « %(service)s » %(distance)s, mais votre commune est hors de sa zone."
        )
    elif result.fallback == FallbackKind.REMOTE:
        sentence = _("%(name)s propose « %(service)s » à distance, hors de sa zone (%(distance)s).")
    elif result.fallback == FallbackKind.PLANNED_MARKET:
        sentence = _(
            "%(name)s couvre votre commune pour « %(service)s » %(distance)s, mais ce marché n'est encore qu'en projet."
        )
    else:
        territory = result.matched_territory
        where = territory.name if territory else ""
        sentence = _("%(name)s couvre %(where)s pour « %(service)s », %(distance)s.")
        return _finish(
            sentence
            % {"name": name, "where": where, "service": service_name, "distance": distance},
            result,
        )
    return _finish(sentence % {"name": name, "service": service_name, "distance": distance}, result)


def _finish(sentence: str, result: RelayResult) -> str:
    extra = []
    if result.market_match == MarketMatch.EXPLICIT:
        extra.append(_("Ce marché fait partie de ses marchés actifs."))
    if result.notes:
        extra.append(_("Conditions : %(notes)s.") % {"notes": " ; ".join(result.notes)})
    return " ".join([sentence, *extra])

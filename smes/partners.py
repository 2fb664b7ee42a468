"""The partner finder: firms that could form an export group with a given SME (issue 15).

An export group ("groupement d'exportateurs", Torrès 2002) gathers small firms — generally 3 to
5 — close to each other, that hire a part-time export manager together. The research names the
conditions of a group that lasts: balanced sizes, synergies, no competition between members, and
geographic proximity as a constraint nobody escapes. The finder reads them as follows
(``docs/partners.md``):

- **Consent.** Only an SME whose ``partner_search_consent`` is set is ever proposed; the SME the
  search starts from is never proposed to itself.
- **Proximity.** Within ``radius_km`` of the profile's point (great-circle distance,
  ``core.geo.haversine_km``; the database narrows the rows with indexed cells and boxes). In a
  proposed group every two members are also within ``radius_km`` of each other.
- **No competitor.** A firm with the same NAF sub-class ("62.01Z") is a competitor unless their
  target markets do not overlap: it is then proposed with a warning. Two members of a group are
  never competitors.
- **Balanced sizes.** Employee ranges at most ``max_size_steps`` steps apart
  (``smes.enums.EMPLOYEE_RANGE_STEPS``), between the profile and each candidate and between
  every two members of a group.
- **Synergy.** A candidate shares at least one target market with the profile, or a filière
  (``structures.Sector`` of kind ``filiere``: its NAF divisions).
- **Export stage.** Compatible stages only (``smes.enums.EXPORT_STAGE_PARTNERS``: the same
  stage or a neighbouring one).
- **Not already grouped.** A firm that is a member (``SMEMembership``) of an active structure of
  kind ``export_group`` is not proposed, unless ``include_grouped`` is set: it is then proposed
  with ``in_export_group`` set and its sentence names the group(s).

**Candidate score** (higher first, then nearer, then by name): 3 per shared target market (at
most 3 counted), 2 for a shared filière, 1 for the same export stage, 1 for the same employee
range, minus the distance as a share of the radius (0 to 1); ties go to the nearer firm.

**Group score**: the mean of the pair scores of every two members (the same terms, distance
excepted), plus 3 per target market shared by every member, minus the largest distance between
two members as a share of the radius. Groups are built from the ``pool`` best candidates.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.geo import BoundingBox, distances_from, haversine_km
from smes import access
from smes.enums import (
    EMPLOYEE_RANGE_BOUNDS,
    EMPLOYEE_RANGE_STEPS,
    EXPORT_GROUP_MAX_SIZE,
    EXPORT_GROUP_MIN_SIZE,
    EXPORT_STAGE_PARTNERS,
    EmployeeRange,
    ExportStage,
)
from smes.models import SME, PartnerMarketEntry, SMEMembership
from smes.partner_cells import cells_covering
from smes.validators import naf_division
from structures.enums import SectorKind, StructureKind
from structures.models import Sector
from structures.naming import sector_phrase
from structures.permissions import Caller, in_scope_q
from structures.relay.wording import km_text
from territories.enums import TerritoryLevel
from territories.models import Territory
from territories.naming import ENGLISH, FRENCH, country_list_phrase

DEFAULT_RADIUS_KM = 50.0
MAX_RADIUS_KM = 200.0
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
DEFAULT_POOL = 24
MARKET_POINTS, MARKETS_COUNTED = 3, 3
FILIERE_POINTS = 2
SAME_STAGE_POINTS = 1
SAME_RANGE_POINTS = 1
COMMON_MARKET_POINTS = 3

_MARKETS = SME.target_markets.through


def range_code(employee_range: str, employees: int | None) -> str:
    """The INSEE range of a firm: its own, else the one its exact headcount falls in, else ""."""
    if employee_range:
        return employee_range
    if employees is None:
        return ""
    for code, (low, high) in EMPLOYEE_RANGE_BOUNDS.items():
        if (
            code != EmployeeRange.NON_EMPLOYER
            and low <= employees
            and (high is None or employees <= high)
        ):
            return code
    return ""


@dataclass(frozen=True)
class PartnerProfile:
    """What the finder needs of the firm looking for partners: a registered SME's
    (``from_sme``) or an unsaved one's, typed by an adviser (``unsaved``)."""

    latitude: float
    longitude: float
    commune_name: str
    naf_code: str
    employee_range: str
    export_stage: str
    markets: tuple[Territory, ...] = ()
    sme_id: int | None = None
    name: str = ""
    siret: str = ""

    @property
    def market_ids(self) -> frozenset[int]:
        return frozenset(market.pk for market in self.markets)

    @classmethod
    def from_sme(cls, sme: SME) -> PartnerProfile:
        """The profile of a registered SME; ``ValidationError`` (French) when the SME lacks a
        point, a NAF code or a size, without which no partner can be judged."""
        errors = {}
        if not sme.has_point:
            errors["commune"] = _("Cette PME n'est pas localisée : aucune distance possible.")
        if not sme.naf_code:
            errors["naf_code"] = _(
                "Cette PME n'a pas de code NAF : impossible d'écarter ses concurrents."
            )
        size = range_code(sme.employee_range, sme.employees)
        if not size:
            errors["employee_range"] = _(
                "L'effectif de cette PME est inconnu : l'équilibre des tailles ne peut être jugé."
            )
        if errors:
            raise ValidationError(errors)
        return cls(
            latitude=sme.latitude,
            longitude=sme.longitude,
            commune_name=sme.commune.name if sme.commune_id else "",
            naf_code=sme.naf_code,
            employee_range=size,
            export_stage=sme.export_stage,
            markets=tuple(sme.target_markets.order_by("code")),
            sme_id=sme.pk,
            name=sme.name,
            siret=sme.siret,
        )

    @classmethod
    def unsaved(
        cls,
        *,
        commune: Territory,
        naf_code: str,
        employee_range: str,
        target_markets: Iterable[Territory],
        export_stage: str,
    ) -> PartnerProfile:
        """A firm not (yet) in the registry, located at its commune's centre."""
        if commune.latitude is None or commune.longitude is None:
            raise ValidationError({"commune": _("Cette commune n'a pas de coordonnées.")})
        if employee_range not in EMPLOYEE_RANGE_STEPS:
            raise ValidationError({"employee_range": _("Tranche d'effectif inconnue.")})
        if export_stage not in EXPORT_STAGE_PARTNERS:
            raise ValidationError({"export_stage": _("Stade d'exportation inconnu.")})
        markets = tuple(sorted(target_markets, key=lambda market: market.code))
        if any(market.level != TerritoryLevel.COUNTRY for market in markets):
            raise ValidationError({"target_markets": _("Les marchés visés sont des pays.")})
        return cls(
            latitude=commune.latitude,
            longitude=commune.longitude,
            commune_name=commune.name,
            naf_code=naf_code,
            employee_range=employee_range,
            export_stage=export_stage,
            markets=markets,
        )


@dataclass(frozen=True)
class PartnerCandidate:
    """One consenting SME that could partner the profile, with why (one French sentence)."""

    sme_id: int
    siret: str
    name: str
    commune_name: str
    naf_code: str
    employee_range: str
    export_stage: str
    latitude: float
    longitude: float
    distance_km: float
    market_ids: frozenset[int]
    filiere_codes: frozenset[str]
    shared_market_codes: tuple[str, ...]
    shared_filiere_codes: tuple[str, ...]
    score: float
    why: str
    warning: str = ""
    # Only with ``include_grouped``: the active export groups the firm is already a member of.
    export_groups: tuple[str, ...] = ()

    @property
    def in_export_group(self) -> bool:
        return bool(self.export_groups)

    @property
    def size_step(self) -> int:
        return EMPLOYEE_RANGE_STEPS[self.employee_range]

    @property
    def employee_range_label(self) -> str:
        return str(EmployeeRange(self.employee_range).label)

    @property
    def export_stage_label(self) -> str:
        return str(ExportStage(self.export_stage).label)


@dataclass(frozen=True)
class GroupProposal:
    """A proposed export group: the profile and 2 to 4 candidates, pairwise compatible."""

    members: tuple[PartnerCandidate, ...]
    size: int
    score: float
    common_market_codes: tuple[str, ...]
    max_distance_km: float
    why: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def member_ids(self) -> tuple[int, ...]:
        return tuple(member.sme_id for member in self.members)


# --- Reference ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Filieres:
    by_division_code: dict[str, frozenset[str]]
    by_division_id: dict[int, frozenset[str]]
    division_ids: dict[str, frozenset[int]]  # filière code → ids of its NAF divisions


def _filieres() -> _Filieres:
    """The filières and their NAF divisions (one query; ≈30 filières, ≈80 links)."""
    links = Sector.naf_divisions.through.objects.filter(
        from_sector__kind=SectorKind.FILIERE
    ).values_list("from_sector__code", "to_sector_id", "to_sector__code")
    by_division: dict[str, set[str]] = defaultdict(set)
    by_id: dict[int, set[str]] = defaultdict(set)
    ids: dict[str, set[int]] = defaultdict(set)
    for filiere, division_id, division_code in links:
        by_division[division_code].add(filiere)
        by_id[division_id].add(filiere)
        ids[filiere].add(division_id)
    return _Filieres(
        {code: frozenset(v) for code, v in by_division.items()},
        {pk: frozenset(v) for pk, v in by_id.items()},
        {code: frozenset(v) for code, v in ids.items()},
    )


def _language() -> str:
    return ENGLISH if (get_language() or FRENCH).startswith(ENGLISH) else FRENCH


# --- Rules --------------------------------------------------------------------------------------


def stages_compatible(a: str, b: str) -> bool:
    """Whether two export stages may share an export group (``EXPORT_STAGE_PARTNERS``)."""
    return b in EXPORT_STAGE_PARTNERS.get(a, frozenset())


def are_competitors(naf_a: str, markets_a: frozenset[int], naf_b: str, markets_b) -> bool:
    """Same NAF sub-class on at least one common target market."""
    return bool(naf_a) and naf_a == naf_b and bool(markets_a & markets_b)


def pair_points(
    *, markets_a, markets_b, filieres_a, filieres_b, stage_a, stage_b, range_a, range_b
) -> int:
    """The synergy of two firms (module docstring): markets, filière, stage, size range."""
    return (
        MARKET_POINTS * min(MARKETS_COUNTED, len(markets_a & markets_b))
        + (FILIERE_POINTS if filieres_a & filieres_b else 0)
        + (SAME_STAGE_POINTS if stage_a == stage_b else 0)
        + (SAME_RANGE_POINTS if range_a == range_b else 0)
    )


def _check(radius_km: float, max_size_steps: int, limit: int) -> None:
    errors = {}
    if not 0 < radius_km <= MAX_RADIUS_KM:
        errors["radius_km"] = _("Le rayon doit être compris entre 1 et 200 km.")
    if not 0 <= max_size_steps <= 3:
        errors["max_size_steps"] = _("L'écart de taille doit être compris entre 0 et 3 tranches.")
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = _("Le nombre de résultats doit être compris entre 1 et 100.")
    if errors:
        raise ValidationError(errors)


# --- Wording ------------------------------------------------------------------------------------


def _sentence(
    *,
    row_commune: str,
    distance_km: float,
    shared_markets: Sequence[Territory],
    shared_filieres: Sequence[Sector],
    employee_range: str,
    export_stage: str,
    export_groups: Sequence[str] = (),
) -> str:
    language = _language()
    values = {
        # "0,0 km" reads as a mistake: a neighbour in the same street is "moins de 1 km" away,
        # as on the relay's cards.
        "distance": _("moins de 1 km") if distance_km < 1 else km_text(distance_km),
        "commune": row_commune,
        "size": EmployeeRange(employee_range).label,
        "stage": ExportStage(export_stage).label,
    }
    if shared_markets:
        values["markets"] = country_list_phrase(countries=shared_markets, language=language)
    if shared_filieres:
        values["filiere"] = sector_phrase(
            sector=shared_filieres[0], language=language, preposition="à"
        )
    if shared_markets and shared_filieres:
        text = _(
            "À %(distance)s (%(commune)s), elle vise aussi %(markets)s et se rattache comme "
            "vous %(filiere)s ; %(size)s, %(stage)s."
        )
    elif shared_markets:
        text = _("À %(distance)s (%(commune)s), elle vise aussi %(markets)s ; %(size)s, %(stage)s.")
    else:
        text = _(
            "À %(distance)s (%(commune)s), elle se rattache comme vous %(filiere)s ; "
            "%(size)s, %(stage)s."
        )
    sentence = str(text) % values
    if export_groups:
        sentence += " " + str(_("Elle est déjà membre du groupement à l'export %(groups)s.")) % {
            "groups": ", ".join(f"« {name} »" for name in export_groups)
        }
    return sentence


def _competition_warning(naf_code: str) -> str:
    return str(
        _(
            "Même activité que vous (NAF %(naf)s), mais sur d'autres marchés : vérifiez "
            "ensemble qu'aucune concurrence ne vous oppose."
        )
    ) % {"naf": naf_code}


def _members_warning(naf_code: str) -> str:
    return str(
        _(
            "Deux membres ont la même activité (NAF %(naf)s) sur des marchés différents : "
            "vérifiez qu'aucune concurrence ne les oppose."
        )
    ) % {"naf": naf_code}


# --- Candidates ---------------------------------------------------------------------------------


def _grouped_memberships():
    """Memberships in an active export group: such a firm already shares an export manager."""
    return SMEMembership.objects.filter(
        structure__kind=StructureKind.EXPORT_GROUP, structure__is_active=True
    )


def _export_groups_of(ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The names of the active export groups each of the SMEs ``ids`` is a member of."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = (
        _grouped_memberships()
        .filter(sme_id__in=ids)
        .order_by("structure__name", "structure_id")
        .values_list("sme_id", "structure__name")
    )
    for sme_id, name in rows:
        found[sme_id].append(name)
    return {pk: tuple(names) for pk, names in found.items()}


def _as_profile(profile: SME | PartnerProfile) -> PartnerProfile:
    return PartnerProfile.from_sme(profile) if isinstance(profile, SME) else profile


def _size_q(profile: PartnerProfile, max_size_steps: int) -> Q:
    step = EMPLOYEE_RANGE_STEPS[profile.employee_range]
    codes = [code for code, s in EMPLOYEE_RANGE_STEPS.items() if abs(s - step) <= max_size_steps]
    lows = [EMPLOYEE_RANGE_BOUNDS[c][0] for c in codes]
    highs = [EMPLOYEE_RANGE_BOUNDS[c][1] for c in codes]
    unranked = Q(employee_range="", employees__gte=min(lows))
    if None not in highs:
        unranked &= Q(employees__lte=max(h for h in highs if h is not None))
    return Q(employee_range__in=codes) | unranked


_ROW_COLUMNS = (
    "pk",
    "naf_code",
    "sector_id",
    "employee_range",
    "employees",
    "export_stage",
    "latitude",
    "longitude",
)


def _rows(query, profile: PartnerProfile, radius_km: float) -> list[tuple]:
    """(row, distance) of the rows of ``query`` within the radius (the exact haversine)."""
    near = []
    distance_to = distances_from(profile.latitude, profile.longitude)
    for row in query.values_list(*_ROW_COLUMNS):
        distance = distance_to(row[6], row[7])
        if distance <= radius_km:
            near.append((row, distance))
    return near


def _sharing_rows(
    *,
    profile: PartnerProfile,
    radius_km: float,
    market_ids: frozenset[int],
    max_size_steps: int,
    caller: Caller | None,
    include_grouped: bool,
) -> tuple[list[tuple], dict[int, set[int]]]:
    """(row, distance) of the consenting firms within the radius that share a target market
    with the profile (the rows of ``_rows``), and the markets each shares.

    Read from the market index (``PartnerMarketEntry``: one line per market of a consenting
    firm) by market, grid cell, stage and size range: in a dense area this reads the firms
    that share a market and nothing else, where the box of the SME table held every
    consenting firm around.
    """
    box = BoundingBox.around(profile.latitude, profile.longitude, radius_km)
    step = EMPLOYEE_RANGE_STEPS[profile.employee_range]
    sizes = [code for code, s in EMPLOYEE_RANGE_STEPS.items() if abs(s - step) <= max_size_steps]
    entries = PartnerMarketEntry.objects.filter(
        box.q(),
        market_id__in=market_ids,
        export_stage__in=EXPORT_STAGE_PARTNERS[profile.export_stage],
        employee_range__in=sizes,
    ).order_by()
    cells = cells_covering(box.min_lat, box.max_lat, box.lon_ranges)
    if cells is not None:
        entries = entries.filter(cell__in=cells)
    if profile.sme_id is not None:
        entries = entries.exclude(sme_id=profile.sme_id)
    if caller is not None:
        entries = entries.filter(in_scope_q(caller, commune_path="sme__commune"))
    if not include_grouped:
        entries = entries.filter(~Exists(_grouped_memberships().filter(sme_id=OuterRef("sme_id"))))
    near: list[tuple] = []
    shared: dict[int, set[int]] = {}
    far: set[int] = set()
    distance_to = distances_from(profile.latitude, profile.longitude)
    for pk, naf, sector_id, size, stage, lat, lon, market_id in entries.values_list(
        "sme_id",
        "naf_code",
        "sector_id",
        "employee_range",
        "export_stage",
        "latitude",
        "longitude",
        "market_id",
    ):
        markets = shared.get(pk)
        if markets is not None:
            markets.add(market_id)
        elif pk not in far:
            distance = distance_to(lat, lon)
            if distance <= radius_km:
                near.append(((pk, naf, sector_id, size, None, stage, lat, lon), distance))
                shared[pk] = {market_id}
            else:
                far.add(pk)
    return near, shared


def _markets_of(ids: Sequence[int]) -> dict[int, set]:
    """Target markets of the SMEs ``ids``."""
    found: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(ids), 5000):
        query = _MARKETS.objects.filter(sme_id__in=ids[start : start + 5000])
        for sme_id, territory_id in query.values_list("sme_id", "territory_id"):
            found[sme_id].add(territory_id)
    return found


# A firm sharing a filière and no market scores at most this (filière, stage, range, no
# distance): when enough firms sharing a market score more, the others need not be read.
_FILIERE_ONLY_MAX = FILIERE_POINTS + SAME_STAGE_POINTS + SAME_RANGE_POINTS
# ... and one at another stage or of another range, at most this.
_FILIERE_TIER_MAX = FILIERE_POINTS + max(SAME_STAGE_POINTS, SAME_RANGE_POINTS)


def _all_candidates(
    *,
    profile: PartnerProfile,
    radius_km: float,
    max_size_steps: int,
    caller: Caller | None,
    enough: int,
    include_grouped: bool = False,
) -> list[PartnerCandidate]:
    """The ``enough`` best candidates, best first (the rules and the score of the module
    docstring), with their names, communes and full target markets.

    Up to three reads: the firms sharing a market with the profile (``_sharing_rows``), then —
    only when fewer than ``enough`` of them outscore any firm sharing only a filière — those
    sharing a filière and no market at the profile's stage and range, then — only when still
    fewer than ``enough`` outscore the others — the rest of them. The result is the same as
    reading all of them at once.
    """
    filieres = _filieres()
    own_division = naf_division(profile.naf_code)
    own_filieres = filieres.by_division_code.get(own_division, frozenset())
    division_ids = frozenset().union(*(filieres.division_ids[f] for f in own_filieres))
    market_ids = profile.market_ids
    if not market_ids and not division_ids:
        return []  # nothing to share with anybody
    if caller is not None and not access.may_read_smes(caller):
        return []
    box = BoundingBox.around(profile.latitude, profile.longitude, radius_km)
    base = access.visible_smes(caller) if caller is not None else SME.objects.all()
    base = (
        base.filter(box.q(), _size_q(profile, max_size_steps))
        .filter(
            partner_search_consent=True,
            export_stage__in=EXPORT_STAGE_PARTNERS[profile.export_stage],
        )
        .exclude(pk=profile.sme_id)
        .order_by()
    )
    if not include_grouped:
        base = base.filter(~Exists(_grouped_memberships().filter(sme_id=OuterRef("pk"))))
    shares_market = Exists(
        _MARKETS.objects.filter(sme_id=OuterRef("pk"), territory_id__in=market_ids)
    )
    own_step = EMPLOYEE_RANGE_STEPS[profile.employee_range]
    found: list[tuple[float, float, int, tuple, frozenset[int], frozenset[str]]] = []

    own_stage, own_range = profile.export_stage, profile.employee_range

    def judge(near: list[tuple], shared_of: dict[int, set]) -> None:
        for row, distance in near:
            pk, naf, sector_id, size, employees, stage, _lat, _lon = row
            size = range_code(size, employees)
            if size not in EMPLOYEE_RANGE_STEPS:
                continue
            if abs(EMPLOYEE_RANGE_STEPS[size] - own_step) > max_size_steps:
                continue
            shared = frozenset(shared_of.get(pk, ()))
            row_filieres = filieres.by_division_id.get(sector_id, frozenset())
            if not shared and not row_filieres & own_filieres:
                continue
            if profile.naf_code and naf == profile.naf_code and shared:
                continue  # a competitor on the same markets
            score = pair_points(
                markets_a=market_ids,
                markets_b=shared,
                filieres_a=own_filieres,
                filieres_b=row_filieres,
                stage_a=own_stage,
                stage_b=stage,
                range_a=own_range,
                range_b=size,
            ) - (distance / radius_km)
            found.append((score, distance, pk, (*row[:3], size, *row[5:]), shared, row_filieres))

    if market_ids:
        judge(
            *_sharing_rows(
                profile=profile,
                radius_km=radius_km,
                market_ids=market_ids,
                max_size_steps=max_size_steps,
                caller=caller,
                include_grouped=include_grouped,
            )
        )
    strong = sum(1 for entry in found if entry[0] > _FILIERE_ONLY_MAX)
    if division_ids and strong < enough:
        others = base.filter(sector_id__in=division_ids)
        if market_ids:
            others = others.filter(~shares_market)
        # The firms at the profile's stage whose range may be its own first (an unranked firm
        # may fall in it by its headcount): any other firm sharing only a filière scores at
        # most _FILIERE_TIER_MAX, so when enough firms already score more, the rest — most of
        # a dense area — need not be read.
        first = Q(
            export_stage=profile.export_stage, employee_range__in=[profile.employee_range, ""]
        )
        judge(_rows(others.filter(first), profile, radius_km), {})
        strong = sum(1 for entry in found if entry[0] > _FILIERE_TIER_MAX)
        if strong < enough:
            judge(_rows(others.exclude(first), profile, radius_km), {})
    found.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    kept = found[:enough]
    ids = [entry[2] for entry in kept]
    details = {
        pk: (siret, name, commune)
        for pk, siret, name, commune in SME.objects.filter(pk__in=ids).values_list(
            "pk", "siret", "name", "commune__name"
        )
    }
    markets = _markets_of(ids)
    groups = _export_groups_of(ids) if include_grouped and ids else {}
    candidates = []
    for score, distance, pk, row, shared, row_filieres in kept:
        _pk, naf, _sector, size, stage, lat, lon = row
        siret, name, commune = details[pk]
        candidates.append(
            PartnerCandidate(
                sme_id=pk,
                siret=siret,
                name=name,
                commune_name=commune or "",
                naf_code=naf,
                employee_range=size,
                export_stage=stage,
                latitude=lat,
                longitude=lon,
                distance_km=distance,
                market_ids=frozenset(markets.get(pk, ())),
                filiere_codes=row_filieres,
                shared_market_codes=tuple(
                    sorted(m.code for m in profile.markets if m.pk in shared)
                ),
                shared_filiere_codes=tuple(sorted(row_filieres & own_filieres)),
                score=score,
                why="",
                warning=_competition_warning(naf)
                if profile.naf_code and naf == profile.naf_code
                else "",
                export_groups=groups.get(pk, ()),
            )
        )
    return candidates


def _explained(
    candidates: Iterable[PartnerCandidate], profile: PartnerProfile
) -> list[PartnerCandidate]:
    """The candidates with their sentence (written for the shown ones only: the wording costs
    more than the rules)."""
    candidates = list(candidates)
    markets = {market.code: market for market in profile.markets}
    needed = {code for c in candidates for code in c.shared_filiere_codes}
    sectors = (
        {s.code: s for s in Sector.objects.filter(kind=SectorKind.FILIERE, code__in=needed)}
        if needed
        else {}
    )
    return [
        replace(
            c,
            why=_sentence(
                row_commune=c.commune_name,
                distance_km=c.distance_km,
                shared_markets=[markets[code] for code in c.shared_market_codes],
                shared_filieres=[sectors[code] for code in c.shared_filiere_codes],
                employee_range=c.employee_range,
                export_stage=c.export_stage,
                export_groups=c.export_groups,
            ),
        )
        for c in candidates
    ]


def partner_candidates(
    *,
    profile: SME | PartnerProfile,
    radius_km: float = DEFAULT_RADIUS_KM,
    max_size_steps: int = 1,
    limit: int = DEFAULT_LIMIT,
    caller: Caller | None = None,
    include_grouped: bool = False,
) -> list[PartnerCandidate]:
    """The consenting SMEs that could partner ``profile`` in an export group, best first.

    ``profile``: a registered SME or a ``PartnerProfile``. The rules and the score are those of
    the module docstring; each candidate carries one French sentence saying why (``why``) and,
    for a firm of the same NAF sub-class on other markets, a ``warning``. ``caller``: only the
    SMEs it may read (``smes.access.visible_smes``); ``None`` is the operator's own code.
    ``include_grouped``: also propose firms already members of an active export group (they
    carry ``export_groups`` and their sentence names the group); left out by default.
    ``ValidationError`` on a radius, size gap or limit out of bounds, or a profile that cannot
    be judged (no point, NAF code or size).
    """
    _check(radius_km, max_size_steps, limit)
    partner = _as_profile(profile)
    found = _all_candidates(
        profile=partner,
        radius_km=radius_km,
        max_size_steps=max_size_steps,
        caller=caller,
        enough=limit,
        include_grouped=include_grouped,
    )
    return _explained(found, partner)


# --- Groups -------------------------------------------------------------------------------------


def _group_sentence(size: int, common: Sequence[Territory], max_km: float) -> str:
    values = {"count": size, "distance": km_text(max_km)}
    if common:
        values["markets"] = country_list_phrase(countries=common, language=_language())
        return (
            str(
                _(
                    "%(count)s entreprises à moins de %(distance)s les unes des autres, toutes "
                    "tournées vers %(markets)s."
                )
            )
            % values
        )
    return (
        str(
            _(
                "%(count)s entreprises à moins de %(distance)s les unes des autres, sans concurrent "
                "entre elles et de tailles voisines."
            )
        )
        % values
    )


def propose_groups(
    *,
    profile: SME | PartnerProfile,
    radius_km: float = DEFAULT_RADIUS_KM,
    max_size_steps: int = 1,
    min_size: int = EXPORT_GROUP_MIN_SIZE,
    max_size: int = EXPORT_GROUP_MAX_SIZE,
    limit: int = 5,
    pool: int = DEFAULT_POOL,
    caller: Caller | None = None,
    include_grouped: bool = False,
) -> list[GroupProposal]:
    """The best export groups of ``min_size`` to ``max_size`` firms (the profile included) made of
    ``profile`` and its best ``pool`` candidates, best first (score: module docstring).

    Every two members are within ``radius_km`` of each other, at most ``max_size_steps`` size
    steps apart, at compatible export stages and never competitors (same NAF sub-class on a
    common market); two members of the same sub-class on different markets make a warning.
    Firms already members of an active export group are left out unless ``include_grouped``
    (as in ``partner_candidates``).
    """
    if not EXPORT_GROUP_MIN_SIZE <= min_size <= max_size <= EXPORT_GROUP_MAX_SIZE:
        raise ValidationError(
            {"size": _("Un groupement compte de 3 à 5 entreprises (taille minimale ≤ maximale).")}
        )
    if not 2 <= pool <= 40:
        raise ValidationError({"pool": _("Le vivier doit compter de 2 à 40 candidates.")})
    _check(radius_km, max_size_steps, limit)
    partner = _as_profile(profile)
    candidates = _all_candidates(
        profile=partner,
        radius_km=radius_km,
        max_size_steps=max_size_steps,
        caller=caller,
        enough=pool,
        include_grouped=include_grouped,
    )
    n = len(candidates)
    markets_by_id = {m.pk: m for m in partner.markets}
    own = frozenset(_filieres().by_division_code.get(naf_division(partner.naf_code), ()))
    # Pair scores and compatibility between candidates (profile pairs: the candidate's score).
    points = [[0] * n for _i in range(n)]
    compatible = [0] * n  # bit j set: i and j may sit in the same group
    distances = [[0.0] * n for _i in range(n)]
    for i, j in itertools.combinations(range(n), 2):
        a, b = candidates[i], candidates[j]
        km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
        distances[i][j] = distances[j][i] = km
        if (
            km > radius_km
            or abs(a.size_step - b.size_step) > max_size_steps
            or not stages_compatible(a.export_stage, b.export_stage)
            or are_competitors(a.naf_code, a.market_ids, b.naf_code, b.market_ids)
        ):
            continue
        compatible[i] |= 1 << j
        compatible[j] |= 1 << i
        points[i][j] = points[j][i] = pair_points(
            markets_a=a.market_ids,
            markets_b=b.market_ids,
            filieres_a=a.filiere_codes,
            filieres_b=b.filiere_codes,
            stage_a=a.export_stage,
            stage_b=b.export_stage,
            range_a=a.employee_range,
            range_b=b.employee_range,
        )
    own_points = [
        pair_points(
            markets_a=partner.market_ids,
            markets_b=c.market_ids,
            filieres_a=own,
            filieres_b=c.filiere_codes,
            stage_a=partner.export_stage,
            stage_b=c.export_stage,
            range_a=partner.employee_range,
            range_b=c.employee_range,
        )
        for c in candidates
    ]
    best: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []
    # Flat per-candidate lists and an exact bound: the search visits up to ~13,000 groups from
    # a pool of 24 and dominated the time of a proposal. A group's mean pair score never
    # exceeds the best pair score of the pool, its common markets only shrink and its spread
    # only grows as members join: a branch whose bound is below the ``limit``-th best score
    # cannot hold a group that would be kept, so it is not visited (the result is unchanged).
    neg_ids = [-c.sme_id for c in candidates]
    member_markets = [c.market_ids for c in candidates]
    member_km = [c.distance_km for c in candidates]
    best_pair = max(
        [0, *own_points, *(points[i][j] for i, j in itertools.combinations(range(n), 2))]
    )

    def extend(
        chosen: tuple[int, ...], allowed: int, start: int, total: int, common, spread: float
    ) -> None:
        # Sums carried down the search: each group costs one step, whatever its size.
        size = len(chosen) + 1
        if size >= min_size:
            score = total / (size * (size - 1) // 2) + COMMON_MARKET_POINTS * len(common)
            score -= spread / radius_km
            # Keep the ``limit`` best: a min-heap on (score, then the smaller ids win ties);
            # the ids are built only for a score that may enter it.
            if len(best) < limit:
                heapq.heappush(best, (score, tuple(neg_ids[i] for i in chosen), chosen))
            elif score >= best[0][0]:
                entry = (score, tuple(neg_ids[i] for i in chosen), chosen)
                if entry > best[0]:
                    heapq.heapreplace(best, entry)
        if size >= max_size:
            return
        if (
            len(best) >= limit
            and best_pair + COMMON_MARKET_POINTS * len(common) - spread / radius_km < best[0][0]
        ):
            return
        mask = allowed >> start << start
        while mask:
            low = mask & -mask
            mask ^= low
            j = low.bit_length() - 1
            row_points, row_km = points[j], distances[j]
            added = own_points[j]
            far = member_km[j] if member_km[j] > spread else spread
            for i in chosen:
                added += row_points[i]
                if row_km[i] > far:
                    far = row_km[i]
            extend(
                (*chosen, j),
                allowed & compatible[j],
                j + 1,
                total + added,
                common & member_markets[j],
                far,
            )

    extend((), (1 << n) - 1, 0, 0, partner.market_ids, 0.0)
    proposals = []
    ranked = sorted(best, reverse=True)
    shown = sorted({i for _s, _ids, chosen in ranked for i in chosen})
    explained = dict(zip(shown, _explained([candidates[i] for i in shown], partner), strict=True))
    for score, _ids, chosen in ranked:
        members = tuple(explained[i] for i in chosen)
        common_ids = partner.market_ids.intersection(*(m.market_ids for m in members))
        common = sorted((markets_by_id[i] for i in common_ids), key=lambda m: m.code)
        spread = max(
            [m.distance_km for m in members]
            + [distances[i][j] for i, j in itertools.combinations(chosen, 2)]
        )
        warnings = tuple(m.warning for m in members if m.warning) + tuple(
            _members_warning(a.naf_code)
            for a, b in itertools.combinations(members, 2)
            if a.naf_code == b.naf_code
        )
        proposals.append(
            GroupProposal(
                members=members,
                size=len(members) + 1,
                score=score,
                common_market_codes=tuple(m.code for m in common),
                max_distance_km=spread,
                why=_group_sentence(len(members) + 1, common, spread),
                warnings=tuple(dict.fromkeys(warnings)),
            )
        )
    return proposals

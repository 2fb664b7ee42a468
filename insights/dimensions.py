"""The "4 D" of a territory (Torrès 2002): density, diversity, dynamics, directionality.

``territory_dimensions(territory=…)`` computes them for a région, a département or an EPCI, with
the same figures for its parent and its siblings (the départements of its région side by side…)
and the national median of the diversity indices at its level. The definitions are in
docs/insights.md; the result is plain dataclasses with labels, ready for a page, a CSV or the API.

Set-based: a fixed number of queries whatever the size of the territory — every figure of the
territory, its parent and its siblings comes from the same grouped queries over the closure
table (``TerritoryAncestor``), the relay index (``RelayIndexEntry``) and the history tables; the
covered population per service comes from the coverage report (``_covered_population``).
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import MalformedInput
from insights.coverage import covered_population
from insights.enums import INSIGHT_LEVELS, EventKind, PriorityKind
from insights.models import TerritorialEvent, TerritorialPriority
from smes.models import SME
from structures.enums import StructureKind
from structures.models import Offer, Service, Structure
from structures.relay import criteria
from structures.relay.enums import MarketMatch
from structures.relay.index import RelayIndexEntry
from territories.enums import LEVEL_RANK, PLACE_LEVELS, TerritoryLevel
from territories.models import Territory, TerritoryAncestor

PERIOD_MONTHS = 12
CONFIRMATION_REASON = "Confirmation"  # structures.services.confirm_up_to_date's history reason


class DimensionsError(MalformedInput):
    """A territory whose 4 D are not computed (only régions, départements and EPCI are): a 400
    in the API."""


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryRef:
    id: int
    level: str
    code: str
    name: str

    @classmethod
    def of(cls, territory: Territory) -> TerritoryRef:
        return cls(territory.pk, territory.level, territory.code, territory.name)


@dataclass(frozen=True)
class Breakdown:
    """Structures located in the territory and competent relays for one kind or one service.

    ``structures``: published structures located in the territory (for a service: offering it);
    ``relays``: distinct structures with an active offer (of that service) whose coverage
    contains or intersects the territory. Rates are per 100,000 inhabitants and per 1,000
    registered SMEs (``None`` when there are none to divide by).
    """

    code: str
    label: str
    structures: int
    relays: int
    structures_per_100k: float | None
    relays_per_100k: float | None
    structures_per_1000_smes: float | None
    relays_per_1000_smes: float | None
    # The service's published offers located in the territory (services only; 0 for kinds).
    offers: int = 0


@dataclass(frozen=True)
class ServiceCoverage:
    """Share of the territory's population with a competent relay of the service within the
    horizon (the coverage report's "covered" state)."""

    code: str
    label: str
    population: int
    covered_population: int
    covered_share: float | None


@dataclass(frozen=True)
class Density:
    population: int
    smes: int
    structures: int
    relays: int
    structures_per_100k: float | None
    relays_per_100k: float | None
    structures_per_1000_smes: float | None
    relays_per_1000_smes: float | None
    by_kind: tuple[Breakdown, ...]
    by_service: tuple[Breakdown, ...]
    # Only for the territory asked about (the coverage report is per territory and service).
    coverage: tuple[ServiceCoverage, ...] = ()


@dataclass(frozen=True)
class Diversity:
    kinds_present: int
    kinds_total: int
    services_present: int
    services_total: int
    # Services for which at least one competent relay covers (part of) the territory.
    services_with_relay: int
    shannon_kinds: float
    shannon_services: float


@dataclass(frozen=True)
class KindCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Dynamics:
    structures_created: int
    structures_updated: int
    structures_confirmed: int
    offers_created: int
    offers_updated: int
    offers_closed: int
    events: int
    events_by_kind: tuple[KindCount, ...]


@dataclass(frozen=True)
class TerritoryFigures:
    """Density, diversity and dynamics of one territory (the asked one, its parent, a sibling)."""

    territory: TerritoryRef
    density: Density
    diversity: Diversity
    dynamics: Dynamics


@dataclass(frozen=True)
class RelayRef:
    structure_id: int
    slug: str
    name: str
    kind: str
    kind_label: str
    services: tuple[str, ...]
    # Explicit: the offer names the priority (the country among its active markets, or a
    # matching sector); generalist: it is open to every market or sector.
    explicit: bool
    # Its coverage contains the whole territory (else only part of it).
    covers_whole: bool


@dataclass(frozen=True)
class PriorityCheck:
    priority_id: int
    kind: str
    kind_label: str
    code: str
    target: str
    label: str
    start_year: int | None
    end_year: int | None
    relays: tuple[RelayRef, ...]

    @property
    def has_relay(self) -> bool:
        return bool(self.relays)

    @property
    def has_explicit_relay(self) -> bool:
        return any(r.explicit for r in self.relays)


@dataclass(frozen=True)
class Directionality:
    priorities: tuple[PriorityCheck, ...]

    @property
    def without_relay(self) -> tuple[PriorityCheck, ...]:
        return tuple(p for p in self.priorities if not p.has_relay)

    @property
    def without_explicit_relay(self) -> tuple[PriorityCheck, ...]:
        return tuple(p for p in self.priorities if not p.has_explicit_relay)


@dataclass(frozen=True)
class EventRef:
    id: int
    kind: str
    kind_label: str
    title: str
    start_date: datetime.date
    end_date: datetime.date | None
    territory: TerritoryRef
    country_code: str | None


@dataclass(frozen=True)
class TerritoryDimensions:
    territory: TerritoryFigures
    parent: TerritoryFigures | None
    siblings: tuple[TerritoryFigures, ...]  # the territory itself included, by code
    # Medians over every current territory of the same level in France.
    national_median_shannon_kinds: float
    national_median_shannon_services: float
    directionality: Directionality
    events: tuple[EventRef, ...]  # the period's events of the territory (and inside it)
    period_start: datetime.date
    period_end: datetime.date
    notes: tuple[str, ...] = field(default=())


# --- Helpers ---------------------------------------------------------------------------------


def _rate(count: int, base: int, per: int) -> float | None:
    return round(count * per / base, 2) if base else None


def shannon(counts: Iterable[int]) -> float:
    """Shannon index H = −Σ pᵢ ln pᵢ over the non-zero counts (0 for none or one category)."""
    values = [c for c in counts if c > 0]
    total = sum(values)
    if not total:
        return 0.0
    return round(-sum(c / total * math.log(c / total) for c in values) + 0.0, 4)


def _covered_population(*, territory: Territory, services: list[Service]) -> dict[int, int]:
    """Inhabitants of ``territory`` covered (coverage report, default horizon) per service id.

    The one place where the coverage report is read: every service at once, each reused from
    the cache while its relay index is unchanged (``insights.coverage``).
    """
    covered = covered_population(territory=territory)
    return {service.pk: covered.get(service.pk, 0) for service in services}


def _group(territory: Territory) -> tuple[Territory | None, list[Territory]]:
    """The parent and the siblings (the territory included) a territory is compared with."""
    current = Territory.objects.filter(is_current=True)
    if territory.level == TerritoryLevel.REGION:
        parent = Territory.objects.filter(level=TerritoryLevel.COUNTRY, code="FR").first()
        siblings = current.filter(level=TerritoryLevel.REGION)
    elif territory.level == TerritoryLevel.DEPARTEMENT:
        parent = territory.parent
        siblings = current.filter(level=TerritoryLevel.DEPARTEMENT, parent=parent)
    else:
        # An EPCI lies inside a département when all its communes do; one spanning several
        # is compared within the département holding most of its communes.
        parent = (
            Territory.objects.filter(
                level=TerritoryLevel.DEPARTEMENT,
                descendant_links__descendant__ancestor_links__ancestor=territory,
                descendant_links__descendant__level=TerritoryLevel.COMMUNE,
            )
            .annotate(n=Count("pk"))
            .order_by("-n", "code")
            .first()
        )
        siblings = (
            current.filter(level=TerritoryLevel.EPCI, ancestor_links__ancestor=parent)
            if parent is not None
            else current.none()
        )
    members = {t.pk: t for t in siblings}
    members[territory.pk] = territory
    return parent, sorted(members.values(), key=lambda t: t.code)


def _located(path: str, ids: list[int]) -> Q:
    return Q(**{f"{path}__ancestor_links__ancestor_id__in": ids})


# --- The selector ----------------------------------------------------------------------------


def territory_dimensions(
    *, territory: Territory, today: datetime.date | None = None, with_coverage: bool = True
) -> TerritoryDimensions:
    """The 4 D of a région, département or EPCI, beside its parent and siblings (docs/insights.md).

    ``today`` fixes the end of the dynamics period (the last 12 months); ``with_coverage=False``
    leaves out the covered population per service (the coverage report, the costly part);
    ``DimensionsError`` for another level.
    """
    if territory.level not in INSIGHT_LEVELS:
        raise DimensionsError(
            str(_("Les 4 D se calculent pour une région, un département ou un EPCI.")),
            code="unsupported_level",
        )
    today = today or timezone.localdate()
    period_start = today - relativedelta(months=PERIOD_MONTHS)
    parent, siblings = _group(territory)
    group = [*siblings, *([parent] if parent is not None else [])]
    ids = [t.pk for t in group]

    services = list(Service.objects.order_by("position", "code"))
    service_by_id = {s.pk: s for s in services}
    kind_labels = dict(StructureKind.choices)

    places = _Places(group)
    population, smes = _population_and_smes(places)
    located_kinds, located_services, located_offers = _located_listings(places)
    relays, relay_kinds, relay_services, ancestors_of_target, target_rows = _relays(
        group, territory
    )
    dynamics = _dynamics(ids, period_start=period_start, today=today)
    medians = _national_medians(territory.level)

    figures = {}
    for t in group:
        pop, sme = population.get(t.pk, 0), smes.get(t.pk, 0)
        kinds, svc = located_kinds.get(t.pk, {}), located_services.get(t.pk, {})
        offers = located_offers.get(t.pk, {})
        rkinds, rsvc = relay_kinds.get(t.pk, {}), relay_services.get(t.pk, {})

        def breakdown(code, label, n, r, pop=pop, sme=sme, offers=0):
            return Breakdown(
                code=code,
                label=str(label),
                structures=n,
                relays=r,
                structures_per_100k=_rate(n, pop, 100_000),
                relays_per_100k=_rate(r, pop, 100_000),
                structures_per_1000_smes=_rate(n, sme, 1_000),
                relays_per_1000_smes=_rate(r, sme, 1_000),
                offers=offers,
            )

        structures_total = sum(kinds.values())
        relays_total = len(relays.get(t.pk, ()))
        density = Density(
            population=pop,
            smes=sme,
            structures=structures_total,
            relays=relays_total,
            structures_per_100k=_rate(structures_total, pop, 100_000),
            relays_per_100k=_rate(relays_total, pop, 100_000),
            structures_per_1000_smes=_rate(structures_total, sme, 1_000),
            relays_per_1000_smes=_rate(relays_total, sme, 1_000),
            by_kind=tuple(
                breakdown(code, label, kinds.get(code, 0), len(rkinds.get(code, ())))
                for code, label in StructureKind.choices
                if kinds.get(code) or rkinds.get(code)
            ),
            by_service=tuple(
                breakdown(
                    s.code,
                    s.name,
                    svc.get(s.pk, 0),
                    len(rsvc.get(s.pk, ())),
                    offers=offers.get(s.pk, 0),
                )
                for s in services
            ),
        )
        diversity = Diversity(
            kinds_present=sum(1 for n in kinds.values() if n),
            kinds_total=len(kind_labels),
            services_present=sum(1 for n in offers.values() if n),
            services_total=len(services),
            services_with_relay=sum(1 for s in rsvc.values() if s),
            shannon_kinds=shannon(kinds.values()),
            shannon_services=shannon(offers.values()),
        )
        figures[t.pk] = TerritoryFigures(
            territory=TerritoryRef.of(t),
            density=density,
            diversity=diversity,
            dynamics=dynamics.get(t.pk, _empty_dynamics()),
        )

    # The coverage shares, for the territory asked about only.
    covered = _covered_population(territory=territory, services=services) if with_coverage else {}
    target = figures[territory.pk]
    coverage = tuple(
        ServiceCoverage(
            code=service_by_id[pk].code,
            label=service_by_id[pk].name,
            population=target.density.population,
            covered_population=n,
            covered_share=round(n / target.density.population, 4)
            if target.density.population
            else None,
        )
        for pk, n in covered.items()
    )
    target = TerritoryFigures(
        territory=target.territory,
        density=_with_coverage(target.density, coverage),
        diversity=target.diversity,
        dynamics=target.dynamics,
    )
    figures[territory.pk] = target

    return TerritoryDimensions(
        territory=target,
        parent=figures[parent.pk] if parent is not None else None,
        siblings=tuple(figures[t.pk] for t in siblings),
        national_median_shannon_kinds=medians[0],
        national_median_shannon_services=medians[1],
        directionality=_directionality(
            territory,
            rows=target_rows,
            ancestors=ancestors_of_target,
            services=service_by_id,
            kind_labels=kind_labels,
            today=today,
        ),
        events=_events(territory, period_start=period_start, today=today),
        period_start=period_start,
        period_end=today,
    )


def _with_coverage(density: Density, coverage: tuple[ServiceCoverage, ...]) -> Density:
    return replace(density, coverage=coverage)


def _empty_dynamics() -> Dynamics:
    return Dynamics(0, 0, 0, 0, 0, 0, 0, ())


# --- Density ---------------------------------------------------------------------------------


def _ancestor(path: str) -> F:
    return F(f"{path}__ancestor_links__ancestor_id")


class _Places:
    """Where each place (commune, municipal arrondissement) of the group's territories counts.

    One read of the closure: rows located by their commune are then counted per commune in
    SQL and added up here per territory, instead of joining every row with the closure.
    France (the parent of a région) holds every place: its figures are read without the
    closure at all.
    """

    def __init__(self, group: list[Territory]) -> None:
        self.local = [t.pk for t in group if t.level != TerritoryLevel.COUNTRY]
        self.national = next((t.pk for t in group if t.level == TerritoryLevel.COUNTRY), None)
        self.links = TerritoryAncestor.objects.filter(ancestor_id__in=self.local)
        self.groups_of: dict[int, list[int]] = defaultdict(list)
        self.population: dict[int, int] = defaultdict(int)
        for place, g, level, population in self.links.filter(
            descendant__level__in=PLACE_LEVELS
        ).values_list(
            "descendant_id", "ancestor_id", "descendant__level", "descendant__population"
        ):
            self.groups_of[place].append(g)
            # A municipal arrondissement's inhabitants are already its commune's.
            if level == TerritoryLevel.COMMUNE:
                self.population[g] += population or 0
        if self.national is not None:
            self.population[self.national] = (
                Territory.objects.filter(level=TerritoryLevel.COMMUNE).aggregate(
                    n=Sum("population")
                )["n"]
                or 0
            )

    def in_local(self, path: str) -> Q:
        """Rows whose place (``path``) lies in a local territory of the group (a subquery)."""
        return Q(**{f"{path}__in": self.links.values("descendant_id")})

    def add_up(self, rows, *, place: str, keys: tuple[str, ...], values: tuple[str, ...]):
        """{g: {key: [sums of values]}} from rows counted per place and key."""
        totals: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: [0] * len(values)))
        for row in rows:
            key = tuple(row[k] for k in keys) if len(keys) != 1 else row[keys[0]]
            for g in self.groups_of.get(row[place], ()):
                sums = totals[g][key]
                for i, name in enumerate(values):
                    sums[i] += row[name]
        return totals


def _population_and_smes(places: _Places) -> tuple[dict[int, int], dict[int, int]]:
    """Inhabitants (communes only: a municipal arrondissement is counted in its commune) and
    registered SMEs of each territory of the group."""
    # One count per place, each an index-only range of the SMEs' commune index, added up per
    # territory here. A grouped count over the SMEs joined with the places reads the whole
    # table instead (a tenth of a million-row table is too many rows for an index scan in the
    # planner's eyes): 0.28 s against 0.04 s for a département's group on PostgreSQL at
    # 1,000,000 SMEs, once vacuumed — as autovacuum leaves a table after inserts.
    per_place = (
        SME.objects.filter(commune_id=OuterRef("pk"))
        .order_by()
        .values("commune_id")
        # COUNT(*), not COUNT(id): the id would send every row back to the table.
        .annotate(n=Count("*"))
        .values("n")
    )
    rows = (
        Territory.objects.filter(pk__in=places.links.values("descendant_id"))
        .filter(level__in=PLACE_LEVELS)
        .annotate(n=Coalesce(Subquery(per_place, output_field=IntegerField()), 0))
        .annotate(all=Value(None, output_field=IntegerField()))
        .values("pk", "n", "all")
        .order_by()
    )
    smes = {
        g: sums[None][0]
        for g, sums in places.add_up(rows, place="pk", keys=("all",), values=("n",)).items()
    }
    if places.national is not None:
        # Every commune is in France.
        smes[places.national] = SME.objects.filter(commune__isnull=False).count()
    return dict(places.population), smes


def _located_listings(places: _Places):
    """Published structures located in each territory by kind; per service, the published
    structures offering it there and the number of their active offers."""
    structures = Structure.objects.published()
    offers = Offer.objects.published()
    kinds = {
        g: {kind: sums[0] for kind, sums in by_kind.items()}
        for g, by_kind in places.add_up(
            structures.filter(places.in_local("commune_id"))
            .values("commune_id", "kind")
            .annotate(n=Count("pk"))
            .order_by(),
            place="commune_id",
            keys=("kind",),
            values=("n",),
        ).items()
    }
    per_service = places.add_up(
        offers.filter(places.in_local("structure__commune_id"))
        .values("structure__commune_id", "service_id")
        # A structure has one commune: distinct structures per commune add up.
        .annotate(n=Count("structure_id", distinct=True), offers=Count("pk"))
        .order_by(),
        place="structure__commune_id",
        keys=("service_id",),
        values=("n", "offers"),
    )
    if places.national is not None:
        g = places.national
        kinds[g] = {
            row["kind"]: row["n"]
            for row in structures.filter(commune__isnull=False)
            .values("kind")
            .annotate(n=Count("pk"))
            .order_by()
        }
        per_service[g] = {
            row["service_id"]: [row["n"], row["offers"]]
            for row in offers.filter(structure__commune__isnull=False)
            .values("service_id")
            .annotate(n=Count("structure_id", distinct=True), offers=Count("pk"))
            .order_by()
        }
    services = {g: {k: v[0] for k, v in by.items()} for g, by in per_service.items()}
    offer_counts = {g: {k: v[1] for k, v in by.items()} for g, by in per_service.items()}
    return kinds, services, offer_counts


JUDGED_COLUMNS = (
    "territory_id",
    "structure_id",
    "service_id",
    "sector_codes",
    "market_codes",
    "planned_codes",
    "min_employees",
    "max_employees",
    "min_age_years",
    "naf_include",
    "naf_exclude",
    "members_only",
    "application_required",
)


def _relays(group: list[Territory], target: Territory):
    """Competent relays of each territory of the group: distinct structures with an index row
    (an active offer of a published structure, by effective coverage) whose coverage territory
    shares a place with it — contains it, lies in it, or overlaps it (an EPCI across a
    département's border).

    Also returns the ancestors of ``target`` and ``target``'s own index rows (all the columns
    the criteria read), for the directionality.
    """
    national = [t.pk for t in group if t.level == TerritoryLevel.COUNTRY]
    local = [t.pk for t in group if t.level != TerritoryLevel.COUNTRY]
    # (g, C): territory g and a coverage territory C sharing a place with it: C is an ancestor
    # of something inside g (g itself included, through the closure's self links).
    pairs = TerritoryAncestor.objects.filter(descendant__ancestor_links__ancestor_id__in=local)
    groups_of: dict[int, set[int]] = defaultdict(set)
    for g, coverage in pairs.values_list(
        "descendant__ancestor_links__ancestor_id", "ancestor_id"
    ).distinct():
        groups_of[coverage].add(g)
    french_territories = TerritoryAncestor.objects.filter(ancestor_id__in=national)
    # Subqueries, not lists of ids: a région's siblings name every French territory, more than
    # SQLite accepts as parameters. France shares a place with every French territory, which
    # includes those of the other members of the group.
    coverage_filter = Q(
        territory_id__in=french_territories.values("descendant_id")
        if national
        else pairs.values("ancestor_id")
    )
    # Sets per coverage territory first, then their unions per compared territory: a national
    # offer is counted once, not once per territory of the group.
    per_coverage: dict[int, set[int]] = defaultdict(set)
    kinds_of: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    services_of: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for coverage, structure, service, kind in RelayIndexEntry.objects.filter(
        coverage_filter
    ).values_list("territory_id", "structure_id", "service_id", "structure__kind"):
        per_coverage[coverage].add(structure)
        kinds_of[coverage][kind].add(structure)
        services_of[coverage][service].add(structure)
    french = set(french_territories.values_list("descendant_id", flat=True)) if national else set()
    relays: dict[int, set[int]] = defaultdict(set)
    by_kind: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    by_service: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for coverage, structures in per_coverage.items():
        gs = set(groups_of.get(coverage, ()))
        if coverage in french:
            gs.update(national)
        for g in gs:
            relays[g].update(structures)
            for kind, ids in kinds_of[coverage].items():
                by_kind[g][kind].update(ids)
            for service, ids in services_of[coverage].items():
                by_service[g][service].update(ids)
    ancestors = set(
        TerritoryAncestor.objects.filter(descendant=target).values_list("ancestor_id", flat=True)
    )
    # Every column the criteria read, for the target's own coverage territories only.
    target_rows = RelayIndexEntry.objects.filter(
        territory_id__in=TerritoryAncestor.objects.filter(
            descendant__ancestor_links__ancestor_id=target.pk
        ).values("ancestor_id")
    ).values(*JUDGED_COLUMNS, "structure__kind", "structure__slug", "structure__name")
    return relays, by_kind, by_service, ancestors, target_rows


# --- Diversity -------------------------------------------------------------------------------


MEDIANS_CACHE_SECONDS = 3600


def _national_medians(level: str) -> tuple[float, float]:
    """Median Shannon indices (kinds of located structures, services of located offers) over
    every current territory of ``level`` in France, those without any listing counting 0.

    Cached for an hour (``MEDIANS_CACHE_SECONDS``), not per listing change: one listing moves a
    median over a hundred départements by little or nothing, and recomputing it (0.2 s on
    PostgreSQL, about 1.5 s on SQLite at 100,000 offers) on the first 4 D after every write
    would double that page's cost."""
    key = f"insights:medians:{level}"
    cached = cache.get(key)
    if cached is None:
        cached = _compute_national_medians(level)
        cache.set(key, cached, MEDIANS_CACHE_SECONDS)
    return tuple(cached)


def _compute_national_medians(level: str) -> tuple[float, float]:
    territory_count = Territory.objects.filter(level=level, is_current=True).count()
    kinds: dict[int, list[int]] = defaultdict(list)
    for row in (
        Structure.objects.published()
        # The closure's stored rank: no join with the ancestors' rows.
        .filter(commune__ancestor_links__ancestor_rank=LEVEL_RANK[level])
        .values("kind", g=_ancestor("commune"))
        .annotate(n=Count("pk"))
    ):
        kinds[row["g"]].append(row["n"])
    services: dict[int, list[int]] = defaultdict(list)
    for row in (
        Offer.objects.published()
        .filter(structure__commune__ancestor_links__ancestor_rank=LEVEL_RANK[level])
        .values("service_id", g=_ancestor("structure__commune"))
        .annotate(n=Count("pk"))
    ):
        services[row["g"]].append(row["n"])

    def median(per_territory: dict[int, list[int]]) -> float:
        if not territory_count:
            return 0.0
        values = [shannon(v) for v in per_territory.values()]
        values += [0.0] * max(territory_count - len(values), 0)
        return round(statistics.median(values), 4)

    return median(kinds), median(services)


# --- Dynamics --------------------------------------------------------------------------------


def _dynamics(ids: list[int], *, period_start: datetime.date, today: datetime.date):
    """Changes of the last 12 months, from the history, for each territory of the group."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(period_start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, tz)
    in_period = Q(history_date__gte=since, history_date__lt=until)
    structure_history = Structure.history.model.objects.filter(in_period).filter(
        _located("commune", ids)
    )
    offer_history = Offer.history.model.objects.filter(in_period).filter(
        _located("structure__commune", ids)
    )

    def counted(queryset, path: str) -> dict[int, int]:
        return {
            row["g"]: row["n"]
            for row in queryset.values(g=_ancestor(path)).annotate(n=Count("id", distinct=True))
        }

    structures_created = counted(structure_history.filter(history_type="+"), "commune")
    structures_updated = counted(
        structure_history.filter(history_type="~").exclude(
            history_change_reason__startswith=CONFIRMATION_REASON
        ),
        "commune",
    )
    structures_confirmed = counted(
        structure_history.filter(verified_at__gte=since, verified_at__lt=until), "commune"
    )
    offers_created = counted(offer_history.filter(history_type="+"), "structure__commune")
    offers_updated = counted(offer_history.filter(history_type="~"), "structure__commune")
    previous_active = Subquery(
        Offer.history.model.objects.filter(
            id=OuterRef("id"), history_date__lt=OuterRef("history_date")
        )
        .order_by("-history_date", "-history_id")
        .values("is_active")[:1]
    )
    offers_closed = counted(
        offer_history.annotate(was_active=previous_active).filter(
            Q(history_type="-") | Q(history_type="~", is_active=False, was_active=True)
        ),
        "structure__commune",
    )
    events: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        _events_in_period(period_start, today)
        .filter(_located("territory", ids))
        .values("kind", g=_ancestor("territory"))
        .annotate(n=Count("pk", distinct=True))
    ):
        events[row["g"]][row["kind"]] = row["n"]

    result = {}
    for g in ids:
        by_kind = events.get(g, {})
        result[g] = Dynamics(
            structures_created=structures_created.get(g, 0),
            structures_updated=structures_updated.get(g, 0),
            structures_confirmed=structures_confirmed.get(g, 0),
            offers_created=offers_created.get(g, 0),
            offers_updated=offers_updated.get(g, 0),
            offers_closed=offers_closed.get(g, 0),
            events=sum(by_kind.values()),
            events_by_kind=tuple(
                KindCount(code, str(label), by_kind.get(code, 0))
                for code, label in EventKind.choices
            ),
        )
    return result


def _events_in_period(period_start: datetime.date, today: datetime.date):
    """Events that took place (at least partly) in the period."""
    return TerritorialEvent.objects.filter(start_date__lte=today).filter(
        Q(end_date__gte=period_start) | Q(end_date__isnull=True, start_date__gte=period_start)
    )


def _events(territory: Territory, *, period_start, today) -> tuple[EventRef, ...]:
    events = (
        _events_in_period(period_start, today)
        .filter(territory__ancestor_links__ancestor=territory)
        .select_related("territory", "country")
        .order_by("-start_date", "pk")
    )
    return tuple(
        EventRef(
            id=e.pk,
            kind=e.kind,
            kind_label=str(e.get_kind_display()),
            title=e.title,
            start_date=e.start_date,
            end_date=e.end_date,
            territory=TerritoryRef.of(e.territory),
            country_code=e.country.code if e.country_id else None,
        )
        for e in events
    )


# --- Directionality --------------------------------------------------------------------------


def _service_codes(ids: set[int], services: dict[int, Service]) -> tuple[str, ...]:
    ordered = sorted((services[pk] for pk in ids), key=lambda s: (s.position, s.code))
    return tuple(s.code for s in ordered)


def _directionality(
    territory: Territory, *, rows, ancestors, services, kind_labels, today
) -> Directionality:
    """Each priority of the territory against the relays competent for a firm of it (the
    relay's market and sector rules, ``structures.relay.criteria``; no firm profile)."""
    priorities = list(
        TerritorialPriority.objects.filter(territory=territory)
        .select_related("country", "sector")
        .order_by("kind", "pk")
    )
    if not priorities:
        return Directionality(priorities=())
    rows = list(rows)  # read only when there is something to check
    names = {
        row["structure_id"]: {"slug": row["structure__slug"], "name": row["structure__name"]}
        for row in rows
    }
    checks = []
    for priority in priorities:
        if priority.kind == PriorityKind.MARKET:
            judge = criteria.Judge(
                sectors=None, country=priority.country.code, profile=None, today=today
            )
            code, target = priority.country.code, priority.country.name
        else:
            expanded = criteria.expand_sector(priority.sector.code) or frozenset(
                {priority.sector.code}
            )
            judge = criteria.Judge(sectors=expanded, country=None, profile=None, today=today)
            code, target = priority.sector.code, priority.sector.name
        found: dict[int, dict] = {}
        for row in rows:
            verdict = judge(row)
            if verdict.status != criteria.OK:
                continue
            if priority.kind == PriorityKind.MARKET:
                explicit = verdict.market_match == MarketMatch.EXPLICIT
            else:
                explicit = bool(row["sector_codes"])
            entry = found.setdefault(
                row["structure_id"],
                {
                    "services": set(),
                    "explicit": False,
                    "whole": False,
                    "kind": row["structure__kind"],
                },
            )
            entry["services"].add(row["service_id"])
            entry["explicit"] |= explicit
            entry["whole"] |= row["territory_id"] in ancestors
        relays = sorted(
            (
                RelayRef(
                    structure_id=pk,
                    slug=names[pk]["slug"],
                    name=names[pk]["name"],
                    kind=entry["kind"],
                    kind_label=str(kind_labels.get(entry["kind"], entry["kind"])),
                    services=_service_codes(entry["services"], services),
                    explicit=entry["explicit"],
                    covers_whole=entry["whole"],
                )
                for pk, entry in found.items()
            ),
            key=lambda r: (not r.explicit, not r.covers_whole, r.name, r.structure_id),
        )
        checks.append(
            PriorityCheck(
                priority_id=priority.pk,
                kind=priority.kind,
                kind_label=str(priority.get_kind_display()),
                code=code,
                target=target,
                label=priority.display_label,
                start_year=priority.start_year,
                end_year=priority.end_year,
                relays=tuple(relays),
            )
        )
    return Directionality(priorities=tuple(checks))


# --- A flat table (CSV) ----------------------------------------------------------------------

DENSITY_TOTALS = (
    "population",
    "smes",
    "structures",
    "relays",
    "structures_per_100k",
    "relays_per_100k",
    "structures_per_1000_smes",
    "relays_per_1000_smes",
)
BREAKDOWN_VALUES = ("structures", "relays", *DENSITY_TOTALS[4:])


def dimension_rows(result: TerritoryDimensions) -> list[dict]:
    """The figures as one long table: a row per (territory, dimension, indicator, key)."""
    rows: list[dict] = []
    parent_id = result.parent.territory.id if result.parent else None

    def role(figures: TerritoryFigures) -> str:
        if figures.territory.id == result.territory.territory.id:
            return "territory"
        return "parent" if figures.territory.id == parent_id else "sibling"

    def add(figures, dimension, indicator, key, value):
        ref = figures.territory
        rows.append(
            {
                "role": role(figures),
                "level": ref.level,
                "code": ref.code,
                "name": ref.name,
                "dimension": dimension,
                "indicator": indicator,
                "key": key,
                "value": value,
            }
        )

    everyone = [result.territory, *(s for s in result.siblings if role(s) != "territory")]
    if result.parent is not None:
        everyone.append(result.parent)
    for figures in everyone:
        density = figures.density
        for name in DENSITY_TOTALS:
            add(figures, "density", name, "", getattr(density, name))
        for group, items in (("kind", density.by_kind), ("service", density.by_service)):
            for item in items:
                for name in BREAKDOWN_VALUES:
                    add(figures, "density", f"{group}_{name}", item.code, getattr(item, name))
        for item in density.coverage:
            add(figures, "density", "covered_population", item.code, item.covered_population)
            add(figures, "density", "covered_share", item.code, item.covered_share)
        for name in (
            "kinds_present",
            "services_present",
            "services_with_relay",
            "shannon_kinds",
            "shannon_services",
        ):
            add(figures, "diversity", name, "", getattr(figures.diversity, name))
        dynamics = figures.dynamics
        for name in (
            "structures_created",
            "structures_updated",
            "structures_confirmed",
            "offers_created",
            "offers_updated",
            "offers_closed",
            "events",
        ):
            add(figures, "dynamics", name, "", getattr(dynamics, name))
        for item in dynamics.events_by_kind:
            add(figures, "dynamics", "events_by_kind", item.code, item.count)
    target = result.territory
    add(
        target,
        "diversity",
        "national_median_shannon_kinds",
        "",
        result.national_median_shannon_kinds,
    )
    add(
        target,
        "diversity",
        "national_median_shannon_services",
        "",
        result.national_median_shannon_services,
    )
    for check in result.directionality.priorities:
        add(target, "directionality", f"{check.kind}_relays", check.code, len(check.relays))
        add(
            target,
            "directionality",
            f"{check.kind}_explicit_relays",
            check.code,
            sum(1 for r in check.relays if r.explicit),
        )
    return rows

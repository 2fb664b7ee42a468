"""Reads of the programmes and their local doors (rule R6: the global reached through the local).

The rule that picks a door for a place, documented once here and in ``docs/relay.md``:

1. The programmes that apply are the **current** ones (active, today within their period of
   validity) that apply where the place is: nationwide (EU, national) ones everywhere, a régional
   or départemental one inside its territory of application only.
2. For each, the **doors** are its entry points whose territory contains the place (the
   territories closure: the commune itself, its EPCI, its département, its région, France), at
   a published structure (active and validated).
3. The **most specific territory wins**: a door on the commune beats one on the EPCI, which
   beats the département's, then the région's, then France's (``Territory.rank``). Several
   doors on that same territory are all given, by structure name.
4. A programme that applies but has no door for the place is still given, without a door
   (the page then points at its official page): the gap is shown, never hidden.

A door's contact is shown only when the caller may read it (``readable_contacts_q``: public
contacts for everyone); otherwise the door names the structure alone.

Every function runs a fixed number of queries, whatever the number of programmes or doors.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet

from structures.models import Contact, Programme, ProgrammeEntryPoint
from structures.permissions import Caller
from structures.selectors import readable_contacts_q
from territories.enums import TerritoryLevel
from territories.models import Territory, TerritoryAncestor


@dataclass(frozen=True)
class Door:
    """A programme as it applies to one place, with its most specific entry points there."""

    programme: Programme
    entry_points: tuple[ProgrammeEntryPoint, ...] = ()

    @property
    def has_door(self) -> bool:
        return bool(self.entry_points)


@dataclass(frozen=True)
class DoorGaps:
    """The départements where a programme applies and no door reaches any of their places."""

    programme: Programme
    departements: int
    without_door: tuple[Territory, ...] = field(default=())

    @property
    def missing(self) -> int:
        return len(self.without_door)


def _ancestor_ids(commune) -> tuple[int, ...]:
    return tuple(
        TerritoryAncestor.objects.filter(descendant=commune).values_list("ancestor_id", flat=True)
    )


def _entry_point_rows(*, caller: Caller | None) -> QuerySet[ProgrammeEntryPoint]:
    """Published doors with what a page shows; the contact only when the caller may read it."""
    contacts = Contact.objects.all()
    readable = readable_contacts_q(caller) if caller is not None else Q(is_public=True)
    if readable is not None:
        contacts = contacts.filter(readable)
    return (
        ProgrammeEntryPoint.objects.published()
        .select_related("structure", "territory")
        .prefetch_related(Prefetch("contact", queryset=contacts))
    )


def _door_rows(
    *, caller: Caller | None, programme_ids: list[int], territory_ids: tuple[int, ...] | None
) -> list[ProgrammeEntryPoint]:
    """The published doors of ``programme_ids`` on ``territory_ids``, as ``_entry_point_rows``
    gives them, in one query: the contact is joined rather than prefetched, then dropped from the
    rows whose contact the caller may not read (the same ``readable_contacts_q``). No order: the
    caller sorts what it keeps."""
    if caller is not None:
        readable = readable_contacts_q(caller, prefix="contact__")
    else:
        readable = Q(contact__is_public=True)
    rows = (
        ProgrammeEntryPoint.objects.published()
        .filter(programme__in=programme_ids)
        .select_related("structure", "territory", "contact")
        .order_by()
    )
    if territory_ids is not None:
        rows = rows.filter(territory_id__in=territory_ids)
    if readable is None:
        return list(rows)
    rows = list(
        rows.annotate(contact_readable=ExpressionWrapper(readable, output_field=BooleanField()))
    )
    for row in rows:
        if not row.contact_readable:
            # What the prefetch of an unreadable contact leaves: no contact, the id untouched.
            ProgrammeEntryPoint.contact.field.set_cached_value(row, None)
    return rows


def _keep_finest(rows: Iterable[ProgrammeEntryPoint]) -> dict[int, list[ProgrammeEntryPoint]]:
    """By programme, the rows on the finest territory among ``rows`` (all of them on a tie)."""
    finest: dict[int, list[ProgrammeEntryPoint]] = defaultdict(list)
    for row in rows:
        kept = finest[row.programme_id]
        if kept and kept[0].territory.rank < row.territory.rank:
            continue
        if kept and kept[0].territory.rank > row.territory.rank:
            kept.clear()
        kept.append(row)
    return finest


def finest_entry_point_ids(rows: QuerySet[ProgrammeEntryPoint], *, commune) -> list[int]:
    """Ids of the doors among ``rows`` to use at ``commune``: by programme, those whose territory
    contains it, on the finest such territory (the rule above, for the API's ``commune=``)."""
    found = rows.filter(territory__descendant_links__descendant=commune).select_related("territory")
    return [row.pk for kept in _keep_finest(found).values() for row in kept]


def applicable_programmes(
    *,
    ancestor_ids: Iterable[int],
    service=None,
    programmes: Iterable[Programme] | None = None,
    on: datetime.date | None = None,
) -> QuerySet[Programme]:
    """Current programmes that apply at a place (given the ids of every territory containing it),
    for ``service`` and / or among ``programmes`` when given."""
    qs = Programme.objects.current(on=on).applying_in(ancestor_ids)
    if service is not None:
        qs = qs.for_service(service)
    if programmes is not None:
        qs = qs.filter(pk__in=[p.pk for p in programmes])
    return qs.select_related("operator", "area").order_by("level", "name", "pk")


def entry_points_for(
    *,
    commune,
    programmes: Iterable[Programme] | None = None,
    service=None,
    ancestor_ids: Iterable[int] | None = None,
    caller: Caller | None = None,
    on: datetime.date | None = None,
) -> list[Door]:
    """For a place, each applicable programme with its most specific doors (rule in the module
    docstring). ``ancestor_ids`` (the place and every territory containing it) saves a query
    when the caller already has them (the relay's resolved location does).

    Three queries at most (the place's territories unless given, the programmes, their doors
    with their readable contacts), whatever the number of programmes and doors.
    """
    ids = tuple(ancestor_ids) if ancestor_ids is not None else _ancestor_ids(commune)
    applying = list(
        applicable_programmes(ancestor_ids=ids, service=service, programmes=programmes, on=on)
    )
    if not applying:
        return []
    # The relay's hot path (every answer with a programme): one query for the doors and their
    # contacts rather than a query and a prefetch.
    rows = _door_rows(caller=caller, programme_ids=[p.pk for p in applying], territory_ids=ids)
    return doors_from(applying, rows)


def doors_from(applying: list[Programme], rows: Iterable[ProgrammeEntryPoint]) -> list[Door]:
    """Each programme of ``applying`` (in that order) with its most specific doors among
    ``rows`` (doors of those programmes on territories containing the place)."""
    finest = _keep_finest(rows)
    return [
        Door(
            programme=programme,
            entry_points=tuple(
                sorted(finest.get(programme.pk, ()), key=lambda r: (r.structure.name, r.pk))
            ),
        )
        for programme in applying
    ]


def area_applies(area_id: int | None, ancestor_ids: AbstractSet[int]) -> bool:
    """Whether a programme whose territory of application is ``area_id`` (``None``: all of
    France) applies at a place, given every territory containing it (``ancestor_ids``): the
    rule ``ProgrammeQuerySet.applying_in`` writes in SQL."""
    return area_id is None or area_id in ancestor_ids


def applies_at(programme: Programme, ancestor_ids: AbstractSet[int]) -> bool:
    """``ProgrammeQuerySet.applying_in`` for a programme already read."""
    return area_applies(programme.area_id, ancestor_ids)


def public_doors_of(
    *, service, on: datetime.date
) -> tuple[list[Programme], list[ProgrammeEntryPoint]]:
    """Everything the public may see of a service's programmes, wherever they apply: the current
    programmes serving it (ordered as ``applicable_programmes`` orders them) and all their
    published doors, each with its contact when public. Two queries; for a per-process copy
    (``structures.relay.doors``), the place is chosen in memory."""
    programmes = list(
        Programme.objects.current(on=on)
        .for_service(service)
        .select_related("operator", "area")
        .order_by("level", "name", "pk")
    )
    if not programmes:
        return [], []
    rows = _door_rows(caller=None, programme_ids=[p.pk for p in programmes], territory_ids=None)
    return programmes, rows


def programme_list(*, on: datetime.date | None = None) -> QuerySet[Programme]:
    """Current programmes with their operator, area, services and number of published doors."""
    return (
        Programme.objects.current(on=on)
        .select_related("operator", "area")
        .prefetch_related("services")
        .annotate(
            door_count=Count(
                "entry_points",
                filter=Q(
                    entry_points__structure__is_active=True,
                    entry_points__structure__is_validated=True,
                ),
            )
        )
        .order_by("name", "pk")
    )


def programme_entry_points(
    *, programme: Programme, caller: Caller | None = None
) -> QuerySet[ProgrammeEntryPoint]:
    """A programme's published doors, by territory: widest first (France, régions, départements,
    EPCI, communes), then by code and structure name — the order of the programme page."""
    return (
        _entry_point_rows(caller=caller)
        .filter(programme=programme)
        .order_by("-territory__rank", "territory__code", "structure__name", "pk")
    )


def door_gaps(
    *, programmes: Iterable[Programme], within: Territory | None = None
) -> dict[int, DoorGaps]:
    """For each programme, the current départements where it applies that no door reaches.

    A département is reached when a published door's territory contains it (France, its région,
    itself) or lies within it (one of its EPCI or communes: part of it has a door). A nationwide
    programme applies in every current département, a régional or départemental one in those
    of its territory of application. ``within`` (a coverage report's territory) narrows the count
    to the départements it contains or lies in. Four queries for any number of programmes.
    """
    programmes = list(programmes)
    if not programmes:
        return {}
    candidates = Territory.objects.current().filter(level=TerritoryLevel.DEPARTEMENT)
    if within is not None and within.level != TerritoryLevel.COUNTRY:
        candidates = candidates.filter(
            Q(ancestor_links__ancestor=within) | Q(descendant_links__descendant=within)
        ).distinct()
    departements = {t.pk: t for t in candidates.order_by("code")}
    areas = {p.area_id for p in programmes if p.area_id}
    within_area: dict[int, set[int]] = defaultdict(set)
    for area_id, dep_id in TerritoryAncestor.objects.filter(
        ancestor_id__in=areas, descendant__level=TerritoryLevel.DEPARTEMENT
    ).values_list("ancestor_id", "descendant_id"):
        within_area[area_id].add(dep_id)
    doors = ProgrammeEntryPoint.objects.published().filter(programme__in=programmes)
    reached: dict[int, set[int]] = defaultdict(set)
    below = doors.filter(
        territory__descendant_links__descendant__level=TerritoryLevel.DEPARTEMENT
    ).values_list("programme_id", "territory__descendant_links__descendant_id")
    above = doors.filter(
        territory__ancestor_links__ancestor__level=TerritoryLevel.DEPARTEMENT
    ).values_list("programme_id", "territory__ancestor_links__ancestor_id")
    for programme_id, dep_id in [*below, *above]:
        reached[programme_id].add(dep_id)
    gaps: dict[int, DoorGaps] = {}
    for programme in programmes:
        scope = set(departements)
        if programme.area_id:
            scope &= within_area[programme.area_id]
        missing = sorted(scope - reached[programme.pk], key=lambda pk: departements[pk].code)
        gaps[programme.pk] = DoorGaps(
            programme=programme,
            departements=len(scope),
            without_door=tuple(departements[pk] for pk in missing),
        )
    return gaps


def door_gaps_in(*, territory: Territory, service=None) -> list[DoorGaps]:
    """The current programmes that apply in (part of) ``territory``, for ``service`` when given,
    each with the départements of the territory left without a door (the coverage report's
    section). Five queries."""
    contains = TerritoryAncestor.objects.filter(descendant=territory).values("ancestor_id")
    inside = TerritoryAncestor.objects.filter(ancestor=territory).values("descendant_id")
    programmes = Programme.objects.current().filter(
        Q(area__isnull=True) | Q(area_id__in=contains) | Q(area_id__in=inside)
    )
    if service is not None:
        programmes = programmes.for_service(service)
    programmes = list(programmes.select_related("area").order_by("name", "pk").distinct())
    gaps = door_gaps(programmes=programmes, within=territory)
    return [gaps[p.pk] for p in programmes if gaps[p.pk].departements]

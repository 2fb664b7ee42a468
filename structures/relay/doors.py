"""The local doors of a relay answer (rule R6): for the asked service, each current programme
that applies at the SME's place, with the structure and desk that open it there.

Kept beside the engine, not inside it: ``find_relays`` stays the lookup of competent relays; the
page, the API and any other caller add ``local_doors(response=…)`` to its answer. The rule that
picks the door is ``structures.programmes.entry_points_for`` (the most specific territory wins);
the place's territories come from the resolved location. No query where no active programme of
the service applies (``programme_areas``); for the public, none either once the service's
programmes and doors are in this process's copy (``_public_doors``); for a signed-in caller, who
may read private contacts, two (programmes, doors with their readable contacts).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core.db_router import primary_reads
from core.reference_cache import ReferenceCache
from structures.permissions import Caller
from structures.programmes import (
    Door,
    applies_at,
    area_applies,
    doors_from,
    entry_points_for,
    public_doors_of,
)
from structures.relay import reference
from structures.relay.types import RelayResponse


@dataclass(frozen=True)
class DoorLine:
    """One door as the answer shows it: "Votre porte d'entrée locale : <structure> — <desk>"."""

    entry_point: object  # structures.ProgrammeEntryPoint
    text: str


def door_text(entry_point) -> str:
    """The sentence naming the structure and, when readable, its desk or person."""
    contact = entry_point.contact
    if contact is not None:
        return _("Votre porte d'entrée locale : %(structure)s — %(contact)s") % {
            "structure": entry_point.structure,
            "contact": contact,
        }
    return _("Votre porte d'entrée locale : %(structure)s") % {"structure": entry_point.structure}


def door_lines(door: Door) -> list[DoorLine]:
    return [DoorLine(entry_point=row, text=door_text(row)) for row in door.entry_points]


def _load_programme_areas() -> dict[int, frozenset[int | None]]:
    """By service, the territories of application of the active programmes serving it (``None``:
    a nationwide one). Their dates are not read here: the doors' query checks them."""
    from structures.models import Programme

    areas: dict[int, set[int | None]] = defaultdict(set)
    rows = Programme.services.through.objects.filter(programme__is_active=True).values_list(
        "service_id", "programme__area_id"
    )
    for service_id, area_id in rows:
        areas[service_id].add(area_id)
    return {service_id: frozenset(ids) for service_id, ids in areas.items()}


# Most relay answers have no programme to show: a service no programme serves, or only
# programmes of other régions. Telling so from this copy rather than from the programmes' query
# saves that query (the costliest part of an API answer without doors) on each of them.
programme_areas = ReferenceCache(_load_programme_areas, tables=[reference.PROGRAMME_TABLE])


def could_apply(*, service_id: int, ancestor_ids) -> bool:
    """Whether an active programme serving the service applies everywhere or in one of
    ``ancestor_ids`` (the place and the territories containing it)."""
    ancestors = frozenset(ancestor_ids)
    return any(area_applies(area, ancestors) for area in programme_areas.get().get(service_id, ()))


# Per service and day, what the public may see of its programmes (``public_doors_of``): the
# doors' query compiled and ran for every answer with a programme (half of an API answer's cost
# where one applies). Dropped when a programme, its doors or services, a structure, a contact or
# a territory changes.
_public_doors = ReferenceCache(
    dict,
    tables=[
        reference.PROGRAMME_TABLE,
        reference.STRUCTURE_TABLE,
        reference.CONTACT_TABLE,
        reference.TERRITORY_TABLE,
    ],
)
_PUBLIC_DOORS_KEPT = 64  # (service, day) pairs: the catalogue's services, today


def _public_doors_of(service, day: datetime.date):
    kept = _public_doors.get()
    key = (service.pk, day)
    found = kept.get(key)
    if found is None:
        if len(kept) >= _PUBLIC_DOORS_KEPT:
            kept.clear()
        # From the primary, as the reference copies: rows read from a lagging replica would be
        # kept under the new version token.
        with primary_reads():
            found = kept[key] = public_doors_of(service=service, on=day)
    return found


def local_doors(*, response: RelayResponse, caller: Caller | None = None) -> list[Door]:
    """The programmes of the answer's service that apply at its place, with their doors there.

    No query where no active programme of the service applies (most answers): the services and
    territories of the active programmes are a reference copy (``programme_areas``). The public
    (no caller, or an anonymous one) is answered from this process's copy of the service's
    programmes and doors; a signed-in caller, who may read private contacts, by the query.
    """
    location = response.location
    if not could_apply(service_id=response.service.pk, ancestor_ids=location.ancestor_ids):
        return []
    if caller is not None and caller.is_authenticated:
        return entry_points_for(
            commune=location.commune,
            service=response.service,
            ancestor_ids=location.ancestor_ids,
            caller=caller,
        )
    programmes, rows = _public_doors_of(response.service, timezone.localdate())
    ancestors = frozenset(location.ancestor_ids)
    applying = [programme for programme in programmes if applies_at(programme, ancestors)]
    applying_ids = {programme.pk for programme in applying}
    return doors_from(
        applying,
        (r for r in rows if r.programme_id in applying_ids and r.territory_id in ancestors),
    )

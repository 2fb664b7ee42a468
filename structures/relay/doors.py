"""The local doors of a relay answer (rule R6): for the asked service, each current programme
that applies at the SME's place, with the structure and desk that open it there.

Kept beside the engine, not inside it: ``find_relays`` stays the lookup of competent relays; the
page, the API and any other caller add ``local_doors(response=…)`` to its answer. The rule that
picks the door is ``structures.programmes.entry_points_for`` (the most specific territory wins);
the place's territories come from the resolved location, so this runs three queries (programmes,
doors, their readable contacts) whatever the answer holds, and none for a service that no
active programme serves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from structures.permissions import Caller
from structures.programmes import Door, entry_points_for
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


def local_doors(*, response: RelayResponse, caller: Caller | None = None) -> list[Door]:
    """The programmes of the answer's service that apply at its place, with their doors there.

    No query for a service no active programme serves (most of the catalogue): the set of those
    that have one is a reference copy (``reference.programme_services``).
    """
    if response.service.pk not in reference.programme_services.get():
        return []
    location = response.location
    return entry_points_for(
        commune=location.commune,
        service=response.service,
        ancestor_ids=location.ancestor_ids,
        caller=caller,
    )

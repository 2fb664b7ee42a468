"""The two sides of tests/relay/test_reference_workers.py, each run in a process of its own
(``python -c "from tests.relay.reference_worker import …"`` with ``DJANGO_SETTINGS_MODULE``).

A reader answers "read" lines on its standard input with what its reference copies say; a
writer changes (or restores) a service, a country and a filière in one committed transaction.
Results are printed as ``RESULT <json>`` lines: Django may print other things.
"""

from __future__ import annotations

import json
import sys

import django

SERVICE, COUNTRY, FILIERE, DIVISION = "prospecting-missions", "MA", "agroalimentaire", "62"
RENAMED_SERVICE, RENAMED_COUNTRY = "Missions renommées par l'autre processus", "Maroc (renommé)"


def _emit(payload: dict) -> None:
    print("RESULT " + json.dumps(payload), flush=True)


def _read() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from structures.relay import reference

    with CaptureQueriesContext(connection) as captured:
        result = {
            "service": reference.services.get()[SERVICE].name,
            "country": reference.countries.get()[COUNTRY].name,
            "filiere_matches_division": FILIERE in reference.sectors.get().expansions[DIVISION],
        }
    return {**result, "queries": len(captured.captured_queries)}


RELAY_COMMUNE, RELAY_NAME, RELAY_RENAMED = "34172", "Relais de l'autre processus", "Relais renommé"
RELAY_PHONE, RELAY_NEW_PHONE = "0400000001", "0400000002"


def _relays() -> list[list]:
    """What a lookup near the relay shows: each result's structure and the phone to call."""
    from structures.relay.engine import find_relays
    from structures.relay.query import RelayRequest, resolve_query

    response = find_relays(resolve_query(RelayRequest(service=SERVICE, commune=RELAY_COMMUNE)))
    return [[r.structure.name, r.contact.phone if r.contact else None] for r in response.results]


def serve() -> None:
    """The reader: one answer per "read" line, until its standard input closes."""
    django.setup()
    for line in sys.stdin:
        if line.strip() == "read":
            _emit(_read())
        elif line.strip() == "relays":
            _emit({"relays": _relays()})


def write(action: str, originals: dict | None = None) -> None:
    """The writer: ``change`` renames, ``restore`` puts ``originals`` back, ``rollback`` renames
    in a transaction that rolls back and reports what it read inside and after it."""
    django.setup()
    from django.db import transaction

    from structures.models import Sector, Service
    from territories.models import Territory

    if action.endswith("_relay"):
        _write_relay(action)
        _emit({"done": action})
        return
    service = Service.objects.get(code=SERVICE)
    country = Territory.objects.get(level="country", code=COUNTRY)
    filiere, division = Sector.objects.get(code=FILIERE), Sector.objects.get(code=DIVISION)
    if action == "rollback":
        before = _read()
        with transaction.atomic():
            service.name = RENAMED_SERVICE
            service.save()
            inside = _read()
            transaction.set_rollback(True)
        _emit({"before": before, "inside": inside, "after": _read()})
        return
    with transaction.atomic():
        if action == "change":
            service.name, country.name = RENAMED_SERVICE, RENAMED_COUNTRY
            filiere.naf_divisions.add(division)
        else:
            service.name, country.name = originals["service"], originals["country"]
            filiere.naf_divisions.remove(division)
        service.save()
        country.save()
    _emit({"done": action})


def _write_relay(action: str) -> None:
    """``add_relay`` creates a relay near the reader's lookup, ``edit_relay`` renames it and
    changes its desk's phone (ORM saves, as the back office writes), ``drop_relay`` deletes it;
    each in one committed transaction."""
    from django.db import transaction

    from structures.models import Contact, Service, Structure
    from territories.models import Territory
    from tests.structures.factories import ContactFactory, OfferFactory, StructureFactory

    with transaction.atomic():
        if action == "add_relay":
            place = Territory.objects.get(level="commune", code=RELAY_COMMUNE)
            department = Territory.objects.get(level="departement", code="34")
            structure = StructureFactory(name=RELAY_NAME, commune=place, coverage=[department])
            OfferFactory(structure=structure, service=Service.objects.get(code=SERVICE))
            ContactFactory(structure=structure, name="Guichet export", phone=RELAY_PHONE)
        elif action == "edit_relay":
            structure = Structure.objects.get(name=RELAY_NAME)
            structure.name = RELAY_RENAMED
            structure.save()
            desk = Contact.objects.get(structure=structure)
            desk.phone = RELAY_NEW_PHONE
            desk.save()
        else:
            Structure.objects.filter(name__in=[RELAY_NAME, RELAY_RENAMED]).delete()

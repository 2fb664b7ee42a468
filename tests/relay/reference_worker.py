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


def serve() -> None:
    """The reader: one answer per "read" line, until its standard input closes."""
    django.setup()
    for line in sys.stdin:
        if line.strip() == "read":
            _emit(_read())


def write(action: str, originals: dict | None = None) -> None:
    """The writer: ``change`` renames, ``restore`` puts ``originals`` back, ``rollback`` renames
    in a transaction that rolls back and reports what it read inside and after it."""
    django.setup()
    from django.db import transaction

    from structures.models import Sector, Service
    from territories.models import Territory

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

"""Demo events and priorities (demo/territorial.py): loaded with the demo, idempotent, within the
dynamics' period, and shown by the 4 D."""

from __future__ import annotations

import pytest

from demo.loader import load_demo
from demo.territorial import EVENTS, PRIORITIES
from insights.dimensions import territory_dimensions
from insights.models import TerritorialEvent, TerritorialPriority
from tests.structures.factories import territory

pytestmark = pytest.mark.django_db


def test_demo_events_and_priorities_show_in_the_4d():
    report = load_demo(sme_count=5)
    assert report.created["Événements territoriaux"] == len(EVENTS)
    assert report.created["Priorités territoriales"] == len(PRIORITIES)
    second = load_demo(sme_count=5)
    assert second.unchanged["Priorités territoriales"] == len(PRIORITIES)
    assert not second.changed
    assert TerritorialEvent.objects.count() == len(EVENTS)
    assert TerritorialPriority.objects.count() == len(PRIORITIES)

    herault = territory_dimensions(territory=territory("departement", "34"), with_coverage=False)
    assert herault.territory.dynamics.events == 3
    assert {p.code for p in herault.directionality.priorities} == {
        "MA",
        "US",
        "JP",
        "vins-spiritueux",
        "numerique",
    }
    assert herault.territory.density.relays > 0
    guadeloupe = territory_dimensions(
        territory=territory("departement", "971"), with_coverage=False
    )
    assert {p.code for p in guadeloupe.directionality.priorities} == {
        "CA",
        "DO",
        "agroalimentaire",
    }

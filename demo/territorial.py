"""Demo events and strategic priorities of a few territories (insights), so that the "4 D" pages
show the coordinators' half: the Hérault (the CCI Montpellier's export groups and missions of
Torrès 2002), Corse-du-Sud and Guadeloupe (where relays are scarce).

Fictitious, like every demo event: plausible actions, no real person. Dates are months before
the current month (its first day), so that they stay within the dynamics' last 12 months; a load
in the same month changes nothing. Keyed on (territory, title) for events and (territory, kind,
target) for priorities.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from insights.enums import EventKind, PriorityKind
from insights.models import TerritorialEvent, TerritorialPriority
from structures.models import Sector
from territories.models import Territory


@dataclass(frozen=True)
class EventSpec:
    departement: str
    kind: str
    title: str
    months_ago: int
    days: int = 1
    country: str = ""
    sector: str = ""
    description: str = ""


@dataclass(frozen=True)
class PrioritySpec:
    departement: str
    country: str = ""
    sector: str = ""
    label: str = ""
    notes: str = ""


EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        "34",
        EventKind.TRADE_MISSION,
        "Mission de prospection agroalimentaire à Casablanca",
        months_ago=4,
        days=4,
        country="MA",
        sector="agroalimentaire",
        description="Huit PME de l'Hérault, rendez-vous d'affaires préparés avec le bureau local.",
    ),
    EventSpec(
        "34",
        EventKind.COLLECTIVE_ACTION,
        "Pavillon collectif des vins de l'Hérault à Düsseldorf",
        months_ago=8,
        days=3,
        country="DE",
        sector="vins-spiritueux",
        description="Stand partagé par douze domaines et caves coopératives.",
    ),
    EventSpec(
        "34",
        EventKind.EXPORT_GROUP_CREATION,
        "Création d'un groupement à l'export de trois PME du numérique",
        months_ago=2,
        sector="numerique",
        description="Trois PME non concurrentes partagent une chargée d'export à temps partiel.",
    ),
    EventSpec(
        "2A",
        EventKind.COLLECTIVE_ACTION,
        "Atelier « premiers pas à l'export » pour les PME agroalimentaires d'Ajaccio",
        months_ago=5,
        sector="agroalimentaire",
    ),
    EventSpec(
        "971",
        EventKind.TRADE_MISSION,
        "Mission de prospection en République dominicaine",
        months_ago=6,
        days=3,
        country="DO",
    ),
)

PRIORITIES: tuple[PrioritySpec, ...] = (
    PrioritySpec("34", country="MA", notes="Marché de proximité, liaisons aériennes directes."),
    PrioritySpec("34", country="US"),
    PrioritySpec("34", country="JP", label="Japon (vins et agroalimentaire)"),
    PrioritySpec("34", sector="vins-spiritueux"),
    PrioritySpec("34", sector="numerique"),
    PrioritySpec("2A", country="IT", notes="Sardaigne et Italie continentale."),
    PrioritySpec("2A", sector="agroalimentaire"),
    PrioritySpec("971", country="CA"),
    PrioritySpec("971", country="DO"),
    PrioritySpec("971", sector="agroalimentaire"),
)


def load_demo_territorial(*, report, today: datetime.date | None = None) -> None:
    """Write the demo events and priorities (``report``: the loader's ``DemoReport``)."""
    from demo.loader import _upsert

    month = (today or timezone.localdate()).replace(day=1)
    departements = {
        t.code: t for t in Territory.objects.filter(level="departement", is_current=True)
    }
    countries = {t.code: t for t in Territory.objects.filter(level="country")}
    sectors = {s.code: s for s in Sector.objects.all()}

    def place(code: str, what: str):
        territory = departements.get(code)
        if territory is None:
            report.warnings.append(f"{what} : département {code} absent du référentiel, ignoré.")
        return territory

    for spec in EVENTS:
        territory = place(spec.departement, f"Événement « {spec.title} »")
        if territory is None:
            continue
        start = month - relativedelta(months=spec.months_ago)
        _upsert(
            report,
            "Événements territoriaux",
            TerritorialEvent,
            {"territory": territory, "title": spec.title},
            {
                "kind": spec.kind,
                "start_date": start,
                "end_date": start + datetime.timedelta(days=spec.days - 1)
                if spec.days > 1
                else None,
                "country": countries.get(spec.country),
                "sector": sectors.get(spec.sector),
                "description": spec.description,
            },
            clean=True,
        )
    for spec in PRIORITIES:
        territory = place(spec.departement, "Priorité territoriale")
        if territory is None:
            continue
        if spec.country:
            lookup = {
                "territory": territory,
                "kind": PriorityKind.MARKET,
                "country": countries[spec.country],
            }
        else:
            lookup = {
                "territory": territory,
                "kind": PriorityKind.SECTOR,
                "sector": sectors[spec.sector],
            }
        _upsert(
            report,
            "Priorités territoriales",
            TerritorialPriority,
            lookup,
            {"label": spec.label, "notes": spec.notes},
            clean=True,
        )

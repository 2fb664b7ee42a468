"""The insights API: /api/v1/territories/<level>/<code>/dimensions/, /api/v1/territorial-events/,
/api/v1/territorial-priorities/ (public reads, official codes, JSON and CSV)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from insights.enums import EventKind, PriorityKind
from insights.models import TerritorialEvent, TerritorialPriority
from structures.relay.indexing import refresh_relay_index
from tests.api.conftest import body_of
from tests.smes.factories import SMEFactory
from tests.structures.factories import OfferFactory, StructureFactory, sector, service, territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    herault, gard = territory("departement", "34"), territory("departement", "30")
    cci = StructureFactory(name="CCI Hérault", coverage=[herault])
    OfferFactory(
        structure=cci, service=service("trade-fairs"), markets=[territory("country", "MA")]
    )
    SMEFactory()
    refresh_relay_index()
    events = [
        TerritorialEvent.objects.create(
            territory=herault,
            kind=EventKind.TRADE_MISSION,
            title="Mission Maroc",
            start_date=datetime.date(2026, 3, 2),
            end_date=datetime.date(2026, 3, 6),
            country=territory("country", "MA"),
        ),
        TerritorialEvent.objects.create(
            territory=territory("epci", "243400017"),
            kind=EventKind.COLLECTIVE_ACTION,
            title="Stand commun",
            start_date=datetime.date(2025, 6, 1),
        ),
        TerritorialEvent.objects.create(
            territory=gard,
            kind=EventKind.EXPORT_GROUP_CREATION,
            title="Groupement vins du Gard",
            start_date=datetime.date(2026, 1, 15),
        ),
    ]
    priorities = [
        TerritorialPriority.objects.create(
            territory=herault,
            kind=PriorityKind.MARKET,
            country=territory("country", "MA"),
            start_year=2025,
            end_year=2027,
        ),
        TerritorialPriority.objects.create(
            territory=herault,
            kind=PriorityKind.MARKET,
            country=territory("country", "JP"),
            label="Japon (agroalimentaire)",
        ),
        TerritorialPriority.objects.create(
            territory=gard, kind=PriorityKind.SECTOR, sector=sector("vins-spiritueux")
        ),
    ]
    return events, priorities


def test_dimensions_json(api, data):
    response = api.get("/api/v1/territories/departement/34/dimensions/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["territory"]["territory"] == {
        "level": "departement",
        "code": "34",
        "name": "Hérault",
    }
    density = body["territory"]["density"]
    assert (density["structures"], density["relays"], density["smes"]) == (1, 1, 1)
    assert body["parent"]["territory"]["code"] == "76"
    assert [s["territory"]["code"] for s in body["siblings"]] == ["30", "34"]
    checks = {p["code"]: p for p in body["directionality"]["priorities"]}
    assert checks["MA"]["has_relay"] is True
    assert checks["MA"]["relays"][0]["name"] == "CCI Hérault"
    assert checks["MA"]["relays"][0]["explicit"] is True
    # The CCI's only offer names Morocco: nothing for Japan.
    assert checks["JP"]["relays"] == [] and checks["JP"]["label"] == "Japon (agroalimentaire)"
    assert body["directionality"]["without_relay"] == ["JP"]
    fairs = next(c for c in density["coverage"] if c["code"] == "trade-fairs")
    assert fairs["covered_population"] > 0


def test_dimensions_csv(api, data):
    response = api.get("/api/v1/territories/epci/243400017/dimensions/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body_of(response).decode())))
    assert set(rows[0]) == {
        "role",
        "level",
        "code",
        "name",
        "dimension",
        "indicator",
        "key",
        "value",
    }
    by = {(r["role"], r["code"], r["indicator"], r["key"]): r["value"] for r in rows}
    assert by[("territory", "243400017", "structures", "")] == "1"
    assert by[("parent", "34", "structures", "")] == "1"
    assert ("sibling", "243400017", "structures", "") not in by


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/territories/commune/34172/dimensions/", 400),
        ("/api/v1/territories/pays/FR/dimensions/", 400),
        ("/api/v1/territories/departement/3X4/dimensions/", 400),
        ("/api/v1/territories/departement/98/dimensions/", 404),
        ("/api/v1/territories/departement/34/dimensions/?x=1", 400),
    ],
)
def test_dimensions_bad_input(api, data, url, status):
    assert api.get(url).status_code == status


def test_events_list_and_filters(api, data):
    body = api.get("/api/v1/territorial-events/").json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["title"] == "Mission Maroc"
    assert first["territory"]["code"] == "34" and first["country"]["code"] == "MA"

    def titles(query):
        response = api.get(f"/api/v1/territorial-events/?{query}")
        assert response.status_code == 200, response.content
        return [e["title"] for e in response.json()["results"]]

    # Inside the Hérault: its own events and its EPCI's.
    assert titles("in=departement:34") == ["Mission Maroc", "Stand commun"]
    assert titles("in=region:76") == ["Mission Maroc", "Groupement vins du Gard", "Stand commun"]
    assert titles("kind=export_group_creation") == ["Groupement vins du Gard"]
    assert titles("date_from=2026-03-05") == ["Mission Maroc"]
    assert titles("date_from=2026-01-01&date_to=2026-02-01") == ["Groupement vins du Gard"]
    assert titles("country=MA") == ["Mission Maroc"]
    for bad in ("kind=party", "date_from=2026-13-01", "in=departement:99x", "page=abc"):
        assert api.get(f"/api/v1/territorial-events/?{bad}").status_code in (400, 404), bad


def test_events_csv(api, data):
    response = api.get("/api/v1/territorial-events/?format=csv")
    assert response.status_code == 200
    assert response["X-Total-Count"] == "3"
    rows = list(csv.DictReader(io.StringIO(body_of(response).decode())))
    assert rows[0]["territory.code"] == "34" and rows[0]["kind"] == "trade_mission"


def test_priorities_list_and_filters(api, data):
    def codes(query=""):
        response = api.get(f"/api/v1/territorial-priorities/?{query}")
        assert response.status_code == 200, response.content
        return [
            (p["territory"]["code"], (p["country"] or p["sector"])["code"])
            for p in response.json()["results"]
        ]

    assert codes() == [("30", "vins-spiritueux"), ("34", "MA"), ("34", "JP")]
    assert codes("in=departement:34&kind=market") == [("34", "MA"), ("34", "JP")]
    assert codes("sector=vins-spiritueux") == [("30", "vins-spiritueux")]
    assert codes("country=jp") == [("34", "JP")]
    assert codes("year=2030") == [("30", "vins-spiritueux"), ("34", "JP")]
    assert api.get("/api/v1/territorial-priorities/?year=20x").status_code == 400
    assert api.get("/api/v1/territorial-priorities/?sector=nope").status_code == 400

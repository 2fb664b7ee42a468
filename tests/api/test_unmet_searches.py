"""Unmet searches over HTTP: counted by ``/api/v1/relays/``, read at ``/api/v1/unmet-searches/``."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from structures.models import UnmetSearch
from tests.api.conftest import body_of
from tests.structures.factories import OfferFactory, StructureFactory, service, territory

pytestmark = pytest.mark.django_db

RELAYS = "/api/v1/relays/"
URL = "/api/v1/unmet-searches/"


@pytest.fixture
def herault_relay():
    structure = StructureFactory(coverage=[territory("departement", "34")])
    return OfferFactory(structure=structure, service=service("trade-fairs"))


def rows():
    return {
        (r.commune.code, r.service.code, r.country.code if r.country else None): r.count
        for r in UnmetSearch.objects.select_related("commune", "service", "country")
    }


# --- Recording by the relay lookup -----------------------------------------------------------


def test_the_api_counts_unmet_lookups_only(api, herault_relay):
    met = api.get(RELAYS, {"commune": "34172", "service": "trade-fairs"})
    assert met.status_code == 200 and met.json()["results"]
    assert rows() == {}
    for _ in range(2):
        unmet = api.get(RELAYS, {"commune": "34172", "service": "export-finance"})
        assert unmet.status_code == 200 and unmet.json()["results"] == []
    api.get(RELAYS, {"commune": "34172", "service": "export-finance", "country": "MA"})
    assert rows() == {
        ("34172", "export-finance", None): 2,
        ("34172", "export-finance", "MA"): 1,
    }
    assert UnmetSearch.objects.filter(month=timezone.localdate().replace(day=1)).count() == 2


def test_a_refused_lookup_counts_nothing(api):
    assert api.get(RELAYS, {"commune": "99999", "service": "export-finance"}).status_code == 400
    assert api.get(RELAYS, {"commune": "34172", "service": "nope"}).status_code == 400
    assert (
        api.get(RELAYS, {"commune": "34172", "service": "export-finance", "zz": "1"}).status_code
        == 400
    )
    assert rows() == {}


def test_head_requests_and_prefetches_count_nothing(api):
    params = {"commune": "34172", "service": "export-finance"}
    assert api.head(RELAYS, params).status_code == 200
    assert api.get(RELAYS, params, HTTP_SEC_PURPOSE="prefetch").status_code == 200
    assert api.get(RELAYS, params, HTTP_PURPOSE="prefetch").status_code == 200
    assert rows() == {}
    api.get(RELAYS, params)
    assert rows() == {("34172", "export-finance", None): 1}


def test_a_siret_lookup_keeps_nothing_but_the_commune(api):
    from tests.smes.factories import SMEFactory

    sme = SMEFactory(commune=territory("commune", "34172"))
    response = api.get(RELAYS, {"siret": sme.siret, "service": "export-finance"})
    assert response.status_code == 200, response.content
    assert rows() == {("34172", "export-finance", None): 1}


# --- The list --------------------------------------------------------------------------------


@pytest.fixture
def counts():
    def add(commune, service_code, month, n, country=None):
        return UnmetSearch.objects.create(
            commune=territory("commune", commune),
            service=service(service_code),
            country=territory("country", country) if country else None,
            month=month,
            count=n,
        )

    return [
        add("97105", "export-finance", date(2026, 11, 1), 32),
        add("97105", "export-finance", date(2026, 11, 1), 4, "MA"),
        add("97105", "trade-fairs", date(2026, 10, 1), 2),
        add("34172", "export-finance", date(2026, 9, 1), 7),
        add("69123", "transport-logistics", date(2025, 1, 1), 1, "US"),
    ]


def test_the_list_is_public_paginated_and_ordered(api, counts):
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    first = body["results"][0]
    assert first == {
        "commune": {"level": "commune", "code": "97105", "name": "Basse-Terre"},
        "service": {"code": "export-finance", "name": service("export-finance").name},
        "country": None,
        "month": "2026-11",
        "count": 32,
    }
    assert [r["month"] for r in body["results"]] == [
        "2026-11",
        "2026-11",
        "2026-10",
        "2026-09",
        "2025-01",
    ]
    assert body["results"][1]["country"]["code"] == "MA"
    page = api.get(URL, {"page_size": 2, "page": 2}).json()
    assert len(page["results"]) == 2 and page["results"][0]["month"] == "2026-10"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"in": "departement:971"}, 3),
        ({"in": "region:01"}, 3),
        ({"in": "97105"}, 3),
        ({"in": "34"}, 1),
        ({"in": "region:76"}, 1),
        ({"service": "export-finance"}, 3),
        ({"country": "MA"}, 1),
        ({"country": "ma", "in": "971"}, 1),
        ({"month_from": "2026-10"}, 3),
        ({"month_to": "2026-09"}, 2),
        ({"month_from": "2026-09", "month_to": "2026-10"}, 2),
        ({"in": "971", "service": "export-finance", "month_from": "2026-11"}, 2),
    ],
)
def test_the_list_filters(api, counts, params, expected):
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == expected


def test_an_epci_filter_counts_its_communes(api, counts):
    from territories.models import Territory

    epci = Territory.objects.ancestors_of(territory("commune", "97105")).get(level="epci")
    assert api.get(URL, {"in": f"epci:{epci.code}"}).json()["count"] == 3


@pytest.mark.parametrize(
    "params, field",
    [
        ({"month_from": "2026-13"}, "month_from"),
        ({"month_from": "novembre"}, "month_from"),
        ({"month_to": "2026-1"}, "month_to"),
        ({"month_from": "2026-11", "month_to": "2026-10"}, "month_to"),
        ({"service": "nope"}, "service"),
        ({"country": "ZZ"}, "country"),
        ({"in": "departement:00"}, "in"),
        ({"since": "2026-01"}, "since"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(api, counts, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_the_csv_has_every_filtered_row(api, counts):
    response = api.get(URL, {"format": "csv", "in": "971", "page_size": 1})
    assert response.status_code == 200
    assert response["X-Total-Count"] == "3"
    assert "recherches-sans-relais.csv" in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(body_of(response).decode("utf-8-sig"))))
    assert len(table) == 3
    assert table[0]["commune.code"] == "97105"
    assert table[0]["count"] == "32"
    assert table[0]["month"] == "2026-11"


def test_the_api_root_lists_the_endpoint(api):
    assert api.get("/api/v1/").json()["endpoints"]["unmet_searches"].endswith(URL)

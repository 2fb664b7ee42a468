"""``/api/v1/relays/``: the engine's answer over HTTP, every explanation field, every error."""

from __future__ import annotations

import csv
import io

import pytest

from tests.smes.factories import SMEFactory
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/relays/"
MONTPELLIER = "34172"


def relay(commune_code="34172", *, covers, service_code="trade-fairs", **offer):
    structure = StructureFactory(commune=territory("commune", commune_code), coverage=covers)
    return OfferFactory(structure=structure, service=service(service_code), **offer)


@pytest.fixture
def relays():
    herault = relay(covers=[territory("departement", "34")], markets=[territory("country", "MA")])
    ContactFactory(structure=herault.structure, name="Service international")
    region = relay("30189", covers=[territory("region", "76")])
    lyon = relay("69123", covers=[territory("departement", "69")], delivery="remote")
    return {"herault": herault, "region": region, "lyon": lyon}


def test_relay_lookup_returns_ranked_explained_results(api, relays):
    response = api.get(
        URL, {"commune": MONTPELLIER, "service": "trade-fairs", "country": "MA", "k": 5}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["location"]["commune"]["code"] == MONTPELLIER
    assert body["location"]["precision"] == "commune"
    assert body["service"]["code"] == "trade-fairs"
    assert body["country"]["code"] == "MA"
    first = body["results"][0]
    assert first["structure"]["id"] == relays["herault"].structure.pk
    assert first["rank"] == 1 and first["is_competent"] is True
    assert first["matched_territory"] == {
        "level": "departement",
        "code": "34",
        "name": "Hérault",
    }
    assert first["matched_level"] == "departement"
    assert first["market_match"] == "explicit"
    assert first["same_region"] is True
    assert first["contact"]["name"] == "Service international"
    assert first["has_named_contact"] is True
    assert first["why_fr"] and first["why_en"]
    assert first["distance_km"] < 5 and first["distance_is_approximate"] is True
    expected_keys = {
        "rank",
        "is_competent",
        "fallback",
        "fallback_label",
        "structure",
        "offer",
        "distance_km",
        "distance_is_approximate",
        "matched_territory",
        "matched_level",
        "market_match",
        "market_label",
        "same_region",
        "region_first",
        "is_national",
        "information_to_check",
        "contact",
        "has_named_contact",
        "conditions",
        "notes",
        "why_fr",
        "why_en",
    }
    assert set(first) == expected_keys
    assert first["information_to_check"] is False
    competent = [r["structure"]["id"] for r in body["results"]]
    assert relays["region"].structure.pk in competent
    fallbacks = {r["structure"]["id"]: r for r in body["fallbacks"]}
    assert fallbacks[relays["lyon"].structure.pk]["fallback"] == "remote"
    assert fallbacks[relays["lyon"].structure.pk]["is_competent"] is False
    ranks = [r["rank"] for r in body["results"] + body["fallbacks"]]
    assert ranks == list(range(1, len(ranks) + 1))


def test_relay_lookup_by_postal_code_with_commune_and_by_coordinates(api, relays):
    ok = api.get(URL, {"postal_code": "34000", "service": "trade-fairs"})
    assert ok.status_code == 200
    both = api.get(URL, {"postal_code": "13100", "commune": "13001", "service": "trade-fairs"})
    assert both.status_code == 200
    assert both.json()["location"]["commune"]["code"] == "13001"
    point = api.get(URL, {"lat": 43.61, "lon": 3.87, "service": "trade-fairs"})
    assert point.status_code == 200
    assert point.json()["location"]["precision"] == "exact"


def test_ambiguous_postal_code_lists_the_candidates(api, relays):
    response = api.get(URL, {"postal_code": "13100", "service": "trade-fairs"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "ambiguous_postal_code"
    assert "plusieurs communes" in body["detail"]
    assert "postal_code" in body["errors"]
    assert len(body["candidates"]) == 5
    assert {"level": "commune", "code": "13001", "name": "Aix-en-Provence"} in body["candidates"]


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"commune": "99999", "service": "trade-fairs"}, "unknown_commune", "commune"),
        ({"commune": "abc", "service": "trade-fairs"}, "malformed", "commune"),
        ({"commune": MONTPELLIER, "service": "nope"}, "unknown_service", "service"),
        (
            {"commune": MONTPELLIER, "service": "trade-fairs", "country": "ZZ"},
            "unknown_country",
            "country",
        ),
        (
            {"commune": MONTPELLIER, "service": "trade-fairs", "sector": "zz"},
            "unknown_sector",
            "sector",
        ),
        ({"postal_code": "00000", "service": "trade-fairs"}, "unknown_postal_code", "postal_code"),
        ({"service": "trade-fairs"}, "missing_location", "commune"),
        ({"lat": 10, "lon": 10, "service": "trade-fairs"}, "outside_france", "latitude"),
    ],
)
def test_engine_errors_are_400_with_the_engine_message(api, params, code, field):
    response = api.get(URL, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert field in body["errors"]
    assert body["detail"] == body["errors"][field][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"commune": MONTPELLIER}, "service"),
        ({"commune": MONTPELLIER, "service": "trade-fairs", "k": 0}, "k"),
        ({"commune": MONTPELLIER, "service": "trade-fairs", "k": 51}, "k"),
        ({"commune": MONTPELLIER, "service": "trade-fairs", "k": "cinq"}, "k"),
        ({"lat": 43.6, "service": "trade-fairs"}, "lon"),
        ({"lat": 143.6, "lon": 3, "service": "trade-fairs"}, "lat"),
        ({"commune": MONTPELLIER, "service": "trade-fairs", "employees": -3}, "employees"),
        ({"commune": MONTPELLIER, "service": "trade-fairs", "created_on": "hier"}, "created_on"),
        ({"commune": MONTPELLIER, "service": "trade-fairs", "export_stage": "x"}, "export_stage"),
    ],
)
def test_malformed_queries_are_400(api, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_eligibility_profile_filters(api):
    big_only = relay(covers=[territory("departement", "34")], min_employees=10)
    base = {"commune": MONTPELLIER, "service": "trade-fairs"}
    noted = api.get(URL, base).json()["results"][0]
    assert noted["structure"]["id"] == big_only.structure.pk and noted["notes"]
    small = api.get(URL, {**base, "employees": 5, "include_remote": "false"}).json()
    assert big_only.structure.pk not in [r["structure"]["id"] for r in small["results"]]


def test_csv_and_geojson_formats(api, relays):
    params = {"commune": MONTPELLIER, "service": "trade-fairs", "k": 5}
    response = api.get(URL, {**params, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["rank"] == "1" and rows[0]["why_fr"]
    assert rows[0]["structure.id"] == str(relays["herault"].structure.pk)
    geo = api.get(URL, {**params, "format": "geojson"}).json()
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0]["geometry"]["type"] == "Point"
    assert geo["features"][0]["properties"]["rank"] == 1
    error = api.get(URL, {"postal_code": "13100", "service": "trade-fairs", "format": "csv"})
    assert error.status_code == 400 and error["Content-Type"] == "application/json"


def test_siret_lookup_uses_the_sme_record_only_for_callers_who_may_read_it(
    api, token_client, relays, sirene
):
    sme = SMEFactory(latitude=43.65, longitude=3.95)  # Montpellier, its own point
    params = {"siret": sme.siret, "service": "trade-fairs"}
    anonymous = api.get(URL, params)
    assert anonymous.status_code == 200, anonymous.content
    assert anonymous.json()["location"]["commune"]["code"] == MONTPELLIER
    assert anonymous.json()["location"]["precision"] == "commune"
    agency = token_client(scope=[territory("region", "76")], perms=["smes.view_sme"])
    inside = agency.get(URL, params).json()
    assert inside["location"]["precision"] == "exact"
    assert (inside["location"]["latitude"], inside["location"]["longitude"]) == (43.65, 3.95)
    elsewhere = token_client(scope=[territory("departement", "69")], perms=["smes.view_sme"])
    outside = elsewhere.get(URL, params)
    assert outside.status_code == 200
    assert outside.json() == anonymous.json()  # out of its territory: SIRENE's public fields
    assert sirene.requests == []  # a registered firm is never looked up in SIRENE
    unknown = api.get(URL, {"siret": "09990009400014", "service": "trade-fairs"})
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_siret"
    assert unknown.json()["errors"] == {"siret": [unknown.json()["detail"]]}


def test_relay_queries_are_bounded(api, relays, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        api.get(URL, {"commune": MONTPELLIER, "service": "trade-fairs", "k": 50})

"""``/api/v1/coverage/``: the coverage-gap report over HTTP — the same figures as
``insights.coverage.territory_coverage`` in JSON, CSV and GeoJSON, every refusal, the ETag."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.cache import caches

from insights.coverage import COVERED, FAR, STATES, UNCOVERED, territory_coverage
from structures.models import Service
from tests.api.conftest import body_of
from tests.smes.factories import SMEFactory
from tests.structures.factories import OfferFactory, StructureFactory, service, territory

pytestmark = pytest.mark.django_db

URL = "/api/v1/coverage/"
FORMULA = '=HYPERLINK("http://x","y")'
HERAULT = "departement:34"


@pytest.fixture(autouse=True)
def _fresh_reports():
    # Reports are cached under a stamp of the relay index rows' ids; a rolled-back test may
    # leave the same ids (SQLite) for another registry: each test starts without reports.
    caches["coverage"].clear()
    yield
    caches["coverage"].clear()


def relay(commune_code, *, covers, service_code="trade-fairs", name=None, **offer):
    options = {"name": name} if name else {}
    structure = StructureFactory(commune=territory("commune", commune_code), **options)
    return OfferFactory(
        structure=structure, service=service(service_code), coverage=covers, **offer
    )


def metropole():
    montpellier = territory("commune", "34172")
    return next(
        link.ancestor for link in montpellier.ancestor_links.all() if link.ancestor.level == "epci"
    )


@pytest.fixture
def registry():
    """In the Hérault: trade fairs covered around Montpellier (its EPCI), far elsewhere (a
    Nîmes relay covering the Hérault, beyond a 30 km horizon for the west of it); export
    finance from a relay whose name is a formula; some real SMEs."""
    herault = territory("departement", "34")
    near = relay("34172", covers=[metropole()])
    nimes = relay("30189", covers=[herault, territory("departement", "30")])
    finance = relay(
        "34172", covers=[herault], service_code="export-finance", name=FORMULA, markets=[]
    )
    for code, count in (("34172", 3), ("34003", 2), ("30189", 1)):
        for _ in range(count):
            SMEFactory(commune=territory("commune", code), is_demo=False)
    return {"near": near, "nimes": nimes, "finance": finance}


def get(api, **params):
    response = api.get(URL, params)
    assert response.status_code == 200, body_of(response)[:500]
    return response


def report_json(api, **params) -> dict:
    response = get(api, **params)
    assert response["Content-Type"].startswith("application/json")
    return json.loads(body_of(response))


def expected_totals(totals) -> dict:
    return {
        "level": totals.level,
        "code": totals.code,
        "name": totals.name,
        "places": totals.places,
        "population": totals.population,
        "smes": totals.smes,
        "place_count": totals.place_count,
        "population_total": totals.population_total,
        "sme_total": totals.sme_total,
        "population_share": {s: totals.population_share(s) for s in STATES},
    }


def test_one_service_agrees_with_territory_coverage(api, registry):
    herault = territory("departement", "34")
    expected = territory_coverage(
        territory=herault, service=service("trade-fairs"), horizon_km=30.0
    )
    body = report_json(api, territory=HERAULT, service="trade-fairs", horizon_km="30")
    assert body["request"] == {
        "territory": {
            "level": "departement",
            "code": "34",
            "name": "Hérault",
            "reference": "departement:34",
        },
        "service": {"code": "trade-fairs", "name": service("trade-fairs").name},
        "all_services": False,
        "country": None,
        "sector": None,
        "horizon_km": 30.0,
        "state": None,
    }
    assert body["stamp"] == expected.stamp
    assert body["totals"] == expected_totals(expected.totals)
    assert body["subtotals"] == [expected_totals(t) for t in expected.subtotals]
    assert [s["service"]["code"] for s in body["by_service"]] == ["trade-fairs"]
    assert body["unlocated"] == list(expected.unlocated)
    assert body["unplaced_smes"] == expected.unplaced_smes
    assert body["count"] == len(body["places"]) == len(expected.places)
    # The registry gives both covered and far places, and SMEs counted where they are.
    assert body["totals"]["places"][COVERED] > 0 and body["totals"]["places"][FAR] > 0
    # Montpellier's SMEs are covered; Agde's (50 km away, 80 from Nîmes) are far.
    assert (body["totals"]["smes"][COVERED], body["totals"]["smes"][FAR]) == (3, 2)
    for place, row in zip(body["places"], expected.places, strict=True):
        assert place["code"] == row.code and place["name"] == row.name
        assert (place["level"], place["population"], place["smes"]) == (
            row.level,
            row.population,
            row.smes,
        )
        assert (place["latitude"], place["longitude"]) == (row.latitude, row.longitude)
        assert place["state"] == row.state
        assert place["service_states"] == {"trade-fairs": row.state}
        assert place["distance_km"] == row.distance_km
        relay_structure = expected.relays[row.structure_id]
        assert place["relay"] == {
            "id": relay_structure.pk,
            "slug": relay_structure.slug,
            "name": relay_structure.name,
            "offer_id": row.offer_id,
        }
    montpellier = next(p for p in body["places"] if p["code"] == "34172")
    assert montpellier["relay"]["id"] == registry["near"].structure_id
    assert montpellier["distance_km"] == 0.0


def test_all_services_agree_with_territory_coverage(api, registry):
    epci = metropole()
    expected = territory_coverage(territory=epci, horizon_km=50.0)
    body = report_json(api, territory=f"epci:{epci.code}", service="", horizon_km="50")
    assert body["request"]["service"] is None and body["request"]["all_services"] is True
    assert body["totals"] == expected_totals(expected.totals)
    assert [item["service"]["code"] for item in body["by_service"]] == [
        s.code for s in Service.objects.order_by("position", "code")
    ]
    for item, totals in zip(body["by_service"], expected.by_service, strict=True):
        assert item["totals"] == expected_totals(totals.totals)
    for place, row in zip(body["places"], expected.places, strict=True):
        assert place["code"] == row.code
        assert place["state"] == row.state
        assert place["service_states"] == row.service_states
        assert place["distance_km"] is None and place["relay"] is None
    # Trade fairs and export finance are covered, nothing else is: worst state uncovered.
    assert {p["state"] for p in body["places"]} == {UNCOVERED}
    assert {p["service_states"]["trade-fairs"] for p in body["places"]} == {COVERED}


def test_country_sector_and_state_filter(api, registry):
    herault = territory("departement", "34")
    morocco = territory("country", "MA")
    expected = territory_coverage(
        territory=herault, service=service("export-finance"), country=morocco, sector="62"
    )
    body = report_json(
        api, territory=HERAULT, service="export-finance", country="ma", sector="62", state=COVERED
    )
    assert body["request"]["country"] == "MA" and body["request"]["sector"] == "62"
    assert body["request"]["state"] == COVERED
    assert body["totals"] == expected_totals(expected.totals)  # totals stay whole
    covered = [row.code for row in expected.places if row.state == COVERED]
    assert covered and [p["code"] for p in body["places"]] == covered
    assert body["count"] == len(covered)
    assert (
        report_json(api, territory=HERAULT, service="trade-fairs", state=UNCOVERED)["places"] == []
    )


def test_one_service_over_france(api, registry):
    body = report_json(api, territory="country:FR", service="trade-fairs")
    expected = territory_coverage(
        territory=territory("country", "FR"), service=service("trade-fairs")
    )
    assert body["totals"] == expected_totals(expected.totals)
    assert {t["level"] for t in body["subtotals"]} == {"epci", "departement", "region"}


def test_smes_of_a_whole_city_are_unplaced(api):
    SMEFactory(commune=territory("commune", "75056"), is_demo=False)  # Paris, no arrondissement
    SMEFactory(commune=territory("arrondissement", "75108"), is_demo=False)
    body = report_json(api, territory="departement:75", service="trade-fairs")
    assert body["unplaced_smes"] == 1
    assert body["totals"]["smes"] == {COVERED: 0, FAR: 0, UNCOVERED: 1}
    assert len(body["places"]) == 20 and "75056" not in {p["code"] for p in body["places"]}


def test_csv_one_row_per_place_with_official_codes(api, registry):
    herault = territory("departement", "34")
    expected = territory_coverage(
        territory=herault, service=service("export-finance"), horizon_km=30.0
    )
    response = get(api, territory=HERAULT, service="export-finance", horizon_km="30", format="csv")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "couverture-departement-34-export-finance.csv" in response["Content-Disposition"]
    text = body_of(response).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "code",
        "name",
        "level",
        "population",
        "smes",
        "latitude",
        "longitude",
        "state",
        "distance_km",
        "relay.id",
        "relay.slug",
        "relay.name",
        "relay.offer_id",
        "state.export-finance",
    ]
    assert len(rows) - 1 == len(expected.places) == int(response["X-Total-Count"])
    by_code = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    for place in expected.places:
        row = by_code[place.code]
        assert row["state"] == row["state.export-finance"] == place.state
        assert row["smes"] == str(place.smes)
        assert float(row["distance_km"]) == place.distance_km
        assert row["relay.id"] == str(registry["finance"].structure_id)
        # Formula injection: the relay's name is written inert.
        assert row["relay.name"] == "'" + FORMULA
    assert FORMULA not in text.replace("'" + FORMULA, "")


def test_csv_of_all_services_has_one_state_column_per_service(api, registry):
    epci = metropole()
    rows = list(
        csv.reader(
            io.StringIO(body_of(get(api, territory=f"epci:{epci.code}", format="csv")).decode())
        )
    )
    codes = [s.code for s in Service.objects.order_by("position", "code")]
    assert rows[0][-len(codes) :] == [f"state.{code}" for code in codes]
    expected = territory_coverage(territory=epci)
    assert [row[0] for row in rows[1:]] == [p.code for p in expected.places]
    for row, place in zip(rows[1:], expected.places, strict=True):
        assert row[-len(codes) :] == [place.service_states[code] for code in codes]


def test_geojson_is_a_valid_feature_collection(api, registry):
    herault = territory("departement", "34")
    expected = territory_coverage(territory=herault, service=service("trade-fairs"))
    response = get(api, territory=HERAULT, service="trade-fairs", format="geojson")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(body_of(response))
    assert collection["type"] == "FeatureCollection"
    assert collection["count"] == len(collection["features"]) == len(expected.places)
    assert collection["stamp"] == expected.stamp
    assert collection["totals"] == expected_totals(expected.totals)
    header = report_csv_header(api)
    for feature, place in zip(collection["features"], expected.places, strict=True):
        assert feature["type"] == "Feature" and feature["id"] == place.code
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert isinstance(lon, float) and isinstance(lat, float)
        assert (lon, lat) == (place.longitude, place.latitude)
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert list(feature["properties"]) == header
        assert feature["properties"]["state"] == place.state
        assert feature["properties"]["smes"] == place.smes  # typed, not text


def report_csv_header(api) -> list[str]:
    text = body_of(get(api, territory=HERAULT, service="trade-fairs", format="csv")).decode()
    return next(csv.reader(io.StringIO(text)))


def test_etag_gives_304_until_a_listing_or_an_sme_changes(api, registry):
    params = {"territory": HERAULT, "service": "trade-fairs"}
    first = get(api, **params)
    etag = first["ETag"]
    assert etag.startswith('"') and "no-cache" in first["Cache-Control"]
    assert "public" in first["Cache-Control"]
    again = api.get(URL, params, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    # Another format, another state filter: another representation, another tag.
    assert get(api, **params, format="csv")["ETag"] != etag
    assert get(api, **params, state=COVERED)["ETag"] != etag
    # A new SME changes the figures without touching the listings.
    SMEFactory(commune=territory("commune", "34172"), is_demo=False)
    after_sme = api.get(URL, params, HTTP_IF_NONE_MATCH=etag)
    assert after_sme.status_code == 200 and after_sme["ETag"] != etag
    etag = after_sme["ETag"]
    # A new listing changes the stamp.
    relay("34003", covers=[territory("departement", "34")])
    after_listing = api.get(URL, params, HTTP_IF_NONE_MATCH=etag)
    assert after_listing.status_code == 200 and after_listing["ETag"] != etag


def assert_refused(api, params, *, field: str, code: str = "invalid", fragment: str = "") -> dict:
    response = api.get(URL, params)
    assert response.status_code == 400, body_of(response)[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert field in body["errors"], body
    assert fragment in body["detail"], body
    return body


@pytest.mark.parametrize(
    ("params", "field", "code", "fragment"),
    [
        ({}, "territory", "invalid", ""),
        ({"territory": "departement:99"}, "territory", "invalid", "99"),
        ({"territory": "region:ZZ"}, "territory", "invalid", ""),
        ({"territory": "commune:34172", "service": "trade-fairs"}, "territory", "invalid", ""),
        ({"territory": "country:MA", "service": "trade-fairs"}, "territory", "invalid", ""),
        ({"territory": HERAULT, "service": "no-such-service"}, "service", "invalid", ""),
        ({"territory": HERAULT, "service": "trade\x00fairs"}, "service", "invalid", ""),
        ({"territory": "departement:3\x004"}, "territory", "invalid", ""),
        ({"territory": HERAULT, "sector": "6\x002"}, "sector", "invalid", ""),
        ({"territory": HERAULT, "country": "XX"}, "country", "invalid", ""),
        ({"territory": HERAULT, "country": "departement:34"}, "country", "invalid", ""),
        ({"territory": HERAULT, "sector": "ZZZ"}, "sector", "invalid", "ZZZ"),
        ({"territory": HERAULT, "horizon_km": "0"}, "horizon_km", "invalid", ""),
        ({"territory": HERAULT, "horizon_km": "-5"}, "horizon_km", "invalid", ""),
        ({"territory": HERAULT, "horizon_km": "loin"}, "horizon_km", "invalid", ""),
        ({"territory": HERAULT, "horizon_km": "nan"}, "horizon_km", "invalid", ""),
        ({"territory": HERAULT, "horizon_km": "1e9"}, "horizon_km", "invalid", ""),
        ({"territory": HERAULT, "state": "partial"}, "state", "invalid", ""),
        ({"territory": HERAULT, "regoin": "76"}, "regoin", "unknown_parameter", "regoin"),
        ({"territory": "country:FR"}, "service", "too_broad", "service"),
        ({"territory": "FR", "service": ""}, "service", "too_broad", "service"),
    ],
)
def test_bad_requests_are_400_with_the_usual_body(api, params, field, code, fragment):
    assert_refused(api, params, field=field, code=code, fragment=fragment)


def test_an_error_asked_as_csv_is_still_json(api):
    response = api.get(URL, {"territory": "commune:34172", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_a_repeated_parameter_is_refused(api):
    response = api.get(f"{URL}?territory={HERAULT}&territory=departement:30")
    assert response.status_code == 400 and response.json()["code"] == "repeated_parameter"


def test_empty_values_mean_not_given(api, registry):
    body = report_json(
        api,
        territory=HERAULT,
        service="trade-fairs",
        country="",
        sector="",
        horizon_km="",
        state="",
    )
    assert body["request"]["country"] is None and body["request"]["horizon_km"] == 100.0
    assert body["request"]["state"] is None


def test_the_api_root_lists_the_report(api):
    endpoints = api.get("/api/v1/").json()["endpoints"]
    assert endpoints["coverage"] == "http://testserver/api/v1/coverage/"


def test_the_browsable_api_shows_the_report(api, registry):
    response = api.get(URL, {"territory": HERAULT, "service": "trade-fairs", "format": "api"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "34172" in response.content.decode()


def test_a_region_with_every_service_gives_each_subtotal(api, registry):
    occitanie = territory("region", "76")
    expected = territory_coverage(territory=occitanie, sector="C")
    body = report_json(api, territory="region:76", sector="C")
    assert body["subtotals"] == [expected_totals(t) for t in expected.subtotals]
    assert {t["level"] for t in body["subtotals"]} == {"epci", "departement"}
    assert {t["code"] for t in body["subtotals"] if t["level"] == "departement"} >= {"30", "34"}
    assert body["totals"] == expected_totals(expected.totals)
    assert [p["state"] for p in body["places"]] == [row.state for row in expected.places]


def test_the_report_has_a_rate_of_its_own(api, monkeypatch):
    """Each uncached report costs computation: beyond its own rate, 429 with Retry-After, while
    the rest of the API still answers."""
    from rest_framework.throttling import ScopedRateThrottle

    # The rates are read once, into the class, when DRF is imported.
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "coverage": "2/minute"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    params = {"territory": "departement:34", "service": "prospecting-missions"}
    for _ in range(2):
        assert api.get("/api/v1/coverage/", params).status_code == 200
    refused = api.get("/api/v1/coverage/", params)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert api.get("/api/v1/structures/").status_code == 200

"""The API's contract: it refuses what it does not understand, and bounds what it reads.

Each test is a breach found by an attacker or a reuser (issue 10, points 3 and 8): a deep JSON
body, thousand-digit integers, unknown or repeated parameters, conflicting locations, an
ambiguous territory code, profile values that cannot describe a firm, a missing API root.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from structures.models import Programme
from territories.models import Territory
from tests.smes.factories import SMEFactory
from tests.structures.factories import ContactFactory, OfferFactory, StructureFactory, territory

pytestmark = pytest.mark.django_db

RELAY = "/api/v1/relays/"
STRUCTURES = "/api/v1/structures/"


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The API's error body (core.api.exceptions): JSON, a French message, a code."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    if field is not None:
        assert field in body["errors"], body
    return body


@pytest.fixture
def herault():
    return StructureFactory(slug="cci-herault", coverage=[territory("departement", "34")])


# --- Request bodies ------------------------------------------------------------------------------


def test_a_json_body_of_a_thousand_nested_lists_is_a_400_not_a_500(staff_client, herault):
    client = staff_client(herault)
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/offers/", data="[" * 1000 + "]" * 1000, content_type="application/json"
    )
    body = assert_error(response, 400, "json_too_deep")
    assert "imbriqué" in body["detail"]


def test_json_nested_beyond_the_bound_is_refused_and_a_normal_body_is_read(
    staff_client, herault, settings
):
    client = staff_client(herault)
    deep = (
        '{"a":' * (settings.API_MAX_JSON_DEPTH + 1) + "1" + "}" * (settings.API_MAX_JSON_DEPTH + 1)
    )
    assert_error(
        client.post("/api/v1/offers/", data=deep, content_type="application/json"),
        400,
        "json_too_deep",
    )
    # Within the bound the body reaches the serializer, whose 400 names the fields.
    response = client.post("/api/v1/offers/", data={"x": [[1]]}, format="json")
    assert_error(response, 400, "invalid", "structure")


def test_a_body_beyond_the_size_bound_is_a_400(staff_client, herault, settings):
    client = staff_client(herault)
    body = b'{"structure": "cci-herault", "description": "' + b"x" * 2_000_000 + b'"}'
    response = client.post("/api/v1/offers/", data=body, content_type="application/json")
    assert_error(response, 400, "body_too_large")
    settings.API_MAX_BODY_SIZE = 100
    response = client.post(
        "/api/v1/offers/", data="x=" + "y" * 200, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400, "body_too_large")


# --- Integer parameters --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [STRUCTURES, "/api/v1/territories/", "/api/v1/offers/"])
@pytest.mark.parametrize("name", ["page", "page_size"])
def test_thousand_digit_page_numbers_are_a_400(api, url, name):
    api.raise_request_exception = False
    assert_error(api.get(url, {name: "9" * 5000}), 400, "invalid", name)
    assert_error(api.get(url, {name: "0"}), 400, "invalid", name)
    assert api.get(url, {name: "1"}).status_code == 200


@pytest.mark.parametrize("name", ["k", "employees"])
def test_the_relay_lookups_integers_are_bounded(api, name):
    for value in ("9" * 5000, "9" * 30):
        response = api.get(RELAY, {"service": "trade-fairs", "commune": "34172", name: value})
        assert_error(response, 400, "invalid", name)


def test_integer_filters_are_bounded(token_client):
    agency = token_client(scope=[territory("departement", "34")], perms=["smes.view_sme"])
    agency.raise_request_exception = False
    for value in ("9" * 30, "9" * 5000, "-" + "9" * 30):
        assert_error(agency.get("/api/v1/smes/", {"min_employees": value}), 400, "invalid")
    assert agency.get("/api/v1/smes/", {"min_employees": "10"}).status_code == 200


# --- Unknown and repeated parameters -------------------------------------------------------------


def test_an_unknown_parameter_is_a_400_listing_the_accepted_ones(api, herault):
    # ?region=76 used to be ignored: every structure came back, as if filtered.
    body = assert_error(api.get(STRUCTURES, {"region": "76"}), 400, "unknown_parameter", "region")
    assert {"in", "covers", "kind", "ordering", "page", "page_size", "format"} <= set(
        body["accepted"]
    )
    assert "region" not in body["accepted"]
    assert "in" in body["detail"] and "region" in body["detail"]


def test_each_endpoint_accepts_its_own_parameters(api, herault):
    relay = assert_error(api.get(RELAY, {"service": "x", "page": "1"}), 400, "unknown_parameter")
    assert "page" not in relay["accepted"]
    assert {"service", "commune", "lat", "lon", "naf_code", "format"} <= set(relay["accepted"])
    detail = assert_error(
        api.get("/api/v1/communes/34172/", {"q": "x"}), 400, "unknown_parameter", "q"
    )
    assert detail["accepted"] == ["format"]
    countries = assert_error(api.get("/api/v1/countries/", {"q": "x"}), 400, "unknown_parameter")
    assert countries["accepted"] == ["format", "page", "page_size"]
    assert (
        api.get(STRUCTURES, {"format": "csv", "in": "34", "ordering": "-name"}).status_code == 200
    )
    assert api.get("/api/v1/territories/", {"level": ["region", "departement"]}).status_code == 200


def test_a_repeated_single_valued_parameter_is_a_400(api, herault):
    body = assert_error(
        api.get(RELAY, {"service": "trade-fairs", "commune": ["34172", "75056"]}),
        400,
        "repeated_parameter",
        "commune",
    )
    assert "2 fois" in body["detail"]
    assert_error(api.get(STRUCTURES, {"in": ["34", "69"]}), 400, "repeated_parameter", "in")
    # Multiple-choice filters are repeatable by design.
    assert api.get(STRUCTURES, {"kind": ["cci", "cma"]}).status_code == 200


def test_every_api_view_applies_the_contract():
    """A view added without the mixin would silently ignore unknown parameters again."""
    from rest_framework.views import APIView

    from core.api.contract import QueryContractMixin

    def views(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from views(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), getattr(entry.callback, "cls", None)

    api_views = [
        (route, cls) for route, cls in views(get_resolver()) if route.startswith("api/v1/")
    ]
    assert len(api_views) >= 20
    for route, cls in api_views:
        if route.endswith(("schema/", "docs/", "redoc/")):
            continue  # drf-spectacular's own views (?format=yaml, ?lang=)
        assert cls is not None and issubclass(cls, APIView), route
        assert issubclass(cls, QueryContractMixin), route


# --- The relay lookup ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        {"commune": "34172", "lat": "43.6", "lon": "3.87"},
        {"postal_code": "34000", "lat": "43.6", "lon": "3.87"},
        {"siret": "73282932000074", "commune": "34172"},
        {"siret": "73282932000074", "postal_code": "34000"},
    ],
)
def test_conflicting_locations_are_a_400(api, location):
    body = assert_error(
        api.get(RELAY, {"service": "trade-fairs", **location}), 400, "conflicting_location"
    )
    assert "un seul" in body["detail"]


def test_a_commune_with_its_postal_code_is_one_location(api):
    response = api.get(
        RELAY, {"service": "trade-fairs", "commune": "34172", "postal_code": "34000"}
    )
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(
    ("profile", "field", "words"),
    [
        ({"naf_code": "ZZ"}, "naf_code", "NAF"),
        ({"naf_code": "04.11Z"}, "naf_code", "NAF"),
        ({"created_on": "2099-01-01"}, "created_on", "futur"),
        ({"member_of": "no-such-structure"}, "member_of", "inconnue"),
        ({"employees": "-1"}, "employees", ""),
        ({"lat": "nan", "lon": "nan"}, "lat", ""),
    ],
)
def test_profile_values_are_validated(api, profile, field, words):
    params = {"service": "trade-fairs", **({} if "lat" in profile else {"commune": "34172"})}
    response = api.get(RELAY, {**params, **profile})
    body = response.json()
    assert response.status_code == 400, body
    assert field in body["errors"], body
    assert words in body["detail"]


def test_valid_profile_values_are_accepted(api, herault):
    OfferFactory(structure=herault)
    response = api.get(
        RELAY,
        {
            "service": "trade-fairs",
            "commune": "34172",
            "naf_code": "10.71C",
            "created_on": "2001-05-04",
            "member_of": "cci-herault",
            "employees": "12",
        },
    )
    assert response.status_code == 200, response.json()


# --- Territory codes -----------------------------------------------------------------------------


@pytest.fixture
def seine_maritime():
    # The test reference holds the région Occitanie (76) but not the département 76.
    return Territory.objects.create(
        level="departement", code="76", name="Seine-Maritime", is_current=True
    )


def test_a_bare_code_shared_by_a_region_and_a_departement_is_ambiguous(
    api, herault, seine_maritime
):
    # ?in=76 used to mean the département silently; the région Occitanie is as likely.
    body = assert_error(api.get(STRUCTURES, {"in": "76"}), 400, "ambiguous_territory", "in")
    assert [c["reference"] for c in body["candidates"]] == ["region:76", "departement:76"]
    assert "region:76" in body["detail"] and "departement:76" in body["detail"]
    slugs = [s["slug"] for s in api.get(STRUCTURES, {"in": "region:76"}).json()["results"]]
    assert slugs == ["cci-herault"]
    assert api.get(STRUCTURES, {"in": "departement:76"}).json()["count"] == 0
    # Unambiguous codes keep working; malformed ones are refused before any lookup (PostgreSQL
    # would refuse the NUL byte with a 500).
    assert api.get(STRUCTURES, {"in": "34"}).json()["count"] == 1
    assert_error(api.get(STRUCTURES, {"in": "7\x006"}), 400, "invalid", "in")
    assert api.get("/api/v1/offers/", {"in": "76"}).status_code == 400


def test_the_sme_list_refuses_an_ambiguous_code_and_a_malformed_naf_code(
    token_client, seine_maritime
):
    SMEFactory(commune=territory("commune", "34172"), naf_code="10.71C")
    agency = token_client(scope=[territory("departement", "34")], perms=["smes.view_sme"])
    assert_error(agency.get("/api/v1/smes/", {"in": "76"}), 400, "ambiguous_territory", "in")
    assert_error(agency.get("/api/v1/smes/", {"naf_code": "ZZ"}), 400, "invalid", "naf_code")
    assert_error(agency.get("/api/v1/smes/", {"naf_code": "04"}), 400, "invalid", "naf_code")
    for prefix in ("10", "10.7", "1071", "10.71C", "1071c"):
        assert agency.get("/api/v1/smes/", {"naf_code": prefix}).json()["count"] == 1, prefix
    assert agency.get("/api/v1/smes/", {"naf_code": "62"}).json()["count"] == 0


def test_the_directory_page_shows_the_ambiguity(client, seine_maritime):
    response = client.get("/structures/", {"in": "76"})
    assert response.status_code == 400  # the page's answer to an invalid filter
    assert "désigne plusieurs territoires" in response.content.decode()


# --- The API root and its documentation ----------------------------------------------------------


def test_the_api_root_lists_every_endpoint_and_the_docs(api, herault):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    endpoints, docs = body["endpoints"], body["documentation"]
    assert endpoints["structures"] == "http://testserver/api/v1/structures/"
    assert endpoints["commune"] == "http://testserver/api/v1/communes/{code}/"
    assert docs == {
        "swagger": "http://testserver/api/v1/docs/",
        "redoc": "http://testserver/api/v1/redoc/",
        "schema": "http://testserver/api/v1/schema/",
    }
    offer = OfferFactory(structure=herault)
    programme = Programme.objects.create(
        name="Assurance prospection", level="national", operator_name="Bpifrance"
    )
    ids = {
        "structure": herault.pk,
        "offer": offer.pk,
        "contact": ContactFactory(structure=herault).pk,
    }
    for name, url in endpoints.items():
        url = url.replace("http://testserver", "").replace("{id}", str(ids.get(name)))
        url = url.replace("{level}", "commune").replace(
            "{code}", "34000" if "postal" in url else "34172"
        )
        url = url.replace("{siret}", "73282932000074").replace("{slug}", programme.slug)
        # Every listed address exists: at most it wants parameters (the relays) or a token.
        assert api.get(url).status_code in (200, 400, 401), (name, url)
    for url in docs.values():
        assert api.get(url.replace("http://testserver", "")).status_code == 200


def test_the_documentation_introduction_explains_the_contract():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    description = schema["info"]["description"]
    for needed in (
        "Authorization: Token",
        "session",
        "périmètre",
        "429",
        "Retry-After",
        "page_size",
        "format=csv",
        "format=geojson",
        '"detail"',
        "412",
        "428",
        "curl",
        "region:76",
    ):
        assert needed in description, needed

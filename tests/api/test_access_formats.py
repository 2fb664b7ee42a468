"""Tokens, throttling, open-data export, the schema and the offline documentation page."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from structures.models.access import ApiToken, hash_key
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


# --- Tokens -------------------------------------------------------------------------------------


def test_token_is_stored_hashed_and_authenticates(token_client):
    client = token_client(scope=[territory("departement", "34")])
    token = client.token
    assert len(token.key_hash) == 64 and token.prefix
    assert client.get("/api/v1/structures/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Token pas-une-cle", "Bearer pas-une-cle", "Token", "Token a b"],
)
def test_bad_tokens_are_401_not_anonymous(api, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/structures/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_inactive_or_expired_token_is_401(api):
    user = UserFactory()
    token, key = ApiToken.issue(user=user, name="x")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/structures/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert api.get("/api/v1/structures/").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, is_active=False)
    assert api.get("/api/v1/structures/").status_code == 401
    assert ApiToken.objects.get(key_hash=hash_key(key)) == token


def test_admin_issues_a_token_and_shows_its_key_once(client):
    admin = UserFactory(superuser=True, username="admin-jetons")
    agent = UserFactory(username="agence-occitanie")
    client.force_login(admin)
    herault = territory("departement", "34")
    response = client.post(
        "/admin/structures/apitoken/add/",
        {"name": "SIG AD Occitanie", "user": agent.pk, "scope": [herault.pk], "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="SIG AD Occitanie")
    messages = [str(m) for m in response.context["messages"]]
    key = next(m for m in messages if "Clé du jeton" in m).split(" : ")[1].split(" ")[0]
    assert hash_key(key) == token.key_hash
    assert list(token.scope.all()) == [herault]


def test_admin_refuses_a_nationwide_token_for_an_agency(client):
    admin = UserFactory(superuser=True, username="admin-jetons2")
    agent = UserFactory(username="agence-sans-perimetre")
    client.force_login(admin)
    response = client.post(
        "/admin/structures/apitoken/add/",
        {"name": "Sans périmètre", "user": agent.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "réservé aux administrateurs" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_staff_cannot_manage_tokens(client):
    staff = UserFactory(username="personnel")
    client.force_login(staff)
    assert client.get("/admin/structures/apitoken/").status_code in (302, 403)


# --- Throttling ---------------------------------------------------------------------------------


def test_anonymous_calls_are_throttled(api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    codes = [api.get("/api/v1/services/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    body = api.get("/api/v1/services/").json()
    assert body["code"] == "throttled" and body["detail"]


def test_default_throttle_classes_cover_anonymous_and_users():
    names = {cls.__name__ for cls in api_settings.DEFAULT_THROTTLE_CLASSES}
    assert {"AnonRateThrottle", "UserRateThrottle"} <= names


# --- Open data ----------------------------------------------------------------------------------


@pytest.fixture
def open_registry():
    cci = StructureFactory(slug="cci-herault", coverage=[territory("departement", "34")])
    OfferFactory(structure=cci, service=service("trade-fairs"))
    StructureFactory(slug="brouillon", unvalidated=True)
    StructureFactory(slug="fictive", demo=True)
    return cci


def test_open_data_csv_carries_the_licence(api, open_registry):
    response = api.get("/api/v1/opendata/structures.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "Licence Ouverte" in response["X-Licence"]
    assert 'rel="license"' in response["Link"]
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["slug"] for r in rows] == ["cci-herault"]
    assert rows[0]["services"] == "trade-fairs"
    assert rows[0]["coverage"] == "departement:34"
    assert rows[0]["commune_code"] == "34172"
    assert "Licence Ouverte" in rows[0]["licence"]


def test_open_data_geojson_carries_licence_and_attribution(api, open_registry):
    response = api.get("/api/v1/opendata/structures.geojson")
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["metadata"]["licence"].startswith("Licence Ouverte")
    assert "Registre des structures" in body["metadata"]["attribution"]
    (feature,) = body["features"]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["slug"] == "cci-herault"


def test_open_data_export_queries_do_not_grow(api, django_assert_max_num_queries):
    for _ in range(60):
        OfferFactory(structure=StructureFactory(coverage=[territory("departement", "34")]))
    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/opendata/structures.csv").status_code == 200


# --- Schema and documentation -------------------------------------------------------------------


def test_schema_documents_every_endpoint_and_the_relay_examples(api):
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/structures/",
        "/api/v1/structures/{id}/",
        "/api/v1/structures/{slug}/",
        "/api/v1/offers/",
        "/api/v1/contacts/",
        "/api/v1/services/",
        "/api/v1/sectors/",
        "/api/v1/countries/",
        "/api/v1/relays/",
        "/api/v1/smes/",
        "/api/v1/opendata/structures.csv",
    ):
        assert path in schema["paths"], path
    relay = schema["paths"]["/api/v1/relays/"]["get"]
    assert relay["responses"]["200"]["content"]["application/json"]["examples"]
    assert relay["responses"]["400"]["content"]["application/json"]["examples"]
    params = {p["name"]: p for p in schema["paths"]["/api/v1/structures/"]["get"]["parameters"]}
    assert {"covers", "in", "bbox", "verified_before", "updated_since", "ordering"} <= set(params)
    assert "clôture" in params["covers"]["description"] or "EPCI" in params["covers"]["description"]
    assert "Erreur" in schema["components"]["schemas"]
    assert "jeton" in schema["components"]["securitySchemes"]


def test_documentation_page_works_offline(api):
    response = api.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger" in page.lower()
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page
    assert "/static/drf_spectacular_sidecar/" in page


def test_a_token_without_territories_inherits_the_account_scope(client):
    admin = UserFactory(superuser=True, username="admin-jetons3")
    agent = UserFactory(username="agence-avec-perimetre", scope=[territory("departement", "34")])
    client.force_login(admin)
    response = client.post(
        "/admin/structures/apitoken/add/",
        {"name": "Périmètre du compte", "user": agent.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.get(name="Périmètre du compte").scope.exists()

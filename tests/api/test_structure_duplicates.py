"""Creating a structure through the API: a 409 with the possible duplicates, unless the client
confirms it checked them (issue 13, point 6)."""

from __future__ import annotations

import pytest

from structures.models import Structure
from tests.structures.factories import StructureFactory, territory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/structures/"


def test_a_possible_duplicate_is_a_409_until_confirmed(admin_client_api):
    montpellier = territory("commune", "34172")
    existing = StructureFactory(
        name="Chambre de commerce et d'industrie Hérault", acronym="CCI Hérault"
    )
    payload = {
        "name": "Chambre de commerce et d'industrie Hérault",
        "acronym": "CCI Hérault",
        "kind": "cci",
        "commune": "34172",
        "latitude": montpellier.latitude,
        "longitude": montpellier.longitude,
    }
    response = admin_client_api.post(LIST, payload, format="json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "possible_duplicates"
    assert [(c["id"], c["reasons"]) for c in body["candidates"]] == [
        (existing.pk, ["nom très proche (100 %) au même endroit"])
    ]
    assert body["candidates"][0]["url"].endswith(f"/api/v1/structures/{existing.pk}/")
    assert Structure.objects.count() == 1

    response = admin_client_api.post(
        LIST, {**payload, "confirm_not_duplicate": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert "confirm_not_duplicate" not in response.json()
    assert Structure.objects.count() == 2


def test_the_same_email_elsewhere_is_a_409_too(admin_client_api):
    existing = StructureFactory(email="export@club.example")
    payload = {
        "name": "Club export du Gard",
        "kind": "exporters_club",
        "commune": "30189",
        "email": "Export@Club.example",
    }
    response = admin_client_api.post(LIST, payload, format="json")
    assert response.status_code == 409
    assert response.json()["candidates"][0]["id"] == existing.pk

"""The API's offer writes and the competence preview (structures.competence): a narrowing is
written only with ``confirm_narrowing``, and the 400 says what would be lost."""

from __future__ import annotations

import pytest

from tests.relay.lookup import lookup
from tests.structures.factories import OfferFactory, service, territory

pytestmark = pytest.mark.django_db

MAROC_ONLY = (
    "Cette offre ne sera plus proposée que pour : Maroc. Elle ne le sera plus pour les autres pays."
)


def found(offer, **search) -> bool:
    answer = lookup(service=offer.service.code, include_remote=False, k=20, **search)
    return offer.pk in {result.offer.pk for result in answer.results}


def test_api_refuses_an_unconfirmed_narrowing_and_writes_nothing(staff_client):
    offer = OfferFactory(service=service("trade-fairs"), description="Avant")
    client = staff_client(offer.structure)
    url = f"/api/v1/offers/{offer.pk}/"
    etag = client.get(url)["ETag"]
    body = {"markets": [{"country": "MA", "status": "active"}], "description": "Salons"}

    refused = client.patch(url, body, format="json", HTTP_IF_MATCH=etag)

    assert refused.status_code == 400, refused.json()
    assert MAROC_ONLY in refused.json()["errors"]["confirm_narrowing"][0]
    offer.refresh_from_db()
    assert offer.description == "Avant" and not offer.markets.exists()

    saved = client.patch(
        url, {**body, "confirm_narrowing": True}, format="json", HTTP_IF_MATCH=etag
    )

    assert saved.status_code == 200
    assert list(offer.markets.values_list("country__code", "status")) == [("MA", "active")]
    assert not found(offer, commune="34172", country="DE")


def test_api_saves_a_widening_without_confirmation(staff_client):
    offer = OfferFactory(service=service("trade-fairs"), markets=[territory("country", "MA")])
    client = staff_client(offer.structure)
    url = f"/api/v1/offers/{offer.pk}/"
    etag = client.get(url)["ETag"]

    saved = client.patch(
        url, {"markets": [{"country": "MA"}, {"country": "TN"}]}, format="json", HTTP_IF_MATCH=etag
    )

    assert saved.status_code == 200
    assert found(offer, commune="34172", country="TN")


def test_api_deactivation_needs_confirm_narrowing(staff_client):
    offer = OfferFactory(service=service("trade-fairs"))
    client = staff_client(offer.structure)
    url = f"/api/v1/offers/{offer.pk}/"
    etag = client.get(url)["ETag"]

    refused = client.patch(url, {"is_active": False}, format="json", HTTP_IF_MATCH=etag)

    assert refused.status_code == 400, refused.json()
    assert (
        "Cette offre ne sera plus proposée pour aucune recherche."
        in refused.json()["errors"]["confirm_narrowing"][0]
    )
    offer.refresh_from_db()
    assert offer.is_active
    saved = client.patch(
        url, {"is_active": False, "confirm_narrowing": True}, format="json", HTTP_IF_MATCH=etag
    )
    assert saved.status_code == 200
    offer.refresh_from_db()
    assert not offer.is_active

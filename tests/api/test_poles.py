"""``/api/v1/structures/<id>/`` of a pôle: its tier, its services with their intensity, its
inter-cluster alliances with ISO 3166 country codes; the intensity written through the offers'
endpoint, for clusters only; all documented in the OpenAPI schema."""

from __future__ import annotations

import pytest

from structures.enums import LabelTier, LinkStatus, ServiceIntensity, StructureKind
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    StructureLinkFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def cluster_abroad(slug: str, iso: str, **kwargs):
    return StructureFactory(
        slug=slug,
        name=slug.replace("-", " ").title(),
        kind=StructureKind.CLUSTER_SPL,
        commune=None,
        postal_code="",
        country=territory("country", iso),
        latitude=42.36,
        longitude=-71.06,
        **kwargs,
    )


@pytest.fixture
def pole(db):
    pole = StructureFactory(slug="lyonbiopole", pole=True, label_tier=LabelTier.MONDIAL)
    OfferFactory(
        structure=pole,
        service=service("prospecting-missions"),
        members_only=True,
        intensity=ServiceIntensity.REGULAR,
    )
    OfferFactory(structure=pole, service=service("translation"))
    StructureLinkFactory(
        from_structure=pole,
        to_structure=cluster_abroad("cluster-boston", "US"),
        countries=[territory("country", "US")],
        since="2010-06-01",
        description="Source : Colovic (2013).",
    )
    StructureLinkFactory(
        from_structure=cluster_abroad("cluster-casablanca", "MA"),
        to_structure=pole,
        status=LinkStatus.PLANNED,
        countries=[territory("country", "MA")],
    )
    StructureLinkFactory(
        from_structure=pole, to_structure=cluster_abroad("brouillon", "JP", is_validated=False)
    )
    return pole


def test_detail_shows_tier_services_with_intensity_and_alliances(api, pole):
    response = api.get(f"/api/v1/structures/{pole.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["label_tier"] == "mondial"
    assert body["label_tier_label"] == "pôle mondial"
    assert {o["service"]["code"]: o["intensity"] for o in body["offers"]} == {
        "prospecting-missions": "regular",
        "translation": "",
    }
    assert body["alliances"] == [
        {
            "partner": {
                "id": pole.outgoing_links.get(to_structure__slug="cluster-boston").to_structure_id,
                "slug": "cluster-boston",
                "name": "Cluster Boston",
                "acronym": "",
                "country": "US",
            },
            "countries": ["US"],
            "status": "active",
            "since": "2010-06-01",
            "description": "Source : Colovic (2013).",
        },
        {
            "partner": {
                "id": pole.incoming_links.get().from_structure_id,
                "slug": "cluster-casablanca",
                "name": "Cluster Casablanca",
                "acronym": "",
                "country": "MA",
            },
            "countries": ["MA"],
            "status": "planned",
            "since": None,
            "description": "",
        },
    ]


def test_an_unpublished_partner_is_shown_to_the_registry_admin_only(api, admin_client_api, pole):
    public = api.get(f"/api/v1/structures/{pole.pk}/").json()
    assert "brouillon" not in [a["partner"]["slug"] for a in public["alliances"]]
    admin = admin_client_api.get(f"/api/v1/structures/{pole.pk}/").json()
    assert "brouillon" in [a["partner"]["slug"] for a in admin["alliances"]]


def test_other_structures_have_no_tier_and_no_alliance(api):
    cci = StructureFactory(cci=True)
    body = api.get(f"/api/v1/structures/{cci.pk}/").json()
    assert body["label_tier"] == "" and body["label_tier_label"] is None
    assert body["alliances"] == []


def test_staff_set_the_intensity_of_a_pole_service_not_of_a_cci_one(staff_client, pole):
    offer = pole.offers.get(service__code="translation")
    client = staff_client(pole)
    url = f"/api/v1/offers/{offer.pk}/"
    response = client.patch(url, {"intensity": "occasional"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    assert response.json()["intensity"] == "occasional"
    unknown = client.patch(url, {"intensity": "always"}, format="json", HTTP_IF_MATCH="*")
    assert unknown.status_code == 400 and "intensity" in unknown.json()["errors"]
    cci_offer = OfferFactory(structure=StructureFactory(cci=True))
    refused = staff_client(cci_offer.structure).patch(
        f"/api/v1/offers/{cci_offer.pk}/",
        {"intensity": "regular"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert refused.status_code == 400, refused.content
    assert "intensity" in refused.json()["errors"]


def test_offers_filter_by_intensity(api, pole):
    OfferFactory(structure=StructureFactory(cci=True), service=service("prospecting-missions"))
    regular = api.get("/api/v1/offers/", {"intensity": "regular"})
    assert regular.status_code == 200, regular.content
    found = regular.json()["results"]
    assert [(o["structure"]["slug"], o["service"]["code"]) for o in found] == [
        ("lyonbiopole", "prospecting-missions")
    ]
    assert api.get("/api/v1/offers/", {"intensity": "central"}).json()["results"] == []
    unknown = api.get("/api/v1/offers/", {"intensity": "always"})
    assert unknown.status_code == 400
    assert "Intensité inconnue : « always »" in str(unknown.json())


def test_schema_documents_tier_intensity_and_alliances(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    detail = components["StructureDetail"]["properties"]
    assert "label_tier_label" in detail
    assert detail["alliances"]["type"] == "array"
    assert "ISO 3166" in detail["alliances"]["description"]
    alliance = components["Alliance"]["properties"]
    assert set(alliance) == {"partner", "countries", "status", "since", "description"}
    assert "ISO 3166" in alliance["countries"]["description"]
    intensity = components["Offer"]["properties"]["intensity"]
    assert "Pôles et clusters seulement" in intensity["description"]
    assert {"$ref": "#/components/schemas/IntensityEnum"} in intensity["oneOf"]
    assert components["IntensityEnum"]["enum"] == ["occasional", "regular", "central"]

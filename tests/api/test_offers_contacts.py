"""``/api/v1/offers/`` and ``/api/v1/contacts/``: visibility, filters, writes, concurrency."""

from __future__ import annotations

import pytest

from structures.models import Contact, Offer
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    SectorFactory,
    StructureFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(r["id"] for r in response.json()["results"])


# --- Offers -------------------------------------------------------------------------------------


def test_offers_list_published_active_offers(api):
    shown = OfferFactory()
    OfferFactory(inactive=True)
    OfferFactory(structure=StructureFactory(unvalidated=True))
    assert ids(api.get("/api/v1/offers/")) == [shown.pk]
    body = api.get(f"/api/v1/offers/{shown.pk}/").json()
    assert body["service"]["code"] == "information-orientation"
    assert body["inherits_coverage"] is True


def test_offer_filters(api):
    agro = SectorFactory(code="agroalimentaire")
    morocco = OfferFactory(
        service=service("trade-fairs"),
        markets=[territory("country", "MA")],
        sectors=[agro],
        structure=StructureFactory(slug="cci-herault"),
    )
    lyon = OfferFactory(
        structure=StructureFactory(commune=territory("commune", "69123"), postal_code="69001"),
        coverage=[territory("departement", "69")],
    )
    assert ids(api.get("/api/v1/offers/", {"service": "trade-fairs"})) == [morocco.pk]
    assert ids(api.get("/api/v1/offers/", {"market": "MA"})) == [morocco.pk]
    # Division 10 (food) is spanned by the agroalimentaire filière: it matches; 62 does not.
    assert ids(api.get("/api/v1/offers/", {"sector": "10"})) == [morocco.pk]
    assert ids(api.get("/api/v1/offers/", {"sector": "62"})) == []
    assert ids(api.get("/api/v1/offers/", {"sector": "agroalimentaire"})) == [morocco.pk]
    assert ids(api.get("/api/v1/offers/", {"structure": "cci-herault"})) == [morocco.pk]
    assert ids(api.get("/api/v1/offers/", {"covers": "69123"})) == [lyon.pk]
    assert ids(api.get("/api/v1/offers/", {"in": "region:84"})) == [lyon.pk]
    assert api.get("/api/v1/offers/", {"covers": "x"}).status_code == 400


def test_offer_private_contact_is_hidden_from_anonymous(api, staff_client):
    structure = StructureFactory()
    private = ContactFactory(structure=structure, private=True)
    offer = OfferFactory(structure=structure, contact=private)
    assert api.get(f"/api/v1/offers/{offer.pk}/").json()["contact"] is None
    body = staff_client(structure).get(f"/api/v1/offers/{offer.pk}/").json()
    assert body["contact"]["id"] == private.pk


def test_offers_list_of_100_bounded_queries(api, django_assert_max_num_queries):
    codes = ["trade-fairs", "export-diagnosis", "export-finance", "prospecting-missions"]
    for _ in range(25):
        structure = StructureFactory()
        contact = ContactFactory(structure=structure)
        for code in codes:
            OfferFactory(
                structure=structure,
                service=service(code),
                contact=contact,
                markets=[territory("country", "MA")],
                coverage=[territory("departement", "34")],
            )
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/offers/", {"page_size": 100})
    assert len(response.json()["results"]) == 100


def test_staff_creates_and_updates_an_offer(staff_client):
    structure = StructureFactory(slug="cci-herault")
    client = staff_client(structure)
    response = client.post(
        "/api/v1/offers/",
        {
            "structure": "cci-herault",
            "service": "trade-fairs",
            "markets": [{"country": "MA"}, {"country": "DZ", "status": "planned"}],
            "coverage": ["departement:34"],
            "min_employees": 5,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert {(m["country"], m["status"]) for m in body["markets"]} == {
        ("MA", "active"),
        ("DZ", "planned"),
    }
    url = f"/api/v1/offers/{body['id']}/"
    etag = response["ETag"]
    response = client.patch(url, {"members_only": True}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["members_only"] is True
    stale = client.patch(url, {"members_only": False}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Offer.objects.get(pk=body["id"]).members_only is True


def test_offer_writes_are_refused_outside_ones_structures(api, staff_client):
    offer = OfferFactory(structure=StructureFactory(slug="theirs"))
    client = staff_client(StructureFactory())
    url = f"/api/v1/offers/{offer.pk}/"
    assert client.patch(url, {"cost": "paid"}, format="json", HTTP_IF_MATCH="*").status_code == 403
    response = client.post(
        "/api/v1/offers/", {"structure": "theirs", "service": "trade-fairs"}, format="json"
    )
    assert response.status_code == 403
    assert api.patch(url, {"cost": "paid"}, format="json", HTTP_IF_MATCH="*").status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"min_employees": 10, "max_employees": 5}, "non_field_errors"),
        ({"markets": [{"country": "FR34"}]}, "markets"),
        ({"markets": [{"country": "MA", "status": "someday"}]}, "markets"),
        ({"naf_include": ["agroalimentaire"]}, "naf_include"),
        ({"delivery": "pigeon"}, "delivery"),
        ({"service": "trade-fairs"}, "service"),
        ({"contact": 999999}, "contact"),
        ({"min_employees": -1}, "min_employees"),
    ],
)
def test_invalid_offer_updates_are_400(staff_client, payload, field):
    SectorFactory(code="agroalimentaire")
    offer = OfferFactory()
    client = staff_client(offer.structure)
    response = client.patch(
        f"/api/v1/offers/{offer.pk}/", payload, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


def test_offer_contact_of_another_structure_is_refused(staff_client):
    offer = OfferFactory()
    foreign = ContactFactory()
    response = staff_client(offer.structure).patch(
        f"/api/v1/offers/{offer.pk}/", {"contact": foreign.pk}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400
    assert "contact" in response.json()["errors"]


def test_duplicate_offer_is_400(staff_client):
    offer = OfferFactory(structure=StructureFactory(slug="cci"))
    response = staff_client(offer.structure).post(
        "/api/v1/offers/",
        {"structure": "cci", "service": offer.service.code},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"]


# --- Contacts -----------------------------------------------------------------------------------


def test_anonymous_sees_public_contacts_only(api, staff_client, admin_client_api):
    structure = StructureFactory()
    public = ContactFactory(structure=structure)
    private = ContactFactory(structure=structure, private=True)
    assert ids(api.get("/api/v1/contacts/")) == [public.pk]
    assert api.get(f"/api/v1/contacts/{private.pk}/").status_code == 404
    assert ids(staff_client(structure).get("/api/v1/contacts/")) == [public.pk, private.pk]
    assert ids(staff_client(StructureFactory()).get("/api/v1/contacts/")) == [public.pk]
    assert ids(admin_client_api.get("/api/v1/contacts/")) == [public.pk, private.pk]


def test_agency_with_contact_permission_sees_private_contacts_in_scope(token_client):
    herault = StructureFactory()
    lyon = StructureFactory(commune=territory("commune", "69123"), postal_code="69001")
    private_h = ContactFactory(structure=herault, private=True)
    ContactFactory(structure=lyon, private=True)
    client = token_client(
        scope=[territory("departement", "34")], perms=["structures.view_private_contacts"]
    )
    assert ids(client.get("/api/v1/contacts/")) == [private_h.pk]
    plain = token_client(scope=[territory("departement", "34")])
    assert ids(plain.get("/api/v1/contacts/")) == []


def test_contact_filters(api):
    a = ContactFactory(structure=StructureFactory(slug="a"), person=True)
    ContactFactory(structure=StructureFactory(slug="b"))
    assert ids(api.get("/api/v1/contacts/", {"structure": "a"})) == [a.pk]
    assert ids(api.get("/api/v1/contacts/", {"kind": "person"})) == [a.pk]
    assert api.get("/api/v1/contacts/", {"kind": "robot"}).status_code == 400


def test_contacts_list_of_100_bounded_queries(api, django_assert_max_num_queries):
    for _ in range(10):
        ContactFactory.create_batch(10, structure=StructureFactory())
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/contacts/", {"page_size": 100})
    assert len(response.json()["results"]) == 100


def test_staff_creates_and_updates_a_contact_with_etag(staff_client):
    structure = StructureFactory(slug="cci")
    client = staff_client(structure)
    response = client.post(
        "/api/v1/contacts/",
        {"structure": "cci", "name": "Camille", "kind": "person", "languages": ["FR", "es"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["languages"] == ["fr", "es"]
    url = f"/api/v1/contacts/{body['id']}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"role": "Conseillère"}, format="json").status_code == 428
    response = client.patch(url, {"role": "Conseillère"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    stale = client.patch(url, {"role": "Autre"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Contact.objects.get(pk=body["id"]).role == "Conseillère"


def test_contact_writes_refused_outside_ones_structures(staff_client):
    contact = ContactFactory(structure=StructureFactory(slug="theirs"))
    client = staff_client(StructureFactory())
    url = f"/api/v1/contacts/{contact.pk}/"
    assert client.patch(url, {"role": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 403
    response = client.post("/api/v1/contacts/", {"structure": "theirs", "name": "X"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"languages": ["klingon"]}, "languages"),
        ({"phone": "pas un numéro"}, "phone"),
        ({"email": "x"}, "email"),
        ({"structure": "ailleurs"}, "structure"),
        ({"name": ""}, "name"),
    ],
)
def test_invalid_contact_updates_are_400(staff_client, payload, field):
    contact = ContactFactory()
    StructureFactory(slug="ailleurs")
    response = staff_client(contact.structure).patch(
        f"/api/v1/contacts/{contact.pk}/", payload, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


# --- Catalogues ---------------------------------------------------------------------------------


def test_catalogues(api):
    services = api.get("/api/v1/services/").json()
    assert "trade-fairs" in {s["code"] for s in services}
    assert api.get("/api/v1/services/trade-fairs/").json()["code"] == "trade-fairs"
    assert api.get("/api/v1/services/nope/").status_code == 404
    sectors = api.get("/api/v1/sectors/", {"kind": "naf_section"}).json()
    assert {s["kind"] for s in sectors["results"]} == {"naf_section"}
    assert api.get("/api/v1/sectors/", {"kind": "x"}).status_code == 400
    assert api.get("/api/v1/sectors/10/").json()["parent"] == "C"
    countries = api.get("/api/v1/countries/", {"page_size": 100}).json()
    assert countries["count"] > 200
    assert api.get("/api/v1/countries/ma/").json()["name"] == "Maroc"
    assert api.get("/api/v1/countries/XX/").status_code == 404


def test_nul_characters_are_refused_not_a_server_error(api, staff_client):
    # PostgreSQL cannot store NUL: every path must answer 400 / 404 before reaching it.
    assert api.get("/api/v1/sectors/a%00b/").status_code == 404
    assert api.get("/api/v1/countries/M%00/").status_code == 404
    assert api.get("/api/v1/structures/", {"network": "a\x00"}).status_code == 400
    structure = StructureFactory()
    response = staff_client(structure).post(
        "/api/v1/offers/", {"structure": "a\x00b", "service": "trade-fairs"}, format="json"
    )
    assert response.status_code == 400
    assert "structure" in response.json()["errors"]

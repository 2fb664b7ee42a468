"""The breaches of issue 10 (access), each replayed as the attacker did it.

Staff A belongs to a chamber in Hérault and holds a token scoped to département 34 (and the
staff group's ``structures.view_contact``, which lets staff manage their own contacts in the
admin); staff B belongs to a cluster in Lyon; an agency holds ``smes.view_sme`` and
``structures.view_private_contacts`` with an account scope of département 34.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from structures.models import ApiToken, Structure
from tests.api.conftest import grant
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    territory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cci = StructureFactory(slug="cci-herault", name="CCI Hérault")
    lyonbiopole = StructureFactory(
        slug="lyonbiopole",
        name="Lyonbiopôle",
        commune=territory("commune", "69123"),
        postal_code="69007",
    )
    beziers = StructureFactory(
        slug="club-beziers", commune=territory("commune", "34032"), postal_code="34500"
    )
    a = StaffMembershipFactory(structure=cci).user
    grant(a, "structures.view_contact")
    b = StaffMembershipFactory(structure=lyonbiopole).user
    grant(b, "structures.view_contact")
    b_private = ContactFactory(structure=lyonbiopole, private=True, name="Bérénice Privée")
    beziers_private = ContactFactory(structure=beziers, private=True, name="Basile Privé")
    a_private = ContactFactory(structure=cci, private=True, name="Anne Privée")
    b_offer = OfferFactory(structure=lyonbiopole, contact=b_private)
    beziers_offer = OfferFactory(structure=beziers, contact=beziers_private)
    return {
        "cci": cci,
        "lyonbiopole": lyonbiopole,
        "beziers": beziers,
        "a": a,
        "b": b,
        "b_private": b_private,
        "beziers_private": beziers_private,
        "a_private": a_private,
        "b_offer": b_offer,
        "beziers_offer": beziers_offer,
    }


def token_of(user, *scope) -> APIClient:
    _, key = ApiToken.issue(user=user, name="jeton", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def session_of(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def contact_names(body) -> set[str]:
    """Every contact name found anywhere in a JSON body."""
    found = set()
    if isinstance(body, dict):
        if "name" in body and "is_public" in body:
            found.add(body["name"])
        for value in body.values():
            found |= contact_names(value)
    elif isinstance(body, list):
        for value in body:
            found |= contact_names(value)
    return found


def test_private_contacts_do_not_leak_to_other_structures_staff(world):
    a_token = token_of(world["a"], territory("departement", "34"))
    a_session = session_of(world["a"])
    lyon = world["lyonbiopole"]
    for client in (a_token, a_session):
        for url in (
            f"/api/v1/offers/{world['b_offer'].pk}/",
            f"/api/v1/structures/{lyon.pk}/",
            "/api/v1/structures/lyonbiopole/",
            "/api/v1/offers/?structure=lyonbiopole",
            "/api/v1/contacts/",
            f"/api/v1/offers/{world['beziers_offer'].pk}/",
            "/api/v1/structures/club-beziers/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            names = contact_names(response.json())
            assert "Bérénice Privée" not in names, url
            # Another structure's private contact inside A's own département: not A's either.
            assert "Basile Privé" not in names, url
        for contact in ("b_private", "beziers_private"):
            assert client.get(f"/api/v1/contacts/{world[contact].pk}/").status_code == 404
        # A's own private contact stays A's to read.
        assert client.get(f"/api/v1/contacts/{world['a_private'].pk}/").status_code == 200
        assert "Anne Privée" in contact_names(client.get("/api/v1/structures/cci-herault/").json())


def test_the_private_contacts_right_holds_within_the_scope_only(world):
    agency = grant(
        UserFactory(is_staff=False, scope=[territory("departement", "34")]),
        "structures.view_private_contacts",
    )
    for client in (session_of(agency), token_of(agency)):
        names = contact_names(client.get("/api/v1/structures/club-beziers/").json())
        assert "Basile Privé" in names
        body = client.get(f"/api/v1/offers/{world['beziers_offer'].pk}/").json()
        assert body["contact"]["name"] == "Basile Privé"
        assert client.get(f"/api/v1/offers/{world['b_offer'].pk}/").json()["contact"] is None
        assert client.get(f"/api/v1/contacts/{world['b_private'].pk}/").status_code == 404
    # Without any scope, the right is exercised nowhere.
    unscoped = grant(UserFactory(is_staff=False), "structures.view_private_contacts")
    body = session_of(unscoped).get(f"/api/v1/offers/{world['beziers_offer'].pk}/").json()
    assert body["contact"] is None


def _patch(client, structure, data):
    etag = client.get(f"/api/v1/structures/{structure.pk}/")["ETag"]
    return client.patch(
        f"/api/v1/structures/{structure.pk}/", data, format="json", HTTP_IF_MATCH=etag
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("source", "Inventé"),
        ("source_url", "https://exemple.org/faux"),
        ("licence", "Domaine public"),
    ],
)
def test_staff_cannot_write_registry_only_fields_through_the_api(world, field, value):
    client = token_of(world["a"], territory("departement", "34"))
    response = _patch(client, world["cci"], {field: value})
    assert response.status_code == 400, response.content
    assert "administrateur du registre" in str(response.json())
    cci = Structure.objects.get(pk=world["cci"].pk)
    assert cci.parent_id is None
    assert cci.source != "Inventé" and cci.licence != "Domaine public"


def test_a_registry_administrator_may_set_them(world):
    admin = UserFactory(superuser=True)
    response = _patch(session_of(admin), world["cci"], {"parent": "lyonbiopole"})
    assert response.status_code == 200, response.content
    assert Structure.objects.get(pk=world["cci"].pk).parent == world["lyonbiopole"]


def test_a_write_may_not_move_a_listing_out_of_the_writers_scope(world):
    client = token_of(world["a"], territory("departement", "34"))
    response = _patch(client, world["cci"], {"commune": "69123", "postal_code": "69001"})
    assert response.status_code == 403, response.content
    assert "périmètre" in response.json()["detail"]
    assert Structure.objects.get(pk=world["cci"].pk).commune.code == "34172"
    # Inside the scope, the same move is an ordinary edit.
    response = _patch(client, world["cci"], {"commune": "34032", "postal_code": "34500"})
    assert response.status_code == 200, response.content
    # The account's scope binds sessions the same way.
    scoped_account = UserFactory(scope=[territory("departement", "34")])
    StaffMembershipFactory(structure=world["beziers"], user=scoped_account)
    response = _patch(
        session_of(scoped_account), world["beziers"], {"commune": "69123", "postal_code": "69001"}
    )
    assert response.status_code == 403

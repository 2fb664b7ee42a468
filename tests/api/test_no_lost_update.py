"""No lost update through the API: two clients, each logged in with its own session, read the same
record (same ETag), both write with it; the first is written, the second is a 412 whose message
names who changed the record and when, and nothing of the first is reverted. A write without
``If-Match`` is a 428. One test per write endpoint, and the admin and the API refusing each
other's stale writes.
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from smes.models import SME
from structures.models import Contact, Offer, OfferMarket, Structure
from tests.api.conftest import grant
from tests.smes.factories import SMEFactory
from tests.structures.admin_support import form_data
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    territory,
)

pytestmark = pytest.mark.django_db

CONFLICT = "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte"


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def editors(structure):
    """Two staff of ``structure``, each in their own session."""
    first = UserFactory(username="ines", first_name="Inès", last_name="Garcia")
    second = UserFactory(username="jules")
    for user in (first, second):
        StaffMembershipFactory(user=user, structure=structure)
    return session(first), session(second)


def race(url, first, second, first_body, second_body) -> dict:
    """Both read ``url``; the first PATCH is a 200, the second (same ETag) a 412."""
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag
    assert second.patch(url, second_body, format="json").status_code == 428
    written = first.patch(url, first_body, format="json", HTTP_IF_MATCH=etag)
    assert written.status_code == 200, written.content
    assert written["ETag"] != etag
    refused = second.patch(url, second_body, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 412, refused.content
    body = refused.json()
    assert body["code"] == "stale_version"
    assert CONFLICT in body["detail"]
    return body


def names_who_and_when(message: str, who: str) -> bool:
    return re.search(
        rf"\(par {re.escape(who)}, le \d{{1,2}} \S+ \d{{4}} à \d{{2}}:\d{{2}}\)", message
    )


def test_structure_patch():
    structure = StructureFactory(phone="", opening_hours="")
    first, second = editors(structure)
    body = race(
        f"/api/v1/structures/{structure.pk}/",
        first,
        second,
        {"phone": "0467000001"},
        {"opening_hours": "Mo-Fr 09:00-17:00"},
    )
    assert names_who_and_when(body["detail"], "Inès Garcia")
    structure.refresh_from_db()
    assert (structure.phone, structure.opening_hours) == ("+33467000001", "")


def test_structure_coverage_patch():
    """Coverage rows are written under the structure's version."""
    structure = StructureFactory(coverage=[territory("departement", "34")])
    first, second = editors(structure)
    body = race(
        f"/api/v1/structures/{structure.pk}/",
        first,
        second,
        {"coverage": ["departement:34", "departement:30"]},
        {"coverage": ["region:76"]},
    )
    assert names_who_and_when(body["detail"], "Inès Garcia")
    assert {t.code for t in Structure.objects.get(pk=structure.pk).coverage.all()} == {"34", "30"}


def test_offer_patch_with_markets():
    """An offer's markets are written under the offer's version."""
    offer = OfferFactory(markets=[territory("country", "MA")])
    first, second = editors(offer.structure)
    body = race(
        f"/api/v1/offers/{offer.pk}/",
        first,
        second,
        # Active to planned narrows the offer's searches: confirmed (structures.competence).
        {"markets": [{"country": "MA", "status": "planned"}], "confirm_narrowing": True},
        {"cost": "paid"},
    )
    assert names_who_and_when(body["detail"], "Inès Garcia")
    offer = Offer.objects.get(pk=offer.pk)
    assert offer.cost != "paid"
    assert OfferMarket.objects.get(offer=offer).status == "planned"


def test_contact_patch():
    contact = ContactFactory(role="", email="")
    first, second = editors(contact.structure)
    body = race(
        f"/api/v1/contacts/{contact.pk}/",
        first,
        second,
        {"role": "Conseillère export"},
        {"email": "autre@example.org"},
    )
    assert names_who_and_when(body["detail"], "Inès Garcia")
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.role, contact.email) == ("Conseillère export", "")


def test_sme_patch():
    sme = SMEFactory(name="Atelier du Lez", employees=12)
    perms = ("smes.view_sme", "smes.change_sme")
    herault = [territory("departement", "34")]  # SME rights are exercised within a scope
    first_user = grant(
        UserFactory(username="kim", first_name="Kim", last_name="Nguyen", scope=herault), *perms
    )
    second_user = grant(UserFactory(username="lou", scope=herault), *perms)
    body = race(
        f"/api/v1/smes/{sme.siret}/",
        session(first_user),
        session(second_user),
        {"employees": 15},
        {"name": "Atelier du Lez SAS"},
    )
    assert names_who_and_when(body["detail"], "Kim Nguyen")
    sme = SME.objects.get(pk=sme.pk)
    assert (sme.name, sme.employees) == ("Atelier du Lez", 15)


def test_admin_save_makes_an_api_etag_stale_and_back():
    """The admin and the API check the same version: neither overwrites the other."""
    contact = ContactFactory(role="")
    editor = UserFactory(username="maud", first_name="Maud", last_name="Leroy")
    StaffMembershipFactory(user=editor, structure=contact.structure)
    admin_user = UserFactory(username="nora", superuser=True)
    api = session(editor)
    url = f"/api/v1/contacts/{contact.pk}/"
    etag = api.get(url)["ETag"]

    admin = session(admin_user)
    admin_url = f"/admin/structures/contact/{contact.pk}/change/"
    data = form_data(admin.get(admin_url))
    data["role"] = "Accueil"
    assert admin.post(admin_url, data).status_code == 302

    refused = api.patch(url, {"role": "Autre"}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    assert names_who_and_when(refused.json()["detail"], "nora")
    assert Contact.objects.get(pk=contact.pk).role == "Accueil"

    # And the other way round: an API write makes an open admin page stale.
    data = form_data(admin.get(admin_url))
    written = api.patch(url, {"role": "Export"}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    assert written.status_code == 200
    data["role"] = "Retour arrière"
    stale = admin.post(admin_url, data)
    assert stale.status_code == 200
    assert names_who_and_when(stale.content.decode(), "Maud Leroy")
    assert Contact.objects.get(pk=contact.pk).role == "Export"

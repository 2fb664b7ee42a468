"""The write API follows the moderation of published listings: 202 Accepted, nothing applied of
the sensitive changes, the pending change in the body."""

import pytest

from structures import moderation, services
from structures.enums import PendingChangeStatus
from structures.models import PendingChange, StaffMembership, Structure
from tests.structures.factories import StructureFactory, UserFactory, territory

pytestmark = pytest.mark.django_db


def _patch(client, structure, data):
    etag = client.get(f"/api/v1/structures/{structure.pk}/")["ETag"]
    return client.patch(
        f"/api/v1/structures/{structure.pk}/", data, format="json", HTTP_IF_MATCH=etag
    )


def test_a_staff_rename_through_the_api_is_accepted_not_applied(staff_client):
    cci = StructureFactory(name="CCI Hérault")
    client = staff_client(cci)
    response = _patch(client, cci, {"name": "CCI Hérault Méditerranée", "phone": "0467000001"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert "attend la validation d'un administrateur du registre" in body["detail"]
    assert body["pending_change"]["proposed"] == {"name": "CCI Hérault Méditerranée"}
    assert body["pending_change"]["status"] == PendingChangeStatus.PENDING
    assert body["structure"]["name"] == "CCI Hérault"  # the published version
    assert body["structure"]["phone"] == "+33467000001"  # the rest applied
    assert response["ETag"] == f'"{cci.pk}.v{body["structure"]["version"]}"'
    assert Structure.objects.get(pk=cci.pk).name == "CCI Hérault"
    # A coverage widened to a région joins the same pending change.
    response = _patch(client, cci, {"coverage": ["departement:34", "region:76"]})
    assert response.status_code == 202, response.content
    added = response.json()["pending_change"]["coverage_added"]
    assert [t["code"] for t in added] == ["76"]
    assert PendingChange.objects.filter(structure=cci).count() == 1
    assert list(Structure.objects.get(pk=cci.pk).coverage.all()) == [territory("departement", "34")]


def test_a_staff_write_without_sensitive_changes_is_applied(staff_client):
    cci = StructureFactory(name="CCI Hérault")
    response = _patch(staff_client(cci), cci, {"name": "CCI Hérault", "phone": "0467000002"})
    assert response.status_code == 200, response.content
    assert not PendingChange.objects.exists()


def test_a_registry_administrator_renames_at_once(admin_client_api):
    cci = StructureFactory(name="CCI Hérault")
    response = _patch(admin_client_api, cci, {"name": "CCI Hérault Méditerranée"})
    assert response.status_code == 200, response.content
    assert Structure.objects.get(pk=cci.pk).name == "CCI Hérault Méditerranée"


# --- Staff create an antenna of their network; they propose a network head -------------------

LIST = "/api/v1/structures/"


def _antenna(parent, **extra):
    return {
        "name": "Antenne du bassin de Thau",
        "kind": "cci",
        "parent": parent.slug,
        "commune": "34301",
        "postal_code": "34200",
        **extra,
    }


def test_staff_create_an_unpublished_antenna_through_the_api(staff_client, api):
    cci = StructureFactory(name="CCI Hérault", slug="cci-herault")
    client = staff_client(cci)
    response = client.post(LIST, _antenna(cci), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_validated"] is False and body["parent"]["slug"] == "cci-herault"
    antenna = Structure.objects.get(slug=body["slug"])
    assert StaffMembership.objects.filter(user=client.user, structure=antenna).exists()
    # Its creator reads and edits it (a rename applies: it is not published yet)…
    assert body["slug"] in {s["slug"] for s in client.get(LIST).json()["results"]}
    etag = client.get(f"{LIST}{antenna.pk}/")["ETag"]
    renamed = client.patch(
        f"{LIST}{antenna.pk}/", {"name": "Antenne de Sète"}, format="json", HTTP_IF_MATCH=etag
    )
    assert renamed.status_code == 200, renamed.content
    # …nobody else sees it before a registry administrator publishes it.
    assert api.get(f"{LIST}{antenna.pk}/").status_code == 404
    assert api.get(f"/api/v1/structures/{antenna.slug}/").status_code == 404
    assert body["slug"] not in {s["slug"] for s in api.get(LIST).json()["results"]}
    other = staff_client(StructureFactory(name="CCI Gard"))
    assert other.get(f"{LIST}{antenna.pk}/").status_code == 404
    services.set_structure_validation(structure=antenna, is_validated=True, user=None)
    assert api.get(f"{LIST}{antenna.pk}/").json()["name"] == "Antenne de Sète"


def test_staff_cannot_create_outside_their_network_or_scope(staff_client, token_client):
    cci = StructureFactory(name="CCI Hérault", slug="cci-herault")
    gard = StructureFactory(name="CCI Gard", slug="cci-gard")
    client = staff_client(cci)
    for data in (_antenna(gard), {**_antenna(cci), "parent": None}):
        response = client.post(LIST, data, format="json")
        assert response.status_code == 400, response.content
        assert "dont vous faites partie" in str(response.json()["errors"]["parent"])
    # No team at all: no creation.
    nobody = token_client()
    assert nobody.post(LIST, _antenna(cci), format="json").status_code == 403
    # A token scoped to the Gard may not place the antenna in the Hérault.
    member = StaffMembership.objects.get(structure=cci).user
    scoped = token_client(user=member, scope=[territory("departement", "30")])
    assert scoped.post(LIST, _antenna(cci), format="json").status_code == 403
    assert not Structure.objects.filter(name="Antenne du bassin de Thau").exists()


def test_a_network_head_proposed_through_the_api_waits_for_approval(staff_client):
    cci = StructureFactory(name="CCI Hérault", slug="cci-herault")
    head = StructureFactory(name="CCI Occitanie", slug="cci-occitanie", kind="cci_regional")
    client = staff_client(cci)
    response = _patch(client, cci, {"parent": "cci-occitanie"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["pending_change"]["proposed"] == {"parent": head.slug}
    assert body["structure"]["parent"] is None
    draft = StructureFactory(slug="reseau-brouillon", unvalidated=True)
    refused = _patch(client, cci, {"parent": draft.slug})
    assert refused.status_code == 400, refused.content
    assert "structure publiée" in str(refused.json()["errors"]["parent"])
    pending = PendingChange.objects.get(structure=cci)
    moderation.approve_pending_change(pending=pending, user=UserFactory(superuser=True))
    assert client.get(f"{LIST}{cci.pk}/").json()["parent"]["slug"] == "cci-occitanie"

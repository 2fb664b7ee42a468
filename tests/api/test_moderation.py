"""The write API follows the moderation of published listings: 202 Accepted, nothing applied of
the sensitive changes, the pending change in the body."""

import pytest

from structures.enums import PendingChangeStatus
from structures.models import PendingChange, Structure
from tests.structures.factories import StructureFactory, territory

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

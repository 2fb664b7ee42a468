"""No lost update: the second of two concurrent edits is refused with a clear French message."""

import pytest
from django.db.models import F

from structures import services
from structures.admin.concurrency import VersionedModelForm, claim_version
from structures.exceptions import StaleVersionError
from structures.models import Offer, Structure
from tests.structures import admin_support
from tests.structures.admin_support import form_data, inline_prefix

pytestmark = pytest.mark.django_db

# Shared fixtures (tests/structures/admin_support.py).
as_user = admin_support.as_user
world = admin_support.world

CONFLICT = (
    "Cette fiche a été modifiée par quelqu&#x27;un d&#x27;autre depuis que vous l&#x27;avez ouverte"
)


def _structure_url(structure):
    return f"/admin/structures/structure/{structure.pk}/change/"


def test_second_save_of_the_same_listing_is_refused(world, as_user, client):
    url = _structure_url(world.herault)
    # Alice and Carol both open the listing.
    alice_data = form_data(as_user(world.alice).get(url))
    carol_data = form_data(as_user(world.carol).get(url))

    carol_data["phone"] = "04 67 00 00 01"
    assert as_user(world.carol).post(url, carol_data).status_code == 302

    alice_data["opening_hours"] = "Mo-Fr 09:00-17:00"
    response = as_user(world.alice).post(url, alice_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert CONFLICT in html
    assert "carol" in html  # who changed it
    world.herault.refresh_from_db()
    assert world.herault.phone == "+33467000001"  # Carol's change survived
    assert world.herault.opening_hours == ""  # Alice's was not written over it


def test_sequential_saves_each_see_the_latest_version(world, as_user):
    client = as_user(world.alice)
    url = _structure_url(world.herault)
    version = Structure.objects.get(pk=world.herault.pk).version
    for phone in ("04 67 00 00 02", "04 67 00 00 03"):
        data = form_data(client.get(url))
        data["phone"] = phone
        assert client.post(url, data).status_code == 302
    world.herault.refresh_from_db()
    assert world.herault.phone == "+33467000003"
    assert world.herault.version == version + 2


def test_confirmation_by_someone_else_also_counts_as_a_change(world, as_user):
    client = as_user(world.alice)
    url = _structure_url(world.herault)
    data = form_data(client.get(url))
    services.confirm_up_to_date(structure=world.herault, user=world.bob)
    data["phone"] = "04 67 00 00 04"
    assert CONFLICT in client.post(url, data).content.decode()


def test_race_lost_after_validation_is_refused_by_the_conditional_update(
    world, as_user, monkeypatch
):
    """Both submissions validated before either wrote: the UPDATE … WHERE version decides."""
    client = as_user(world.alice)
    url = _structure_url(world.herault)
    data = form_data(client.get(url))
    # The other writer commits between Alice's validation and her write: simulated by a version
    # bump already in the database and a validation that does not notice it, once.
    Structure.objects.filter(pk=world.herault.pk).update(version=F("version") + 1)
    original_clean = VersionedModelForm.clean
    calls = {"n": 0}

    def clean_missing_the_race(self):
        calls["n"] += 1
        if calls["n"] == 1:
            return super(VersionedModelForm, self).clean()
        return original_clean(self)

    monkeypatch.setattr(VersionedModelForm, "clean", clean_missing_the_race)
    data["phone"] = "04 67 00 00 05"
    response = client.post(url, data)
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    world.herault.refresh_from_db()
    assert world.herault.phone != "+33467000005"


def test_claim_version_is_a_conditional_update(world):
    structure = Structure.objects.get(pk=world.herault.pk)
    loaded = structure.version
    claim_version(structure, expected=loaded)
    assert Structure.objects.get(pk=structure.pk).version == loaded + 1
    with pytest.raises(StaleVersionError):
        claim_version(structure, expected=loaded)  # the same loaded version, a second time
    with pytest.raises(StaleVersionError):
        claim_version(structure, expected=None)
    assert Structure.objects.get(pk=structure.pk).version == loaded + 1


def test_offer_page_refuses_a_stale_save(world, as_user):
    client = as_user(world.alice)
    url = f"/admin/structures/offer/{world.herault_offer.pk}/change/"
    data = form_data(client.get(url))
    services.update_offer(
        offer=world.herault_offer,
        data={"cost": "paid"},
        expected_version=world.herault_offer.version,
        user=world.carol,
    )
    data["description"] = "Nouvelle description"
    response = client.post(url, data)
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    offer = Offer.objects.get(pk=world.herault_offer.pk)
    assert offer.cost == "paid"
    assert offer.description != "Nouvelle description"


def test_offer_rows_on_the_structure_page_are_versioned_too(world, as_user):
    client = as_user(world.alice)
    url = _structure_url(world.herault)
    response = client.get(url)
    data = form_data(response)
    prefix = inline_prefix(response, Offer)
    services.update_offer(
        offer=world.herault_offer,
        data={"cost": "paid"},
        expected_version=world.herault_offer.version,
        user=world.carol,
    )
    data[f"{prefix}-0-cost"] = "subsidised"
    response = client.post(url, data)
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    assert Offer.objects.get(pk=world.herault_offer.pk).cost == "paid"


def test_offer_row_edit_on_the_structure_page_bumps_its_version(world, as_user):
    client = as_user(world.alice)
    url = _structure_url(world.herault)
    response = client.get(url)
    data = form_data(response)
    prefix = inline_prefix(response, Offer)
    data[f"{prefix}-0-cost"] = "subsidised"
    assert client.post(url, data).status_code == 302
    offer = Offer.objects.get(pk=world.herault_offer.pk)
    assert offer.cost == "subsidised"
    assert offer.version == world.herault_offer.version + 1

"""A chamber's staff cannot read or change another chamber's listing by ANY admin URL."""

import pytest

from structures.models import Contact, Offer, StaffMembership, Structure
from tests.structures import admin_support
from tests.structures.admin_support import form_data
from tests.structures.factories import service

pytestmark = pytest.mark.django_db

# Shared fixtures (tests/structures/admin_support.py).
as_user = admin_support.as_user
world = admin_support.world

ADMIN = "/admin/structures"


def _urls(world):
    gard, offer, contact = world.gard, world.gard_offer, world.gard_contact
    structure_hid = gard.history.latest().history_id
    offer_hid = offer.history.latest().history_id
    contact_hid = contact.history.latest().history_id
    return [
        f"{ADMIN}/structure/{gard.pk}/change/",
        f"{ADMIN}/structure/{gard.pk}/history/",
        f"{ADMIN}/structure/{gard.pk}/history/{structure_hid}/",
        f"{ADMIN}/structure/{gard.pk}/delete/",
        f"{ADMIN}/offer/{offer.pk}/change/",
        f"{ADMIN}/offer/{offer.pk}/history/",
        f"{ADMIN}/offer/{offer.pk}/history/{offer_hid}/",
        f"{ADMIN}/offer/{offer.pk}/delete/",
        f"{ADMIN}/contact/{contact.pk}/change/",
        f"{ADMIN}/contact/{contact.pk}/history/",
        f"{ADMIN}/contact/{contact.pk}/history/{contact_hid}/",
        f"{ADMIN}/contact/{contact.pk}/delete/",
    ]


def test_staff_cannot_open_any_page_of_another_chamber(world, as_user):
    client = as_user(world.alice)
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "CCI Gard" not in response.content.decode(), url
        if response.status_code == 302:
            # The admin's "does not exist (perhaps it was deleted?)" redirect, never the page.
            assert (
                "/change/" not in response["Location"]
                or str(world.gard.pk) not in response["Location"]
            )


def test_staff_cannot_post_deletion_of_another_chambers_objects(world, as_user):
    client = as_user(world.alice)
    for url in (
        f"{ADMIN}/structure/{world.gard.pk}/delete/",
        f"{ADMIN}/offer/{world.gard_offer.pk}/delete/",
        f"{ADMIN}/contact/{world.gard_contact.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code in (302, 403, 404)
    assert Structure.objects.filter(pk=world.gard.pk).exists()
    assert Offer.objects.filter(pk=world.gard_offer.pk).exists()
    assert Contact.objects.filter(pk=world.gard_contact.pk).exists()


def test_the_other_chamber_gets_the_same_treatment(world, as_user):
    client = as_user(world.bob)
    response = client.get(f"{ADMIN}/structure/{world.herault.pk}/change/")
    assert response.status_code == 302
    assert client.get(f"{ADMIN}/structure/{world.gard.pk}/change/").status_code == 200


@pytest.mark.parametrize("model", ["structure", "offer", "contact"])
def test_changelists_list_only_own_objects(world, as_user, model):
    html = as_user(world.alice).get(f"{ADMIN}/{model}/").content.decode()
    assert "Hérault" in html
    assert "Gard" not in html


def test_own_pages_are_reachable(world, as_user):
    client = as_user(world.alice)
    for url in (
        f"{ADMIN}/structure/{world.herault.pk}/change/",
        f"{ADMIN}/structure/{world.herault.pk}/history/",
        f"{ADMIN}/offer/{world.herault_offer.pk}/change/",
        f"{ADMIN}/offer/{world.herault_offer.pk}/history/",
        f"{ADMIN}/contact/{world.herault_contact.pk}/change/",
        f"{ADMIN}/offer/add/",
        f"{ADMIN}/contact/add/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("user", ["root", "carol"])
def test_registry_administrators_see_everything(world, as_user, user):
    client = as_user(getattr(world, user))
    html = client.get(f"{ADMIN}/structure/").content.decode()
    assert "Hérault" in html and "Gard" in html
    assert client.get(f"{ADMIN}/structure/{world.gard.pk}/change/").status_code == 200
    assert client.get(f"{ADMIN}/offer/{world.gard_offer.pk}/history/").status_code == 200
    assert client.get(f"{ADMIN}/staffmembership/").status_code == 200


@pytest.mark.parametrize(
    ("model_name", "field_name"),
    [
        ("offer", "structure"),
        ("contact", "structure"),
        ("staffmembership", "structure"),
        ("structurelink", "to_structure"),
    ],
)
def test_autocomplete_of_structures_is_scoped_from_every_admin(
    world, as_user, model_name, field_name
):
    params = {
        "app_label": "structures",
        "model_name": model_name,
        "field_name": field_name,
        "term": "commerce",
    }
    staff = as_user(world.alice).get("/admin/autocomplete/", params)
    assert staff.status_code == 200
    assert [r["id"] for r in staff.json()["results"]] == [str(world.herault.pk)]

    everyone = as_user(world.root).get("/admin/autocomplete/", params).json()["results"]
    assert {r["id"] for r in everyone} >= {str(world.herault.pk), str(world.gard.pk)}


def test_autocomplete_of_contacts_is_scoped(world, as_user):
    params = {
        "app_label": "structures",
        "model_name": "offer",
        "field_name": "contact",
        "term": "international",
    }
    results = as_user(world.alice).get("/admin/autocomplete/", params).json()["results"]
    assert [r["id"] for r in results] == [str(world.herault_contact.pk)]


def test_staff_cannot_attach_an_offer_to_another_chamber(world, as_user):
    client = as_user(world.alice)
    response = client.post(
        f"{ADMIN}/offer/add/",
        {
            "structure": world.gard.pk,
            "service": service("trade-fairs").pk,
            "delivery": "in_person",
            "cost": "free",
            "is_active": "on",
            "markets-TOTAL_FORMS": "0",
            "markets-INITIAL_FORMS": "0",
            "offercoverage_set-TOTAL_FORMS": "0",
            "offercoverage_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "structure" in response.context["adminform"].form.errors
    assert not Offer.objects.filter(structure=world.gard, service__code="trade-fairs").exists()


def test_staff_cannot_pick_another_chambers_contact(world, as_user):
    client = as_user(world.alice)
    url = f"{ADMIN}/offer/{world.herault_offer.pk}/change/"
    data = form_data(client.get(url))
    data["contact"] = str(world.gard_contact.pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "contact" in response.context["adminform"].form.errors
    world.herault_offer.refresh_from_db()
    assert world.herault_offer.contact == world.herault_contact


def test_staff_cannot_create_a_contact_for_another_chamber(world, as_user):
    response = as_user(world.alice).post(
        f"{ADMIN}/contact/add/",
        {"structure": world.gard.pk, "kind": "desk", "name": "Intrus", "position": "0"},
    )
    assert response.status_code == 200
    assert "structure" in response.context["adminform"].form.errors
    assert not Contact.objects.filter(name="Intrus").exists()


def test_bulk_action_ignores_another_chambers_ids(world, as_user):
    Structure.objects.filter(pk__in=[world.herault.pk, world.gard.pk]).update(verified_at=None)
    response = as_user(world.alice).post(
        f"{ADMIN}/structure/",
        {"action": "confirm_up_to_date", "_selected_action": [world.gard.pk, world.herault.pk]},
    )
    assert response.status_code == 302
    world.gard.refresh_from_db()
    world.herault.refresh_from_db()
    assert world.gard.verified_at is None
    assert world.herault.verified_at is not None


def test_bulk_delete_of_another_chambers_offers_deletes_nothing(world, as_user):
    as_user(world.alice).post(
        f"{ADMIN}/offer/",
        {"action": "delete_selected", "_selected_action": [world.gard_offer.pk], "post": "yes"},
    )
    assert Offer.objects.filter(pk=world.gard_offer.pk).exists()


def test_inline_rows_cannot_target_another_chambers_rows(world, as_user):
    """A crafted inline row id of another structure's contact changes nothing."""
    client = as_user(world.alice)
    url = f"{ADMIN}/structure/{world.herault.pk}/change/"
    data = form_data(client.get(url))
    data["contacts-0-id"] = str(world.gard_contact.pk)
    data["contacts-0-name"] = "Détourné"
    assert client.post(url, data).status_code in (200, 302)
    world.gard_contact.refresh_from_db()
    assert world.gard_contact.name == "Pôle international Gard"
    assert world.gard_contact.structure == world.gard


def test_staff_cannot_manage_memberships_or_catalogues(world, as_user):
    client = as_user(world.alice)
    assert client.get(f"{ADMIN}/staffmembership/").status_code == 403
    membership = StaffMembership.objects.get(user=world.bob)
    for page in ("change", "history", "delete"):
        url = f"{ADMIN}/staffmembership/{membership.pk}/{page}/"
        assert client.get(url).status_code in (302, 403), url
    assert (
        client.post(
            f"{ADMIN}/staffmembership/add/",
            {"user": world.alice.pk, "structure": world.gard.pk, "role": "editor"},
        ).status_code
        == 403
    )
    assert not StaffMembership.objects.filter(user=world.alice, structure=world.gard).exists()
    assert client.get(f"{ADMIN}/service/").status_code == 200  # reading is fine
    assert client.get(f"{ADMIN}/service/add/").status_code == 403


def test_staff_see_provenance_and_validation_read_only(world, as_user):
    client = as_user(world.alice)
    url = f"{ADMIN}/structure/{world.herault.pk}/change/"
    response = client.get(url)
    form = response.context["adminform"].form
    for name in ("is_validated", "source", "licence", "verified_at"):
        assert name not in form.fields, name
    # The network head is theirs to name, within limits (tests/structures/
    # test_moderation_network.py).
    assert "phone" in form.fields and "parent" in form.fields
    # A crafted POST cannot set them either.
    Structure.objects.filter(pk=world.herault.pk).update(is_validated=False)
    data = form_data(client.get(url))
    data.update({"is_validated": "on", "licence": "Pirate"})
    assert client.post(url, data).status_code == 302
    world.herault.refresh_from_db()
    assert world.herault.is_validated is False
    assert world.herault.licence != "Pirate"


def test_registry_administrators_edit_provenance(world, as_user):
    client = as_user(world.carol)
    url = f"{ADMIN}/structure/{world.herault.pk}/change/"
    data = form_data(client.get(url))
    data.update({"licence": "Licence Ouverte 2.0", "parent": str(world.gard.pk)})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.herault.refresh_from_db()
    assert world.herault.licence == "Licence Ouverte 2.0"
    assert world.herault.parent == world.gard

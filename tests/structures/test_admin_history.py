"""The history pages show who changed what, and when."""

import pytest

from tests.structures import admin_support
from tests.structures.admin_support import form_data

pytestmark = pytest.mark.django_db

# Shared fixtures (tests/structures/admin_support.py).
as_user = admin_support.as_user
world = admin_support.world


def test_structure_history_shows_the_user_and_the_changed_fields(world, as_user):
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    data = form_data(client.get(url))
    data["phone"] = "04 67 00 00 09"
    data["opening_hours"] = "Mo-Fr 09:00-12:00"
    assert client.post(url, data).status_code == 302

    response = client.get(f"/admin/structures/structure/{world.herault.pk}/history/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Martin (alice)" in html
    # simple_history 3.x lists each changed field with its old and new value.
    assert "Téléphone" in html
    assert "+33499515300" in html and "+33467000009" in html
    assert "Horaires d&#x27;ouverture" in html
    assert "Mo-Fr 09:00-12:00" in html
    record = world.herault.history.latest()
    assert record.history_user == world.alice


def test_offer_history_shows_the_change_made_on_the_structure_page(world, as_user):
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    response = client.get(url)
    data = form_data(response)
    prefix = next(
        i.formset.prefix
        for i in response.context["inline_admin_formsets"]
        if i.formset.model.__name__ == "Offer"
    )
    data[f"{prefix}-0-cost"] = "paid"
    assert client.post(url, data).status_code == 302
    html = client.get(f"/admin/structures/offer/{world.herault_offer.pk}/history/").content.decode()
    assert "alice" in html
    assert "Coût" in html and "gratuit" in html and "payant" in html
    assert "Version" not in html  # bookkeeping columns are not shown as changes


def test_history_version_page_is_read_only(world, as_user):
    client = as_user(world.alice)
    record = world.herault.history.latest()
    url = f"/admin/structures/structure/{world.herault.pk}/history/{record.history_id}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Revert"}).status_code == 403


def test_malformed_history_urls_are_404_not_500(world, as_user):
    client = as_user(world.root)
    assert client.get("/admin/structures/structure/abc/history/").status_code == 404
    assert (
        client.get(f"/admin/structures/structure/{world.herault.pk}/history/xyz/").status_code
        == 404
    )


def test_registry_administrators_see_the_history_of_a_deleted_listing(world, as_user):
    pk = world.gard.pk
    world.gard.delete()
    assert as_user(world.root).get(f"/admin/structures/structure/{pk}/history/").status_code == 200
    assert as_user(world.bob).get(f"/admin/structures/structure/{pk}/history/").status_code == 404


def test_history_page_lists_inline_rows_added_from_the_admin(world, as_user, territory):
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    response = client.get(url)
    data = form_data(response)
    prefix = next(
        i.formset.prefix
        for i in response.context["inline_admin_formsets"]
        if i.formset.model.__name__ == "StructureCoverage"
    )
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    data[f"{prefix}-0-territory"] = str(territory("departement", "34").pk)
    assert client.post(url, data).status_code == 302
    html = client.get(f"/admin/structures/structure/{world.herault.pk}/history/").content.decode()
    assert "Journal de l" in html
    assert "territoire couvert par la structure" in html and "Alice Martin" in html

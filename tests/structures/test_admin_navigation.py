"""Staff editing without dead ends: back where one came from, the registry's own admin."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType

from structures.models import Contact
from tests.structures import admin_support
from tests.structures.admin_support import form_data

pytestmark = pytest.mark.django_db

as_user = admin_support.as_user
world = admin_support.world

MY_LISTINGS = "/espace/"


def _change(obj) -> str:
    return f"/admin/structures/{obj._meta.model_name}/{obj.pk}/change/"


def _save(client, url, **changes):
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_save_returns_to_the_safe_next(world, as_user):
    client = as_user(world.alice)
    back = f"{MY_LISTINGS}#fiche-{world.herault.slug}"
    url = f"{_change(world.herault_offer)}?next={quote(back)}"
    response = _save(client, url, description="Nouvelle description")
    assert response.status_code == 302
    assert response["Location"] == back
    world.herault_offer.refresh_from_db()
    assert world.herault_offer.description == "Nouvelle description"


def test_staff_without_next_go_back_to_my_listings(world, as_user):
    client = as_user(world.alice)
    response = _save(client, _change(world.herault_contact), role="Chargée d'affaires")
    assert response["Location"] == MY_LISTINGS
    # The listing itself too, and its page says so.
    response = _save(client, _change(world.herault), phone="04 67 00 00 09")
    assert response["Location"] == MY_LISTINGS
    page = client.get(MY_LISTINGS, HTTP_ACCEPT_LANGUAGE="fr")
    assert "modifié" in page.content.decode()


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/espace/", "javascript:alert(1)"]
)
def test_an_unsafe_next_is_refused(world, as_user, unsafe):
    client = as_user(world.alice)
    url = f"{_change(world.herault_offer)}?next={quote(unsafe, safe='')}"
    response = _save(client, url)
    assert response.status_code == 302
    assert response["Location"] == MY_LISTINGS


def test_registry_administrators_keep_the_admin_lists(world, as_user):
    client = as_user(world.carol)
    response = _save(client, _change(world.gard_offer))
    assert response["Location"] == "/admin/structures/offer/"
    url = f"{_change(world.gard_offer)}?next={quote(MY_LISTINGS)}"
    assert _save(client, url)["Location"] == MY_LISTINGS


def test_save_and_continue_keeps_the_way_back(world, as_user):
    client = as_user(world.alice)
    url = f"{_change(world.herault)}?next={quote('/structures/' + world.herault.slug + '/')}"
    response = _save(client, url, _continue="1")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(_change(world.herault))
    assert "next=%2Fstructures%2F" in location
    # The next form shows the way back and, once saved, leads there.
    page = client.get(location)
    assert page.context["return_url"] == f"/structures/{world.herault.slug}/"
    assert _save(client, location)["Location"] == f"/structures/{world.herault.slug}/"


def test_add_from_my_listings_returns_there(world, as_user):
    client = as_user(world.alice)
    url = f"/admin/structures/contact/add/?structure={world.herault.pk}&next={quote(MY_LISTINGS)}"
    assert client.get(url).status_code == 200
    data = {
        "structure": world.herault.pk,
        "kind": "desk",
        "name": "Accueil export",
        "is_public": "on",
        "position": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert response["Location"] == MY_LISTINGS
    assert Contact.objects.filter(structure=world.herault, name="Accueil export").exists()
    continued = client.post(url, {**data, "name": "Accueil 2", "_continue": "1"})
    assert "next=%2Fespace%2F" in continued["Location"]


def test_my_listings_link_straight_to_each_form_with_the_way_back(world, as_user):
    html = as_user(world.alice).get(MY_LISTINGS).content.decode()
    back = quote(f"{MY_LISTINGS}#fiche-{world.herault.slug}", safe="")
    for obj in (world.herault, world.herault_offer, world.herault_contact):
        assert f"{_change(obj)}?next={back}" in html
    assert f"/admin/structures/offer/add/?structure={world.herault.pk}&amp;next={back}" in html
    assert "<details>" not in html  # nothing to unfold before the first form


def test_the_admin_is_the_registry_s_in_french(world, as_user):
    client = as_user(world.alice)
    for url in ("/admin/", _change(world.herault), "/admin/structures/offer/"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Registre des relais export" in html
        assert "Django" not in html.split("<body", 1)[1].split('id="content"', 1)[0]
        assert "Administration de Django" not in html
        assert "Django administration" not in html
    client.logout()
    login = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Registre des relais export" in login and "Django" not in login


def test_view_site_leads_to_the_structure_s_public_page(world, as_user):
    client = as_user(world.alice)
    public = f"/structures/{world.herault.slug}/"
    page = client.get(_change(world.herault))
    assert page.context["site_url"] == public  # "Voir le site" in the header
    assert f'href="{public}" class="viewsitelink"' in page.content.decode()  # "Voir sur le site"
    # The admin's generic "view on site" address resolves to the public page, which answers.
    content_type = ContentType.objects.get_for_model(world.herault)
    response = client.get(f"/admin/r/{content_type.pk}/{world.herault.pk}/", follow=True)
    assert response.redirect_chain[-1][0].endswith(public)
    assert response.status_code == 200
    # An offer's page leads to its structure's.
    assert client.get(_change(world.herault_offer)).context["site_url"] == public


def test_public_page_offers_its_staff_an_edit_link_back_to_it(world, as_user):
    public = f"/structures/{world.herault.slug}/"
    html = as_user(world.alice).get(public).content.decode()
    assert f"{_change(world.herault)}?next={quote(public, safe='')}" in html
    html = as_user(world.bob).get(public).content.decode()
    assert _change(world.herault) not in html


def test_coordinates_check_shown_only_when_flagged(world, as_user):
    client = as_user(world.alice)
    html = client.get(_change(world.herault), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "oordonnées à vérifier" not in html
    type(world.herault).objects.filter(pk=world.herault.pk).update(coordinates_flagged=True)
    html = client.get(_change(world.herault), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "oordonnées à vérifier" in html
    assert "Vérifiez la latitude et la longitude" in html


def test_an_offer_opened_from_the_structure_form_comes_back_to_it(world, as_user):
    client = as_user(world.alice)
    structure_form = f"{_change(world.herault)}?next={quote(MY_LISTINGS)}"
    html = client.get(structure_form).content.decode()
    # The offers row's "Modifier" link carries the structure form, its own way back included.
    link = f"{_change(world.herault_offer)}?next={quote(structure_form, safe='')}"
    assert f'href="{link}" class="inlinechangelink"' in html
    response = _save(client, link, description="Salons 2027")
    assert response["Location"] == structure_form
    # And the structure form, saved, still leads to "Mes fiches".
    assert _save(client, response["Location"])["Location"] == MY_LISTINGS

"""The competence preview while the offer is edited (issue 13, point 2): the endpoint the offer
page's script posts to, deactivation and deletion as a narrowing, and the brief form error.

The endpoint validates the posted form exactly as a save would (the same form, rows and
``structures.competence``), so what it answers is what the save then refuses or says."""

from __future__ import annotations

import pytest
from django.test import Client

from structures.models import Offer, OfferMarket
from tests.structures.admin_support import as_user, form_data, inline_prefix, world  # noqa: F401
from tests.structures.factories import OfferFactory, UserFactory, service, territory

MAROC_ONLY = [
    "Cette offre ne sera plus proposée que pour : Maroc.",
    "Elle ne le sera plus pour les autres pays.",
]
NO_SEARCH = "Cette offre ne sera plus proposée pour aucune recherche."
BRIEF = ["Confirmez la restriction décrite ci-dessus."]


@pytest.fixture
def fairs(world):  # noqa: F811
    """The CCI Hérault's trade-fairs offer: every country, its structure's commune."""
    return OfferFactory(structure=world.herault, service=service("trade-fairs"))


def _urls(offer) -> tuple[str, str]:
    base = f"/admin/structures/offer/{offer.pk}"
    return f"{base}/change/", f"{base}/competence-preview/"


def _with_market(data: dict, page, code: str) -> dict:
    prefix = inline_prefix(page, OfferMarket)
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data[f"{prefix}-{index}-country"] = str(territory("country", code).pk)
    data[f"{prefix}-{index}-status"] = "active"
    return data


# --- The endpoint -------------------------------------------------------------------------------


def test_the_page_carries_the_live_region_and_its_script(world, fairs, as_user):  # noqa: F811
    change, preview = _urls(fairs)
    html = as_user(world.alice).get(change).content.decode()

    assert 'aria-live="polite"' in html and f'data-preview-url="{preview}"' in html
    assert "js/competence-preview.js" in html and "css/competence-preview.css" in html
    assert 'name="confirm_narrowing"' in html and 'name="narrowing_digest"' in html


def test_a_market_chosen_is_previewed_before_any_save(world, fairs, as_user):  # noqa: F811
    client = as_user(world.alice)
    change, preview = _urls(fairs)
    page = client.get(change)

    answer = client.post(preview, _with_market(form_data(page), page, "MA"))

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["narrows"] and not body["widens"] and not body["unchanged"]
    assert body["sentences"] == MAROC_ONLY
    assert len(body["digest"]) == 16
    assert not OfferMarket.objects.filter(offer=fairs).exists()  # nothing written

    # The digest the page keeps makes the first save, confirmed, go through.
    data = _with_market(form_data(page), page, "MA")
    data.update(confirm_narrowing="on", narrowing_digest=body["digest"])
    saved = client.post(change, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert OfferMarket.objects.filter(offer=fairs, country__code="MA").exists()


def test_a_widening_and_no_change_are_previewed_too(world, as_user):  # noqa: F811
    offer = OfferFactory(
        structure=world.herault,
        service=service("trade-fairs"),
        markets=[territory("country", "MA")],
    )
    client = as_user(world.alice)
    change, preview = _urls(offer)
    page = client.get(change)

    widening = client.post(preview, _with_market(form_data(page), page, "TN")).json()
    unchanged = client.post(preview, form_data(page)).json()

    assert widening["widens"] and not widening["narrows"] and widening["digest"] == ""
    assert widening["sentences"] == ["Elle sera aussi proposée pour : Tunisie."]
    assert unchanged["unchanged"] and unchanged["sentences"] == []
    assert unchanged["note"].startswith("Vos modifications ne changent pas")


def test_the_endpoint_refuses_anyone_but_the_offers_staff(world, fairs, as_user, client):  # noqa: F811
    change, preview = _urls(fairs)
    data = form_data(as_user(world.alice).get(change))
    client.logout()

    anonymous = client.post(preview, data)
    client.force_login(UserFactory(username="visiteur", is_staff=False))
    not_staff = client.post(preview, data)
    client.force_login(world.bob)  # staff of the CCI du Gard
    out_of_scope = client.post(preview, data)
    missing = client.post("/admin/structures/offer/999999/competence-preview/", data)

    assert [anonymous.status_code, not_staff.status_code, out_of_scope.status_code] == [403] * 3
    assert out_of_scope.json() == {"errors": ["Cette offre n'est pas dans votre périmètre."]}
    assert missing.status_code == 404
    for odd in ("99999999999999999999999", "abc", "1%2C2"):
        assert client.post(f"/admin/structures/offer/{odd}/competence-preview/").status_code == 404
    client.force_login(world.carol)  # registry administrator: every offer
    assert client.post(preview, data).status_code == 200


def test_the_endpoint_takes_a_post_with_its_csrf_token_only(world, fairs):  # noqa: F811
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.alice)
    change, preview = _urls(fairs)
    page = strict.get(change)
    data = form_data(page)

    assert strict.get(preview).status_code == 405
    assert strict.post(preview, data).status_code == 403  # no token
    data["csrfmiddlewaretoken"] = page.context["csrf_token"]
    assert strict.post(preview, data).status_code == 200


@pytest.mark.parametrize(
    ("change_data", "expected"),
    [
        ({"min_employees": "beaucoup"}, "Saisissez un nombre entier."),
        ({"loaded_version": "0"}, "modifiée"),
        ({"markets-0-country": "999999"}, "Sélectionnez un choix valide"),
        (None, "Service : Ce champ est obligatoire."),
    ],
)
def test_bad_input_is_a_400_with_its_message(world, fairs, as_user, change_data, expected):  # noqa: F811
    client = as_user(world.alice)
    change, preview = _urls(fairs)
    page = client.get(change)
    if change_data is None:
        data = {}  # no management form, nothing at all
    else:
        data = _with_market(form_data(page), page, "MA")
        prefix = inline_prefix(page, OfferMarket)
        data.update({k.replace("markets", prefix): v for k, v in change_data.items()})

    answer = client.post(preview, data)

    assert answer.status_code == 400, answer.content
    errors = answer.json()["errors"]
    assert any(expected in error for error in errors), errors


# --- Deactivation and deletion ------------------------------------------------------------------


def test_unticking_is_active_is_a_narrowing_to_confirm(world, fairs, as_user):  # noqa: F811
    client = as_user(world.alice)
    change, preview = _urls(fairs)
    page = client.get(change)
    data = form_data(page)
    data.pop("is_active")
    data["description"] = "En pause"

    live = client.post(preview, data).json()
    refused = client.post(change, data)

    assert live["narrows"] and live["sentences"] == [NO_SEARCH]
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert form.errors["confirm_narrowing"] == BRIEF
    assert form.competence_preview.sentences() == [NO_SEARCH]
    assert Offer.objects.get(pk=fairs.pk).is_active
    data = form_data(refused)
    data["confirm_narrowing"] = "on"
    assert client.post(change, data).status_code == 302
    assert not Offer.objects.get(pk=fairs.pk).is_active
    # Inactive, it is found by nothing: reactivating it widens, without a confirmation.
    page = client.get(change)
    data = form_data(page)
    data["is_active"] = "on"
    assert client.post(preview, data).json()["widens"]
    assert client.post(change, data).status_code == 302


def test_deleting_an_active_offer_asks_the_same_confirmation(world, fairs, as_user):  # noqa: F811
    client = as_user(world.alice)
    url = f"/admin/structures/offer/{fairs.pk}/delete/"

    page = client.get(url).content.decode()
    refused = client.post(url, {"post": "yes"})

    assert NO_SEARCH in page and "Je confirme ce changement" in page
    assert refused.status_code == 200
    assert BRIEF[0] in refused.content.decode()
    assert Offer.objects.filter(pk=fairs.pk).exists()
    assert client.post(url, {"post": "yes", "confirm_narrowing": "on"}).status_code == 302
    assert not Offer.objects.filter(pk=fairs.pk).exists()


def test_deleting_an_inactive_offer_needs_no_confirmation(world, as_user):  # noqa: F811
    offer = OfferFactory(structure=world.herault, service=service("trade-fairs"), is_active=False)
    client = as_user(world.alice)
    url = f"/admin/structures/offer/{offer.pk}/delete/"

    assert NO_SEARCH not in client.get(url).content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Offer.objects.filter(pk=offer.pk).exists()


def _structure_page(client, structure):
    url = f"/admin/structures/structure/{structure.pk}/change/"
    page = client.get(url)
    return url, page, form_data(page), inline_prefix(page, Offer)


def _offer_errors(response) -> str:
    formset = next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is Offer
    )
    return str(formset.errors) + str(formset.non_form_errors())


def test_the_structure_page_sends_a_deactivation_to_the_offer_page(world, as_user):  # noqa: F811
    client = as_user(world.alice)
    url, _page, data, prefix = _structure_page(client, world.herault)
    data.pop(f"{prefix}-0-is_active")

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "Désactiver l'offre la retire de toutes les recherches" in _offer_errors(refused)
    assert Offer.objects.get(pk=world.herault_offer.pk).is_active


def test_the_structure_page_sends_a_deletion_to_the_offer_page(world, as_user):  # noqa: F811
    client = as_user(world.alice)
    url, _page, data, prefix = _structure_page(client, world.herault)
    data[f"{prefix}-0-DELETE"] = "on"

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "Supprimer une offre active la retire de toutes les recherches" in _offer_errors(refused)
    assert Offer.objects.filter(pk=world.herault_offer.pk).exists()


def test_an_inactive_offer_is_found_by_no_search_whatever_else_changes(world):  # noqa: F811
    from structures import competence

    active = OfferFactory(structure=world.herault, service=service("trade-fairs"))
    inactive = OfferFactory(structure=world.gard, service=service("trade-fairs"), is_active=False)
    maroc = [territory("country", "MA")]

    off = competence.preview_offer_change(
        offer=active, data={"is_active": False}, markets=dict.fromkeys(maroc, "active")
    )
    still_off = competence.preview_offer_change(offer=inactive, data={}, markets=maroc)
    back_on = competence.preview_offer_change(offer=inactive, data={"is_active": True})

    assert off.narrows and off.sentences() == [NO_SEARCH]
    assert off.sentences("en") and off.change(competence.ACTIVE).narrowed
    assert still_off.is_unchanged
    assert back_on.widens and not back_on.narrows
    assert competence.preview_offer_removal(offer=active).sentences() == [NO_SEARCH]
    assert competence.preview_offer_removal(offer=inactive).is_unchanged

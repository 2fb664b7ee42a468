"""Staff pages: login, "my listings" with staleness flags, one-click "still up to date"."""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tests.structures.factories import (
    PASSWORD,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    user = UserFactory(username="agent.cci")
    fresh = StructureFactory(name="CCI fraîche")
    stale = StructureFactory(name="CCI à revoir", stale=True)
    OfferFactory(structure=stale)
    StaffMembershipFactory(user=user, structure=fresh)
    StaffMembershipFactory(user=user, structure=stale)
    other = StructureFactory(name="Structure d'un autre")
    return user, fresh, stale, other


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get("/espace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=/espace/")
    assert client.get("/connexion/").status_code == 200


def test_login_leads_to_my_listings(client, staff):
    response = client.post("/connexion/", {"username": "agent.cci", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/espace/"
    client.logout()
    bad = client.post("/connexion/", {"username": "agent.cci", "password": "faux"})
    assert bad.status_code == 200
    assert "Connexion impossible" in bad.content.decode()


def test_my_listings_flags_stale_ones_and_hides_others(client, staff):
    user, _fresh, stale, _other = staff
    client.force_login(user)
    response = client.get("/espace/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    rows = {row["structure"].name: row["is_stale"] for row in response.context["rows"]}
    assert rows == {"CCI fraîche": False, "CCI à revoir": True}
    html = response.content.decode()
    assert "1 fiche est à vérifier." in html
    assert "Structure d&#x27;un autre" not in html
    assert f"/admin/structures/structure/{stale.pk}/change/" in html
    assert f"/admin/structures/offer/{stale.offers.get().pk}/change/" in html


def test_still_up_to_date_in_one_click(client, staff):
    user, _fresh, stale, _other = staff
    client.force_login(user)
    before = timezone.now()
    response = client.post(
        f"/espace/structures/{stale.slug}/a-jour/", {"version": stale.version}, follow=True
    )
    assert response.status_code == 200
    stale.refresh_from_db()
    assert stale.verified_at >= before
    assert stale.verified_by == user
    assert "est confirmée à jour" in response.content.decode()
    assert not any(row["is_stale"] for row in response.context["rows"])


def test_confirming_an_outdated_page_is_refused(client, staff):
    user, _fresh, stale, _other = staff
    client.force_login(user)
    old_verified = stale.verified_at
    response = client.post(
        f"/espace/structures/{stale.slug}/a-jour/",
        {"version": stale.version - 1 or 99},
        follow=True,
    )
    stale.refresh_from_db()
    assert stale.verified_at == old_verified
    assert "modifiée entre-temps" in response.content.decode()
    incomplete = client.post(f"/espace/structures/{stale.slug}/a-jour/", {}, follow=True)
    assert "Demande incomplète" in incomplete.content.decode()


def test_cannot_confirm_someone_elses_listing(client, staff):
    user, _fresh, _stale, other = staff
    client.force_login(user)
    response = client.post(f"/espace/structures/{other.slug}/a-jour/", {"version": other.version})
    assert response.status_code == 404
    assert client.get(f"/espace/structures/{other.slug}/a-jour/").status_code == 405


def test_user_without_listing_is_told_whom_to_ask(client, db):
    client.force_login(UserFactory(username="seul"))
    assert "Aucune fiche ne vous est rattachée" in client.get("/espace/").content.decode()


def test_logout(client, staff):
    client.force_login(staff[0])
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 302


@pytest.mark.parametrize(
    ("level", "css", "said"),
    [
        (messages.WARNING, "notice notice--warning", "Attention\u00a0:"),
        (messages.ERROR, "notice notice--error", "Erreur\u00a0:"),
        (messages.SUCCESS, "notice notice--success", "✓"),
    ],
)
def test_a_message_shows_its_level_by_style_and_in_words(rf, level, css, said):
    """A warning ("ce changement retire l'offre de certaines recherches") must not look like a
    success: its level sets its style, and an icon or a word says it without colour."""
    request = rf.get("/espace/")
    request.user = AnonymousUser()
    with translation.override("fr"):
        html = render_to_string(
            "base.html", {"messages": [Message(level, "Effet sur les recherches")]}, request
        )
    item = re.search(r'<li class="([^"]*)">(.*?)</li>', html.split('class="messages"')[1], re.S)
    assert item.group(1) == css
    text = re.sub(r"<[^>]+>", "", item.group(2))
    assert said in text and "Effet sur les recherches" in text
    if level == messages.SUCCESS:
        assert "Attention" not in text and "Erreur" not in text

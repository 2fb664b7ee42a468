"""The freshness loop as people meet it: the reminder e-mail, its one-click link, the wording of
stale listings on public pages and in the API."""

from __future__ import annotations

import datetime
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.utils import timezone

from structures.freshness import confirmation_token
from structures.models import AccountScope, FreshnessReminder, Structure
from structures.querysets import months_ago
from tests.structures.factories import (
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    territory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(settings):
    settings.SITE_URL = "https://registre.example.org"
    user = UserFactory(username="agent.cci", first_name="Camille", last_name="Martin")
    old = StructureFactory(name="CCI Hérault", verified_at=months_ago(14))
    nearly = StructureFactory(
        name="Club export Hérault",
        verified_at=months_ago(11, now=timezone.now() - datetime.timedelta(days=1)),
    )
    fresh = StructureFactory(name="CCI fraîche", verified_at=months_ago(2))
    for structure in (old, nearly, fresh):
        StaffMembershipFactory(user=user, structure=structure)
    return user, old, nearly


def _run(*args) -> str:
    from io import StringIO

    from django.test import TestCase

    out = StringIO()
    # The e-mails are queued when their transaction commits (core.mail): run those callbacks,
    # which the test's own transaction would otherwise hold back.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_freshness_reminders", *args, stdout=out)
    return out.getvalue()


def _links(body: str) -> list[str]:
    return [
        url.removeprefix("https://registre.example.org") for url in re.findall(r"https://\S+", body)
    ]


def test_one_email_per_person_with_a_confirm_and_an_edit_link_per_listing(due):
    user, old, nearly = due
    output = _run()
    assert "1 courriel(s), 2 fiche(s)" in output
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Registre des relais export : 2 fiches à confirmer"
    body = message.body
    assert body.startswith("Bonjour Camille Martin,")
    assert "2 fiches dont vous avez la charge" in body
    # Oldest first; the fresh listing is not mentioned.
    assert body.index("CCI Hérault") < body.index("Club export Hérault")
    assert "CCI fraîche" not in body
    links = _links(body)
    confirm = [link for link in links if link.startswith("/espace/confirmer/")]
    assert len(confirm) == 2
    assert f"/admin/structures/structure/{old.pk}/change/" in links
    assert f"/admin/structures/structure/{nearly.pk}/change/" in links
    assert "/espace/" in links
    assert "valable 30 jours" in body


def test_the_command_is_idempotent_and_has_a_dry_run(due):
    assert "seraient envoyés : 1 courriel(s), 2 fiche(s)" in _run("--dry-run")
    assert mail.outbox == [] and not FreshnessReminder.objects.exists()
    _run()
    assert "0 courriel(s), 0 fiche(s)" in _run()
    assert len(mail.outbox) == 1
    assert FreshnessReminder.objects.count() == 2


def test_the_email_speaks_the_recipients_language(due):
    user, _old, _nearly = due
    AccountScope.objects.create(user=user, language="en")
    _run()
    (message,) = mail.outbox
    assert message.subject == "Export relay registry: 2 listings to confirm"
    assert message.body.startswith("Hello Camille Martin,")
    assert "Still up to date:" in message.body


def test_the_command_needs_the_site_address(due, settings):
    from django.core.management.base import CommandError

    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL"):
        _run()


def _link(structure, user, **kwargs) -> str:
    return f"/espace/confirmer/{confirmation_token(structure=structure, user=user, **kwargs)}/"


def test_the_link_shows_a_page_and_only_the_post_confirms(client, due):
    user, old, _nearly = due
    _run()
    url = next(link for link in _links(mail.outbox[0].body) if "/confirmer/" in link)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    html = page.content.decode()
    assert "La fiche « CCI Hérault » est-elle toujours à jour ?" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    old.refresh_from_db()
    assert old.verified_at < months_ago(12) and old.version == 1  # a GET changes nothing

    done = client.post(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert done.status_code == 200
    assert "est confirmée à jour" in done.content.decode()
    old.refresh_from_db()
    assert old.verified_by == user  # anonymous: the recipient the link was sent to
    assert timezone.now() - old.verified_at < datetime.timedelta(minutes=1)
    assert old.version == 2

    for again in (client.post(url), client.get(url, HTTP_ACCEPT_LANGUAGE="fr")):
        assert again.status_code == 410
        assert "Lien déjà utilisé" in again.content.decode()


def test_a_signed_in_editor_is_recorded_as_the_confirmer(client, due):
    user, old, _nearly = due
    colleague = UserFactory(username="collegue")
    StaffMembershipFactory(user=colleague, structure=old)
    client.force_login(colleague)
    assert client.post(_link(old, user)).status_code == 200
    old.refresh_from_db()
    assert old.verified_by == colleague


def test_the_post_needs_the_csrf_token(due):
    from django.test import Client

    user, old, _nearly = due
    response = Client(enforce_csrf_checks=True).post(_link(old, user))
    assert response.status_code == 403
    old.refresh_from_db()
    assert old.version == 1


def test_expired_and_tampered_links_get_a_clear_page(client, due):
    user, old, _nearly = due
    expired = _link(old, user, now=timezone.now() - datetime.timedelta(days=31))
    for method in (client.get, client.post):
        response = method(expired, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 410
        assert "Lien expiré" in response.content.decode()
    tampered = _link(old, user)[:-3] + "x/"
    response = client.post(tampered, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Lien non valable" in response.content.decode()
    assert client.get("/espace/confirmer/n%27importe%20quoi/").status_code == 400
    old.refresh_from_db()
    assert old.version == 1


def test_my_listings_flag_listings_to_check(client, due):
    user, _old, _nearly = due
    client.force_login(user)
    response = client.get("/espace/", HTTP_ACCEPT_LANGUAGE="fr")
    states = {row["structure"].name: row["freshness"] for row in response.context["rows"]}
    assert states == {
        "CCI Hérault": "to_check",
        "Club export Hérault": "fresh",
        "CCI fraîche": "fresh",
    }
    assert "1 fiche est à vérifier." in response.content.decode()


def test_api_shows_the_freshness(client):
    structure = StructureFactory(verified_at=months_ago(13))
    data = client.get(f"/api/v1/structures/{structure.pk}/").json()
    assert data["freshness"] == "to_check"
    assert data["verified_at"]


def test_public_results_say_information_to_check_after_18_months(client):
    stale = StructureFactory(name="CCI ancienne", verified_at=months_ago(19))
    fresh = StructureFactory(name="CCI récente", verified_at=months_ago(13))
    for structure in (stale, fresh):
        OfferFactory(structure=structure, coverage=[territory("departement", "34")])
    response = client.get(
        "/recherche/",
        {"where": "Montpellier", "service": "information-orientation"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    flags = {r.structure.name: r.information_to_check for _n, r in response.context["results"]}
    assert flags == {"CCI ancienne": True, "CCI récente": False}  # both shown (R4)
    cards = [
        card.split("\n</li>")[0]
        for card in re.split(r'<li class="relay[^"]*" id="relais-', response.content.decode())[1:]
    ]
    (old_card,) = [card for card in cards if "CCI ancienne" in card]
    (recent_card,) = [card for card in cards if "CCI récente" in card]
    assert "informations à vérifier" in old_card
    assert "informations à vérifier" not in recent_card

    body = client.get(
        "/api/v1/relays/",
        {"commune": "34172", "service": "information-orientation"},
    ).json()
    api_flags = {r["structure"]["name"]: r["information_to_check"] for r in body["results"]}
    assert api_flags == {"CCI ancienne": True, "CCI récente": False}

    page = client.get(f"/structures/{stale.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "informations à vérifier" in page
    recent = client.get(f"/structures/{fresh.slug}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "informations à vérifier" not in recent
    assert Structure.objects.get(pk=stale.pk).freshness == "stale"


class RefusingBackend(locmem.EmailBackend):
    """The local-memory backend, with a mail server that refuses one address."""

    def send_messages(self, messages):
        if any("refuse" in to for message in messages for to in message.to):
            raise smtplib.SMTPRecipientsRefused({"refuse@example.org": (550, b"no such user")})
        return super().send_messages(messages)


def test_a_refused_email_does_not_stop_the_others_and_is_logged(due, settings, caplog):
    """Reminders are queued (core.mail): a mail server refusing one address fails that task,
    logged by the worker (run in the process here, eager), and the others still go."""
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    _user, old, _nearly = due
    refused = UserFactory(username="refuse", email="refuse@example.org")
    StaffMembershipFactory(user=refused, structure=old)
    _run()
    assert [m.to for m in mail.outbox] == [["agent.cci@example.org"]]
    assert FreshnessReminder.objects.filter(user__username="agent.cci").count() == 2
    assert "refuse@example.org" in caplog.text or "550" in caplog.text


def test_the_page_of_a_listing_never_confirmed_says_when_it_was_created(client, settings):
    settings.SITE_URL = "https://registre.example.org"
    user = UserFactory(username="agent.club")
    never = StructureFactory(name="Club jamais confirmé", never_verified=True)
    Structure.objects.filter(pk=never.pk).update(
        created_at=datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC)
    )
    StaffMembershipFactory(user=user, structure=never)
    _run()
    url = next(link for link in _links(mail.outbox[0].body) if "/confirmer/" in link)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "La fiche « Club jamais confirmé » est-elle toujours à jour ?" in html
    assert "jamais (fiche créée le 6 janvier 2025)" in html

"""'Signaler une erreur' (public) and the staff's inbox of reports (issue 13, point 4)."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings

from structures.enums import CorrectionField, CorrectionStatus
from structures.models import CorrectionReport
from tests.redis_support import delete_prefix, redis_url
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # The rate limit lives in the default cache: one test's reports never limit the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listing(db):
    structure = StructureFactory(name="CCI Hérault", phone="+33467000000")
    offer = OfferFactory(structure=structure)
    contact = ContactFactory(structure=structure, name="Guichet export")
    return structure, offer, contact


def report_data(**overrides) -> dict:
    return {
        "field": CorrectionField.PHONE,
        "message": "Ce numéro ne répond plus depuis des mois.",
        "proposed_value": "04 67 11 22 33",
        "reporter_email": "",
        "homepage": "",
        **overrides,
    }


def post_report(client, structure, address="198.51.100.7", **overrides):
    return client.post(
        f"/structures/{structure.slug}/signaler/", report_data(**overrides), REMOTE_ADDR=address
    )


# --- Public ---------------------------------------------------------------------------------


def test_links_lead_to_the_form_with_the_listing_and_offer_preselected(client, listing):
    structure, offer, _contact = listing
    page = client.get(f"/structures/{structure.slug}/").content.decode()
    assert f'href="/structures/{structure.slug}/signaler/"' in page
    form = client.get(f"/structures/{structure.slug}/signaler/?offre={offer.pk}")
    assert form.status_code == 200
    assert form.context["form"].initial == {"offer": offer.pk, "field": CorrectionField.OFFER}
    html = form.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'class="honeypot" aria-hidden="true"' in html
    assert "effacée dès que la réponse" in html  # what the address is for, how long it is kept
    # Nonsense in the link is ignored, never an error; an unpublished listing has no form.
    assert client.get(f"/structures/{structure.slug}/signaler/?offre=x&champ=y").status_code == 200
    hidden = StructureFactory(unvalidated=True)
    assert client.get(f"/structures/{hidden.slug}/signaler/").status_code == 404


def test_result_cards_link_to_the_form_for_their_offer(client, registry):
    response = client.get(
        "/recherche/", {"where": "Montpellier", "commune": "34172", "service": "trade-fairs"}
    )
    _number, result = response.context["results"][0]
    assert (
        f"/structures/{result.structure.slug}/signaler/?offre={result.offer.pk}"
        in response.content.decode()
    )


def test_a_valid_report_is_recorded_without_the_client_address(client, listing):
    structure, offer, contact = listing
    response = post_report(
        client,
        structure,
        offer=offer.pk,
        contact=contact.pk,
        reporter_email="  lectrice@example.org ",
        consent_given="on",
    )
    assert response.status_code == 302
    assert response["Location"] == f"/structures/{structure.slug}/signaler/merci/"
    report = CorrectionReport.objects.get()
    assert (report.structure, report.offer, report.contact) == (structure, offer, contact)
    assert report.field == CorrectionField.PHONE
    assert report.reporter_email == "lectrice@example.org"
    assert report.consent_given and report.consent_version
    assert report.status == CorrectionStatus.NEW
    stored = " ".join(str(getattr(report, f.attname)) for f in report._meta.concrete_fields)
    assert "198.51.100.7" not in stored
    thanks = client.get(response["Location"])
    assert "Merci pour votre signalement" in thanks.content.decode()


def test_invalid_reports_are_refused_with_french_messages(client, listing):
    structure, _offer, _contact = listing
    other_offer = OfferFactory()
    cases = {
        "1 000 caractères au plus": {"message": "x" * 1001},
        "500 caractères au plus": {"proposed_value": "x" * 501},
        "Cochez cette case": {"reporter_email": "lectrice@example.org"},
        "Choisissez ce qui est inexact": {"field": ""},
        "Décrivez ce qui est inexact": {"message": "   "},
        "Sélectionnez un choix valide": {"offer": other_offer.pk},
    }
    for message, overrides in cases.items():
        response = post_report(client, structure, **overrides)
        assert response.status_code == 200, overrides
        assert message in response.content.decode(), overrides
    assert not CorrectionReport.objects.exists()


def test_a_filled_honeypot_is_discarded_with_the_same_thank_you(client, listing):
    structure, _offer, _contact = listing
    response = post_report(client, structure, homepage="https://spam.example", message="")
    assert response.status_code == 302
    assert response["Location"] == f"/structures/{structure.slug}/signaler/merci/"
    assert not CorrectionReport.objects.exists()


def _exhaust_the_limit(client, structure):
    for _ in range(2):
        assert post_report(client, structure).status_code == 302
    # A robot's discarded submission counts too.
    refused = post_report(client, structure, homepage="x")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "Trop de signalements" in refused.content.decode()
    assert CorrectionReport.objects.count() == 2


@override_settings(CORRECTION_RATE_LIMIT=2, CORRECTION_RATE_WINDOW_SECONDS=3600)
def test_reports_are_rate_limited_per_address_and_listing(client, listing):
    structure, _offer, _contact = listing
    _exhaust_the_limit(client, structure)
    # Another address, or another listing from the same address, still gets through.
    assert post_report(client, structure, address="203.0.113.9").status_code == 302
    assert post_report(client, StructureFactory()).status_code == 302


@pytest.mark.redis
def test_the_rate_limit_is_shared_through_redis_and_keeps_no_address(client, listing):
    """Every worker sees the same count (Redis), under a key that does not contain the
    address."""
    url = redis_url()
    prefix = f"test-corrections-{uuid.uuid4().hex[:12]}"
    shared = {
        "default": {
            "BACKEND": "core.cache.PrefixedRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    structure, _offer, _contact = listing
    import redis

    try:
        with override_settings(
            CACHES=shared, CORRECTION_RATE_LIMIT=2, CORRECTION_RATE_WINDOW_SECONDS=3600
        ):
            _exhaust_the_limit(client, structure)
        keys = [k.decode() for k in redis.Redis.from_url(url).scan_iter(match=f"{prefix}*")]
        assert len(keys) == 1
        assert "correction-rate:" in keys[0] and "198.51.100.7" not in keys[0]
    finally:
        delete_prefix(url, prefix)


# --- Staff inbox ----------------------------------------------------------------------------


@pytest.fixture
def inbox(listing):
    structure, _offer, _contact = listing
    staff = UserFactory(username="agent.herault")
    StaffMembershipFactory(user=staff, structure=structure)
    mine = CorrectionReport.objects.create(
        structure=structure,
        field=CorrectionField.PHONE,
        message="Numéro erroné",
        proposed_value="04 67 11 22 33",
        reporter_email="lectrice@example.org",
        consent_given=True,
        consent_version="2026-11",
    )
    elsewhere = CorrectionReport.objects.create(
        structure=StructureFactory(name="Ailleurs"), field="other", message="Autre chose"
    )
    return staff, structure, mine, elsewhere


def test_my_listings_link_to_the_inbox_with_its_count(client, inbox):
    staff, _structure, mine, elsewhere = inbox
    client.force_login(staff)
    assert "1 signalement du public à traiter" in client.get("/espace/").content.decode()
    response = client.get("/espace/signalements/")
    assert list(response.context["page"].object_list) == [mine]
    rejected = client.get("/espace/signalements/?statut=rejected")
    assert not rejected.context["page"].object_list
    assert "Aucun signalement dans cette catégorie" in rejected.content.decode()
    assert client.get(f"/espace/signalements/{mine.pk}/").status_code == 200
    # A report on a listing the user may not edit does not exist for them.
    assert client.get(f"/espace/signalements/{elsewhere.pk}/").status_code == 404
    for action in ("accepter", "rejeter"):
        denied = client.post(
            f"/espace/signalements/{elsewhere.pk}/{action}/",
            {"value": "x", "version": 1, "reason": "non"},
        )
        assert denied.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == CorrectionStatus.NEW
    admin = UserFactory(superuser=True)
    client.force_login(admin)
    response = client.get("/espace/signalements/")
    assert set(response.context["page"].object_list) == {mine, elsewhere}


def test_accepting_from_the_inbox_corrects_the_listing_and_tells_the_reporter(
    client, inbox, mailoutbox, django_capture_on_commit_callbacks
):
    staff, structure, mine, _elsewhere = inbox
    client.force_login(staff)
    page = client.get(f"/espace/signalements/{mine.pk}/")
    assert page.context["current_value"] == "+33467000000"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/espace/signalements/{mine.pk}/accepter/",
            {"value": "04 67 11 22 33", "version": structure.version, "note": ""},
            follow=True,
        )
    assert "Signalement accepté" in response.content.decode()
    structure.refresh_from_db()
    assert structure.phone == "+33467112233"
    mine.refresh_from_db()
    assert mine.status == CorrectionStatus.ACCEPTED and mine.decided_by == staff
    assert mine.applied_value == "+33467112233"
    assert mine.reporter_email == "" and mine.reporter_notified_at is not None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lectrice@example.org"]
    assert "accepté" in mailoutbox[0].body
    assert f"http://testserver/structures/{structure.slug}/" in mailoutbox[0].body


def test_inbox_decisions_show_errors_and_refuse_a_stale_page(client, inbox):
    staff, structure, mine, _elsewhere = inbox
    client.force_login(staff)
    invalid = client.post(
        f"/espace/signalements/{mine.pk}/accepter/",
        {"value": "pas un numéro", "version": structure.version},
    )
    assert invalid.status_code == 200
    assert "accept_form" in invalid.context and invalid.context["accept_form"].errors["value"]
    no_reason = client.post(f"/espace/signalements/{mine.pk}/rejeter/", {"reason": "  "})
    assert "Indiquez le motif du rejet" in no_reason.content.decode()
    stale = client.post(
        f"/espace/signalements/{mine.pk}/accepter/",
        {"value": "04 67 11 22 33", "version": structure.version - 1},
        follow=True,
    )
    assert "modifiée par quelqu" in stale.content.decode()
    mine.refresh_from_db()
    structure.refresh_from_db()
    assert mine.status == CorrectionStatus.NEW and structure.phone == "+33467000000"


def test_rejecting_from_the_inbox(client, inbox, mailoutbox, django_capture_on_commit_callbacks):
    staff, _structure, mine, _elsewhere = inbox
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/espace/signalements/{mine.pk}/rejeter/",
            {"reason": "Le numéro indiqué est bien le standard."},
        )
    assert response.status_code == 302 and response["Location"] == "/espace/signalements/"
    mine.refresh_from_db()
    assert mine.status == CorrectionStatus.REJECTED
    assert "Le numéro indiqué est bien le standard." in mailoutbox[0].body
    # Decided: no more forms, and a second decision is refused.
    again = client.post(
        f"/espace/signalements/{mine.pk}/rejeter/", {"reason": "encore"}, follow=True
    )
    assert "déjà été traité" in again.content.decode()

"""The corrections services (structures.corrections): decisions, history, version check, the
reporter's e-mail, the database's invariants, and the administrators' list."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from structures.corrections import (
    accept_correction,
    correction_inbox,
    reject_correction,
    submit_correction,
)
from structures.enums import CorrectionField, CorrectionStatus
from structures.exceptions import StaleVersionError
from structures.models import CorrectionReport
from tests.structures.factories import StaffMembershipFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # Submissions count against the rate limit in the default cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def case(db):
    structure = StructureFactory(name="CCI Hérault", website="https://ancien.example")
    staff = UserFactory(username="agent.herault")
    StaffMembershipFactory(user=staff, structure=structure)
    return structure, staff


def report(structure, field=CorrectionField.WEBSITE, email="", **extra) -> CorrectionReport:
    return submit_correction(
        structure=structure,
        field=field,
        message="Le site a changé d'adresse.",
        proposed_value="nouveau.example",
        reporter_email=email,
        consent_given=bool(email),
        client_address="192.0.2.10",
        **extra,
    )


def test_accepting_writes_the_value_with_history_and_version(
    case, mailoutbox, django_capture_on_commit_callbacks
):
    structure, staff = case
    reported = report(structure)
    version = structure.version
    with django_capture_on_commit_callbacks(execute=True):
        decided = accept_correction(
            report=reported, user=staff, value="nouveau.example", expected_version=version
        )
    structure.refresh_from_db()
    assert structure.website == "https://nouveau.example"  # normalised by the model
    assert structure.version == version + 1
    last = structure.history.latest("history_id")
    assert last.history_user == staff
    assert last.history_change_reason == f"Signalement n° {reported.pk} accepté"
    assert decided.status == CorrectionStatus.ACCEPTED
    assert decided.applied_value == "https://nouveau.example"
    assert decided.decided_by == staff and decided.decided_at is not None
    assert mailoutbox == []  # no address, no e-mail
    assert decided.reporter_notified_at is None


def test_a_stale_listing_or_a_bad_value_writes_nothing(case):
    structure, staff = case
    reported = report(structure)
    with pytest.raises(StaleVersionError):
        accept_correction(
            report=reported, user=staff, value="x.example", expected_version=structure.version - 1
        )
    with pytest.raises(ValidationError) as error:
        accept_correction(
            report=report(structure, field=CorrectionField.PHONE),
            user=staff,
            value="pas un numéro",
            expected_version=structure.version,
        )
    assert "value" in error.value.message_dict
    with pytest.raises(ValidationError):
        accept_correction(report=reported, user=staff, value=" ", expected_version=1)
    structure.refresh_from_db()
    assert structure.website == "https://ancien.example"
    assert not CorrectionReport.objects.exclude(status=CorrectionStatus.NEW).exists()


def test_other_reports_are_marked_handled_without_touching_the_listing(
    case, mailoutbox, django_capture_on_commit_callbacks
):
    structure, staff = case
    reported = report(structure, field=CorrectionField.OTHER, email="lecteur@example.org")
    version = structure.version
    with django_capture_on_commit_callbacks(execute=True):
        accept_correction(
            report=reported, user=staff, expected_version=None, note="Merci, c'est corrigé."
        )
    structure.refresh_from_db()
    assert structure.version == version
    reported.refresh_from_db()
    assert reported.status == CorrectionStatus.ACCEPTED and reported.applied_value == ""
    assert reported.reporter_email == ""  # erased once the answer is sent
    (mail,) = mailoutbox
    assert mail.to == ["lecteur@example.org"]
    assert "Merci, c'est corrigé." in mail.body
    assert "« CCI Hérault »" in mail.subject


def test_rejecting_needs_a_reason_and_a_right_on_the_listing(
    case, mailoutbox, django_capture_on_commit_callbacks
):
    structure, staff = case
    reported = report(structure, email="lecteur@example.org")
    with pytest.raises(ValidationError):
        reject_correction(report=reported, user=staff, reason="   ")
    stranger = UserFactory(username="autre.agent")
    StaffMembershipFactory(user=stranger, structure=StructureFactory())
    with pytest.raises(PermissionDenied):
        reject_correction(report=reported, user=stranger, reason="Non")
    assert list(correction_inbox(user=stranger)) == []
    with django_capture_on_commit_callbacks(execute=True):
        reject_correction(report=reported, user=staff, reason="L'ancien site redirige.")
    reported.refresh_from_db()
    assert reported.status == CorrectionStatus.REJECTED
    assert "L'ancien site redirige." in mailoutbox[0].body
    with pytest.raises(ValidationError, match="déjà été traité"):
        accept_correction(report=reported, user=staff, value="x.example", expected_version=9)


def test_a_decision_rolled_back_sends_no_email(
    case, mailoutbox, django_capture_on_commit_callbacks
):
    structure, staff = case
    reported = report(structure, email="lecteur@example.org")

    class Undo(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Undo),
        transaction.atomic(),
    ):
        reject_correction(report=reported, user=staff, reason="Hors sujet.")
        assert mailoutbox == []  # never before the commit
        raise Undo
    assert callbacks == [] and mailoutbox == []
    reported.refresh_from_db()
    assert reported.status == CorrectionStatus.NEW
    assert reported.reporter_email == "lecteur@example.org"  # kept: no answer was sent


def test_submission_refuses_an_address_without_consent_and_foreign_rows(case):
    structure, _staff = case
    with pytest.raises(ValidationError) as error:
        submit_correction(
            structure=structure,
            field=CorrectionField.OTHER,
            message="Erreur",
            reporter_email="lecteur@example.org",
            consent_given=False,
            client_address=None,
        )
    assert "consent_given" in error.value.message_dict
    assert not CorrectionReport.objects.exists()


def test_addresses_of_undecided_reports_are_erased_after_a_year(case):
    structure, _staff = case
    old = report(structure, email="ancien@example.org")
    recent = report(structure, email="recent@example.org")
    CorrectionReport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=370)
    )
    out = io.StringIO()
    call_command("purge_correction_emails", stdout=out)
    assert "1 adresse(s) effacée(s)" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.reporter_email, recent.reporter_email) == ("", "recent@example.org")


def test_the_database_refuses_inconsistent_reports(case):
    structure, _staff = case
    reported = report(structure)
    broken = {
        "a rejection without reason": {
            "status": CorrectionStatus.REJECTED,
            "decided_at": timezone.now(),
        },
        "a decision without date": {"status": CorrectionStatus.ACCEPTED},
        "an address without consent": {"reporter_email": "x@example.org"},
        "an unknown field": {"field": "siret"},
    }
    for label, values in broken.items():
        with pytest.raises(IntegrityError), transaction.atomic():
            CorrectionReport.objects.filter(pk=reported.pk).update(**values)
            pytest.fail(label)  # not reached when the constraint holds


def test_administrators_list_every_report_with_filters_and_search(client, case):
    structure, staff = case
    report(structure)
    report(StructureFactory(name="Club export Sud"), field=CorrectionField.OTHER)
    client.force_login(UserFactory(superuser=True))
    url = "/admin/structures/correctionreport/"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    filtered = client.get(url, {"status__exact": "new", "field__exact": "other", "q": "Club"})
    assert [r.structure.name for r in filtered.context["cl"].result_list] == ["Club export Sud"]
    client.force_login(staff)
    assert client.get(url).status_code == 403

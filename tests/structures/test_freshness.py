"""The freshness loop's domain: states at their thresholds, who is due a reminder, the token."""

from __future__ import annotations

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from structures.enums import Freshness
from structures.freshness import (
    LinkExpired,
    LinkNotAllowed,
    LinkRefused,
    LinkUsed,
    confirmation_token,
    freshness_of,
    read_confirmation_token,
    record_reminder,
    reminders_due,
)
from structures.models import FreshnessReminder, Structure
from structures.querysets import months_ago
from structures.services import confirm_up_to_date, update_structure
from tests.structures.factories import StaffMembershipFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def _due(now=NOW, **kwargs) -> dict[str, list[str]]:
    return {
        batch.user.username: [s.name for s in batch.structures]
        for batch in reminders_due(now=now, **kwargs)
    }


def test_states_at_their_thresholds():
    def state(verified_at, created_at=NOW):
        return freshness_of(Structure(verified_at=verified_at, created_at=created_at), now=NOW)

    assert state(months_ago(12, now=NOW)) == Freshness.FRESH
    assert state(months_ago(12, now=NOW) - SECOND) == Freshness.TO_CHECK
    assert state(months_ago(18, now=NOW)) == Freshness.TO_CHECK
    assert state(months_ago(18, now=NOW) - SECOND) == Freshness.STALE
    # Never confirmed: counts from its creation.
    assert state(None, created_at=months_ago(20, now=NOW)) == Freshness.STALE
    assert state(None, created_at=NOW) == Freshness.FRESH


def test_queryset_states_match_the_helper():
    by_state = {
        Freshness.FRESH: StructureFactory(verified_at=months_ago(2, now=NOW)),
        Freshness.TO_CHECK: StructureFactory(verified_at=months_ago(13, now=NOW)),
        Freshness.STALE: StructureFactory(never_verified=True),
    }
    Structure.objects.filter(pk=by_state[Freshness.STALE].pk).update(
        created_at=months_ago(19, now=NOW)
    )
    for state, structure in by_state.items():
        assert set(Structure.objects.with_freshness(state, now=NOW)) == {structure}
        structure.refresh_from_db()
        assert freshness_of(structure, now=NOW) == state


def test_reminders_select_at_eleven_months_one_batch_per_person():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    due = StructureFactory(name="Due", verified_at=months_ago(11, now=NOW) - SECOND)
    older = StructureFactory(name="Older", verified_at=months_ago(30, now=NOW))
    not_yet = StructureFactory(name="Not yet", verified_at=months_ago(11, now=NOW))
    never = StructureFactory(name="Never", never_verified=True)
    Structure.objects.filter(pk=never.pk).update(created_at=months_ago(12, now=NOW))
    inactive = StructureFactory(name="Inactive", inactive=True, verified_at=months_ago(30, now=NOW))
    for structure in (due, older, not_yet, never, inactive):
        StaffMembershipFactory(user=alice, structure=structure)
    StaffMembershipFactory(user=bob, structure=due)
    # No address, or a disabled account: nobody to write to.
    StaffMembershipFactory(user=UserFactory(username="mute", email=""), structure=due)
    StaffMembershipFactory(user=UserFactory(username="gone", is_active=False), structure=due)
    # A registry administrator may edit everything but is not e-mailed about every listing.
    UserFactory(username="root", superuser=True)

    assert _due() == {"alice": ["Older", "Never", "Due"], "bob": ["Due"]}
    # --days-before: those turning "à vérifier" within 10 days.
    assert _due(days_before=10) == {"alice": ["Older", "Never"]}


def test_a_reminder_is_not_repeated_within_the_interval(settings):
    settings.FRESHNESS_REMINDER_INTERVAL_DAYS = 30
    user = UserFactory(username="alice")
    structure = StructureFactory(name="Due", verified_at=months_ago(11, now=NOW) - SECOND)
    StaffMembershipFactory(user=user, structure=structure)
    (batch,) = reminders_due(now=NOW)
    record_reminder(batch=batch, now=NOW)
    record_reminder(batch=batch, now=NOW)  # one row per person and listing
    assert FreshnessReminder.objects.get().structure_version == structure.version
    assert _due(now=NOW + datetime.timedelta(hours=20)) == {}
    assert _due(now=NOW + datetime.timedelta(days=31)) == {"alice": ["Due"]}


def _staffed(**kwargs):
    user = UserFactory(username="alice")
    structure = StructureFactory(**kwargs)
    StaffMembershipFactory(user=user, structure=structure)
    return user, structure


def test_token_round_trip_and_single_use():
    user, structure = _staffed()
    token = confirmation_token(structure=structure, user=user)
    claim = read_confirmation_token(token)
    assert (claim.structure, claim.user, claim.version) == (structure, user, structure.version)
    confirm_up_to_date(structure=structure, user=user, expected_version=claim.version)
    with pytest.raises(LinkUsed) as refused:
        read_confirmation_token(token)
    assert refused.value.status == 410


def test_any_change_to_the_listing_voids_the_token():
    user, structure = _staffed()
    token = confirmation_token(structure=structure, user=user)
    update_structure(
        structure=structure, data={"phone": "04 67 11 22 33"}, user=user, expected_version=1
    )
    with pytest.raises(LinkUsed):
        read_confirmation_token(token)


def test_token_expires(settings):
    settings.FRESHNESS_LINK_MAX_AGE_DAYS = 30
    user, structure = _staffed()
    old = timezone.now() - datetime.timedelta(days=31)
    with pytest.raises(LinkExpired) as refused:
        read_confirmation_token(confirmation_token(structure=structure, user=user, now=old))
    assert refused.value.status == 410
    recent = timezone.now() - datetime.timedelta(days=29)
    assert read_confirmation_token(confirmation_token(structure=structure, user=user, now=recent))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature
        lambda t: t.replace(t.split(":")[0], t.split(":")[0] + "x", 1),  # payload
        lambda t: "garbage",
        lambda t: signing.TimestampSigner(salt="another").sign_object({"s": 1, "v": 1, "u": 1}),
    ],
)
def test_tampered_tokens_are_refused(mangle):
    user, structure = _staffed()
    with pytest.raises(LinkRefused) as refused:
        read_confirmation_token(mangle(confirmation_token(structure=structure, user=user)))
    assert type(refused.value) is LinkRefused and refused.value.status == 400


def test_a_recipient_who_left_the_structure_cannot_confirm():
    user, structure = _staffed()
    token = confirmation_token(structure=structure, user=user)
    structure.staff_memberships.all().delete()
    with pytest.raises(LinkNotAllowed):
        read_confirmation_token(token)

"""QuerySet methods: coverage through the territory closure, freshness, scoping."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from structures.enums import Freshness
from structures.freshness import freshness_of
from structures.models import Offer, Structure
from structures.querysets import months_ago
from tests.structures.factories import (
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return {
        "montpellier": territory("commune", "34172"),
        "marseille": territory("commune", "13055"),
        "nimes": territory("commune", "30189"),
        "lyon_3e": territory("arrondissement", "69383"),
        "herault": territory("departement", "34"),
        "occitanie": territory("region", "76"),
        "france": territory("country", "FR"),
    }


def test_offer_with_own_coverage(places):
    offer = OfferFactory(coverage=[places["herault"]])
    covering_montpellier = Offer.objects.covering(places["montpellier"])
    assert offer in covering_montpellier
    assert offer not in Offer.objects.covering(places["marseille"])
    assert offer not in Offer.objects.covering(places["nimes"])


def test_offer_without_coverage_inherits_the_structures(places):
    structure = StructureFactory(coverage=[places["occitanie"]])
    offer = OfferFactory(structure=structure)
    assert offer in Offer.objects.covering(places["montpellier"])
    assert offer in Offer.objects.covering(places["nimes"])  # Gard is in Occitanie
    assert offer not in Offer.objects.covering(places["marseille"])


def test_own_coverage_overrides_the_structures(places):
    structure = StructureFactory(coverage=[places["occitanie"]])
    narrowed = OfferFactory(structure=structure, coverage=[places["herault"]])
    assert narrowed not in Offer.objects.covering(places["nimes"])
    widened = OfferFactory(
        structure=structure, service=service("trade-fairs"), coverage=[places["france"]]
    )
    assert widened in Offer.objects.covering(places["marseille"])


def test_france_covers_everything_including_arrondissements_and_overseas(places):
    offer = OfferFactory(structure=StructureFactory(coverage=[places["france"]]))
    for commune in (
        places["montpellier"],
        places["marseille"],
        places["lyon_3e"],
        territory("commune", "97105"),  # Basse-Terre, Guadeloupe
        territory("commune", "2A004"),  # Ajaccio
    ):
        assert offer in Offer.objects.covering(commune), commune


def test_no_coverage_anywhere_covers_nothing(places):
    offer = OfferFactory()
    assert offer not in Offer.objects.covering(places["montpellier"])


def test_covering_is_one_query_without_duplicates(places):
    structure = StructureFactory(coverage=[places["herault"], places["occitanie"]])
    OfferFactory(structure=structure, coverage=[places["montpellier"], places["herault"]])
    OfferFactory(structure=structure, service=service("mentoring"))
    with CaptureQueriesContext(connection) as queries:
        offers = list(Offer.objects.covering(places["montpellier"]))
    assert len(queries) == 1
    assert len(offers) == 2


def test_active_and_for_service(places):
    live = OfferFactory(service=service("trade-fairs"))
    OfferFactory(service=service("trade-fairs"), inactive=True)
    OfferFactory(service=service("trade-fairs"), structure=StructureFactory(inactive=True))
    OfferFactory(service=service("mentoring"))
    assert list(Offer.objects.active().for_service("trade-fairs")) == [live]
    assert list(Offer.objects.active().for_service(service("trade-fairs"))) == [live]
    unvalidated = OfferFactory(
        service=service("trade-fairs"), structure=StructureFactory(unvalidated=True)
    )
    assert unvalidated in Offer.objects.active()
    assert unvalidated not in Offer.objects.published()


def test_for_country_only_counts_active_markets():
    morocco, germany = territory("country", "MA"), territory("country", "DE")
    active = OfferFactory(markets=[morocco])
    planned = OfferFactory(markets={morocco: "planned", germany: "active"})
    assert list(Offer.objects.for_country(morocco)) == [active]
    assert list(Offer.objects.for_country(germany)) == [planned]


def test_structure_covering_and_located_in(places):
    in_montpellier = StructureFactory(coverage=[places["herault"]])
    in_marseille = StructureFactory(
        commune=places["marseille"], postal_code="13001", coverage=[places["france"]]
    )
    in_lyon = StructureFactory(commune=places["lyon_3e"], postal_code="69003")
    assert set(Structure.objects.covering(places["montpellier"])) == {
        in_montpellier,
        in_marseille,
    }
    assert list(Structure.objects.located_in(places["occitanie"])) == [in_montpellier]
    assert list(Structure.objects.located_in(places["montpellier"])) == [in_montpellier]
    assert list(Structure.objects.located_in(territory("region", "84"))) == [in_lyon]
    assert list(Structure.objects.located_in(territory("commune", "69123"))) == [in_lyon]
    assert Structure.objects.located_in(places["france"]).count() == 3


def test_active_and_published():
    live = StructureFactory()
    draft = StructureFactory(unvalidated=True)
    closed = StructureFactory(inactive=True)
    assert set(Structure.objects.active()) == {live, draft}
    assert set(Structure.objects.published()) == {live}
    assert closed not in Structure.objects.active()


def test_stale_is_the_freshness_rule():
    fresh = StructureFactory()
    old = StructureFactory(stale=True)
    new_never = StructureFactory(never_verified=True)  # created today: fresh, like freshness_of
    old_never = StructureFactory(never_verified=True)
    Structure.objects.filter(pk=old_never.pk).update(created_at=months_ago(13))
    eleven_months = StructureFactory(verified_at=months_ago(11))
    thirteen_months = StructureFactory(verified_at=months_ago(13))
    assert set(Structure.objects.stale()) == {old, old_never, thirteen_months}
    # The same listings as the freshness states that are not "fresh", one rule for both.
    everything = Structure.objects.all()
    assert set(Structure.objects.stale()) == {
        s for s in everything if freshness_of(s) != Freshness.FRESH
    }
    assert set(Structure.objects.stale()) == set(everything) - set(
        Structure.objects.with_freshness(Freshness.FRESH)
    )
    assert set(Structure.objects.stale(months=6)) == {
        old,
        old_never,
        thirteen_months,
        eleven_months,
    }
    assert new_never not in Structure.objects.stale(months=1)
    assert fresh not in Structure.objects.stale(months=1)


@pytest.mark.parametrize(
    ("now", "months", "expected"),
    [
        (datetime.datetime(2025, 3, 31, 12, tzinfo=datetime.UTC), 1, datetime.date(2025, 2, 28)),
        (datetime.datetime(2024, 3, 31, 12, tzinfo=datetime.UTC), 1, datetime.date(2024, 2, 29)),
        (datetime.datetime(2025, 1, 15, 12, tzinfo=datetime.UTC), 12, datetime.date(2024, 1, 15)),
        (datetime.datetime(2025, 1, 15, 12, tzinfo=datetime.UTC), 1, datetime.date(2024, 12, 15)),
        (datetime.datetime(2025, 1, 31, 12, tzinfo=datetime.UTC), 2, datetime.date(2024, 11, 30)),
        (datetime.datetime(2024, 2, 29, 12, tzinfo=datetime.UTC), 12, datetime.date(2023, 2, 28)),
        (datetime.datetime(2025, 5, 31, 12, tzinfo=datetime.UTC), 27, datetime.date(2023, 2, 28)),
        (datetime.datetime(2025, 5, 31, 12, tzinfo=datetime.UTC), 0, datetime.date(2025, 5, 31)),
    ],
)
def test_months_ago_clamps_to_month_end(now, months, expected):
    assert months_ago(months, now=now).date() == expected


def test_months_ago_keeps_the_time_and_time_zone():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    # Across the change to summer time: the wall-clock time is kept, not the elapsed hours.
    now = datetime.datetime(2025, 4, 15, 9, 30, 5, tzinfo=paris)
    assert months_ago(2, now=now) == datetime.datetime(2025, 2, 15, 9, 30, 5, tzinfo=paris)
    a_year = timezone.now() - months_ago(12)
    assert round(a_year / datetime.timedelta(days=1)) in (365, 366)


def test_editable_by():
    mine, other = StructureFactory(), StructureFactory()
    child = StructureFactory(parent=mine)
    editor = StaffMembershipFactory(structure=mine).user
    assert list(Structure.objects.editable_by(editor)) == [mine]  # not the network's children
    assert child not in Structure.objects.editable_by(editor)
    offer = OfferFactory(structure=mine)
    OfferFactory(structure=other)
    assert list(Offer.objects.editable_by(editor)) == [offer]

    superuser = UserFactory(superuser=True)
    assert Structure.objects.editable_by(superuser).count() == Structure.objects.count()

    admin = UserFactory()
    admin.user_permissions.add(
        Permission.objects.get(
            codename="manage_all_structures", content_type__app_label="structures"
        )
    )
    admin = type(admin).objects.get(pk=admin.pk)  # drop the permission cache
    assert Structure.objects.editable_by(admin).count() == 3

    nobody = UserFactory()
    assert not Structure.objects.editable_by(nobody).exists()
    editor.is_active = False
    assert not Structure.objects.editable_by(editor).exists()


def test_editable_by_anonymous():
    from django.contrib.auth.models import AnonymousUser

    StructureFactory()
    assert not Structure.objects.editable_by(AnonymousUser()).exists()
    assert not Structure.objects.editable_by(None).exists()


def test_verified_at_is_timezone_aware():
    assert timezone.is_aware(StructureFactory().verified_at)

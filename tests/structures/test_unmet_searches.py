"""Unmet searches: the counter, its constraints, the purge and the reads by territory
(``structures.unmet_searches``)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from structures.models import UnmetSearch
from structures.relay.engine import find_relays
from structures.relay.query import RelayRequest, resolve_query
from structures.unmet_searches import (
    months_before,
    purge_unmet_searches,
    quarter_start,
    record_unmet_search,
    retention_cutoff,
    unmet_search_summary,
    unmet_searches_in,
)
from territories.enums import TerritoryLevel
from territories.models import Territory
from tests.structures.factories import OfferFactory, StructureFactory, service, territory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)


def lookup(*, commune="34172", service_code="export-finance", country="", **extra):
    return find_relays(
        resolve_query(RelayRequest(service=service_code, commune=commune, country=country, **extra))
    )


def count(**key) -> int:
    return sum(row.count for row in UnmetSearch.objects.filter(**key))


@pytest.fixture
def herault_relay():
    """A trade-fairs relay covering the Hérault: Montpellier's trade-fairs lookups are met."""
    structure = StructureFactory(coverage=[territory("departement", "34")])
    return OfferFactory(structure=structure, service=service("trade-fairs"))


# --- Recording -------------------------------------------------------------------------------


def test_an_unmet_lookup_counts_and_a_met_one_does_not(herault_relay):
    met = lookup(service_code="trade-fairs")
    assert met.results
    assert record_unmet_search(met, today=TODAY) is False
    unmet = lookup(service_code="export-finance")
    assert not unmet.results
    assert record_unmet_search(unmet, today=TODAY) is True
    row = UnmetSearch.objects.get()
    assert (row.commune.code, row.service.code, row.country, row.month, row.count) == (
        "34172",
        "export-finance",
        None,
        date(2026, 11, 1),
        1,
    )


def test_fallbacks_alone_still_count_as_unmet(herault_relay):
    # A trade-fairs relay of the Hérault does not cover Nîmes: at most a fallback out of the area.
    response = lookup(commune="30189", service_code="trade-fairs")
    assert not response.results and response.fallbacks
    assert record_unmet_search(response, today=TODAY)
    assert count(service__code="trade-fairs") == 1


def test_same_month_adds_up_countries_and_months_separate_rows():
    unmet = lookup()
    morocco = lookup(country="MA")
    for _ in range(2):
        record_unmet_search(unmet, today=TODAY)
    record_unmet_search(morocco, today=TODAY)
    record_unmet_search(unmet, today=date(2026, 12, 1))
    rows = {
        (r.country.code if r.country else None, r.month): r.count
        for r in UnmetSearch.objects.select_related("country")
    }
    assert rows == {
        (None, date(2026, 11, 1)): 2,
        ("MA", date(2026, 11, 1)): 1,
        (None, date(2026, 12, 1)): 1,
    }


def test_the_counter_is_unique_even_without_a_country():
    key = {
        "commune": territory("commune", "34172"),
        "service": service("export-finance"),
        "month": date(2026, 11, 1),
    }
    UnmetSearch.objects.create(**key, country=None, count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnmetSearch.objects.create(**key, country=None, count=1)
    UnmetSearch.objects.create(**key, country=territory("country", "MA"), count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnmetSearch.objects.create(**key, country=territory("country", "MA"), count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        UnmetSearch.objects.create(**{**key, "month": date(2026, 11, 2)}, count=1)


def test_a_row_created_by_a_concurrent_request_is_incremented_not_duplicated(monkeypatch):
    """The UPDATE found nothing, another request inserted the row, our INSERT then fails on the
    unique constraint: the count goes to that row."""
    response = lookup()
    original_update = UnmetSearch.objects.none().__class__.update
    calls = []

    def racing_update(queryset, **kwargs):
        if not calls:
            calls.append(1)
            # The other request's INSERT lands between our UPDATE and our INSERT.
            UnmetSearch.objects.create(
                commune=response.location.commune,
                service=response.service,
                month=date(2026, 11, 1),
                count=1,
            )
            return 0
        return original_update(queryset, **kwargs)

    monkeypatch.setattr(UnmetSearch.objects.none().__class__, "update", racing_update)
    assert record_unmet_search(response, today=TODAY)
    assert list(UnmetSearch.objects.values_list("count", flat=True)) == [2]


def test_nothing_personal_is_stored():
    fields = {f.name for f in UnmetSearch._meta.get_fields()}
    assert fields == {"id", "commune", "service", "country", "month", "count"}


def test_a_point_is_counted_in_the_commune_it_resolved_to():
    montpellier = territory("commune", "34172")
    response = lookup(commune="", latitude=montpellier.latitude, longitude=montpellier.longitude)
    record_unmet_search(response, today=TODAY)
    assert UnmetSearch.objects.get().commune == response.location.commune
    assert response.location.commune.code == "34172"


# --- Retention -------------------------------------------------------------------------------


def _row(month: date, commune="34172") -> UnmetSearch:
    return UnmetSearch.objects.create(
        commune=territory("commune", commune),
        service=service("export-finance"),
        month=month,
        count=3,
    )


def test_months_arithmetic():
    assert months_before(date(2026, 2, 1), 3) == date(2025, 11, 1)
    assert months_before(date(2026, 11, 1), 24) == date(2024, 11, 1)
    assert quarter_start(date(2026, 11, 30)) == date(2026, 10, 1)
    assert quarter_start(date(2026, 3, 31)) == date(2026, 1, 1)
    assert retention_cutoff(months=24, today=TODAY) == date(2024, 11, 1)


def test_purge_deletes_the_months_beyond_retention(settings):
    settings.UNMET_SEARCH_RETENTION_MONTHS = 24
    kept = [_row(date(2024, 11, 1)), _row(date(2026, 11, 1))]
    _row(date(2024, 10, 1))
    _row(date(2019, 1, 1))
    assert purge_unmet_searches(today=TODAY) == 2
    assert sorted(UnmetSearch.objects.values_list("pk", flat=True)) == [r.pk for r in kept]
    assert purge_unmet_searches(months=1, today=TODAY) == 1


def test_purge_command_uses_the_setting(settings, capsys):
    settings.UNMET_SEARCH_RETENTION_MONTHS = 1
    _row(date(2000, 1, 1))
    recent = _row(months_before(date.today().replace(day=1), 1))
    call_command("purge_unmet_searches")
    assert "1 ligne(s)" in capsys.readouterr().out
    assert list(UnmetSearch.objects.values_list("pk", flat=True)) == [recent.pk]


def test_purge_command_refuses_a_retention_below_one_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="≥ 1"):
        call_command("purge_unmet_searches", months=0)


# --- Reads by territory ----------------------------------------------------------------------


def _parents(commune: Territory) -> dict[str, Territory]:
    return {
        t.level: t
        for t in Territory.objects.ancestors_of(commune).filter(
            level__in=(TerritoryLevel.EPCI, TerritoryLevel.DEPARTEMENT, TerritoryLevel.REGION)
        )
    }


def test_the_summary_adds_up_the_communes_of_each_level():
    basse_terre = territory("commune", "97105")
    UnmetSearch.objects.create(
        commune=basse_terre, service=service("export-finance"), month=date(2026, 10, 1), count=20
    )
    UnmetSearch.objects.create(
        commune=basse_terre, service=service("export-finance"), month=date(2026, 11, 1), count=12
    )
    UnmetSearch.objects.create(
        commune=basse_terre,
        service=service("export-finance"),
        country=territory("country", "MA"),
        month=date(2026, 11, 1),
        count=4,
    )
    UnmetSearch.objects.create(
        commune=basse_terre, service=service("trade-fairs"), month=date(2026, 11, 1), count=1
    )
    # Another commune of the same département, and one in another département.
    other = (
        Territory.objects.filter(
            level=TerritoryLevel.COMMUNE,
            ancestor_links__ancestor=_parents(basse_terre)["departement"],
        )
        .exclude(pk=basse_terre.pk)
        .exclude(ancestor_links__ancestor=_parents(basse_terre)["epci"])
        .first()
    )
    UnmetSearch.objects.create(
        commune=other, service=service("export-finance"), month=date(2026, 11, 1), count=5
    )
    _row(date(2026, 11, 1))  # Montpellier: never in Guadeloupe's figures
    # Last quarter: outside the default period.
    UnmetSearch.objects.create(
        commune=basse_terre, service=service("export-finance"), month=date(2026, 9, 1), count=99
    )

    levels = _parents(basse_terre)
    expected = {
        "commune": 36,
        "epci": 36,
        "departement": 41,
        "region": 41,
    }
    for level, total in expected.items():
        place = basse_terre if level == "commune" else levels[level]
        summary = unmet_search_summary(territory=place, today=TODAY)
        assert summary.since == date(2026, 10, 1)
        by_service = {s.code: n for s, n in summary.by_service}
        assert by_service["export-finance"] == total, level
        assert by_service["trade-fairs"] == 1
        assert [s.code for s, _n in summary.by_service] == ["export-finance", "trade-fairs"]
        assert summary.total == total + 1
    rows = unmet_search_summary(territory=basse_terre, today=TODAY).rows
    assert [(r.service.code, r.country.code if r.country else None, r.count) for r in rows] == [
        ("export-finance", None, 32),
        ("export-finance", "MA", 4),
        ("trade-fairs", None, 1),
    ]
    # The last N months, and an explicit range.
    last_three = unmet_search_summary(territory=basse_terre, months=3, today=TODAY)
    assert last_three.since == date(2026, 9, 1) and last_three.total == 32 + 4 + 1 + 99
    september = unmet_search_summary(
        territory=basse_terre, since=date(2026, 9, 1), until=date(2026, 9, 30), today=TODAY
    )
    assert september.total == 99
    assert unmet_searches_in(territory("departement", "34")).count() == 1
    assert unmet_search_summary(territory=territory("departement", "69"), today=TODAY).rows == []


def test_an_arrondissement_counts_in_its_city():
    paris_8 = territory("arrondissement", "75108")
    UnmetSearch.objects.create(
        commune=paris_8, service=service("export-finance"), month=date(2026, 11, 1), count=2
    )
    summary = unmet_search_summary(territory=territory("commune", "75056"), today=TODAY)
    assert summary.total == 2


# --- Admin -----------------------------------------------------------------------------------


def test_registry_administrators_read_the_counts_filtered_and_searched(client):
    from django.contrib.auth.models import Group

    from structures.permissions import REGISTRY_ADMIN_GROUP
    from tests.structures.factories import UserFactory

    call_command("setup_staff_groups", verbosity=0)
    admin_user = UserFactory(username="registre")
    admin_user.groups.add(Group.objects.get(name=REGISTRY_ADMIN_GROUP))
    montpellier = _row(date(2026, 11, 1))
    _row(date(2026, 10, 1), commune="97105")
    client.force_login(admin_user)
    url = "/admin/structures/unmetsearch/"
    page = client.get(url, {"q": "Montpellier"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [montpellier]
    service_id = service("export-finance").pk
    filtered = client.get(url, {"service__id__exact": service_id, "month__gte": "2026-10-15"})
    assert list(filtered.context["cl"].result_list) == [montpellier]
    assert not page.context["has_add_permission"]
    change = client.get(f"{url}{montpellier.pk}/change/")
    assert change.status_code == 200 and b'name="count"' not in change.content
    assert client.post(f"{url}{montpellier.pk}/change/", {"count": 999}).status_code == 403
    assert client.post(f"{url}{montpellier.pk}/delete/", {"post": "yes"}).status_code == 403
    montpellier.refresh_from_db()
    assert montpellier.count == 3

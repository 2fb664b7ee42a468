"""Territorial coordinators: the group, the scope rule, the services and the admin
(insights/access.py, services.py, admin.py; docs/insights.md)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from insights.enums import EventKind, PriorityKind
from insights.models import TerritorialEvent, TerritorialPriority
from insights.services import (
    create_event,
    create_priority,
    delete_event,
    update_event,
    update_priority,
)
from structures.exceptions import StaleVersionError
from structures.permissions import COORDINATOR_GROUP, REGISTRY_ADMIN_GROUP, caller_of
from tests.structures.admin_support import form_data
from tests.structures.factories import UserFactory, sector, territory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)


@pytest.fixture
def people():
    call_command("setup_staff_groups", verbosity=0)
    coordinators = Group.objects.get(name=COORDINATOR_GROUP)
    herault = UserFactory(username="coord-34", scope=[territory("departement", "34")])
    herault.groups.add(coordinators)
    unscoped = UserFactory(username="coord-sans-perimetre")
    unscoped.groups.add(coordinators)
    admin = UserFactory(username="registre")
    admin.groups.add(Group.objects.get(name=REGISTRY_ADMIN_GROUP))
    plain = UserFactory(username="agent-34", scope=[territory("departement", "34")])
    return {"herault": herault, "unscoped": unscoped, "admin": admin, "plain": plain}


def event_data(territory_, **extra):
    return {
        "territory": territory_,
        "kind": EventKind.TRADE_MISSION,
        "title": "Mission Maroc",
        "start_date": DAY,
        **extra,
    }


def test_group_permissions(people):
    permissions = set(
        Group.objects.get(name=COORDINATOR_GROUP).permissions.values_list("codename", flat=True)
    )
    assert permissions == {
        f"{action}_{model}"
        for model in ("territorialevent", "territorialpriority")
        for action in ("add", "change", "delete", "view")
    }


def test_coordinator_writes_inside_its_scope_only(people):
    caller = caller_of(people["herault"])
    # The département itself, and an EPCI inside it.
    event = create_event(caller=caller, data=event_data(territory("departement", "34")))
    assert event.created_by == people["herault"]
    assert event.history.latest().history_user == people["herault"]
    create_event(caller=caller, data=event_data(territory("epci", "243400017")))
    for outside in (territory("departement", "30"), territory("region", "76")):
        with pytest.raises(PermissionDenied):
            create_event(caller=caller, data=event_data(outside))
    # Nor move an event out of the scope.
    with pytest.raises(PermissionDenied):
        update_event(
            caller=caller,
            event=event,
            data={"territory": territory("departement", "30")},
            expected_version=event.version,
        )
    event.refresh_from_db()
    assert event.territory.code == "34"


def test_without_scope_or_right_nothing(people):
    for user in (people["unscoped"], people["plain"]):
        with pytest.raises(PermissionDenied):
            create_event(caller=caller_of(user), data=event_data(territory("departement", "34")))
    assert not TerritorialEvent.objects.exists()


def test_registry_admin_everywhere(people):
    caller = caller_of(people["admin"])
    event = create_event(caller=caller, data=event_data(territory("region", "93")))
    delete_event(caller=caller, event=event, expected_version=event.version)
    assert not TerritorialEvent.objects.exists()
    assert event.history.model.objects.filter(id=event.pk, history_type="-").exists()


def test_validation(people):
    caller = caller_of(people["admin"])
    with pytest.raises(ValidationError) as error:
        create_event(caller=caller, data=event_data(territory("commune", "34172")))
    assert "territory" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        create_event(
            caller=caller,
            data=event_data(
                territory("departement", "34"), end_date=DAY - datetime.timedelta(days=1)
            ),
        )
    assert "end_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        create_priority(
            caller=caller,
            data={
                "territory": territory("departement", "34"),
                "kind": PriorityKind.MARKET,
                "sector": sector("agroalimentaire"),
            },
        )
    assert {"country", "sector"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        create_event(caller=caller, data={**event_data(territory("departement", "34")), "x": 1})


def test_priority_uniqueness_and_constraints(people):
    caller = caller_of(people["herault"])
    data = {
        "territory": territory("departement", "34"),
        "kind": PriorityKind.MARKET,
        "country": territory("country", "MA"),
    }
    create_priority(caller=caller, data=data)
    with pytest.raises(ValidationError):
        create_priority(caller=caller, data=data)
    # The database refuses what validation would: a market naming a sector.
    with pytest.raises(IntegrityError), transaction.atomic():
        TerritorialPriority.objects.create(
            territory=territory("departement", "30"),
            kind=PriorityKind.MARKET,
            sector=sector("agroalimentaire"),
        )


def test_no_lost_update(people):
    caller = caller_of(people["herault"])
    priority = create_priority(
        caller=caller,
        data={
            "territory": territory("departement", "34"),
            "kind": PriorityKind.SECTOR,
            "sector": sector("agroalimentaire"),
        },
    )
    loaded = priority.version
    update_priority(caller=caller, priority=priority, data={"notes": "A"}, expected_version=loaded)
    with pytest.raises(StaleVersionError):
        update_priority(
            caller=caller, priority=priority, data={"notes": "B"}, expected_version=loaded
        )
    priority.refresh_from_db()
    assert priority.notes == "A"


# --- Admin --------------------------------------------------------------------------------


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_scopes_rows_and_territory_choices(people):
    admin_caller = caller_of(people["admin"])
    inside = create_event(caller=admin_caller, data=event_data(territory("departement", "34")))
    outside = create_event(caller=admin_caller, data=event_data(territory("departement", "30")))
    client = client_of(people["herault"])
    listing = client.get("/admin/insights/territorialevent/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [inside]
    assert client.get(f"/admin/insights/territorialevent/{outside.pk}/change/").status_code == 302
    add = client.get("/admin/insights/territorialevent/add/")
    choices = set(add.context["adminform"].form.fields["territory"].queryset)
    assert territory("departement", "34") in choices
    assert territory("epci", "243400017") in choices
    assert territory("departement", "30") not in choices
    assert territory("region", "76") not in choices
    assert territory("commune", "34172") not in choices  # not a level of the 4 D


def test_admin_add_change_and_conflict(people):
    client = client_of(people["herault"])
    response = client.post(
        "/admin/insights/territorialevent/add/",
        {
            "territory": territory("departement", "34").pk,
            "kind": EventKind.COLLECTIVE_ACTION,
            "title": "Stand commun Gulfood",
            "start_date": "2026-02-10",
            "end_date": "2026-02-14",
            "country": territory("country", "AE").pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = TerritorialEvent.objects.get()
    assert event.created_by == people["herault"] and event.version == 1

    url = f"/admin/insights/territorialevent/{event.pk}/change/"
    first, second = client.get(url), client_of(people["admin"]).get(url)
    data = form_data(first)
    data["title"] = "Stand commun Gulfood 2026"
    assert client.post(url, data).status_code == 302
    stale = form_data(second)
    stale["description"] = "écrase ?"
    refused = client_of(people["admin"]).post(url, stale)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors.as_data()["__all__"][0].code == "stale_version"
    event.refresh_from_db()
    assert (event.title, event.description, event.version) == ("Stand commun Gulfood 2026", "", 2)
    assert event.updated_by == people["herault"]

    # A crafted POST naming a territory outside the scope is an invalid choice.
    data = form_data(client.get(url))
    data["territory"] = territory("departement", "30").pk
    assert client.post(url, data).status_code == 200
    event.refresh_from_db()
    assert event.territory.code == "34"

    assert (
        client.post(
            f"/admin/insights/territorialevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 302
    )
    assert not TerritorialEvent.objects.exists()
    assert client.get(f"/admin/insights/territorialevent/{event.pk}/history/").status_code in (
        302,
        404,
    )

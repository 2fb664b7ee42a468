"""Shared set-up of the admin tests: two chambers, their staff, registry administrators.

Also ``form_data``: the POST body a browser would send for an admin change page, read from the
rendered forms, so tests change one value and submit the rest untouched.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from structures.models import Contact, Offer, Structure
from structures.permissions import REGISTRY_ADMIN_GROUP, STAFF_GROUP
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)


@dataclass
class World:
    herault: Structure
    gard: Structure
    herault_contact: Contact
    gard_contact: Contact
    herault_offer: Offer
    gard_offer: Offer
    alice: object  # staff of the CCI Hérault
    bob: object  # staff of the CCI Gard
    root: object  # superuser
    carol: object  # registry administrator through the group


@pytest.fixture
def world(db) -> World:
    call_command("setup_staff_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    staff_group = Group.objects.get(name=STAFF_GROUP)
    herault = StructureFactory(
        name="Chambre de commerce et d'industrie Hérault",
        acronym="CCI Hérault",
        commune=territory("commune", "34172"),
        phone="+33499515300",
    )
    gard = StructureFactory(
        name="Chambre de commerce et d'industrie du Gard",
        acronym="CCI Gard",
        commune=territory("commune", "30189"),
        postal_code="30000",
    )
    herault_contact = ContactFactory(structure=herault, name="Pôle international Hérault")
    gard_contact = ContactFactory(structure=gard, name="Pôle international Gard")
    herault_offer = OfferFactory(
        structure=herault, service=service("prospecting-missions"), contact=herault_contact
    )
    gard_offer = OfferFactory(
        structure=gard, service=service("prospecting-missions"), contact=gard_contact
    )
    alice = UserFactory(username="alice", first_name="Alice", last_name="Martin")
    bob = UserFactory(username="bob")
    for user, structure in ((alice, herault), (bob, gard)):
        user.groups.add(staff_group)
        StaffMembershipFactory(user=user, structure=structure)
    root = UserFactory(username="root", superuser=True)
    carol = UserFactory(username="carol")
    carol.groups.add(Group.objects.get(name=REGISTRY_ADMIN_GROUP))
    return World(
        herault,
        gard,
        herault_contact,
        gard_contact,
        herault_offer,
        gard_offer,
        alice,
        bob,
        root,
        carol,
    )


@pytest.fixture
def as_user(client):
    """``as_user(user)`` logs the test client in as ``user`` and returns it."""

    def login(user):
        client.force_login(user)
        return client

    return login


def _put(data: dict, key: str, value) -> None:
    if value is None:
        data[key] = ""
    elif isinstance(value, bool):
        if value:
            data[key] = "on"
    elif isinstance(value, (list, tuple)):
        data[key] = [str(v) for v in value]
    elif isinstance(value, datetime.datetime):
        data[key] = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, datetime.date):
        data[key] = value.isoformat()
    else:
        data[key] = str(value)


def form_data(response) -> dict:
    """POST data reproducing the change form (and its inlines) as rendered in ``response``."""
    data: dict = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, form.add_prefix(name), form[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            _put(data, management.add_prefix(name), management[name].value())
        for inline_form in formset.forms:
            for name in inline_form.fields:
                _put(data, inline_form.add_prefix(name), inline_form[name].value())
    return data


def inline_prefix(response, model) -> str:
    """The formset prefix of the inline editing ``model`` on a change page."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline for {model.__name__}")

"""The structure admin of a pôle: its staff and registry administrators set the intensity of its
services in the offer inline; a chamber cannot; filters by tier and by intensity."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from structures.enums import LabelTier, ServiceIntensity
from structures.models import Offer
from structures.permissions import STAFF_GROUP
from tests.structures.admin_support import as_user, form_data, inline_prefix, world  # noqa: F401
from tests.structures.factories import (
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
)

pytestmark = pytest.mark.django_db

ADMIN = "/admin/structures"


@pytest.fixture
def pole(world):  # noqa: F811
    pole = StructureFactory(name="Pôle Mer Méditerranée", pole=True, label_tier=LabelTier.MONDIAL)
    OfferFactory(structure=pole, service=service("prospecting-missions"), members_only=True)
    return pole


@pytest.fixture
def pole_staff(pole):
    user = UserFactory(username="dana")
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    StaffMembershipFactory(user=user, structure=pole)
    return user


def _set_intensity(client, structure, value: str):
    url = f"{ADMIN}/structure/{structure.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    prefix = inline_prefix(page, Offer)
    assert f"{prefix}-0-intensity" in form_data(page)
    data = form_data(page)
    data[f"{prefix}-0-intensity"] = value
    return client.post(url, data)


def test_pole_staff_set_the_intensity_of_a_service(pole, pole_staff, as_user):  # noqa: F811
    response = _set_intensity(as_user(pole_staff), pole, ServiceIntensity.REGULAR)
    assert response.status_code == 302, response.context["errors"]
    assert pole.offers.get().intensity == "regular"


def test_registry_administrators_set_it_too(world, pole, as_user):  # noqa: F811
    response = _set_intensity(as_user(world.carol), pole, ServiceIntensity.CENTRAL)
    assert response.status_code == 302, response.context["errors"]
    assert pole.offers.get().intensity == "central"


def test_a_chamber_cannot_state_an_intensity(world, as_user):  # noqa: F811
    client = as_user(world.alice)
    # No intensity column among a chamber's offers (it would stay empty and widen the page)...
    page = client.get(f"{ADMIN}/structure/{world.herault.pk}/change/")
    prefix = inline_prefix(page, Offer)
    assert f"{prefix}-0-service" in form_data(page)
    assert f"{prefix}-0-intensity" not in form_data(page)
    # ...and the offer's own page refuses one.
    url = f"{ADMIN}/offer/{world.herault_offer.pk}/change/"
    data = form_data(client.get(url))
    data["intensity"] = ServiceIntensity.REGULAR
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Seuls les pôles de compétitivité et les clusters" in response.content.decode()
    world.herault_offer.refresh_from_db()
    assert world.herault_offer.intensity == ""


def test_the_offer_page_edits_the_intensity(pole, pole_staff, as_user):  # noqa: F811
    client = as_user(pole_staff)
    offer = pole.offers.get()
    url = f"{ADMIN}/offer/{offer.pk}/change/"
    data = form_data(client.get(url))
    data["intensity"] = ServiceIntensity.OCCASIONAL
    assert client.post(url, data).status_code == 302
    offer.refresh_from_db()
    assert offer.intensity == "occasional"


def test_filters_by_tier_and_by_intensity(world, pole, as_user):  # noqa: F811
    Offer.objects.filter(structure=pole).update(intensity=ServiceIntensity.CENTRAL)
    client = as_user(world.carol)
    structures = client.get(f"{ADMIN}/structure/", {"label_tier__exact": "mondial"})
    assert [s.pk for s in structures.context["cl"].result_list] == [pole.pk]
    offers = client.get(f"{ADMIN}/offer/", {"intensity__exact": "central"})
    assert [o.structure_id for o in offers.context["cl"].result_list] == [pole.pk]

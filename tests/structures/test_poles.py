"""A pôle's international services (``Offer.intensity``, cluster kinds only) and its alliances
(``structures.selectors.alliances_of``: links with their countries, never competence)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from structures import services
from structures.enums import LinkKind, LinkStatus, ServiceIntensity, StructureKind
from structures.models import Offer
from structures.selectors import alliances_of, structure_detail
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    StructureLinkFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def foreign_cluster(name: str, iso: str):
    """A cluster abroad, as the registry records one (no commune, its country, a point)."""
    return StructureFactory(
        name=name,
        kind=StructureKind.CLUSTER_SPL,
        commune=None,
        postal_code="",
        country=territory("country", iso),
        latitude=33.57,
        longitude=-7.59,
    )


def test_the_database_refuses_an_unknown_intensity():
    offer = OfferFactory(structure=StructureFactory(pole=True))
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(intensity="always")
    Offer.objects.filter(pk=offer.pk).update(intensity=ServiceIntensity.CENTRAL)
    offer.refresh_from_db()
    assert offer.get_intensity_display() == "central (mode privilégié)"


@pytest.mark.parametrize("kind", [StructureKind.COMPETITIVENESS_CLUSTER, StructureKind.CLUSTER_SPL])
def test_clusters_state_the_intensity_of_a_service(kind):
    offer = OfferFactory(structure=StructureFactory(kind=kind), service=service("trade-fairs"))
    offer.intensity = ServiceIntensity.REGULAR
    offer.full_clean()


def test_other_kinds_cannot_state_an_intensity():
    offer = OfferFactory(structure=StructureFactory(cci=True))
    offer.intensity = ServiceIntensity.OCCASIONAL
    with pytest.raises(ValidationError) as error:
        offer.full_clean()
    assert (
        "Seuls les pôles de compétitivité et les clusters"
        in error.value.message_dict["intensity"][0]
    )
    # The write services (hence the API) refuse it the same way.
    with pytest.raises(ValidationError):
        services.update_offer(
            offer=offer, data={"intensity": "occasional"}, expected_version=offer.version
        )
    offer.refresh_from_db()
    assert offer.intensity == ""


def test_a_pole_cannot_change_kind_while_its_offers_state_an_intensity():
    pole = StructureFactory(pole=True)
    offer = OfferFactory(structure=pole, intensity=ServiceIntensity.CENTRAL)
    pole.kind = StructureKind.CCI
    pole.label_tier = ""
    with pytest.raises(ValidationError) as error:
        pole.full_clean()
    assert "intensité" in error.value.message_dict["kind"][0]
    Offer.objects.filter(pk=offer.pk).update(intensity="")
    pole.full_clean()


def test_alliances_of_a_pole_both_ways_with_their_countries_active_first():
    pole = StructureFactory(name="Pôle Systèmes", pole=True)
    dsp = foreign_cluster("DSP Valley", "BE")
    casablanca = foreign_cluster("Cluster de Casablanca", "MA")
    StructureLinkFactory(
        from_structure=pole,
        to_structure=casablanca,
        status=LinkStatus.PLANNED,
        countries=[territory("country", "MA")],
    )
    StructureLinkFactory(
        from_structure=dsp, to_structure=pole, countries=[territory("country", "BE")]
    )
    # Other links are partnerships, not alliances.
    StructureLinkFactory(
        from_structure=pole, to_structure=StructureFactory(cci=True), kind=LinkKind.PARTNERSHIP
    )
    alliances = alliances_of(structure_detail(slug=pole.slug))
    assert [(a.partner.name, [c.code for c in a.countries], a.is_planned) for a in alliances] == [
        ("DSP Valley", ["BE"], False),
        ("Cluster de Casablanca", ["MA"], True),
    ]


def test_alliances_with_unpublished_partners_are_not_public():
    pole = StructureFactory(pole=True)
    hidden = StructureFactory(pole=True, unvalidated=True)
    StructureLinkFactory(from_structure=pole, to_structure=hidden)
    assert alliances_of(structure_detail(slug=pole.slug)) == []

import pytest

from structures.enums import LabelTier, StructureKind
from tests.structures.factories import OfferFactory, StructureFactory

pytestmark = pytest.mark.django_db


def test_traits_produce_valid_objects():
    for traits in (
        {"cci": True},
        {"cma": True},
        {"pole": True},
        {"club": True},
        {"office_abroad": True},
    ):
        StructureFactory(**traits).full_clean()
    pole = StructureFactory(pole=True)
    assert pole.kind == StructureKind.COMPETITIVENESS_CLUSTER
    assert pole.label_tier == LabelTier.VOCATION_MONDIALE
    assert StructureFactory(cci=True).kind == StructureKind.CCI
    offer = OfferFactory(members_only=True, on_application=True, with_contact=True)
    offer.full_clean()
    assert offer.members_only and offer.application_required
    assert offer.contact.structure == offer.structure
    assert not StructureFactory().coordinates_flagged

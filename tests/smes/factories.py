"""Factories of the SME domain.

SIRETs are generated Luhn-valid (``luhn_complete``); territories are the real rows loaded by
``tests/conftest.py`` (Montpellier 34172 by default), never fakes.
"""

from __future__ import annotations

import factory
from stdnum import luhn

from smes.enums import ExportStage, LocationPrecision, MembershipRole
from smes.models import SME, SMEMembership
from tests.structures.factories import StructureFactory, montpellier


def luhn_complete(digits: str) -> str:
    """Append the Luhn check digit to ``digits``."""
    return digits + luhn.calc_check_digit(digits)


def make_siret(n: int, *, nic: str = "0001") -> str:
    """A valid SIRET whose SIREN is derived from ``n`` (distinct ``n`` → distinct SIREN)."""
    siren = luhn_complete(f"{800000000 + n * 10:09d}"[:8])
    return luhn_complete(siren + nic)


class SMEFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SME
        django_get_or_create = ("siret",)
        skip_postgeneration_save = True

    siret = factory.Sequence(lambda n: make_siret(n + 1))
    siren = factory.LazyAttribute(lambda o: o.siret[:9])
    name = factory.Sequence(lambda n: f"PME fictive {n}")
    naf_code = "62.01Z"
    commune = factory.LazyFunction(montpellier)
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude if o.commune else None)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude if o.commune else None)
    location_precision = factory.LazyAttribute(
        lambda o: LocationPrecision.COMMUNE if o.commune else LocationPrecision.NONE
    )
    export_stage = ExportStage.OCCASIONAL
    is_demo = True
    source = "tests"

    @factory.post_generation
    def target_markets(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.target_markets.set(extracted)

    @factory.post_generation
    def needs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.needs.set(extracted)


class SMEMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SMEMembership

    sme = factory.SubFactory(SMEFactory)
    structure = factory.SubFactory(StructureFactory, club=True)
    role = MembershipRole.MEMBER

"""Reads: territory filter through the closure, privacy of SME records."""

import pytest
from django.contrib.auth.models import Permission

from smes.access import may_read_sme
from smes.models import SME
from smes.selectors import smes_visible_to
from structures.permissions import Caller
from tests.smes.factories import SMEFactory
from tests.structures.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smes(territory):
    return {
        "montpellier": SMEFactory(commune=territory("commune", "34172")),
        "nimes": SMEFactory(commune=territory("commune", "30189")),
        "lyon_1er": SMEFactory(commune=territory("arrondissement", "69381")),
    }


def test_in_territory_by_commune_departement_region_and_country(smes, territory):
    assert list(SME.objects.in_territory(territory("commune", "34172"))) == [smes["montpellier"]]
    assert list(SME.objects.in_territory(territory("departement", "34"))) == [smes["montpellier"]]
    occitanie = set(SME.objects.in_territory(territory("region", "76")))
    assert occitanie == {smes["montpellier"], smes["nimes"]}
    assert set(SME.objects.in_territory(territory("country", "FR"))) == set(smes.values())
    assert list(SME.objects.in_territory(territory("commune", "69123"))) == [smes["lyon_1er"]]
    assert not SME.objects.in_territory(territory("departement", "13")).exists()


def test_sme_records_are_not_public(smes):
    assert not smes_visible_to(caller=Caller.anonymous()).exists()
    assert not smes_visible_to(caller=Caller(user=None)).exists()
    staff = UserFactory()
    assert not smes_visible_to(caller=Caller(user=staff)).exists()


def test_view_permission_within_a_scope_and_superusers_see_every_sme(smes, territory):
    reader = UserFactory()
    reader.user_permissions.add(
        Permission.objects.get(codename="view_sme", content_type__app_label="smes")
    )
    reader = type(reader).objects.get(pk=reader.pk)  # fresh permission cache
    # A right with no territorial scope is exercised nowhere (only registry administrators act
    # nationwide).
    assert smes_visible_to(caller=Caller(user=reader)).count() == 0
    admin = UserFactory(is_superuser=True)
    assert smes_visible_to(caller=Caller(user=admin)).count() == 3
    herault = territory("departement", "34")
    assert list(smes_visible_to(caller=Caller(user=reader, scopes=(frozenset({herault.pk}),)))) == [
        smes["montpellier"]
    ]
    scoped = Caller(user=admin, scopes=(frozenset({herault.pk}),))
    assert list(smes_visible_to(caller=scoped)) == [smes["montpellier"]]
    assert may_read_sme(scoped, smes["montpellier"])
    assert not may_read_sme(scoped, smes["nimes"])
    assert not may_read_sme(Caller(user=UserFactory()), smes["nimes"])

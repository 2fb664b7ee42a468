"""Reads: territory filter through the closure, privacy of SME records."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from smes.models import SME
from smes.selectors import sme_by_siret, smes_in_territory, smes_visible_to
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
    assert not SME.objects.visible_to(AnonymousUser()).exists()
    assert not SME.objects.visible_to(None).exists()
    staff = UserFactory()
    assert not smes_visible_to(user=staff).exists()


def test_view_permission_and_superusers_see_every_sme(smes, territory):
    reader = UserFactory()
    reader.user_permissions.add(
        Permission.objects.get(codename="view_sme", content_type__app_label="smes")
    )
    reader = type(reader).objects.get(pk=reader.pk)  # fresh permission cache
    assert smes_visible_to(user=reader).count() == 3
    admin = UserFactory(is_superuser=True)
    assert smes_in_territory(user=admin, territory=territory("departement", "34")).count() == 1
    assert sme_by_siret(user=admin, siret=" ".join(smes["nimes"].siret)) == smes["nimes"]
    assert sme_by_siret(user=UserFactory(), siret=smes["nimes"].siret) is None

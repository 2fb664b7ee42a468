"""The reference catalogues are loaded by a data migration: every installation has them."""

import io

import pytest
from django.core.management import call_command

from structures.catalogue import SERVICES
from structures.enums import SectorKind
from structures.models import Sector, Service

pytestmark = pytest.mark.django_db

EXPECTED_SERVICES = {
    "information-orientation",
    "export-diagnosis",
    "prospecting-missions",
    "trade-fairs",
    "partner-search",
    "export-finance",
    "export-insurance",
    "customs-regulations",
    "transport-logistics",
    "international-training",
    "mentoring",
    "shared-export-staff",
    "public-aid",
    "legal-ip-standards",
    "translation",
    "hosting-incubation",
    "inter-cluster-alliances",
    "market-intelligence",
}


def test_all_18_services_with_french_and_english_names():
    services = list(Service.objects.all())
    assert {s.code for s in services} == EXPECTED_SERVICES
    assert all(s.name and s.name_en and s.name != s.name_en for s in services)
    assert Service.objects.get(code="prospecting-missions").name == (
        "Missions de prospection à l'étranger"
    )


def test_hard_core_services_of_rule_r7():
    hard_core = set(Service.objects.filter(is_hard_core=True).values_list("code", flat=True))
    assert hard_core == {"transport-logistics", "export-finance", "export-insurance", "public-aid"}


def test_services_are_ordered_by_position():
    assert list(Service.objects.values_list("code", flat=True)) == [row[0] for row in SERVICES]


def test_naf_sections_and_divisions():
    sections = Sector.objects.filter(kind=SectorKind.NAF_SECTION)
    assert sorted(sections.values_list("code", flat=True)) == [chr(c) for c in range(65, 86)]
    assert Sector.objects.filter(kind=SectorKind.NAF_DIVISION).count() == 88
    manufacturing = Sector.objects.get(code="C")
    assert manufacturing.name == "Industrie manufacturière"
    assert manufacturing.name_en == "Manufacturing"
    food = Sector.objects.get(code="10")
    assert food.kind == SectorKind.NAF_DIVISION
    assert food.parent == manufacturing
    assert food.name == "Industries alimentaires"
    assert set(manufacturing.children.values_list("code", flat=True)) == {
        str(n) for n in range(10, 34)
    }
    assert Sector.objects.get(code="62").parent.code == "J"
    assert Sector.objects.get(code="99").parent.code == "U"


def test_filieres_link_naf_divisions():
    agrifood = Sector.objects.get(code="agroalimentaire")
    assert agrifood.kind == SectorKind.FILIERE
    assert set(agrifood.naf_divisions.values_list("code", flat=True)) == {"10", "11"}
    assert Sector.objects.get(code="10").filieres.filter(code="agroalimentaire").exists()
    assert Sector.objects.filter(kind=SectorKind.FILIERE).count() >= 10


def test_refresh_is_idempotent_and_keeps_ids():
    before = dict(Sector.objects.values_list("code", "pk"))
    services_before = dict(Service.objects.values_list("code", "pk"))
    out = io.StringIO()
    call_command("load_catalogues", stdout=out)
    assert "18 services" in out.getvalue()
    assert dict(Sector.objects.values_list("code", "pk")) == before
    assert dict(Service.objects.values_list("code", "pk")) == services_before

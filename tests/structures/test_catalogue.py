"""The reference catalogues are loaded by a data migration: every installation has them."""

import importlib
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from structures.catalogue import SERVICES, naf_reference
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


# A few NACE Rev. 2 titles (Regulation (EC) No 1893/2006, Annex I), checked word for word.
NACE_TITLES = {
    "01": "Crop and animal production, hunting and related service activities",
    "10": "Manufacture of food products",
    "47": "Retail trade, except of motor vehicles and motorcycles",
    "62": "Computer programming, consultancy and related activities",
    "84": "Public administration and defence; compulsory social security",
    "98": "Undifferentiated goods- and services-producing activities of private households for "
    "own use",
}


def test_every_naf_division_has_its_english_nace_title():
    divisions = list(Sector.objects.filter(kind=SectorKind.NAF_DIVISION))
    assert len(divisions) == 88
    for division in divisions:
        assert division.name_en.strip() == division.name_en != "", division.code
    # French and English titles are different words for every division (were one to coincide,
    # like "Construction" for section F, it would be listed here).
    assert [d.code for d in divisions if d.name_en == d.name] == []
    english = dict(Sector.objects.filter(code__in=NACE_TITLES).values_list("code", "name_en"))
    assert english == NACE_TITLES


def test_every_naf_row_of_the_vendored_file_has_both_names():
    data = naf_reference()
    assert "Eurostat" in data["source"]
    for row in data["sections"] + data["divisions"]:
        assert row["name"] and row["name_en"], row["code"]
        assert list(row)[:3] == ["code", "name", "name_en"], row["code"]


def test_load_catalogues_gives_existing_databases_the_english_names():
    Sector.objects.filter(kind=SectorKind.NAF_DIVISION).update(name_en="")
    call_command("load_catalogues", stdout=io.StringIO())
    assert not Sector.objects.filter(kind=SectorKind.NAF_DIVISION, name_en="").exists()
    assert Sector.objects.get(code="10").name_en == "Manufacture of food products"


def test_the_data_migration_gives_existing_databases_the_english_names():
    # The migration's own function, run with the models as they stood at that migration.
    migration = importlib.import_module("structures.migrations.0005_naf_division_english_names")
    state = MigrationExecutor(connection).loader.project_state(
        ("structures", "0005_naf_division_english_names")
    )
    before = dict(Sector.objects.values_list("code", "pk"))
    Sector.objects.filter(kind=SectorKind.NAF_DIVISION).update(name_en="")
    migration.refresh_naf(state.apps, None)
    assert not Sector.objects.filter(kind=SectorKind.NAF_DIVISION, name_en="").exists()
    assert Sector.objects.get(code="62").name_en == NACE_TITLES["62"]
    assert dict(Sector.objects.values_list("code", "pk")) == before


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

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction

from territories import reference_build
from territories.enums import Tncc
from territories.models import CommuneAlias, Territory, TerritoryAncestor
from territories.services import load_vendored_reference
from tests.conftest import SUBSET_DEPARTEMENTS

pytestmark = pytest.mark.django_db


def test_reloading_the_subset_changes_nothing_and_says_so():
    report = load_vendored_reference(departements=SUBSET_DEPARTEMENTS)
    assert not report.changed
    assert sum(report.created.values()) == 0
    assert report.unchanged["commune"] > 1000


def test_command_reports_no_change(capsys):
    call_command("load_territories", departements=",".join(SUBSET_DEPARTEMENTS))
    out = capsys.readouterr().out
    assert "aucune modification" in out


def test_a_damaged_row_is_repaired_and_reported(territory):
    montpellier = territory("commune", "34172")
    Territory.objects.filter(pk=montpellier.pk).update(name="Montpelier", latitude=0.0)
    TerritoryAncestor.objects.filter(descendant=montpellier, ancestor__level="departement").delete()
    report = load_vendored_reference(departements=SUBSET_DEPARTEMENTS)
    assert report.updated == {"commune": 1}
    assert report.closure_added == 1
    montpellier.refresh_from_db()
    assert montpellier.name == "Montpellier"
    assert montpellier.latitude == pytest.approx(43.61, abs=0.05)


def test_old_commune_codes_resolve_to_current_communes():
    # Évry (91228) absorbed Courcouronnes (91182) in 2019.
    alias = CommuneAlias.objects.get(code="91182")
    assert alias.commune.code == "91228"
    assert alias.commune.name == "Évry-Courcouronnes"


def test_unknown_file_is_a_clear_command_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="introuvable"):
        call_command("load_territories", file=tmp_path / "missing.json.gz")


@pytest.mark.full_reference
def test_full_load_is_complete_idempotent_and_retires_vanished_communes(territory):
    first = load_vendored_reference()
    assert first.changed
    assert Territory.objects.filter(level="commune", is_current=True).count() > 34000
    assert Territory.objects.filter(level="departement").count() >= 101
    assert territory("commune", "59350").name == "Lille"
    second = load_vendored_reference()
    assert not second.changed

    # A commune that vanished from an edition is kept, marked as no longer current.
    ghost = Territory.objects.create(level="commune", code="34999", name="Commune disparue")
    third = load_vendored_reference()
    ghost.refresh_from_db()
    assert ghost.is_current is False
    assert third.retired == {"commune": 1}


def test_a_changed_tncc_is_repaired_alone(territory):
    herault = territory("departement", "34")
    Territory.objects.filter(pk=herault.pk).update(tncc=None, name="Hérault")
    report = load_vendored_reference(departements=SUBSET_DEPARTEMENTS)
    assert report.updated == {"departement": 1}
    herault.refresh_from_db()
    assert herault.tncc == Tncc.L_APOSTROPHE
    assert not load_vendored_reference(departements=SUBSET_DEPARTEMENTS).changed


def test_a_document_without_tncc_still_loads(tmp_path, territory):
    # A file written before the attribute existed loads, with the article type unknown.
    document = reference_build.read_document(Path(settings.TERRITORY_DATA_FILE))
    for section in ("regions", "departements", "communes"):
        for row in document[section]:
            row.pop("tncc")
    path = tmp_path / "old.json.gz"
    reference_build.write_document(document, path)
    report = load_vendored_reference(path=path, departements=["34"])
    assert report.updated["departement"] == 1
    assert territory("departement", "34").tncc is None


def test_the_database_refuses_an_unknown_tncc(territory):
    with pytest.raises(IntegrityError), transaction.atomic():
        Territory.objects.filter(pk=territory("commune", "34172").pk).update(tncc=9)

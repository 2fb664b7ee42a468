"""create_or_update_sme and memberships."""

import pytest
from django.core.exceptions import ValidationError

from smes.enums import LocationPrecision, MembershipRole
from smes.models import SME
from smes.services import (
    SMEWriteAction,
    create_or_update_sme,
    remove_membership,
    set_membership,
)
from tests.structures.factories import StructureFactory, sector, service

pytestmark = pytest.mark.django_db


def _create(territory, **extra):
    values = {
        "siret": "732 829 320 00074",
        "name": "Atelier du Lez",
        "naf_code": "6201Z",
        "commune": territory("commune", "34172"),
        **extra,
    }
    return create_or_update_sme(**values)


def test_creates_with_derived_siren_sector_and_commune_point(territory):
    result = _create(
        territory, target_markets=[territory("country", "MA")], needs=[service("trade-fairs")]
    )
    sme = result.sme
    assert result.action is SMEWriteAction.CREATED and result.created
    assert sme.siret == "73282932000074" and sme.siren == "732829320"
    assert sme.naf_code == "62.01Z"
    assert sme.sector == sector("62")
    montpellier = territory("commune", "34172")
    assert (sme.latitude, sme.longitude) == (montpellier.latitude, montpellier.longitude)
    assert sme.location_precision == LocationPrecision.COMMUNE
    assert [t.code for t in sme.target_markets.all()] == ["MA"]
    assert [s.code for s in sme.needs.all()] == ["trade-fairs"]


def test_same_values_twice_is_unchanged(territory):
    first = _create(territory, target_markets=[territory("country", "MA")])
    updated_at = first.sme.updated_at
    second = _create(territory, target_markets=[territory("country", "MA")], source="autre fichier")
    assert second.action is SMEWriteAction.UNCHANGED
    sme = SME.objects.get()
    assert sme.updated_at == updated_at
    assert sme.source == ""  # the source only travels with a real change


def test_update_only_touches_given_fields(territory):
    _create(territory, export_share=30, is_innovative=True)
    result = create_or_update_sme(siret="73282932000074", export_share=40)
    assert result.action is SMEWriteAction.UPDATED
    sme = SME.objects.get()
    assert sme.export_share == 40 and sme.is_innovative and sme.name == "Atelier du Lez"


def test_given_coordinates_are_kept_until_the_commune_changes(territory):
    _create(territory, latitude=43.6, longitude=3.88)
    sme = SME.objects.get()
    assert sme.location_precision == LocationPrecision.ADDRESS
    create_or_update_sme(siret=sme.siret, export_share=10)
    sme.refresh_from_db()
    assert (sme.latitude, sme.longitude, sme.location_precision) == (43.6, 3.88, "address")
    nimes = territory("commune", "30189")
    create_or_update_sme(siret=sme.siret, commune=nimes, postal_code="30000")
    sme.refresh_from_db()
    assert (sme.latitude, sme.longitude) == (nimes.latitude, nimes.longitude)
    assert sme.location_precision == LocationPrecision.COMMUNE


def test_invalid_data_raises_french_errors_and_writes_nothing(territory):
    with pytest.raises(ValidationError) as excinfo:
        create_or_update_sme(siret="73282932000075", name="X")
    assert "siret" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        _create(territory, export_share=150)
    assert "export_share" in excinfo.value.message_dict
    with pytest.raises(ValidationError, match="deux ou aucune"):
        _create(territory, latitude=43.6)
    with pytest.raises(ValidationError, match="pays"):
        _create(territory, target_markets=[territory("departement", "34")])
    with pytest.raises(ValidationError, match="commune"):
        _create(territory, commune=territory("departement", "34"))
    with pytest.raises(ValidationError):
        create_or_update_sme(siret="73282932000074")  # no name on creation
    assert not SME.objects.exists()


def test_a_larger_firm_is_recorded_with_a_warning(territory):
    result = _create(territory, employees=300)
    assert result.action is SMEWriteAction.CREATED
    assert result.warnings and "seuil des PME" in result.warnings[0]


def test_memberships(territory):
    sme = _create(territory).sme
    club = StructureFactory(club=True)
    membership = set_membership(sme=sme, structure=club, role=MembershipRole.FOUNDER)
    assert membership.role == MembershipRole.FOUNDER
    set_membership(sme=sme, structure=club, role=MembershipRole.BOARD)
    assert sme.memberships.get().role == MembershipRole.BOARD
    assert remove_membership(sme=sme, structure=club)
    assert not remove_membership(sme=sme, structure=club)

"""Model invariants: database constraints, normalising fields, size warnings."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from smes.enums import EmployeeRange
from smes.models import SME, SMEMembership
from tests.smes.factories import SMEFactory, SMEMembershipFactory, make_siret

pytestmark = pytest.mark.django_db


def test_siren_must_be_the_siret_prefix_in_the_database():
    sme = SMEFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SME.objects.filter(pk=sme.pk).update(siren=make_siret(99)[:9])


def test_export_share_range_in_the_database():
    sme = SMEFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SME.objects.filter(pk=sme.pk).update(export_share=101)


def test_coordinates_go_together_in_the_database():
    sme = SMEFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SME.objects.filter(pk=sme.pk).update(latitude=None)


def test_full_clean_normalises_identifiers_and_fills_the_siren(territory):
    sme = SME(
        siret="732 829 320 00074",
        name="Exemple",
        naf_code="6201z",
        commune=territory("commune", "34172"),
    )
    sme.full_clean()
    assert sme.siret == "73282932000074"
    assert sme.siren == "732829320"
    assert sme.naf_code == "62.01Z"


def test_full_clean_rejects_a_bad_checksum_with_a_french_message():
    sme = SME(siret="73282932000075", name="Exemple")
    with pytest.raises(ValidationError) as excinfo:
        sme.full_clean()
    assert "clé de contrôle" in " ".join(excinfo.value.message_dict["siret"])


def test_full_clean_rejects_a_siren_not_matching_the_siret():
    sme = SME(siret="73282932000074", siren=make_siret(5)[:9], name="Exemple")
    with pytest.raises(ValidationError) as excinfo:
        sme.full_clean()
    assert "9 premiers chiffres du SIRET" in str(excinfo.value)


def test_full_clean_rejects_export_share_above_100():
    sme = SME(siret="73282932000074", name="Exemple", export_share=120)
    with pytest.raises(ValidationError) as excinfo:
        sme.full_clean()
    assert "export_share" in excinfo.value.message_dict


def test_small_firm_has_no_size_warning():
    sme = SMEFactory.build(employees=249, turnover_eur=49_999_999)
    assert sme.size_warnings() == []
    assert not sme.is_larger_than_sme


def test_size_warnings_for_employees_and_turnover():
    sme = SMEFactory.build(employees=250, turnover_eur=50_000_000)
    warnings = sme.size_warnings()
    assert len(warnings) == 2
    assert "250" in warnings[0] and "seuil des PME" in warnings[0]
    assert "50 M€" in warnings[1]
    assert sme.is_larger_than_sme


def test_size_warning_from_the_insee_range_when_headcount_unknown():
    sme = SMEFactory.build(employees=None, employee_range=EmployeeRange.FROM_250)
    assert sme.employee_floor == 250
    [warning] = sme.size_warnings()
    assert "250 à 499 salariés" in warning
    assert (
        SMEFactory.build(employees=None, employee_range=EmployeeRange.FROM_200).size_warnings()
        == []
    )


def test_membership_is_unique_per_structure():
    membership = SMEMembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SMEMembership.objects.create(sme=membership.sme, structure=membership.structure)


def test_str():
    sme = SMEFactory(name="Atelier du Lez")
    assert str(sme) == f"Atelier du Lez ({sme.siret})"

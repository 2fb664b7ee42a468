"""SIREN / SIRET checksums (with La Poste's exception) and NAF rév. 2 codes."""

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn

from smes.validators import (
    clean_naf,
    clean_siret,
    naf_division,
    naf_divisions,
    normalize_identifier,
    normalize_naf,
    validate_siren,
    validate_siret,
)
from tests.smes.factories import luhn_complete, make_siret


@pytest.mark.parametrize(
    "value",
    [
        "73282932000074",  # Luhn-valid
        "35600000000048",  # La Poste head office: Luhn-valid
        "35600000049837",  # La Poste establishment: digit sum 45, a multiple of 5, not Luhn
        "35600000000100",  # La Poste establishment: digit sum 20, not Luhn
    ],
)
def test_valid_sirets(value):
    assert clean_siret(value) == value


def test_siret_input_tolerates_spaces_dots_and_non_breaking_spaces():
    assert clean_siret(" 732 829 320 00074 ") == "73282932000074"
    assert clean_siret("732.829.320-00074") == "73282932000074"
    assert clean_siret("732\u00a0829\u202f320 00074") == "73282932000074"
    assert normalize_identifier(None) == ""


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("73282932000075", "clé de contrôle (Luhn)"),
        ("7328293200007", "exactement 14 chiffres"),
        ("7328293200007A", "exactement 14 chiffres"),
        ("", "exactement 14 chiffres"),
        ("73282932100074", "son SIREN"),  # SIREN 732829321 fails Luhn
        ("35600000012345", "La Poste"),  # digit sum 29
        ("35600000000113", "La Poste"),  # Luhn-valid, but La Poste's rule is the digit sum (20+1)
        ("35600000000049", "La Poste"),  # the head office's key off by one
        ("73282932900000", "son SIREN"),  # the SIRET passes Luhn, its SIREN does not
    ],
)
def test_invalid_sirets_give_a_french_message(value, fragment):
    with pytest.raises(ValidationError) as excinfo:
        clean_siret(value)
    assert fragment in " ".join(excinfo.value.messages)


def test_la_poste_rule_is_specific_to_la_poste():
    # Digit sum 40 (a multiple of 5) but another SIREN: Luhn applies, and fails.
    siret = "73282932000004"
    assert sum(int(c) for c in siret) % 5 == 0
    assert not luhn.is_valid(siret)
    with pytest.raises(ValidationError, match="Luhn"):
        clean_siret(siret)


def test_sirens():
    validate_siren(normalize_identifier("732 829 320"))
    validate_siren("356000000")
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_siren("732829321")
    with pytest.raises(ValidationError, match="9 chiffres"):
        validate_siren("73282932")


def _full_width(digits: str) -> str:
    return "".join(chr(0xFF10 + int(digit)) for digit in digits)


@pytest.mark.parametrize(
    ("siret", "siren"),
    [
        ("732 829 320 00074", "732 829 320"),
        ("732.829.320.00074", "732.829.320"),
        (_full_width("73282932000074"), _full_width("732829320")),
    ],
)
def test_validators_take_only_the_canonical_form(siret, siren):
    # The checksum library tolerates separators and full-width digits; the stored form may not.
    with pytest.raises(ValidationError, match="exactement 14 chiffres"):
        validate_siret(siret)
    with pytest.raises(ValidationError, match="exactement 9 chiffres"):
        validate_siren(siren)


def test_luhn_complete_builds_valid_numbers():
    assert luhn_complete("73282932") == "732829320"


def test_generated_sirets_are_valid():
    for n in range(1, 50):
        assert clean_siret(make_siret(n)) == make_siret(n)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("62.01Z", "62.01Z"), ("6201Z", "62.01Z"), ("62.01z", "62.01Z"), (" 10 71 c ", "10.71C")],
)
def test_naf_normalisation(value, expected):
    assert normalize_naf(value) == expected
    assert clean_naf(value) == expected
    assert naf_division(expected) == expected[:2]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("62.01", "format NAF rév. 2"),
        ("74.1A", "format NAF rév. 2"),  # NAF rév. 1
        ("ABCDE", "format NAF rév. 2"),
        ("04.11Z", "division 04"),
        ("76.00Z", "division 76"),
    ],
)
def test_invalid_naf_codes(value, fragment):
    with pytest.raises(ValidationError) as excinfo:
        clean_naf(value)
    assert fragment in " ".join(excinfo.value.messages)


@pytest.mark.django_db
def test_naf_divisions_are_the_sector_catalogue_s():
    from structures.models import Sector

    divisions = naf_divisions()
    assert len(divisions) == 88
    assert {"01", "62", "99"} <= divisions
    assert not {"04", "76", "00"} & divisions
    catalogue = set(Sector.objects.filter(kind="naf_division").values_list("code", flat=True))
    assert divisions == catalogue
    assert naf_divisions() is divisions  # read once

import pytest
from django.core.exceptions import ValidationError

from structures.validators import (
    format_phone,
    normalize_languages,
    normalize_opening_hours,
    normalize_phone,
    parse_opening_hours,
    validate_languages,
    validate_opening_hours,
    validate_phone,
)


def message(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# --- phone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("04 65 71 12 34", "+33465711234"),
        ("04.65.71.12.34", "+33465711234"),
        ("04-65-71-12-34", "+33465711234"),
        ("0465711234", "+33465711234"),
        ("+33 4 65 71 12 34", "+33465711234"),
        ("+33 (0)4 65 71 12 34", "+33465711234"),
        ("0033 4 65 71 12 34", "+33465711234"),
        ("06 12 34 56 78", "+33612345678"),
        ("0590 12 34 56", "+590590123456"),  # Guadeloupe is dialled +590 from abroad
        ("0262 12 34 56", "+262262123456"),
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe, mobile
        ("0691 22 34 56", "+590691223456"),
        ("0594 10 12 34", "+594594101234"),  # Guyane
        ("0694 20 12 34", "+594694201234"),
        ("0596 70 12 34", "+596596701234"),  # Martinique
        ("0696 12 34 56", "+596696123456"),
        ("0697 12 34 56", "+596697123456"),
        ("0263 01 12 34", "+262263011234"),  # La Réunion
        ("0692 12 34 56", "+262692123456"),
        ("0693 12 34 56", "+262693123456"),
        ("0269 61 12 34", "+262269611234"),  # Mayotte
        ("0639 01 12 34", "+262639011234"),
        ("+33 590 12 34 56", "+590590123456"),  # an overseas number written with +33
        ("+33 6 92 12 34 56", "+262692123456"),
        ("0508 41 12 34", "+508411234"),  # Saint-Pierre-et-Miquelon: 05 08 + six digits
        ("+508 41 12 34", "+508411234"),
        ("01 99 00 12 34", "+33199001234"),  # the ARCEP fiction blocks
        ("02 61 91 12 34", "+33261911234"),
        ("03 53 01 12 34", "+33353011234"),
        ("05 36 49 12 34", "+33536491234"),
        ("08 00 12 34 56", "+33800123456"),  # national non-geographic numbers stay +33
        ("09 12 34 56 78", "+33912345678"),
        ("+212 522 12 34 56", "+212522123456"),
        ("+49 30 1234567", "+49301234567"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_phone_normalisation(raw, expected):
    validate_phone(raw)
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "04 67 13 68",
        "00 00 00 00 00",
        "+33 04 65 71 12 34",
        "+33 4 67",
        "tel: 04",
        "+0 123",
        "0033 04 65 71 12 34",
        "07 12 34 56 78",  # a block no operator holds
        "0596 12 34 56",  # Martinique, unallocated range
        "+999 1234 5678",  # no such country code
        "04 65 71 12 34 (standard)",  # text around the number would be lost
        "04 65 71 12 34 ext 12",  # E.164 has no room for an extension
        "0800 FLEURS",
    ],
)
def test_bad_phone_is_rejected_in_french(raw):
    with pytest.raises(ValidationError) as exc:
        validate_phone(raw)
    assert "n'est pas un numéro de téléphone valide" in message(exc)
    assert "04 65 71 12 34" in message(exc)  # the message shows an accepted form
    assert normalize_phone(raw) == raw.strip()  # invalid input is left for the validator


def test_format_phone_for_display():
    assert format_phone("+33465711234") == "04 65 71 12 34"
    assert format_phone("+212522123456") == "+212522123456"
    assert format_phone("+590590123456") == "+590590123456"  # overseas: as stored
    assert format_phone("+33800123456") == "0 800 12 34 56"  # ARCEP's layout for 08 numbers
    assert format_phone("") == ""
    assert format_phone("04 67") == "04 67"  # older data shown as stored


# --- languages -----------------------------------------------------------------------------------


def test_languages_are_normalised():
    assert normalize_languages("FR, en;de  fr") == "fr,en,de"
    validate_languages("fr,en,es,ar,zh")
    validate_languages("")


def test_unknown_language_is_rejected_with_the_code():
    with pytest.raises(ValidationError) as exc:
        validate_languages("fr,xx,english")
    assert "xx, english" in message(exc)
    assert "ISO 639-1" in message(exc)


# --- opening hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off",
        "24/7",
        "Mo,We,Fr 08:30-18:00",
        "Mo-Fr 09:00-18:00; Sa,Su closed",
        "09:00-18:00",
        "Mo-Fr",
        "Fr-Mo 10:00-20:00",
        "Mo-Sa 22:00-02:00",
        "Mo-Fr 08:00-24:00",
        "SH off",
        "Mo-Fr 09:00-17:00;",
    ],
)
def test_valid_opening_hours(value):
    validate_opening_hours(value)


def test_parsed_rules():
    rules = parse_opening_hours("Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off")
    assert rules[0].days == ("Mo", "Tu", "We", "Th", "Fr")
    assert rules[0].ranges == ((540, 720), (840, 1050))
    assert rules[2].days == ("PH",) and rules[2].closed
    assert parse_opening_hours("Fr-Mo 10:00-20:00")[0].days == ("Fr", "Sa", "Su", "Mo")
    assert parse_opening_hours("24/7")[0].ranges == ((0, 1440),)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Lu-Ve 09:00-18:00", "Plage de jours « Lu-Ve » invalide"),
        ("Lundi", "Jour « Lundi » inconnu"),
        ("Mon 09:00-18:00", "Jour « Mon » inconnu"),
        ("Mo-Fr 9h-18h", "Plage horaire « 9h-18h » invalide"),
        ("Mo-Fr 09:00-09:00", "vide"),
        ("Mo-Fr 09:75-18:00", "minutes de 00 à 59"),
        ("Mo-Fr 25:00-26:00", "commence avant 24:00"),
        ("Jan-Mar Mo-Fr 09:00-12:00", "mois, semaines"),
        ("week 1-10 Mo 09:00-12:00", "mois, semaines"),
        ("Mo[1] 09:00-12:00", "mois, semaines"),
        ('Mo-Fr 09:00-12:00 "sur rendez-vous"', "commentaires"),
        ("Mo-Fr 09:00-12:00 off", "contradictoire"),
        ("Mo-Fr 09:00-12:00 14:00-18:00", "incomprise"),
        (";", "Horaires vides"),
    ],
)
def test_bad_opening_hours_get_a_clear_french_message(value, expected):
    with pytest.raises(ValidationError) as exc:
        validate_opening_hours(value)
    assert expected in message(exc)
    assert exc.value.error_list[0].code == "invalid_opening_hours"


def test_opening_hours_are_normalised():
    assert normalize_opening_hours(" Mo-Fr  09:00-12:00 ;Sa off; ") == "Mo-Fr 09:00-12:00; Sa off"

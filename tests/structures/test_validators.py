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

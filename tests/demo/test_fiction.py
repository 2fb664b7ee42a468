import pytest
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from demo import fiction
from structures.validators import normalize_phone


@pytest.mark.parametrize(
    ("departement", "prefix"),
    [("75", "01 99 00"), ("35", "02 61 91"), ("59", "03 53 01"), ("34", "04 65 71"),
     ("2A", "04 65 71"), ("31", "05 36 49"), ("971", "01 99 00")],
)  # fmt: skip
def test_fiction_phone_uses_the_reserved_block_of_the_zone(departement, prefix):
    number = fiction.fiction_phone(departement_code=departement, serial=1234)
    assert number == f"{prefix} 12 34"
    assert fiction.is_fiction_phone(number)
    assert fiction.is_fiction_phone(normalize_phone(number))


def test_real_looking_numbers_are_not_fiction():
    assert not fiction.is_fiction_phone("04 67 13 68 00")
    assert not fiction.is_fiction_phone("+33467136800")


def test_demo_email_is_on_the_reserved_domain():
    assert (
        fiction.demo_email("CCI Hérault.international")
        == "cci-herault.international.demo@example.org"
    )


def test_fiction_person_names_say_they_are_invented():
    names = {fiction.fiction_person(i) for i in range(240)}
    assert len(names) == 240
    assert all(name.split(" ", 1)[1] in fiction.FICTION_SURNAMES for name in names)


def test_fiction_siren_and_siret_pass_luhn_and_are_unique():
    sirens = [fiction.fiction_siren(i) for i in range(0, 10_000_000, 99_991)]
    assert len(set(sirens)) == len(sirens)
    assert all(len(s) == 9 and stdnum_siren.is_valid(s) for s in sirens)
    siret = fiction.fiction_siret(42, establishment=3)
    assert len(siret) == 14 and siret.startswith(fiction.fiction_siren(42))
    assert stdnum_siret.is_valid(siret)
    with pytest.raises(ValueError):
        fiction.fiction_siren(10_000_000)

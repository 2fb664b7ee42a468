import pytest

from territories.selectors import (
    MalformedCode,
    OutsideFrance,
    UnknownTerritory,
    communes_for_postal_code,
    get_territory,
    nearest_place,
    normalize_code,
    resolve_commune,
    search_territories,
)

pytestmark = pytest.mark.django_db


def names(qs, n=5):
    return [t.name for t in qs[:n]]


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("montpel", "Montpellier"),
        ("MONTPELLIER", "Montpellier"),
        ("evry", "Évry-Courcouronnes"),
        ("Évry", "Évry-Courcouronnes"),
        ("aix en provence", "Aix-en-Provence"),
        ("tholonet", "Le Tholonet"),
        ("34172", "Montpellier"),
    ],
)
def test_name_search_ignores_accents_case_and_punctuation(query, expected_first):
    assert names(search_territories(query=query, levels=["commune"]))[0] == expected_first


def test_search_ranks_exact_then_prefix_then_population():
    results = names(search_territories(query="saint"), 50)
    assert results, "communes starting with Saint must be found"
    # Exact name before prefix matches; among prefixes, the larger commune first.
    marseille = names(search_territories(query="marseille", levels=["commune"]))
    assert marseille[0] == "Marseille"


def test_search_by_postal_code_digits():
    found = {t.name for t in search_territories(query="13100", levels=["commune"])}
    assert "Aix-en-Provence" in found


def test_empty_or_punctuation_query_finds_nothing():
    assert not search_territories(query="  -' ").exists()


@pytest.mark.parametrize(
    ("level", "code", "canonical"),
    [
        ("commune", "34172", "34172"),
        ("commune", "2a004", "2A004"),
        ("departement", "2b", "2B"),
        ("departement", "971", "971"),
        ("country", "ma", "MA"),
        ("epci", "243400017", "243400017"),
    ],
)
def test_codes_are_normalised(level, code, canonical):
    assert normalize_code(level=level, code=code) == canonical


@pytest.mark.parametrize(
    ("level", "code"),
    [
        ("commune", "3417"),
        ("commune", "ABCDE"),
        ("departement", "345"),
        ("country", "FRA"),
        ("epci", "12"),
        ("region", "7"),
        ("planet", "01"),
    ],
)
def test_malformed_codes_are_refused_with_a_message(level, code):
    with pytest.raises(MalformedCode) as error:
        normalize_code(level=level, code=code)
    assert "attendu" in error.value.message


def test_unknown_code_is_unknown():
    with pytest.raises(UnknownTerritory):
        get_territory(level="commune", code="99999")


def test_postal_code_lists_every_commune():
    communes = communes_for_postal_code(code="13100")
    assert len(communes) == 5
    assert "Aix-en-Provence" in {c.name for c in communes}
    assert len(communes_for_postal_code(code="34000")) == 1


def test_postal_code_prefers_the_arrondissement_over_its_city():
    communes = communes_for_postal_code(code="75008")
    assert [c.code for c in communes] == ["75108"]


@pytest.mark.parametrize("code", ["1310", "ABCDE", "130000"])
def test_malformed_postal_codes(code):
    with pytest.raises(MalformedCode):
        communes_for_postal_code(code=code)


def test_unknown_postal_code():
    with pytest.raises(UnknownTerritory):
        communes_for_postal_code(code="00000")


def test_old_commune_code_resolves_and_says_so():
    resolution = resolve_commune(code="91182")  # Courcouronnes, merged into Évry in 2019
    assert resolution.commune.code == "91228"
    assert resolution.alias is not None
    assert "91228" in resolution.message


def test_current_code_resolves_directly():
    resolution = resolve_commune(code="34172")
    assert resolution.commune.name == "Montpellier"
    assert resolution.alias is None and resolution.message == ""


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (43.6109, 3.8764, "34172"),  # Montpellier
        (48.8738, 2.2950, "75108"),  # Arc de Triomphe side: an arrondissement, never "Paris"
        (41.9267, 8.7369, "2A004"),  # Ajaccio
        (16.2411, -61.5331, "97120"),  # Pointe-à-Pitre
    ],
)
def test_nearest_place_from_coordinates(lat, lon, code):
    place, distance = nearest_place(latitude=lat, longitude=lon)
    assert place.code == code
    assert distance < 5


@pytest.mark.parametrize(("lat", "lon"), [(51.5, -0.12), (0.0, 0.0), (95.0, 3.0), (43.6, 200.0)])
def test_points_outside_france_are_refused(lat, lon):
    with pytest.raises(OutsideFrance) as error:
        nearest_place(latitude=lat, longitude=lon)
    assert error.value.code == "outside_france"

"""The loaded reference holds the real French geography."""

import pytest

from territories.enums import CoordinatePrecision, TerritoryLevel, Tncc
from territories.models import PostalCode, Territory, TerritoryAncestor

pytestmark = pytest.mark.django_db


def test_montpellier_is_in_herault_in_occitanie(territory):
    montpellier = territory("commune", "34172")
    assert montpellier.name == "Montpellier"
    assert montpellier.parent == territory("departement", "34")
    assert montpellier.parent.name == "Hérault"
    assert montpellier.parent.parent == territory("region", "76")
    assert montpellier.parent.parent.name == "Occitanie"


def test_closure_of_a_commune_holds_its_epci_departement_region_and_france(territory):
    montpellier = territory("commune", "34172")
    ancestors = {(t.level, t.code) for t in Territory.objects.ancestors_of(montpellier)}
    assert ancestors == {
        ("commune", "34172"),
        ("epci", "243400017"),  # Montpellier Méditerranée Métropole
        ("departement", "34"),
        ("region", "76"),
        ("country", "FR"),
    }


def test_coverage_inclusion_is_one_query_on_the_closure(territory, django_assert_num_queries):
    montpellier, herault, gard = (
        territory("commune", "34172"),
        territory("departement", "34"),
        territory("departement", "30"),
    )
    with django_assert_num_queries(1):
        covered = set(
            TerritoryAncestor.objects.filter(
                descendant=montpellier, ancestor__in=[herault.pk, gard.pk]
            ).values_list("ancestor_id", flat=True)
        )
    assert covered == {herault.pk}


def test_closure_ranks_follow_levels(territory):
    links = TerritoryAncestor.objects.filter(descendant=territory("commune", "34172"))
    assert sorted(link.ancestor_rank for link in links) == [1, 2, 3, 4, 5]


def test_arrondissements_belong_to_their_city(territory):
    eighth = territory("arrondissement", "75108")
    assert eighth.parent == territory("commune", "75056")
    ancestors = {t.code for t in Territory.objects.ancestors_of(eighth)}
    assert {"75056", "75", "11", "FR"} <= ancestors
    lyon_districts = Territory.objects.filter(
        level=TerritoryLevel.ARRONDISSEMENT, parent__code="69123"
    )
    assert lyon_districts.count() == 9


def test_postal_code_13100_serves_five_communes_including_aix():
    names = set(PostalCode.objects.filter(code="13100").values_list("commune__name", flat=True))
    assert len(names) == 5
    assert "Aix-en-Provence" in names


def test_paris_has_about_twenty_postal_codes(territory):
    assert 20 <= territory("commune", "75056").postal_codes.count() <= 22


def test_corsica_and_overseas_are_loaded(territory):
    ajaccio = territory("commune", "2A004")
    assert ajaccio.parent.code == "2A" and ajaccio.parent.parent.code == "94"
    assert territory("commune", "2B033").name == "Bastia"
    pointe_a_pitre = territory("commune", "97120")
    assert pointe_a_pitre.parent.code == "971"
    assert pointe_a_pitre.zone == "drom"
    assert 15.8 < pointe_a_pitre.latitude < 16.6


def test_communes_have_plausible_coordinates(territory):
    montpellier = territory("commune", "34172")
    assert montpellier.coordinate_precision == CoordinatePrecision.POSTAL_MATCH
    assert abs(montpellier.latitude - 43.61) < 0.05
    assert abs(montpellier.longitude - 3.88) < 0.05
    metro = Territory.objects.filter(
        level="commune", zone="metro", parent__code__in=["34", "13", "30"]
    )
    assert not metro.filter(latitude__isnull=True).exists()
    assert not metro.exclude(latitude__range=(42.3, 44.5)).exists()


def test_countries_carry_french_and_english_names_and_iso_codes(territory):
    morocco = territory("country", "MA")
    assert (morocco.name, morocco.name_en, morocco.iso_alpha3) == ("Maroc", "Morocco", "MAR")
    germany = territory("country", "DE")
    assert germany.name == "Allemagne"
    assert Territory.objects.filter(level="country").count() >= 249


def test_departements_and_regions_get_their_chef_lieu_point(territory):
    herault = territory("departement", "34")
    montpellier = territory("commune", "34172")
    assert (herault.latitude, herault.longitude) == (montpellier.latitude, montpellier.longitude)
    assert herault.coordinate_precision == CoordinatePrecision.CHEF_LIEU


def test_names_carry_the_cog_type_de_nom_en_clair(territory):
    # INSEE's TNCC: 2 "le", 3 "la", 4 "les", 5 "l'", 0/1 no article.
    assert territory("departement", "34").tncc == Tncc.L_APOSTROPHE  # l'Hérault
    assert territory("departement", "30").tncc == Tncc.LE  # le Gard
    assert territory("departement", "2B").tncc == Tncc.LA  # la Haute-Corse
    assert territory("departement", "13").tncc == Tncc.LES  # les Bouches-du-Rhône
    assert territory("departement", "75").tncc == Tncc.CONSONANT  # Paris
    # For a région the TNCC is the liaison of its official name ("région d'Occitanie").
    assert territory("region", "76").tncc == Tncc.VOWEL
    assert territory("commune", "13109").tncc == Tncc.LE  # Le Tholonet
    assert territory("commune", "13011").tncc == Tncc.LES  # Les Baux-de-Provence
    assert territory("commune", "34172").tncc == Tncc.CONSONANT  # Montpellier
    assert territory("arrondissement", "75108").tncc == Tncc.CONSONANT


def test_only_cog_levels_carry_a_tncc():
    assert not Territory.objects.filter(level__in=["epci", "country"], tncc__isnull=False).exists()
    assert not Territory.objects.filter(
        level__in=["commune", "arrondissement", "departement", "region"], tncc__isnull=True
    ).exists()

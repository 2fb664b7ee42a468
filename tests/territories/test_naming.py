"""Names of territories and countries in running text (territories.naming), on the real reference."""

from dataclasses import dataclass

import pytest

from territories import naming
from territories.models import Territory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Place:
    """A territory as the relay's lighter values carry it (no database row)."""

    level: str
    code: str
    name: str
    name_en: str = ""
    tncc: int | None = None
    kind: str = ""


def countries(*codes: str) -> list[Territory]:
    rows = {t.code: t for t in Territory.objects.filter(level="country", code__in=codes)}
    return [rows[code] for code in codes]


def fr(code: str, preposition: str = "") -> str:
    (country,) = countries(code)
    return naming.country_phrase(country=country, language="fr", preposition=preposition)


def en(code: str) -> str:
    (country,) = countries(code)
    return naming.country_phrase(country=country, language="en")


# --- countries ---------------------------------------------------------------------------------

# One or more per rule and per exception of the module (ISO 3166-1 French short names, Journal
# officiel of 24 September 2008), French and English.
PINNED = {
    # "l'" before a vowel, whatever the gender
    "DE": ("l'Allemagne", "Germany"),
    "AF": ("l'Afghanistan", "Afghanistan"),
    "EG": ("l'Égypte", "Egypt"),
    "ES": ("l'Espagne", "Spain"),
    "EC": ("l'Équateur", "Ecuador"),
    "IN": ("l'Inde", "India"),
    "IR": ("l'Iran", "Iran"),
    "IQ": ("l'Irak", "Iraq"),
    "UG": ("l'Ouganda", "Uganda"),
    "UA": ("l'Ukraine", "Ukraine"),
    "UY": ("l'Uruguay", "Uruguay"),
    "SA": ("l'Arabie Saoudite", "Saudi Arabia"),
    "ZA": ("l'Afrique du Sud", "South Africa"),
    "SZ": ("l'Eswatini", "Eswatini"),
    "AQ": ("l'Antarctique", "Antarctica"),
    "IM": ("l'Île de Man", "the Isle of Man"),
    "NF": ("l'Île Norfolk", "Norfolk Island"),
    # masculine: first word not ending in "e"
    "MA": ("le Maroc", "Morocco"),
    "BR": ("le Brésil", "Brazil"),
    "CA": ("le Canada", "Canada"),
    "JP": ("le Japon", "Japan"),
    "PT": ("le Portugal", "Portugal"),
    "DK": ("le Danemark", "Denmark"),
    "CR": ("le Costa Rica", "Costa Rica"),
    "BF": ("le Burkina Faso", "Burkina Faso"),
    "VA": ("le Saint-Siège", "Vatican City"),
    "VN": ("le Viêt Nam", "Vietnam"),
    "CV": ("le Cap-Vert", "Cabo Verde"),
    "SV": ("le Salvador", "El Salvador"),
    "LA": ("le Laos", "Laos"),
    "HN": ("le Honduras", "Honduras"),
    "YE": ("le Yémen", "Yemen"),
    "EH": ("le Sahara occidental", "Western Sahara"),
    "NE": ("le Niger", "Niger"),
    "SD": ("le Soudan", "Sudan"),
    "CG": ("le Congo", "the Congo"),
    # masculine although the first word ends in "e"
    "MX": ("le Mexique", "Mexico"),
    "KH": ("le Cambodge", "Cambodia"),
    "MZ": ("le Mozambique", "Mozambique"),
    "ZW": ("le Zimbabwe", "Zimbabwe"),
    "BZ": ("le Bélize", "Belize"),
    "SR": ("le Suriname", "Suriname"),
    "GB": ("le Royaume-Uni", "the United Kingdom"),
    "IO": ("le Territoire britannique de l'océan Indien", "the British Indian Ocean Territory"),
    # feminine: first word ending in "e"
    "CN": ("la Chine", "China"),
    "FR": ("la France", "France"),
    "TN": ("la Tunisie", "Tunisia"),
    "BE": ("la Belgique", "Belgium"),
    "HU": ("la Hongrie", "Hungary"),
    "CI": ("la Côte d'Ivoire", "Côte d'Ivoire"),
    "GW": ("la Guinée-Bissau", "Guinea-Bissau"),
    "NZ": ("la Nouvelle-Zélande", "New Zealand"),
    "BY": ("la Biélorussie", "Belarus"),
    "MM": ("la Birmanie", "Myanmar"),
    "MD": ("la Moldavie", "Moldova"),
    "KR": ("la Corée du Sud", "South Korea"),
    "CZ": ("la République tchèque", "Czechia"),
    "CF": ("la République centrafricaine", "the Central African Republic"),
    "CD": ("la République démocratique du Congo", "the Democratic Republic of the Congo"),
    "GM": ("la Gambie", "the Gambia"),
    # feminine although the first word does not end in "e"
    "SL": ("la Sierra Leone", "Sierra Leone"),
    "TT": ("la Trinité-et-Tobago", "Trinidad and Tobago"),
    # plural
    "US": ("les États-Unis", "the United States"),
    "NL": ("les Pays-Bas", "the Netherlands"),
    "PH": ("les Philippines", "the Philippines"),
    "AE": ("les Émirats arabes unis", "the United Arab Emirates"),
    "KM": ("les Comores", "the Comoros"),
    "BS": ("les Bahamas", "the Bahamas"),
    "FJ": ("les Fidji", "Fiji"),
    "MV": ("les Maldives", "Maldives"),
    "SC": ("les Seychelles", "Seychelles"),
    "BM": ("les Bermudes", "Bermuda"),
    "TO": ("les Tonga", "Tonga"),
    "KY": ("les Îles Caïmans", "the Cayman Islands"),
    "FK": ("les Îles Malouines", "the Falkland Islands"),
    "VG": ("les Îles Vierges britanniques", "the British Virgin Islands"),
    "AX": ("les Îles Åland", "the Åland Islands"),
    "TF": ("les Terres australes et antarctiques françaises", "the French Southern Territories"),
    # no article
    "CU": ("Cuba", "Cuba"),
    "MG": ("Madagascar", "Madagascar"),
    "SG": ("Singapour", "Singapore"),
    "IL": ("Israël", "Israel"),
    "MT": ("Malte", "Malta"),
    "CY": ("Chypre", "Cyprus"),
    "MC": ("Monaco", "Monaco"),
    "HT": ("Haïti", "Haiti"),
    "BH": ("Bahreïn", "Bahrain"),
    "HK": ("Hong Kong", "Hong Kong"),
    "TW": ("Taïwan", "Taiwan"),
    "OM": ("Oman", "Oman"),
    "MU": ("Maurice", "Mauritius"),
    "LK": ("Sri Lanka", "Sri Lanka"),
    "PR": ("Porto Rico", "Puerto Rico"),
    "SM": ("Saint-Marin", "San Marino"),
    "KI": ("Kiribati", "Kiribati"),
    "DJ": ("Djibouti", "Djibouti"),
    "YT": ("Mayotte", "Mayotte"),
    # the reference's name is an inverted, qualified or misleading form
    "RE": ("La Réunion", "Réunion"),
    "PS": ("la Palestine", "Palestine"),
    "FM": ("la Micronésie", "Micronesia"),
    "MK": ("la Macédoine du Nord", "North Macedonia"),
    "MH": ("les Îles Marshall", "the Marshall Islands"),
    "SB": ("les Îles Salomon", "Solomon Islands"),
    "BL": ("Saint-Barthélemy", "Saint Barthélemy"),
    "MF": ("Saint-Martin", "Saint Martin"),
    "SX": ("Saint-Martin (partie néerlandaise)", "Sint Maarten"),
    "GY": ("le Guyana", "Guyana"),
    "SJ": ("le Svalbard et l'île Jan Mayen", "Svalbard and Jan Mayen"),
    "NR": ("Nauru", "Nauru"),
}


def test_pinned_countries_in_both_languages():
    assert len(PINNED) >= 60
    rows = {t.code: t for t in Territory.objects.filter(level="country", code__in=PINNED)}
    written = {
        code: (
            naming.country_phrase(country=rows[code], language="fr"),
            naming.country_phrase(country=rows[code], language="en"),
        )
        for code in PINNED
    }
    assert written == PINNED


def test_every_loaded_country_gets_a_phrase_in_both_languages():
    articles = ("le ", "la ", "les ", "l'")
    loaded = list(Territory.objects.filter(level="country"))
    assert len(loaded) == 249
    for country in loaded:
        name_fr = naming.country_name(country=country, language="fr")
        phrase_fr = naming.country_phrase(country=country, language="fr")
        name_en = naming.country_name(country=country, language="en")
        phrase_en = naming.country_phrase(country=country, language="en")
        assert name_fr and name_en, country.code
        # The phrase is the running name, with an article or none, nothing else.
        assert phrase_fr == name_fr or (
            phrase_fr.startswith(articles) and phrase_fr.endswith(name_fr)
        ), country.code
        assert phrase_fr in (name_fr, f"le {name_fr}", f"la {name_fr}", f"les {name_fr}") or (
            phrase_fr == f"l'{name_fr}" and name_fr[0].lower() in "aeiouéèêîïôâ"
        ), country.code
        assert phrase_en in (name_en, f"the {name_en}"), country.code
        assert "  " not in phrase_fr + phrase_en, country.code
        # No inverted or qualified form ("Palestine, État de", "Bahamas (The)"), except the
        # parenthesis that is part of a name.
        for text in (name_fr, name_en):
            assert ", État" not in text and ", La" not in text, country.code
            assert "(" not in text or country.code in ("SX", "CC"), country.code


def test_the_exception_lists_name_only_loaded_countries():
    loaded = set(Territory.objects.filter(level="country").values_list("code", flat=True))
    for table in (
        naming._FRENCH_NAMES,
        naming._NO_ARTICLE,
        naming._PLURAL,
        naming._MASCULINE,
        naming._FEMININE,
        naming._MUTE_H,
        naming._ENGLISH_NAMES,
        naming._ENGLISH_THE,
    ):
        assert set(table) <= loaded


def test_prepositions_contract_with_the_article():
    assert fr("MA", "à") == "au Maroc"
    assert fr("US", "à") == "aux États-Unis"
    assert fr("CN", "à") == "à la Chine"
    assert fr("DE", "à") == "à l'Allemagne"
    assert fr("CU", "à") == "à Cuba"
    assert fr("MA", "de") == "du Maroc"
    assert fr("NL", "de") == "des Pays-Bas"
    assert fr("IL", "de") == "d'Israël"
    assert fr("OM", "de") == "d'Oman"
    assert fr("HT", "de") == "d'Haïti"  # mute h
    assert fr("HK", "de") == "de Hong Kong"  # aspirated h
    assert fr("RE", "de") == "de La Réunion"
    assert fr("MA", "pour") == "pour le Maroc"
    (morocco,) = countries("MA")
    assert naming.country_phrase(country=morocco, language="en", preposition="for") == (
        "for Morocco"
    )


def test_a_country_list_reads_naturally_in_french_order():
    markets = countries("MA", "TN", "BR")
    assert naming.country_list_phrase(countries=markets, language="fr") == (
        "le Brésil, le Maroc et la Tunisie"
    )
    assert naming.country_list_phrase(countries=markets, language="en") == (
        "Brazil, Morocco and Tunisia"
    )


def test_french_order_ignores_accents_and_case_and_english_sorts_english_names():
    markets = countries("ES", "EG", "DK", "DE")
    assert naming.country_list_phrase(countries=markets, language="fr", limit=None) == (
        "l'Allemagne, le Danemark, l'Égypte et l'Espagne"
    )
    assert naming.country_list_phrase(countries=markets, language="en", limit=None) == (
        "Denmark, Egypt, Germany and Spain"
    )
    # "États-Unis" sorts with the E's, "the United States" with the U's.
    markets = countries("US", "ES", "GB")
    assert naming.country_list_phrase(countries=markets, language="fr") == (
        "l'Espagne, les États-Unis et le Royaume-Uni"
    )
    assert naming.country_list_phrase(countries=markets, language="en") == (
        "Spain, the United Kingdom and the United States"
    )


def test_a_long_list_is_cut_with_the_count_of_the_others():
    markets = countries("BR", "CA", "MA", "NL", "TN", "US")
    assert naming.country_list_phrase(countries=markets, language="fr", limit=3) == (
        "le Brésil, le Canada, les États-Unis et 3 autres pays"
    )
    assert naming.country_list_phrase(countries=markets, language="en", limit=3) == (
        "Brazil, Canada, Morocco and 3 other countries"
    )
    assert naming.country_list_phrase(countries=markets, language="fr", limit=None).count(",") == 4


def test_a_single_country_past_the_limit_is_written_not_counted():
    markets = countries("BR", "CA", "MA", "TN")
    assert naming.country_list_phrase(countries=markets, language="fr", limit=3) == (
        "le Brésil, le Canada, le Maroc et la Tunisie"
    )


def test_prepositions_in_a_list():
    markets = countries("MA", "TN", "NL", "BR", "CA")
    assert naming.country_list_phrase(countries=markets[:3], language="fr", preposition="à") == (
        "au Maroc, aux Pays-Bas et à la Tunisie"
    )
    assert naming.country_list_phrase(
        countries=markets, language="fr", limit=2, preposition="de"
    ) == ("du Brésil, du Canada et de 3 autres pays")
    assert naming.country_list_phrase(countries=markets[:3], language="fr", preposition="pour") == (
        "pour le Maroc, les Pays-Bas et la Tunisie"
    )
    assert naming.country_list_phrase(
        countries=markets, language="en", limit=2, preposition="for"
    ) == ("for Brazil, Canada and 3 other countries")


def test_list_edge_cases():
    (morocco,) = countries("MA")
    assert naming.country_list_phrase(countries=[], language="fr") == ""
    assert naming.country_list_phrase(countries=[], language="fr", preposition="pour") == ""
    assert naming.country_list_phrase(countries=[morocco], language="fr") == "le Maroc"
    assert naming.country_list_phrase(countries=[morocco, morocco], language="en") == "Morocco"
    with pytest.raises(ValueError, match="limit"):
        naming.country_list_phrase(countries=[morocco], language="fr", limit=0)
    with pytest.raises(ValueError, match="Langue inconnue"):
        naming.country_list_phrase(countries=[morocco], language="de")
    with pytest.raises(ValueError, match="Langue inconnue"):
        naming.country_phrase(country=morocco, language="FR")


def test_join_phrases():
    assert naming.join_phrases(phrases=[], language="fr") == ""
    assert naming.join_phrases(phrases=["a"], language="en") == "a"
    assert naming.join_phrases(phrases=["a", "b"], language="fr") == "a et b"
    assert naming.join_phrases(phrases=["a", "b", "c"], language="en") == "a, b and c"


def test_collation_key_follows_dictionary_order():
    names = ["Espagne", "égypte", "Danemark", "Éthiopie", "Erythrée", "États-Unis"]
    assert sorted(names, key=naming.collation_key) == [
        "Danemark",
        "égypte",
        "Erythrée",
        "Espagne",
        "États-Unis",
        "Éthiopie",
    ]


# --- French territories ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "code", "french", "english"),
    [
        ("departement", "34", "l'Hérault", "Hérault"),
        ("departement", "30", "le Gard", "Gard"),
        ("departement", "2B", "la Haute-Corse", "Haute-Corse"),
        ("departement", "2A", "la Corse-du-Sud", "Corse-du-Sud"),
        ("departement", "13", "les Bouches-du-Rhône", "Bouches-du-Rhône"),
        ("departement", "69", "le Rhône", "Rhône"),
        ("departement", "91", "l'Essonne", "Essonne"),
        ("departement", "75", "Paris", "Paris"),
        ("departement", "971", "la Guadeloupe", "Guadeloupe"),
        ("region", "76", "la région Occitanie", "the Occitanie region"),
        (
            "region",
            "93",
            "la région Provence-Alpes-Côte d'Azur",
            "the Provence-Alpes-Côte d'Azur region",
        ),
        ("region", "84", "la région Auvergne-Rhône-Alpes", "the Auvergne-Rhône-Alpes region"),
        ("region", "11", "la région Île-de-France", "the Île-de-France region"),
        ("region", "94", "la Corse", "Corsica"),
        ("region", "01", "la Guadeloupe", "Guadeloupe"),
        ("country", "FR", "la France", "France"),
        ("commune", "34172", "Montpellier", "Montpellier"),
        ("commune", "13109", "Le Tholonet", "Le Tholonet"),
        ("commune", "34344", "La Grande-Motte", "La Grande-Motte"),
        ("commune", "91228", "Évry-Courcouronnes", "Évry-Courcouronnes"),
        (
            "arrondissement",
            "75108",
            "le 8e arrondissement de Paris",
            "the 8th arrondissement of Paris",
        ),
        (
            "arrondissement",
            "75101",
            "le 1er arrondissement de Paris",
            "the 1st arrondissement of Paris",
        ),
        (
            "arrondissement",
            "13202",
            "le 2e arrondissement de Marseille",
            "the 2nd arrondissement of Marseille",
        ),
        (
            "arrondissement",
            "69383",
            "le 3e arrondissement de Lyon",
            "the 3rd arrondissement of Lyon",
        ),
        (
            "epci",
            "243400017",
            "la métropole Montpellier Méditerranée Métropole",
            "Montpellier Méditerranée Métropole",
        ),
        (
            "epci",
            "200054807",
            "la Métropole d'Aix-Marseille-Provence",
            "the Métropole d'Aix-Marseille-Provence",
        ),
        ("epci", "200046977", "la Métropole de Lyon", "the Métropole de Lyon"),
        (
            "epci",
            "243400819",
            "la communauté d'agglomération Hérault-Méditerranée",
            "the Communauté d'agglomération Hérault-Méditerranée",
        ),
        (
            "epci",
            "200022986",
            "la communauté de communes du Grand Pic Saint-Loup",
            "the Communauté de communes du Grand Pic Saint-Loup",
        ),
    ],
)
def test_territories_as_covered_areas(territory, level, code, french, english):
    place = territory(level, code)
    assert naming.territory_phrase(territory=place, language="fr") == french
    assert naming.territory_phrase(territory=place, language="en") == english


def test_territory_phrases_contract_with_prepositions(territory):
    def fr(level: str, code: str, preposition: str) -> str:
        return naming.territory_phrase(
            territory=territory(level, code), language="fr", preposition=preposition
        )

    assert fr("departement", "30", "à") == "au Gard"
    assert fr("departement", "13", "à") == "aux Bouches-du-Rhône"
    assert fr("departement", "34", "à") == "à l'Hérault"
    assert fr("departement", "30", "de") == "du Gard"
    assert fr("departement", "13", "de") == "des Bouches-du-Rhône"
    assert fr("departement", "2B", "de") == "de la Haute-Corse"
    assert fr("departement", "75", "de") == "de Paris"
    assert fr("commune", "13109", "à") == "au Tholonet"
    assert fr("commune", "13109", "de") == "du Tholonet"
    assert fr("commune", "13011", "à") == "aux Baux-de-Provence"
    assert fr("commune", "34344", "à") == "à La Grande-Motte"
    assert fr("commune", "91228", "de") == "d'Évry-Courcouronnes"
    assert fr("commune", "13001", "de") == "d'Aix-en-Provence"
    assert fr("arrondissement", "75108", "à") == "au 8e arrondissement de Paris"
    assert fr("region", "76", "de") == "de la région Occitanie"
    assert fr("departement", "34", "pour") == "pour l'Hérault"
    assert (
        naming.territory_phrase(
            territory=territory("region", "76"), language="en", preposition="in"
        )
        == "in the Occitanie region"
    )


def test_bare_names_for_lists(territory):
    def names(level: str, code: str) -> tuple[str, str]:
        place = territory(level, code)
        return (
            naming.territory_name(territory=place, language="fr"),
            naming.territory_name(territory=place, language="en"),
        )

    assert names("departement", "34") == ("Hérault", "Hérault")
    assert names("region", "76") == ("Occitanie", "Occitanie")
    assert names("region", "94") == ("Corse", "Corsica")
    assert names("arrondissement", "75108") == (
        "Paris 8e Arrondissement",
        "Paris 8e Arrondissement",
    )
    assert names("epci", "243400819") == (
        "CA Hérault-Méditerranée",
        "Communauté d'agglomération Hérault-Méditerranée",
    )
    assert names("country", "US") == ("États-Unis", "United States")


@pytest.mark.parametrize(
    ("place", "french", "english"),
    [
        # The COG gives no article to these "X-et-Y" départements ("de Maine-et-Loire").
        (
            Place("departement", "49", "Maine-et-Loire", tncc=0),
            "le département de Maine-et-Loire",
            "Maine-et-Loire",
        ),
        (
            Place("departement", "28", "Eure-et-Loir", tncc=1),
            "le département d'Eure-et-Loir",
            "Eure-et-Loir",
        ),
        (Place("departement", "973", "Guyane", tncc=3), "la Guyane", "French Guiana"),
        (Place("region", "03", "Guyane", tncc=3), "la Guyane", "French Guiana"),
        (Place("departement", "974", "La Réunion", tncc=0), "La Réunion", "Réunion"),
        (Place("region", "04", "La Réunion", tncc=0), "La Réunion", "Réunion"),
        (Place("departement", "976", "Mayotte", tncc=0), "Mayotte", "Mayotte"),
        (Place("region", "28", "Normandie", tncc=0), "la région Normandie", "the Normandie region"),
        # Overseas collectivities: the COG's TNCC 0, the article of the country list.
        (
            Place("departement", "988", "Nouvelle-Calédonie", tncc=0),
            "la Nouvelle-Calédonie",
            "New Caledonia",
        ),
        (
            Place("departement", "987", "Polynésie française", tncc=0),
            "la Polynésie française",
            "French Polynesia",
        ),
        (
            Place("region", "984", "Terres australes et antarctiques françaises", tncc=0),
            "les Terres australes et antarctiques françaises",
            "the French Southern and Antarctic Lands",
        ),
        (
            Place("departement", "986", "Wallis et Futuna", tncc=0),
            "Wallis et Futuna",
            "Wallis and Futuna",
        ),
        (
            Place("departement", "975", "Saint-Pierre-et-Miquelon", tncc=0),
            "Saint-Pierre-et-Miquelon",
            "Saint Pierre and Miquelon",
        ),
        (
            Place("departement", "989", "Île de Clipperton", tncc=0),
            "l'île de Clipperton",
            "Clipperton Island",
        ),
        # Communes with the rarer articles of the COG.
        (Place("commune", "60703", "Aux Marais", tncc=6), "Aux Marais", "Aux Marais"),
        (Place("commune", "76351", "Le Havre", tncc=2), "Le Havre", "Le Havre"),
        (Place("commune", "83069", "Hyères", tncc=1), "Hyères", "Hyères"),
        # Values without TNCC or EPCI kind (as a lighter reference may carry them).
        (Place("departement", "34", "Hérault"), "Hérault", "Hérault"),
        (
            Place("epci", "243100518", "Toulouse Métropole"),
            "la métropole Toulouse Métropole",
            "Toulouse Métropole",
        ),
        (
            Place("epci", "246700488", "Eurométropole de Strasbourg"),
            "l'Eurométropole de Strasbourg",
            "the Eurométropole de Strasbourg",
        ),
        (
            Place("epci", "999999999", "Pays de Nulle Part"),
            "l'intercommunalité Pays de Nulle Part",
            "Pays de Nulle Part",
        ),
        (
            Place("epci", "200084952", "CU Le Havre Seine Métropole", kind="CU"),
            "la communauté urbaine Le Havre Seine Métropole",
            "the Communauté urbaine Le Havre Seine Métropole",
        ),
        (
            Place("arrondissement", "13211", "Marseille 11e Arrondissement"),
            "le 11e arrondissement de Marseille",
            "the 11th arrondissement of Marseille",
        ),
        (
            Place("arrondissement", "13212", "Marseille 12e Arrondissement"),
            "le 12e arrondissement de Marseille",
            "the 12th arrondissement of Marseille",
        ),
        (
            Place("arrondissement", "99999", "Quartier sans numéro"),
            "Quartier sans numéro",
            "Quartier sans numéro",
        ),
    ],
)
def test_territories_outside_the_test_reference(place, french, english):
    assert naming.territory_phrase(territory=place, language="fr") == french
    assert naming.territory_phrase(territory=place, language="en") == english


def test_prepositions_with_the_rarer_articles():
    aux_marais = Place("commune", "60703", "Aux Marais", tncc=6)
    assert naming.territory_phrase(territory=aux_marais, language="fr", preposition="à") == (
        "aux Marais"
    )
    assert naming.territory_phrase(territory=aux_marais, language="fr", preposition="de") == (
        "des Marais"
    )
    hyeres = Place("commune", "83069", "Hyères", tncc=1)  # mute h: "d'Hyères"
    assert naming.territory_phrase(territory=hyeres, language="fr", preposition="de") == "d'Hyères"
    maine = Place("departement", "49", "Maine-et-Loire", tncc=0)
    assert naming.territory_phrase(territory=maine, language="fr", preposition="à") == (
        "au département de Maine-et-Loire"
    )


@pytest.mark.full_reference
def test_every_departement_and_region_of_the_full_reference_has_a_tncc_and_a_phrase():
    from territories.services import load_vendored_reference

    load_vendored_reference()
    places = list(Territory.objects.filter(level__in=["departement", "region"], is_current=True))
    assert len(places) == 109 + 26
    phrases = set()
    for place in places:
        assert place.tncc is not None, place
        french = naming.territory_phrase(territory=place, language="fr")
        english = naming.territory_phrase(territory=place, language="en")
        assert french and english, place
        assert place.name in french or place.code == "989", place  # l'île de Clipperton
        if place.level == "departement" and place.tncc in (2, 3, 4, 5):
            assert french.startswith(("le ", "la ", "les ", "l'")), place
        phrases.add((place.level, french))
    assert len(phrases) == len(places)
    for epci in Territory.objects.filter(level="epci"):
        assert naming.territory_phrase(territory=epci, language="fr").startswith(("la ", "l'")), (
            epci
        )

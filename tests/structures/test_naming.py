"""Sectors in running text (structures.naming), on the catalogue the migrations load."""

import pytest

from structures import naming
from structures.catalogue import FILIERES
from structures.models import Sector
from tests.structures.factories import SectorFactory

pytestmark = pytest.mark.django_db


def sectors(*codes: str) -> list[Sector]:
    rows = {s.code: s for s in Sector.objects.filter(code__in=codes)}
    return [rows[code] for code in codes]


def phrase(code: str, language: str = "fr", preposition: str = "") -> str:
    (sector,) = sectors(code)
    return naming.sector_phrase(sector=sector, language=language, preposition=preposition)


@pytest.mark.parametrize(
    ("code", "french", "after_a", "english"),
    [
        ("agroalimentaire", "l'agroalimentaire", "à l'agroalimentaire", "the agri-food sector"),
        ("numerique", "le numérique", "au numérique", "the digital technologies sector"),
        ("energie", "l'énergie", "à l'énergie", "the energy sector"),
        (
            "vins-spiritueux",
            "les vins et les spiritueux",
            "aux vins et aux spiritueux",
            "the wines and spirits sector",
        ),
        (
            "sante-biotech",
            "la santé et les biotechnologies",
            "à la santé et aux biotechnologies",
            "the health and biotechnology sector",
        ),
        (
            "aeronautique-spatial",
            "l'aéronautique et le spatial",
            "à l'aéronautique et au spatial",
            "the aerospace sector",
        ),
        (
            "environnement",
            "l'eau, les déchets et l'environnement",
            "à l'eau, aux déchets et à l'environnement",
            "the water, waste and environment sector",
        ),
        (
            "10",
            "le secteur « Industries alimentaires » (NAF 10)",
            "au secteur « Industries alimentaires » (NAF 10)",
            "the “Manufacture of food products” sector (NAF 10)",
        ),
        (
            "C",
            "le secteur « Industrie manufacturière » (section NAF C)",
            "au secteur « Industrie manufacturière » (section NAF C)",
            "the “Manufacturing” sector (NAF section C)",
        ),
    ],
)
def test_sectors_in_running_text(code, french, after_a, english):
    assert phrase(code) == french
    assert phrase(code, preposition="à") == after_a
    assert phrase(code, language="en") == english


def test_every_filiere_of_the_catalogue_has_its_articles():
    for code, name, _name_en, _divisions in FILIERES:
        articles = naming._FILIERE_ARTICLES[code]
        assert len(articles) == len(naming._CONJUNCTS.split(name)), code
        assert "filière" not in phrase(code), code
    assert set(naming._FILIERE_ARTICLES) == {code for code, *_rest in FILIERES}


def test_every_sector_gets_a_phrase_and_a_name_in_both_languages():
    for sector in Sector.objects.all():
        for language in ("fr", "en"):
            assert naming.sector_phrase(sector=sector, language=language), sector.code
            assert naming.sector_name(sector=sector, language=language), sector.code


def test_english_sentences_name_naf_divisions_in_english():
    assert phrase("62", language="en", preposition="for") == (
        "for the “Computer programming, consultancy and related activities” sector (NAF 62)"
    )
    for sector in Sector.objects.filter(kind="naf_division"):
        english = naming.sector_phrase(sector=sector, language="en")
        assert sector.name_en in english, sector.code
        assert sector.name not in english, sector.code


def test_a_division_without_english_name_keeps_its_french_one():
    # A database loaded before the English names (migration 0005 fills them in).
    sector = SectorFactory.build(code="10", kind="naf_division", name="Industries alimentaires")
    assert naming.sector_phrase(sector=sector, language="en") == (
        "the “Industries alimentaires” sector (NAF 10)"
    )


def test_other_prepositions():
    assert phrase("10", preposition="de") == "du secteur « Industries alimentaires » (NAF 10)"
    assert phrase("vins-spiritueux", preposition="de") == "des vins et des spiritueux"
    assert phrase("agroalimentaire", preposition="pour") == "pour l'agroalimentaire"
    assert phrase("agroalimentaire", language="en", preposition="for") == (
        "for the agri-food sector"
    )


def test_a_filiere_without_known_articles_is_named_as_a_filiere():
    sector = SectorFactory.build(code="robotique", kind="filiere", name="Robotique et IA")
    assert naming.sector_phrase(sector=sector, language="fr") == "la filière « Robotique et IA »"
    assert naming.sector_phrase(sector=sector, language="fr", preposition="à") == (
        "à la filière « Robotique et IA »"
    )
    # Renamed in the catalogue with another number of nouns: the safe form again.
    renamed = SectorFactory.build(code="energie", kind="filiere", name="Énergie et climat")
    assert naming.sector_phrase(sector=renamed, language="fr") == (
        "la filière « Énergie et climat »"
    )
    assert naming.sector_phrase(sector=sector, language="en") == "the “Robotique et IA” sector"


def test_names_for_lists():
    def names(code: str) -> tuple[str, str]:
        (sector,) = sectors(code)
        return (
            naming.sector_name(sector=sector, language="fr"),
            naming.sector_name(sector=sector, language="en"),
        )

    assert names("agroalimentaire") == ("Agroalimentaire", "Agri-food")
    assert names("10") == (
        "Industries alimentaires (NAF 10)",
        "Manufacture of food products (NAF 10)",
    )
    assert names("C") == (
        "Industrie manufacturière (section NAF C)",
        "Manufacturing (NAF section C)",
    )


def test_a_list_of_sectors_is_sorted_joined_and_cut():
    chosen = sectors("10", "energie", "agroalimentaire")
    assert naming.sector_list_phrase(sectors=chosen, language="fr", preposition="à") == (
        "à l'agroalimentaire, à l'énergie et au secteur « Industries alimentaires » (NAF 10)"
    )
    assert naming.sector_list_phrase(sectors=chosen, language="en") == (
        "the agri-food sector, the energy sector and the “Manufacture of food products” sector "
        "(NAF 10)"
    )
    more = sectors("10", "energie", "agroalimentaire", "C", "sante-biotech")
    assert naming.sector_list_phrase(sectors=more, language="fr", limit=2, preposition="à") == (
        "à l'agroalimentaire, à l'énergie et à 3 autres secteurs"
    )
    assert naming.sector_list_phrase(sectors=more, language="en", limit=2, preposition="for") == (
        "for the agri-food sector, the energy sector and 3 other sectors"
    )
    assert naming.sector_list_phrase(sectors=chosen + chosen, language="fr", limit=None) == (
        "l'agroalimentaire, l'énergie et le secteur « Industries alimentaires » (NAF 10)"
    )
    assert naming.sector_list_phrase(sectors=[], language="fr") == ""


def test_unknown_language_is_refused():
    (sector,) = sectors("10")
    with pytest.raises(ValueError, match="Langue inconnue"):
        naming.sector_phrase(sector=sector, language="de")
    with pytest.raises(ValueError, match="Langue inconnue"):
        naming.sector_name(sector=sector, language="")

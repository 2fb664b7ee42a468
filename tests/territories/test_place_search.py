"""Name search that forgives: abbreviations, punctuation, typos (territories.place_index)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from territories import place_index as place_index_module
from territories.enums import NAME_MATCH_QUALITY, PLACE_LEVELS, NameMatch
from territories.models import ReferenceVersion, Territory
from territories.place_index import (
    FUZZY_LIMIT,
    PlaceIndex,
    max_typos,
    place_index,
    reference_version,
)
from territories.selectors import MEMORY_SEARCH_LIMIT, search_territories
from territories.services import load_vendored_reference
from tests.conftest import SUBSET_DEPARTEMENTS

pytestmark = pytest.mark.django_db

EXACT = NAME_MATCH_QUALITY[NameMatch.EXACT]
PREFIX = NAME_MATCH_QUALITY[NameMatch.PREFIX]
APPROXIMATE = NAME_MATCH_QUALITY[NameMatch.APPROXIMATE]


def places(query: str, n: int = 10) -> list[Territory]:
    return list(search_territories(query=query, levels=PLACE_LEVELS)[:n])


def codes(query: str, n: int = 10) -> list[str]:
    return [p.code for p in places(query, n)]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Monpelier", "34172"),  # two letters missing: Montpellier
        ("Montpelier", "34172"),  # one missing
        ("Montpelllier", "34172"),  # one too many
        ("Montpeiller", "34172"),  # two neighbours swapped
        ("Montpallier", "34172"),  # one wrong
        ("Marsielle", "13055"),  # Marseille
        ("Vilerbanne", "69266"),  # Villeurbanne, two letters missing
        ("Villeurbanee", "69266"),  # two wrong at the end
        ("Aix en Provance", "13001"),
        ("Ajacio", "2A004"),
        ("Nimmes", "30189"),  # Nîmes, accent dropped and a letter doubled
        ("Bagnol sur Ceze", "30028"),
        ("Lyom", "69123"),
        ("saint mathieu de trevires", "34276"),
    ],
)
def test_a_misspelt_name_is_suggested_first(query, code):
    found = places(query)
    assert found, f"nothing for {query!r}"
    assert found[0].code == code
    assert found[0].match_quality == APPROXIMATE


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("St Mathieu de Treviers", "34276"),  # Saint-Mathieu-de-Tréviers
        ("st-mathieu-de-tréviers", "34276"),
        ("Ste Genevieve des Bois", "91549"),  # Sainte-Geneviève-des-Bois
        ("Stes Maries de la Mer", "13096"),  # Saintes-Maries-de-la-Mer
        ("Ste Anne", "97128"),  # Sainte-Anne (Guadeloupe)
        ("saintmathieudetreviers", "34276"),  # no spaces at all
        ("Larbresle", "69010"),  # L'Arbresle without its apostrophe
        ("l arbresle", "69010"),
        ("L'ARBRESLE", "69010"),
        ("Aix-en-Provence", "13001"),
        ("aixenprovence", "13001"),
    ],
)
def test_abbreviations_punctuation_and_case_make_an_exact_match(query, code):
    found = places(query)
    assert found[0].code == code
    assert found[0].match_quality == EXACT


def test_st_and_ste_find_the_saints_by_prefix():
    found = places("Ste Foy")
    assert {p.code for p in found if p.match_quality < APPROXIMATE} == {"69201", "69202"}
    assert found[0].code == "69202"  # Sainte-Foy-lès-Lyon, the larger
    # "St Etienne": no Saint-Étienne in the subset, but the Saint-Étienne-… communes.
    found = places("St Etienne", n=50)
    close = [p for p in found if p.match_quality < APPROXIMATE]
    assert len(close) >= 5
    assert all(p.name.startswith("Saint-Étienne-") for p in close)


def test_the_typed_form_of_an_abbreviation_is_searched_too():
    # "St" may also be the start of a name: both readings are searched.
    found = set(Territory.objects.search("St").values_list("name", flat=True))
    assert {"Stazzona", "Saint-Mathieu-de-Tréviers"} <= found


def test_exact_and_prefix_matches_come_first_and_alone_when_enough():
    found = places("Montpellier")
    assert found[0].code == "34172" and found[0].match_quality == EXACT
    assert all(p.match_quality < APPROXIMATE for p in found), "an exact name gets no guesses"
    prefix = places("montpel")
    assert prefix[0].code == "34172" and prefix[0].match_quality == PREFIX
    many = places("Saint-Mart", n=50)
    assert len(many) >= 3
    assert all(p.match_quality < APPROXIMATE for p in many)


def test_too_few_matches_are_followed_by_suggestions_ranked_after_them():
    # "Montpel" starts only Montpellier's name (too few): spellings close to it follow.
    found = places("Montpel", n=20)
    qualities = [p.match_quality for p in found]
    assert qualities == sorted(qualities)
    assert [p.name for p in found if p.match_quality == PREFIX] == ["Montpellier"]
    assert "Montpeyroux" in {p.name for p in found if p.match_quality == APPROXIMATE}


def test_suggestions_are_bounded_and_only_places():
    found = list(search_territories(query="Monpel"))
    approximate = [p for p in found if p.match_quality == APPROXIMATE]
    assert 0 < len(approximate) <= FUZZY_LIMIT
    assert all(p.level in PLACE_LEVELS and p.is_current for p in approximate)
    assert approximate[0].code == "34172"
    # Départements and régions are found by name, never by a guess.
    assert not search_territories(query="Heraut", levels=["departement"]).exists()
    assert list(
        search_territories(query="Herault", levels=["departement"]).values_list("code", flat=True)
    ) == ["34"]


@pytest.mark.parametrize("query", ["zzzqqq", "xyz", "Lyo", "  -' ", "a" * 300, "ʤʥ", "🙂🙂🙂🙂"])
def test_hopeless_or_short_queries_are_not_corrected(query):
    assert all(p.match_quality < APPROXIMATE for p in places(query, n=50))


def test_typo_tolerance_grows_with_the_length():
    assert [max_typos(n) for n in (1, 3, 4, 5, 6, 11, 30)] == [0, 0, 1, 1, 2, 2, 2]
    assert not places("Lyonx" + "zz")  # three edits from Lyon: too many


def test_codes_and_postal_codes_still_work_without_correction():
    assert codes("34172")[0] == "34172"
    assert "13001" in codes("13100")
    assert codes("2A004")[0] == "2A004"
    # "Paris 13" is a name, not a code.
    assert codes("Paris 13")[0] == "75113"


def test_tolerant_false_is_the_exact_search_in_sql():
    assert not search_territories(query="Monpelier", tolerant=False).exists()
    exact = list(search_territories(query="St Mathieu de Treviers", tolerant=False))
    assert [p.code for p in exact] == ["34276"]


@pytest.mark.parametrize(
    "query", ["montpel", "saint mat", "tholonet", "Ste Foy", "lunel", "aix", "de la", "vill"]
)
def test_memory_matches_mean_what_the_sql_search_means(query):
    """The in-memory exact, prefix and word matches are the SQL search's, in the same order."""
    in_memory = [
        (p.code, p.match_quality)
        for p in search_territories(query=query)
        if p.match_quality < APPROXIMATE
    ]
    in_sql = [(p.code, p.match_quality) for p in search_territories(query=query, tolerant=False)]
    assert len(in_sql) <= MEMORY_SEARCH_LIMIT, "query too broad for this comparison"
    assert sorted(in_memory) == sorted(in_sql)
    assert [q for _c, q in in_memory] == [q for _c, q in in_sql]


def test_broad_queries_are_answered_by_the_database_with_the_same_order():
    everything = search_territories(query="saint", levels=PLACE_LEVELS)
    assert everything.count() > MEMORY_SEARCH_LIMIT
    assert list(everything[:20]) == list(
        search_territories(query="saint", levels=PLACE_LEVELS, tolerant=False)[:20]
    )


def test_a_search_costs_two_queries_once_the_index_is_built():
    place_index()
    with CaptureQueriesContext(connection) as ctx:
        assert places("Monpelier")[0].code == "34172"
    assert len(ctx.captured_queries) == 2  # the version token, then the territories


def test_the_order_is_carried_into_sql_and_filters_still_apply():
    base = Territory.objects.filter(parent__code="34")
    found = list(search_territories(query="Monpelier", queryset=base))
    assert found[0].code == "34172"
    assert all(p.parent.code == "34" for p in found)
    nothing = search_territories(query="Monpelier", queryset=Territory.objects.filter(code="X"))
    assert list(nothing) == []


# The per-process cache -------------------------------------------------------------------


def test_the_index_is_rebuilt_when_a_territory_changes():
    index = place_index()
    assert place_index() is index, "cached while the reference does not change"
    token = reference_version()
    assert token, "the loader drew a version token"
    gard = Territory.objects.get(level="departement", code="30")
    Territory.objects.create(
        level="commune", code="30999", name="Zorglubville-sur-Mer", parent=gard, population=50
    )
    assert reference_version() != token
    assert codes("Zorglubvile sur Mer") == ["30999"]
    assert place_index() is not index
    Territory.objects.filter(code="30999").delete()
    assert codes("Zorglubvile sur Mer") == []


def test_renaming_a_territory_in_the_admin_way_changes_the_version():
    token = reference_version()
    montpellier = Territory.objects.get(level="commune", code="34172")
    montpellier.name = "Montpellier-la-Surdouée"
    montpellier.save()
    assert reference_version() != token
    assert codes("montpellier la surdouee")[0] == "34172"


def test_reloading_an_unchanged_reference_keeps_the_index():
    index = place_index()
    token = reference_version()
    report = load_vendored_reference(departements=SUBSET_DEPARTEMENTS)
    assert not report.changed
    assert reference_version() == token
    assert place_index() is index


def test_a_repaired_reference_draws_a_new_version():
    token = reference_version()
    Territory.objects.filter(level="commune", code="34172").update(name="Montpelier")
    load_vendored_reference(departements=SUBSET_DEPARTEMENTS)
    assert reference_version() != token
    assert codes("Montpellier")[0] == "34172"


def test_no_version_row_is_a_version_too():
    ReferenceVersion.objects.all().delete()
    assert reference_version() == ""
    assert codes("Monpelier")[0] == "34172"
    assert place_index_module.cached_version() == ""


def test_the_index_reads_every_level_and_corrects_only_current_places():
    index = PlaceIndex.build()
    assert index.size == Territory.objects.count()
    retired = Territory.objects.get(level="commune", code="34172")
    Territory.objects.filter(pk=retired.pk).update(is_current=False)
    rebuilt = PlaceIndex.build()
    assert all(m.pk != retired.pk for m in rebuilt.approximate("monpelier"))


@pytest.mark.parametrize("query", ["Herault", "Monpelier", "saint", "34000", "Montpellier"])
def test_results_can_be_read_as_values_on_both_databases(query):
    # Ordering on a constant would be "ORDER BY 0" on PostgreSQL once values_list drops it.
    values = list(search_territories(query=query).values_list("code", flat=True)[:5])
    assert values == [t.code for t in search_territories(query=query)[:5]]

"""The home page's search and its results page, in every state."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.structures.factories import OfferFactory, StructureFactory, service, territory

pytestmark = pytest.mark.django_db

URL = "/recherche/"
# The relay engine grows its search box in a few rounds; the page adds a fixed handful.
MAX_RESULT_QUERIES = 30


def get(client, **params):
    return client.get(URL, params, HTTP_ACCEPT_LANGUAGE="fr")


def test_home_page_has_the_search_form_that_works_without_javascript(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr"' in html
    assert '<form class="search-panel" action="/recherche/" method="get"' in html
    assert "Où est votre entreprise ?" in html
    assert "De quoi avez-vous besoin ?" in html
    assert '<label for="id_where">' in html
    assert 'aria-describedby="id_where_helptext"' in html
    assert "Salons internationaux et pavillons collectifs" in html


def test_empty_query_shows_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["state"] == "form"


def test_search_by_commune_name_lists_competent_relays_with_contact_and_why(client, registry):
    response = get(client, where="Montpellier", service="trade-fairs")
    assert response.status_code == 200
    assert response.context["state"] == "results"
    names = [r.structure.name for _n, r in response.context["results"]]
    assert names[0] == "CCI Hérault — service international"
    assert "Club des exportateurs de l'Hérault" in names
    assert "Structure non validée" not in names
    html = response.content.decode()
    assert "Pôle international" in html
    assert 'href="tel:+33467000000"' in html
    assert "04 67 00 00 00" in html
    assert "couvre l&#x27;Hérault pour « Salons internationaux" in html
    assert "réservé aux adhérents" in html
    assert "lun.–ven. : 9 h–12 h, 14 h–17 h 30" in html
    assert "Dossier interne" not in html
    assert 'id="map-data"' in html


def test_fallbacks_are_shown_apart_and_labelled(client, registry):
    response = get(client, where="Montpellier", service="trade-fairs")
    fallbacks = [r for _n, r in response.context["fallbacks"]]
    assert [r.structure.name for r in fallbacks] == ["CCI du Gard"]
    html = response.content.decode()
    assert "Solutions de repli" in html
    assert "Hors zone" in html
    assert html.index("Solutions de repli") < html.index("CCI du Gard")


def test_search_by_postal_code(client, registry):
    response = get(client, where="34000", service="trade-fairs")
    assert response.status_code == 200
    assert response.context["response"].location.commune.code == "34172"


def test_search_with_the_autocomplete_commune_code(client, registry):
    response = get(client, where="Montpellier", commune="34172", service="trade-fairs")
    assert response.context["response"].location.commune.code == "34172"
    labelled = get(client, where="Montpellier (34172)", service="trade-fairs")
    assert labelled.context["response"].location.commune.code == "34172"


def test_search_by_siret_of_a_registered_firm(client, registry):
    from tests.smes.factories import SMEFactory

    sme = SMEFactory()
    spaced = f"{sme.siret[:3]} {sme.siret[3:6]} {sme.siret[6:9]} {sme.siret[9:]}"
    response = get(client, where=spaced, service="trade-fairs")
    assert response.status_code == 200
    assert response.context["response"].location.commune.code == "34172"
    # Firms' data is not public: the page names the commune, not the firm.
    assert sme.name not in response.content.decode()


def test_a_new_text_wins_over_a_stale_hidden_commune(client, registry):
    """Without JavaScript the hidden code of a previous choice stays in the form."""
    by_name = get(client, where="Montpellier", commune="13109", service="trade-fairs")
    assert by_name.context["response"].location.commune.code == "34172"
    by_postal_code = get(client, where="34000", commune="13109", service="trade-fairs")
    assert by_postal_code.context["response"].location.commune.code == "34172"
    kept = get(client, where="13100", commune="13109", service="trade-fairs")
    assert kept.context["response"].location.commune.code == "13109"


def test_query_is_kept_in_the_url_and_the_form(client, registry):
    html = get(client, where="34000", service="trade-fairs", country="ma").content.decode()
    assert 'value="34000"' in html
    assert '<option value="trade-fairs" selected>' in html
    assert '<option value="MA" selected>' in html
    assert "marché visé" in html


def test_ambiguous_postal_code_asks_which_commune(client, registry):
    response = get(client, where="13100", service="trade-fairs")
    assert response.status_code == 200
    assert response.context["state"] == "choose"
    html = response.content.decode()
    assert "Dans quelle commune est votre entreprise ?" in html
    codes = [c["place"].code for c in response.context["candidates"]]
    assert codes == ["13001", "13012", "13109", "13090", "13095"]
    link = response.context["candidates"][0]["url"]
    assert "commune=13001" in link and "where=13100" in link
    chosen = client.get(URL + link)
    assert chosen.status_code == 200
    assert chosen.context["response"].location.commune.code == "13001"


def test_ambiguous_commune_name_asks_which_commune(client, registry):
    response = get(client, where="Saint-Mart", service="trade-fairs")
    assert response.status_code == 200
    assert response.context["state"] == "choose"
    assert len(response.context["candidates"]) > 1


def test_no_competent_relay_gives_the_next_step_and_what_to_try(client, registry):
    response = get(client, where="Montpellier", service="translation")
    assert response.status_code == 200
    assert response.context["state"] == "results"
    assert response.context["results"] == []
    [(_number, step)] = response.context["fallbacks"]
    assert step.fallback == "generalist"  # no dead end: the first port of call
    assert step.structure.pk == registry.cci.pk
    html = response.content.decode()
    assert "Aucun relais n&#x27;offre ce service pour votre commune." in html
    assert "Premier contact" in html


def test_no_relay_at_all_explains_what_to_try(client, db):
    response = get(client, where="Montpellier", service="translation", country="MA")
    assert response.status_code == 200
    assert response.context["state"] == "empty"
    html = response.content.decode()
    assert "Aucun relais trouvé." in html
    assert "Essayez sans pays visé." in html  # says what the search narrowed, and only that
    assert "sans secteur" not in html
    assert "/structures/?in=departement%3A34" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"where": "Montpellier"}, "Choisissez votre besoin dans la liste."),
        ({"where": "Montpellier", "service": "nope"}, "Ce besoin ne figure pas dans la liste"),
        ({"service": "trade-fairs"}, "Indiquez la commune, le code postal ou le SIRET."),
        ({"where": "zzzqqq", "service": "trade-fairs"}, "Aucune commune ne correspond"),
        ({"where": "123", "service": "trade-fairs"}, "ni un code postal"),
        ({"where": "123456789", "service": "trade-fairs"}, "ressemble à un SIREN"),
        (
            {"where": "12345678901234", "service": "trade-fairs"},
            "Le SIRET « 12345678901234 » est invalide",
        ),
        ({"where": "99999", "service": "trade-fairs"}, "Aucune commune n&#x27;a le code postal"),
        (
            {"where": "099 900 094 00014", "service": "trade-fairs"},
            "ni dans le registre ni dans SIRENE",
        ),
        ({"where": "x", "commune": "ABCDE", "service": "trade-fairs"}, "mal formé"),
        ({"where": "x", "commune": "99999", "service": "trade-fairs"}, "Aucune commune n&#x27;a"),
        (
            {"where": "Montpellier", "service": "trade-fairs", "country": "XX"},
            "Pays inconnu",
        ),
        ({"where": "Montpellier", "service": "trade-fairs", "sector": "zz"}, "Secteur inconnu"),
        ({"where": "a" * 200, "service": "trade-fairs"}, "au plus 120 caractères"),
    ],
)
def test_bad_input_is_a_400_with_a_french_message(client, registry, sirene, params, message):
    response = get(client, **params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html


def test_siret_with_a_bad_check_digit_is_a_form_error(client, registry):
    # The project's one SIRET rule (smes.validators): a wrong Luhn key is refused with its reason.
    response = get(client, where="73282932000075", service="trade-fairs")
    assert response.status_code == 400
    assert "SIRET" in response.content.decode()
    valid_but_unregistered = get(client, where="73282932000074", service="trade-fairs")
    assert valid_but_unregistered.status_code in (200, 400)
    assert "est invalide" not in valid_but_unregistered.content.decode()


def test_english_page_uses_english_labels_and_why(client, registry):
    response = client.get(
        URL, {"where": "Montpellier", "service": "trade-fairs"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Where is your business?" in html
    assert "Contact:</strong>" in html
    assert "covers Hérault for “Trade fairs" in html
    assert response.context["results"][0][1].why_en in html


def _add_relays(count: int, *, prefix: str) -> None:
    herault = territory("departement", "34")
    for n in range(count):
        structure = StructureFactory(name=f"{prefix} {n}", coverage=[herault])
        OfferFactory(structure=structure, service=service("trade-fairs"), with_contact=n % 2 == 0)


def test_results_page_makes_no_n_plus_one_queries(client, registry):
    """The number of queries does not grow with the number of relays shown (k = 5 here)."""

    def count_queries(**params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = get(client, where="Montpellier", service="trade-fairs", **params)
            assert response.status_code == 200
        return len(ctx.captured_queries)

    _add_relays(1, prefix="Premier relais")
    count_queries()  # warm caches (content types, sessions)
    few = count_queries()
    _add_relays(8, prefix="Relais supplémentaire")
    many = count_queries()
    assert many <= few <= MAX_RESULT_QUERIES, (few, many)


def test_the_firms_details_narrow_the_offers_and_are_said(client, registry):
    from tests.structures.factories import OfferFactory, service

    big_only = OfferFactory(
        structure=registry.cci, service=service("partner-search"), min_employees=10
    )
    plain = get(client, where="Montpellier", service="partner-search")
    [(_n, shown)] = plain.context["results"]
    assert shown.offer.pk == big_only.pk and "à partir de 10 salariés" in shown.notes
    small = get(
        client,
        where="Montpellier",
        service="partner-search",
        size="02",  # 3 to 5 employees
        created_year="2019",
        export_stage="regular",
    )
    assert small.status_code == 200
    assert small.context["results"] == []
    (_n, near), (_m, step) = small.context["fallbacks"]
    assert near.offer.pk == big_only.pk and near.fallback == "near_miss"
    assert step.fallback == "generalist"  # nothing competent: the first port of call too
    html = small.content.decode()
    assert "3 à 5 salariés · créée en 2019 · exportatrice régulière" in html
    assert '<details class="search-more" open>' in html  # kept open, the values shown again


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"created_year": "2999"}, "ne peut pas être dans le futur"),
        ({"created_year": "deux mille"}, "en chiffres"),
        ({"created_year": "1700"}, "à partir de 1800"),
        ({"size": "99"}, "Tranche d&#x27;effectif inconnue"),
        ({"export_stage": "expert"}, "Choisissez une expérience dans la liste."),
    ],
)
def test_bad_firm_details_are_form_errors(client, registry, params, message):
    response = get(client, where="Montpellier", service="trade-fairs", **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_relays_at_one_spot_share_one_marker_listing_them_all(client, registry):
    from tests.structures.factories import OfferFactory, StructureFactory, service, territory

    twin = StructureFactory(
        name="Antenne au même endroit",
        coverage=[territory("departement", "34")],
        latitude=registry.cci.latitude,
        longitude=registry.cci.longitude,
    )
    OfferFactory(structure=twin, service=service("trade-fairs"))
    response = get(client, where="Montpellier", commune="34172", service="trade-fairs")
    markers = response.context["map_data"]["markers"]
    numbers = [item["n"] for m in markers for item in m["items"]]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))  # every relay is on the map
    shared = [m for m in markers if len(m["items"]) > 1]
    assert shared and shared[0]["label"].endswith("+")
    assert {i["name"] for i in shared[0]["items"]} >= {"Antenne au même endroit"}


def test_a_misspelt_commune_gets_suggestions_never_a_guess(client, registry):
    response = get(client, where="Monpelier", service="trade-fairs")
    assert response.status_code == 200
    assert response.context["state"] == "suggest"
    suggestions = [c["place"] for c in response.context["candidates"]]
    assert suggestions[0].code == "34172"
    html = response.content.decode()
    assert "Vouliez-vous dire :" in html
    assert "Aucune commune ne s'écrit « Monpelier »." in html
    assert "suggestions d'orthographe proche" in html
    assert "Dans quelle commune est votre entreprise ?" in html
    link = response.context["candidates"][0]["url"]
    assert "commune=34172" in link and "where=Montpellier" in link and "service=trade-fairs" in link
    chosen = client.get(URL + link)
    assert chosen.status_code == 200
    assert chosen.context["state"] == "results"
    assert chosen.context["response"].location.commune.code == "34172"


@pytest.mark.parametrize(
    ("where", "code"),
    [
        ("St Mathieu de Treviers", "34276"),
        ("ste genevieve des bois", "91549"),
        ("Stes-Maries-de-la-Mer", "13096"),
        ("Larbresle", "69010"),
    ],
)
def test_abbreviations_and_punctuation_find_the_commune_directly(client, registry, where, code):
    response = get(client, where=where, service="trade-fairs")
    assert response.status_code == 200
    assert response.context["state"] in ("results", "empty")
    assert response.context["response"].location.commune.code == code


def test_two_letters_wrong_is_still_suggested(client, registry):
    response = get(client, where="Vilerbanne", service="trade-fairs")
    assert response.context["state"] == "suggest"
    assert response.context["candidates"][0]["place"].code == "69266"


def test_ste_foy_asks_which_sainte_foy(client, registry):
    response = get(client, where="Ste Foy", service="trade-fairs")
    assert response.context["state"] == "choose"
    codes = [c["place"].code for c in response.context["candidates"]]
    assert codes == ["69202", "69201"]  # Sainte-Foy-lès-Lyon, the larger, first
    assert 'id="suggestions-title"' not in response.content.decode()


def test_choosing_among_communes_of_one_name_runs_the_search(client, registry):
    """The link of a "which commune?" list gives the commune's name with its code."""
    response = get(client, where="Saint-Mart", service="trade-fairs")
    candidate = response.context["candidates"][0]
    chosen = client.get(URL + candidate["url"])
    assert chosen.status_code == 200
    assert chosen.context["response"].location.commune.code == candidate["place"].code


def test_a_chosen_commune_survives_its_abbreviated_name(client, registry):
    response = get(client, where="St Mathieu de Treviers", commune="34276", service="trade-fairs")
    assert response.context["response"].location.commune.code == "34276"


def test_english_suggestions(client, registry):
    response = client.get(
        URL, {"where": "Monpelier", "service": "trade-fairs"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert "Did you mean:" in html
    assert "No town is spelt “Monpelier”." in html

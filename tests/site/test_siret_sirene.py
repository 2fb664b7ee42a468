"""A SIRET that is not in the registry: its commune and NAF code come from SIRENE (the API
Recherche d'entreprises, served here by a local stand-in), the same way on the search page and
in the API — the public answer a registered firm gives to a caller who may not read it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.smes.factories import SMEFactory
from tests.smes.test_sirene import (
    ABROAD,
    CLOSED_SHOP,
    HEAD_OFFICE,
    MONTPELLIER_WORKSHOP,
    NON_DIFFUSIBLE,
    NOT_RECORDED,
)
from tests.structures.factories import (
    OfferFactory,
    StructureFactory,
    UserFactory,
    sector,
    service,
    territory,
)

pytestmark = pytest.mark.django_db

PAGE, API = "/recherche/", "/api/v1/relays/"
OLD_COMMUNE_CODE = "09990005200020"  # filed under Courcouronnes' old code 91182
NOT_NAF_REV2 = "09990005200012"  # activity "52.4Z"


@pytest.fixture
def relays(registry):
    # Reserved to the digital sector: a bakery's NAF code (10.71C) leaves it out.
    digital = StructureFactory(name="Pôle numérique", coverage=[territory("departement", "34")])
    OfferFactory(structure=digital, service=service("trade-fairs"), sectors=[sector("62")])
    return registry


def _page(client, **params):
    return client.get(PAGE, {"service": "trade-fairs", **params}, HTTP_ACCEPT_LANGUAGE="fr")


def _api(**params):
    return APIClient().get(API, {"service": "trade-fairs", **params})


def _answer(body: dict) -> dict:
    return {
        "location": body["location"],
        "results": [(r["offer"]["id"], r["fallback"], r["why_fr"]) for r in body["results"]],
        "fallbacks": [(r["offer"]["id"], r["fallback"], r["why_fr"]) for r in body["fallbacks"]],
    }


def _page_answer(response) -> dict:
    assert response.status_code == 200, response.content
    relay = response.context["response"]
    commune = relay.location.commune
    return {
        "location": {
            "commune": {"level": commune.level, "code": commune.code, "name": commune.name},
            "latitude": relay.location.latitude,
            "longitude": relay.location.longitude,
            "precision": relay.location.precision,
            "note": str(relay.location.note),
        },
        "results": [(r.offer.pk, r.fallback, r.why_fr) for r in relay.results],
        "fallbacks": [(r.offer.pk, r.fallback, r.why_fr) for r in relay.fallbacks],
    }


def test_found_page_and_api_give_the_search_from_its_commune_with_its_naf_code(
    client, relays, sirene
):
    page = _page_answer(_page(client, where=MONTPELLIER_WORKSHOP))
    api = _api(siret=MONTPELLIER_WORKSHOP)
    assert api.status_code == 200, api.content
    assert page == _answer(api.json())
    # Exactly the search from that commune with that NAF code as sector; only the note differs.
    by_commune = _api(commune="34172", sector="10.71C")
    assert by_commune.status_code == 200
    expected = _answer(by_commune.json())
    expected["location"]["note"] = page["location"]["note"]
    assert page == expected
    assert api.json()["sectors"] == by_commune.json()["sectors"]
    montpellier = territory("commune", "34172")
    assert (page["location"]["latitude"], page["location"]["longitude"]) == (
        montpellier.latitude,
        montpellier.longitude,
    )
    assert page["location"]["precision"] == "commune"
    assert page["location"]["note"] == (
        "Établissement hors registre : recherche depuis sa commune et avec son code NAF "
        "10.71C, lus dans SIRENE (API Recherche d'entreprises)."
    )
    sentences = " ".join(why for _pk, _kind, why in page["results"])
    assert "Pôle numérique" not in sentences  # the NAF code narrowed the sector
    assert page["results"]  # CCI Hérault and the club cover Montpellier
    # One request to SIRENE for the page, the API and… the cache answered the second.
    assert [r["q"] for r in sirene.requests] == [MONTPELLIER_WORKSHOP]


def test_the_page_says_where_the_data_come_from(client, relays, sirene):
    html = _page(client, where="099 900 011 00026").content.decode()
    assert "lus dans SIRENE (API Recherche d&#x27;entreprises)" in html


def test_a_registered_firm_never_triggers_a_call(client, relays, sirene):
    sme = SMEFactory(naf_code="10.71C")
    reader = UserFactory(superuser=True)
    assert _page(client, where=sme.siret).status_code == 200
    assert _api(siret=sme.siret).status_code == 200
    client.force_login(reader)
    assert _page(client, where=sme.siret).status_code == 200
    assert sirene.requests == []


def test_an_invalid_siret_never_triggers_a_call(client, relays, sirene):
    api = _api(siret="09990001100027")
    assert api.status_code == 400
    assert api.json()["code"] == "invalid_siret"
    assert "clé de contrôle" in api.json()["errors"]["siret"][0]
    assert _page(client, where="09990001100027").status_code == 400
    assert sirene.requests == []


def _error(client, siret: str, *, api_status: int = 400) -> tuple[dict, str]:
    """The API's error body and the page's HTML for ``siret``; the page shows the message under
    the "Où est votre entreprise ?" field."""
    api = _api(siret=siret)
    assert api.status_code == api_status, api.content
    body = api.json()
    assert body["errors"] == {"siret": [body["detail"]]}
    page = _page(client, where=siret)
    assert page.status_code == 400
    form = page.context["form"]
    assert form.errors["where"] == [body["detail"]]
    return body, page.content.decode()


def test_a_siret_unknown_to_the_registry_and_to_sirene(client, relays, sirene):
    body, html = _error(client, NOT_RECORDED)
    assert body["code"] == "unknown_siret"
    assert body["detail"] == (
        f"Le SIRET {NOT_RECORDED} n'est ni dans le registre ni dans SIRENE (qui ne diffuse pas "
        "certains établissements) : vérifiez-le, ou indiquez la commune de l'entreprise."
    )
    assert 'aria-invalid="true"' in html


def test_a_closed_establishment_is_refused_with_its_closing_date(client, relays, sirene):
    body, _html = _error(client, CLOSED_SHOP)
    assert body["code"] == "closed_establishment"
    assert body["detail"] == (
        f"L'établissement {CLOSED_SHOP} est fermé depuis le 30 juin 2021 selon SIRENE : "
        "indiquez le SIRET de l'établissement en activité, ou la commune de l'entreprise."
    )


def test_an_establishment_abroad_is_outside_france(client, relays, sirene):
    body, _html = _error(client, ABROAD)
    assert body["code"] == "outside_france"
    assert "à l'étranger (ESPAGNE)" in body["detail"]


def test_a_non_diffusible_establishment_is_searched_from_its_public_commune(client, relays, sirene):
    body = _api(siret=NON_DIFFUSIBLE).json()
    assert body["location"]["commune"]["code"] == "30189"
    assert body["sectors"]  # 43.21A


def test_a_head_office_siret(client, relays, sirene):
    body = _api(siret=HEAD_OFFICE).json()
    assert body["location"]["commune"]["code"] == "13001"


def test_an_activity_code_that_is_no_naf_code_searches_every_sector(client, relays, sirene):
    body = _api(siret=NOT_NAF_REV2).json()
    assert body["location"]["commune"]["code"] == "2A004"
    assert body["sectors"] == []
    assert "pour tous les secteurs (pas de code NAF rév. 2 publié)" in body["location"]["note"]


def test_an_old_commune_code_is_resolved_and_said(client, relays, sirene):
    body = _api(siret=OLD_COMMUNE_CODE).json()
    assert body["location"]["commune"]["code"] == "91228"  # Évry-Courcouronnes
    note = body["location"]["note"]
    assert note.startswith("Établissement hors registre") and "91182" in note


@pytest.mark.parametrize(
    "failure",
    [
        {"delay": 1.0},  # beyond the timeout
        {"status": 502},
        {"status": 503},
        {"body": b'{"results": [{"siren": "0999'},  # cut short
    ],
    ids=["timeout", "502", "503", "malformed"],
)
def test_an_unreachable_service_asks_for_the_commune(client, relays, sirene, settings, failure):
    settings.SIRENE_API_TIMEOUT = 0.3
    sirene.fail(MONTPELLIER_WORKSHOP, **failure)
    body, html = _error(client, MONTPELLIER_WORKSHOP, api_status=503)
    assert body["code"] == "sirene_unavailable"
    assert body["detail"] == (
        "Le répertoire SIRENE ne répond pas pour le moment : impossible de situer "
        f"l'établissement {MONTPELLIER_WORKSHOP}. Indiquez plutôt la commune de l'entreprise "
        "(ou son code postal)."
    )
    assert 'role="alert"' in html
    # Never cached: once the service is back, the same SIRET is found.
    sirene.reset()
    assert _api(siret=MONTPELLIER_WORKSHOP).status_code == 200


def test_the_503_tells_when_to_retry(relays, sirene):
    sirene.fail(MONTPELLIER_WORKSHOP, status=500)
    response = _api(siret=MONTPELLIER_WORKSHOP)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Content-Type"] == "application/json"


def test_without_a_sirene_url_an_unregistered_siret_is_unknown(client, relays, sirene, settings):
    settings.SIRENE_API_URL = ""
    body, _html = _error(client, MONTPELLIER_WORKSHOP)
    assert body["code"] == "unknown_sme"
    assert sirene.requests == []


def test_english_pages_say_it_in_english(client, relays, sirene):
    response = client.get(
        PAGE, {"service": "trade-fairs", "where": CLOSED_SHOP}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "has been closed since" in response.content.decode()


def test_the_sources_page_names_the_api_and_its_licence(client, db):
    html = client.get("/sources/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "API Recherche d&#x27;entreprises (base SIRENE)" in html
    assert "https://recherche-entreprises.api.gouv.fr" in html
    assert "INSEE (base SIRENE), DINUM" in html

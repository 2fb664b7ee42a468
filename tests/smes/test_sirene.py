"""The client of the API Recherche d'entreprises (smes/sirene.py), against a local server that
serves answers recorded in the API's documented format (tests/smes/sirene_server.py)."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import caches

from smes.sirene import SireneClient, SireneEstablishment, SireneUnavailable, parse_search_answer
from tests.smes.sirene_server import recorded_answer

# Fictitious establishments recorded in tests/smes/recherche_entreprises/.
MONTPELLIER_WORKSHOP = "09990001100026"  # secondary establishment; head office in Lyon 3e
CLOSED_SHOP = "09990001100034"
HEAD_OFFICE = "09990002900010"
NON_DIFFUSIBLE = "09990003700013"
ABROAD = "09990004500024"
NOT_RECORDED = "09990009400014"


def client_for(sirene, **kwargs) -> SireneClient:
    return SireneClient(base_url=sirene.url, timeout=kwargs.pop("timeout", 2.0), **kwargs)


def test_a_secondary_establishment_is_read_from_matching_etablissements_not_the_head_office(
    sirene,
):
    found = client_for(sirene).establishment(MONTPELLIER_WORKSHOP)
    assert found == SireneEstablishment(
        siret=MONTPELLIER_WORKSHOP,
        commune="34172",  # not the head office's Lyon 3e
        naf_code="10.71C",  # not the head office's 70.10Z
        is_open=True,
        is_head_office=False,
    )


def test_the_request_is_a_search_by_siret_asking_only_for_the_establishments(sirene):
    client_for(sirene).establishment(MONTPELLIER_WORKSHOP)
    assert sirene.requests == [
        {
            "path": "/search",
            "q": MONTPELLIER_WORKSHOP,
            "page": "1",
            "per_page": "1",
            "minimal": "true",
            "include": "siege,matching_etablissements",
        }
    ]


def test_a_head_office(sirene):
    found = client_for(sirene).establishment(HEAD_OFFICE)
    assert (found.commune, found.naf_code, found.is_head_office) == ("13001", "25.62B", True)


def test_the_head_office_is_found_in_siege_when_matching_etablissements_is_empty():
    answer = recorded_answer(HEAD_OFFICE)
    answer["results"][0]["matching_etablissements"] = []
    found = parse_search_answer(HEAD_OFFICE, json.dumps(answer).encode())
    assert (found.commune, found.is_head_office) == ("13001", True)


def test_another_establishment_of_the_same_firm_is_not_taken_for_the_asked_one():
    answer = recorded_answer(MONTPELLIER_WORKSHOP)
    answer["results"][0]["matching_etablissements"] = []
    # Only the head office (Lyon) is left in the answer: it is not the asked establishment.
    assert parse_search_answer(MONTPELLIER_WORKSHOP, json.dumps(answer).encode()) is None


def test_a_closed_establishment(sirene):
    found = client_for(sirene).establishment(CLOSED_SHOP)
    assert (found.is_open, found.closed_on, found.commune) == (False, "2021-06-30", "30189")


def test_a_non_diffusible_establishment_keeps_its_commune_and_naf_code(sirene):
    found = client_for(sirene).establishment(NON_DIFFUSIBLE)
    assert (found.commune, found.naf_code, found.is_diffusible) == ("30189", "43.21A", False)


def test_an_establishment_abroad_has_no_commune_and_names_its_country(sirene):
    found = client_for(sirene).establishment(ABROAD)
    assert (found.commune, found.country) == ("", "ESPAGNE")


def test_a_masked_commune_is_no_commune():
    answer = recorded_answer(NON_DIFFUSIBLE)
    answer["results"][0]["matching_etablissements"][0]["commune"] = "[NON-DIFFUSIBLE]"
    found = parse_search_answer(NON_DIFFUSIBLE, json.dumps(answer).encode())
    assert found.commune == ""


def test_an_unknown_siret_is_none(sirene):
    assert client_for(sirene).establishment(NOT_RECORDED) is None


def test_answers_are_cached_a_day_found_and_not_found_alike(sirene, settings):
    client = client_for(sirene)
    first = client.establishment(MONTPELLIER_WORKSHOP)
    assert client.establishment(MONTPELLIER_WORKSHOP) == first
    assert client.establishment(NOT_RECORDED) is None
    assert client.establishment(NOT_RECORDED) is None
    assert [r["q"] for r in sirene.requests] == [MONTPELLIER_WORKSHOP, NOT_RECORDED]
    assert settings.CACHES["sirene"]["TIMEOUT"] == settings.SIRENE_CACHE_SECONDS == 86400
    cached = caches["sirene"].get(client._cache_key(NOT_RECORDED))
    assert cached == {"found": False}


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ({"status": 503}, "HTTP 503"),
        ({"status": 500}, "HTTP 500"),
        ({"status": 429, "body": b'{"erreur": "Trop de requetes"}'}, "HTTP 429"),
        ({"body": b'{"results": [{"siren": '}, "malformed JSON"),
        ({"body": b"<html>maintenance</html>"}, "malformed JSON"),
        ({"body": b'{"erreur": "Veuillez indiquer un parametre"}'}, "no results list"),
        ({"body": b'["not", "an", "object"]'}, "no results list"),
        ({"body": b'{"results": ["not an object"]}'}, "a result is not an object"),
        ({"body": b"\xff\xfe garbage"}, "malformed JSON"),
    ],
)
def test_a_failing_service_raises_unavailable_and_is_not_cached(sirene, failure, reason):
    sirene.fail(MONTPELLIER_WORKSHOP, **failure)
    client = client_for(sirene)
    with pytest.raises(SireneUnavailable, match=reason):
        client.establishment(MONTPELLIER_WORKSHOP)
    sirene.reset()  # the service is back: the next call asks it again
    assert client.establishment(MONTPELLIER_WORKSHOP).commune == "34172"
    assert len(sirene.requests) == 1


def test_a_silent_service_is_given_up_after_the_timeout(sirene):
    sirene.fail(MONTPELLIER_WORKSHOP, delay=1.5)
    client = client_for(sirene, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(SireneUnavailable, match=r"timed out|TimeoutError"):
        client.establishment(MONTPELLIER_WORKSHOP)
    assert time.monotonic() - started < 1.2
    assert caches["sirene"].get(client._cache_key(MONTPELLIER_WORKSHOP)) is None


def test_a_refused_connection_is_unavailable_and_the_test_default_refuses_at_once():
    # tests/conftest.py points SIRENE_API_URL to a local port that refuses connections.
    client = SireneClient.from_settings()
    started = time.monotonic()
    with pytest.raises(SireneUnavailable, match="refused"):
        client.establishment(MONTPELLIER_WORKSHOP)
    assert time.monotonic() - started < 1
    assert client.base_url.startswith("http://127.0.0.1:")


def test_an_empty_url_switches_the_lookup_off(settings):
    settings.SIRENE_API_URL = ""
    assert not SireneClient.from_settings().enabled

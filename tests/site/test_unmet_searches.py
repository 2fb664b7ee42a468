"""Unmet searches on the site: counted by the search page, shown on the territory pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from structures.models import UnmetSearch
from structures.unmet_searches import months_before, quarter_start
from tests.structures.factories import OfferFactory, StructureFactory, service, territory

pytestmark = pytest.mark.django_db

SEARCH = "/recherche/"


@pytest.fixture
def herault_relay():
    structure = StructureFactory(coverage=[territory("departement", "34")])
    return OfferFactory(structure=structure, service=service("trade-fairs"))


def rows():
    return {
        (r.commune.code, r.service.code, r.country.code if r.country else None): r.count
        for r in UnmetSearch.objects.select_related("commune", "service", "country")
    }


def search(client, headers=None, **params):
    return client.get(
        SEARCH,
        {"where": "Montpellier", "commune": "34172", **params},
        headers={"accept-language": "fr", **(headers or {})},
    )


def test_the_search_page_counts_unmet_lookups_only(client, herault_relay):
    met = search(client, service="trade-fairs")
    assert met.status_code == 200 and met.context["results"]
    assert rows() == {}
    for _ in range(2):
        unmet = search(client, service="export-finance")
        assert unmet.status_code == 200 and not unmet.context["results"]
    search(client, service="export-finance", country="MA")
    assert rows() == {
        ("34172", "export-finance", None): 2,
        ("34172", "export-finance", "MA"): 1,
    }


def test_a_form_error_a_question_or_a_prefetch_counts_nothing(client):
    assert search(client, service="nope").status_code == 400
    assert search(client, where="", commune="", service="export-finance").status_code == 400
    # An ambiguous postal code: the page asks which commune, nothing was looked up.
    asked = client.get(SEARCH, {"where": "13100", "service": "export-finance"})
    assert asked.context["state"] == "choose"
    prefetch = {"sec-purpose": "prefetch;prerender"}
    assert search(client, prefetch, service="export-finance").status_code == 200
    assert search(client, {"purpose": "prefetch"}, service="export-finance").status_code == 200
    head = client.head(SEARCH, {"where": "Montpellier", "service": "export-finance"})
    assert head.status_code == 405
    assert rows() == {}


def test_the_territory_page_shows_the_quarters_unmet_searches(client):
    today = timezone.localdate()
    quarter = quarter_start(today)
    basse_terre = territory("commune", "97105")

    def add(n, service_code="export-finance", country=None, month=quarter):
        UnmetSearch.objects.create(
            commune=basse_terre,
            service=service(service_code),
            country=territory("country", country) if country else None,
            month=month,
            count=n,
        )

    add(28)
    add(4, country="MA")
    add(1, service_code="trade-fairs")
    add(500, month=months_before(quarter, 1))  # last quarter: not shown
    html = client.get("/territoires/departement/971/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Recherches restées sans relais" in html
    finance = service("export-finance").name
    assert (
        f"32 recherches « {finance} » depuis la Guadeloupe ce trimestre n'ont trouvé "
        "aucun relais." in html
    )
    fairs = service("trade-fairs").name
    assert f"1 recherche « {fairs} » depuis la Guadeloupe ce trimestre n'a trouvé" in html
    assert "<td>Maroc</td>" in html
    assert '<td class="number">28</td>' in html
    assert "500" not in html
    assert "/api/v1/unmet-searches/?in=departement%3A971" in html
    # The commune's own page, and the région's.
    commune_html = client.get("/territoires/commune/97105/").content.decode()
    assert "32 recherches" in commune_html and "depuis Basse-Terre" in commune_html
    assert "32 recherches" in client.get("/territoires/region/01/").content.decode()
    english = client.get("/territoires/departement/971/", HTTP_ACCEPT_LANGUAGE="en")
    assert "searches for “" in english.content.decode()
    assert "from Guadeloupe this quarter found no relay." in english.content.decode()


def test_the_territory_page_has_an_empty_state(client):
    UnmetSearch.objects.create(
        commune=territory("commune", "97105"),
        service=service("export-finance"),
        month=date(2001, 1, 1),
        count=3,
    )
    html = client.get("/territoires/departement/34/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Recherches restées sans relais" in html
    assert (
        "Aucune recherche faite depuis ce territoire ce trimestre n'est restée sans relais "
        "compétent." in html
    )
    assert "<table" not in html

"""The public coverage pages (issue 12): a région, département or EPCI, and France — figures as
``insights.coverage.territory_coverage`` computes them, unmet searches beside the gaps, the
table of places (sorting, filter, pagination), exports, form errors and empty states."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from core.text import normalize_name
from insights.coverage import COVERED, FAR, UNCOVERED, territory_coverage
from structures.models import UnmetSearch
from structures.unmet_searches import months_before, quarter_start
from territories.models import Territory
from tests.smes.factories import SMEFactory
from tests.structures.factories import OfferFactory, StructureFactory, service, territory
from web.views import coverage as coverage_view

pytestmark = pytest.mark.django_db

GARD = "/territoires/departement/30/couverture/"
HERAULT = "/territoires/departement/34/couverture/"
OCCITANIE = "/territoires/region/76/couverture/"
FRANCE = "/couverture/"


def fr(client, url, data=None):
    return client.get(url, data or {}, HTTP_ACCEPT_LANGUAGE="fr")


class _Tables(HTMLParser):
    """Every table of a page: its class and its rows, each row the text of its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._stack: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append({"class": attrs.get("class") or "", "rows": []})
        elif tag == "tr" and self._stack:
            self._stack[-1]["rows"].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell = []
            self._stack[-1]["rows"][-1].append({"attrs": attrs, "text": ""})
        elif tag == "a" and self._cell is not None:
            self._stack[-1]["rows"][-1][-1].setdefault("href", attrs.get("href"))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._stack:
            text = " ".join("".join(self._cell).split())
            self._stack[-1]["rows"][-1][-1]["text"] = text
            self._cell = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(response) -> list[dict]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def table(response, css_class: str) -> list[list[dict]]:
    found = [t for t in tables(response) if css_class in t["class"].split()]
    assert len(found) == 1, f"{len(found)} tables .{css_class}"
    return found[0]["rows"]


def texts(rows) -> list[list[str]]:
    return [[cell["text"] for cell in row] for row in rows]


def number(value: int) -> str:
    """As ``intcomma`` writes it in French, spaces normalised (``texts``, ``html``)."""
    return f"{value:,}".replace(",", " ")


def html(response) -> str:
    """The page's text, entities decoded and no-break spaces as spaces."""
    return unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture
def gard_registry(registry):
    """The shared registry (CCI du Gard covers the Gard for trade fairs), plus a Nîmes relay
    for export finance limited to 20 km, some SMEs and unmet searches of this quarter."""
    nimes = territory("commune", "30189")
    finance = StructureFactory(name="Relais finance Nîmes", commune=nimes, coverage=[nimes])
    OfferFactory(structure=finance, service=service("export-finance"))
    alès = territory("commune", "30007")
    for n in range(3):
        SMEFactory(commune=nimes, is_demo=False, name=f"PME nîmoise {n}")
    SMEFactory(commune=alès, is_demo=False, name="PME alésienne")
    month = quarter_start(timezone.localdate())
    UnmetSearch.objects.create(
        commune=alès, service=service("export-finance"), month=month, count=7
    )
    UnmetSearch.objects.create(commune=alès, service=service("trade-fairs"), month=month, count=2)
    # An older quarter is not this quarter's count.
    UnmetSearch.objects.create(
        commune=alès, service=service("export-finance"), month=months_before(month, 3), count=50
    )
    return registry


# --- Figures ------------------------------------------------------------------------------------


def test_one_service_report_shows_the_figures_of_territory_coverage(client, gard_registry):
    gard = territory("departement", "30")
    finance = service("export-finance")
    report = territory_coverage(territory=gard, service=finance, horizon_km=20)
    assert report.totals.places[COVERED] and report.totals.places[UNCOVERED]  # a real mix
    response = fr(client, GARD, {"service": "export-finance", "horizon_km": "20"})
    assert response.status_code == 200
    rows = texts(table(response, "coverage-summary"))
    body = {row[0]: row[1:] for row in rows[1:]}
    totals = report.totals
    for state, label in ((COVERED, "Couverte"), (FAR, "Éloignée"), (UNCOVERED, "Non couverte")):
        places, population, smes = body[label]
        assert places.startswith(number(totals.places[state]))
        assert population.startswith(number(totals.population[state]))
        assert smes.startswith(number(totals.smes[state]))
    assert body["Total"] == [
        number(totals.place_count),
        number(totals.population_total),
        number(totals.sme_total),
    ]
    assert totals.sme_total == 4
    share = 100 * totals.places[UNCOVERED] / totals.place_count
    assert f"({share:.1f} %)".replace(".", ",") in body["Non couverte"][0]
    page = html(response)
    # This quarter's unmet searches of the service, beside the gaps (not last quarter's).
    assert (
        f"7 recherches « {finance.name} » depuis le Gard sont restées sans relais ce trimestre."
        in page
    )
    # One service: each place's distance and nearest relay, linked.
    # Gaps first by default: no other place is within 20 km of a relay covering only Nîmes.
    first_page = table(response, "places-table")
    assert all(row[4]["text"] == "non couverte" for row in first_page[1:])
    assert all(row[5]["text"] == "—" and row[6]["text"] == "aucun" for row in first_page[1:])
    places = table(
        fr(client, GARD, {"service": "export-finance", "horizon_km": "20", "state": "covered"}),
        "places-table",
    )
    header = [cell["text"] for cell in places[0]]
    assert header[-1] == "Relais le plus proche"
    assert len(places) == 2
    nimes_row = places[1]
    assert nimes_row[1]["text"] == "30189"
    assert nimes_row[0]["href"] == "/territoires/commune/30189/"
    assert nimes_row[4]["text"] == "couverte"
    relay = report.relays[
        report.places[[p.code for p in report.places].index("30189")].structure_id
    ]
    assert nimes_row[6]["href"] == f"/structures/{relay.slug}/"
    assert nimes_row[5]["text"] == "0 m"


def test_all_services_report_has_a_table_per_service_linking_to_each(client, gard_registry):
    gard = territory("departement", "30")
    report = territory_coverage(territory=gard)
    response = fr(client, GARD, {"country": "", "horizon_km": "100"})
    assert response.status_code == 200
    assert response.context["report"].all_services
    rows = texts(table(response, "coverage-summary"))
    assert rows[-1][1:] == [
        number(report.totals.place_count),
        number(report.totals.population_total),
        number(report.totals.sme_total),
    ]
    per_service = next(t for t in tables(response) if t["class"] == "")["rows"]
    assert len(per_service) - 1 == len(report.by_service)
    by_name = {row[0]["text"]: row for row in per_service[1:]}
    for entry in report.by_service:
        row = by_name[entry.service.name]
        assert [cell["text"] for cell in row[1:6]] == [
            number(entry.totals.places[COVERED]),
            number(entry.totals.places[FAR]),
            number(entry.totals.places[UNCOVERED]),
            number(entry.totals.population[FAR]),
            number(entry.totals.population[UNCOVERED]),
        ]
        assert f"service={entry.service.code}" in row[0]["href"]
    assert by_name[service("export-finance").name][6]["text"] == "7"
    assert by_name[service("trade-fairs").name][6]["text"] == "2"
    # All services: "n sur N" services covered instead of a relay.
    places = table(response, "places-table")
    assert places[0][-1]["text"].startswith("Services couverts")
    place = report.places[0]
    cells = next(r for r in places[1:] if r[1]["text"] == place.code)
    assert cells[-1]["text"] == f"{place.count(COVERED)} sur {len(report.services)}"
    assert (
        "9 recherches depuis le Gard sont restées sans relais ce trimestre (tous services)."
        in html(response)
    )


def test_region_report_has_subtotals_by_departement_and_epci(client, gard_registry):
    occitanie = territory("region", "76")
    report = territory_coverage(territory=occitanie, service=service("trade-fairs"))
    response = fr(client, OCCITANIE, {"service": "trade-fairs"})
    assert response.status_code == 200
    groups = {g["level"]: g for g in response.context["subtotal_groups"]}
    assert set(groups) == {"departement", "epci"}
    departements = [
        t
        for t in tables(response)
        if t["rows"] and t["rows"][1][0].get("href", "").startswith("/territoires/departement/")
    ]
    assert len(departements) == 1
    shown = {row[1]["text"]: [c["text"] for c in row] for row in departements[0]["rows"][1:]}
    for totals in report.subtotals:
        if totals.level != "departement":
            continue
        assert shown[totals.code][2] == number(totals.population_total)
        assert shown[totals.code][3] == number(totals.population[UNCOVERED])
    # Default order: most inhabitants uncovered first; the sorted column says so.
    uncovered = [t.population[UNCOVERED] for t in report.subtotals if t.level == "departement"]
    assert [int(re.sub(r"\D", "", row[3])) for row in shown.values()] == sorted(
        uncovered, reverse=True
    )
    header = departements[0]["rows"][0]
    assert header[3]["attrs"]["aria-sort"] == "descending"
    by_name = fr(client, OCCITANIE, {"service": "trade-fairs", "group_sort": "name"})
    names = next(g["rows"] for g in by_name.context["subtotal_groups"] if g["level"] == "epci")
    assert len(names) > 1
    keys = [normalize_name(r["totals"].name) for r in names]
    assert keys == sorted(keys)
    assert by_name.context["subtotal_headers"][0]["aria_sort"] == "ascending"


# --- Table of places ------------------------------------------------------------------------------


def _codes(response) -> list[str]:
    return [row[1]["text"] for row in table(response, "places-table")[1:]]


def test_places_sort_both_ways_with_aria_sort_and_links_keeping_the_other_params(
    client, gard_registry
):
    params = {"service": "export-finance", "horizon_km": "20"}
    report = territory_coverage(
        territory=territory("departement", "30"), service=service("export-finance"), horizon_km=20
    )
    by_population = sorted(
        (p for p in report.places if p.population is not None),
        key=lambda p: p.population,
        reverse=True,
    )
    response = fr(client, GARD, {**params, "sort": "population", "order": "desc"})
    assert _codes(response)[:5] == [p.code for p in by_population[:5]]
    header = table(response, "places-table")[0]
    population = next(c for c in header if c["text"].startswith("Population"))
    assert population["attrs"]["aria-sort"] == "descending"
    assert sum(1 for c in header if "aria-sort" in c["attrs"]) == 1
    # Its link reverses the order and keeps the service and the horizon, back on page 1.
    link = population["href"]
    assert "order=asc" in link and "service=export-finance" in link and "horizon_km=20" in link
    assert "page=" not in link
    ascending = fr(client, GARD, {**params, "sort": "population", "order": "asc"})
    known = [p for p in by_population if p.population is not None]
    assert _codes(ascending)[: len(known[-3:])] == [p.code for p in reversed(known[-3:])]
    # By distance: the nearest first, the uncovered (no distance) last in either order.
    nearest = fr(client, GARD, {**params, "sort": "distance", "order": "desc", "state": ""})
    codes = _codes(nearest)
    assert codes[0] == "30189"
    by_code = fr(client, GARD, {**params, "sort": "code"})
    assert _codes(by_code) == sorted(_codes(by_code))
    by_name = fr(client, GARD, {**params, "sort": "name", "order": "desc"})
    names = [row[0]["text"] for row in table(by_name, "places-table")[1:]]
    assert names[0] >= names[-1]


def test_places_filter_by_state_and_paginate(client, gard_registry):
    params = {"service": "export-finance", "horizon_km": "20"}
    report = territory_coverage(
        territory=territory("departement", "30"), service=service("export-finance"), horizon_km=20
    )
    uncovered = sorted(p.code for p in report.places if p.state == UNCOVERED)
    assert len(uncovered) > coverage_view.PAGE_SIZE  # two pages at least
    first = fr(client, GARD, {**params, "state": "uncovered", "sort": "code"})
    assert _codes(first) == uncovered[: coverage_view.PAGE_SIZE]
    page = html(first)
    assert f"{number(len(uncovered))} communes non couvertes, page 1 sur" in page
    assert 'aria-current="true">Non couvertes' in page
    second_link = first.context["page_links"]["next"]
    assert "state=uncovered" in second_link and "page=2" in second_link
    second = fr(client, GARD + second_link)
    assert _codes(second) == uncovered[coverage_view.PAGE_SIZE : 2 * coverage_view.PAGE_SIZE]
    # A page beyond the last shows the last one.
    last = fr(client, GARD, {**params, "state": "uncovered", "sort": "code", "page": "999"})
    assert last.status_code == 200
    assert _codes(last)[-1] == uncovered[-1]
    covered = fr(client, GARD, {**params, "state": "covered"})
    assert _codes(covered) == ["30189"]
    # No place in a state: said so.
    far = fr(client, GARD, {**params, "state": "far"})
    assert "Aucune commune éloignée." in html(far)


def test_map_data_and_downloads(client, gard_registry):
    response = fr(client, GARD, {"service": "export-finance", "horizon_km": "20", "country": "ma"})
    assert response.status_code == 200
    page = response.content.decode()
    data = json.loads(
        re.search(r'<script id="coverage-map-data" type="application/json">(.*?)</script>', page)[1]
    )
    report = response.context["report"]
    assert len(data["places"]) == len(report.places)
    nimes = next(p for p in data["places"] if p[4] == "30189")
    assert nimes[2] == "covered"
    assert nimes[8] == "commune"  # the popup links the commune's page
    assert data["relays"][nimes[6]][1].startswith("/structures/")
    assert {p[2] for p in data["places"]} == {"covered", "uncovered"}
    # The API's export of the same report, with the same parameters.
    assert (
        "/api/v1/coverage/?territory=departement%3A30&amp;service=export-finance&amp;country=MA"
        "&amp;horizon_km=20&amp;format=csv" in page
    )
    assert "format=geojson" in page
    # The country is shown as chosen (upper case) in the form.
    assert '<option value="MA" selected>' in page


# --- France, errors, empty states, entry points ----------------------------------------------------


def test_france_takes_one_service_the_first_by_default(client, gard_registry):
    response = fr(client, FRANCE)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.service is not None
    assert report.territory.code == "FR"
    assert '<option value="">Tous les services</option>' not in response.content.decode()
    refused = fr(client, FRANCE, {"service": ""})
    assert refused.status_code == 400
    assert refused.context["report"] is None
    assert "Pour la France entière, choisissez un service" in html(refused)
    assert "6 à 12 secondes" in html(refused)
    # France's subtotals are its régions and départements (no table of every EPCI).
    levels = {g["level"] for g in response.context["subtotal_groups"]}
    assert levels == {"region", "departement"}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"service": "rien"}, "service", "Ce service ne figure pas dans la liste"),
        ({"country": "ZZ"}, "country", "Pays inconnu"),
        ({"sector": "nope"}, "sector", "Secteur inconnu"),
        ({"horizon_km": "0"}, "horizon_km", "Indiquez une distance positive"),
        ({"horizon_km": "-5"}, "horizon_km", "Indiquez une distance positive"),
        ({"horizon_km": "loin"}, "horizon_km", "Indiquez la distance en kilomètres"),
        ({"horizon_km": "inf"}, "horizon_km", "Indiquez la distance en kilomètres"),
        ({"horizon_km": "99999"}, "horizon_km", "au plus"),
        ({"sort": "pop"}, "sort", "Tri inconnu"),
        ({"order": "up"}, "order", "Ordre de tri inconnu"),
        ({"state": "bad"}, "state", "Filtre d'état inconnu"),
        ({"page": "0"}, "page", "Numéro de page invalide"),
        ({"page": "x"}, "page", "Numéro de page invalide"),
    ],
)
def test_bad_input_is_a_form_error_never_a_500(client, params, field, message):
    response = fr(client, HERAULT, params)
    assert response.status_code == 400
    assert message in html(response)
    assert response.context["form"].errors[field]
    assert response.context["report"] is None
    assert "Vérifiez votre saisie" in html(response)


def test_a_french_decimal_comma_is_read(client, gard_registry):
    response = fr(client, GARD, {"service": "export-finance", "horizon_km": "12,5"})
    assert response.status_code == 200
    assert response.context["report"].horizon_km == 12.5


def test_a_sort_of_the_other_mode_falls_back_to_the_state(client, gard_registry):
    response = fr(client, GARD, {"sort": "distance"})
    assert response.status_code == 200
    header = table(response, "places-table")[0]
    state = next(c for c in header if c["text"].startswith("État"))
    assert state["attrs"]["aria-sort"] == "ascending"


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/commune/34172/couverture/",
        "/territoires/arrondissement/75101/couverture/",
        "/territoires/country/FR/couverture/",
        "/territoires/departement/99/couverture/",
        "/territoires/departement/xx/couverture/",
        "/territoires/planete/1/couverture/",
        "/territoires/epci/000000000/couverture/",
    ],
)
def test_unknown_territory_or_level_is_404(client, url):
    assert fr(client, url).status_code == 404


def test_empty_states_without_any_relay_or_search(client):
    response = fr(client, HERAULT, {"service": "export-finance"})
    assert response.status_code == 200
    page = html(response)
    report = response.context["report"]
    assert report.totals.places[UNCOVERED] == report.totals.place_count
    assert "Aucune recherche faite d'ici depuis" in page
    assert "Aucune commune couverte." in html(
        fr(client, HERAULT, {"service": "export-finance", "state": "covered"})
    )


def test_a_territory_without_located_places_says_so(client):
    epci = Territory.objects.filter(level="epci", is_current=True).first()
    communes = Territory.objects.filter(ancestor_links__ancestor=epci, level="commune")
    communes.update(latitude=None, longitude=None)
    response = fr(client, f"/territoires/epci/{epci.code}/couverture/")
    assert response.status_code == 200
    assert "Ce territoire ne compte aucune commune dont le centre est connu" in html(response)
    assert 'id="coverage-map"' not in response.content.decode()


def test_entry_points(client, registry):
    page = fr(client, "/territoires/departement/34/").content.decode()
    assert 'href="/territoires/departement/34/couverture/"' in page
    assert 'href="/couverture/"' in page  # the main navigation
    commune = fr(client, "/territoires/commune/34172/").content.decode()
    assert "/territoires/commune/34172/couverture/" not in commune


def test_a_large_territory_maps_only_its_gaps(client, gard_registry, monkeypatch):
    monkeypatch.setattr(coverage_view, "MAP_ALL_LIMIT", 10)
    response = fr(client, GARD, {"service": "export-finance", "horizon_km": "20"})
    assert response.status_code == 200
    states = {place[2] for place in response.context["map_data"]["places"]}
    assert states == {UNCOVERED}
    assert len(response.context["map_data"]["places"]) == len(response.context["report"].places) - 1
    assert "la carte ne montre que les communes éloignées ou non couvertes" in html(response)
    # The table still lists every place.
    assert response.context["page"].paginator.count == len(response.context["report"].places)

"""The page of the 4 D of a territory (/territoires/<level>/<code>/4d/): the figures it shows are
those of ``insights.dimensions.territory_dimensions``, each chart holds the numbers of its table,
empty states, 404s and links (siblings, parent, API, the territory page)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from insights.dimensions import territory_dimensions
from tests.site.data import Registry
from tests.site.dimensions_data import build_dimensions_registry
from tests.structures.factories import territory
from web.charts import BAR_AREA
from web.views.dimensions import parent_label

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


# --- Reading the page (the standard library's HTML parser) ----------------------------------


class _Tables(HTMLParser):
    """Every <table> with an id: its caption and its rows, as lists of cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, dict] = {}
        self._table = None
        self._row = None
        self._cell = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(
                attrs["id"], {"caption": "", "head": [], "rows": [], "scopes": []}
            )
        elif self._table is None:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            if tag == "th":
                self._table["scopes"].append(attrs.get("scope"))

    def handle_endtag(self, tag):
        if self._table is None:
            return
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            # Collapse the markup's white space only (a figure's no-break spaces stay).
            self._row.append(re.sub(r"[ \t\r\n]+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            key = "rows" if self._table["head"] else "head"
            self._table[key].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._in_caption:
            self._table["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def charts(html: str) -> dict[str, ET.Element]:
    """Every inline chart, by the id of its title ("chart-relays_per_100k-title" → its key)."""
    found = {}
    for svg in re.findall(r"<svg class=\"chart.*?</svg>", html, flags=re.S):
        root = ET.fromstring(svg)
        key = root.find(f"{SVG}title").get("id").removeprefix("chart-").removesuffix("-title")
        found[key] = root
    return found


def bars(root: ET.Element) -> dict[str, tuple[str, float]]:
    """label → (value as written, bar length)."""
    result = {}
    for g in root.iter(f"{SVG}g"):
        if "chart-row" in g.get("class", "").split():
            label, value = (t.text for t in g.iter(f"{SVG}text"))
            result[label] = (value, float(g.find(f"{SVG}rect").get("width")))
    return result


def figure(text: str) -> float | None:
    """A figure as the page writes it ("1 234,56", "87,5 %", "—") → its value."""
    text = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").rstrip("%")
    return None if text == "—" else float(text.replace(",", "."))


def row_named(table: dict, name: str) -> list[str]:
    return next(r for r in table["rows"] if r[0] == name or r[0].startswith(name + " "))


def page(client, level: str, code: str) -> str:
    response = client.get(reverse("territory-dimensions-page", args=[level, code]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def world(db) -> Registry:
    return build_dimensions_registry()


# --- Figures ---------------------------------------------------------------------------------


def test_density_shown_equals_the_selectors(client, world):
    html = page(client, "departement", "34")
    result = territory_dimensions(territory=territory("departement", "34"))
    found = tables(html)

    density = found["table-density"]
    assert density["caption"].startswith("Densité : Hérault")
    expected = [result.territory, *(s for s in result.siblings if s.territory.code != "34")]
    expected.append(result.parent)
    assert len(density["rows"]) == len(result.siblings) + 1
    for figures in expected:
        name = figures.territory.name
        if figures is result.parent:
            name = parent_label(figures.territory)
        row = row_named(density, name)
        d = figures.density
        assert [figure(cell) for cell in row[1:]] == [
            d.population,
            d.smes,
            d.structures,
            d.relays,
            d.structures_per_100k,
            d.relays_per_100k,
            d.structures_per_1000_smes,
            d.relays_per_1000_smes,
        ], name
    # Something to compare: the registry is not empty around Montpellier.
    assert result.territory.density.relays > 0
    assert result.territory.density.smes == 4

    kinds = found["table-kinds"]
    assert len(kinds["rows"]) == len(result.territory.density.by_kind) > 0
    for item, row in zip(result.territory.density.by_kind, kinds["rows"], strict=True):
        assert row[0].lower() == item.label.lower()
        assert [figure(c) for c in row[1:]] == [
            item.structures,
            item.structures_per_100k,
            item.relays,
            item.relays_per_100k,
            item.relays_per_1000_smes,
        ]
    services = found["table-services"]
    for item, row in zip(result.territory.density.by_service, services["rows"], strict=True):
        assert row[0] == item.label
        assert [figure(c) for c in row[1:]] == [
            item.structures,
            item.offers,
            item.relays,
            item.relays_per_100k,
            item.relays_per_1000_smes,
        ]
    coverage = found["table-coverage"]
    for item, row in zip(result.territory.density.coverage, coverage["rows"], strict=True):
        assert row[0] == item.label
        assert figure(row[1]) == item.covered_population
        assert figure(row[2]) == round(item.covered_share * 100, 1)
    assert any(item.covered_population for item in result.territory.density.coverage)
    # Headers say what they head (the accessible reading of each table).
    for table in found.values():
        assert set(table["scopes"]) <= {"col", "row"} and None not in table["scopes"]
        assert table["caption"].strip()


def test_diversity_dynamics_and_direction_shown_equal_the_selectors(client, world):
    html = page(client, "departement", "34")
    result = territory_dimensions(territory=territory("departement", "34"))
    found = tables(html)

    diversity = found["table-diversity"]
    for figures in result.siblings:
        row = row_named(diversity, figures.territory.name)
        d = figures.diversity
        assert [figure(c) for c in row[1:]] == [
            d.kinds_present,
            round(d.shannon_kinds, 2),
            d.services_present,
            round(d.shannon_services, 2),
            d.services_with_relay,
        ]
    median = diversity["rows"][-1]
    assert median[0] == "Médiane nationale (département)"
    assert figure(median[2]) == round(result.national_median_shannon_kinds, 2)
    assert figure(median[4]) == round(result.national_median_shannon_services, 2)
    own = result.territory.diversity
    assert (
        f"<strong>{own.kinds_present}</strong> natures de structures sur {own.kinds_total}" in html
    )

    dynamics = found["table-dynamics"]
    for figures in [*result.siblings, result.parent]:
        name = figures.territory.name
        row = row_named(
            dynamics, parent_label(figures.territory) if figures is result.parent else name
        )
        d = figures.dynamics
        assert [figure(c) for c in row[1:]] == [
            d.structures_created,
            d.structures_updated,
            d.structures_confirmed,
            d.offers_created,
            d.offers_updated,
            d.offers_closed,
            d.events,
        ]
    # The period's events of the Hérault and inside it (the metropolis), not the old one.
    events = found["table-events"]
    assert [row[2] for row in events["rows"]] == [e.title for e in result.events]
    assert [row[2] for row in events["rows"]] == [
        "Mission <Maroc> & Tunisie",
        "Stand commun métropole",
    ]
    assert "Mission &lt;Maroc&gt; &amp; Tunisie" in html
    assert "Action trop ancienne" not in html and "Groupement du Gard" not in html
    assert events["rows"][0][1] == "Mission de prospection à l'étranger"
    assert events["rows"][1][3] == "Montpellier Méditerranée Métropole"
    by_kind = {row[0].lower(): figure(row[1]) for row in found["table-event-kinds"]["rows"]}
    assert by_kind == {k.label.lower(): k.count for k in result.territory.dynamics.events_by_kind}
    assert result.territory.dynamics.events == 2
    assert "<li><strong>2</strong> événements enregistrés</li>" in html
    own = result.territory.dynamics
    fiches = "fiche créée" if own.structures_created < 2 else "fiches créées"
    assert f"<li><strong>{own.structures_created}</strong> {fiches}</li>" in html

    # Each priority: its competent relays, linked to their pages, or the flag.
    priorities = result.directionality.priorities
    assert len(priorities) == 3
    section = html[
        html.index('id="direction"') : html.index("</section>", html.index('id="direction"'))
    ]
    blocks = section.split('<li class="priority')[1:]
    assert len(blocks) == 3
    for check, block in zip(priorities, blocks, strict=True):
        assert f'data-code="{check.code}"' in block
        assert f"<h3>{check.label}</h3>" in block
        links = re.findall(r'href="/structures/([^/"]+)/"', block)
        assert links == [relay.slug for relay in check.relays]
        assert ("Aucun relais compétent" in block) == (not check.relays)
        # Generalists (open to every market or filière) are folded under the specialised ones.
        generalists = [relay.slug for relay in check.relays if not relay.explicit]
        if generalists:
            folded = block[block.index("<details") :]
            assert re.findall(r'href="/structures/([^/"]+)/"', folded) == generalists
    morocco = next(p for p in priorities if p.code == "MA")
    # CCI Hérault names Morocco among its markets for trade fairs: a specialised relay.
    assert world.cci.slug in [r.slug for r in morocco.relays if r.explicit]


def test_each_chart_holds_the_numbers_of_its_table(client, world):
    html = page(client, "departement", "34")
    found, drawn = tables(html), charts(html)
    assert set(drawn) == {
        "structures_per_100k",
        "relays_per_100k",
        "structures_per_1000_smes",
        "relays_per_1000_smes",
        "coverage",
        "shannon_kinds",
        "shannon_services",
    }
    columns = {"structures_per_100k": 5, "relays_per_100k": 6}
    columns |= {"structures_per_1000_smes": 7, "relays_per_1000_smes": 8}
    for key, column in columns.items():
        table = {
            row[0].removesuffix(" ce territoire"): row[column]
            for row in found["table-density"]["rows"]
        }
        shown = bars(drawn[key])
        assert {label: value for label, (value, _) in shown.items()} == table, key
        _check_lengths(shown)
        # The territory's bar is the highlighted one.
        highlighted = [
            g.get("data-label")
            for g in drawn[key].iter(f"{SVG}g")
            if "chart-row--highlight" in g.get("class", "")
        ]
        assert highlighted == ["Hérault"]
    for key, column in (("shannon_kinds", 2), ("shannon_services", 4)):
        rows = found["table-diversity"]["rows"]
        table = {row[0].removesuffix(" ce territoire"): row[column] for row in rows[:-1]}
        shown = bars(drawn[key])
        assert {label: value for label, (value, _) in shown.items()} == table, key
        marker = next(g for g in drawn[key].iter(f"{SVG}g") if g.get("class") == "chart-marker")
        assert figure(marker.get("data-value")) == pytest.approx(figure(rows[-1][column]), abs=0.01)
    shown = bars(drawn["coverage"])
    table = {row[0]: row[2] for row in found["table-coverage"]["rows"]}
    assert {label: value for label, (value, _) in shown.items()} == table
    # Shares are drawn on a fixed scale: 100 % fills the area.
    for value, width in shown.values():
        assert width == pytest.approx(figure(value) / 100 * BAR_AREA, abs=0.3)


def _check_lengths(shown: dict[str, tuple[str, float]]) -> None:
    """Bar lengths proportional to the written values (within the rounding of the text)."""
    values = {label: figure(value) for label, (value, _) in shown.items()}
    top = max((v for v in values.values() if v is not None), default=0)
    for label, (_, width) in shown.items():
        value = values[label]
        if not value or not top:
            assert width == 0
        else:
            assert width == pytest.approx(value / top * BAR_AREA, rel=0.01, abs=0.5)


# --- Empty states, 404s, links ---------------------------------------------------------------


def test_empty_states(client, world):
    html = page(client, "departement", "2B")
    assert "Aucune priorité enregistrée par un coordinateur pour ce territoire." in html
    assert "Aucun événement enregistré par un coordinateur pour ce territoire" in html
    assert 'id="table-events"' not in html
    # Nothing registered in Haute-Corse: zero everywhere, no bar, still a table per chart.
    found = tables(html)
    row = row_named(found["table-density"], "Haute-Corse")
    assert [figure(c) for c in row[2:5]] == [0, 0, 0]
    assert all(width == 0 for _, width in bars(charts(html)["relays_per_100k"]).values())


def test_a_priority_without_a_competent_relay_is_flagged(client, world):
    html = page(client, "departement", "2A")
    result = territory_dimensions(territory=territory("departement", "2A"))
    assert [(p.code, p.relays) for p in result.directionality.priorities] == [("IT", ())]
    assert "1 priorité enregistrée, dont 1 sans relais compétent." in html
    assert '<li class="priority priority--missing" data-code="IT">' in html
    assert "<strong>Aucun relais compétent</strong>" in html


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/commune/34172/4d/",  # a commune has no 4 D
        "/territoires/country/FR/4d/",
        "/territoires/arrondissement/13201/4d/",
        "/territoires/departement/99/4d/",  # unknown
        "/territoires/departement/ABC/4d/",  # malformed
        "/territoires/epci/123/4d/",
        "/territoires/region/00/4d/",
        "/territoires/pays/34/4d/",
    ],
)
def test_other_levels_and_unknown_codes_are_404(client, url):
    assert client.get(url).status_code == 404


def test_links_to_siblings_parent_api_and_territory_page(client, world):
    html = page(client, "departement", "34")
    siblings = re.search(r'<ul class="columns" id="sibling-links">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'href="([^"]+)"', siblings) == ["/territoires/departement/30/4d/"]
    assert 'href="/territoires/region/76/4d/"' in html
    assert 'href="/territoires/departement/34/"' in html
    api = reverse("territory-dimensions", args=["departement", "34"])
    for fmt, content_type in (("json", "application/json"), ("csv", "text/csv")):
        assert f'href="{api}?format={fmt}"' in html
        response = client.get(f"{api}?format={fmt}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)

    # An EPCI: compared within its département, which is its parent here.
    html = page(client, "epci", "243400017")
    assert 'href="/territoires/departement/34/4d/"' in html
    assert "Montpellier Méditerranée Métropole" in html
    # A région: the other régions, France as the parent (no page of its own).
    html = page(client, "region", "76")
    result = territory_dimensions(territory=territory("region", "76"))
    siblings = re.search(r'<ul class="columns" id="sibling-links">(.*?)</ul>', html, re.S).group(1)
    assert sorted(re.findall(r'href="/territoires/region/([^/]+)/4d/"', siblings)) == sorted(
        s.territory.code for s in result.siblings if s.territory.code != "76"
    )
    assert "France (pays)" in html
    # Guadeloupe, département of the région Guadeloupe: the parent says what it is.
    html = page(client, "departement", "971")
    assert "Guadeloupe (région)" in html
    assert "/territoires/country/" not in html


def test_the_territory_page_links_to_its_4d(client, world):
    for level, code in (("region", "76"), ("departement", "34"), ("epci", "243400017")):
        response = client.get(reverse("territory-detail", args=[level, code]))
        assert f'href="/territoires/{level}/{code}/4d/">Les 4 D de ce territoire</a>' in (
            response.content.decode()
        )
    response = client.get(reverse("territory-detail", args=["commune", "34172"]))
    assert "Les 4 D de ce territoire" not in response.content.decode()

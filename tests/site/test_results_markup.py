"""The results page's markup, pinned: the cards written in Python (``web.relay_cards``), the search
form filled into its rendered skeleton (``web.search_form``) and the fixed
fragments (``{% fixed_fragment %}``) give the page the template gave it before (issue 14).

The pages under ``golden/`` were rendered by the template version of the cards (whitespace
aside): a competent relay with a named desk, a phone, an address, a website and opening hours, a
members-only club, an out-of-area fallback, a market condition, a first-contact fallback, in
French and in English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tests.structures.factories import OfferFactory, StructureFactory, service, territory
from web.forms import RelaySearchForm
from web.search_form import search_form_html

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
URL = "/recherche/"

SEARCHES = {
    "fr_fairs": ({"where": "Montpellier", "service": "trade-fairs"}, "fr"),
    "en_fairs": ({"where": "Montpellier", "service": "trade-fairs"}, "en"),
    "fr_profile": (
        {
            "where": "Montpellier",
            "service": "trade-fairs",
            "size": "11",
            "created_year": "2015",
            "export_stage": "occasional",
            "country": "MA",
        },
        "fr",
    ),
    "fr_nimes": ({"where": "Nîmes", "service": "trade-fairs"}, "fr"),
    "fr_other": ({"where": "Montpellier", "service": "export-finance"}, "fr"),
}

_SPACES = re.compile(r"[ \t\r\n]+")  # not the no-break spaces, which the text has
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
# Offer ids differ between databases and runs, the factories' e-mail numbers with the tests run.
_OFFER_ID = re.compile(r"\?offre=\d+")
_FACTORY_EMAIL = re.compile(r"([a-z]+)\d+@example\.org")
# Pinned apart (test_filled_search_form_is_the_templates_form): the catalogues' long lists.
_SEARCH_FORM = re.compile(r'<form class="search-panel".*?</form>', re.DOTALL)


def normalised(html: str) -> str:
    """The page with each run of whitespace as one space, the variable ids and token masked."""
    html = _SEARCH_FORM.sub("<form>…</form>", html)
    html = _CSRF.sub('name="csrfmiddlewaretoken" value="…"', html)
    html = _OFFER_ID.sub("?offre=…", html)
    html = _FACTORY_EMAIL.sub(r"\1…@example.org", html)
    return _SPACES.sub(" ", html).strip()


@pytest.mark.parametrize("case", list(SEARCHES))
def test_results_page_is_the_pinned_page(client, registry, case):
    params, language = SEARCHES[case]
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    expected = (GOLDEN / f"results_{case}.html").read_text()
    assert normalised(response.content.decode()) == normalised(expected)


def test_the_pinned_pages_show_every_part_of_a_card():
    """The golden pages cover what a card can say (so that the comparison above means it)."""
    pages = "".join(path.read_text() for path in GOLDEN.glob("results_*.html"))
    for fragment in (
        'class="relay relay--fallback"',
        '<li class="tag tag--warn">Hors zone</li>',
        '<li class="tag tag--warn">Premier contact</li>',
        '<li class="tag tag--accent">marché visé</li>',
        '<li class="tag tag--condition">Réservé aux adhérents</li>',
        'href="tel:+33467000000">04 67 00 00 00</a>',
        "Horaires\u00a0: lun.–ven. : 9 h–12 h, 14 h–17 h 30 ; jours fériés : fermé",
        "Opening hours: Mon–Fri: 09:00–12:00, 14:00–17:30 ; public holidays: closed",
        "<strong>Contact:</strong>",
        'aria-current="page">Trouver un relais</a>',
        '<span class="visually-hidden"> (CCI du Gard)</span>',
    ):
        assert fragment in pages, fragment


def test_a_cards_website_and_escaped_text(client, registry):
    """What the pinned pages lack: a website (shown without its scheme), markup in the data."""
    StructureFactory(
        name="Club <Export> & Co",
        coverage=[territory("departement", "34")],
        website="https://www.example.org/export?a=1&b=2",
        address_line="",
        postal_code="34000",
    )
    OfferFactory(
        structure=StructureFactory._meta.model.objects.get(name="Club <Export> & Co"),
        service=service("trade-fairs"),
    )
    html = client.get(
        URL, {"where": "Montpellier", "service": "trade-fairs"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert (
        '<p>Site web\u00a0: <a href="https://www.example.org/export?a=1&amp;b=2" rel="noopener">'
        "www.example.org/export?a=1&amp;b=2</a></p>"
    ) in html
    assert '<a href="/structures/club-export-co/">Club &lt;Export&gt; &amp; Co</a>' in html
    assert "<p>Adresse\u00a0: 34000 Montpellier</p>" in html
    assert '<span class="visually-hidden"> (Club &lt;Export&gt; &amp; Co)</span>' in html


FORMS = [
    {},
    {"where": "Montpellier", "service": "trade-fairs"},
    {"where": "34000", "service": "trade-fairs", "commune": "34172"},
    {"where": "Montpellier", "service": "trade-fairs", "sector": "agroalimentaire"},
    {"where": "Montpellier (34172)", "service": "export-finance", "country": "ma"},
    {
        "where": 'a "quoted" <b>',
        "service": "trade-fairs",
        "size": "11",
        "created_year": "2015",
        "export_stage": "regular",
    },
    {"where": "Montpellier", "service": "trade-fairs", "size": "99"},
    {"where": "", "service": "nowhere"},
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("data", FORMS)
def test_filled_search_form_is_the_templates_form(registry, data, language):
    with translation.override(language):
        form = RelaySearchForm(data) if data else RelaySearchForm()
        form.is_valid()
        expected = render_to_string("site/_search_form.html", {"form": form})
        assert search_form_html(form) == expected
        # Again, from the cached skeleton.
        assert search_form_html(form) == expected


def test_each_page_marks_its_own_menu_entry(client, registry):
    """The header is rendered once per page kind and language, never one page's for another."""
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    directory = client.get("/structures/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get("/structures/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/" aria-current="page">Trouver un relais</a>' in home
    assert 'href="/structures/" aria-current="page">' not in home
    assert 'href="/structures/" aria-current="page">Annuaire</a>' in directory
    assert 'href="/" aria-current="page">' not in directory
    assert 'href="/structures/" aria-current="page">Directory</a>' in english
    assert '<option value="en" lang="en" selected>' in english
    assert '<option value="fr" lang="fr" selected>' in directory

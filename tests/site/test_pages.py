"""Structure pages, territory pages, the directory and the static pages."""

from __future__ import annotations

import datetime
from html import unescape

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from structures.models import OfferMarket
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    StructureLinkFactory,
    StructureMemberCountFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def fr(client, url, data=None):
    return client.get(url, data or {}, HTTP_ACCEPT_LANGUAGE="fr")


# --- Structure page ----------------------------------------------------------------------------


def test_structure_page_shows_identity_offers_contacts_network_and_provenance(client, registry):
    cci = registry.cci
    StructureMemberCountFactory(structure=cci, count=620, kind="sme_members")
    partner = StructureFactory(name="Pôle partenaire", pole=True)
    StructureLinkFactory(
        from_structure=cci,
        to_structure=partner,
        countries=[territory("country", "MA")],
        description="Source : convention de partenariat de 2011.",
    )
    child = StructureFactory(name="Antenne de Sète", parent=cci)
    StructureFactory(name="Antenne non validée", parent=cci, unvalidated=True)
    OfferMarket.objects.create(
        offer=cci.offers.get(service__code="trade-fairs"),
        country=territory("country", "DE"),
        status="planned",
    )
    response = fr(client, f"/structures/{cci.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>CCI Hérault — service international (CCI 34)</h1>" in html
    assert "CCI territoriale (service international)" in html
    assert "Salons internationaux et pavillons collectifs" in html
    assert "Information et orientation" in html
    assert 'href="/territoires/departement/34/">Hérault</a>' in html
    assert "Maroc" in html and "en projet" in html and "Allemagne" in html
    assert "Pôle international" in html
    assert "Dossier interne" not in html
    assert "04 99 00 00 01" in html
    assert "lun.–ven. : 9 h–12 h, 14 h–17 h 30" in html
    assert f'href="/structures/{registry.head.slug}/">CCI Occitanie</a>' in html
    assert f'href="/structures/{child.slug}/">Antenne de Sète</a>' in html
    assert "Antenne non validée" not in html
    assert "Pôle partenaire" in html
    # A link says where it comes from.
    assert "Source : convention de partenariat de 2011." in html
    assert "620" in html
    assert "Dernière vérification" in html and "<time datetime=" in html
    assert "Annuaire des CCI" in html and "Licence Ouverte 2.0" in html
    assert 'id="map-data"' in html


def test_structure_page_eligibility_in_plain_words(client, db):
    structure = StructureFactory(name="Pôle Agri", pole=True)
    OfferFactory(
        structure=structure,
        service=service("trade-fairs"),
        min_employees=10,
        max_employees=249,
        min_age_years=2,
        members_only=True,
        application_required=True,
    )
    html = fr(client, f"/structures/{structure.slug}/").content.decode()
    assert "de 10 à 249 salariés" in html
    assert "entreprises d'au moins 2 ans" in unescape(html)
    assert "réservé aux adhérents" in html and "sur candidature" in html


def test_never_verified_structure_says_so_and_since_when_its_age_counts(client, db):
    structure = StructureFactory(never_verified=True)
    structure.created_at = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    structure.save(update_fields=["created_at"])
    html = fr(client, f"/structures/{structure.slug}/").content.decode()
    # A listing never confirmed is "up to date" from its creation: the page says when that was.
    assert "jamais confirmée (fiche créée le 2 mars 2026)" in html


def test_unpublished_and_unknown_structures_are_404(client, registry):
    assert fr(client, f"/structures/{registry.hidden.slug}/").status_code == 404
    inactive = StructureFactory(inactive=True)
    assert fr(client, f"/structures/{inactive.slug}/").status_code == 404
    response = fr(client, "/structures/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_structure_page_queries_do_not_grow_with_offers(client, db):
    structure = StructureFactory(coverage=[territory("departement", "34")])
    OfferFactory(structure=structure, service=service("trade-fairs"), with_contact=True)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert fr(client, f"/structures/{structure.slug}/").status_code == 200
        return len(ctx.captured_queries)

    count()
    one = count()
    for code in ("export-finance", "mentoring", "translation", "public-aid"):
        OfferFactory(
            structure=structure,
            service=service(code),
            with_contact=True,
            coverage=[territory("region", "76")],
            markets=[territory("country", "MA")],
        )
        ContactFactory(structure=structure)
    assert count() == one


# --- Territory pages ---------------------------------------------------------------------------


def test_commune_page_lists_relays_located_there_and_covering_it(client, registry):
    response = fr(client, "/territoires/commune/34172/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Montpellier</h1>" in html
    assert 'href="/territoires/departement/34/">Hérault</a>' in html
    assert 'href="/territoires/region/76/">Occitanie</a>' in html
    located = [s.name for g in response.context["located_by_kind"] for s in g["structures"]]
    assert "CCI Hérault — service international" in located
    assert "Structure non validée" not in located
    services = {g["service"].code: g["offers"] for g in response.context["covering_by_service"]}
    assert {o.structure.name for o in services["trade-fairs"]} == {
        "CCI Hérault — service international",
        "Club des exportateurs de l'Hérault",
    }
    # The search form is prefilled with the commune.
    assert 'name="commune" value="34172"' in html


def test_departement_and_region_pages(client, registry):
    dep = fr(client, "/territoires/departement/34/")
    assert dep.status_code == 200
    assert "Hérault" in dep.content.decode()
    region = fr(client, "/territoires/region/76/")
    assert region.status_code == 200
    html = region.content.decode()
    assert "CCI du Gard" in html  # located in the région
    assert 'href="/territoires/departement/34/"' in html  # its départements
    services = {g["service"].code: g["offers"] for g in region.context["covering_by_service"]}
    assert [o.structure.name for o in services["trade-fairs"]] == [
        "Club des exportateurs de l'Hérault"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/commune/00000/",
        "/territoires/commune/abc/",
        "/territoires/departement/999/",
        "/territoires/country/FR/",
        "/territoires/planete/1/",
    ],
)
def test_unknown_territories_are_404(client, db, url):
    assert fr(client, url).status_code == 404


# --- Directory ---------------------------------------------------------------------------------


def test_directory_lists_published_structures(client, registry):
    response = fr(client, "/structures/")
    assert response.status_code == 200
    names = [s.name for s in response.context["page"].object_list]
    assert "CCI du Gard" in names
    assert "Structure non validée" not in names


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "exporters_club"}, ["Club des exportateurs de l'Hérault"]),
        ({"in": "departement:30"}, ["CCI du Gard"]),
        ({"q": "gard"}, ["CCI du Gard"]),
        ({"service": "trade-fairs", "market": "MA"}, ["CCI Hérault — service international"]),
    ],
)
def test_directory_filters_with_the_api_filterset(client, registry, params, expected):
    response = fr(client, "/structures/", params)
    assert response.status_code == 200
    assert [s.name for s in response.context["page"].object_list] == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"in": "departement:99"}, "Aucun territoire"),
        ({"kind": "planete"}, "Sélectionnez un choix valide"),
        ({"market": "XX"}, "Aucun territoire"),
    ],
)
def test_directory_bad_filter_is_a_400_with_a_message(client, registry, params, message):
    response = fr(client, "/structures/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_directory_paginates_and_keeps_filters(client, db):
    for n in range(25):
        StructureFactory(name=f"Structure {n:02d}", kind="cma")
    first = fr(client, "/structures/", {"kind": "cma"})
    assert len(first.context["page"].object_list) == 20
    html = first.content.decode()
    assert 'href="?kind=cma&amp;page=2"' in html
    second = fr(client, "/structures/", {"kind": "cma", "page": "2"})
    assert len(second.context["page"].object_list) == 5
    assert fr(client, "/structures/", {"page": "abc"}).status_code == 200


def test_directory_queries_do_not_grow_with_rows(client, db):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert fr(client, "/structures/").status_code == 200
        return len(ctx.captured_queries)

    StructureFactory()
    count()
    one = count()
    for _n in range(10):
        OfferFactory(structure=StructureFactory(), service=service("trade-fairs"))
    assert count() == one


# --- Static pages ------------------------------------------------------------------------------


def test_sources_legal_notice_and_error_pages(client, db):
    assert "Licence Ouverte" in fr(client, "/sources/").content.decode()
    legal = fr(client, "/mentions-legales/")
    assert legal.status_code == 200
    assert "<h1>Mentions légales</h1>" in legal.content.decode()
    not_found = fr(client, "/nulle-part/")
    assert not_found.status_code == 404
    assert 'class="site-header"' in not_found.content.decode()
    server_error = render_to_string("500.html")
    assert "Une erreur est survenue" in server_error
    assert 'lang="fr"' in server_error


def test_sources_page_credits_nace_titles_and_country_articles(client, db):
    html = unescape(fr(client, "/sources/").content.decode())
    # The English names of NAF sections and divisions: Eurostat, with its reuse condition.
    assert "Nomenclature européenne des activités (NACE Rev. 2), titres anglais" in html
    assert "règlement (CE) n° 1893/2006" in html
    assert "© Union européenne — Eurostat, NACE Rev. 2" in html
    assert "mention de la source (décision 2011/833/UE)" in html
    assert 'href="https://ec.europa.eu/eurostat/web/main/help/copyright-notice"' in html
    assert 'href="https://eur-lex.europa.eu/eli/reg/2006/1893/oj"' in html
    # The articles of country names (territories.naming): ISO 3166-1 and the Journal officiel.
    assert "Articles des noms de pays" in html
    assert "Journal officiel du 24 septembre 2008, NOR CTNX0818389X" in html
    assert "noms courts français et anglais de l'ISO 3166-1" in html
    assert 'href="https://www.iso.org/obp/ui/#search"' in html


def test_footer_links_every_public_page(client, db):
    html = fr(client, "/").content.decode()
    for url in ("/sources/", "/mentions-legales/", "/structures/", "/espace/"):
        assert f'href="{url}"' in html


def test_dates_use_the_site_time_zone(client, db):
    structure = StructureFactory(
        verified_at=datetime.datetime(2025, 3, 1, 23, 30, tzinfo=datetime.UTC)
    )
    html = fr(client, f"/structures/{structure.slug}/").content.decode()
    assert "2 mars 2025" in html


def test_territory_page_queries_do_not_grow_with_relays(client, registry):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert fr(client, "/territoires/departement/34/").status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    for n in range(6):
        structure = StructureFactory(
            name=f"Relais {n}", coverage=[territory("departement", "34")], kind="cma"
        )
        OfferFactory(structure=structure, service=service("mentoring"))
    assert count() == before

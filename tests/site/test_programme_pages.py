"""The programme pages and the local doors on the relay results page (rule R6)."""

from __future__ import annotations

import pytest

from structures.models import Programme, ProgrammeEntryPoint
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def make_programme(name="Assurance prospection", *, services=("export-insurance",), **values):
    values = {"level": "national", "operator_name": "Bpifrance", **values}
    programme = Programme.objects.create(name=name, **values)
    programme.services.set([service(code) for code in services])
    return programme


def add_door(programme, level, code, structure, **values):
    row = ProgrammeEntryPoint(
        programme=programme, territory=territory(level, code), structure=structure, **values
    )
    row.full_clean()
    row.save()
    return row


@pytest.fixture
def programme():
    herault = StructureFactory(name="CCI Hérault", coverage=[territory("departement", "34")])
    desk = ContactFactory(structure=herault, name="Service international", role="Accueil export")
    region = StructureFactory(name="Bpifrance Occitanie", coverage=[territory("region", "76")])
    programme = make_programme(
        official_url="https://www.bpifrance.fr/", summary="Avance les frais."
    )
    add_door(programme, "region", "76", region)
    add_door(programme, "departement", "34", herault, contact=desk, note="Sur rendez-vous")
    OfferFactory(structure=herault, service=service("export-insurance"))
    return programme


def test_the_results_page_shows_the_local_door_and_links_the_programme(client, programme):
    response = client.get(
        "/recherche/", {"where": "Montpellier", "commune": "34172", "service": "export-insurance"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Votre porte d'entrée locale" in html
    assert "CCI Hérault</a> — Service international — Accueil export" in html
    assert 'href="/dispositifs/assurance-prospection/"' in html
    assert "Bpifrance Occitanie" not in html  # the département's door is more specific


def test_the_results_page_without_a_door_points_at_the_official_page(client, programme):
    ProgrammeEntryPoint.objects.all().delete()
    html = client.get(
        "/recherche/", {"where": "Montpellier", "commune": "34172", "service": "export-insurance"}
    ).content.decode()
    assert "Pas encore de porte d'entrée locale enregistrée ici" in html
    assert 'href="https://www.bpifrance.fr/"' in html


def test_no_door_section_for_a_need_without_programme(client, programme):
    html = client.get(
        "/recherche/", {"where": "Montpellier", "commune": "34172", "service": "trade-fairs"}
    ).content.decode()
    assert "porte d'entrée locale" not in html


def test_the_results_page_door_queries_are_constant(client, programme, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {"where": "Montpellier", "commune": "34172", "service": "export-insurance"}
    client.get("/recherche/", params)

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get("/recherche/", params)
        return len(queries)

    before = count()
    herault = ProgrammeEntryPoint.objects.get(territory__code="34").structure
    for n in range(5):
        add_door(make_programme(f"Dispositif {n}"), "departement", "34", herault)
    client.get("/recherche/", params)  # the served services' copy, read again once
    assert count() == before


def test_programme_list_page(client, programme):
    make_programme("Ancien", ends_on="2020-01-01")
    response = client.get("/dispositifs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Assurance prospection" in html and "Ancien" not in html
    assert "2 portes d'entrée enregistrées" in html
    assert "sans porte d'entrée" in html  # départements outside Occitanie


def test_programme_list_empty_state(client, db):
    html = client.get("/dispositifs/").content.decode()
    assert "Aucun dispositif n'est enregistré pour le moment." in html


def test_programme_page_lists_doors_by_territory(client, programme):
    response = client.get("/dispositifs/assurance-prospection/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Occitanie") < html.index("Hérault")  # widest first
    assert "Service international — Accueil export" in html
    assert "Sur rendez-vous" in html
    assert "Départements sans porte d'entrée" in html
    assert client.get("/dispositifs/inconnu/").status_code == 404


def test_programme_page_without_doors(client, db):
    make_programme("Nouveau", official_url="https://example.org/")
    html = client.get("/dispositifs/nouveau/").content.decode()
    assert "Aucune porte d'entrée locale n'est encore enregistrée" in html


def test_programme_page_paginates_long_door_lists(client, db):
    programme = make_programme("Grand réseau")
    from territories.models import Territory

    communes = list(Territory.objects.filter(level="commune", parent__code="34")[:55])
    for commune in communes:
        add_door(programme, "commune", commune.code, StructureFactory(coverage=[commune]))
    first = client.get("/dispositifs/grand-reseau/").content.decode()
    assert "Page 1 sur 2" in first and 'rel="next"' in first
    second = client.get("/dispositifs/grand-reseau/", {"page": 2})
    assert second.status_code == 200 and "Page 2 sur 2" in second.content.decode()
    # A page number out of range shows the last page, never an error.
    assert client.get("/dispositifs/grand-reseau/", {"page": "zz"}).status_code == 200


def test_the_coverage_report_counts_departements_without_a_door(client, programme):
    # Occitanie in the test reference holds the Gard and the Hérault: both reached (région door).
    region = client.get("/territoires/region/76/couverture/", {"service": "export-insurance"})
    html = region.content.decode()
    assert region.status_code == 200
    assert "Dispositifs : départements sans porte d'entrée locale" in html
    assert 'href="/dispositifs/assurance-prospection/"' in html
    assert "0 sur 2" in html
    # Without the région's door, nothing reaches the Gard.
    ProgrammeEntryPoint.objects.filter(territory__level="region").delete()
    gard = client.get("/territoires/departement/30/couverture/", {"service": "export-insurance"})
    assert "1 sur 1" in gard.content.decode() and "Gard (30)" in gard.content.decode()
    # Another need: the programme does not cover it, no section.
    other = client.get("/territoires/region/76/couverture/", {"service": "trade-fairs"})
    assert "Dispositifs : départements sans porte" not in other.content.decode()

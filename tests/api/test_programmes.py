"""``/api/v1/programmes/`` and the local doors in ``/api/v1/relays/`` (rule R6)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def add_door(programme, level, code, structure, **values) -> ProgrammeEntryPoint:
    row = ProgrammeEntryPoint(
        programme=programme, territory=territory(level, code), structure=structure, **values
    )
    row.full_clean()
    row.save()
    return row


@pytest.fixture
def doors():
    herault = StructureFactory(name="CCI Hérault", coverage=[territory("departement", "34")])
    desk = ContactFactory(structure=herault, name="Service international", role="Accueil export")
    region = StructureFactory(
        name="Bpifrance Occitanie",
        commune=territory("commune", "31555") if _exists("commune", "31555") else None,
        coverage=[territory("region", "76")],
    )
    national = StructureFactory(name="Bpifrance siège", coverage=[territory("country", "FR")])
    programme = make_programme(official_url="https://www.bpifrance.fr/")
    add_door(programme, "country", "FR", national)
    add_door(programme, "region", "76", region)
    add_door(programme, "departement", "34", herault, contact=desk, note="Sur rendez-vous")
    # A competent relay for the service, so the answer has results too.
    OfferFactory(structure=herault, service=service("export-insurance"))
    return {"programme": programme, "herault": herault, "desk": desk, "region": region}


def _exists(level, code) -> bool:
    from territories.models import Territory

    return Territory.objects.filter(level=level, code=code).exists()


# --- The relay answer ------------------------------------------------------------------------


def test_the_relay_answer_names_the_local_door(api, doors):
    body = api.get("/api/v1/relays/", {"commune": "34172", "service": "export-insurance"}).json()
    [door] = body["local_doors"]
    assert door["programme"]["slug"] == "assurance-prospection"
    assert door["programme"]["level"] == "national"
    assert door["programme"]["page"] == "/dispositifs/assurance-prospection/"
    [entry] = door["entry_points"]
    assert entry["territory"] == {"level": "departement", "code": "34", "name": "Hérault"}
    assert entry["structure"]["name"] == "CCI Hérault"
    assert entry["contact"]["name"] == "Service international"
    assert entry["text"] == (
        "Votre porte d'entrée locale : CCI Hérault — Service international — Accueil export"
    )
    # Nîmes (Gard): the région's door.
    body = api.get("/api/v1/relays/", {"commune": "30189", "service": "export-insurance"}).json()
    assert [e["structure"]["name"] for e in body["local_doors"][0]["entry_points"]] == [
        "Bpifrance Occitanie"
    ]
    # Lyon: France's; another need: no door.
    body = api.get("/api/v1/relays/", {"commune": "69123", "service": "export-insurance"}).json()
    assert body["local_doors"][0]["entry_points"][0]["territory"]["code"] == "FR"
    body = api.get("/api/v1/relays/", {"commune": "34172", "service": "trade-fairs"}).json()
    assert body["local_doors"] == []


def test_the_relay_answers_door_queries_are_constant(api, doors):
    params = {"commune": "34172", "service": "export-insurance"}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/relays/", params).status_code == 200
        return len(queries)

    api.get("/api/v1/relays/", params)  # warm the reference caches
    with_one = count()
    for n in range(6):
        programme = make_programme(f"Dispositif {n}")
        add_door(programme, "departement", "34", doors["herault"], contact=doors["desk"])
        add_door(programme, "region", "76", doors["region"])
    api.get("/api/v1/relays/", params)  # the programmes' copies, read again once
    with_seven = count()
    assert with_seven == with_one
    # For the public, the programmes and doors of the need come from this process's copy: no
    # query once it is read, whatever their number. A write of programmes reads the copy of the
    # programmes' services and areas again (one query), then nothing.
    Programme.objects.all().delete()
    assert count() == with_one + 1
    assert count() == with_one
    make_programme("Pour un autre besoin", services=("trade-fairs",))
    assert count() == with_one + 1  # the areas read again: the need is still not served
    assert count() == with_one
    # Served, but by a programme of another région only: no query either.
    make_programme("Ailleurs", level="regional", area=territory("region", "84"))
    assert count() == with_one + 1
    assert count() == with_one
    # Served here: the areas, then the need's programmes and doors (two queries), read again.
    make_programme("Ici", level="regional", area=territory("region", "76"))
    assert count() == with_one + 3
    assert count() == with_one
    body = api.get("/api/v1/relays/", params).json()
    assert [door["programme"]["name"] for door in body["local_doors"]] == ["Ici"]


def test_private_door_contacts_stay_hidden_in_the_relay_answer(api, doors):
    ProgrammeEntryPoint.objects.filter(structure=doors["herault"]).update(
        contact=ContactFactory(structure=doors["herault"], private=True, name="Agent privé")
    )
    body = api.get("/api/v1/relays/", {"commune": "34172", "service": "export-insurance"}).json()
    [entry] = body["local_doors"][0]["entry_points"]
    assert entry["contact"] is None
    assert entry["text"] == "Votre porte d'entrée locale : CCI Hérault"


# --- The programme endpoints -----------------------------------------------------------------


def test_programme_list_and_detail(api, doors):
    make_programme("Expiré", ends_on=datetime.date(2020, 1, 1))
    occitanie = make_programme(
        "Aide Occitanie", level="regional", area=territory("region", "76"), services=["public-aid"]
    )
    body = api.get("/api/v1/programmes/").json()
    assert [p["slug"] for p in body["results"]] == ["aide-occitanie", "assurance-prospection"]
    first = body["results"][1]
    assert first["services"] == ["export-insurance"]
    assert first["door_count"] == 3 and first["area"] is None
    assert body["results"][0]["area"] == {"level": "region", "code": "76", "name": "Occitanie"}
    detail = api.get(f"/api/v1/programmes/{occitanie.slug}/").json()
    assert detail["level"] == "regional"
    assert api.get("/api/v1/programmes/expire/").status_code == 404


def test_programme_filters(api, doors):
    make_programme(
        "Aide Occitanie", level="regional", area=territory("region", "76"), services=["public-aid"]
    )
    make_programme(
        "Pacte du Rhône",
        level="departemental",
        area=territory("departement", "69"),
        services=["public-aid"],
    )

    def slugs(**params):
        response = api.get("/api/v1/programmes/", params)
        assert response.status_code == 200, response.json()
        return [p["slug"] for p in response.json()["results"]]

    assert slugs(level="regional") == ["aide-occitanie"]
    assert slugs(service="public-aid") == ["aide-occitanie", "pacte-du-rhone"]
    assert slugs(commune="34172") == ["aide-occitanie", "assurance-prospection"]
    assert slugs(commune="69123") == ["assurance-prospection", "pacte-du-rhone"]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/programmes/", {"level": "mondial"}, "level"),
        ("/api/v1/programmes/", {"service": "inconnu"}, "service"),
        ("/api/v1/programmes/", {"commune": "99999"}, "commune"),
        ("/api/v1/programmes/", {"commune": "x" * 40}, "commune"),
        ("/api/v1/programmes/", {"pays": "MA"}, None),
        ("/api/v1/programmes/assurance-prospection/entry-points/", {"commune": "abc"}, "commune"),
        ("/api/v1/programmes/assurance-prospection/entry-points/", {"level": "x"}, "level"),
        (
            "/api/v1/programmes/assurance-prospection/entry-points/",
            {"within": "departement:999"},
            "within",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api, doors, url, params, field):
    response = api.get(url, params)
    assert response.status_code == 400, response.content
    if field:
        assert field in str(response.json())


def test_entry_points_of_a_programme(api, doors):
    url = "/api/v1/programmes/assurance-prospection/entry-points/"
    body = api.get(url).json()
    assert [e["territory"]["code"] for e in body["results"]] == ["FR", "76", "34"]
    herault = body["results"][2]
    assert herault["contact"]["name"] == "Service international"
    assert herault["note"] == "Sur rendez-vous"
    # The door for a commune: the most specific territory containing it.
    at = api.get(url, {"commune": "34172"}).json()["results"]
    assert [e["structure"]["name"] for e in at] == ["CCI Hérault"]
    at = api.get(url, {"commune": "30189"}).json()["results"]
    assert [e["structure"]["name"] for e in at] == ["Bpifrance Occitanie"]
    within = api.get(url, {"within": "region:76"}).json()["results"]
    assert [e["territory"]["code"] for e in within] == ["76", "34"]
    assert [
        e["territory"]["code"] for e in api.get(url, {"level": "country"}).json()["results"]
    ] == ["FR"]
    assert api.get("/api/v1/programmes/inconnu/entry-points/").status_code == 404


def test_the_schema_documents_the_programme_endpoints(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/programmes/{slug}/entry-points/" in paths
    parameters = {p["name"]: p for p in paths["/api/v1/programmes/"]["get"]["parameters"]}
    assert "INSEE" in parameters["commune"]["description"]
    entry = paths["/api/v1/programmes/{slug}/entry-points/"]["get"]
    assert entry["responses"]["200"]["content"]["application/json"]["examples"]
    relay = schema["components"]["schemas"]["RelayResponse"]["properties"]
    assert "local_doors" in relay


def _door_ids(doors_list) -> list[tuple]:
    return [
        (
            door.programme.pk,
            tuple(
                (row.pk, row.contact.pk if row.contact is not None else None)
                for row in door.entry_points
            ),
        )
        for door in doors_list
    ]


@pytest.mark.parametrize("commune", ["34172", "34003", "30189", "69123", "13055"])
def test_the_public_copy_of_the_doors_gives_what_the_query_gives(doors, commune):
    """The public's doors come from a per-process copy of the need's programmes and doors; the
    place is chosen in memory by the same rules (``applying_in``, the finest territory)."""
    from structures.programmes import entry_points_for
    from structures.relay.doors import local_doors
    from tests.relay.lookup import lookup

    if not _exists("commune", commune):
        pytest.skip(f"commune {commune} outside the test reference")
    regional = make_programme("Régional", level="regional", area=territory("region", "76"))
    add_door(regional, "region", "76", doors["region"])
    add_door(regional, "departement", "34", doors["herault"])
    hidden = ContactFactory(structure=doors["region"], private=True, name="Agent privé")
    add_door(make_programme("Autre"), "region", "76", doors["region"], contact=hidden)
    response = lookup(service="export-insurance", commune=commune).response
    location = response.location
    by_query = entry_points_for(
        commune=location.commune,
        service=response.service,
        ancestor_ids=location.ancestor_ids,
        caller=None,
    )
    public = local_doors(response=response)
    assert _door_ids(public) == _door_ids(by_query)
    assert all(
        row.contact is None or row.contact.is_public for door in public for row in door.entry_points
    )


def test_a_new_door_reaches_the_public_at_the_next_answer(api, doors):
    params = {"commune": "34172", "service": "export-insurance"}
    before = api.get("/api/v1/relays/", params).json()["local_doors"]
    other = StructureFactory(
        name="Point d'accueil Montpellier", coverage=[territory("commune", "34172")]
    )
    add_door(doors["programme"], "commune", "34172", other)
    after = api.get("/api/v1/relays/", params).json()["local_doors"]
    assert before != after
    assert "Point d'accueil Montpellier" in str(after)
    other.name = "Point d'accueil renommé"
    other.save()
    assert "Point d'accueil renommé" in str(api.get("/api/v1/relays/", params).json())

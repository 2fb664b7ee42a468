"""Programmes and their local doors: constraints, validation, the most-specific-door rule, the
départements left without a door, and the admin (registry administrators only)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from structures.models import Programme, ProgrammeEntryPoint
from structures.programmes import door_gaps, entry_points_for, programme_entry_points
from tests.structures.admin_support import World, form_data, world  # noqa: F401
from tests.structures.factories import (
    ContactFactory,
    StructureFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def make_programme(**values) -> Programme:
    services = values.pop("services", ())
    defaults = {"name": "Assurance prospection", "level": "national", "operator_name": "Bpifrance"}
    programme = Programme.objects.create(**{**defaults, **values})
    programme.services.set(services)
    return programme


def door(programme, level, code, structure, **values) -> ProgrammeEntryPoint:
    row = ProgrammeEntryPoint(
        programme=programme, territory=territory(level, code), structure=structure, **values
    )
    row.full_clean()
    row.save()
    return row


@pytest.fixture
def desks():
    """Structures covering France, Occitanie, the Hérault, the Montpellier EPCI, Montpellier."""
    return {
        "country": StructureFactory(name="Siège national", coverage=[territory("country", "FR")]),
        "region": StructureFactory(
            name="Direction régionale", coverage=[territory("region", "76")]
        ),
        "departement": StructureFactory(
            name="Antenne de l'Hérault", coverage=[territory("departement", "34")]
        ),
        "gard": StructureFactory(
            name="Antenne du Gard",
            commune=territory("commune", "30189"),
            coverage=[territory("departement", "30")],
        ),
        "epci": StructureFactory(name="Technopole", coverage=[territory("epci", "243400017")]),
        "commune": StructureFactory(
            name="Maison de l'export", coverage=[territory("commune", "34172")]
        ),
    }


# --- Constraints and validation --------------------------------------------------------------


def test_period_end_before_start_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_programme(starts_on=datetime.date(2026, 5, 1), ends_on=datetime.date(2026, 4, 30))


def test_period_end_before_start_is_a_clear_validation_error():
    programme = Programme(
        name="X",
        level="national",
        operator_name="Bpifrance",
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 4, 30),
    )
    with pytest.raises(ValidationError) as exc:
        programme.full_clean()
    assert "postérieure ou égale à la date de début" in str(exc.value)


def test_a_programme_needs_an_operator():
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(name="Sans opérateur", level="national")


def test_a_regional_programme_needs_a_region_as_its_area():
    programme = Programme(name="Aide", level="regional", operator_name="Région")
    with pytest.raises(ValidationError) as exc:
        programme.full_clean()
    assert "area" in exc.value.message_dict
    programme.area = territory("departement", "34")
    with pytest.raises(ValidationError) as exc:
        programme.full_clean()
    assert "région" in " ".join(exc.value.message_dict["area"])
    programme.area = territory("region", "76")
    programme.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(name="Aide", level="regional", operator_name="Région")


def test_a_national_programme_has_no_area():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_programme(area=territory("region", "76"))


def test_one_door_per_programme_territory_and_structure(desks):
    programme = make_programme()
    door(programme, "departement", "34", desks["departement"])
    duplicate = ProgrammeEntryPoint(
        programme=programme,
        territory=territory("departement", "34"),
        structure=desks["departement"],
    )
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "déjà la porte d'entrée" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_door_outside_its_structures_coverage_is_refused_with_a_clear_message(desks):
    programme = make_programme()
    with pytest.raises(ValidationError) as exc:
        door(programme, "departement", "34", desks["gard"])
    message = " ".join(exc.value.message_dict["structure"])
    assert "ne couvre pas Hérault" in message


def test_a_door_outside_a_regional_programmes_area_is_refused(desks):
    programme = make_programme(level="regional", area=territory("region", "76"))
    with pytest.raises(ValidationError) as exc:
        door(programme, "country", "FR", desks["country"])
    assert "territoire d'application" in " ".join(exc.value.message_dict["territory"])
    door(programme, "departement", "34", desks["departement"])


def test_a_doors_contact_belongs_to_its_structure(desks):
    programme = make_programme()
    other = ContactFactory(structure=desks["gard"])
    with pytest.raises(ValidationError) as exc:
        door(programme, "departement", "34", desks["departement"], contact=other)
    assert "contact" in exc.value.message_dict


def test_a_door_abroad_is_refused(desks):
    with pytest.raises(ValidationError) as exc:
        door(make_programme(), "country", "MA", desks["country"])
    assert "territory" in exc.value.message_dict


# --- The most specific door ----------------------------------------------------------------


def test_the_finest_territory_containing_the_commune_wins(desks):
    programme = make_programme(services=[service("export-insurance")])
    door(programme, "country", "FR", desks["country"])
    door(programme, "region", "76", desks["region"])
    door(programme, "departement", "34", desks["departement"])
    montpellier, nimes = territory("commune", "34172"), territory("commune", "30189")
    [found] = entry_points_for(commune=montpellier, service=service("export-insurance"))
    assert [r.structure for r in found.entry_points] == [desks["departement"]]
    # Nîmes: no door in the Gard, the région's door applies.
    [found] = entry_points_for(commune=nimes, programmes=[programme])
    assert [r.structure for r in found.entry_points] == [desks["region"]]
    # An EPCI door beats the département's, a commune door beats the EPCI's.
    door(programme, "epci", "243400017", desks["epci"])
    [found] = entry_points_for(commune=montpellier, programmes=[programme])
    assert [r.structure for r in found.entry_points] == [desks["epci"]]
    door(programme, "commune", "34172", desks["commune"])
    [found] = entry_points_for(commune=montpellier, programmes=[programme])
    assert [r.structure for r in found.entry_points] == [desks["commune"]]
    # Lyon: only France's.
    [found] = entry_points_for(commune=territory("commune", "69123"), programmes=[programme])
    assert [r.structure for r in found.entry_points] == [desks["country"]]


def test_doors_on_the_same_territory_are_all_given_by_name(desks):
    programme = make_programme()
    other = StructureFactory(name="Autre antenne", coverage=[territory("departement", "34")])
    door(programme, "departement", "34", desks["departement"])
    door(programme, "departement", "34", other)
    [found] = entry_points_for(commune=territory("commune", "34172"), programmes=[programme])
    assert [r.structure.name for r in found.entry_points] == [
        "Antenne de l'Hérault",
        "Autre antenne",
    ]


def test_a_programme_without_a_door_here_is_given_without_one(desks):
    programme = make_programme(services=[service("export-insurance")])
    door(programme, "departement", "30", desks["gard"])
    [found] = entry_points_for(
        commune=territory("commune", "34172"), service=service("export-insurance")
    )
    assert found.programme == programme and not found.has_door


def test_only_current_active_applicable_programmes_and_published_doors(desks):
    insurance = service("export-insurance")
    today = datetime.date(2026, 6, 1)
    expired = make_programme(name="Ancien", ends_on=datetime.date(2026, 1, 1), services=[insurance])
    future = make_programme(name="Futur", starts_on=datetime.date(2027, 1, 1), services=[insurance])
    inactive = make_programme(name="Inactif", is_active=False, services=[insurance])
    elsewhere = make_programme(
        name="Région Rhône", level="regional", area=territory("region", "84"), services=[insurance]
    )
    other_need = make_programme(name="Autre besoin", services=[service("trade-fairs")])
    current = make_programme(name="En vigueur", ends_on=today, services=[insurance])
    hidden = StructureFactory(
        name="Non validée", unvalidated=True, coverage=[territory("departement", "34")]
    )
    for programme in (expired, future, inactive, other_need, current):
        door(programme, "departement", "34", desks["departement"])
    door(current, "commune", "34172", hidden)
    assert elsewhere.pk
    found = entry_points_for(commune=territory("commune", "34172"), service=insurance, on=today)
    assert [d.programme for d in found] == [current]
    # The unvalidated structure's finer door is none: the département's applies.
    assert [r.structure for r in found[0].entry_points] == [desks["departement"]]


def test_private_contacts_are_not_shown_to_the_public(desks):
    programme = make_programme()
    private = ContactFactory(structure=desks["departement"], private=True, name="Agent privé")
    door(programme, "departement", "34", desks["departement"], contact=private)
    [found] = entry_points_for(commune=territory("commune", "34172"), programmes=[programme])
    assert found.entry_points[0].contact is None
    public = ContactFactory(structure=desks["departement"], name="Guichet export")
    ProgrammeEntryPoint.objects.update(contact=public)
    [found] = entry_points_for(commune=territory("commune", "34172"), programmes=[programme])
    assert found.entry_points[0].contact == public


def test_the_selector_runs_a_fixed_number_of_queries(desks, django_assert_num_queries):
    programmes = [make_programme(name=f"P{i}", services=[service("public-aid")]) for i in range(5)]
    for programme in programmes:
        for key in ("country", "region", "departement"):
            level = {"country": "country", "region": "region", "departement": "departement"}[key]
            code = {"country": "FR", "region": "76", "departement": "34"}[key]
            door(programme, level, code, desks[key], contact=ContactFactory(structure=desks[key]))
    montpellier, need = territory("commune", "34172"), service("public-aid")
    # Ancestors, programmes, doors with their readable contacts.
    with django_assert_num_queries(3):
        found = entry_points_for(commune=montpellier, service=need)
        assert all(d.entry_points[0].contact.name for d in found)
    assert len(found) == 5


# --- Programme page order and the départements without a door -------------------------------


def test_programme_doors_are_listed_widest_territory_first(desks):
    programme = make_programme()
    door(programme, "commune", "34172", desks["commune"])
    door(programme, "country", "FR", desks["country"])
    door(programme, "departement", "34", desks["departement"])
    rows = list(programme_entry_points(programme=programme))
    assert [r.territory.level for r in rows] == ["country", "departement", "commune"]


def test_door_gaps_count_departements_no_door_reaches(desks):
    national = make_programme(name="National")
    regional = make_programme(name="Régional", level="regional", area=territory("region", "76"))
    nothing = make_programme(name="Sans porte")
    door(national, "region", "76", desks["region"])
    door(
        national,
        "commune",
        "69123",
        StructureFactory(
            commune=territory("commune", "69123"), coverage=[territory("commune", "69123")]
        ),
    )
    door(regional, "departement", "34", desks["departement"])
    gaps = door_gaps(programmes=[national, regional, nothing])
    from territories.models import Territory

    all_deps = Territory.objects.current().filter(level="departement").count()
    occitanie = (
        Territory.objects.current()
        .filter(
            level="departement",
            ancestor_links__ancestor__level="region",
            ancestor_links__ancestor__code="76",
        )
        .count()
    )
    assert gaps[nothing.pk].departements == all_deps and gaps[nothing.pk].missing == all_deps
    # Occitanie's départements are reached through the région's door, the Rhône through Lyon.
    reached = {t.code for t in gaps[national.pk].without_door}
    assert "34" not in reached and "30" not in reached and "69" not in reached
    assert "13" in reached
    assert gaps[national.pk].missing == all_deps - occitanie - 1
    # A regional programme counts only its région's départements.
    assert gaps[regional.pk].departements == occitanie
    assert [t.code for t in gaps[regional.pk].without_door if t.code == "34"] == []
    assert gaps[regional.pk].missing == occitanie - 1


def test_door_gaps_run_a_fixed_number_of_queries(desks, django_assert_num_queries):
    programmes = [make_programme(name=f"P{i}") for i in range(4)]
    programmes.append(
        make_programme(name="Régional", level="regional", area=territory("region", "76"))
    )
    for programme in programmes:
        door(programme, "region", "76", desks["region"])
    # Départements, the areas' départements, doors below and above the département level.
    with django_assert_num_queries(4):
        gaps = door_gaps(programmes=programmes)
    assert len(gaps) == 5 and all(gap.departements for gap in gaps.values())


# --- Admin: registry administrators only ------------------------------------------------------


def test_staff_of_a_chamber_can_neither_see_nor_edit_programmes(client, world):  # noqa: F811
    programme = make_programme()
    client.force_login(world.alice)
    assert client.get("/admin/structures/programme/").status_code == 403
    assert client.get("/admin/structures/programme/add/").status_code == 403
    change = client.get(f"/admin/structures/programme/{programme.pk}/change/")
    assert change.status_code in (302, 403)
    response = client.post(
        f"/admin/structures/programme/{programme.pk}/change/", {"name": "Piraté"}
    )
    assert response.status_code in (302, 403)
    programme.refresh_from_db()
    assert programme.name == "Assurance prospection"


def test_a_registry_administrator_adds_a_programme_with_a_door(client, world):  # noqa: F811
    world.herault.coverage.set([territory("departement", "34")])
    client.force_login(world.carol)
    page = client.get("/admin/structures/programme/add/")
    assert page.status_code == 200
    assert "Ce que le dispositif apporte" in page.content.decode()  # French help text
    data = form_data(page)
    data.update(
        {
            "name": "V.I.E",
            "slug": "",
            "level": "national",
            "operator_name": "Business France",
            "services": [str(service("shared-export-staff").pk)],
            "is_active": "on",
            "entry_points-TOTAL_FORMS": "1",
            "entry_points-0-territory": str(territory("departement", "34").pk),
            "entry_points-0-structure": str(world.herault.pk),
            "entry_points-0-contact": str(world.herault_contact.pk),
            "entry_points-0-note": "Sur rendez-vous",
        }
    )
    response = client.post("/admin/structures/programme/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(name="V.I.E")
    assert programme.slug == "vie"
    assert programme.entry_points.get().contact == world.herault_contact


def test_the_admin_shows_a_door_outside_coverage_as_a_form_error(client, world):  # noqa: F811
    client.force_login(world.carol)
    page = client.get("/admin/structures/programme/add/")
    data = form_data(page)
    data.update(
        {
            "name": "V.I.E",
            "level": "national",
            "operator_name": "Business France",
            "is_active": "on",
            "entry_points-TOTAL_FORMS": "1",
            "entry_points-0-territory": str(territory("departement", "34").pk),
            "entry_points-0-structure": str(world.gard.pk),
        }
    )
    response = client.post("/admin/structures/programme/add/", data)
    assert response.status_code == 200
    assert "ne couvre pas Hérault" in response.content.decode()
    assert not Programme.objects.exists()


def test_the_admin_list_filters_and_searches(client, world):  # noqa: F811
    make_programme(name="Garantie Alpha")
    make_programme(name="Aide Occitanie", level="regional", area=territory("region", "76"))
    client.force_login(world.carol)
    listed = client.get("/admin/structures/programme/?level__exact=regional").content.decode()
    assert "Aide Occitanie" in listed and "Garantie Alpha" not in listed
    found = client.get("/admin/structures/programme/?q=Bpifrance").content.decode()
    assert "Garantie Alpha" in found

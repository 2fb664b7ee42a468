"""Possible duplicates (issue 13, point 6): detection, the admin's add form, the report, the
pre-import check."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from structures.duplicates import Probe, duplicate_candidates, duplicate_pairs
from structures.models import Structure
from tests.structures import admin_support
from tests.structures.factories import StructureFactory, territory

pytestmark = pytest.mark.django_db

world = admin_support.world
as_user = admin_support.as_user

HERAULT = {
    "name": "Chambre de commerce et d'industrie Hérault",
    "acronym": "CCI Hérault",
}


def probe(**values) -> Probe:
    return Probe.from_values({**HERAULT, **values})


def test_an_identical_cci_at_the_same_point_is_a_candidate():
    existing = StructureFactory(**HERAULT, commune=territory("commune", "34172"))
    found = duplicate_candidates(
        probe(latitude=existing.latitude + 0.001, longitude=existing.longitude)
    )
    assert [c.structure for c in found] == [existing]
    assert found[0].reasons == ("nom très proche (100 %) à 0,1 km",)


def test_spelling_variants_nearby_are_candidates_other_bodies_are_not():
    montpellier = territory("commune", "34172")
    cci = StructureFactory(**HERAULT, commune=montpellier)
    StructureFactory(  # another body in the same town
        name="Chambre de métiers et de l'artisanat de l'Hérault",
        acronym="CMA 34",
        commune=montpellier,
    )
    found = duplicate_candidates(
        Probe.from_values(
            {
                "name": "Chambre de Commerce et d'Industrie de l'Herault",
                "latitude": montpellier.latitude,
                "longitude": montpellier.longitude,
            }
        )
    )
    assert [c.structure for c in found] == [cci]


def test_the_same_name_far_away_is_not_a_candidate_the_same_phone_or_email_is():
    far = StructureFactory(**HERAULT, commune=territory("commune", "30189"), phone="+33466000000")
    point = territory("commune", "34172")
    assert duplicate_candidates(probe(latitude=point.latitude, longitude=point.longitude)) == []

    by_phone = duplicate_candidates(
        Probe.from_values({"name": "Autre nom", "phone": "04 66 00 00 00"})
    )
    assert [(c.structure, c.reasons) for c in by_phone] == [(far, ("même téléphone",))]
    by_email = duplicate_candidates(
        Probe.from_values({"name": "Autre nom", "email": far.email.upper()})
    )
    assert [(c.structure, c.reasons) for c in by_email] == [(far, ("même courriel",))]


def test_a_listing_is_not_its_own_candidate_and_merged_listings_are_left_out():
    first = StructureFactory(**HERAULT)
    second = StructureFactory(**HERAULT)
    assert [c.structure for c in duplicate_candidates(Probe.of(first))] == [second]
    Structure.objects.filter(pk=second.pk).update(merged_into=first, is_active=False)
    assert duplicate_candidates(Probe.of(first)) == []


def test_the_registry_report_pairs_nearby_names_and_shared_identifiers():
    montpellier, nimes = territory("commune", "34172"), territory("commune", "30189")
    a = StructureFactory(**HERAULT, commune=montpellier)
    b = StructureFactory(**HERAULT, commune=montpellier, email=a.email.upper())
    c = StructureFactory(name="Club export Gard", commune=nimes, phone="+33466000000")
    d = StructureFactory(name="Réseau des exportateurs", commune=montpellier, phone=c.phone)
    StructureFactory(**HERAULT, commune=nimes)  # same name, 50 km away: no pair with a or b

    pairs = {(p.first.pk, p.second.pk): p.reasons for p in duplicate_pairs()}
    assert pairs == {
        (a.pk, b.pk): ("nom très proche (100 %) au même endroit", "même courriel"),
        (c.pk, d.pk): ("même téléphone",),
    }


# --- The admin -------------------------------------------------------------------------------


def _add_payload(world, **extra) -> dict:
    return {
        "name": world.herault.name,
        "acronym": world.herault.acronym,
        "kind": world.herault.kind,
        "commune": world.herault.commune_id,
        "postal_code": "34000",
        "latitude": world.herault.latitude,
        "longitude": world.herault.longitude,
        "coordinate_precision": "commune",
        "is_active": "on",
        **{f"{prefix}-TOTAL_FORMS": "0" for prefix in _inline_prefixes(world)},
        **{f"{prefix}-INITIAL_FORMS": "0" for prefix in _inline_prefixes(world)},
        **extra,
    }


def _inline_prefixes(world):
    return ["contacts", "structurecoverage_set", "offers", "member_counts", "outgoing_links",
            "staff_memberships"]  # fmt: skip


def test_the_add_form_lists_candidates_and_needs_an_explicit_confirmation(world, as_user):
    client = as_user(world.carol)
    url = reverse("admin:structures_structure_add")
    response = client.post(url, _add_payload(world))
    assert response.status_code == 200, "refused: the form is shown again"
    form = response.context["adminform"].form
    assert "Ce n" in str(form.errors["not_a_duplicate"])
    page = response.content.decode()
    assert reverse("admin:structures_structure_change", args=[world.herault.pk]) in page
    assert "nom très proche (100 %)" in page
    assert Structure.objects.filter(name=world.herault.name).count() == 1

    response = client.post(url, _add_payload(world, not_a_duplicate="on"))
    assert response.status_code == 302
    assert Structure.objects.filter(name=world.herault.name).count() == 2


def test_the_add_form_saves_at_once_without_candidates(world, as_user):
    client = as_user(world.carol)
    payload = _add_payload(world, name="Club des exportateurs du Pic Saint-Loup", acronym="")
    payload.update(latitude="43.78", longitude="3.81")
    response = client.post(reverse("admin:structures_structure_add"), payload)
    assert response.status_code == 302
    assert Structure.objects.filter(name__startswith="Club des exportateurs").exists()


def test_the_report_is_for_registry_administrators(world, as_user):
    twin = StructureFactory(name=world.herault.name, acronym="CCI Hérault")
    url = reverse("admin:structures_structure_duplicates")
    page = as_user(world.carol).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("admin:structures_structure_merge", args=[twin.pk]) in body
    assert "1 paire au total." in body
    changelist = as_user(world.carol).get(reverse("admin:structures_structure_changelist"))
    assert url in changelist.content.decode()
    assert as_user(world.alice).get(url).status_code == 403
    assert (
        url
        not in as_user(world.alice)
        .get(reverse("admin:structures_structure_changelist"))
        .content.decode()
    )


def test_the_pre_import_check_reports_candidates_per_line(world, tmp_path):
    csv_file = tmp_path / "structures.csv"
    csv_file.write_text(
        "name;acronym;latitude;longitude;phone;email\n"
        f"Club export inconnu;;48.85;2.35;;\n"
        f"{world.herault.name};CCI Hérault;{world.herault.latitude};{world.herault.longitude};;\n"
        "Autre;;;;04 99 51 53 00;\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("find_duplicates", str(csv_file), stdout=out)
    report = out.getvalue()
    assert "Ligne 2" not in report
    assert f"Ligne 3 — {world.herault.name}" in report
    assert "Ligne 4 — Autre" in report and "même téléphone" in report
    assert "3 ligne(s) lue(s), 2 avec doublon(s) possible(s)." in report


def test_the_command_lists_the_registry_pairs_without_a_file():
    StructureFactory(**HERAULT)
    StructureFactory(**HERAULT)
    out = io.StringIO()
    call_command("find_duplicates", stdout=out)
    assert "nom très proche (100 %) au même endroit" in out.getvalue()
    assert "1 paire(s) de doublons possibles." in out.getvalue()

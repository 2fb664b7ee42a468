"""Change lists and forms the staff can work with: filters, search, action, speed, validation."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from structures.models import Offer, Structure
from structures.permissions import REGISTRY_ADMIN_GROUP, STAFF_GROUP
from structures.querysets import months_ago
from tests.structures import admin_support
from tests.structures.admin_support import form_data, inline_prefix
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    UserFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db

# Shared fixtures (tests/structures/admin_support.py).
as_user = admin_support.as_user
world = admin_support.world

CHANGELIST = "/admin/structures/structure/"


def _names(response) -> set[str]:
    return {s.name for s in response.context["cl"].result_list}


@pytest.fixture
def regions():
    lyon = StructureFactory(
        name="Club export Lyon", club=True, commune=territory("commune", "69123")
    )
    marseille = StructureFactory(name="CCI Marseille", commune=territory("commune", "13055"))
    montpellier = StructureFactory(
        name="Pépinière Montpellier", commune=territory("commune", "34172")
    )
    return lyon, marseille, montpellier


def test_region_filter_uses_the_commune_region(world, as_user, regions):
    occitanie = territory("region", "76")
    response = as_user(world.root).get(CHANGELIST, {"region": occitanie.pk})
    names = _names(response)
    assert "Pépinière Montpellier" in names
    assert world.gard.name in names  # Nîmes is in Occitanie too
    assert "Club export Lyon" not in names and "CCI Marseille" not in names
    # The filter offers the régions by name.
    assert "Occitanie" in response.content.decode()


def test_region_filter_ignores_garbage(world, as_user):
    assert as_user(world.root).get(CHANGELIST, {"region": "abc"}).status_code == 200


def test_freshness_filter(world, as_user):
    old = StructureFactory(name="Fiche ancienne", stale=True)
    to_check = StructureFactory(name="Fiche de 13 mois", verified_at=months_ago(13))
    # Never confirmed: counts from its creation (20 months ago).
    never = StructureFactory(name="Fiche jamais vérifiée", never_verified=True)
    Structure.objects.filter(pk=never.pk).update(created_at=months_ago(20))
    new = StructureFactory(name="Fiche nouvelle", never_verified=True)
    client = as_user(world.root)
    stale = _names(client.get(CHANGELIST, {"fraicheur": "stale"}))
    assert {old.name, never.name} <= stale
    assert not {world.herault.name, to_check.name, new.name} & stale
    assert _names(client.get(CHANGELIST, {"fraicheur": "to_check"})) == {to_check.name}
    fresh = _names(client.get(CHANGELIST, {"fraicheur": "fresh"}))
    assert {world.herault.name, new.name} <= fresh
    assert not {old.name, never.name, to_check.name} & fresh
    assert client.get(CHANGELIST, {"fraicheur": "garbage"}).status_code == 200


def test_service_filter(world, as_user):
    fairs = service("trade-fairs")
    OfferFactory(structure=world.gard, service=fairs)
    names = _names(as_user(world.root).get(CHANGELIST, {"service": fairs.pk}))
    assert names == {world.gard.name}


def test_kind_active_and_validated_filters(world, as_user):
    StructureFactory(name="Club inactif", club=True, inactive=True, unvalidated=True)
    client = as_user(world.root)
    assert _names(client.get(CHANGELIST, {"kind__exact": "exporters_club"})) == {"Club inactif"}
    assert "Club inactif" in _names(client.get(CHANGELIST, {"is_active__exact": "0"}))
    assert "Club inactif" in _names(client.get(CHANGELIST, {"is_validated__exact": "0"}))


@pytest.mark.parametrize(
    ("term", "expected"),
    [("herault", "herault"), ("CCI Gard", "gard"), ("nimes", "gard"), ("30189", "gard")],
)
def test_search_by_name_acronym_commune_and_code(world, as_user, term, expected):
    names = _names(as_user(world.root).get(CHANGELIST, {"q": term}))
    assert names == {getattr(world, expected).name}


def test_confirm_action_calls_the_service_and_is_recorded(world, as_user):
    Structure.objects.filter(pk=world.herault.pk).update(
        verified_at=timezone.now() - datetime.timedelta(days=500)
    )
    response = as_user(world.alice).post(
        CHANGELIST,
        {"action": "confirm_up_to_date", "_selected_action": [world.herault.pk]},
        follow=True,
    )
    assert "1 fiche confirmée à jour." in response.content.decode()
    world.herault.refresh_from_db()
    assert world.herault.verified_at > timezone.now() - datetime.timedelta(minutes=1)
    assert world.herault.verified_by == world.alice
    assert world.herault.history.latest().history_user == world.alice


def test_confirm_checkbox_on_the_change_form(world, as_user):
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    Structure.objects.filter(pk=world.herault.pk).update(verified_at=None)
    data = form_data(client.get(url))
    data["confirm_up_to_date"] = "on"
    assert client.post(url, data).status_code == 302
    world.herault.refresh_from_db()
    assert world.herault.verified_at is not None
    assert world.herault.verified_by == world.alice


def test_publication_actions_are_for_registry_administrators_only(world, as_user):
    staff_actions = as_user(world.alice).get(CHANGELIST).context["action_form"].fields["action"]
    assert {c[0] for c in staff_actions.choices} == {"", "confirm_up_to_date"}
    Structure.objects.filter(pk=world.gard.pk).update(is_validated=False)
    as_user(world.carol).post(
        CHANGELIST, {"action": "publish", "_selected_action": [world.gard.pk]}
    )
    world.gard.refresh_from_db()
    assert world.gard.is_validated


@pytest.mark.parametrize(
    "url",
    [
        "/admin/structures/structure/{herault}/change/",
        "/admin/structures/offer/{offer}/change/",
        "/admin/structures/structure/add/",
        "/admin/structures/offer/add/",
    ],
)
def test_forms_never_render_territories_as_a_giant_select(world, as_user, url):
    """Thousands of communes are loaded: every territory field is an autocomplete."""
    response = as_user(world.root).get(
        url.format(herault=world.herault.pk, offer=world.herault_offer.pk)
    )
    assert response.status_code == 200
    assert response.content.decode().count("<option") < 300


def _commune_autocomplete(client, term):
    return client.get(
        "/admin/autocomplete/",
        {
            "app_label": "structures",
            "model_name": "structure",
            "field_name": "commune",
            "term": term,
        },
    ).json()["results"]


def test_commune_autocomplete_finds_communes_only(world, as_user):
    client = as_user(world.alice)
    texts = [r["text"] for r in _commune_autocomplete(client, "montpel")]
    assert "Montpellier (34172)" in texts
    assert all(text.endswith(")") and "Département" not in text for text in texts)
    # "Hérault" is a département, not a commune: not offered for the commune field.
    assert not any("Département" in r["text"] for r in _commune_autocomplete(client, "herault"))


def test_changelist_queries_do_not_grow_with_rows(world, as_user, django_assert_max_num_queries):
    for n in range(30):
        structure = StructureFactory(
            name=f"Structure {n:02d}", commune=territory("commune", "30189")
        )
        OfferFactory(structure=structure)
        ContactFactory(structure=structure)
        StaffMembershipFactory(user=world.alice, structure=structure)
    for user in (world.root, world.alice):
        client = as_user(user)
        client.get(CHANGELIST)  # warm the session and permission caches
        with django_assert_max_num_queries(10):
            response = client.get(CHANGELIST)
        assert len(response.context["cl"].result_list) >= 30
    client = as_user(world.alice)
    for url in ("/admin/structures/offer/", "/admin/structures/contact/"):
        client.get(url)
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_structure_page_queries_are_bounded(world, as_user, django_assert_max_num_queries):
    for code in ("trade-fairs", "partner-search", "export-finance", "mentoring", "translation"):
        OfferFactory(structure=world.herault, service=service(code))
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    client.get(url)
    # Constant in the number of offer rows: services and contacts are read once per formset
    # (the moderation state and the duplicates' mixin add a fixed few to the page).
    with django_assert_max_num_queries(24) as five_offers:
        assert client.get(url).status_code == 200
    for code in ("export-diagnosis", "customs-regulations"):
        OfferFactory(structure=world.herault, service=service(code))
    with django_assert_max_num_queries(24) as seven_offers:
        assert client.get(url).status_code == 200
    assert len(seven_offers.captured_queries) == len(five_offers.captured_queries)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("opening_hours", "lundi 9h-12h", "inconnu"),
        ("phone", "12", "téléphone"),
        ("postal_code", "3400", "cinq chiffres"),
        ("email", "pas-un-courriel", "adresse e-mail valide"),
    ],
)
def test_bad_input_is_a_french_form_error_not_a_500(world, as_user, field, value, message):
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    data = form_data(client.get(url))
    data[field] = value
    response = client.post(url, data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors.get(field, []))
    assert message in errors.lower() or message in errors


def test_offer_contact_must_belong_to_the_offer_structure(world, as_user):
    """Even a registry administrator cannot name another structure's contact."""
    client = as_user(world.root)
    url = f"/admin/structures/offer/{world.herault_offer.pk}/change/"
    data = form_data(client.get(url))
    data["contact"] = str(world.gard_contact.pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "même structure" in " ".join(response.context["adminform"].form.errors["contact"]) or (
        "appartenir" in " ".join(response.context["adminform"].form.errors["contact"])
    )


def test_new_offer_is_prefilled_with_the_staff_members_structure(world, as_user):
    response = as_user(world.alice).get("/admin/structures/offer/add/")
    assert response.context["adminform"].form.initial["structure"] == world.herault.pk


def test_setup_staff_groups_is_idempotent(db):
    call_command("setup_staff_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("setup_staff_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    staff = Group.objects.get(name=STAFF_GROUP)
    codenames = set(staff.permissions.values_list("codename", flat=True))
    # add_structure: antennas of their network, unpublished until validated (moderation).
    assert {"view_structure", "add_structure", "change_structure", "add_offer"} <= codenames
    assert "delete_contact" in codenames and "delete_structure" not in codenames
    assert "manage_all_structures" not in codenames
    admins = Group.objects.get(name=REGISTRY_ADMIN_GROUP)
    assert admins.permissions.filter(codename="manage_all_structures").exists()
    assert Group.objects.filter(name__in=[STAFF_GROUP, REGISTRY_ADMIN_GROUP]).count() == 2


def test_staff_without_the_group_cannot_reach_the_admin_pages(world, as_user):
    loner = UserFactory(username="loner")
    StaffMembershipFactory(user=loner, structure=world.herault)
    assert as_user(loner).get(CHANGELIST).status_code == 403


def test_changing_an_offer_to_a_service_already_offered_is_a_form_error(world, as_user):
    OfferFactory(structure=world.herault, service=service("trade-fairs"))
    client = as_user(world.alice)
    url = f"/admin/structures/offer/{world.herault_offer.pk}/change/"
    data = form_data(client.get(url))
    data["service"] = str(service("trade-fairs").pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "propose déjà ce service" in " ".join(
        response.context["adminform"].form.errors["service"]
    )


def test_two_offer_rows_for_the_same_service_is_a_form_error(world, as_user):
    OfferFactory(structure=world.herault, service=service("trade-fairs"))
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    response = client.get(url)
    data = form_data(response)
    prefix = inline_prefix(response, Offer)
    data[f"{prefix}-1-service"] = data[f"{prefix}-0-service"]
    response = client.post(url, data)
    assert response.status_code == 200
    formset = next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is Offer
    )
    errors = str(formset.errors) + str(formset.non_form_errors())
    assert "service" in errors and "double" in errors, errors

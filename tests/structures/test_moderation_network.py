"""Staff in their network: creating an antenna (unpublished until validated) and proposing a
network head (``structures.moderation``: ``create_listing``, ``check_creation``,
``check_parent``), through the services and the admin; the API's side is in
``tests/api/test_moderation.py``.
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from structures import moderation, selectors, services
from structures.enums import PendingChangeStatus, StructureKind
from structures.models import AccountScope, PendingChange, StaffMembership, Structure
from structures.relay.index import RelayIndexEntry
from tests.structures import admin_support
from tests.structures.admin_support import form_data
from tests.structures.factories import OfferFactory, StructureFactory, UserFactory, service
from tests.structures.factories import territory as place

pytestmark = pytest.mark.django_db

as_user = admin_support.as_user
world = admin_support.world

ADD_URL = "/admin/structures/structure/add/"


def _change_url(structure):
    return f"/admin/structures/structure/{structure.pk}/change/"


def _antenna_data(world, **extra):
    return {
        "name": "Antenne CCI Hérault du bassin de Thau",
        "kind": StructureKind.CCI,
        "parent": world.herault,
        "commune": place("commune", "34301"),
        "postal_code": "34200",
        **extra,
    }


@pytest.fixture
def occitanie(world):
    """A published regional head, outside Alice's and Bob's structures."""
    return StructureFactory(
        name="CCI Occitanie", kind="cci_regional", commune=place("commune", "34172")
    )


# --- Creation: services -------------------------------------------------------------------------


def test_staff_create_an_antenna_of_their_structure_unpublished_with_its_history(world):
    antenna = moderation.create_listing(data=_antenna_data(world), user=world.alice)
    assert not antenna.is_validated and antenna.parent == world.herault
    assert StaffMembership.objects.filter(user=world.alice, structure=antenna).exists()
    # Not shown anywhere public before the approval.
    assert not selectors.structure_list(query="Thau").exists()
    assert antenna in Structure.objects.editable_by(world.alice)
    # The registry administrator publishes it; the history keeps both.
    services.set_structure_validation(structure=antenna, is_validated=True, user=world.carol)
    assert selectors.structure_list(query="Thau").exists()
    reasons = list(
        Structure.objects.get(pk=antenna.pk)
        .history.order_by("history_id")
        .values_list("history_change_reason", "history_user")
    )
    assert reasons[0] == ("Création", world.alice.pk)
    assert reasons[-1] == ("Validation", world.carol.pk)


@pytest.mark.parametrize(
    "change, field",
    [
        ("no_head", "parent"),  # a listing of its own: the registry's decision
        ("other_network", "parent"),  # another chamber's network
        ("out_of_scope", "commune"),  # Nîmes (30), outside Alice's account scope (34)
    ],
)
def test_staff_cannot_create_outside_their_network_or_scope(world, change, field):
    AccountScope.objects.create(user=world.alice).territories.set([place("departement", "34")])
    extra = {
        "no_head": {"parent": None},
        "other_network": {"parent": world.gard},
        "out_of_scope": {"commune": place("commune", "30189"), "postal_code": "30000"},
    }[change]
    with pytest.raises(ValidationError) as refused:
        moderation.create_listing(data=_antenna_data(world, **extra), user=world.alice)
    assert field in refused.value.message_dict
    assert not Structure.objects.filter(name__contains="Thau").exists()
    assert not moderation.may_create_structures(UserFactory())  # no team: no creation at all


def test_a_registry_administrator_creates_anything_as_given(world):
    created = moderation.create_listing(
        data=_antenna_data(world, parent=None, is_validated=True), user=world.carol
    )
    assert created.is_validated and created.parent is None
    assert not StaffMembership.objects.filter(structure=created).exists()


def test_an_unpublished_listing_keeps_its_head_within_the_network(world, occitanie):
    antenna = moderation.create_listing(data=_antenna_data(world), user=world.alice)
    # The creator keeps editing it, sensitive fields included: nothing is public yet.
    result = moderation.update_or_propose(
        structure=antenna,
        data={"name": "Antenne de Sète", "phone": "04 67 00 00 01"},
        expected_version=antenna.version,
        user=world.alice,
    )
    assert result.pending is None and result.structure.name == "Antenne de Sète"
    # But not to move it out of the network it was created in, even to a published head.
    for head in (world.gard, occitanie, None):
        with pytest.raises(ValidationError, match="l'une des structures dont vous faites partie"):
            moderation.update_or_propose(
                structure=result.structure,
                data={"parent": head},
                expected_version=result.structure.version,
                user=world.alice,
            )
    assert Structure.objects.get(pk=antenna.pk).parent == world.herault


def test_an_unpublished_antenna_is_not_indexed_for_the_relay_until_approved(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        antenna = moderation.create_listing(data=_antenna_data(world), user=world.alice)
        OfferFactory(structure=antenna, service=service("prospecting-missions"))
    assert not RelayIndexEntry.objects.filter(structure=antenna).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_structure_validation(structure=antenna, is_validated=True, user=world.carol)
    assert RelayIndexEntry.objects.filter(structure=antenna).exists()


# --- Creation: the admin and "Mes fiches" -------------------------------------------------------


def test_staff_create_an_antenna_in_the_admin_and_find_it_waiting_on_their_listings(world, as_user):
    client = as_user(world.alice)
    listings = client.get("/espace/").content.decode()
    assert f"{ADD_URL}?parent={world.herault.pk}" in listings  # from their own listing
    page = client.get(f"{ADD_URL}?parent={world.herault.pk}")
    assert page.status_code == 200
    data = form_data(page)
    assert data["parent"] == str(world.herault.pk)
    data.update(
        name="Antenne CCI Hérault du bassin de Thau",
        kind=StructureKind.CCI,
        commune=place("commune", "34301").pk,
        postal_code="34200",
    )
    response = client.post(ADD_URL, data, follow=True)
    assert response.redirect_chain[-1][0] == "/espace/"
    antenna = Structure.objects.get(name__contains="Thau")
    assert not antenna.is_validated
    listings = response.content.decode()
    assert "Antenne CCI Hérault du bassin de Thau" in listings
    assert "En attente de validation" in listings
    # The creator keeps editing it until it is approved: a rename applies at once.
    url = _change_url(antenna)
    data = form_data(client.get(url))
    data["name"] = "Antenne CCI Hérault à Sète"
    assert client.post(url, data).status_code == 302
    assert Structure.objects.get(pk=antenna.pk).name == "Antenne CCI Hérault à Sète"
    assert not PendingChange.objects.exists()
    # Nobody else sees it: the public page, the API, another chamber's staff.
    anonymous = Client()
    assert anonymous.get(f"/structures/{antenna.slug}/").status_code == 404
    assert anonymous.get(f"/api/v1/structures/{antenna.slug}/").status_code == 404
    assert antenna.slug not in anonymous.get("/api/v1/structures/?q=Sete").content.decode()
    assert as_user(world.bob).get(_change_url(antenna)).status_code in (302, 403, 404)
    # The registry administrators' queue lists it.
    queue = as_user(world.carol).get("/admin/structures/structure/?moderation=to_validate")
    assert list(queue.context["cl"].result_list) == [antenna]


def test_the_admin_refuses_a_head_outside_the_network_with_a_form_error(world, as_user):
    client = as_user(world.alice)
    data = form_data(client.get(ADD_URL))
    data.update(
        name="Antenne fantôme",
        kind=StructureKind.CCI,
        commune=place("commune", "34301").pk,
        postal_code="34200",
        parent=world.gard.pk,  # published, so offered; but not Alice's network
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "l&#x27;une des structures dont vous faites partie" in response.content.decode()
    data["parent"] = ""
    assert client.post(ADD_URL, data).status_code == 200
    assert not Structure.objects.filter(name="Antenne fantôme").exists()


def test_staff_without_a_team_are_offered_no_creation(world, as_user):
    alone = UserFactory(username="eve")
    alone.groups.add(*world.alice.groups.all())
    client = as_user(alone)
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, {"name": "X"}).status_code == 403


# --- The network head of a published listing: a proposal -------------------------------------


def _propose_head(world, head):
    return moderation.update_or_propose(
        structure=world.herault,
        data={"parent": head},
        expected_version=Structure.objects.get(pk=world.herault.pk).version,
        user=world.alice,
    )


def test_a_staff_change_of_the_network_head_waits_and_approval_applies_it(world, occitanie):
    result = _propose_head(world, occitanie)
    assert result.pending.proposed == {"parent": occitanie.pk}
    assert result.pending.base_values == {"parent": None}
    assert "de la tête de réseau" in result.message
    assert Structure.objects.get(pk=world.herault.pk).parent is None  # the published one stays
    assert selectors.structure_detail(slug=world.herault.slug).parent is None
    moderation.approve_pending_change(pending=result.pending, user=world.carol)
    herault = Structure.objects.get(pk=world.herault.pk)
    assert herault.parent == occitanie
    approval, proposal = herault.history.order_by("-history_id")[:2]
    assert approval.history_user == world.carol and approval.parent_id == occitanie.pk
    assert "tête de réseau" in approval.history_change_reason
    assert proposal.history_user == world.alice and proposal.parent_id is None


def test_a_rejected_network_head_leaves_the_published_listing(world, occitanie):
    pending = _propose_head(world, occitanie).pending
    moderation.reject_pending_change(pending=pending, user=world.carol, reason="Pas ce réseau")
    assert Structure.objects.get(pk=world.herault.pk).parent is None
    assert PendingChange.objects.get(pk=pending.pk).status == PendingChangeStatus.REJECTED


def test_a_proposed_head_must_be_published_and_make_no_loop(world):
    draft = StructureFactory(name="Réseau non publié", unvalidated=True)
    with pytest.raises(ValidationError, match="structure publiée"):
        _propose_head(world, draft)
    child = StructureFactory(name="Antenne publiée", parent=world.herault)
    with pytest.raises(ValidationError, match="boucle"):
        _propose_head(world, child)
    assert not PendingChange.objects.exists()


def test_a_network_head_proposed_in_the_admin_waits(world, occitanie, as_user):
    client = as_user(world.alice)
    url = _change_url(world.herault)
    data = form_data(client.get(url))
    data["parent"] = str(occitanie.pk)
    response = client.post(url, data, follow=True)
    assert "Votre modification de la tête de réseau attend la validation" in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert Structure.objects.get(pk=world.herault.pk).parent is None
    pending = PendingChange.objects.get(structure=world.herault)
    assert pending.proposed == {"parent": occitanie.pk}
    # The administrator's queue shows the published and the proposed head.
    page = as_user(world.carol).get(f"/admin/structures/pendingchange/{pending.pk}/change/")
    assert "CCI Occitanie" in page.content.decode()


def test_the_head_autocomplete_offers_published_structures_and_ones_own(world, as_user):
    draft = StructureFactory(name="Chambre de commerce non publiée", unvalidated=True)
    params = {
        "app_label": "structures",
        "model_name": "structure",
        "field_name": "parent",
        "term": "commerce",
    }
    found = as_user(world.alice).get("/admin/autocomplete/", params).json()["results"]
    assert {r["id"] for r in found} == {str(world.herault.pk), str(world.gard.pk)}
    assert str(draft.pk) not in {r["id"] for r in found}

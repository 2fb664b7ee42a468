"""Moderation: a published listing's sensitive fields wait for a registry administrator.

Services (``structures.moderation``) first, then the admin: the creation queue, a rename by
staff, the validation queue (approve, reject, conflict), coverage widening.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from structures import moderation, selectors, services
from structures.enums import PendingChangeStatus, StructureKind
from structures.exceptions import PendingChangeConflict, StaleVersionError
from structures.models import PendingChange, StaffMembership, Structure, StructureCoverage
from tests.api.conftest import grant
from tests.structures import admin_support
from tests.structures.admin_support import form_data, inline_prefix
from tests.structures.factories import StructureFactory, UserFactory, territory

pytestmark = pytest.mark.django_db

as_user = admin_support.as_user
world = admin_support.world

PUBLISHED_NAME = "Chambre de commerce et d'industrie Hérault"


def _structure_url(structure):
    return f"/admin/structures/structure/{structure.pk}/change/"


def _pending_url(pending):
    return f"/admin/structures/pendingchange/{pending.pk}/change/"


def _rename(world, name="CCI Hérault Méditerranée", **extra):
    return moderation.update_or_propose(
        structure=world.herault,
        data={"name": name, **extra},
        expected_version=Structure.objects.get(pk=world.herault.pk).version,
        user=world.alice,
    )


# --- Services ---------------------------------------------------------------------------------


def test_a_staff_rename_of_a_published_listing_waits_and_other_fields_apply(world):
    result = _rename(world, phone="04 67 11 22 33")
    herault = Structure.objects.get(pk=world.herault.pk)
    assert herault.name == PUBLISHED_NAME  # the published name stays
    assert herault.phone == "+33467112233"  # a non-sensitive field applies at once
    assert result.pending.proposed == {"name": "CCI Hérault Méditerranée"}
    assert result.pending.base_values == {"name": PUBLISHED_NAME}
    assert result.pending.author == world.alice
    assert result.message.startswith("Votre modification du nom attend la validation")
    # The public sees the published name.
    public = selectors.structure_detail(slug=herault.slug)
    assert public.name == PUBLISHED_NAME
    # The author's save is in the history, saying what waits.
    assert "en attente de validation : nom" in herault.history.latest().history_change_reason


def test_a_second_proposal_merges_into_the_pending_one(world):
    first = _rename(world).pending
    second = moderation.update_or_propose(
        structure=world.herault,
        data={"kind": StructureKind.CMA},
        expected_version=Structure.objects.get(pk=world.herault.pk).version,
        user=world.alice,
    ).pending
    assert second.pk == first.pk
    assert second.proposed == {"name": "CCI Hérault Méditerranée", "kind": StructureKind.CMA}
    assert PendingChange.objects.filter(structure=world.herault).count() == 1


def test_one_pending_change_per_structure_is_a_database_rule(world):
    _rename(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        PendingChange.objects.create(
            structure=world.herault, proposed={"name": "X"}, base_version=1
        )


def test_approval_applies_with_a_history_naming_author_and_approver(world):
    pending = _rename(world).pending
    moderation.approve_pending_change(pending=pending, user=world.carol)
    herault = Structure.objects.get(pk=world.herault.pk)
    assert herault.name == "CCI Hérault Méditerranée"
    pending.refresh_from_db()
    assert pending.status == PendingChangeStatus.APPROVED
    assert pending.reviewer == world.carol and pending.decided_at is not None
    last, proposal = herault.history.order_by("-history_id")[:2]
    assert last.history_user == world.carol
    assert "proposée par Alice Martin" in last.history_change_reason
    assert proposal.history_user == world.alice  # the author's save, kept too
    with pytest.raises(ValidationError, match="déjà été décidée"):
        moderation.approve_pending_change(pending=pending, user=world.carol)


def test_rejection_keeps_the_published_listing_and_needs_a_reason(world):
    pending = _rename(world).pending
    with pytest.raises(ValidationError):
        moderation.reject_pending_change(pending=pending, user=world.carol, reason="  ")
    with pytest.raises(ValidationError):  # only a registry administrator decides
        moderation.reject_pending_change(pending=pending, user=world.alice, reason="Non")
    moderation.reject_pending_change(pending=pending, user=world.carol, reason="Nom non officiel")
    pending.refresh_from_db()
    assert pending.status == PendingChangeStatus.REJECTED
    assert pending.reason == "Nom non officiel"
    assert Structure.objects.get(pk=world.herault.pk).name == PUBLISHED_NAME


def test_approval_is_refused_when_the_field_changed_meanwhile(world):
    pending = _rename(world).pending
    services.update_structure(
        structure=world.herault,
        data={"name": "CCI Hérault (nom officiel)"},
        expected_version=Structure.objects.get(pk=world.herault.pk).version,
        user=world.carol,
    )
    with pytest.raises(PendingChangeConflict, match="nom"):
        moderation.approve_pending_change(pending=pending, user=world.carol)
    assert Structure.objects.get(pk=world.herault.pk).name == "CCI Hérault (nom officiel)"
    assert PendingChange.objects.get(pk=pending.pk).status == PendingChangeStatus.PENDING


def test_a_change_of_another_field_meanwhile_does_not_block_approval(world):
    pending = _rename(world).pending
    services.update_structure(
        structure=world.herault,
        data={"phone": "04 67 99 99 99"},
        expected_version=Structure.objects.get(pk=world.herault.pk).version,
        user=world.carol,
    )
    moderation.approve_pending_change(pending=pending, user=world.carol)
    herault = Structure.objects.get(pk=world.herault.pk)
    assert (herault.name, herault.phone) == ("CCI Hérault Méditerranée", "+33467999999")


def test_a_stale_proposal_is_refused_like_any_write(world):
    with pytest.raises(StaleVersionError):
        moderation.update_or_propose(
            structure=world.herault,
            data={"name": "Autre"},
            expected_version=world.herault.version - 1,
            user=world.alice,
        )
    assert not PendingChange.objects.exists()


def test_registry_administrators_and_unpublished_listings_are_not_moderated(world):
    moderation.update_or_propose(
        structure=world.herault,
        data={"name": "Renommée par le registre"},
        expected_version=world.herault.version,
        user=world.carol,
    )
    assert Structure.objects.get(pk=world.herault.pk).name == "Renommée par le registre"
    draft = StructureFactory(unvalidated=True)
    moderation.update_or_propose(
        structure=draft, data={"name": "Brouillon"}, expected_version=draft.version, user=world.bob
    )
    assert Structure.objects.get(pk=draft.pk).name == "Brouillon"
    assert not PendingChange.objects.exists()


def test_coverage_widened_to_a_region_waits_finer_coverage_applies(world):
    region = territory("region", "76")
    departement = territory("departement", "34")
    epci = territory("commune", "34172").parent
    result = moderation.update_or_propose(
        structure=world.herault,
        data={"coverage": [departement, epci, region, territory("country", "FR")]},
        expected_version=world.herault.version,
        user=world.alice,
    )
    covered = set(Structure.objects.get(pk=world.herault.pk).coverage.all())
    assert covered == {departement, epci}
    assert set(result.pending.coverage_added.all()) == {region, territory("country", "FR")}
    assert "couverture" in result.message
    moderation.approve_pending_change(pending=result.pending, user=world.carol)
    assert region in Structure.objects.get(pk=world.herault.pk).coverage.all()


def test_an_invalid_proposal_is_refused_before_anything_is_stored(world):
    with pytest.raises(ValidationError):
        _rename(world, name="")
    assert not PendingChange.objects.exists()


# --- Admin: creation -------------------------------------------------------------------------


def test_a_listing_created_by_a_non_administrator_is_unpublished_and_queued(world, as_user):
    # Alice is staff of the CCI Hérault: she creates a desk of it (tests/structures/
    # test_moderation_network.py has the scope rules).
    client = as_user(world.alice)
    data = form_data(client.get(f"/admin/structures/structure/add/?parent={world.herault.pk}"))
    data.update(
        name="Club export de Sète",
        kind=StructureKind.EXPORTERS_CLUB,
        commune=territory("commune", "34301").pk,
        postal_code="34200",
    )
    response = client.post("/admin/structures/structure/add/", data, follow=True)
    assert "sera publiée après validation" in response.content.decode()
    created = Structure.objects.get(name="Club export de Sète")
    assert not created.is_validated and created.parent == world.herault
    assert StaffMembership.objects.filter(user=world.alice, structure=created).exists()
    assert not selectors.structure_list(query="Sète").exists()  # not public
    queue = as_user(world.carol).get("/admin/structures/structure/?moderation=to_validate")
    assert "Club export de Sète" in queue.content.decode()
    assert "Chambre de commerce et d&#x27;industrie du Gard" not in queue.content.decode()


def test_holding_add_structure_without_a_team_creates_nothing(world, as_user):
    creator = grant(UserFactory(username="dora"), "structures.add_structure")
    creator.groups.add(*world.alice.groups.all())
    assert as_user(creator).get("/admin/structures/structure/add/").status_code == 403


# --- Admin: a staff member's edit and the validation queue ----------------------------------


def test_a_staff_rename_in_the_admin_waits_and_shows_on_the_form(world, as_user):
    client = as_user(world.alice)
    url = _structure_url(world.herault)
    data = form_data(client.get(url))
    data["name"] = "CCI Hérault Méditerranée"
    data["phone"] = "04 67 00 00 07"
    response = client.post(url, data, follow=True)
    assert "Votre modification du nom attend la validation d&#x27;un administrateur" in (
        response.content.decode()
    )
    herault = Structure.objects.get(pk=world.herault.pk)
    assert (herault.name, herault.phone) == (PUBLISHED_NAME, "+33467000007")
    page = client.get(url).content.decode()
    assert "Modification en attente de validation" in page
    assert "CCI Hérault Méditerranée" in page  # the pending value, on the form
    # The queue: a filter on the structures, and the pending changes' list.
    listed = as_user(world.carol).get("/admin/structures/structure/?moderation=pending_change")
    assert list(listed.context["cl"].result_list) == [herault]
    queue = as_user(world.carol).get("/admin/structures/pendingchange/?q=Hérault")
    assert len(queue.context["cl"].result_list) == 1
    assert as_user(world.alice).get("/admin/structures/pendingchange/").status_code == 403


def test_approve_and_reject_from_the_queue(world, as_user):
    pending = _rename(world).pending
    client = as_user(world.carol)
    page = client.get(_pending_url(pending))
    assert "CCI Hérault Méditerranée" in page.content.decode()  # the diff
    data = form_data(page)
    data["decision"] = "reject"
    response = client.post(_pending_url(pending), data)
    assert "Indiquez le motif du refus" in response.content.decode()
    data["decision"] = "approve"
    assert client.post(_pending_url(pending), data).status_code == 302
    assert Structure.objects.get(pk=world.herault.pk).name == "CCI Hérault Méditerranée"
    decided = client.get(_pending_url(pending))  # read-only once decided
    assert decided.status_code == 200 and not decided.context["has_change_permission"]

    other = moderation.update_or_propose(
        structure=world.gard,
        data={"kind": StructureKind.CMA},
        expected_version=world.gard.version,
        user=world.bob,
    ).pending
    action = {"action": "reject_selected", "_selected_action": [other.pk]}
    asked = client.post("/admin/structures/pendingchange/", action)
    assert "motif du refus" in asked.content.decode().lower()
    client.post("/admin/structures/pendingchange/", {**action, "apply": "1", "reason": "Non"})
    other.refresh_from_db()
    assert (other.status, other.reason) == (PendingChangeStatus.REJECTED, "Non")
    assert Structure.objects.get(pk=world.gard.pk).kind == StructureKind.CCI
    # The staff see the reason on their listing's form.
    page = as_user(world.bob).get(_structure_url(world.gard)).content.decode()
    assert "Dernière proposition refusée" in page and "Non</p>" in page
    # The queue opens on what waits; decided changes stay one click away.
    queue = as_user(world.carol).get("/admin/structures/pendingchange/")
    assert len(queue.context["cl"].result_list) == 0
    queue = as_user(world.carol).get("/admin/structures/pendingchange/?statut=all")
    assert len(queue.context["cl"].result_list) == 2


def test_approval_of_a_conflicting_change_is_refused_with_a_clear_message(world, as_user):
    pending = _rename(world).pending
    client = as_user(world.carol)
    data = form_data(client.get(_pending_url(pending)))
    services.update_structure(
        structure=world.herault,
        data={"name": "CCI Hérault (nom officiel)"},
        expected_version=Structure.objects.get(pk=world.herault.pk).version,
        user=world.root,
    )
    data["decision"] = "approve"
    response = client.post(_pending_url(pending), data)
    assert "La fiche publiée a changé depuis cette proposition" in response.content.decode()
    assert Structure.objects.get(pk=world.herault.pk).name == "CCI Hérault (nom officiel)"


def test_an_administrator_edit_in_the_admin_applies_at_once(world, as_user):
    client = as_user(world.carol)
    url = _structure_url(world.herault)
    data = form_data(client.get(url))
    data["name"] = "CCI Hérault (registre)"
    assert client.post(url, data).status_code == 302
    assert Structure.objects.get(pk=world.herault.pk).name == "CCI Hérault (registre)"
    assert not PendingChange.objects.exists()


@pytest.mark.parametrize(
    "level, code, waits",
    [("region", "76", True), ("departement", "34", False), ("commune", "34172", False)],
)
def test_coverage_rows_in_the_admin(world, as_user, level, code, waits):
    client = as_user(world.alice)
    url = _structure_url(world.herault)
    page = client.get(url)
    data = form_data(page)
    prefix = inline_prefix(page, StructureCoverage)
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    data[f"{prefix}-0-territory"] = str(territory(level, code).pk)
    data[f"{prefix}-0-structure"] = str(world.herault.pk)
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    covered = world.herault.coverage.filter(level=level, code=code).exists()
    assert covered is not waits
    assert PendingChange.objects.filter(structure=world.herault).exists() is waits

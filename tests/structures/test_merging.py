"""Merging a duplicate into the listing kept (issue 13, point 6): everything moves, both
histories stay, one transaction, versions checked, registry administrators only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from smes.models import SMEMembership
from structures.exceptions import StaleVersionError
from structures.merging import merge_plan, merge_structures
from structures.models import Contact, Offer, StaffMembership, Structure, StructureLink
from structures.relay.index import RelayIndexEntry
from tests.smes.factories import SMEFactory, SMEMembershipFactory
from tests.structures import admin_support
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    StructureLinkFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db

world = admin_support.world
as_user = admin_support.as_user


@pytest.fixture
def twins(world):
    """B, a duplicate of the CCI Hérault (A), with rows of every kind pointing to it."""
    a = world.herault
    b = StructureFactory(
        name=a.name,
        acronym="CCI Hérault",
        phone="",
        website="https://www.herault.cci.fr",
        coverage=[territory("departement", "34"), territory("departement", "30")],
    )
    a.coverage.set([territory("departement", "34")])
    contact = ContactFactory(structure=b, name="Accueil export")
    fairs = OfferFactory(structure=b, service=service("trade-fairs"), contact=contact)
    clash = OfferFactory(structure=b, service=service("prospecting-missions"))
    child = StructureFactory(name="Antenne de Sète", parent=b)
    link = StructureLinkFactory(from_structure=b, to_structure=world.gard)
    between = StructureLinkFactory(from_structure=a, to_structure=b)
    staff = StaffMembershipFactory(structure=b)
    shared_sme, own_sme = SMEFactory(), SMEFactory()
    SMEMembershipFactory(sme=shared_sme, structure=a)
    SMEMembershipFactory(sme=shared_sme, structure=b)
    moved_membership = SMEMembershipFactory(sme=own_sme, structure=b)
    return {
        "a": a,
        "b": b,
        "contact": contact,
        "fairs": fairs,
        "clash": clash,
        "child": child,
        "link": link,
        "between": between,
        "staff": staff,
        "own_sme": own_sme,
        "moved_membership": moved_membership,
    }


def _merge(twins, user):
    a, b = twins["a"], twins["b"]
    a.refresh_from_db()
    b.refresh_from_db()
    return merge_structures(
        source=b, target=a, source_version=b.version, target_version=a.version, user=user
    )


def test_the_plan_says_what_moves_and_what_is_dropped(twins):
    plan = merge_plan(source=twins["b"], target=twins["a"])
    moved = {step.model: len(step.moved) for step in plan.steps}
    assert moved[Offer] == 1 and moved[Contact] == 1 and moved[SMEMembership] == 1
    dropped = {row for _label, row, _why in plan.dropped}
    assert twins["clash"] in dropped  # A already offers prospecting missions
    assert twins["between"] in dropped  # a link between A and B themselves
    assert plan.filled == {"website": "https://www.herault.cci.fr"}  # A had none
    assert Structure.objects.get(pk=twins["b"].pk).is_active


def test_merge_moves_everything_and_keeps_both_histories(twins, world):
    a, b, own_sme = twins["a"], twins["b"], twins["own_sme"]
    sme_version = own_sme.version
    _merge(twins, world.carol)

    a.refresh_from_db()
    b.refresh_from_db()
    assert set(a.offers.values_list("service__code", flat=True)) == {
        "prospecting-missions",
        "trade-fairs",
    }
    assert not Offer.objects.filter(pk=twins["clash"].pk).exists()
    assert Contact.objects.get(pk=twins["contact"].pk).structure == a
    assert set(a.coverage.values_list("code", flat=True)) == {"34", "30"}
    assert Structure.objects.get(pk=twins["child"].pk).parent == a
    assert StructureLink.objects.get(pk=twins["link"].pk).from_structure == a
    assert not StructureLink.objects.filter(pk=twins["between"].pk).exists()
    assert StaffMembership.objects.get(pk=twins["staff"].pk).structure == a
    assert SMEMembership.objects.filter(structure=a).count() == 2
    assert not SMEMembership.objects.filter(structure=b).exists()
    own_sme.refresh_from_db()
    assert own_sme.version == sme_version + 1, "the SME's page must reload its memberships"
    # The relay index follows: the moved offer is found under A.
    assert RelayIndexEntry.objects.filter(offer=twins["fairs"], structure_id=a.pk).exists()

    assert (b.is_active, b.is_validated, b.merged_into) == (False, False, a)
    assert b.history.first().history_change_reason.startswith("Fusionnée dans")
    assert b.history.count() >= 2, "B's own history is kept"
    assert a.history.first().history_change_reason.startswith("Fusion de")
    assert a.history.first().history_user == world.carol
    moved_offer = Offer.objects.get(pk=twins["fairs"].pk)
    assert moved_offer.history.first().history_change_reason.startswith("Fusion de")
    assert a.website == "https://www.herault.cci.fr", "A's blank field filled from B"
    assert a.phone == "+33499515300", "A keeps its own values"


def test_a_stale_version_writes_nothing(twins, world):
    a, b = twins["a"], twins["b"]
    with pytest.raises(StaleVersionError):
        merge_structures(
            source=b,
            target=a,
            source_version=b.version,
            target_version=a.version - 1,
            user=world.carol,
        )
    assert Offer.objects.filter(structure=b).count() == 2
    assert Structure.objects.get(pk=b.pk).merged_into is None


def test_only_registry_administrators_merge(twins, world):
    with pytest.raises(PermissionDenied):
        _merge(twins, world.alice)
    assert Structure.objects.get(pk=twins["b"].pk).is_active


def test_the_merge_page_shows_the_plan_then_merges(twins, world, as_user):
    a, b = twins["a"], twins["b"]
    url = reverse("admin:structures_structure_merge", args=[b.pk])
    client = as_user(world.carol)
    page = client.get(url, {"target": a.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Confirmer la fusion" in body and "Missions de prospection" in body
    plan = page.context["plan"]
    response = client.post(
        url,
        {"target": a.pk, "source_version": plan.source.version, "target_version": 0},
    )
    assert response.status_code == 200, "a stale version is refused on the page"
    assert response.context["errors"]
    assert Structure.objects.get(pk=b.pk).merged_into is None
    plan = response.context["plan"]
    response = client.post(
        url,
        {
            "target": a.pk,
            "source_version": plan.source.version,
            "target_version": plan.target.version,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:structures_structure_change", args=[a.pk])
    assert Structure.objects.get(pk=b.pk).merged_into == a
    # The merged listing's public address leads to the one kept.
    public = client.get(reverse("structure-detail", args=[b.slug]))
    assert public.status_code == 301
    assert public["Location"] == reverse("structure-detail", args=[a.slug])


def test_staff_cannot_open_the_merge_page(twins, world, as_user):
    url = reverse("admin:structures_structure_merge", args=[twins["b"].pk])
    assert as_user(world.alice).get(url, {"target": twins["a"].pk}).status_code == 403
    assert as_user(world.alice).post(url, {"target": twins["a"].pk}).status_code == 403
    assert Structure.objects.get(pk=twins["b"].pk).is_active


def test_a_merge_that_would_loop_the_network_is_refused(world):
    b = StructureFactory(name="CCI Hérault bis")
    middle = StructureFactory(name="Antenne", parent=b)
    a = StructureFactory(name="Bureau", parent=middle)
    with pytest.raises(ValidationError, match="dans l'autre sens"):
        merge_structures(
            source=b, target=a, source_version=b.version, target_version=a.version,
            user=world.carol,
        )  # fmt: skip
    assert Structure.objects.get(pk=b.pk).merged_into is None


def test_pending_proposals_of_the_merged_listing_are_dropped(twins, world):
    """One pending change per listing: B's proposal (about B's own name) neither moves onto A,
    which has its own, nor breaks the merge."""
    from structures.enums import PendingChangeStatus
    from structures.models import PendingChange

    a, b = twins["a"], twins["b"]
    for structure in (a, b):
        PendingChange.objects.create(
            structure=structure, proposed={"name": f"{structure.name} bis"}, base_version=1
        )
    plan = merge_plan(source=b, target=a)
    assert any(isinstance(row, PendingChange) for _label, row, _reason in plan.dropped)
    a.refresh_from_db()
    b.refresh_from_db()
    merge_structures(
        source=b, target=a, source_version=b.version, target_version=a.version, user=world.carol
    )
    pending = PendingChange.objects.filter(status=PendingChangeStatus.PENDING)
    assert list(pending.values_list("structure_id", flat=True)) == [a.pk]

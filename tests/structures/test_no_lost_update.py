"""No lost update on any admin page: two sessions, each with its own logged-in client, open the
same page; both save; the first is written, the second is refused with the French message naming
who changed the record and when, and nothing of the first is reverted.

One test per edit path: each standalone change form, and each inline of a page (an inline row
with a page of its own carries its own version; the others are covered by the parent's).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from smes.enums import MembershipRole
from smes.models import SME, SMEMembership
from smes.services import set_membership
from structures.enums import LinkStatus, MarketStatus, StaffRole
from structures.models import (
    ApiToken,
    Contact,
    Offer,
    OfferCoverage,
    OfferMarket,
    Sector,
    Service,
    StaffMembership,
    Structure,
    StructureCoverage,
    StructureLink,
    StructureMemberCount,
)
from structures.permissions import STAFF_GROUP
from tests.smes.factories import SMEFactory, SMEMembershipFactory
from tests.structures import admin_support
from tests.structures.admin_support import form_data, inline_prefix
from tests.structures.factories import StaffMembershipFactory, UserFactory, territory

pytestmark = pytest.mark.django_db

world = admin_support.world

CONFLICT = (
    "Cette fiche a été modifiée par quelqu&#x27;un d&#x27;autre depuis que vous l&#x27;avez ouverte"
)


def session(user) -> Client:
    """An independent browser session (its own cookie jar), logged in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def names_who_and_when(html: str, who: str) -> bool:
    return re.search(rf"\(par {re.escape(who)}, le \d{{1,2}} \S+ \d{{4}} à \d{{2}}:\d{{2}}\)", html)


@pytest.fixture
def dave(world):
    """A second editor of the CCI Hérault, next to Alice."""
    user = UserFactory(username="dave", first_name="Dave", last_name="Roux")
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    StaffMembershipFactory(user=user, structure=world.herault)
    return user


def race(url, first_user, second_user, first_edit, second_edit) -> str:
    """Both sessions load ``url``; the first saves (302), then the second (refused, 200).

    ``first_edit`` / ``second_edit`` change the POST data (``(data, response) -> None``).
    Returns the second response's HTML.
    """
    first, second = session(first_user), session(second_user)
    first_page, second_page = first.get(url), second.get(url)
    assert first_page.status_code == second_page.status_code == 200
    first_data, second_data = form_data(first_page), form_data(second_page)
    first_edit(first_data, first_page)
    second_edit(second_data, second_page)
    saved = first.post(url, first_data)
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    refused = second.post(url, second_data)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert CONFLICT in html
    return html


def structure_url(structure) -> str:
    return f"/admin/structures/structure/{structure.pk}/change/"


def row(response, model, field, index=0) -> str:
    return f"{inline_prefix(response, model)}-{index}-{field}"


# --- Structure page -----------------------------------------------------------------------------


def test_structure_page_fields(world, dave):
    def first(data, _page):
        data["phone"] = "04 67 00 00 01"

    def second(data, _page):
        data["opening_hours"] = "Mo-Fr 09:00-17:00"

    html = race(structure_url(world.herault), world.alice, dave, first, second)
    assert names_who_and_when(html, "Alice Martin")
    herault = Structure.objects.get(pk=world.herault.pk)
    assert herault.phone == "+33467000001"
    assert herault.opening_hours == ""


def test_structure_page_contact_rows(world, dave):
    def first(data, page):
        data[row(page, Contact, "role")] = "Conseillère export"

    def second(data, page):
        data[row(page, Contact, "phone")] = "04 67 99 99 99"

    html = race(structure_url(world.herault), world.alice, dave, first, second)
    assert names_who_and_when(html, "Alice Martin")
    contact = Contact.objects.get(pk=world.herault_contact.pk)
    assert contact.role == "Conseillère export"
    assert contact.phone != "+33467999999"


def test_structure_page_coverage_rows(world, dave):
    coverage = StructureCoverage.objects.create(
        structure=world.herault, territory=territory("departement", "34")
    )

    def first(data, page):
        # (A région would wait for validation: tests/structures/test_moderation.py.)
        data[row(page, StructureCoverage, "territory")] = str(territory("departement", "30").pk)

    def second(data, page):
        data[row(page, StructureCoverage, "DELETE")] = "on"

    html = race(structure_url(world.herault), world.alice, dave, first, second)
    assert names_who_and_when(html, "Alice Martin")
    coverage.refresh_from_db()  # not deleted by the second session
    assert coverage.territory == territory("departement", "30")


def test_structure_page_offer_rows(world, dave):
    def first(data, page):
        data[row(page, Offer, "cost")] = "paid"

    def second(data, page):
        data[row(page, Offer, "delivery")] = "remote"

    race(structure_url(world.herault), world.alice, dave, first, second)
    offer = Offer.objects.get(pk=world.herault_offer.pk)
    assert offer.cost == "paid"
    assert offer.delivery != "remote"


def test_structure_page_member_count_rows(world, dave):
    count = StructureMemberCount.objects.create(
        structure=world.herault, count=620, as_of=datetime.date(2024, 1, 1)
    )

    def first(data, page):
        data[row(page, StructureMemberCount, "count")] = "700"

    def second(data, page):
        data[row(page, StructureMemberCount, "source")] = "Rapport annuel"

    html = race(structure_url(world.herault), world.alice, dave, first, second)
    assert names_who_and_when(html, "Alice Martin")
    count.refresh_from_db()
    assert (count.count, count.source) == (700, "")


def test_structure_page_link_rows(world):
    """Links are read-only for staff (setup_staff_groups): two registry administrators."""
    link = StructureLink.objects.create(
        from_structure=world.herault, to_structure=world.gard, kind="partnership"
    )

    def first(data, page):
        data[row(page, StructureLink, "status")] = LinkStatus.PLANNED

    def second(data, page):
        data[row(page, StructureLink, "since")] = "2020-05-01"

    html = race(structure_url(world.herault), world.carol, world.root, first, second)
    assert names_who_and_when(html, "carol")
    link.refresh_from_db()
    assert (link.status, link.since) == (LinkStatus.PLANNED, None)


def test_structure_page_staff_rows(world):
    """Registry administrators see the team inline; two of them edit it at once."""
    registry_admin = UserFactory(username="erin", superuser=True)
    membership = StaffMembership.objects.get(user=world.alice, structure=world.herault)

    def first(data, page):
        index = _membership_index(page, membership)
        data[row(page, StaffMembership, "role", index)] = StaffRole.MANAGER

    def second(data, page):
        index = _membership_index(page, membership)
        data[row(page, StaffMembership, "DELETE", index)] = "on"

    html = race(structure_url(world.herault), world.carol, registry_admin, first, second)
    assert names_who_and_when(html, "carol")
    membership.refresh_from_db()
    assert membership.role == StaffRole.MANAGER


def _membership_index(page, membership) -> int:
    for inline in page.context["inline_admin_formsets"]:
        if inline.formset.model is StaffMembership:
            for index, inline_form in enumerate(inline.formset.forms):
                if inline_form.instance.pk == membership.pk:
                    return index
    raise AssertionError("membership row not shown")


def test_contact_page_then_structure_page_row(world, dave):
    """The same contact, through two different pages: its own version decides."""
    structure_page = session(dave).get(structure_url(world.herault))
    stale = form_data(structure_page)

    contact_url = f"/admin/structures/contact/{world.herault_contact.pk}/change/"
    alice = session(world.alice)
    data = form_data(alice.get(contact_url))
    data["role"] = "Responsable export"
    assert alice.post(contact_url, data).status_code == 302

    stale[row(structure_page, Contact, "email")] = "export@cci-herault.fr"
    refused = session(dave).post(structure_url(world.herault), stale)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert CONFLICT in html and names_who_and_when(html, "Alice Martin")
    contact = Contact.objects.get(pk=world.herault_contact.pk)
    assert contact.role == "Responsable export"  # not written back by the stale row
    assert contact.email != "export@cci-herault.fr"


# --- Offer page ---------------------------------------------------------------------------------


def offer_url(offer) -> str:
    return f"/admin/structures/offer/{offer.pk}/change/"


def test_offer_page_fields(world, dave):
    def first(data, _page):
        data["cost"] = "paid"

    def second(data, _page):
        data["description"] = "Missions collectives"

    html = race(offer_url(world.herault_offer), world.alice, dave, first, second)
    assert names_who_and_when(html, "Alice Martin")
    offer = Offer.objects.get(pk=world.herault_offer.pk)
    assert offer.cost == "paid" and offer.description != "Missions collectives"


def test_offer_page_coverage_rows(world, dave):
    coverage = OfferCoverage.objects.create(
        offer=world.herault_offer, territory=territory("departement", "34")
    )

    # A widening (the département to its région), saved without a confirmation: a narrowing
    # asks for one first (structures.competence; tests/structures/test_competence.py).
    def first(data, page):
        data[row(page, OfferCoverage, "territory")] = str(territory("region", "76").pk)

    def second(data, page):
        data[row(page, OfferCoverage, "DELETE")] = "on"

    html = race(offer_url(world.herault_offer), world.alice, dave, first, second)
    assert names_who_and_when(html, "Alice Martin")
    coverage.refresh_from_db()
    assert coverage.territory == territory("region", "76")


def test_offer_page_market_rows(world, dave):
    market = OfferMarket.objects.create(
        offer=world.herault_offer, country=territory("country", "MA"), status=MarketStatus.PLANNED
    )

    def first(data, page):  # planned to active: a widening, saved without a confirmation
        data[row(page, OfferMarket, "status")] = MarketStatus.ACTIVE

    def second(data, page):
        data[row(page, OfferMarket, "country")] = str(territory("country", "TN").pk)

    html = race(offer_url(world.herault_offer), world.alice, dave, first, second)
    assert names_who_and_when(html, "Alice Martin")
    market.refresh_from_db()
    assert (market.status, market.country.code) == (MarketStatus.ACTIVE, "MA")


# --- Contact page, staff membership page --------------------------------------------------------


def test_contact_page(world, dave):
    def first(data, _page):
        data["role"] = "Conseillère export"

    def second(data, _page):
        data["email"] = "autre@example.org"

    url = f"/admin/structures/contact/{world.herault_contact.pk}/change/"
    html = race(url, world.alice, dave, first, second)
    assert names_who_and_when(html, "Alice Martin")
    contact = Contact.objects.get(pk=world.herault_contact.pk)
    assert contact.role == "Conseillère export" and contact.email != "autre@example.org"


def test_staff_membership_page(world):
    registry_admin = UserFactory(username="erin", superuser=True)
    membership = StaffMembership.objects.get(user=world.alice, structure=world.herault)

    def first(data, _page):
        data["role"] = StaffRole.MANAGER

    def second(data, _page):
        data["structure"] = str(world.gard.pk)

    url = f"/admin/structures/staffmembership/{membership.pk}/change/"
    html = race(url, world.carol, registry_admin, first, second)
    assert names_who_and_when(html, "carol")
    membership.refresh_from_db()
    assert (membership.role, membership.structure_id) == (StaffRole.MANAGER, world.herault.pk)


# --- SME page -----------------------------------------------------------------------------------


@pytest.fixture
def sme_editors(db):
    return (
        UserFactory(username="fanny", first_name="Fanny", last_name="Petit", superuser=True),
        UserFactory(username="gael", superuser=True),
    )


def sme_url(sme) -> str:
    return f"/admin/smes/sme/{sme.pk}/change/"


def test_sme_page_fields(sme_editors):
    sme = SMEFactory(name="Atelier du Lez", employees=12)

    def first(data, _page):
        data["name"] = "Atelier du Lez SAS"

    def second(data, _page):
        data["employees"] = "40"

    html = race(sme_url(sme), *sme_editors, first, second)
    assert names_who_and_when(html, "Fanny Petit")
    sme.refresh_from_db()
    assert (sme.name, sme.employees) == ("Atelier du Lez SAS", 12)


def test_sme_page_membership_rows(world, sme_editors):
    sme = SMEFactory()
    membership = SMEMembershipFactory(sme=sme, structure=world.herault)

    def first(data, page):
        data[row(page, SMEMembership, "role")] = MembershipRole.BOARD

    def second(data, page):
        data[row(page, SMEMembership, "since")] = "2019-03-01"

    html = race(sme_url(sme), *sme_editors, first, second)
    assert names_who_and_when(html, "Fanny Petit")
    membership.refresh_from_db()
    assert (membership.role, membership.since) == (MembershipRole.BOARD, None)


def test_membership_service_makes_an_open_sme_page_stale(world, sme_editors):
    """A membership written outside the page moves the SME's version: the page cannot write
    its old membership rows back."""
    sme = SMEFactory()
    editor, other = sme_editors
    page = session(editor).get(sme_url(sme))
    data = form_data(page)
    set_membership(sme=sme, structure=world.gard, role=MembershipRole.FOUNDER, user=other)
    data["name"] = "Nouveau nom"
    refused = session(editor).post(sme_url(sme), data)
    assert refused.status_code == 200
    assert CONFLICT in refused.content.decode()
    assert names_who_and_when(refused.content.decode(), "gael")
    assert SME.objects.get(pk=sme.pk).name != "Nouveau nom"
    assert sme.memberships.get().role == MembershipRole.FOUNDER


# --- Registry administrators' pages: catalogues, API tokens -------------------------------------


def test_service_page(world):
    service = Service.objects.get(code="prospecting-missions")

    def first(data, _page):
        data["name"] = "Missions de prospection collectives"

    def second(data, _page):
        data["is_hard_core"] = "on"

    html = race(
        f"/admin/structures/service/{service.pk}/change/", world.carol, world.root, first, second
    )
    assert names_who_and_when(html, "carol")
    service.refresh_from_db()
    assert (service.name, service.is_hard_core) == ("Missions de prospection collectives", False)


def test_service_change_list_edit_makes_an_open_form_stale(world):
    """The change list's position column carries no version: it still moves it."""
    service = Service.objects.get(code="prospecting-missions")
    url = f"/admin/structures/service/{service.pk}/change/"
    carol = session(world.carol)
    data = form_data(carol.get(url))

    root = session(world.root)
    changelist = "/admin/structures/service/?q=prospecting-missions"
    assert list(root.get(changelist).context["cl"].result_list) == [service]
    edited = root.post(
        changelist,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(service.pk),
            "form-0-position": "99",
            "_save": "Enregistrer",
        },
    )
    assert edited.status_code == 302

    data["name"] = "Autre nom"
    refused = carol.post(url, data)
    assert refused.status_code == 200 and CONFLICT in refused.content.decode()
    service.refresh_from_db()
    assert (service.position, service.name) == (99, "Missions de prospection à l'étranger")


def test_sector_page(world):
    sector = Sector.objects.get(kind="naf_division", code="62")

    def first(data, _page):
        data["name_en"] = "Computer programming"

    def second(data, _page):
        data["name"] = "Autre libellé"

    html = race(
        f"/admin/structures/sector/{sector.pk}/change/", world.carol, world.root, first, second
    )
    assert names_who_and_when(html, "carol")
    sector.refresh_from_db()
    assert sector.name_en == "Computer programming" and sector.name != "Autre libellé"


def test_api_token_page(world):
    """A token one administrator deactivates is not reactivated by another's stale form."""
    token, _key = ApiToken.issue(user=world.carol, name="Agence régionale")

    def first(data, _page):
        data.pop("is_active", None)  # unticked

    def second(data, _page):
        data["name"] = "Agence régionale Occitanie"

    html = race(
        f"/admin/structures/apitoken/{token.pk}/change/", world.carol, world.root, first, second
    )
    assert names_who_and_when(html, "carol")
    token.refresh_from_db()
    assert (token.is_active, token.name) == (False, "Agence régionale")


def test_programme_page_and_its_door_rows(world):
    """A programme's doors are rows of its page: a change of a door claims the programme's
    version, so the second administrator's save (another door, or a field) is refused."""
    from structures.models import Programme, ProgrammeEntryPoint

    world.herault.coverage.set([territory("departement", "34")])
    programme = Programme.objects.create(
        name="Assurance prospection", level="national", operator_name="Bpifrance"
    )
    ProgrammeEntryPoint.objects.create(
        programme=programme, territory=territory("departement", "34"), structure=world.herault
    )

    def first(data, page):
        data[row(page, ProgrammeEntryPoint, "note")] = "Sur rendez-vous"

    def second(data, _page):
        data["eligibility"] = "PME de plus d'un an"

    html = race(
        f"/admin/structures/programme/{programme.pk}/change/",
        world.carol,
        world.root,
        first,
        second,
    )
    assert names_who_and_when(html, "carol")
    programme.refresh_from_db()
    assert programme.eligibility == ""
    assert programme.entry_points.get().note == "Sur rendez-vous"


# --- Deletion ------------------------------------------------------------------------------------

DELETE_CONFLICT = (
    "Cette fiche a été modifiée par quelqu&#x27;un d&#x27;autre depuis que vous avez demandé sa "
    "suppression"
)


def deletion_race(model, obj, deleter_user, editor_user, edit, confirm=None) -> str:
    """The deleter opens the confirmation page; the editor saves the record's change form; the
    deleter confirms: refused, nothing deleted. Returns the confirmation page shown again."""
    base = f"/admin/structures/{model._meta.model_name}/{obj.pk}"
    delete_url, change_url = f"{base}/delete/", f"{base}/change/"
    deleter, editor = session(deleter_user), session(editor_user)
    assert deleter.get(delete_url).status_code == 200
    page = editor.get(change_url)
    data = form_data(page)
    edit(data)
    saved = editor.post(change_url, data)
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    confirm = {"post": "yes", **(confirm or {})}
    refused = deleter.post(delete_url, confirm)
    assert refused.status_code == 302 and refused["Location"] == delete_url
    assert model.objects.filter(pk=obj.pk).exists()
    again = deleter.get(delete_url)
    assert again.status_code == 200
    # Seen as it now is, the record can be deleted.
    assert deleter.post(delete_url, confirm).status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    return again.content.decode()


def test_a_contact_changed_after_its_deletion_page_was_opened_is_not_deleted(world, dave):
    def edit(data):
        data["role"] = "Conseillère export"

    html = deletion_race(Contact, world.herault_contact, dave, world.alice, edit)
    assert DELETE_CONFLICT in html
    assert names_who_and_when(html, "Alice Martin")


def test_an_offer_changed_after_its_deletion_page_was_opened_is_not_deleted(world, dave):
    def edit(data):
        data["members_only"] = "on"

    html = deletion_race(
        Offer, world.herault_offer, dave, world.alice, edit, confirm={"confirm_narrowing": "on"}
    )
    assert DELETE_CONFLICT in html
    assert names_who_and_when(html, "Alice Martin")


def test_a_deletion_confirmed_without_a_change_in_between_goes_through(world, dave):
    url = f"/admin/structures/contact/{world.herault_contact.pk}/delete/"
    deleter = session(dave)
    assert deleter.get(url).status_code == 200
    assert deleter.post(url, {"post": "yes"}).status_code == 302
    assert not Contact.objects.filter(pk=world.herault_contact.pk).exists()

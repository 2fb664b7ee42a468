import pytest

from structures import selectors
from structures.models import Structure
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StaffMembershipFactory,
    StructureFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def test_structure_detail_hides_private_contacts_and_unpublished_structures(
    django_assert_max_num_queries,
):
    structure = StructureFactory(name="CCI de test", coverage=[territory("departement", "34")])
    public = ContactFactory(structure=structure)
    private = ContactFactory(structure=structure, private=True)
    OfferFactory(structure=structure, with_contact=True)
    OfferFactory(structure=structure, service=service("mentoring"), inactive=True)
    # The structure, its coverage, counts, members, contacts, offers (+ their coverage, sectors,
    # NAF rules, markets) and network links: fixed, whatever the number of offers.
    with django_assert_max_num_queries(13):
        detail = selectors.structure_detail(slug=structure.slug)
        contacts = list(detail.contacts.all())
        assert public in contacts and private not in contacts
        assert len(contacts) == 2  # the public desk and the offer's contact
        assert [o.service.code for o in detail.offers.all()] == ["information-orientation"]
        assert [t.code for t in detail.coverage.all()] == ["34"]
    draft = StructureFactory(unvalidated=True)
    with pytest.raises(Structure.DoesNotExist):
        selectors.structure_detail(slug=draft.slug)
    assert selectors.structure_detail(slug=draft.slug, public_only=False) == draft


def test_structure_list_filters():
    herault = territory("departement", "34")
    cci = StructureFactory(cci=True, name="Chambre de commerce et d'industrie Hérault")
    pole = StructureFactory(pole=True, name="Pôle Eau", coverage=[herault])
    StructureFactory(commune=territory("commune", "13055"), postal_code="13001")
    OfferFactory(structure=pole, service=service("trade-fairs"))
    assert list(selectors.structure_list(kind="competitiveness_cluster")) == [pole]
    assert list(selectors.structure_list(territory=herault)) == [cci, pole]
    assert list(selectors.structure_list(covering=territory("commune", "34172"))) == [pole]
    assert list(selectors.structure_list(service="trade-fairs")) == [pole]
    assert list(selectors.structure_list(query="herault")) == [cci]
    assert list(selectors.structures_for_territory(territory=herault)) == [cci, pole]


def test_offers_covering():
    offer = OfferFactory(coverage=[territory("region", "76")], service=service("export-finance"))
    OfferFactory(coverage=[territory("region", "93")])
    montpellier = territory("commune", "34172")
    assert list(selectors.offers_covering(commune=montpellier)) == [offer]
    assert list(selectors.offers_covering(commune=montpellier, service="trade-fairs")) == []


def test_catalogues_in_display_order():
    assert selectors.service_list().first().code == "information-orientation"
    assert selectors.sector_list().filter(kind="naf_section").count() == 21


def test_listings_of_an_editor_oldest_confirmation_first(django_assert_max_num_queries):
    mine_stale = StructureFactory(stale=True, name="B")
    mine_fresh = StructureFactory(name="A")
    StructureFactory(stale=True)
    editor = StaffMembershipFactory(structure=mine_stale).user
    StaffMembershipFactory(structure=mine_fresh, user=editor)
    OfferFactory(structure=mine_fresh)
    # Structures, their offers, their contacts, and the user's permissions (registry admin?).
    with django_assert_max_num_queries(5):
        listings = list(selectors.listings_of(user=editor))
        assert [s.offers.all()[0].service.code for s in listings if s == mine_fresh]
    assert listings == [mine_stale, mine_fresh]

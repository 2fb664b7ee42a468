"""Model validation (full_clean) and database constraints."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from structures.enums import LabelTier, LinkKind, StructureKind
from structures.models import Offer, StructureCoverage
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    OfferMarketFactory,
    StaffMembershipFactory,
    StructureFactory,
    StructureLinkFactory,
    StructureMemberCountFactory,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def test_structure_defaults_country_to_france_and_builds_a_slug():
    structure = StructureFactory(name="Chambre de commerce de Montpellier", acronym="CCI")
    assert structure.country == territory("country", "FR")
    assert structure.slug == "cci-montpellier"
    other = StructureFactory(name="Autre", acronym="CCI")
    assert other.slug == "cci-montpellier-2"
    assert structure.search_name == "chambre de commerce de montpellier cci"
    assert str(structure) == "Chambre de commerce de Montpellier (CCI)"


def test_structure_normalises_phone_hours_and_website_on_clean():
    structure = StructureFactory.build(
        phone="04 65 71 12 34",
        opening_hours="Mo-Fr  09:00-12:00 ;PH off",
        website="www.example.org",
    )
    structure.full_clean()
    assert structure.phone == "+33465711234"
    assert structure.opening_hours == "Mo-Fr 09:00-12:00; PH off"
    assert structure.website == "https://www.example.org"


def test_structure_field_validation_messages_are_french():
    structure = StructureFactory.build(
        phone="123",
        email="pas-un-courriel",
        opening_hours="Lundi 9h",
        postal_code="3400",
    )
    errors = errors_of(structure)
    assert "n'est pas un numéro de téléphone valide" in errors["phone"][0]
    assert "adresse" in errors["email"][0].lower()
    assert "Jour" in errors["opening_hours"][0]
    assert "cinq chiffres" in errors["postal_code"][0]


def test_commune_must_be_a_commune_and_country_a_country():
    structure = StructureFactory.build(commune=territory("departement", "34"))
    assert "Choisissez une commune" in " ".join(errors_of(structure)["commune"])
    structure = StructureFactory.build(country=territory("region", "76"))
    assert "Choisissez un pays." in errors_of(structure)["country"]


def test_french_commune_with_a_foreign_country_is_refused():
    structure = StructureFactory.build(country=territory("country", "MA"))
    assert "pour pays la France" in errors_of(structure)["country"][0]


def test_office_abroad_has_no_commune():
    office = StructureFactory(office_abroad=True)
    office.full_clean()
    assert office.commune is None
    assert office.country.code == "MA"
    assert not office.coordinates_flagged


def test_coordinates_both_or_none():
    structure = StructureFactory.build(latitude=43.6, longitude=None)
    assert "aucune des deux" in " ".join(errors_of(structure)["longitude"])
    with pytest.raises(IntegrityError), transaction.atomic():
        StructureFactory(latitude=43.6, longitude=None)


def test_latitude_range_is_a_constraint():
    with pytest.raises(IntegrityError), transaction.atomic():
        StructureFactory(latitude=123.0, longitude=3.0)
    structure = StructureFactory.build(latitude=123.0, longitude=3.0)
    assert "latitude" in errors_of(structure)


def test_coordinates_outside_the_departement_are_flagged():
    montpellier = territory("commune", "34172")
    structure = StructureFactory.build(commune=montpellier, latitude=43.61, longitude=3.88)
    structure.full_clean()
    assert not structure.coordinates_flagged
    # Latitude and longitude swapped: a classic geocoding slip, lands in the Gulf of Aden.
    structure = StructureFactory.build(commune=montpellier, latitude=3.88, longitude=43.61)
    structure.full_clean()
    assert structure.coordinates_flagged
    # Marseille's point is outside the Hérault's box (Hérault ends at about 4.2° E).
    marseille = territory("commune", "13055")
    structure = StructureFactory.build(
        commune=montpellier, latitude=marseille.latitude, longitude=marseille.longitude
    )
    structure.full_clean()
    assert structure.coordinates_flagged


def test_label_tier_only_for_competitiveness_clusters():
    structure = StructureFactory.build(kind=StructureKind.CCI, label_tier=LabelTier.MONDIAL)
    assert "pôle de compétitivité" in errors_of(structure)["label_tier"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        StructureFactory(kind=StructureKind.CCI, label_tier=LabelTier.MONDIAL)
    StructureFactory(pole=True).full_clean()


def test_network_cycles_are_refused():
    national = StructureFactory(kind=StructureKind.CCI_NATIONAL)
    regional = StructureFactory(kind=StructureKind.CCI_REGIONAL, parent=national)
    national.parent = regional
    assert "boucle" in errors_of(national)["parent"][0]
    regional.parent = regional
    assert "parent" in errors_of(regional) or "__all__" in errors_of(regional)
    with pytest.raises(IntegrityError), transaction.atomic():
        regional.save()


def test_coverage_pair_is_unique():
    structure = StructureFactory(coverage=[territory("departement", "34")])
    with pytest.raises(IntegrityError), transaction.atomic():
        StructureCoverage.objects.create(
            structure=structure, territory=territory("departement", "34")
        )


def test_one_offer_per_structure_and_service():
    offer = OfferFactory(service=service("trade-fairs"))
    duplicate = Offer(structure=offer.structure, service=offer.service)
    assert "propose déjà ce service" in " ".join(errors_of(duplicate)["__all__"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(structure=offer.structure, service=offer.service)


def test_employee_range_constraint():
    offer = OfferFactory.build(min_employees=50, max_employees=10)
    offer.structure.save()
    offer.structure_id = offer.structure.pk
    assert "inférieur ou égal" in " ".join(errors_of(offer)["__all__"])
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(min_employees=50, max_employees=10)
    OfferFactory(min_employees=10, max_employees=10)
    OfferFactory(min_employees=10, max_employees=None, service=service("mentoring"))


def test_offer_contact_must_belong_to_the_structure():
    offer = OfferFactory()
    offer.contact = ContactFactory()  # another structure
    assert "même" not in str(errors_of(offer))  # message below, not a generic one
    assert "appartenir à la structure" in errors_of(offer)["contact"][0]
    offer.contact = ContactFactory(structure=offer.structure)
    offer.full_clean()


def test_offer_market_must_be_a_country_and_unique():
    market = OfferMarketFactory()
    market.country = territory("region", "76")
    assert "Choisissez un pays." in errors_of(market)["country"]
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferMarketFactory(offer=market.offer, country=territory("country", "MA"))


def test_contact_normalises_and_validates():
    contact = ContactFactory.build(
        structure=StructureFactory(), phone="04 67 00 00 00", languages="FR, EN"
    )
    contact.full_clean()
    assert contact.phone == "+33467000000"
    assert contact.languages == "fr,en"
    assert contact.language_codes == ["fr", "en"]
    contact.languages = "fr,klingon"
    assert "klingon" in errors_of(contact)["languages"][0]


def test_link_to_self_is_refused():
    pole = StructureFactory(pole=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        StructureLinkFactory(from_structure=pole, to_structure=pole)


def test_link_is_unique_per_kind():
    link = StructureLinkFactory(countries=[territory("country", "MA")])
    assert link.countries.get().code == "MA"
    StructureLinkFactory(
        from_structure=link.from_structure,
        to_structure=link.to_structure,
        kind=LinkKind.PARTNERSHIP,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StructureLinkFactory(from_structure=link.from_structure, to_structure=link.to_structure)


def test_staff_membership_is_unique():
    membership = StaffMembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMembershipFactory(user=membership.user, structure=membership.structure)


def test_member_count_is_unique_per_kind_and_date():
    count = StructureMemberCountFactory()
    assert str(count) == "85 adhérents (total) (2011-12-31)"
    with pytest.raises(IntegrityError), transaction.atomic():
        StructureMemberCountFactory(structure=count.structure)


def test_history_is_kept_for_structures_offers_and_contacts():
    structure = StructureFactory()
    structure.description = "Nouvelle description"
    structure.save()
    assert structure.history.count() == 2
    offer = OfferFactory(structure=structure)
    assert offer.history.count() == 1
    contact = ContactFactory(structure=structure)
    assert contact.history.count() == 1

"""Write services: validation, history, optimistic concurrency (no lost update)."""

import pytest
from django.core.exceptions import ValidationError

from structures import services
from structures.enums import MarketStatus, StructureKind
from structures.exceptions import StaleVersionError
from structures.models import Structure
from structures.querysets import months_ago
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    UserFactory,
    sector,
    service,
    territory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


def test_create_structure_validates_normalises_and_records_the_author(user):
    structure = services.create_structure(
        data={
            "name": "Club des exportateurs de l'Hérault",
            "kind": StructureKind.EXPORTERS_CLUB,
            "commune": territory("commune", "34172"),
            "phone": "04 67 00 00 00",
            "coverage": [territory("departement", "34")],
        },
        user=user,
    )
    assert structure.version == 1
    assert structure.phone == "+33467000000"
    assert not structure.is_validated  # an administrator publishes it
    assert list(structure.coverage.all()) == [territory("departement", "34")]
    assert structure.history.get().history_user == user


def test_create_structure_refuses_bad_data_without_writing(user):
    with pytest.raises(ValidationError) as exc:
        services.create_structure(
            data={"name": "X", "kind": StructureKind.CCI, "opening_hours": "tous les jours"},
            user=user,
        )
    assert "opening_hours" in exc.value.message_dict
    assert not Structure.objects.filter(name="X").exists()
    with pytest.raises(ValidationError) as exc:
        services.create_structure(data={"name": "X", "kind": "cci", "version": 9}, user=user)
    assert "non modifiable" in exc.value.message_dict["version"][0]


def test_update_structure_bumps_the_version(user):
    structure = StructureFactory()
    updated = services.update_structure(
        structure=structure,
        data={"description": "Nouveau", "coverage": [territory("region", "76")]},
        expected_version=1,
        user=user,
    )
    assert updated.version == 2
    assert updated.description == "Nouveau"
    assert updated.coverage.get().code == "76"
    assert updated.history.first().history_user == user


def test_two_editors_cannot_overwrite_each_other(user):
    structure = StructureFactory()
    alice_view = Structure.objects.get(pk=structure.pk)
    bob_view = Structure.objects.get(pk=structure.pk)
    services.update_structure(
        structure=alice_view, data={"phone": "0467000000"}, expected_version=alice_view.version
    )
    with pytest.raises(StaleVersionError) as exc:
        services.update_structure(
            structure=bob_view, data={"phone": "0467111111"}, expected_version=bob_view.version
        )
    assert exc.value.current_version == 2
    assert "modifiée par quelqu'un d'autre" in str(exc.value)
    structure.refresh_from_db()
    assert structure.phone == "+33467000000"
    assert structure.version == 2


def test_update_without_version_is_refused(user):
    structure = StructureFactory()
    with pytest.raises(StaleVersionError):
        services.update_structure(structure=structure, data={}, expected_version=None)


def test_invalid_update_writes_nothing(user):
    structure = StructureFactory()
    with pytest.raises(ValidationError):
        services.update_structure(
            structure=structure, data={"email": "faux"}, expected_version=1, user=user
        )
    structure.refresh_from_db()
    assert structure.version == 1


def test_confirm_up_to_date(user):
    structure = StructureFactory(never_verified=True)
    # Never confirmed counts from the creation (structures.freshness): a year and more ago.
    Structure.objects.filter(pk=structure.pk).update(created_at=months_ago(13))
    assert structure in Structure.objects.stale()
    confirmed = services.confirm_up_to_date(structure=structure, user=user)
    assert confirmed.verified_at is not None
    assert confirmed.verified_by == user
    assert confirmed.version == 2
    assert structure not in Structure.objects.stale()
    record = confirmed.history.first()
    assert record.history_user == user
    assert record.history_change_reason == "Confirmation : fiche à jour"
    with pytest.raises(StaleVersionError):
        services.confirm_up_to_date(structure=structure, user=user, expected_version=1)


def test_set_structure_validation(user):
    structure = StructureFactory(unvalidated=True)
    assert services.set_structure_validation(
        structure=structure, is_validated=True, user=user
    ).is_validated


def test_contacts(user):
    structure = StructureFactory()
    contact = services.create_contact(
        structure=structure,
        data={"name": "Service international", "phone": "04 67 00 00 00", "languages": "FR,EN"},
        user=user,
    )
    assert contact.phone == "+33467000000" and contact.languages == "fr,en"
    contact = services.update_contact(
        contact=contact, data={"role": "Guichet"}, expected_version=contact.version, user=user
    )
    assert contact.history.count() == 2
    with pytest.raises(ValidationError):
        services.update_contact(
            contact=contact, data={"languages": "fr,zz"}, expected_version=contact.version
        )


def test_create_offer_with_relations(user):
    structure = StructureFactory()
    contact = ContactFactory(structure=structure)
    morocco, germany = territory("country", "MA"), territory("country", "DE")
    offer = services.create_offer(
        structure=structure,
        service=service("prospecting-missions"),
        data={
            "members_only": True,
            "contact": contact,
            "coverage": [territory("departement", "34")],
            "sectors": [sector("agroalimentaire")],
            "naf_include": [sector("C")],
        },
        markets={morocco: MarketStatus.ACTIVE, germany: MarketStatus.PLANNED},
        user=user,
    )
    assert offer.version == 1 and offer.members_only
    assert dict(offer.markets.values_list("country__code", "status")) == {
        "MA": "active",
        "DE": "planned",
    }
    assert offer.history.get().history_user == user


def test_create_offer_validation(user):
    structure = StructureFactory()
    with pytest.raises(ValidationError) as exc:
        services.create_offer(
            structure=structure,
            service=service("mentoring"),
            data={"contact": ContactFactory()},
        )
    assert "appartenir à la structure" in exc.value.message_dict["contact"][0]
    with pytest.raises(ValidationError) as exc:
        services.create_offer(
            structure=structure,
            service=service("mentoring"),
            data={"naf_include": [sector("agroalimentaire")]},
        )
    assert "pas des filières" in exc.value.message_dict["naf_include"][0]
    with pytest.raises(ValidationError) as exc:
        services.create_offer(
            structure=structure,
            service=service("mentoring"),
            data={"naf_include": [sector("10")], "naf_exclude": [sector("10")]},
        )
    assert "à la fois admis et exclu" in exc.value.message_dict["naf_exclude"][0]
    with pytest.raises(ValidationError):
        services.create_offer(
            structure=structure,
            service=service("mentoring"),
            markets=[territory("region", "76")],
        )
    assert not structure.offers.exists()


def test_update_offer_is_version_guarded(user):
    offer = OfferFactory(markets=[territory("country", "MA")])
    updated = services.update_offer(
        offer=offer,
        data={"max_employees": 249},
        markets=[territory("country", "TN")],
        expected_version=1,
        user=user,
    )
    assert updated.version == 2
    assert list(updated.markets.values_list("country__code", flat=True)) == ["TN"]
    with pytest.raises(StaleVersionError):
        services.update_offer(offer=offer, data={"max_employees": 10}, expected_version=1)
    with pytest.raises(ValidationError):
        services.update_offer(
            offer=updated, data={"min_employees": 500}, expected_version=updated.version
        )

"""Factories of the structures domain, reused by other apps' tests.

Territories are never faked: factories fetch the real rows loaded by ``tests/conftest.py``
(Montpellier 34172 by default). Services and sectors come from the data migration; their
factories fetch by code (``get_or_create``), so ``ServiceFactory(code="trade-fairs")`` returns
the catalogue row.

Traits: ``StructureFactory(cci=True)``, ``(pole=True)``, ``(club=True)``, ``(office_abroad=True)``,
``(stale=True)``, ``(unvalidated=True)``, ``(inactive=True)``, ``(demo=True)``;
``OfferFactory(members_only=True)`` (a plain field), ``(on_application=True)``, ``(remote=True)``,
``(inactive=True)``. Many-to-many: ``StructureFactory(coverage=[hérault])``,
``OfferFactory(coverage=[...], sectors=[...], markets={maroc: "planned"} or [maroc])``.
"""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from structures.enums import (
    ContactKind,
    GeocodingPrecision,
    LabelTier,
    LinkKind,
    MarketStatus,
    MemberCountKind,
    OfferDelivery,
    StaffRole,
    StructureKind,
)
from structures.models import (
    Contact,
    Offer,
    OfferMarket,
    Sector,
    Service,
    StaffMembership,
    Structure,
    StructureLink,
    StructureMemberCount,
)
from territories.models import Territory


def territory(level: str, code: str) -> Territory:
    """A real territory of the test reference: ``territory("commune", "34172")``."""
    return Territory.objects.get(level=level, code=code)


def montpellier() -> Territory:
    return territory("commune", "34172")


def service(code: str) -> Service:
    return Service.objects.get(code=code)


def sector(code: str) -> Sector:
    return Sector.objects.get(code=code)


# Every factory user's password (what the browser tests type in the login form).
PASSWORD = "motdepasse-de-test"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    class Params:
        superuser = factory.Trait(is_superuser=True)

    @factory.post_generation
    def scope(obj, create, extracted, **kwargs):
        """``UserFactory(scope=[territory, ...])``: the account's territorial scope."""
        if create and extracted:
            from structures.models import AccountScope

            account_scope, _ = AccountScope.objects.get_or_create(user=obj)
            account_scope.territories.set(extracted)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = "information-orientation"
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = "agroalimentaire"
    kind = "filiere"
    name = factory.LazyAttribute(lambda o: o.code)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Structure d'appui n° {n}")
    kind = StructureKind.CCI
    commune = factory.LazyFunction(montpellier)
    postal_code = "34000"
    address_line = "1 rue de l'Exemple"
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude if o.commune else None)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude if o.commune else None)
    coordinate_precision = factory.LazyAttribute(
        lambda o: GeocodingPrecision.COMMUNE if o.latitude is not None else GeocodingPrecision.NONE
    )
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    is_active = True
    is_validated = True
    is_demo = False
    verified_at = factory.LazyFunction(timezone.now)

    class Params:
        cci = factory.Trait(kind=StructureKind.CCI, acronym="CCI")
        cma = factory.Trait(kind=StructureKind.CMA, acronym="CMA")
        pole = factory.Trait(
            kind=StructureKind.COMPETITIVENESS_CLUSTER, label_tier=LabelTier.VOCATION_MONDIALE
        )
        club = factory.Trait(kind=StructureKind.EXPORTERS_CLUB)
        office_abroad = factory.Trait(
            kind=StructureKind.OFFICE_ABROAD,
            commune=None,
            postal_code="",
            country=factory.LazyFunction(lambda: territory("country", "MA")),
            latitude=33.5731,
            longitude=-7.5898,
            coordinate_precision=GeocodingPrecision.MANUAL,
        )
        stale = factory.Trait(
            verified_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=800))
        )
        never_verified = factory.Trait(verified_at=None)
        unvalidated = factory.Trait(is_validated=False)
        inactive = factory.Trait(is_active=False)
        demo = factory.Trait(is_demo=True)

    @factory.post_generation
    def coverage(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.coverage.set(extracted)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    structure = factory.SubFactory(StructureFactory)
    kind = ContactKind.DESK
    name = "Service international"
    role = "Conseiller export"
    email = factory.Sequence(lambda n: f"international{n}@example.org")
    phone = "+33499000000"
    languages = "fr,en"
    is_public = True
    is_demo = True

    class Params:
        person = factory.Trait(kind=ContactKind.PERSON, name="Camille Exemple")
        private = factory.Trait(is_public=False)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    service = factory.LazyFunction(lambda: service("information-orientation"))
    description = "Accompagnement des PME à l'international."
    delivery = OfferDelivery.IN_PERSON
    is_active = True

    class Params:
        on_application = factory.Trait(application_required=True)
        remote = factory.Trait(delivery=OfferDelivery.REMOTE)
        inactive = factory.Trait(is_active=False)
        with_contact = factory.Trait(
            contact=factory.SubFactory(
                ContactFactory, structure=factory.SelfAttribute("..structure")
            )
        )

    @factory.post_generation
    def coverage(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.coverage.set(extracted)

    @factory.post_generation
    def sectors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.sectors.set(extracted)

    @factory.post_generation
    def markets(obj, create, extracted, **kwargs):
        if not (create and extracted):
            return
        items = (
            extracted.items()
            if isinstance(extracted, dict)
            else [(country, MarketStatus.ACTIVE) for country in extracted]
        )
        for country, status in items:
            OfferMarket.objects.create(offer=obj, country=country, status=status)


class OfferMarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferMarket

    offer = factory.SubFactory(OfferFactory)
    country = factory.LazyFunction(lambda: territory("country", "MA"))
    status = MarketStatus.ACTIVE


class StaffMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    role = StaffRole.EDITOR


class StructureLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructureLink
        skip_postgeneration_save = True

    from_structure = factory.SubFactory(StructureFactory, pole=True)
    to_structure = factory.SubFactory(StructureFactory, pole=True)
    kind = LinkKind.INTER_CLUSTER_ALLIANCE

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.countries.set(extracted)


class StructureMemberCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructureMemberCount

    structure = factory.SubFactory(StructureFactory, pole=True)
    kind = MemberCountKind.MEMBERS
    count = 85
    as_of = datetime.date(2011, 12, 31)

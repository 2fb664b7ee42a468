"""Reads of the structures domain, for the pages, the API, the admin and commands.

What a caller may see follows ``structures.permissions``: the public sees published structures
(active and validated), their active offers and public contacts; staff also see the structures
they may edit, with inactive offers and private contacts; registry administrators see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
)

from core.text import normalize_name
from structures.enums import LinkKind, LinkStatus
from structures.models import (
    Contact,
    Offer,
    OfferMarket,
    Sector,
    Service,
    Structure,
    StructureLink,
)
from structures.permissions import (
    PRIVATE_CONTACTS_PERMISSION,
    Caller,
    in_scope_q,
)


def service_list() -> QuerySet[Service]:
    """The service catalogue in display order."""
    return Service.objects.order_by("position", "code")


def _offers_prefetch(*, public_only: bool) -> Prefetch:
    offers = Offer.objects.select_related("service", "contact").prefetch_related(
        "coverage",
        "sectors",
        "naf_include",
        "naf_exclude",
        Prefetch("markets", queryset=OfferMarket.objects.select_related("country")),
    )
    if public_only:
        offers = offers.filter(is_active=True)
    return Prefetch("offers", queryset=offers.order_by("service__position", "pk"))


def _network_prefetches(*, public_only: bool) -> list[Prefetch]:
    links = StructureLink.objects.prefetch_related("countries")
    if public_only:
        links = links.filter(
            from_structure__is_active=True,
            from_structure__is_validated=True,
            to_structure__is_active=True,
            to_structure__is_validated=True,
        )
    return [
        Prefetch(
            "outgoing_links",
            queryset=links.select_related("to_structure__country"),
            to_attr="public_outgoing_links",
        ),
        Prefetch(
            "incoming_links",
            queryset=links.select_related("from_structure__country"),
            to_attr="public_incoming_links",
        ),
    ]


@dataclass(frozen=True)
class Alliance:
    """An inter-cluster alliance of a structure, seen from it: the partner and its countries.

    A link, never competence (rule R10): the relay reads offers and their markets only, so an
    alliance with a Moroccan cluster makes no relay competent for Morocco.
    """

    partner: Structure
    countries: tuple  # territories of level "country", ordered by code
    status: str  # LinkStatus
    since: date | None
    description: str

    @property
    def is_planned(self) -> bool:
        return self.status == LinkStatus.PLANNED


def alliances_of(structure: Structure) -> list[Alliance]:
    """The alliances of a structure loaded by ``structure_detail`` or ``structure_detail_for``
    (both directions of ``StructureLink`` of kind inter-cluster alliance), active ones first,
    then by partner name. No query: reads the prefetched links."""
    links = [
        (link, link.to_structure) for link in getattr(structure, "public_outgoing_links", ())
    ] + [(link, link.from_structure) for link in getattr(structure, "public_incoming_links", ())]
    alliances = [
        Alliance(
            partner=partner,
            countries=tuple(sorted(link.countries.all(), key=lambda c: c.code)),
            status=link.status,
            since=link.since,
            description=link.description,
        )
        for link, partner in links
        if link.kind == LinkKind.INTER_CLUSTER_ALLIANCE
    ]
    return sorted(alliances, key=lambda a: (a.is_planned, a.partner.name, a.partner.pk))


def structure_detail(*, slug: str, public_only: bool = True) -> Structure:
    """A structure with everything its page shows, in a fixed number of queries.

    ``public_only`` hides unpublished structures (raises ``Structure.DoesNotExist``), inactive
    offers, non-public contacts and links to unpublished structures.
    """
    qs = Structure.objects.select_related("commune", "country", "parent")
    if public_only:
        qs = qs.published()
    contacts = Contact.objects.order_by("position", "name", "pk")
    if public_only:
        contacts = contacts.filter(is_public=True)
    return qs.prefetch_related(
        "coverage",
        "member_counts",
        "children",
        Prefetch("contacts", queryset=contacts),
        _offers_prefetch(public_only=public_only),
        *_network_prefetches(public_only=public_only),
    ).get(slug=slug)


def directory_list() -> QuerySet[Structure]:
    """Published structures with the services of their active offers (the public directory)."""
    return (
        Structure.objects.published()
        .select_related("commune", "commune__parent")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(is_active=True)
                .select_related("service")
                .order_by("service__position", "pk"),
                to_attr="active_offers",
            )
        )
    )


def structure_list(
    *,
    kind: str | None = None,
    territory=None,
    covering=None,
    service: Service | str | None = None,
    query: str | None = None,
    public_only: bool = True,
) -> QuerySet[Structure]:
    """Structures filtered by kind, location (``territory``: any level), coverage of a commune,
    offered service and name; ordered by name."""
    qs = Structure.objects.select_related("commune")
    if public_only:
        qs = qs.published()
    if kind:
        qs = qs.filter(kind=kind)
    if territory is not None:
        qs = qs.located_in(territory)
    if covering is not None:
        qs = qs.covering(covering)
    if service is not None:
        offers = Offer.objects.active().for_service(service)
        qs = qs.filter(pk__in=offers.values("structure_id"))
    if query:
        key = normalize_name(query)
        if key:
            qs = qs.filter(search_name__contains=key)
    return qs.order_by("name", "pk")


def structures_for_territory(*, territory, public_only: bool = True) -> QuerySet[Structure]:
    """Structures located in ``territory`` (a commune, EPCI, département, région or France)."""
    return structure_list(territory=territory, public_only=public_only)


def offers_covering(
    *, commune, service: Service | str | None = None, public_only: bool = True
) -> QuerySet[Offer]:
    """Active offers whose coverage (own or inherited) contains ``commune``."""
    qs = Offer.objects.published() if public_only else Offer.objects.active()
    qs = qs.covering(commune)
    if service is not None:
        qs = qs.for_service(service)
    return qs.select_related("structure", "service", "contact")


def sector_list() -> QuerySet[Sector]:
    """The sector catalogue (NAF sections and divisions, filières) in code order."""
    return Sector.objects.select_related("parent").order_by("kind", "code")


def listings_of(*, user) -> QuerySet[Structure]:
    """The structures ``user`` may edit with their offers and contacts, oldest confirmation first
    ("Mes fiches")."""
    return (
        Structure.objects.editable_by(user)
        .select_related("commune")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.select_related("service").order_by(
                    "service__position", "pk"
                ),
            ),
            "contacts",
        )
        # Never confirmed first, on both databases (PostgreSQL sorts NULL last by default).
        .order_by(F("verified_at").asc(nulls_first=True), "name", "pk")
    )


# --- What a caller may see (API) ----------------------------------------------------------------


def _editable(caller: Caller, path: str = "pk") -> Q:
    # A subquery rather than the per-request id cache: a list must reflect memberships as they
    # are in the database now.
    return Q(**{f"{path}__in": Structure.objects.editable_by(caller.user).values("pk")})


def visible_structures(*, caller: Caller) -> QuerySet[Structure]:
    if caller.is_registry_admin:
        return Structure.objects.all()
    published = Q(is_active=True, is_validated=True)
    if caller.is_authenticated:
        return Structure.objects.filter(published | _editable(caller))
    return Structure.objects.filter(published)


def structure_list_for(*, caller: Caller) -> QuerySet[Structure]:
    """Visible structures with what a list shows, in a fixed number of queries."""
    return (
        visible_structures(caller=caller)
        .select_related("commune", "country", "parent")
        .prefetch_related("coverage")
    )


def visible_offers(*, caller: Caller) -> QuerySet[Offer]:
    if caller.is_registry_admin:
        return Offer.objects.all()
    published = Q(is_active=True, structure__is_active=True, structure__is_validated=True)
    if caller.is_authenticated:
        return Offer.objects.filter(published | _editable(caller, "structure_id"))
    return Offer.objects.filter(published)


def readable_contacts_q(caller: Caller, *, prefix: str = "") -> Q | None:
    """The contact rows (``prefix``: the path to a contact, e.g. ``"contact__"``) whose details
    the caller may read; ``None``: every one.

    Public contacts for everyone; private ones to the staff of their structure, and to holders of
    ``structures.view_private_contacts`` for the structures located within their scope — on
    every path that shows a contact (lists, details, contacts embedded in offers and
    structures).
    """
    if caller.is_registry_admin and not caller.is_territorially_limited:
        return None
    readable = Q(**{f"{prefix}is_public": True})
    if not caller.is_authenticated:
        return readable
    readable |= _editable(caller, f"{prefix}structure_id")
    if caller.has_territorial_perm(PRIVATE_CONTACTS_PERMISSION):
        readable |= in_scope_q(caller, commune_path=f"{prefix}structure__commune")
    return readable


def offer_list_for(*, caller: Caller) -> QuerySet[Offer]:
    """Visible offers with what the API shows; ``contact_readable`` says whether the offer's
    contact may be shown to the caller (``readable_contacts_q``)."""
    readable = readable_contacts_q(caller, prefix="contact__")
    return (
        visible_offers(caller=caller)
        .select_related("structure", "service", "contact", "contact__structure")
        .prefetch_related(
            "coverage",
            "sectors",
            "naf_include",
            "naf_exclude",
            Prefetch("markets", queryset=OfferMarket.objects.select_related("country")),
        )
        .annotate(
            contact_readable=Value(True)
            if readable is None
            else ExpressionWrapper(readable, output_field=BooleanField())
        )
    )


def visible_contacts(*, caller: Caller) -> QuerySet[Contact]:
    """Contacts of visible structures whose details the caller may read
    (``readable_contacts_q``)."""
    qs = Contact.objects.filter(structure__in=visible_structures(caller=caller).values("pk"))
    readable = readable_contacts_q(caller)
    return qs if readable is None else qs.filter(readable)


def structure_detail_for(*, caller: Caller) -> QuerySet[Structure]:
    """Visible structures with their visible offers, contacts and members (API detail)."""
    offers = offer_list_for(caller=caller).order_by("service__position", "pk")
    if not caller.is_registry_admin:
        active = Q(is_active=True)
        if caller.is_authenticated:
            active |= _editable(caller, "structure_id")
        offers = offers.filter(active)
    contacts = visible_contacts(caller=caller).order_by("position", "name", "pk")
    # Alliances (``alliances_of``) with the partners the caller may see, with their country.
    alliances = StructureLink.objects.filter(kind=LinkKind.INTER_CLUSTER_ALLIANCE).prefetch_related(
        "countries"
    )
    partners = visible_structures(caller=caller).values("pk")
    return structure_list_for(caller=caller).prefetch_related(
        Prefetch("offers", queryset=offers),
        Prefetch("contacts", queryset=contacts),
        Prefetch("children", queryset=visible_structures(caller=caller).order_by("name", "pk")),
        "member_counts",
        Prefetch(
            "outgoing_links",
            queryset=alliances.filter(to_structure__in=partners).select_related(
                "to_structure__country"
            ),
            to_attr="public_outgoing_links",
        ),
        Prefetch(
            "incoming_links",
            queryset=alliances.filter(from_structure__in=partners).select_related(
                "from_structure__country"
            ),
            to_attr="public_incoming_links",
        ),
    )


# --- Open data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDataScope:
    """Which published structures the open-data export carries, and what the registry holds."""

    include_demo: bool
    real_rows: int  # published structures that are not demo listings
    demo_rows: int  # published demo listings

    @property
    def rows(self) -> int:
        return self.real_rows + (self.demo_rows if self.include_demo else 0)

    @property
    def has_demo_rows(self) -> bool:
        """The export carries demo listings (each marked ``is_demo``)."""
        return self.include_demo and self.demo_rows > 0


def open_data_scope() -> OpenDataScope:
    """The rule of the open-data export, in one query.

    ``settings.OPEN_DATA_INCLUDE_DEMO`` decides when set (true: demo listings are published
    with the real ones, marked; false: never). Unset (the default), demo listings are published
    only on a demo install: not in production (``DJANGO_ENV=production``) and with no real
    published structure. So a demo install's files show its (fictitious) rows, marked as such,
    and an install with real data publishes real data only.
    """
    counts = Structure.objects.published().aggregate(
        real=Count("pk", filter=Q(is_demo=False)), demo=Count("pk", filter=Q(is_demo=True))
    )
    forced = settings.OPEN_DATA_INCLUDE_DEMO
    demo_install = not settings.IS_PRODUCTION and counts["real"] == 0
    include = demo_install if forced is None else bool(forced)
    return OpenDataScope(include_demo=include, real_rows=counts["real"], demo_rows=counts["demo"])


def open_data_structures(scope: OpenDataScope) -> QuerySet[Structure]:
    """The published structures of the open-data export under ``scope``."""
    published = Structure.objects.published()
    return published if scope.include_demo else published.filter(is_demo=False)

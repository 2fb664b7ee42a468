"""Reads of the structures domain, for views, API views, the admin and commands."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from structures.enums import SectorKind
from structures.models import Contact, Offer, OfferMarket, Sector, Service, Structure


def service_list() -> QuerySet[Service]:
    """The service catalogue in display order."""
    return Service.objects.order_by("position", "code")


def service_by_code(*, code: str) -> Service:
    """The service with ``code``; an unknown code is a validation error listing valid ones."""
    try:
        return Service.objects.get(code=code)
    except Service.DoesNotExist:
        valid = ", ".join(Service.objects.order_by("position").values_list("code", flat=True))
        raise ValidationError(
            _("Service inconnu : « %(code)s ». Services possibles : %(valid)s.")
            % {"code": code, "valid": valid},
            code="unknown_service",
        ) from None


def sector_list(*, kind: str | None = None) -> QuerySet[Sector]:
    qs = Sector.objects.select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "code")


def sectors_by_code(*, codes: Iterable[str]) -> list[Sector]:
    """Sectors for the given codes, in order; an unknown code is a validation error naming it."""
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    found = {s.code: s for s in Sector.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(
            _("Secteur(s) inconnu(s) : %(codes)s.") % {"codes": ", ".join(missing)},
            code="unknown_sector",
        )
    return [found[c] for c in codes]


def naf_section_of(*, naf_code: str) -> Sector | None:
    """The NAF section of a NAF code in any form ("10.71C", "1071C", "10", "C")."""
    code = (naf_code or "").strip().upper()
    if len(code) == 1 and code.isalpha():
        return Sector.objects.filter(kind=SectorKind.NAF_SECTION, code=code).first()
    division = Sector.objects.filter(kind=SectorKind.NAF_DIVISION, code=code[:2]).first()
    return division.parent if division else None


def _offers_prefetch(*, public_only: bool) -> Prefetch:
    offers = Offer.objects.select_related("service", "contact").prefetch_related(
        "coverage",
        "sectors",
        Prefetch("markets", queryset=OfferMarket.objects.select_related("country")),
    )
    if public_only:
        offers = offers.filter(is_active=True)
    return Prefetch("offers", queryset=offers.order_by("service__position", "pk"))


def structure_detail(*, slug: str, public_only: bool = True) -> Structure:
    """A structure with everything its page shows, in a fixed number of queries.

    ``public_only`` hides unpublished structures (raises ``Structure.DoesNotExist``), inactive
    offers and non-public contacts.
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
    ).get(slug=slug)


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
    from core.text import normalize_name

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


def stale_structures(*, months: int = 12, user=None) -> QuerySet[Structure]:
    """Active structures not confirmed for ``months`` months (those ``user`` may edit, if given),
    the oldest confirmations first."""
    qs = Structure.objects.active().stale(months=months)
    if user is not None:
        qs = qs.editable_by(user)
    return qs.order_by("verified_at", "name", "pk")

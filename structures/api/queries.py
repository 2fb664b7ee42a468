"""What an API caller may read and write, built on the domain's QuerySet methods.

Visibility: the public sees published structures (active and validated), their active offers
and public contacts; staff also see the structures they may edit (``editable_by``: the admin's
rule), with inactive offers and private contacts; registry administrators see everything.
Writes are limited to ``editable_by(user)`` and, for a token, to its territorial scope.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from core.api.scope import commune_in_scope, token_of
from structures.models import Contact, Offer, OfferMarket, Structure
from structures.querysets import is_registry_admin

PRIVATE_CONTACTS_PERMISSION = "structures.view_contact"


def _editable_ids(user) -> QuerySet:
    return Structure.objects.editable_by(user).values("pk")


def visible_structures(*, user) -> QuerySet[Structure]:
    if is_registry_admin(user):
        return Structure.objects.all()
    published = Q(is_active=True, is_validated=True)
    if user is not None and user.is_authenticated:
        return Structure.objects.filter(published | Q(pk__in=_editable_ids(user)))
    return Structure.objects.filter(published)


def structure_list_queryset(*, user) -> QuerySet[Structure]:
    """Visible structures with what the list shows, in a fixed number of queries."""
    return (
        visible_structures(user=user)
        .select_related("commune", "country", "parent")
        .prefetch_related("coverage")
    )


def visible_offers(*, user) -> QuerySet[Offer]:
    if is_registry_admin(user):
        return Offer.objects.all()
    published = Q(is_active=True, structure__is_active=True, structure__is_validated=True)
    if user is not None and user.is_authenticated:
        return Offer.objects.filter(published | Q(structure__in=_editable_ids(user)))
    return Offer.objects.filter(published)


def offer_list_queryset(*, user) -> QuerySet[Offer]:
    return (
        visible_offers(user=user)
        .select_related("structure", "service", "contact", "contact__structure")
        .prefetch_related(
            "coverage",
            "sectors",
            "naf_include",
            "naf_exclude",
            Prefetch("markets", queryset=OfferMarket.objects.select_related("country")),
        )
    )


def sees_private_contacts(*, user, request=None) -> bool:
    """Registry administrators, and users granted ``structures.view_contact`` (agencies)."""
    if is_registry_admin(user):
        return True
    return bool(
        user is not None and user.is_authenticated and user.has_perm(PRIVATE_CONTACTS_PERMISSION)
    )


def visible_contacts(*, user, request=None) -> QuerySet[Contact]:
    """Public contacts of visible structures; private ones to their staff and to holders of
    ``structures.view_contact`` (within their token's scope)."""
    structures = visible_structures(user=user)
    qs = Contact.objects.filter(structure__in=structures.values("pk"))
    if is_registry_admin(user) and token_of(request) is None:
        return qs
    private_ok = Q(pk__in=[])
    if user is not None and user.is_authenticated:
        private_ok = Q(structure__in=_editable_ids(user))
        if sees_private_contacts(user=user):
            private_ok |= _in_scope_q(request, "structure__commune")
    return qs.filter(Q(is_public=True) | private_ok)


def _in_scope_q(request, commune_path: str) -> Q:
    from core.api.scope import scope_territory_ids
    from territories.models import TerritoryAncestor

    ids = scope_territory_ids(request)
    if not ids:
        return Q()
    return Q(
        Exists(
            TerritoryAncestor.objects.filter(
                descendant_id=OuterRef(commune_path), ancestor_id__in=ids
            )
        )
    )


def structure_detail_queryset(*, user, request=None) -> QuerySet[Structure]:
    offers = offer_list_queryset(user=user).order_by("service__position", "pk")
    if not is_registry_admin(user):
        editable = _editable_ids(user) if user is not None and user.is_authenticated else None
        active = Q(is_active=True)
        offers = offers.filter(
            active | Q(structure__in=editable) if editable is not None else active
        )
    contacts = visible_contacts(user=user, request=request).order_by("position", "name", "pk")
    return structure_list_queryset(user=user).prefetch_related(
        Prefetch("offers", queryset=offers),
        Prefetch("contacts", queryset=contacts),
        Prefetch("children", queryset=visible_structures(user=user).order_by("name", "pk")),
        "member_counts",
    )


def may_edit(*, request, structure: Structure) -> bool:
    """The staff rule of the admin (``editable_by``), narrowed by the token's scope."""
    user = request.user
    if not Structure.objects.editable_by(user).filter(pk=structure.pk).exists():
        return False
    if structure.commune_id is None:
        # Offices abroad have no commune: only an unrestricted caller may write them.
        return not _has_scope(request)
    return commune_in_scope(request, structure.commune)


def _has_scope(request) -> bool:
    from core.api.scope import scope_territory_ids

    return bool(scope_territory_ids(request))

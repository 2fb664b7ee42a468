"""Who may do what in the registry: the one module of access rules.

Every caller — the admin, the API, the public and staff pages, the SME app — asks these
functions; none re-states a rule (docs/architecture.md, "Access"):

- **Registry administrator**: an active superuser, or a holder of
  ``structures.manage_all_structures`` (the "Administrateurs du registre" group).
- **Structures a user may edit**: all of them for a registry administrator; otherwise those the
  user is a staff member of (``StaffMembership``), not their descendants in the network.
- **Territorial scope**: the same in a session and with a token. An account acts within its
  ``AccountScope``; a token narrows it further to its own territories. A write may not place a
  listing outside the writer's scope.
- **Territorial rights** (SME records, other structures' private contacts): a user holding the
  permission exercises it within their scope only; with no scope at all, only a registry
  administrator exercises it (nationwide).

The request is turned once into a ``Caller`` (``caller_for``), a plain value the domain code can
take without knowing about HTTP.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

MANAGE_ALL_PERMISSION = "structures.manage_all_structures"
PRIVATE_CONTACTS_PERMISSION = "structures.view_private_contacts"
REGISTRY_ADMIN_GROUP = "Administrateurs du registre"
STAFF_GROUP = "Personnel des structures"
# Agency staff recording their territory's events and priorities (``insights.access``).
COORDINATOR_GROUP = "Coordinateurs territoriaux"

# Cached on the user object, which lives as long as the request.
_EDITABLE_IDS_ATTR = "_structures_editable_ids"
_CALLER_ATTR = "_registry_caller"


def is_active_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_registry_admin(user) -> bool:
    """An active superuser or holder of ``manage_all_structures``."""
    if not is_active_user(user):
        return False
    return bool(user.is_superuser or user.has_perm(MANAGE_ALL_PERMISSION))


def editable_structures_q(user) -> Q | None:
    """The condition on ``Structure`` rows ``user`` may edit; ``None`` means every row."""
    if is_registry_admin(user):
        return None
    if not is_active_user(user):
        return Q(pk__in=[])
    return Q(staff_memberships__user=user)


def editable_structure_ids(user) -> frozenset[int]:
    """Ids of the structures a (non registry administrator) user belongs to, once per request."""
    cached = getattr(user, _EDITABLE_IDS_ATTR, None)
    if cached is None:
        from structures.models import Structure

        cached = frozenset(Structure.objects.editable_by(user).values_list("pk", flat=True))
        with contextlib.suppress(AttributeError):  # exotic user objects: no cache
            setattr(user, _EDITABLE_IDS_ATTR, cached)
    return cached


@dataclass(frozen=True)
class Caller:
    """Who is asking, and within which territories.

    ``scopes`` holds one set of territory ids per limit that applies (the account's, the
    token's); a commune is in scope when it lies in one territory of *every* set. No set: the
    caller is not limited by territory.
    """

    user: Any = None
    scopes: tuple[frozenset[int], ...] = ()
    # A management command run on the server by its operator: full read rights, no user.
    is_operator: bool = False

    @classmethod
    def anonymous(cls) -> Caller:
        return cls(user=AnonymousUser())

    @classmethod
    def operator(cls) -> Caller:
        return cls(user=AnonymousUser(), is_operator=True)

    @property
    def is_authenticated(self) -> bool:
        return self.is_operator or is_active_user(self.user)

    @property
    def is_registry_admin(self) -> bool:
        return self.is_operator or is_registry_admin(self.user)

    @property
    def is_territorially_limited(self) -> bool:
        return bool(self.scopes)

    def has_perm(self, permission: str) -> bool:
        if self.is_registry_admin:
            return True
        return self.is_authenticated and bool(self.user.has_perm(permission))

    def has_territorial_perm(self, permission: str) -> bool:
        """``permission`` read as a right over a territory: a registry administrator's (within
        a token's territories if any), or a holder's within their scope — never nationwide."""
        if self.is_registry_admin:
            return True
        return self.is_territorially_limited and self.has_perm(permission)


def account_scope_ids(user) -> frozenset[int]:
    """The territories of ``user``'s account scope (empty: none declared)."""
    from structures.models import AccountScope

    if not is_active_user(user):
        return frozenset()
    return frozenset(
        AccountScope.territories.through.objects.filter(accountscope__user=user).values_list(
            "territory_id", flat=True
        )
    )


def caller_of(user, token=None) -> Caller:
    """The ``Caller`` of ``user`` acting in a session (``token=None``) or through ``token``: the
    account's scope, narrowed by the token's territories. One query each."""
    from structures.models import ApiToken

    user = user or AnonymousUser()
    scopes = []
    account = account_scope_ids(user)
    if account:
        scopes.append(account)
    if isinstance(token, ApiToken):
        narrowed = frozenset(token.scope.values_list("pk", flat=True))
        if narrowed:
            scopes.append(narrowed)
    return Caller(user=user, scopes=tuple(scopes))


def caller_for(request) -> Caller:
    """The ``Caller`` of an HTTP request (Django or DRF), computed once per request."""
    cached = getattr(request, _CALLER_ATTR, None)
    if cached is not None:
        return cached
    caller = caller_of(getattr(request, "user", None), getattr(request, "auth", None))
    with contextlib.suppress(AttributeError):
        setattr(request, _CALLER_ATTR, caller)
    return caller


def in_scope_q(caller: Caller, *, commune_path: str) -> Q:
    """Rows whose commune (``commune_path``) lies in the caller's territories (``Q()``: all).

    ``EXISTS`` on the closure table rather than a join, so that a commune inside two scope
    territories never duplicates a row.
    """
    if not caller.is_territorially_limited:
        return Q()
    from territories.models import TerritoryAncestor

    condition = Q()
    for scope in caller.scopes:
        condition &= Q(
            Exists(
                TerritoryAncestor.objects.filter(
                    descendant_id=OuterRef(commune_path), ancestor_id__in=scope
                )
            )
        )
    return condition


def commune_in_scope(caller: Caller, commune_id: int | None) -> bool:
    """Whether a commune lies in the caller's territories (always, for an unlimited caller).

    A row without a commune (an office abroad) is within the scope of unlimited callers only.
    """
    if not caller.is_territorially_limited:
        return True
    if commune_id is None:
        return False
    from territories.models import TerritoryAncestor

    ancestors = set(
        TerritoryAncestor.objects.filter(descendant_id=commune_id).values_list(
            "ancestor_id", flat=True
        )
    )
    return all(ancestors & scope for scope in caller.scopes)


def may_edit_structure(caller: Caller, structure) -> bool:
    """The staff rule (structures the user may edit), narrowed by the caller's territories."""
    if not caller.is_authenticated:
        return False
    if not caller.is_registry_admin and structure.pk not in editable_structure_ids(caller.user):
        return False
    return commune_in_scope(caller, structure.commune_id)

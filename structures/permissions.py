"""Who may do what in the registry: the one module of access rules.

Every caller — the admin, the API, the public and staff pages, the SME app — asks these
functions; none re-states a rule. Three rules live here (docs/architecture.md, "Access"):

- **Registry administrator**: an active superuser, or a holder of
  ``structures.manage_all_structures`` (the "Administrateurs du registre" group).
- **Structures a user may edit**: all of them for a registry administrator; otherwise those the
  user is a staff member of (``StaffMembership``), not their descendants in the network.
- **Territorial scope**: a request made with an API token acts within the token's territories
  (``ApiToken.scope``); an empty scope means nationwide and only a registry administrator may hold
  such a token. A request made in a session (pages, browsable API) is not limited by territory:
  the user's permissions alone decide.

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
PRIVATE_CONTACTS_PERMISSION = "structures.view_contact"
REGISTRY_ADMIN_GROUP = "Administrateurs du registre"
STAFF_GROUP = "Personnel des structures"

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

    ``scope_ids`` is ``None`` when no token limits the caller (anonymous visitor, session); for
    a token it holds the ids of its territories (empty: a nationwide token).
    """

    user: Any = None
    scope_ids: frozenset[int] | None = None
    # A management command run on the server by its operator: full read rights, no user.
    is_operator: bool = False

    @classmethod
    def anonymous(cls) -> Caller:
        return cls(user=AnonymousUser())

    @classmethod
    def operator(cls) -> Caller:
        return cls(user=AnonymousUser(), is_operator=True)

    @property
    def via_token(self) -> bool:
        return self.scope_ids is not None

    @property
    def is_authenticated(self) -> bool:
        return self.is_operator or is_active_user(self.user)

    @property
    def is_registry_admin(self) -> bool:
        return self.is_operator or is_registry_admin(self.user)

    @property
    def is_territorially_limited(self) -> bool:
        return bool(self.scope_ids)

    def has_perm(self, permission: str) -> bool:
        if self.is_registry_admin:
            return True
        return self.is_authenticated and bool(self.user.has_perm(permission))


def caller_for(request) -> Caller:
    """The ``Caller`` of an HTTP request (Django or DRF), computed once per request.

    With an API token (``request.auth``), the token's territories are read here, in one query.
    """
    cached = getattr(request, _CALLER_ATTR, None)
    if cached is not None:
        return cached
    from structures.models import ApiToken

    token = getattr(request, "auth", None)
    user = getattr(request, "user", None) or AnonymousUser()
    if isinstance(token, ApiToken):
        caller = Caller(user=user, scope_ids=frozenset(token.scope.values_list("pk", flat=True)))
    else:
        caller = Caller(user=user)
    with contextlib.suppress(AttributeError):
        setattr(request, _CALLER_ATTR, caller)
    return caller


def token_is_allowed(caller: Caller) -> bool:
    """A nationwide token (empty scope) acts only for a registry administrator."""
    return not caller.via_token or bool(caller.scope_ids) or caller.is_registry_admin


def in_scope_q(caller: Caller, *, commune_path: str) -> Q:
    """Rows whose commune (``commune_path``) lies in the caller's territories (``Q()``: all).

    ``EXISTS`` on the closure table rather than a join, so that a commune inside two scope
    territories never duplicates a row.
    """
    if not caller.is_territorially_limited:
        return Q()
    from territories.models import TerritoryAncestor

    return Q(
        Exists(
            TerritoryAncestor.objects.filter(
                descendant_id=OuterRef(commune_path), ancestor_id__in=caller.scope_ids
            )
        )
    )


def commune_in_scope(caller: Caller, commune_id: int | None) -> bool:
    """Whether a commune lies in the caller's territories (always, for an unlimited caller).

    A row without a commune (an office abroad) is within the scope of unlimited callers only.
    """
    if not caller.is_territorially_limited:
        return True
    if commune_id is None:
        return False
    from territories.models import TerritoryAncestor

    return TerritoryAncestor.objects.filter(
        descendant_id=commune_id, ancestor_id__in=caller.scope_ids
    ).exists()


def may_edit_structure(caller: Caller, structure) -> bool:
    """The staff rule (structures the user may edit), narrowed by a token's territories."""
    if not caller.is_authenticated or not token_is_allowed(caller):
        return False
    if not caller.is_registry_admin and structure.pk not in editable_structure_ids(caller.user):
        return False
    return commune_in_scope(caller, structure.commune_id)


def sees_private_contacts(caller: Caller) -> bool:
    """Registry administrators, and users granted ``structures.view_contact`` (agencies)."""
    return caller.has_perm(PRIVATE_CONTACTS_PERMISSION)

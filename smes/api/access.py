"""Who may read and write SME data through the API (SME data is not public).

Reading starts from ``SME.objects.visible_to(user)`` (registry administrators and holders of
``smes.view_sme``), then a token narrows it to its territorial scope. A token with an empty
scope is nationwide, which only a registry administrator may hold: an agency's program must
carry a scope. Creating and updating need ``smes.add_sme`` / ``smes.change_sme`` (or being a
registry administrator), and the SME's commune inside the token's scope.
"""

from __future__ import annotations

from django.db.models import QuerySet

from core.api.scope import commune_in_scope, restrict_to_scope, scope_territory_ids, token_of
from structures.querysets import is_registry_admin

ADD_PERMISSION = "smes.add_sme"
CHANGE_PERMISSION = "smes.change_sme"


def _token_allowed(request) -> bool:
    """No token, a scoped token, or a nationwide token held by a registry administrator."""
    if token_of(request) is None:
        return True
    return bool(scope_territory_ids(request)) or is_registry_admin(request.user)


def may_read_smes(request) -> bool:
    """The same rule as ``SME.objects.visible_to``, plus the token rule above."""
    user = request.user
    if not user.is_authenticated or not user.is_active or not _token_allowed(request):
        return False
    return _has_view_right(user)


def _has_view_right(user) -> bool:
    from smes.models import VIEW_PERMISSION

    return is_registry_admin(user) or user.has_perm(VIEW_PERMISSION)


def _may_write(request, permission: str) -> bool:
    user = request.user
    if not user.is_authenticated or not _token_allowed(request):
        return False
    return is_registry_admin(user) or user.has_perm(permission)


def may_add_smes(request) -> bool:
    return _may_write(request, ADD_PERMISSION)


def may_change_smes(request) -> bool:
    return _may_write(request, CHANGE_PERMISSION)


def visible_smes(request) -> QuerySet:
    """The SMEs the caller may read: ``visible_to(user)`` within the token's scope."""
    from smes.models import SME

    if not request.user.is_authenticated or not _token_allowed(request):
        return SME.objects.none()
    return restrict_to_scope(SME.objects.visible_to(request.user), request, commune_path="commune")


def commune_allowed(request, commune) -> bool:
    """An SME may be written at ``commune`` by this caller (token scope)."""
    return commune_in_scope(request, commune)

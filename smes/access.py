"""Who may read and write SME data (SME data is not public): one rule for the API and the pages.

Built on the registry's access rules (``structures.permissions``): the ``smes`` permissions are
territorial rights. Reading needs a registry administrator, or a holder of ``smes.view_sme``
with a territorial scope (the account's, narrowed by a token's), and shows the SMEs located
there only — the same in a session (pages, admin, browsable API) and with a token. Creating and
updating need ``smes.add_sme`` / ``smes.change_sme`` the same way, and the SME's commune inside
the caller's territories.
"""

from __future__ import annotations

from django.db.models import QuerySet

from structures.permissions import Caller, commune_in_scope, in_scope_q

VIEW_PERMISSION = "smes.view_sme"
ADD_PERMISSION = "smes.add_sme"
CHANGE_PERMISSION = "smes.change_sme"


def _may(caller: Caller, permission: str) -> bool:
    return caller.has_territorial_perm(permission)


def may_read_smes(caller: Caller) -> bool:
    """Whether the caller may read SME records at all (within its territories)."""
    return _may(caller, VIEW_PERMISSION)


def may_add_smes(caller: Caller) -> bool:
    return _may(caller, ADD_PERMISSION)


def may_change_smes(caller: Caller) -> bool:
    return _may(caller, CHANGE_PERMISSION)


def visible_smes(caller: Caller) -> QuerySet:
    """The SMEs the caller may read: those of its territories (all, for a registry administrator
    without a token scope); none without the right."""
    from smes.models import SME

    if not may_read_smes(caller):
        return SME.objects.none()
    return SME.objects.filter(in_scope_q(caller, commune_path="commune"))


def within_scope(caller: Caller, queryset: QuerySet, *, commune_path: str = "commune") -> QuerySet:
    """Rows of ``queryset`` whose commune (``commune_path``; ``"pk"`` for territories themselves,
    e.g. where an SME may be placed) lies in the caller's territories — for the admin, whose
    model permissions Django checks itself. None for a caller with no scope who is not a
    registry administrator."""
    if caller.is_territorially_limited:
        return queryset.filter(in_scope_q(caller, commune_path=commune_path))
    return queryset if caller.is_registry_admin else queryset.none()


def may_read_sme(caller: Caller, sme) -> bool:
    """Whether the caller may read this SME's registry record (coordinates, profile...)."""
    return may_read_smes(caller) and commune_in_scope(caller, sme.commune_id)


def commune_allowed(caller: Caller, commune) -> bool:
    """An SME may be written at ``commune`` by this caller (its territories)."""
    return commune_in_scope(caller, commune.pk if commune is not None else None)

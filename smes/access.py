"""Who may read and write SME data (SME data is not public): one rule for the API and the pages.

Built on the registry's access rules (``structures.permissions``): reading needs an active user
who is a registry administrator or holds ``smes.view_sme``, with a token allowed to act (a
nationwide token belongs to a registry administrator); a token further limits the SMEs to its
territories. Creating and updating need ``smes.add_sme`` / ``smes.change_sme`` (or being a
registry administrator), and the SME's commune inside the token's territories.
"""

from __future__ import annotations

from django.db.models import QuerySet

from structures.permissions import Caller, commune_in_scope, in_scope_q, token_is_allowed

VIEW_PERMISSION = "smes.view_sme"
ADD_PERMISSION = "smes.add_sme"
CHANGE_PERMISSION = "smes.change_sme"


def _may(caller: Caller, permission: str) -> bool:
    return token_is_allowed(caller) and caller.has_perm(permission)


def may_read_smes(caller: Caller) -> bool:
    """Whether the caller may read SME records at all (within its territories)."""
    return _may(caller, VIEW_PERMISSION)


def may_add_smes(caller: Caller) -> bool:
    return _may(caller, ADD_PERMISSION)


def may_change_smes(caller: Caller) -> bool:
    return _may(caller, CHANGE_PERMISSION)


def visible_smes(caller: Caller) -> QuerySet:
    """The SMEs the caller may read: all, or those of its token's territories; none otherwise."""
    from smes.models import SME

    if not may_read_smes(caller):
        return SME.objects.none()
    return SME.objects.filter(in_scope_q(caller, commune_path="commune"))


def may_read_sme(caller: Caller, sme) -> bool:
    """Whether the caller may read this SME's registry record (coordinates, profile...)."""
    return may_read_smes(caller) and commune_in_scope(caller, sme.commune_id)


def commune_allowed(caller: Caller, commune) -> bool:
    """An SME may be written at ``commune`` by this caller (its token's territories)."""
    return commune_in_scope(caller, commune.pk if commune is not None else None)

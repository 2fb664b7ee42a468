"""Who may record territorial events and priorities (docs/insights.md, "Coordinators").

Everyone reads them (they are public). Writing is a territorial right, on the rules of
``structures.permissions``: a registry administrator writes everywhere; a holder of the model
permission (the "Coordinateurs territoriaux" group) writes only rows whose territory lies in its
account scope (a territory inside a scope territory, or that territory itself); with no scope,
nobody but a registry administrator writes.
"""

from __future__ import annotations

from django.db.models import QuerySet

from structures.permissions import COORDINATOR_GROUP, Caller, commune_in_scope, in_scope_q

__all__ = ["COORDINATOR_GROUP", "may_write", "territory_in_scope", "writable_rows"]


def may_write(caller: Caller, permission: str) -> bool:
    """Whether the caller holds ``permission`` (``insights.add_territorialevent``…) somewhere."""
    return caller.has_territorial_perm(permission)


def territory_in_scope(caller: Caller, territory) -> bool:
    """Whether ``territory`` lies in the caller's territories (a registry administrator: all)."""
    if caller.is_registry_admin:
        return True
    if not caller.is_territorially_limited or territory is None:
        return False
    # The closure holds each territory's self link: a scope territory is inside itself.
    return commune_in_scope(caller, territory.pk)


def writable_rows(
    caller: Caller, queryset: QuerySet, *, territory_path: str = "territory"
) -> QuerySet:
    """Rows of ``queryset`` (events, priorities, or territories with ``territory_path="pk"``)
    whose territory lies in the caller's scope: all for a registry administrator, none for a
    caller without a scope."""
    if caller.is_registry_admin:
        return queryset
    if not caller.is_territorially_limited:
        return queryset.none()
    return queryset.filter(in_scope_q(caller, commune_path=territory_path))

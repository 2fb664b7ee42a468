"""Writes on territorial events and priorities (docs/insights.md).

Each write checks the caller's right and scope (``insights.access``), validates the row
(``full_clean``: French messages, the model's constraints included), records who made it (the
``created_by`` / ``updated_by`` columns and the simple-history record), and an update or a
deletion claims the row's version (``structures.versioning.claim_fresh``): a concurrent change
raises ``StaleVersionError`` instead of being silently overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from insights.access import may_write, territory_in_scope
from insights.models import TerritorialEvent, TerritorialPriority
from structures.permissions import Caller
from structures.versioning import claim_fresh

EVENT_FIELDS = frozenset(
    {"territory", "kind", "title", "start_date", "end_date", "description", "country", "sector"}
)
PRIORITY_FIELDS = frozenset(
    {"territory", "kind", "country", "sector", "label", "notes", "start_year", "end_year"}
)

OUT_OF_SCOPE = _("Ce territoire est hors de votre périmètre.")


def _fields(data: Mapping[str, Any], allowed: frozenset[str]) -> dict:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({key: _("Champ inconnu ou non modifiable.") for key in unknown})
    return dict(data)


def _permission(model: type[Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _check(caller: Caller, model: type[Model], action: str, *territories) -> None:
    if not may_write(caller, _permission(model, action)):
        raise PermissionDenied(_("Vous n'avez pas le droit de faire cette modification."))
    for territory in territories:
        if not territory_in_scope(caller, territory):
            raise PermissionDenied(OUT_OF_SCOPE)


def _user(caller: Caller):
    user = caller.user
    return user if user is not None and user.is_authenticated else None


def _save(obj, *, caller: Caller, reason: str) -> None:
    obj._history_user = _user(caller)
    obj._change_reason = reason
    obj.save()


def _create(model: type[Model], allowed, *, caller: Caller, data: Mapping[str, Any]):
    fields = _fields(data, allowed)
    obj = model(**fields)
    _check(caller, model, "add", fields.get("territory"))
    obj.created_by = obj.updated_by = _user(caller)
    with transaction.atomic():
        obj.full_clean()
        _save(obj, caller=caller, reason="Création")
    return obj


def _update(model, allowed, *, caller: Caller, obj, data, expected_version: int | None):
    fields = _fields(data, allowed)
    with transaction.atomic():
        current = claim_fresh(model, obj.pk, expected=expected_version)
        _check(
            caller, model, "change", current.territory, fields.get("territory", current.territory)
        )
        for name, value in fields.items():
            setattr(current, name, value)
        current.updated_by = _user(caller)
        current.full_clean()
        _save(current, caller=caller, reason="Modification")
    return current


def _delete(model, *, caller: Caller, obj, expected_version: int | None) -> None:
    with transaction.atomic():
        current = claim_fresh(model, obj.pk, expected=expected_version)
        _check(caller, model, "delete", current.territory)
        current._history_user = _user(caller)
        current._change_reason = "Suppression"
        current.delete()


def create_event(*, caller: Caller, data: Mapping[str, Any]) -> TerritorialEvent:
    """Record an event (``data``: model field values) in a territory of the caller's scope.

    Raises ``PermissionDenied`` outside the scope or without the right, ``ValidationError`` on
    invalid data (nothing is written then).
    """
    return _create(TerritorialEvent, EVENT_FIELDS, caller=caller, data=data)


def update_event(
    *,
    caller: Caller,
    event: TerritorialEvent,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> TerritorialEvent:
    """Apply ``data`` to an event if nobody changed it since ``expected_version`` was loaded
    (``StaleVersionError`` otherwise); both its old and its new territory must be in scope."""
    return _update(
        TerritorialEvent,
        EVENT_FIELDS,
        caller=caller,
        obj=event,
        data=data,
        expected_version=expected_version,
    )


def delete_event(*, caller: Caller, event: TerritorialEvent, expected_version: int | None) -> None:
    """Delete an event (its history stays), refused if it changed since it was loaded."""
    _delete(TerritorialEvent, caller=caller, obj=event, expected_version=expected_version)


def create_priority(*, caller: Caller, data: Mapping[str, Any]) -> TerritorialPriority:
    """Record a strategic priority (a market or a filière) of a territory of the caller's scope."""
    return _create(TerritorialPriority, PRIORITY_FIELDS, caller=caller, data=data)


def update_priority(
    *,
    caller: Caller,
    priority: TerritorialPriority,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> TerritorialPriority:
    """Apply ``data`` to a priority if nobody changed it since ``expected_version`` was loaded."""
    return _update(
        TerritorialPriority,
        PRIORITY_FIELDS,
        caller=caller,
        obj=priority,
        data=data,
        expected_version=expected_version,
    )


def delete_priority(
    *, caller: Caller, priority: TerritorialPriority, expected_version: int | None
) -> None:
    """Delete a priority (its history stays), refused if it changed since it was loaded."""
    _delete(TerritorialPriority, caller=caller, obj=priority, expected_version=expected_version)

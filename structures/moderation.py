"""Moderation of listings: what waits for a registry administrator before it is published.

- **New listings.** A structure created by someone who is not a registry administrator is not
  validated (``is_validated=False``: unpublished, rule R4) until a registry administrator
  publishes it; its creator joins its team so that they keep editing it meanwhile
  (``record_creation``). The admin's "à valider" filter is the queue of new listings.
- **Who may create, and where.** Staff create a listing *within their network*: its network head
  (``parent``) must be one of the structures they are staff of (``StaffMembership``), and, like
  every write, its commune must lie within their territorial scope (``check_creation``). The
  membership is the staff's scope everywhere else (the admin's querysets, the API's writes); an
  account scope alone is not enough, as a staff account without one would otherwise create
  listings anywhere in France. A new antenna or desk of a chamber is created from the chamber.
- **The network head** of a listing, named by staff: while the listing is unpublished, one of
  their own structures (the creation rule); on a published listing, any published structure —
  a change that waits for a registry administrator like the other sensitive fields, who decides
  (``check_parent``).
- **Sensitive fields of a published listing** — its name, its kind, its network head, and a
  coverage widened to a région or to a country (France) — changed by someone who is not a
  registry administrator do not apply at once: they are stored as a ``PendingChange``
  (``propose_changes``; at most one per structure, later proposals are merged into it), the
  published listing stays as it is, and the other fields of the same write apply normally
  (``split_sensitive``, ``update_or_propose``).
- **Decisions.** A registry administrator approves a pending change (``approve_pending_change``:
  applied through ``structures.services.update_structure``, with the history naming the
  author and the approver), unless the listing changed meanwhile on those fields
  (``PendingChangeConflict``); or rejects it with a reason (``reject_pending_change``).

The admin (``structures.admin.structure``, ``structures.admin.moderation``) and the API
(``structures.api.views``) call these functions; they hold no rule of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from structures import services
from structures.enums import PendingChangeStatus
from structures.exceptions import PendingChangeConflict
from structures.models import PendingChange, StaffMembership, Structure
from structures.permissions import (
    caller_of,
    commune_in_scope,
    editable_structure_ids,
    is_active_user,
    is_registry_admin,
)
from structures.versioning import describe_last_change
from territories.enums import TerritoryLevel

# The fields whose change by a non-administrator on a published listing waits for validation.
SENSITIVE_FIELDS: tuple[str, ...] = ("name", "kind", "parent")
# Coverage added at these levels widens a listing's reach to a whole région or country.
WIDE_COVERAGE_LEVELS: tuple[str, ...] = (TerritoryLevel.REGION, TerritoryLevel.COUNTRY)
COVERAGE = "coverage"

# "Votre modification du nom et de la couverture attend…": one phrase per field.
_FIELD_PHRASES = {
    "name": _("du nom"),
    "kind": _("du type de structure"),
    "parent": _("de la tête de réseau"),
    COVERAGE: _("de la couverture (élargie à une région ou à la France)"),
}


# --- Rules --------------------------------------------------------------------------------------


def is_moderated(structure: Structure, user) -> bool:
    """Whether ``user``'s changes of ``structure``'s sensitive fields wait for validation.

    Only a published (validated) listing is moderated: an unpublished one is not shown to
    anybody yet, and a registry administrator reviews it as a whole before publishing it.
    ``user=None`` is the operator's own code (loaders, commands): never moderated.
    """
    return user is not None and bool(structure.is_validated) and not is_registry_admin(user)


def may_create_structures(user) -> bool:
    """Whether ``user`` may create a listing at all: a registry administrator, or an active
    member of the staff of at least one structure (where the new one will belong)."""
    if is_registry_admin(user):
        return True
    # The per-request cache of the user's structures: the admin asks on every page it draws.
    return is_active_user(user) and bool(editable_structure_ids(user))


def parent_choices(user) -> QuerySet[Structure]:
    """The structures ``user`` may name as a network head: all of them for a registry
    administrator; otherwise the published ones (a proposal on a published listing) and the
    user's own (a new or unpublished listing). ``check_parent`` says which applies."""
    if is_registry_admin(user):
        return Structure.objects.all()
    own = Structure.objects.editable_by(user).values("pk")
    return Structure.objects.filter(Q(is_active=True, is_validated=True) | Q(pk__in=own))


OWN_NETWORK_ONLY = _(
    "Rattachez la fiche à l'une des structures dont vous faites partie (sa tête de réseau) : "
    "vous créez une antenne ou un point d'accueil de votre réseau. Pour une autre structure, "
    "adressez-vous à un administrateur du registre."
)
PUBLISHED_HEAD_ONLY = _("Choisissez comme tête de réseau une structure publiée du registre.")
OUT_OF_SCOPE = _(
    "Cette commune est hors de votre périmètre : une fiche ne peut pas être placée hors des "
    "territoires où vous agissez."
)


def check_parent(*, structure: Structure | None, parent: Structure | None, user) -> None:
    """Refuse (``ValidationError`` on ``parent``) a network head ``user`` may not name.

    ``structure`` is the listing as published (``None`` or unsaved: a creation). A registry
    administrator and the operator's code (``user=None``) name any; an unchanged value is
    always accepted. Otherwise, on a new or unpublished listing the head is one of the user's
    own structures (``OWN_NETWORK_ONLY``: the creation rule, which an edit before the
    publication may not get around); on a published listing, any published structure, or none —
    the change then waits for a registry administrator, who decides.
    """
    if user is None or is_registry_admin(user):
        return
    saved = structure is not None and structure.pk is not None
    parent_id = parent.pk if parent is not None else None
    if saved and parent_id == structure.parent_id:
        return
    if not saved or not structure.is_validated:
        own = parent_id is not None and (
            Structure.objects.editable_by(user).filter(pk=parent_id).exists()
        )
        if not own:
            raise ValidationError({"parent": OWN_NETWORK_ONLY}, code="out_of_network")
        return
    if parent is not None and not Structure.objects.published().filter(pk=parent_id).exists():
        raise ValidationError({"parent": PUBLISHED_HEAD_ONLY}, code="unpublished_head")


def check_creation(*, data: Mapping[str, Any], user) -> None:
    """Refuse (``ValidationError``, by field) a listing ``user`` may not create: its network head
    outside their structures (``check_parent``), or its commune outside their account's
    territories (``structures.permissions.commune_in_scope``; a token narrows it further at the
    API's door)."""
    if user is None or is_registry_admin(user):
        return
    check_parent(structure=None, parent=data.get("parent"), user=user)
    commune = data.get("commune")
    if not commune_in_scope(caller_of(user), commune.pk if commune is not None else None):
        raise ValidationError({"commune": OUT_OF_SCOPE}, code="out_of_scope")


def _as_json(name: str, value: Any) -> Any:
    """A field's value as stored in a ``PendingChange`` (a relation by its primary key)."""
    if isinstance(value, Structure):
        return value.pk
    if name == "name" and isinstance(value, str):
        return " ".join(value.split())  # as the model normalises it
    return value


def _stored(structure: Structure, name: str) -> Any:
    model_field = Structure._meta.get_field(name)
    if model_field.is_relation:
        return getattr(structure, model_field.attname)
    return getattr(structure, name)


def _from_json(name: str, value: Any) -> Any:
    model_field = Structure._meta.get_field(name)
    if not model_field.is_relation or value is None:
        return value
    target = model_field.related_model._default_manager.filter(pk=value).first()
    if target is None:
        raise ValidationError(
            {name: _("La valeur proposée n'existe plus dans le registre : refusez la proposition.")}
        )
    return target


@dataclass(frozen=True)
class SplitWrite:
    """A write cut in two: what applies at once and what waits for validation."""

    direct: dict[str, Any]
    sensitive: dict[str, Any]
    # The coverage to write at once (``None``: the write does not touch the coverage), and the
    # wide territories it adds that wait for validation.
    coverage: list | None = None
    coverage_withheld: list = field(default_factory=list)

    @property
    def needs_validation(self) -> bool:
        return bool(self.sensitive or self.coverage_withheld)


def split_sensitive(
    *, structure: Structure, fields: Mapping[str, Any], coverage: Iterable | None = None
) -> SplitWrite:
    """Cut a moderated write of ``structure`` into what applies now and what waits.

    A sensitive field waits only when its value differs from the published one; a coverage
    territory waits when it is added (not already covered) at the level of a région or a country.
    Removals and finer additions (commune, EPCI, département) apply at once.
    """
    direct: dict[str, Any] = {}
    sensitive: dict[str, Any] = {}
    for name, value in fields.items():
        if name in SENSITIVE_FIELDS and _as_json(name, value) != _stored(structure, name):
            sensitive[name] = value
        else:
            direct[name] = value
    if coverage is None:
        return SplitWrite(direct=direct, sensitive=sensitive)
    covered = set(structure.coverage.values_list("pk", flat=True)) if structure.pk else set()
    applied, withheld = [], []
    for territory in coverage:
        wide = territory.pk not in covered and territory.level in WIDE_COVERAGE_LEVELS
        (withheld if wide else applied).append(territory)
    return SplitWrite(
        direct=direct, sensitive=sensitive, coverage=applied, coverage_withheld=withheld
    )


# --- Reads --------------------------------------------------------------------------------------


def pending_change_for(structure: Structure) -> PendingChange | None:
    """The change of ``structure`` waiting for validation, if any."""
    if structure.pk is None:
        return None
    return (
        PendingChange.objects.filter(structure=structure, status=PendingChangeStatus.PENDING)
        .select_related("author")
        .prefetch_related("coverage_added")
        .first()
    )


def last_rejection_for(structure: Structure) -> PendingChange | None:
    """The latest change of ``structure`` a registry administrator rejected, if it is the latest
    decision (shown to the listing's staff with its reason)."""
    if structure.pk is None:
        return None
    latest = (
        PendingChange.objects.filter(structure=structure)
        .exclude(status=PendingChangeStatus.PENDING)
        .order_by("-decided_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.status == PendingChangeStatus.REJECTED else None


def changed_field_names(pending: PendingChange) -> list[str]:
    """The fields a pending change touches, in the order of ``SENSITIVE_FIELDS``, coverage last."""
    names = [name for name in SENSITIVE_FIELDS if name in pending.proposed]
    if pending.pk and pending.coverage_added.exists():
        names.append(COVERAGE)
    return names


def field_labels(names: Iterable[str]) -> str:
    """ "nom, couverture": the fields of a change, as a reader of the history names them."""
    return ", ".join(
        str(_("couverture"))
        if name == COVERAGE
        else str(Structure._meta.get_field(name).verbose_name)
        for name in names
    )


def _join(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return gettext("%(first)s et %(last)s") % {
        "first": ", ".join(phrases[:-1]),
        "last": phrases[-1],
    }


def waiting_message(names: Iterable[str]) -> str:
    """ "Votre modification du nom et de la couverture attend la validation…" """
    phrases = [str(_FIELD_PHRASES[name]) for name in names if name in _FIELD_PHRASES]
    return gettext(
        "Votre modification %(what)s attend la validation d'un administrateur du registre : "
        "la fiche publiée reste inchangée d'ici là."
    ) % {"what": _join(phrases)}


def _display(name: str, value: Any) -> str:
    if value is None or value == "":
        return str(_("(vide)"))
    model_field = Structure._meta.get_field(name)
    if model_field.is_relation:
        target = model_field.related_model._default_manager.filter(pk=value).first()
        return str(target) if target is not None else str(_("(supprimée)"))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


@dataclass(frozen=True)
class DiffRow:
    label: str
    published: str
    proposed: str


def diff_rows(pending: PendingChange) -> list[DiffRow]:
    """What the published listing shows and what the pending change proposes, field by field."""
    structure = Structure.objects.get(pk=pending.structure_id)
    rows = [
        DiffRow(
            label=str(Structure._meta.get_field(name).verbose_name),
            published=_display(name, _stored(structure, name)),
            proposed=_display(name, pending.proposed[name]),
        )
        for name in SENSITIVE_FIELDS
        if name in pending.proposed
    ]
    added = list(pending.coverage_added.order_by("level", "name"))
    if added:
        covered = structure.coverage.order_by("level", "name")
        rows.append(
            DiffRow(
                label=str(_("couverture")),
                published=", ".join(str(t) for t in covered) or str(_("(vide)")),
                proposed=gettext("ajout de : %(list)s") % {"list": ", ".join(map(str, added))},
            )
        )
    return rows


# --- Writes -------------------------------------------------------------------------------------


def record_creation(*, structure: Structure, user) -> bool:
    """After ``user`` created ``structure``: a non-administrator's new listing waits unpublished
    for a registry administrator, and its creator joins its team so as to keep editing it.

    Returns whether the listing waits for validation.
    """
    if user is None or is_registry_admin(user):
        return False
    if structure.is_validated:  # the services refuse it; a safeguard for other paths
        services.set_structure_validation(structure=structure, is_validated=False, user=user)
    StaffMembership.objects.get_or_create(user=user, structure=structure)
    return True


def create_listing(*, data: Mapping[str, Any], user) -> Structure:
    """Create a listing (``structures.services.create_structure``) under the moderation rule.

    A registry administrator's listing is written as given. Anyone else's must pass
    ``check_creation``, is created unpublished whatever ``data`` says (``is_validated`` is
    registry-only: the services refuse it by name), and its creator joins its team
    (``record_creation``) — in one transaction.
    """
    with transaction.atomic():
        check_creation(data=data, user=user)
        structure = services.create_structure(data=data, user=user)
        record_creation(structure=structure, user=user)
    return structure


def propose_changes(
    *,
    structure: Structure,
    fields: Mapping[str, Any],
    coverage_added: Iterable = (),
    user,
) -> PendingChange | None:
    """Store ``fields`` (sensitive field → proposed value) and wide ``coverage_added``
    territories as the pending change of ``structure``, merged into the one already waiting.

    The values are validated as the listing would be with them (``ValidationError``, nothing
    stored). Returns the pending change, or ``None`` when nothing differs from the published
    listing.
    """
    territories = list(coverage_added)
    with transaction.atomic():
        current = Structure.objects.select_for_update().get(pk=structure.pk)
        proposed = {
            name: value
            for name, value in fields.items()
            if _as_json(name, value) != _stored(current, name)
        }
        covered = set(current.coverage.values_list("pk", flat=True))
        territories = [t for t in territories if t.pk not in covered]
        if not proposed and not territories:
            return None
        candidate = Structure.objects.get(pk=current.pk)
        for name, value in proposed.items():
            setattr(candidate, name, value)
        candidate.full_clean()

        pending = (
            PendingChange.objects.select_for_update()
            .filter(structure=current, status=PendingChangeStatus.PENDING)
            .first()
        ) or PendingChange(structure=current, proposed={}, base_values={})
        for name, value in proposed.items():
            pending.proposed[name] = _as_json(name, value)
            # What the proposer saw published: approval is refused if it has changed since.
            pending.base_values[name] = _stored(current, name)
        pending.author = user if user is not None and user.is_authenticated else None
        pending.base_version = current.version
        pending.full_clean(exclude=["structure"])
        pending.save()
        if territories:
            pending.coverage_added.add(*territories)
    return pending


@dataclass(frozen=True)
class ModeratedUpdate:
    structure: Structure
    pending: PendingChange | None = None
    waiting: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        return waiting_message(self.waiting) if self.waiting else ""


def update_or_propose(
    *, structure: Structure, data: Mapping[str, Any], expected_version: int | None, user
) -> ModeratedUpdate:
    """``structures.services.update_structure``, with the moderation of published listings.

    A network head ``user`` may not name is refused first (``check_parent``). For a moderated
    write (``is_moderated``), the sensitive changes become the structure's pending change and
    everything else applies at once, in one transaction, under the same version check
    (``StaleVersionError``). Otherwise, everything applies.
    """
    if "parent" in data:
        check_parent(structure=structure, parent=data["parent"], user=user)
    if not is_moderated(structure, user):
        updated = services.update_structure(
            structure=structure, data=data, expected_version=expected_version, user=user
        )
        return ModeratedUpdate(structure=updated)
    plain = {name: value for name, value in data.items() if name != COVERAGE}
    services.refuse_registry_only(structure=structure, fields=plain, user=user)
    split = split_sensitive(
        structure=structure, fields=plain, coverage=data.get(COVERAGE) if COVERAGE in data else None
    )
    direct = dict(split.direct)
    if split.coverage is not None:
        direct[COVERAGE] = split.coverage
    waiting = [name for name in SENSITIVE_FIELDS if name in split.sensitive]
    if split.coverage_withheld:
        waiting.append(COVERAGE)
    reason = (
        gettext("Modification ; en attente de validation : %(fields)s")
        % {"fields": field_labels(waiting)}
        if waiting
        else ""
    )[:100]  # simple-history's change reason column
    with transaction.atomic():
        updated = services.update_structure(
            structure=structure,
            data=direct,
            expected_version=expected_version,
            user=user,
            reason=reason,
        )
        pending = propose_changes(
            structure=updated,
            fields=split.sensitive,
            coverage_added=split.coverage_withheld,
            user=user,
        )
    return ModeratedUpdate(
        structure=updated, pending=pending, waiting=tuple(waiting) if pending else ()
    )


def _require_admin(user) -> None:
    if not is_registry_admin(user):
        raise ValidationError(_("Seul un administrateur du registre décide d'une modification."))


def _lock_pending(pending: PendingChange) -> PendingChange:
    locked = PendingChange.objects.select_for_update().get(pk=pending.pk)
    if locked.status != PendingChangeStatus.PENDING:
        raise ValidationError(
            _("Cette modification a déjà été décidée (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def check_approvable(pending: PendingChange, *, structure: Structure | None = None) -> None:
    """Raise ``PendingChangeConflict`` when the published listing changed, since the proposal,
    on the fields ``pending`` changes: approving it would silently overwrite that change."""
    current = structure or Structure.objects.get(pk=pending.structure_id)
    moved = [name for name, base in pending.base_values.items() if _stored(current, name) != base]
    if moved:
        raise PendingChangeConflict(
            fields=[str(Structure._meta.get_field(name).verbose_name) for name in moved],
            who=describe_last_change(current),
        )


def approve_pending_change(*, pending: PendingChange, user) -> Structure:
    """Apply a pending change to the published listing, by a registry administrator.

    Written through ``update_structure`` (version claim, ``full_clean``): the history records
    the approver as the author of the change and, in its reason, who proposed it and when.
    Raises ``PendingChangeConflict`` when the listing changed on those fields since the
    proposal, and ``ValidationError`` when the change was already decided.
    """
    _require_admin(user)
    with transaction.atomic():
        locked = _lock_pending(pending)
        current = Structure.objects.select_for_update().get(pk=locked.structure_id)
        check_approvable(locked, structure=current)
        data: dict[str, Any] = {
            name: _from_json(name, value) for name, value in locked.proposed.items()
        }
        added = list(locked.coverage_added.all())
        if added:
            data[COVERAGE] = [*current.coverage.all(), *added]
        author = locked.author
        reason = gettext(
            "Validation de la modification proposée par %(author)s le %(when)s (%(fields)s)"
        ) % {
            "author": (author.get_full_name() or author.get_username())
            if author
            else gettext("un compte supprimé"),
            "when": date_format(localtime(locked.updated_at), "j F Y à H:i"),
            "fields": field_labels(changed_field_names(locked)),
        }
        updated = services.update_structure(
            structure=current,
            data=data,
            expected_version=current.version,
            user=user,
            reason=reason[:100],  # simple-history's change reason column
        )
        locked.status = PendingChangeStatus.APPROVED
        locked.reviewer = user
        locked.decided_at = timezone.now()
        locked.save()
    return updated


def reject_pending_change(*, pending: PendingChange, user, reason: str) -> PendingChange:
    """Reject a pending change with a reason (required): the published listing is unchanged."""
    _require_admin(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du refus.")})
    with transaction.atomic():
        locked = _lock_pending(pending)
        locked.status = PendingChangeStatus.REJECTED
        locked.reviewer = user
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.full_clean(exclude=["structure"])
        locked.save()
    return locked

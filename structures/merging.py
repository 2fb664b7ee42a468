"""Merging a duplicate listing into the one that stays (issue 13, point 6).

``merge_structures(source=B, target=A)`` moves to A everything that points to B — offers,
contacts, coverage, member counts, links, children, staff, and whatever other app points to a
structure (SME memberships…) —, found generically through ``Structure._meta.related_objects`` so
that this module never imports the apps above it and a relation added later is not forgotten.

Choices:

- **B is deactivated, not deleted** (``is_active`` and ``is_validated`` off, ``merged_into`` = A):
  its own history stays readable as it was, its identifier cannot be reused by mistake, and the
  merge can be audited (and undone by hand) from both histories. A's history gets a record
  "Fusion de « B »", B's "Fusionnée dans « A »".
- **A row that cannot move is dropped, and said so beforehand** (``merge_plan``, shown on the
  confirmation page): a row that would break a uniqueness rule because A already has its
  equivalent (B's offer of a service A already offers, an SME already member of A, a territory A
  already covers), or a link between A and B themselves. Rows with a history are deleted through
  the ORM, so their history records the deletion.
- **A keeps its own values**; its blank contact fields (phone, e-mail, website…) are filled
  from B's.
- **One transaction, versions checked**: both listings' versions are claimed first (a form or a
  page loaded before the merge is refused afterwards); rows with their own version (offers,
  contacts, staff) move to their next version, and rows without one move their other parent's
  version (an SME whose membership moved), the rule of ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from structures.enums import PendingChangeStatus
from structures.models import PendingChange, Structure
from structures.permissions import is_registry_admin
from structures.relay.indexing import refresh_structures
from structures.versioning import claim_fresh

# A's blank fields that take B's value.
FILLABLE_FIELDS = (
    "acronym",
    "legal_form",
    "address_line",
    "phone",
    "email",
    "website",
    "opening_hours",
    "description",
)


# django-simple-history stores a change reason in 100 characters.
REASON_LENGTH = 100


def _reason(text: str) -> str:
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


@dataclass
class RelationStep:
    """What a merge does with the rows of one relation pointing to the source."""

    model: type[models.Model]
    field_name: str
    moved: list[models.Model] = field(default_factory=list)
    dropped: list[tuple[models.Model, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)


@dataclass
class MergePlan:
    """Everything a merge of ``source`` into ``target`` will do, for the confirmation page."""

    source: Structure
    target: Structure
    steps: list[RelationStep]
    filled: dict[str, object]

    @property
    def moved_count(self) -> int:
        return sum(len(step.moved) for step in self.steps)

    @property
    def dropped(self) -> list[tuple[str, models.Model, str]]:
        return [(step.label, row, why) for step in self.steps for row, why in step.dropped]

    @property
    def filled_labels(self) -> list[tuple[str, object]]:
        return [
            (str(Structure._meta.get_field(name).verbose_name), value)
            for name, value in self.filled.items()
        ]


def _relations() -> list[tuple[type[models.Model], models.Field]]:
    """(model, field) of every foreign key to ``Structure`` that a merge must move: forward keys
    of other models and of structures themselves, the through tables of many-to-many fields."""
    found = []
    for rel in Structure._meta.related_objects:
        if rel.many_to_many:
            through = rel.through
            for through_field in through._meta.get_fields():
                if (
                    isinstance(through_field, models.ForeignKey)
                    and through_field.related_model is Structure
                ):
                    found.append((through, through_field))
        else:
            found.append((rel.related_model, rel.field))
    return found


def _unique_sets(model: type[models.Model], field_name: str) -> list[tuple[str, ...]]:
    """The uniqueness rules of ``model`` that involve ``field_name``, as their other fields."""
    sets: list[tuple[str, ...]] = []
    if model._meta.get_field(field_name).unique:
        sets.append(())
    for fields in model._meta.unique_together:
        if field_name in fields:
            sets.append(tuple(name for name in fields if name != field_name))
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.condition is None
            and constraint.fields
            and field_name in constraint.fields
        ):
            sets.append(tuple(name for name in constraint.fields if name != field_name))
    return sets


def _attnames(model, names) -> tuple[str, ...]:
    return tuple(model._meta.get_field(name).attname for name in names)


def _plan_step(model, fk: models.ForeignKey, source: Structure, target: Structure) -> RelationStep:
    step = RelationStep(model=model, field_name=fk.name)
    rows = model._default_manager.filter(**{fk.name: source}).order_by("pk")
    if model is Structure:
        rows = rows.exclude(pk=target.pk)  # A itself, a child of B: handled on A.
    at_target = model._default_manager.filter(**{fk.name: target})
    taken: dict[tuple[str, ...], set[tuple]] = {}
    for others in _unique_sets(model, fk.name):
        if others:
            taken[others] = set(at_target.values_list(*_attnames(model, others)))
        else:  # a one-to-one key: A's own row, if any, is the only one allowed
            taken[others] = {()} if at_target.exists() else set()
    # Other keys to Structure on the same row: a row tying B to A would tie A to itself.
    siblings = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is Structure and f is not fk
    ]
    for row in rows:
        if model is PendingChange and row.status == PendingChangeStatus.PENDING:
            # A proposal for B's name, kind or coverage is no proposal for A (and A may have
            # its own pending one: one per listing). Decided ones move with the history.
            step.dropped.append((row, _("proposition en attente sur la fiche fusionnée")))
            continue
        if any(getattr(row, f.attname) == target.pk for f in siblings):
            step.dropped.append((row, _("relie les deux fiches fusionnées entre elles")))
            continue
        clash = next(
            (
                others
                for others, keys in taken.items()
                if tuple(getattr(row, name) for name in _attnames(model, others)) in keys
            ),
            None,
        )
        if clash is not None:
            step.dropped.append(
                (row, _("« %(target)s » a déjà son équivalent") % {"target": target})
            )
            continue
        step.moved.append(row)
        for others, keys in taken.items():
            keys.add(tuple(getattr(row, name) for name in _attnames(model, others)))
    return step


def _refuse(source: Structure, target: Structure) -> None:
    if source.pk == target.pk:
        raise ValidationError(_("Une fiche ne peut pas être fusionnée avec elle-même."))
    # A kept listing that depends on the merged one through another would, once that other
    # moves under it, close a loop in the network (a direct child simply takes B's parent).
    ancestor, seen = target.parent, {target.pk}
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == source.pk and target.parent_id != source.pk:
            raise ValidationError(
                _(
                    "« %(target)s » dépend de « %(source)s » par une autre fiche : fusionnez "
                    "plutôt dans l'autre sens, ou rattachez-la d'abord directement."
                )
                % {"target": target, "source": source}
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    for structure in (source, target):
        if structure.merged_into_id is not None:
            raise ValidationError(
                _("« %(name)s » a déjà été fusionnée dans une autre fiche.") % {"name": structure}
            )


def merge_plan(*, source: Structure, target: Structure) -> MergePlan:
    """What merging ``source`` into ``target`` would move, drop and fill (nothing is written).

    Raises ``ValidationError`` when the merge is impossible (the same listing, one already
    merged).
    """
    _refuse(source, target)
    steps = [_plan_step(model, fk, source, target) for model, fk in _relations()]
    filled = {
        name: getattr(source, name)
        for name in FILLABLE_FIELDS
        if not getattr(target, name) and getattr(source, name)
    }
    return MergePlan(
        source=source,
        target=target,
        steps=[step for step in steps if step.moved or step.dropped],
        filled=filled,
    )


def _has_history(model) -> bool:
    return hasattr(model, "history")


def _has_version(model) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


def _bump_other_parents(model, fk: models.ForeignKey, rows) -> None:
    """Rows without a version of their own belong to their other parents: move theirs."""
    for parent_fk in model._meta.concrete_fields:
        if (
            isinstance(parent_fk, models.ForeignKey)
            and parent_fk is not fk
            and parent_fk.related_model is not Structure
            and _has_version(parent_fk.related_model)
        ):
            ids = {getattr(row, parent_fk.attname) for row in rows} - {None}
            if ids:
                parent_fk.related_model._default_manager.filter(pk__in=ids).update(
                    version=F("version") + 1
                )


def _save_row(row, *, user, reason: str) -> None:
    if _has_version(type(row)):
        row.version += 1
    row._history_user = user
    row._change_reason = reason
    row.save()


def _apply(step: RelationStep, target: Structure, *, user, reason: str) -> None:
    model = step.model
    fk = model._meta.get_field(step.field_name)
    for row, _why in step.dropped:
        row._history_user = user
        row._change_reason = reason
        row.delete()
    if not step.moved:
        return
    if _has_history(model) or _has_version(model):
        for row in step.moved:
            setattr(row, fk.name, target)
            _save_row(row, user=user, reason=reason)
    else:
        model._default_manager.filter(pk__in=[row.pk for row in step.moved]).update(
            **{fk.attname: target.pk}
        )
    if not _has_version(model):
        _bump_other_parents(model, fk, step.moved + [row for row, _why in step.dropped])


def merge_structures(
    *,
    source: Structure,
    target: Structure,
    source_version: int | None,
    target_version: int | None,
    user,
) -> Structure:
    """Merge the duplicate ``source`` into ``target`` (registry administrators only).

    Everything pointing to ``source`` moves to ``target`` (see the module docstring for what is
    dropped and why); ``source`` stays, deactivated, with ``merged_into`` set. One transaction:
    on ``StaleVersionError`` (either listing changed since the page was loaded) or any error,
    nothing is written. Returns ``target`` as stored.
    """
    if not is_registry_admin(user):
        raise PermissionDenied(_("Seul un administrateur du registre fusionne des fiches."))
    with transaction.atomic():
        # Lock in a fixed order (lower id first) so that two crossed merges cannot deadlock.
        claims = sorted(
            [(source.pk, source_version, "source"), (target.pk, target_version, "target")]
        )
        fresh = {role: claim_fresh(Structure, pk, expected=version) for pk, version, role in claims}
        source, target = fresh["source"], fresh["target"]
        plan = merge_plan(source=source, target=target)
        reason = _reason(
            _("Fusion de « %(source)s » (n° %(pk)s) dans « %(target)s »")
            % {"source": source, "pk": source.pk, "target": target}
        )
        for step in plan.steps:
            _apply(step, target, user=user, reason=reason)
        target.refresh_from_db()
        for name, value in plan.filled.items():
            setattr(target, name, value)
        if target.parent_id == source.pk:
            target.parent_id = source.parent_id if source.parent_id != target.pk else None
        target.full_clean()
        target._history_user = user
        target._change_reason = _reason(
            _("Fusion de « %(source)s » (n° %(pk)s)") % {"source": source, "pk": source.pk}
        )
        target.save()
        source.refresh_from_db()
        source.is_active = False
        source.is_validated = False
        source.merged_into = target
        source._history_user = user
        source._change_reason = _reason(
            _("Fusionnée dans « %(target)s » (n° %(pk)s)") % {"target": target, "pk": target.pk}
        )
        source.save()
        refresh_structures(structure_ids=[target.pk, source.pk])
    return target


def merged_successor(*, slug: str) -> Structure | None:
    """The published listing that replaced the merged listing ``slug`` (following successive
    merges), or None: its old public address then leads there."""
    structure = Structure.objects.filter(slug=slug, merged_into__isnull=False).first()
    seen: set[int] = set()
    while structure is not None and structure.merged_into_id and structure.pk not in seen:
        seen.add(structure.pk)
        structure = structure.merged_into
    if structure is None or not Structure.objects.published().filter(pk=structure.pk).exists():
        return None
    return structure

"""Who sees what in the admin: registry administrators see everything, staff their structures.

Every admin of the app (and every inline) goes through ``StructureScopedMixin``: the change
lists, change forms, delete pages, history pages, actions and autocomplete results all start from
``get_queryset``, and every foreign key or many-to-many field pointing to a structure, an offer or
a contact is limited to the user's scope, so a crafted POST naming another chamber's object fails
validation like any invalid choice.

The rules themselves (registry administrator, structures a user may edit) are those of
``structures.permissions``, shared with the API and the pages.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from structures.models import Contact, Offer, Structure
from structures.permissions import caller_for, editable_structure_ids, in_scope_q, is_registry_admin
from territories.models import Territory


def scope_to_user(queryset: QuerySet, user, *, structure_path: str) -> QuerySet:
    """Restrict ``queryset`` to the objects of the structures ``user`` may edit.

    ``structure_path`` is the lookup from the queryset's model to ``Structure``: ``""`` for the
    structures themselves, ``"structure"`` for offers and contacts, ``"offer__structure"`` for
    markets.
    """
    if is_registry_admin(user):
        return queryset
    editable = Structure.objects.editable_by(user).values("pk")
    lookup = f"{structure_path}__in" if structure_path else "pk__in"
    return queryset.filter(**{lookup: editable})


def structure_id_of(obj: Model, structure_path: str) -> int | None:
    """The id of the structure ``obj`` belongs to, following ``structure_path``."""
    if not structure_path:
        return obj.pk
    *hops, last = structure_path.split("__")
    target = obj
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def in_scope(user, obj: Model | None, *, structure_path: str) -> bool:
    """True when ``user`` may see ``obj`` (always for registry administrators)."""
    if obj is None or is_registry_admin(user):
        return True
    structure_id = structure_id_of(obj, structure_path)
    return structure_id is not None and structure_id in editable_structure_ids(user)


def scoped_choices(model: type[Model], user) -> QuerySet | None:
    """The choices a form may offer for a relation to ``model``, or None if unrestricted."""
    if model is Structure:
        return scope_to_user(Structure.objects.all(), user, structure_path="")
    if model is Offer:
        return scope_to_user(
            Offer.objects.select_related("structure", "service"), user, structure_path="structure"
        )
    if model is Contact:
        return scope_to_user(
            Contact.objects.select_related("structure"), user, structure_path="structure"
        )
    return None


class StructureScopedMixin:
    """Scopes a ModelAdmin or an inline to the structures the user may edit.

    ``structure_path`` is the lookup from the admin's model to ``Structure`` (see
    ``scope_to_user``).
    """

    structure_path = "structure"

    def get_queryset(self, request):
        return scope_to_user(
            super().get_queryset(request), request.user, structure_path=self.structure_path
        )

    def _obj_in_scope(self, request, obj) -> bool:
        # Inlines receive the *parent* object: the parent admin already scoped it.
        if obj is not None and not isinstance(obj, self.model):
            return True
        return in_scope(request.user, obj, structure_path=self.structure_path)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._obj_in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._obj_in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._obj_in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "commune" and db_field.remote_field.model is Territory:
            # A listing may not be placed outside the editor's territories (account scope).
            caller = caller_for(request)
            kwargs.setdefault(
                "queryset",
                Territory.objects.filter(in_scope_q(caller, commune_path="pk")),
            )
        choices = scoped_choices(db_field.remote_field.model, request.user)
        if choices is not None and "queryset" not in kwargs:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = scoped_choices(db_field.remote_field.model, request.user)
        if choices is not None and "queryset" not in kwargs:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

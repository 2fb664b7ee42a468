"""Create (or bring up to date) the two admin groups of the registry.

- "Personnel des structures": what a chamber's staff need to keep their own listings current in
  the admin (read and change their structure; create a listing within their network — an
  antenna or a desk whose network head is one of their structures, unpublished until a registry
  administrator validates it (``structures.moderation``); add, change and delete its offers,
  contacts, coverage, target markets and member counts; read the catalogues and the
  territories). The admin
  limits every page to the structures the user belongs to (``StaffMembership``): the group gives
  the kind of access, the memberships give the scope.
- "Administrateurs du registre": every permission of the structures, territories and SME apps
  (registry administrators read every SME through the API too), including
  ``manage_all_structures`` (see every listing, validate, manage memberships), the territories,
  reading users (to add someone to a structure's team), and the login lockouts (django-axes:
  see them, unlock an account by deleting its attempt), and the territorial intelligence
  (``insights``: events and priorities everywhere).
- "Coordinateurs territoriaux": agency staff who record the events and strategic priorities of
  their territory (``insights``): add, change, delete and view them (their forms offer the
  territories, countries and sectors without a permission on those catalogues). The admin and the services limit them to their account's scope
  (``AccountScope``); without a scope they write nothing.

Idempotent: run it after every ``migrate``; it sets each group's permissions to exactly the list
below. Users still need ``is_staff`` to log into the admin.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from structures.permissions import COORDINATOR_GROUP, REGISTRY_ADMIN_GROUP, STAFF_GROUP

STAFF_PERMISSIONS = (
    "structures.view_structure",
    "structures.add_structure",
    "structures.change_structure",
    "structures.view_structurecoverage",
    "structures.add_structurecoverage",
    "structures.change_structurecoverage",
    "structures.delete_structurecoverage",
    "structures.view_structuremembercount",
    "structures.add_structuremembercount",
    "structures.change_structuremembercount",
    "structures.delete_structuremembercount",
    "structures.view_structurelink",
    "structures.view_offer",
    "structures.add_offer",
    "structures.change_offer",
    "structures.delete_offer",
    "structures.view_offercoverage",
    "structures.add_offercoverage",
    "structures.change_offercoverage",
    "structures.delete_offercoverage",
    "structures.view_offermarket",
    "structures.add_offermarket",
    "structures.change_offermarket",
    "structures.delete_offermarket",
    "structures.view_contact",
    "structures.add_contact",
    "structures.change_contact",
    "structures.delete_contact",
    "structures.view_service",
    "structures.view_sector",
    "territories.view_territory",
)

# Named by string: this command sits below ``insights`` in the layers.
COORDINATOR_PERMISSIONS = (
    *(
        f"insights.{action}_{model}"
        for model in ("territorialevent", "territorialpriority")
        for action in ("add", "change", "delete", "view")
    ),
)

# Registry administrators: every permission of these apps, plus the ones listed.
REGISTRY_ADMIN_APPS = ("structures", "territories", "smes", "insights")
# The axes ones: see who is locked out of the login pages, and unlock them (delete the attempt).
REGISTRY_ADMIN_EXTRA_PERMISSIONS = (
    "auth.view_user",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accessfailurelog",
    "axes.view_accesslog",
)


def _permissions(names) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    condition = Q(pk__in=[])
    for app_label, codename in wanted:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(condition).select_related("content_type"))
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        names = ", ".join(sorted(".".join(m) for m in missing))
        raise CommandError(
            f"Permissions introuvables : {names}. Lancez d'abord « manage.py migrate »."
        )
    return found


class Command(BaseCommand):
    help = (
        "Crée ou met à jour les groupes « Personnel des structures », « Administrateurs du "
        "registre » et « Coordinateurs territoriaux » avec leurs permissions (idempotent)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        staff_permissions = _permissions(STAFF_PERMISSIONS)
        admin_permissions = list(
            Permission.objects.filter(content_type__app_label__in=REGISTRY_ADMIN_APPS)
        ) + _permissions(REGISTRY_ADMIN_EXTRA_PERMISSIONS)

        for name, permissions in (
            (STAFF_GROUP, staff_permissions),
            (REGISTRY_ADMIN_GROUP, admin_permissions),
            (COORDINATOR_GROUP, _permissions(COORDINATOR_PERMISSIONS)),
        ):
            group, created = Group.objects.get_or_create(name=name)
            group.permissions.set(permissions)
            status = "créé" if created else "mis à jour"
            self.stdout.write(
                self.style.SUCCESS(f"Groupe « {name} » {status} : {len(permissions)} permissions.")
            )

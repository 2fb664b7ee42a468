"""Change-list filters of the structures admin (French labels, portable SQL)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from structures.enums import PendingChangeStatus
from structures.models import Offer, PendingChange, Service
from structures.querysets import months_ago
from territories.enums import TerritoryLevel
from territories.models import Territory, TerritoryAncestor

STALE_MONTHS = 12


class RegionFilter(admin.SimpleListFilter):
    """Région of the structure's commune, through the territories closure (one EXISTS)."""

    title = _("région")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        regions = Territory.objects.current().of_level(TerritoryLevel.REGION).order_by("name")
        return [(str(region.pk), region.name) for region in regions]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        links = TerritoryAncestor.objects.filter(
            descendant_id=OuterRef(self.commune_path), ancestor_id=int(value)
        )
        return queryset.filter(Exists(links))

    commune_path = "commune_id"


class OfferRegionFilter(RegionFilter):
    commune_path = "structure__commune_id"


class StaleFilter(admin.SimpleListFilter):
    """Listings nobody confirmed for a year: the staff's to-do list (rule R4, freshness)."""

    title = _("fraîcheur")
    parameter_name = "fraicheur"

    def lookups(self, request, model_admin):
        return [
            ("stale", _("Non vérifiées depuis %(n)s mois") % {"n": STALE_MONTHS}),
            ("fresh", _("Vérifiées depuis moins de %(n)s mois") % {"n": STALE_MONTHS}),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale(months=STALE_MONTHS)
        if self.value() == "fresh":
            return queryset.filter(verified_at__gte=months_ago(STALE_MONTHS))
        return queryset


class ServiceFilter(admin.SimpleListFilter):
    """Structures offering a service (an active or inactive offer of it)."""

    title = _("service proposé")
    parameter_name = "service"

    def lookups(self, request, model_admin):
        return [(str(service.pk), service.name) for service in Service.objects.all()]

    def queryset(self, request, queryset):
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        offers = Offer.objects.filter(structure_id=OuterRef("pk"), service_id=int(value))
        return queryset.filter(Exists(offers))


class ModerationFilter(admin.SimpleListFilter):
    """The registry administrators' queue on the structures list: new listings not yet
    published, and published listings with a change waiting for validation."""

    title = _("modération")
    parameter_name = "moderation"

    def lookups(self, request, model_admin):
        return [
            ("to_validate", _("À valider (fiches non publiées)")),
            ("pending_change", _("Modification en attente de validation")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "to_validate":
            return queryset.filter(is_validated=False, is_active=True)
        if self.value() == "pending_change":
            waiting = PendingChange.objects.filter(
                structure_id=OuterRef("pk"), status=PendingChangeStatus.PENDING
            )
            return queryset.filter(Exists(waiting))
        return queryset

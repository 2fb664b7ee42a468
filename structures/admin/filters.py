"""Change-list filters of the structures admin (French labels, portable SQL)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from structures.enums import Freshness, PendingChangeStatus
from structures.models import Offer, PendingChange, Service
from territories.enums import TerritoryLevel
from territories.models import Territory, TerritoryAncestor

# The change list's "vérifiée le" column flags listings older than this.
STALE_MONTHS = settings.FRESHNESS_REVIEW_MONTHS


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
    """Freshness (``structures.freshness``): the staff's to-do list. "À vérifier" after
    FRESHNESS_REVIEW_MONTHS without a confirmation, "informations à vérifier" (public results
    warn) after FRESHNESS_WARNING_MONTHS; never confirmed listings count from their creation."""

    title = _("fraîcheur")
    parameter_name = "fraicheur"

    def lookups(self, request, model_admin):
        review, warning = settings.FRESHNESS_REVIEW_MONTHS, settings.FRESHNESS_WARNING_MONTHS
        return [
            (Freshness.FRESH, _("À jour (moins de %(n)s mois)") % {"n": review}),
            (
                Freshness.TO_CHECK,
                _("À vérifier (%(low)s à %(high)s mois)") % {"low": review, "high": warning},
            ),
            (Freshness.STALE, _("Informations à vérifier (plus de %(n)s mois)") % {"n": warning}),
        ]

    def queryset(self, request, queryset):
        if self.value() in Freshness.values:
            return queryset.with_freshness(self.value())
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

"""Public pages of the registry: one structure, and the directory (the API's FilterSet)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from structures.enums import MarketStatus
from structures.filters import StructureFilter
from structures.models import Offer, Structure, StructureLink
from structures.relay import criteria
from structures.selectors import structure_detail
from territories.enums import TerritoryLevel
from territories.models import Territory
from web.views.maps import point_of

DIRECTORY_PAGE_SIZE = 20


def _offer_rows(structure) -> list[dict]:
    return [
        {
            "offer": offer,
            "coverage": list(offer.coverage.all()) or list(structure.coverage.all()),
            "inherits_coverage": not offer.coverage.all(),
            "active_markets": [m for m in offer.markets.all() if m.status == MarketStatus.ACTIVE],
            "planned_markets": [m for m in offer.markets.all() if m.status == MarketStatus.PLANNED],
            # Worded as the relay lookup words them.
            "eligibility": criteria.offer_condition_notes(offer),
        }
        for offer in structure.offers.all()
    ]


def _prefetch_network(structure) -> None:
    published_links = StructureLink.objects.filter(
        from_structure__is_active=True,
        from_structure__is_validated=True,
        to_structure__is_active=True,
        to_structure__is_validated=True,
    ).prefetch_related("countries")
    prefetch_related_objects(
        [structure],
        "offers__naf_include",
        "offers__naf_exclude",
        Prefetch(
            "outgoing_links",
            queryset=published_links.select_related("to_structure"),
            to_attr="public_outgoing_links",
        ),
        Prefetch(
            "incoming_links",
            queryset=published_links.select_related("from_structure"),
            to_attr="public_incoming_links",
        ),
    )


@require_GET
def structure_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A published structure: identity, offers with coverage, contacts, network, provenance."""
    try:
        structure = structure_detail(slug=slug)
    except Structure.DoesNotExist:
        raise Http404 from None
    _prefetch_network(structure)
    members = [c for c in structure.children.all() if c.is_active and c.is_validated]
    parent = structure.parent
    point = point_of(structure)
    context = {
        "structure": structure,
        "offers": _offer_rows(structure),
        "members": sorted(members, key=lambda s: (s.name, s.pk)),
        "parent": parent,
        "parent_is_public": parent is not None and parent.is_active and parent.is_validated,
        "contacts": list(structure.contacts.all()),
        "member_counts": list(structure.member_counts.all()),
        "map_data": {
            "origin": None,
            "markers": [
                {"n": 1, "lat": point[0], "lon": point[1], "name": str(structure), "url": ""}
            ],
        }
        if point
        else None,
    }
    return render(request, "site/structure_detail.html", context)


def _directory_territories() -> list[Territory]:
    return list(
        Territory.objects.current()
        .filter(level__in=[TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT])
        .order_by("-rank", "code")
    )


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Browse and filter published structures (the API's FilterSet), paginated."""
    queryset = (
        Structure.objects.published()
        .select_related("commune", "commune__parent")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(is_active=True)
                .select_related("service")
                .order_by("service__position", "pk"),
                to_attr="active_offers",
            )
        )
    )
    filterset = StructureFilter(request.GET or None, queryset=queryset)
    status = 200
    if filterset.is_bound and not filterset.is_valid():
        structures = queryset.none()
        status = 400
    else:
        structures = filterset.qs
    page = Paginator(structures, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "territories": _directory_territories(),
        "selected_in": request.GET.get("in", ""),
        "selected_kinds": request.GET.getlist("kind"),
    }
    return render(request, "site/structure_list.html", context, status=status)

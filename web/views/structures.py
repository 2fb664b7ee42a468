"""Public pages of the registry: one structure, and the directory (the API's FilterSet)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from structures.enums import LinkKind, MarketStatus
from structures.filters import StructureFilter
from structures.merging import merged_successor
from structures.models import Structure
from structures.permissions import caller_for, may_edit_structure
from structures.relay import criteria
from structures.relay.wording import condition_texts
from structures.selectors import alliances_of, directory_list, structure_detail
from territories.selectors import regions_and_departements
from web.views.maps import grouped, point_of

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
            "eligibility": condition_texts(criteria.offer_conditions(offer)),
        }
        for offer in structure.offers.all()
    ]


@require_GET
def structure_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A published structure: identity, offers with coverage, contacts, network, provenance."""
    try:
        structure = structure_detail(slug=slug)
    except Structure.DoesNotExist:
        successor = merged_successor(slug=slug)
        if successor is not None:  # a duplicate merged into another listing
            return redirect("structure-detail", slug=successor.slug, permanent=True)
        raise Http404 from None
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
        # Inter-cluster alliances apart, with their countries (a link, never competence: R10).
        "alliances": alliances_of(structure),
        "outgoing_links": [
            link
            for link in structure.public_outgoing_links
            if link.kind != LinkKind.INTER_CLUSTER_ALLIANCE
        ],
        "incoming_links": [
            link
            for link in structure.public_incoming_links
            if link.kind != LinkKind.INTER_CLUSTER_ALLIANCE
        ],
        "member_counts": list(structure.member_counts.all()),
        # Its staff edit it from here and come back here after saving (admin ``next``).
        "can_edit": request.user.is_staff and may_edit_structure(caller_for(request), structure),
        "map_data": {
            "origin": None,
            "markers": grouped(
                [
                    {
                        "n": 1,
                        "lat": point[0],
                        "lon": point[1],
                        "name": str(structure),
                        "url": "",
                        "fallback": False,
                    }
                ]
            ),
        }
        if point
        else None,
    }
    return render(request, "site/structure_detail.html", context)


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Browse and filter published structures (the API's FilterSet), paginated."""
    queryset = directory_list()
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
        "territories": regions_and_departements(),
        "selected_in": request.GET.get("in", ""),
        "selected_kinds": request.GET.getlist("kind"),
    }
    return render(request, "site/structure_list.html", context, status=status)

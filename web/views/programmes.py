"""Programme pages: the catalogue of schemes, and one scheme's local doors by territory (R6)."""

from __future__ import annotations

from itertools import groupby

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from structures.permissions import caller_for
from structures.programmes import door_gaps, programme_entry_points, programme_list

PROGRAMMES_PAGE_SIZE = 20
DOORS_PAGE_SIZE = 50


@require_GET
def programme_list_page(request: HttpRequest) -> HttpResponse:
    """Current programmes, with their number of doors and of départements left without one."""
    page = Paginator(programme_list(), PROGRAMMES_PAGE_SIZE).get_page(request.GET.get("page"))
    gaps = door_gaps(programmes=page.object_list)
    rows = [(programme, gaps[programme.pk]) for programme in page.object_list]
    return render(request, "site/programme_list.html", {"page": page, "rows": rows})


@require_GET
def programme_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A programme and its doors, grouped by territory (widest first), paginated."""
    programme = get_object_or_404(programme_list(), slug=slug)
    doors = programme_entry_points(programme=programme, caller=caller_for(request))
    page = Paginator(doors, DOORS_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = [
        (territory, list(rows))
        for territory, rows in groupby(page.object_list, key=lambda row: row.territory)
    ]
    context = {
        "programme": programme,
        "page": page,
        "groups": groups,
        "gaps": door_gaps(programmes=[programme])[programme.pk],
    }
    return render(request, "site/programme_detail.html", context)

"""The home page and the registry's informative pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from structures.api.opendata import LICENCE, LICENCE_URL, open_data_notice
from structures.selectors import open_data_scope
from territories.selectors import reference_summary
from web import page_cache
from web.forms import RelaySearchForm
from web.sources import DATA_SOURCES


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the registry is, and the search form (submitted to the results page by GET)."""
    # The empty search form and the counts are the same on every request until the catalogues
    # or the territory reference change: built once (web.page_cache).
    context = {
        "search_form": page_cache.cached("home-search-form", _empty_search_form),
        "summary": page_cache.cached("reference-summary", reference_summary),
    }
    return render(request, "site/home.html", context)


def _empty_search_form() -> str:
    return render_to_string("site/_search_form.html", {"form": RelaySearchForm()})


@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    """The data the registry ships, and its own open-data export (with its demo notice)."""
    scope = open_data_scope()
    open_data = {
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "rows": scope.rows,
        "demo": scope.has_demo_rows,
        "notice": open_data_notice(scope),
    }
    return render(request, "site/sources.html", {"sources": DATA_SOURCES, "open_data": open_data})


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "site/legal_notice.html")

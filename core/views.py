from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.sources import DATA_SOURCES
from structures.forms import RelaySearchForm
from territories.selectors import reference_summary


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and docker-compose."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What the registry is, and the search form (submitted to the results page by GET)."""
    context = {"form": RelaySearchForm(), "summary": reference_summary()}
    return render(request, "core/home.html", context)


@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    return render(request, "core/sources.html", {"sources": DATA_SOURCES})


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html")

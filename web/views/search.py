"""The results page of the relay search ("who is the nearest competent relay?")."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from structures.models import Sector
from structures.permissions import caller_for
from structures.relay.doors import local_doors
from structures.relay.engine import find_relays
from territories.enums import TerritoryLevel
from web.forms import POSTAL_CODE, RelaySearchForm
from web.relay_cards import relay_cards
from web.search_form import search_form_html
from web.unmet import count_if_unmet
from web.views.maps import grouped, relay_marker


def _candidate_links(request: HttpRequest, candidates) -> list[dict]:
    """Links that run the same search with one commune chosen.

    The visible field takes the commune's name, unless it holds a postal code (which the
    commune has): the form keeps a chosen code only while the text still goes with it.
    """
    links = []
    for place in candidates:
        params = request.GET.copy()
        params["commune"] = place.code
        if not POSTAL_CODE.match(params.get("where", "").replace(" ", "")):
            params["where"] = place.name
        links.append({"place": place, "url": "?" + params.urlencode()})
    return links


def _sector_label(code: str) -> str:
    if not code:
        return ""
    sector = Sector.objects.filter(code=code).first()
    return str(sector) if sector else code


def _directory_url(location) -> str:
    """The directory filtered on the commune's département (the "what to try" of an empty
    result), found among the ancestors the lookup already read."""
    departement = location.ancestor_at(TerritoryLevel.DEPARTEMENT)
    base = reverse("structure-list")
    if departement is None:
        return base
    return f"{base}?{urlencode({'in': f'departement:{departement.code}'})}"


def _results_context(response) -> dict:
    results = list(enumerate(response.results, start=1))
    fallbacks = list(enumerate(response.fallbacks, start=len(results) + 1))
    markers = [relay_marker(n, r, fallback=False) for n, r in results]
    markers += [relay_marker(n, r, fallback=True) for n, r in fallbacks]
    location = response.location
    state = "results" if results or fallbacks else "empty"
    return {
        "state": state,
        # Shown with an empty result only.
        "directory_url": _directory_url(location) if state == "empty" else "",
        "results": results,
        "fallbacks": fallbacks,
        "result_cards": relay_cards(results, fallback=False),
        "fallback_cards": relay_cards(fallbacks, fallback=True),
        "map_data": {
            "origin": {
                "lat": location.latitude,
                "lon": location.longitude,
                "name": location.commune.name,
            },
            "markers": grouped(markers),
        },
    }


@require_GET
def relay_search(request: HttpRequest) -> HttpResponse:
    """Results of the home page's search: ranked relays, labelled fallbacks, or a question
    (which of these communes? / did you mean one of these?)."""
    if not request.GET:
        return _render(request, {"form": RelaySearchForm(), "state": "form"})
    caller = caller_for(request)
    form = RelaySearchForm(request.GET, caller=caller)
    context: dict = {"form": form}
    if not form.is_valid():
        context["state"] = "invalid"
        return _render(request, context, status=400)
    data = form.cleaned_data
    context.update(where=data["where"], service=data["service"])
    if data["candidates"]:
        context.update(state="choose", candidates=_candidate_links(request, data["candidates"]))
        return _render(request, context)
    if data["suggestions"]:
        context.update(state="suggest", candidates=_candidate_links(request, data["suggestions"]))
        return _render(request, context)
    response = find_relays(data["query"])
    count_if_unmet(request, response)
    context.update(
        response=response,
        sector_label=_sector_label(data["sector"]),
        applied_profile=form.applied_profile(),
        doors=local_doors(response=response, caller=caller),
        **_results_context(response),
    )
    return _render(request, context)


def _render(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    context["search_form"] = search_form_html(context["form"])
    return render(request, "site/search.html", context, status=status)

"""Public coverage pages: for a région, a département, an EPCI or France, which communes have a
competent relay near them, which have one only far away, which have none (issue 12).

The report is ``insights.coverage.territory_coverage``; this view only shows it: the totals by
state, per service, per EPCI / département / région within, the current quarter's unmet
searches beside the gaps, a map of the places and their table (sorted and paginated here, so
that the page works without JavaScript: the table is the map's accessible equivalent).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext
from django.views.decorators.http import require_GET

from insights.coverage import (
    COVERED,
    FAR,
    UNCOVERED,
    CoverageError,
    StateTotals,
    TerritoryCoverage,
    territory_coverage,
)
from structures.programmes import door_gaps_in
from structures.unmet_searches import unmet_search_summary
from territories.enums import TerritoryLevel
from territories.models import Territory
from territories.selectors import TerritoryLookupError, get_territory
from web.forms import COVERAGE_SORTS, SUBTOTAL_SORTS, CoverageForm
from web.views.territories import from_place, phrase, territory_or_404

REPORT_LEVELS = (TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT, TerritoryLevel.EPCI)
PAGE_SIZE = 50
# Above this many places (a large région, France) the map shows only the gaps: tens of
# thousands of markers would make the page heavy on a phone, and the gaps are the point.
MAP_ALL_LIMIT = 5000
# Gaps first.
STATE_ORDER = (UNCOVERED, FAR, COVERED)
STATE_LABELS = {
    COVERED: _("couverte"),
    FAR: _("éloignée"),
    UNCOVERED: _("non couverte"),
}
STATE_FILTER_LABELS = {
    COVERED: _("Couvertes"),
    FAR: _("Éloignées"),
    UNCOVERED: _("Non couvertes"),
}
# The state after a number of communes: "1 commune couverte", "3 communes couvertes".
STATE_NOUNS = {
    COVERED: ("couverte", "couvertes"),
    FAR: ("éloignée", "éloignées"),
    UNCOVERED: ("non couverte", "non couvertes"),
}
STATE_RANK = {state: rank for rank, state in enumerate(STATE_ORDER)}
# Names sorted as French readers expect ("Écully" among the E): accents folded. A translation
# table rather than ``normalize_name`` (NFKD): France's 35,000 places are sorted on each view.
_FOLD = str.maketrans(
    {
        **{
            accented: plain
            for plain, group in (
                ("a", "àâäáã"),
                ("c", "ç"),
                ("e", "éèêë"),
                ("i", "îïíì"),
                ("o", "ôöóò"),
                ("u", "ùûüú"),
                ("y", "ÿý"),
                ("n", "ñ"),
            )
            for accented in group
        },
        "œ": "oe",
        "æ": "ae",
        "-": " ",
        "'": " ",
        "’": " ",
    }
)


def name_key(name: str) -> str:
    return name.lower().translate(_FOLD)


@require_GET
def territory_coverage_page(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """The coverage report of a région, a département or an EPCI."""
    return _coverage_page(
        request, territory_or_404(level, code, levels=REPORT_LEVELS), national=False
    )


@require_GET
def france_coverage_page(request: HttpRequest) -> HttpResponse:
    """The coverage report of France, one service at a time."""
    try:
        france = get_territory(level=TerritoryLevel.COUNTRY, code="FR")
    except TerritoryLookupError:
        raise Http404 from None
    return _coverage_page(request, france, national=True)


def _coverage_page(request: HttpRequest, territory: Territory, *, national: bool) -> HttpResponse:
    form = CoverageForm(
        request.GET,
        national=national,
        states=[(state, STATE_FILTER_LABELS[state]) for state in STATE_ORDER],
    )
    ancestors = list(
        Territory.objects.ancestors_of(territory, include_self=False)
        .exclude(level=TerritoryLevel.COUNTRY)
        .order_by("-rank")
    )
    context: dict = {
        "territory": territory,
        "national": national,
        "ancestors": ancestors,
        "form": form,
        "of_territory": phrase(territory, fr="de", en="of"),
        "report": None,
    }
    if not form.is_valid():
        return render(request, "site/coverage.html", context, status=400)
    data = form.cleaned_data
    try:
        report = territory_coverage(
            territory=territory,
            service=data["service"],
            country=data["country"],
            sector=data["sector"] or None,
            horizon_km=data["horizon_km"],
        )
    except CoverageError as error:
        form.add_error(None, str(error))
        return render(request, "site/coverage.html", context, status=400)
    context.update(_report_context(request, report, data))
    context["programme_gaps"] = door_gaps_in(territory=territory, service=data["service"])
    return render(request, "site/coverage.html", context)


# --- Links ----------------------------------------------------------------------------------------


def _query(params: QueryDict, **changes) -> str:
    """``params`` with some replaced (None or "": removed), as "?…"."""
    params = params.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def download_url(report: TerritoryCoverage, *, fmt: str) -> str:
    """The API's export of the same report (``format`` csv or geojson)."""
    territory = report.territory
    params = {"territory": f"{territory.level}:{territory.code}"}
    if report.service is not None:
        params["service"] = report.service.code
    if report.country_code:
        params["country"] = report.country_code
    if report.sector:
        params["sector"] = report.sector
    params["horizon_km"] = f"{report.horizon_km:g}"
    params["format"] = fmt
    return f"{reverse('coverage-report')}?{urlencode(params)}"


# --- Figures --------------------------------------------------------------------------------------


def _share(part: int, total: int) -> float | None:
    """A percentage (0–100), ``None`` of nothing."""
    return 100 * part / total if total else None


def _summary_rows(totals: StateTotals) -> list[dict]:
    places, population, smes = totals.place_count, totals.population_total, totals.sme_total
    return [
        {
            "state": state,
            "label": STATE_LABELS[state],
            "places": totals.places[state],
            "places_share": _share(totals.places[state], places),
            "population": totals.population[state],
            "population_share": _share(totals.population[state], population),
            "smes": totals.smes[state],
            "smes_share": _share(totals.smes[state], smes),
        }
        for state in STATE_ORDER
    ]


def _sorted(items: list, *, value, order: str, tie) -> list:
    """``items`` by ``value`` (ties by ``tie``), those without a value last in either order."""
    items = sorted(items, key=tie)
    known = [item for item in items if value(item) is not None]
    unknown = [item for item in items if value(item) is None]
    return sorted(known, key=value, reverse=order == "desc") + unknown


PLACE_SORT_VALUES = {
    "name": lambda row: row["key"],
    "code": lambda row: row["place"].code,
    "population": lambda row: row["place"].population,
    "smes": lambda row: row["place"].smes,
    "state": lambda row: STATE_RANK[row["place"].state],
    "distance": lambda row: row["place"].distance_km,
    "services": lambda row: row["covered_services"],
}
SUBTOTAL_SORT_VALUES = {
    "name": lambda totals: name_key(totals.name),
    "code": lambda totals: totals.code,
    "population": lambda totals: totals.population_total,
    "uncovered": lambda totals: totals.population[UNCOVERED],
    "share": lambda totals: totals.population_share(UNCOVERED),
}


def _headers(params: QueryDict, keys, labels, *, sort: str, order: str, prefix: str = "") -> list:
    """Sortable column headers: ``aria-sort`` on the sorted one, a link reversing or choosing."""
    headers = []
    for key in keys:
        current = key == sort
        next_order = ("desc" if order == "asc" else "asc") if current else "asc"
        if not current and key in ("population", "smes", "uncovered", "share", "services"):
            next_order = "desc"  # the largest first is what one looks for
        changes = {f"{prefix}sort": key, f"{prefix}order": next_order}
        if not prefix:
            changes["page"] = None
        headers.append(
            {
                "key": key,
                "label": labels[key],
                "aria_sort": ("ascending" if order == "asc" else "descending") if current else "",
                "url": _query(params, **changes),
                "next_order": next_order,
                "number": key not in ("name", "code", "state"),
            }
        )
    return headers


def _report_context(request: HttpRequest, report: TerritoryCoverage, data: dict) -> dict:
    params = request.GET
    one_service = report.service
    service_count = len(report.services)

    # Unmet searches of the current quarter, from this territory (of the service shown).
    unmet = unmet_search_summary(territory=report.territory)
    unmet_by_service = {service.pk: count for service, count in unmet.by_service}
    unmet_count = (
        unmet_by_service.get(one_service.pk, 0) if one_service is not None else unmet.total
    )

    rows = [
        {
            "place": place,
            "state_label": STATE_LABELS[place.state],
            "key": name_key(place.name),
            # All services: how many of them are covered here (one service: its state says it).
            "covered_services": place.count(COVERED) if one_service is None else None,
            "relay": report.relays.get(place.structure_id) if place.structure_id else None,
        }
        for place in report.places
    ]
    counts = {state: report.totals.places[state] for state in STATE_ORDER}
    if data["state"]:
        rows = [row for row in rows if row["place"].state == data["state"]]
    rows = _sorted(
        rows,
        value=PLACE_SORT_VALUES[data["sort"]],
        order=data["order"],
        tie=lambda row: (row["key"], row["place"].code),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(data["page"])
    columns = ["name", "code", "population", "smes", "state"]
    columns.append("distance" if one_service is not None else "services")

    # EPCIs of France would be a table of 1,200 rows: régions and départements only there.
    levels = [TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT, TerritoryLevel.EPCI]
    if report.territory.level == TerritoryLevel.COUNTRY:
        levels.remove(TerritoryLevel.EPCI)
    level_labels = dict(TerritoryLevel.choices)
    subtotal_groups = []
    for level in levels:
        items = [t for t in report.subtotals if t.level == level]
        if not items:
            continue
        items = _sorted(
            items,
            value=SUBTOTAL_SORT_VALUES[data["group_sort"]],
            order=data["group_order"],
            tie=lambda t: (name_key(t.name), t.code),
        )
        subtotal_groups.append(
            {
                "level": level,
                "label": level_labels[level],
                "rows": [
                    {
                        "totals": t,
                        "share": _share(t.population[UNCOVERED], t.population_total),
                        "report_url": reverse("territory-coverage", args=[t.level, t.code])
                        + _query(
                            params,
                            page=None,
                            state=None,
                            sort=None,
                            order=None,
                            group_sort=None,
                            group_order=None,
                        ),
                    }
                    for t in items
                ],
            }
        )

    per_service = []
    if one_service is None:
        for entry in report.by_service:
            per_service.append(
                {
                    "service": entry.service,
                    "totals": entry.totals,
                    "unmet": unmet_by_service.get(entry.service.pk, 0),
                    "url": _query(
                        params, service=entry.service.code, page=None, sort=None, order=None
                    ),
                }
            )

    return {
        "report": report,
        "service": one_service,
        "service_count": service_count,
        "horizon_text": f"{report.horizon_km:g}",
        "summary": _summary_rows(report.totals),
        "gaps": report.totals.places[FAR] + report.totals.places[UNCOVERED],
        "unmet": unmet,
        "unmet_count": unmet_count,
        "from_place": from_place(report.territory),
        "per_service": per_service,
        "state_filters": [
            {
                "state": "",
                "label": _("Toutes"),
                "count": report.totals.place_count,
                "url": _query(params, state=None, page=None),
                "current": not data["state"],
            },
            *[
                {
                    "state": state,
                    "label": STATE_FILTER_LABELS[state],
                    "count": counts[state],
                    "url": _query(params, state=state, page=None),
                    "current": data["state"] == state,
                }
                for state in STATE_ORDER
            ],
        ],
        "state_filter": data["state"],
        # "Aucune commune couverte.", "1 commune couverte", "3 communes couvertes"
        "state_one": STATE_LABELS.get(data["state"], ""),
        "state_counted": npgettext(
            "après un nombre de communes", *STATE_NOUNS[data["state"]], page.paginator.count
        )
        if data["state"]
        else "",
        "page": page,
        "page_links": {
            "previous": _query(params, page=page.previous_page_number())
            if page.has_previous()
            else "",
            "next": _query(params, page=page.next_page_number()) if page.has_next() else "",
        },
        "place_headers": _headers(
            params, columns, COVERAGE_SORTS, sort=data["sort"], order=data["order"]
        ),
        "subtotal_groups": subtotal_groups,
        "subtotal_headers": _headers(
            params,
            ["name", "code", "population", "uncovered", "share"],
            SUBTOTAL_SORTS,
            sort=data["group_sort"],
            order=data["group_order"],
            prefix="group_",
        ),
        "csv_url": download_url(report, fmt="csv"),
        "geojson_url": download_url(report, fmt="geojson"),
        "map_data": _map_data(report),
        "map_gaps_only": len(report.places) > MAP_ALL_LIMIT,
    }


def _map_data(report: TerritoryCoverage) -> dict:
    """Compact marker rows: [lat, lon, state, name, code, distance km, relay index, services
    covered (all services), level]; the relays named once ([name, url])."""
    gaps_only = len(report.places) > MAP_ALL_LIMIT
    relay_index: dict[int, int] = {}
    relays = []
    places = []
    for place in report.places:
        if gaps_only and place.state == COVERED:
            continue
        relay = None
        if place.structure_id is not None and place.structure_id in report.relays:
            if place.structure_id not in relay_index:
                summary = report.relays[place.structure_id]
                relay_index[place.structure_id] = len(relays)
                relays.append([summary.name, reverse("structure-detail", args=[summary.slug])])
            relay = relay_index[place.structure_id]
        places.append(
            [
                round(place.latitude, 5),
                round(place.longitude, 5),
                place.state,
                place.name,
                place.code,
                round(place.distance_km, 1) if place.distance_km is not None else None,
                relay,
                place.count(COVERED) if report.service is None else None,
                place.level,
            ]
        )
    return {
        "places": places,
        "relays": relays,
        "services": len(report.services),
        "one_service": report.service is not None,
    }

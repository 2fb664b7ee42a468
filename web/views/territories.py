"""Public territory pages: the relays located in a commune, EPCI, département or région, and
the offers covering it, by kind and by service."""

from __future__ import annotations

from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from structures.enums import StructureKind
from structures.selectors import offers_covering, structures_for_territory
from structures.unmet_searches import unmet_search_summary
from territories.enums import TerritoryLevel
from territories.models import Territory
from territories.naming import territory_phrase
from territories.selectors import TerritoryLookupError, get_territory, resolve_commune
from web.forms import RelaySearchForm

PAGE_LEVELS = (
    TerritoryLevel.ARRONDISSEMENT,
    TerritoryLevel.COMMUNE,
    TerritoryLevel.EPCI,
    TerritoryLevel.DEPARTEMENT,
    TerritoryLevel.REGION,
)
# A région can hold hundreds of relays: the page shows the first ones and links to the directory.
MAX_LISTED = 200
# The levels with a coverage report (web.views.coverage).
COVERAGE_LEVELS = (TerritoryLevel.EPCI, TerritoryLevel.DEPARTEMENT, TerritoryLevel.REGION)
CHILD_LEVEL = {TerritoryLevel.REGION: TerritoryLevel.DEPARTEMENT}


def territory_or_404(level: str, code: str, *, levels) -> Territory:
    """The current territory of ``level`` and ``code`` for a page that serves ``levels`` (a
    commune by any of its codes, old ones included); 404 otherwise."""
    if level not in levels:
        raise Http404
    try:
        if level == TerritoryLevel.COMMUNE:
            return resolve_commune(code=code).commune
        return get_territory(level=level, code=code)
    except TerritoryLookupError:
        raise Http404 from None


def phrase(territory: Territory, *, fr: str, en: str) -> str:
    """The territory in running text after a preposition, in the page's language: "depuis la
    Guadeloupe" / "from Guadeloupe", "de la Corse" / "of Corsica"."""
    english = (get_language() or "fr").startswith("en")
    return territory_phrase(
        territory=territory, language="en" if english else "fr", preposition=en if english else fr
    )


def from_place(territory: Territory) -> str:
    """ "depuis la Guadeloupe", "from Guadeloupe": where the unmet searches came from."""
    return phrase(territory, fr="depuis", en="from")


@require_GET
def territory_page(request: HttpRequest, level: str, code: str) -> HttpResponse:
    territory = territory_or_404(level, code, levels=PAGE_LEVELS)
    ancestors = list(
        Territory.objects.ancestors_of(territory, include_self=False)
        .exclude(level=TerritoryLevel.COUNTRY)
        .order_by("-rank")
    )
    located = list(
        structures_for_territory(territory=territory)
        .select_related("commune")
        .order_by("kind", "name", "pk")[: MAX_LISTED + 1]
    )
    kind_labels = dict(StructureKind.choices)
    located_by_kind = [
        {"label": kind_labels.get(kind, kind), "structures": list(items)}
        for kind, items in groupby(located[:MAX_LISTED], key=lambda s: s.kind)
    ]
    covering = list(
        offers_covering(commune=territory)
        .select_related("structure__commune")
        .order_by("service__position", "service__code", "structure__name", "pk")[: MAX_LISTED + 1]
    )
    covering_by_service = [
        {"service": service, "offers": list(items)}
        for service, items in groupby(covering[:MAX_LISTED], key=lambda o: o.service)
    ]
    children = []
    if territory.level in CHILD_LEVEL:
        children = list(
            Territory.objects.current()
            .filter(parent=territory, level=CHILD_LEVEL[territory.level])
            .order_by("code")
        )
    context = {
        "territory": territory,
        "ancestors": ancestors,
        "located_by_kind": located_by_kind,
        "located_count": min(len(located), MAX_LISTED),
        "located_truncated": len(located) > MAX_LISTED,
        "covering_by_service": covering_by_service,
        "covering_truncated": len(covering) > MAX_LISTED,
        "children": children,
        # The current quarter's lookups from here that found no competent relay.
        "unmet": unmet_search_summary(territory=territory),
        "from_place": from_place(territory),
        "directory_in": f"{territory.level}:{territory.code}",
        "coverage_url": reverse("territory-coverage", args=[territory.level, territory.code])
        if territory.level in COVERAGE_LEVELS
        else "",
        "search_form": RelaySearchForm(initial={"where": territory.name, "commune": territory.code})
        if territory.is_place
        else None,
    }
    return render(request, "site/territory_detail.html", context)

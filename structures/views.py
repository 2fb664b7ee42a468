"""Public pages of the structures domain: relay search, structure page, directory.

Every page reads through the same selectors, FilterSet and relay engine as the API; nothing here
decides competence or visibility on its own.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from structures.enums import MarketStatus
from structures.exceptions import StaleVersionError
from structures.filters import StructureFilter
from structures.forms import ConfirmUpToDateForm, RelaySearchForm
from structures.models import Offer, Sector, Structure, StructureLink
from structures.querysets import months_ago
from structures.relay import criteria
from structures.relay.engine import find_relays
from structures.selectors import structure_detail
from structures.services import confirm_up_to_date
from territories.enums import TerritoryLevel
from territories.models import Territory

DIRECTORY_PAGE_SIZE = 20
# A listing not confirmed for this long is flagged "à revoir" (same threshold as the admin).
STALE_MONTHS = 12
# Which form field shows an error the relay engine reports on one of its parameters.
ENGINE_FIELD_TO_FORM = {
    "service": "service",
    "sector": "sector",
    "country": "country",
}


def _point(structure) -> tuple[float, float] | None:
    if structure.latitude is not None and structure.longitude is not None:
        return structure.latitude, structure.longitude
    commune = structure.commune
    if commune is not None and commune.latitude is not None:
        return commune.latitude, commune.longitude
    return None


def _map_marker(number: int, result, *, fallback: bool) -> dict | None:
    point = _point(result.structure)
    if point is None:
        return None
    return {
        "n": number,
        "lat": point[0],
        "lon": point[1],
        "name": str(result.structure),
        "url": f"/structures/{result.structure.slug}/",
        "fallback": fallback,
    }


def _candidate_links(request: HttpRequest, candidates) -> list[dict]:
    links = []
    for place in candidates:
        params = request.GET.copy()
        params["commune"] = place.code
        links.append({"place": place, "url": "?" + params.urlencode()})
    return links


def _sector_label(code: str) -> str:
    if not code:
        return ""
    sector = Sector.objects.filter(code=code).first()
    return str(sector) if sector else code


def _directory_url(commune) -> str:
    """The directory filtered on the commune's département (the "what to try" of an empty result)."""
    departement = (
        Territory.objects.ancestors_of(commune).filter(level=TerritoryLevel.DEPARTEMENT).first()
    )
    base = reverse("structure-list")
    if departement is None:
        return base
    return f"{base}?{urlencode({'in': f'departement:{departement.code}'})}"


@require_GET
def relay_search(request: HttpRequest) -> HttpResponse:
    """Results of the home page's search: ranked relays, labelled fallbacks, or a question."""
    if not request.GET:
        return render(request, "site/search.html", {"form": RelaySearchForm(), "state": "form"})
    form = RelaySearchForm(request.GET)
    context: dict = {"form": form}
    if not form.is_valid():
        context["state"] = "invalid"
        return render(request, "site/search.html", context, status=400)
    data = form.cleaned_data
    location = data["location"]
    if location.candidates:
        context.update(state="choose", candidates=_candidate_links(request, location.candidates))
        return render(request, "site/search.html", context)
    response = find_relays(
        service=data["service"].code,
        sector=data["sector"] or None,
        country=data["country"].code if data["country"] else None,
        **location.kwargs,
    )
    context["response"] = response
    if response.error is not None:
        error = response.error
        if error.code == "ambiguous_postal_code":
            context.update(state="choose", candidates=_candidate_links(request, error.candidates))
            return render(request, "site/search.html", context)
        form.add_error(ENGINE_FIELD_TO_FORM.get(error.field, "where"), error.message)
        context["state"] = "invalid"
        return render(request, "site/search.html", context, status=400)

    context["sector_label"] = _sector_label(data["sector"])
    results = list(enumerate(response.results, start=1))
    fallbacks = list(enumerate(response.fallbacks, start=len(results) + 1))
    markers = [_map_marker(n, r, fallback=False) for n, r in results]
    markers += [_map_marker(n, r, fallback=True) for n, r in fallbacks]
    context.update(
        state="results" if results or fallbacks else "empty",
        directory_url=_directory_url(response.location.commune),
        results=results,
        fallbacks=fallbacks,
        map_data={
            "origin": {
                "lat": response.location.latitude,
                "lon": response.location.longitude,
                "name": response.location.commune.name,
            },
            "markers": [m for m in markers if m is not None],
        },
    )
    return render(request, "site/search.html", context)


def _eligibility(offer: Offer) -> list[str]:
    """Plain-words conditions of an offer, worded as the relay lookup words them."""
    return criteria.offer_condition_notes(offer)


@require_GET
def structure_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A published structure: identity, offers with coverage, contacts, network, provenance."""
    try:
        structure = structure_detail(slug=slug)
    except Structure.DoesNotExist:
        raise Http404 from None
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
    offers = [
        {
            "offer": offer,
            "coverage": list(offer.coverage.all()) or list(structure.coverage.all()),
            "inherits_coverage": not offer.coverage.all(),
            "active_markets": [m for m in offer.markets.all() if m.status == MarketStatus.ACTIVE],
            "planned_markets": [m for m in offer.markets.all() if m.status == MarketStatus.PLANNED],
            "eligibility": _eligibility(offer),
        }
        for offer in structure.offers.all()
    ]
    members = [c for c in structure.children.all() if c.is_active and c.is_validated]
    parent = structure.parent
    parent_is_public = parent is not None and parent.is_active and parent.is_validated
    point = _point(structure)
    context = {
        "structure": structure,
        "offers": offers,
        "members": sorted(members, key=lambda s: (s.name, s.pk)),
        "parent": parent,
        "parent_is_public": parent_is_public,
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


@login_required(login_url="login")
@require_GET
def staff_listings(request: HttpRequest) -> HttpResponse:
    """ "My listings": the structures the user may edit, stale ones flagged, oldest first."""
    threshold = months_ago(STALE_MONTHS)
    structures = list(
        Structure.objects.editable_by(request.user)
        .select_related("commune")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.select_related("service").order_by(
                    "service__position", "pk"
                ),
            ),
            "contacts",
        )
        .order_by("verified_at", "name", "pk")
    )
    rows = [
        {
            "structure": s,
            "is_stale": s.verified_at is None or s.verified_at < threshold,
            "form": ConfirmUpToDateForm(initial={"version": s.version}),
        }
        for s in structures
    ]
    context = {
        "rows": rows,
        "stale_count": sum(row["is_stale"] for row in rows),
        "stale_months": STALE_MONTHS,
    }
    return render(request, "site/staff_listings.html", context)


@login_required(login_url="login")
@require_POST
def staff_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """One click: "still up to date" (refused if the listing changed since the page was shown)."""
    structure = get_object_or_404(Structure.objects.editable_by(request.user), slug=slug)
    form = ConfirmUpToDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Demande incomplète : rechargez la page et réessayez."))
        return redirect("staff-listings")
    try:
        confirm_up_to_date(
            structure=structure,
            user=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersionError:
        messages.error(
            request,
            gettext(
                "La fiche « %(name)s » a été modifiée entre-temps : relisez-la avant de confirmer."
            )
            % {"name": structure.name},
        )
    else:
        messages.success(
            request,
            gettext("Merci : la fiche « %(name)s » est confirmée à jour.")
            % {"name": structure.name},
        )
    return redirect("staff-listings")

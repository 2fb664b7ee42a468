"""Staff pages: "Mes fiches" and the one-click "still up to date"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from structures.exceptions import StaleVersionError
from structures.models import Structure
from structures.querysets import months_ago
from structures.selectors import listings_of
from structures.services import confirm_up_to_date
from web.forms import ConfirmUpToDateForm

# A listing not confirmed for this long is flagged "à revoir" (same threshold as the admin).
STALE_MONTHS = 12


@login_required(login_url="login")
@require_GET
def staff_listings(request: HttpRequest) -> HttpResponse:
    """ "My listings": the structures the user may edit, stale ones flagged, oldest first."""
    threshold = months_ago(STALE_MONTHS)
    listings = list(listings_of(user=request.user))
    # Network heads (structures with children) export and re-import their network's offers.
    heads = set(
        Structure.objects.filter(parent__in=[s.pk for s in listings]).values_list(
            "parent_id", flat=True
        )
    )
    rows = [
        {
            "structure": s,
            "is_stale": s.verified_at is None or s.verified_at < threshold,
            "form": ConfirmUpToDateForm(initial={"version": s.version}),
            "is_network_head": s.pk in heads,
        }
        for s in listings
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

"""Staff pages: "Mes fiches" and the one-click "still up to date"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from smes.access import may_read_smes
from smes.selectors import export_group_animators
from structures.corrections import new_correction_count
from structures.enums import Freshness
from structures.exceptions import StaleVersionError
from structures.freshness import freshness_of
from structures.models import Structure
from structures.permissions import caller_for
from structures.selectors import listings_of
from structures.services import confirm_up_to_date
from web.forms import ConfirmUpToDateForm


@login_required(login_url="login")
@require_GET
def staff_listings(request: HttpRequest) -> HttpResponse:
    """ "My listings": the structures the user may edit, stale ones flagged, oldest first."""
    now = timezone.now()
    listings = list(listings_of(user=request.user))
    # Network heads (structures with children) export and re-import their network's offers.
    heads = set(
        Structure.objects.filter(parent__in=[s.pk for s in listings]).values_list(
            "parent_id", flat=True
        )
    )
    rows = []
    for s in listings:
        # structures.freshness: "à vérifier" after FRESHNESS_REVIEW_MONTHS, "stale" (public
        # results warn) after FRESHNESS_WARNING_MONTHS.
        freshness = freshness_of(s, now=now)
        rows.append(
            {
                "structure": s,
                "freshness": freshness,
                "is_stale": freshness != Freshness.FRESH,
                "form": ConfirmUpToDateForm(initial={"version": s.version}),
                # The admin forms come back to this row after saving (structures.admin.navigation).
                "back": f"{reverse('staff-listings')}#fiche-{s.slug}",
                "is_network_head": s.pk in heads,
            }
        )
    context = {
        "rows": rows,
        "stale_count": sum(row["is_stale"] for row in rows),
        "stale_months": settings.FRESHNESS_REVIEW_MONTHS,
        "warning_months": settings.FRESHNESS_WARNING_MONTHS,
        "new_corrections": new_correction_count(user=request.user),
        # Staff create antennas of their network from their own listing (structures.moderation).
        "can_create": request.user.has_perm("structures.add_structure"),
        # The partner finder's door (web/views/partners.py), shown to those it lets in.
        "finds_partners": may_read_smes(caller_for(request))
        and export_group_animators(user=request.user).exists(),
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

"""A network head's offers: CSV export and all-or-nothing re-import (structures.network_offers).

Reached from "Mes fiches" by the staff of a network head (a structure with children) and by
registry administrators; anyone else gets a 404, as for any listing they may not edit.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from structures.models import Structure
from structures.network_offers import (
    export_network_offers,
    import_network_offers,
    network_offers,
    read_csv,
)
from web.forms import NetworkOffersUploadForm


def _head(request: HttpRequest, slug: str) -> Structure:
    return get_object_or_404(
        Structure.objects.editable_by(request.user).filter(children__isnull=False).distinct(),
        slug=slug,
    )


@login_required(login_url="login")
@require_GET
def network_offers_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The network's offers the user may edit, as CSV."""
    head = _head(request, slug)
    response = HttpResponse(
        export_network_offers(head=head, user=request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="offres-reseau-{head.slug}.csv"'
    return response


@login_required(login_url="login")
@require_http_methods(["GET", "POST"])
def network_offers_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The upload form (GET) and the result of an import (POST)."""
    head = _head(request, slug)
    report = None
    if request.method == "POST":
        form = NetworkOffersUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rows = read_csv(form.cleaned_data["file"].read())
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                report = import_network_offers(head=head, rows=rows, user=request.user)
    else:
        form = NetworkOffersUploadForm()
    context = {
        "head": head,
        "form": form,
        "report": report,
        "offer_count": network_offers(head=head, user=request.user).count(),
    }
    return render(request, "site/network_offers.html", context, status=200)

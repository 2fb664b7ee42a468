"""The one-click "toujours à jour" link of the freshness reminders (``structures.freshness``).

GET only shows what the link would confirm, with a button: mail scanners and link previews
fetch links, and a fetch must never confirm anything. The POST (CSRF-protected) confirms.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from structures.exceptions import StaleVersionError
from structures.freshness import LinkRefused, LinkUsed, read_confirmation_token
from structures.permissions import caller_for, may_edit_structure
from structures.services import confirm_up_to_date


def _refused(request: HttpRequest, error: LinkRefused) -> HttpResponse:
    context = {"title": error.title, "message": error.message}
    return render(request, "site/freshness_link_refused.html", context, status=error.status)


@require_http_methods(["GET", "POST"])
def confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a listing from a reminder: a page with a button, then the confirmation."""
    try:
        claim = read_confirmation_token(token)
    except LinkRefused as error:
        return _refused(request, error)
    structure = claim.structure
    if request.method == "GET":
        return render(request, "site/freshness_confirm.html", {"structure": structure})
    # Whoever is signed in and edits the listing confirms it; otherwise the link's recipient.
    user = request.user if may_edit_structure(caller_for(request), structure) else claim.user
    try:
        confirmed = confirm_up_to_date(
            structure=structure, user=user, expected_version=claim.version
        )
    except StaleVersionError:
        return _refused(request, LinkUsed())
    return render(request, "site/freshness_confirmed.html", {"structure": confirmed})

"""Staff page: partners for an export group, and creating the group (``smes.partners``).

For the staff of a structure that animates export groups (``smes.selectors
.export_group_animators``: an export group among its children, or an offer of shared export
staff) who also hold the right to read SMEs within their territories (``smes.access``), and for
registry administrators. Anyone else gets a 404, as for a listing they may not edit. Candidates
are drawn from the SMEs the user may read.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from smes import access
from smes.partners import partner_candidates, propose_groups
from smes.selectors import export_group_animators, smes_visible_to
from smes.services.export_groups import create_export_group_from_proposal
from structures.permissions import caller_for
from web.partner_forms import CreateGroupForm, PartnerSearchForm


def _animators(request: HttpRequest):
    caller = caller_for(request)
    animators = export_group_animators(user=request.user)
    # A registry administrator may search even where nothing animates an export group yet.
    if not access.may_read_smes(caller) or not (caller.is_registry_admin or animators.exists()):
        raise Http404
    return caller, animators


@login_required(login_url="login")
@require_GET
def partner_finder(request: HttpRequest) -> HttpResponse:
    """The search form (a SIRET or a profile) and, once valid, candidates and proposed groups."""
    caller, animators = _animators(request)
    submitted = any(name in request.GET for name in PartnerSearchForm.base_fields)
    form = PartnerSearchForm(request.GET if submitted else None, caller=caller)
    context = {"form": form, "submitted": submitted, "animators": animators}
    if submitted and form.is_valid():
        data = form.cleaned_data
        bounds = {
            "profile": data["profile"],
            "radius_km": float(data["radius_km"]),
            "max_size_steps": data["max_size_steps"],
            "include_grouped": data["include_grouped"],
            "caller": caller,
        }
        profile = data["profile"]
        groups = propose_groups(**bounds, limit=5)
        context.update(
            profile=profile,
            candidates=partner_candidates(**bounds, limit=20),
            groups=[
                {
                    "group": group,
                    "form": CreateGroupForm(
                        initial={
                            "origin": profile.siret,
                            "members": ",".join(m.siret for m in group.members),
                            "animator": animators.first(),
                        },
                        animators=animators,
                        smes=smes_visible_to(caller=caller),
                        prefix=f"g{index}",
                    ),
                }
                for index, group in enumerate(groups)
            ],
        )
    return render(request, "site/staff_partners.html", context)


@login_required(login_url="login")
@require_POST
def create_group(request: HttpRequest) -> HttpResponse:
    """Create the group of a proposal (a registered SME's only), then back to "Mes fiches"."""
    caller, animators = _animators(request)
    prefix = request.POST.get("prefix", "")
    if not prefix.startswith("g") or not prefix[1:].isdigit():
        prefix = "g0"
    form = CreateGroupForm(
        request.POST, animators=animators, smes=smes_visible_to(caller=caller), prefix=prefix
    )
    back = reverse("staff-partners")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        group = create_export_group_from_proposal(
            animator=data["animator"],
            members=data["member_smes"],
            name=data["name"],
            by_user=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        for error in getattr(exc, "messages", [str(exc)]):
            messages.error(request, error)
        return redirect(back)
    messages.success(
        request,
        gettext(
            "Groupement « %(name)s » créé avec %(count)s entreprises ; il sera publié après "
            "validation par un administrateur du registre."
        )
        % {"name": group.name, "count": len(data["member_smes"])},
    )
    return redirect("staff-listings")

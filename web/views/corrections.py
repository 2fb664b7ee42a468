"""Corrections from the public: "Signaler une erreur" and the staff's inbox of reports.

Public: the report form of a published listing, its thank-you page, a 429 page past the rate
limit. Staff ("Espace des structures"): the inbox of reports on the listings they may edit (all
of them for a registry administrator), one report with its accept and reject forms. The rules
and the writes are in ``structures.corrections``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.login_lockout import client_ip_address
from structures.corrections import (
    STRUCTURE_FIELD_OF,
    CorrectionRateLimited,
    accept_correction,
    correction_inbox,
    current_value,
    discard_suspected_spam,
    reject_correction,
    submit_correction,
)
from structures.exceptions import StaleVersionError
from structures.models import CorrectionReport, Structure
from web.correction_forms import (
    AcceptCorrectionForm,
    CorrectionInboxForm,
    CorrectionPrefillForm,
    CorrectionReportForm,
    RejectCorrectionForm,
)

INBOX_PAGE_SIZE = 25
RATE_LIMITED = 429


def _published(slug: str) -> Structure:
    return get_object_or_404(Structure.objects.published(), slug=slug)


def _rate_limited(request: HttpRequest, structure: Structure, error) -> HttpResponse:
    minutes = max(1, error.retry_after // 60)
    response = render(
        request,
        "site/correction_rate_limited.html",
        {"structure": structure, "minutes": minutes},
        status=RATE_LIMITED,
    )
    response["Retry-After"] = str(error.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def report_error(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Signaler une erreur" on a published listing."""
    structure = _published(slug)
    if request.method == "POST":
        form = CorrectionReportForm(request.POST, structure=structure)
        address = client_ip_address(request)
        thanks = redirect("structure-correction-thanks", slug=structure.slug)
        try:
            if form.is_bot():
                discard_suspected_spam(structure=structure, client_address=address)
                return thanks
            if form.is_valid():
                data = form.cleaned_data
                try:
                    submit_correction(
                        structure=structure,
                        field=data["field"],
                        message=data["message"],
                        proposed_value=data["proposed_value"],
                        reporter_email=data["reporter_email"],
                        consent_given=data["consent_given"],
                        offer=data["offer"],
                        contact=data["contact"],
                        client_address=address,
                    )
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    return thanks
        except CorrectionRateLimited as error:
            return _rate_limited(request, structure, error)
    else:
        prefill = CorrectionPrefillForm(request.GET or None, structure=structure)
        form = CorrectionReportForm(structure=structure, initial=prefill.initial_values())
    return render(
        request,
        "site/correction_form.html",
        {"structure": structure, "form": form, "honeypot": form["homepage"]},
    )


@require_GET
def report_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The same page for every submission, a discarded one included."""
    return render(request, "site/correction_thanks.html", {"structure": _published(slug)})


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Staff inbox --------------------------------------------------------------------------------


@login_required(login_url="login")
@require_GET
def staff_corrections(request: HttpRequest) -> HttpResponse:
    """The reports on the listings the user may edit, awaiting a decision first."""
    filters = CorrectionInboxForm(request.GET or None)
    status = filters.status()
    page = Paginator(correction_inbox(user=request.user, status=status), INBOX_PAGE_SIZE)
    context = {
        "filters": filters,
        "status": status or CorrectionInboxForm.ALL,
        "page": page.get_page(request.GET.get("page")),
        "new_count": correction_inbox(user=request.user).count(),
    }
    return render(request, "site/staff_corrections.html", context)


def _report_for(request: HttpRequest, pk: int) -> CorrectionReport:
    try:
        return correction_inbox(user=request.user, status=None).get(pk=pk)
    except CorrectionReport.DoesNotExist:
        raise Http404 from None


def _detail(request, report, *, accept_form=None, reject_form=None) -> HttpResponse:
    field = STRUCTURE_FIELD_OF.get(report.field)
    accept_form = accept_form or AcceptCorrectionForm(
        initial={"value": report.proposed_value, "version": report.structure.version}
    )
    context = {
        "report": report,
        "maps_to_field": field is not None,
        "current_value": current_value(report),
        "accept_form": accept_form,
        "reject_form": reject_form or RejectCorrectionForm(),
    }
    return render(request, "site/staff_correction.html", context)


@login_required(login_url="login")
@require_GET
def staff_correction(request: HttpRequest, pk: int) -> HttpResponse:
    """One report, what the listing holds now, and the forms to accept or reject it."""
    return _detail(request, _report_for(request, pk))


def _page_url(request: HttpRequest, report: CorrectionReport) -> str:
    return request.build_absolute_uri(reverse("structure-detail", args=[report.structure.slug]))


def _refused(request: HttpRequest, report: CorrectionReport, error) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return redirect("staff-correction", pk=report.pk)


@login_required(login_url="login")
@require_POST
def staff_correction_accept(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    form = AcceptCorrectionForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, accept_form=form)
    try:
        accept_correction(
            report=report,
            user=request.user,
            value=form.cleaned_data["value"],
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            page_url=_page_url(request, report),
        )
    except StaleVersionError as error:
        # Reload: the page then shows the listing as it is now, with its new version.
        messages.error(request, error.message)
        return redirect("staff-correction", pk=report.pk)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        if not hasattr(error, "error_dict"):  # already decided: the page says so
            return _refused(request, report, error)
        _add_errors(form, error)
        return _detail(request, report, accept_form=form)
    messages.success(
        request,
        gettext("Signalement accepté : la fiche « %(name)s » est à jour.")
        % {"name": report.structure}
        if report.field in STRUCTURE_FIELD_OF
        else gettext("Signalement accepté et marqué comme traité."),
    )
    return redirect("staff-corrections")


@login_required(login_url="login")
@require_POST
def staff_correction_reject(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    form = RejectCorrectionForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, reject_form=form)
    try:
        reject_correction(
            report=report,
            user=request.user,
            reason=form.cleaned_data["reason"],
            page_url=_page_url(request, report),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            return _refused(request, report, error)
        _add_errors(form, error)
        return _detail(request, report, reject_form=form)
    messages.success(request, gettext("Signalement rejeté."))
    return redirect("staff-corrections")

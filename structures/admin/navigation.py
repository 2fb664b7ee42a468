"""Back where the person came from: the admin pages of a listing never end in a dead end.

Staff reach a listing's pages from "Mes fiches" or from the structure's public page; the links
carry ``?next=<that page>``. The change and add forms post to their own URL, query string
included, so ``next`` comes back with every submission; a safe ``next`` (same host, see
``safe_next``) is where a plain "Enregistrer" leads, and the "save and continue" / "save and add
another" redirects keep it. Without one, a staff member who is not a registry administrator goes
back to "Mes fiches" (the admin's change lists are the registry administrators' tool); registry
administrators keep the admin's own behaviour.

"Voir le site" in the header, and the admin's "Voir sur le site" button, lead to the public page
of the structure being edited (of the offer's or contact's structure), when it is published.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.admin.options import IS_POPUP_VAR
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from structures.models import Structure
from structures.permissions import is_registry_admin

NEXT_PARAM = "next"
# The URL name of "Mes fiches" (web): a name, not an import, so the layers stay apart.
STAFF_LISTINGS_URL_NAME = "staff-listings"


def safe_next(request: HttpRequest) -> str | None:
    """The ``next`` of the request (query string, then form) if it stays on this site."""
    target = request.GET.get(NEXT_PARAM) or request.POST.get(NEXT_PARAM)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def with_next(url: str, target: str | None) -> str:
    """``url`` with ``next=target`` in its query string (replacing any other ``next``)."""
    if not target:
        return url
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != NEXT_PARAM]
    query.append((NEXT_PARAM, target))
    return urlunsplit(parts._replace(query=urlencode(query)))


def public_structure_of(obj) -> Structure | None:
    """The published structure whose public page shows ``obj`` (a structure, offer, contact)."""
    structure = obj if isinstance(obj, Structure) else getattr(obj, "structure", None)
    if isinstance(structure, Structure) and structure.is_active and structure.is_validated:
        return structure
    return None


class ReturnToOriginMixin:
    """For the ModelAdmin of a listing's pages (structure, offer, contact)."""

    def _return_url(self, request) -> str | None:
        target = safe_next(request)
        if target:
            return target
        if not is_registry_admin(request.user):
            return reverse(STAFF_LISTINGS_URL_NAME)
        return None

    def _after_save(self, request, response):
        if IS_POPUP_VAR in request.POST or not isinstance(response, HttpResponseRedirect):
            return response
        target = safe_next(request)
        if any(key in request.POST for key in ("_continue", "_addanother", "_saveasnew")):
            # Another form of the admin follows: it carries the way back on.
            response["Location"] = with_next(response["Location"], target)
            return response
        back = self._return_url(request)
        return HttpResponseRedirect(back) if back else response

    def response_change(self, request, obj):
        return self._after_save(request, super().response_change(request, obj))

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, super().response_add(request, obj, post_url_continue))

    def response_delete(self, request, obj_display, obj_id):
        response = super().response_delete(request, obj_display, obj_id)
        if IS_POPUP_VAR in request.POST or not isinstance(response, HttpResponseRedirect):
            return response
        back = self._return_url(request)
        return HttpResponseRedirect(back) if back else response

    def view_on_site(self, obj):
        structure = public_structure_of(obj)
        return structure.get_absolute_url() if structure is not None else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context.setdefault("return_url", self._return_url(request))
        if object_id is not None:
            obj = self.get_object(request, object_id)
            site_url = self.view_on_site(obj) if obj is not None else None
            if site_url:
                # "Voir le site" in the header: this listing's public page, not the home page.
                extra_context.setdefault("site_url", site_url)
        return super().changeform_view(request, object_id, form_url, extra_context)

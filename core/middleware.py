"""Response headers that Django's SecurityMiddleware does not set."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from django.conf import settings
from rest_framework.renderers import BrowsableAPIRenderer

from core.security import permissions_policy_header


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` to every response (a
    view that sets its own keeps it). Built once: the setting is read at start-up."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class BrowsableAPIStylesMiddleware:
    """Lets the HTML pages of DRF's browsable API use inline styles, and only them.

    Its templates carry a ``<style>`` element (the code highlighting) and style attributes;
    its scripts are files, so ``script-src`` stays ``'self'``. The JSON answers and every other
    page keep the strict policy. Must come after ``csp.middleware.CSPMiddleware`` in
    ``MIDDLEWARE``: it marks the response before that one writes the header.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(getattr(response, "accepted_renderer", None), BrowsableAPIRenderer):
            update = dict(getattr(response, "_csp_update", None) or {})
            update["style-src"] = [*update.get("style-src", []), UNSAFE_INLINE]
            response._csp_update = update
        return response

"""Response headers that Django's SecurityMiddleware does not set."""

from __future__ import annotations

from django.conf import settings

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

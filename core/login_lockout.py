"""Login protection (django-axes): two lockout levels, the client address, the lockout page.

Wired in ``registry/settings.py`` (``AXES_HANDLER``, ``AXES_CLIENT_IP_CALLABLE``,
``AXES_LOCKOUT_CALLABLE``). Every login form of the site authenticates through
``django.contrib.auth.authenticate(request, ...)``, so axes counts its failures; API tokens never
go through it.
"""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
LOCKOUT_STATUS = 429


class TwoLevelLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with one threshold per level: an account is locked from one address
    after ``AXES_FAILURE_LIMIT`` failures, an address for every account after
    ``AXES_IP_FAILURE_LIMIT`` (a password spray over many accounts).

    Axes compares a single count with a single limit. The address count is therefore scaled
    onto the account limit: ``address × account_limit // address_limit`` reaches the account
    limit exactly when the address count reaches its own limit.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        if settings.AXES_LOCKOUT_PARAMETERS != LOCKOUT_PARAMETERS:
            raise ImproperlyConfigured(
                f"TwoLevelLockoutHandler attend AXES_LOCKOUT_PARAMETERS = {LOCKOUT_PARAMETERS!r}."
            )
        per_account, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        account_limit = get_failure_limit(request, credentials)
        return max(per_account, per_address * account_limit // settings.AXES_IP_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful login (``AXES_RESET_ON_SUCCESS``): forget that account's failures
        from that address only. Axes would delete every attempt of the address too, so that one
        valid account would let a password spray start again from zero."""
        per_account = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_account.delete()
        return count


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address as the API throttles see it: the peer, or behind
    ``TRUSTED_PROXY_COUNT`` proxies the address they recorded in X-Forwarded-For (DRF's rule),
    so that a client cannot choose its own address by sending the header."""
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote_addr
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The answer to a locked-out login: a page in French saying when to try again and whom to
    ask, status 429 with ``Retry-After``. The lock lifts a cool-off period after the last failed
    attempt, and this attempt is one: the time is counted from now."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds())
    retry_at = timezone.localtime(timezone.now() + cool_off)
    context = {
        "retry_at": retry_at,
        "cooloff_minutes": math.ceil(seconds / 60),
        "contact": settings.LOGIN_LOCKOUT_CONTACT,
    }
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        response = JsonResponse(
            {
                "detail": _("Trop de tentatives de connexion : compte temporairement bloqué."),
                "retry_after": seconds,
            },
            status=LOCKOUT_STATUS,
        )
    else:
        response = render(request, "site/login_locked.html", context, status=LOCKOUT_STATUS)
    response["Retry-After"] = str(seconds)
    return response

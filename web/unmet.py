"""When a relay lookup of the pages or the API counts as an unmet search
(``structures.unmet_searches``).

Only a GET that a person (or a client) actually asked for is counted: a HEAD request shows
nothing, and a browser's prefetch or prerender (``Sec-Purpose``, ``Purpose``, ``X-Purpose``,
``X-Moz``) may never be seen — counting them would let a page of links inflate the figures.
Nothing of the request itself (address, user, SIRET) reaches the counter.
"""

from __future__ import annotations

from django.http import HttpRequest

from structures.relay.types import RelayResponse
from structures.unmet_searches import record_unmet_search

PREFETCH_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


def is_prefetch(request: HttpRequest) -> bool:
    return any(request.META.get(header, "").strip() for header in PREFETCH_HEADERS)


def count_if_unmet(request: HttpRequest, response: RelayResponse) -> bool:
    """Count the lookup's answer when it found no competent relay (see the module)."""
    if request.method != "GET" or is_prefetch(request):
        return False
    return record_unmet_search(response)

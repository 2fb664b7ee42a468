"""Run the relay lookup as its callers do: a request resolved into a query, then the engine.

``lookup(service=..., commune=..., ...)`` returns a ``Lookup``: ``ok`` and ``error`` (the
resolver's ``RelayError``), and every attribute of the ``RelayResponse`` when it ran. A
``profile`` given as an ``EligibilityProfile`` replaces the query's, as a caller holding those
facts would state them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from smes.relay import resolve_relay_query
from structures.permissions import Caller
from structures.relay.engine import find_relays
from structures.relay.query import DEFAULT_K, RelayRequest
from structures.relay.types import RelayError, RelayQueryError, RelayResponse


@dataclass
class Lookup:
    response: RelayResponse | None
    error: RelayError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __getattr__(self, name):
        if self.response is None:
            raise AttributeError(f"no response ({self.error.code}): no {name}")
        return getattr(self.response, name)


def lookup(
    *,
    service: str,
    commune: str | None = None,
    postal_code: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    siret: str = "",
    sector: str | None = None,
    country: str | None = None,
    profile=None,
    k: int = DEFAULT_K,
    include_remote: bool = True,
    include_private_contacts: bool = False,
    today=None,
    caller: Caller | None = None,
) -> Lookup:
    request = RelayRequest(
        service=service,
        commune=commune or "",
        postal_code=postal_code or "",
        latitude=latitude,
        longitude=longitude,
        sector=sector or "",
        country=country or "",
        k=k,
        include_remote=include_remote,
        include_private_contacts=include_private_contacts,
        today=today,
    )
    try:
        query = resolve_relay_query(
            caller=caller or Caller.anonymous(), request=request, siret=siret
        )
    except RelayQueryError as exc:
        return Lookup(None, exc.error)
    if profile is not None:
        query = replace(query, profile=profile)
    return Lookup(find_relays(query))

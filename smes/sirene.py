"""An establishment's public SIRENE record, from the State's API Recherche d'entreprises.

The relay lookup asks it for a SIRET the registry does not hold (``smes.relay``), and uses only
what SIRENE publishes for every establishment: the INSEE code of its commune and its NAF code.

The API (https://recherche-entreprises.api.gouv.fr, DINUM, open, no key) is a search over legal
units: ``GET /search?q=<SIRET>`` filters on that one establishment and returns its legal unit in
``results``, the establishment itself in ``matching_etablissements`` (each with ``siret``,
``commune``, ``activite_principale``, ``etat_administratif`` "A"/"F", ``est_siege``) and the head
office in ``siege`` — which is another establishment unless the SIRET is the head office's. An
unknown SIRET is a 200 with an empty ``results``. Non-diffusible establishments keep their
commune and NAF code; their address and coordinates read "[NON-DIFFUSIBLE]".

Answers are cached (``caches["sirene"]``, a day by default) per SIRET, "not found" included;
a failure of the service (timeout, refused connection, 5xx, 429, a body that is not the
documented JSON) raises ``SireneUnavailable`` and is never cached.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

CACHE_ALIAS = "sirene"
# Bump when the cached record's shape changes, so that old entries are ignored.
_CACHE_VERSION = 1
# A one-establishment answer is a few kilobytes; anything this large is not that answer.
MAX_BODY_BYTES = 1_000_000
USER_AGENT = "registre-structures-proximite (recherche du relais par SIRET)"

_INSEE_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_NOT_FOUND = {"found": False}


class SireneUnavailable(Exception):
    """The service could not answer (network, timeout, server error, malformed body)."""


@dataclass(frozen=True)
class SireneEstablishment:
    """What SIRENE publishes of one establishment, as the relay lookup needs it.

    ``commune`` is the INSEE code, empty when SIRENE gives none (establishment abroad, or a
    value masked as non-diffusible); ``naf_code`` is the establishment's main activity (else its
    legal unit's), as SIRENE spells it; ``country`` names the foreign country of an
    establishment abroad.
    """

    siret: str
    commune: str
    naf_code: str
    is_open: bool
    closed_on: str = ""
    is_head_office: bool = False
    is_diffusible: bool = True
    country: str = ""


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _establishment_of(siret: str, results: list) -> SireneEstablishment | None:
    """The establishment ``siret`` among the legal units returned; ``None`` if absent."""
    for unit in results:
        if not isinstance(unit, dict):
            raise SireneUnavailable("a result is not an object")
        candidates = unit.get("matching_etablissements") or []
        if not isinstance(candidates, list):
            raise SireneUnavailable("matching_etablissements is not a list")
        # The head office comes last: it is the asked establishment only when its SIRET says so
        # (a search by SIRET may leave matching_etablissements empty for the head office).
        siege = unit.get("siege")
        if isinstance(siege, dict):
            candidates = [*candidates, siege]
        for found in candidates:
            if isinstance(found, dict) and _text(found.get("siret")) == siret:
                return _parse(siret, unit, found)
    return None


def _parse(siret: str, unit: dict, found: dict) -> SireneEstablishment:
    commune = _text(found.get("commune")).upper()
    country = _text(found.get("libelle_pays_etranger")) or _text(found.get("code_pays_etranger"))
    return SireneEstablishment(
        siret=siret,
        commune=commune if _INSEE_COMMUNE.match(commune) else "",
        naf_code=_text(found.get("activite_principale")) or _text(unit.get("activite_principale")),
        is_open=_text(found.get("etat_administratif")).upper() != "F",
        closed_on=_text(found.get("date_fermeture")),
        is_head_office=found.get("est_siege") is True,
        is_diffusible=_text(found.get("statut_diffusion_etablissement")).upper() != "P",
        country=country if country.upper() != "[NON-DIFFUSIBLE]" else "",
    )


def parse_search_answer(siret: str, body: bytes) -> SireneEstablishment | None:
    """The establishment ``siret`` in a ``/search`` answer, ``None`` when it holds none.

    Raises ``SireneUnavailable`` when the body is not the documented JSON.
    """
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise SireneUnavailable(f"malformed JSON: {error}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise SireneUnavailable("no results list in the answer")
    return _establishment_of(siret, payload["results"])


class SireneClient:
    """A small client of ``GET /search`` for one SIRET at a time, with its cache.

    ``base_url`` and ``timeout`` (seconds, for the connection and for the whole answer) come
    from settings by default (``SIRENE_API_URL``, ``SIRENE_API_TIMEOUT``); tests point
    ``base_url`` to a local server. An empty ``base_url`` means the lookup is switched off.
    """

    def __init__(self, *, base_url: str, timeout: float, cache=None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cache = cache if cache is not None else caches[CACHE_ALIAS]

    @classmethod
    def from_settings(cls) -> SireneClient:
        return cls(base_url=settings.SIRENE_API_URL, timeout=settings.SIRENE_API_TIMEOUT)

    @property
    def enabled(self) -> bool:
        return bool(self.base_url)

    def _cache_key(self, siret: str) -> str:
        return f"recherche-entreprises:{_CACHE_VERSION}:{siret}"

    def establishment(self, siret: str) -> SireneEstablishment | None:
        """SIRENE's record of the establishment ``siret`` (14 checked digits), or ``None``.

        Raises ``SireneUnavailable`` when the service does not answer properly.
        """
        key = self._cache_key(siret)
        cached = self.cache.get(key)
        if cached is not None:
            return SireneEstablishment(**cached["record"]) if cached.get("found") else None
        try:
            found = parse_search_answer(siret, self._fetch(siret))
        except SireneUnavailable as error:
            logger.warning("API Recherche d'entreprises unavailable for %s: %s", siret, error)
            raise
        self.cache.set(key, {"found": True, "record": asdict(found)} if found else _NOT_FOUND)
        return found

    def search_url(self, siret: str) -> str:
        # minimal + include: only the head office and the matching establishment, not the
        # directors and finances the default answer carries.
        query = urllib.parse.urlencode(
            {
                "q": siret,
                "page": 1,
                "per_page": 1,
                "minimal": "true",
                "include": "siege,matching_etablissements",
            }
        )
        return f"{self.base_url}/search?{query}"

    def _fetch(self, siret: str) -> bytes:
        request = urllib.request.Request(
            self.search_url(siret),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )
        deadline = time.monotonic() + self.timeout
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return self._read(response, deadline)
        except urllib.error.HTTPError as error:
            error.close()
            reason = f"HTTP {error.code}"
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            # URLError: refused, unknown host; OSError: reset, socket timeout (TimeoutError).
            reason = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
        raise SireneUnavailable(reason)

    def _read(self, response, deadline: float) -> bytes:
        # The socket timeout bounds each read; the deadline bounds a slow trickle as a whole.
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError("answer not complete within the timeout")
            chunk = response.read1(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise http.client.HTTPException("answer larger than expected")
            chunks.append(chunk)


def sirene_client() -> SireneClient:
    """The client configured by settings (read at each call, so that tests may override)."""
    return SireneClient.from_settings()

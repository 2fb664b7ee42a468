"""Optimistic concurrency over HTTP: ``ETag`` on reads, ``If-Match`` required on writes.

Every object the API writes carries a ``version`` (``structures.versioning``), and its tag is
built from it (``"<pk>.v<version>"``), so a write hands the version the client saw to the
service, whose conditional UPDATE settles the race between two writers: a stale tag is a 412
naming who changed the object, a missing ``If-Match`` a 428. Read-only objects without a
version are tagged by their last modification time.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException

_TAG = re.compile(r'(?:W/)?"([^"]*)"')
_VERSION = re.compile(r"^(\d+)\.v(\d+)$")


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        "En-tête If-Match obligatoire : renvoyez l'ETag reçu en lisant la ressource, "
        "pour ne pas écraser une modification faite entre-temps."
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "La ressource a été modifiée depuis votre lecture (ETag périmé) : relisez-la, "
        "reportez vos changements et renvoyez-la avec le nouvel ETag."
    )
    default_code = "stale_version"


def etag_for(obj) -> str:
    """The strong entity tag of a model instance, quoted."""
    version = getattr(obj, "version", None)
    if version is not None:
        return f'"{obj.pk}.v{version}"'
    stamp = getattr(obj, "updated_at", None)
    marker = int(stamp.timestamp() * 1_000_000) if stamp is not None else 0
    return f'"{obj.pk}.t{marker}"'


def if_match_tags(request) -> list[str]:
    """The quoted tags of ``If-Match``; raises ``PreconditionRequired`` when it is absent."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    if header == "*":
        return ["*"]
    tags = [f'"{m}"' for m in _TAG.findall(header)]
    if not tags:
        raise PreconditionFailed(
            _('En-tête If-Match mal formé : attendu un ETag entre guillemets, ex. "12.v3".')
        )
    return tags


def expected_version(request, obj) -> int:
    """The version the client saw, read from ``If-Match``, for the service's version check.

    ``*`` means "whatever is stored" (RFC 9110) and gives the current version. A tag naming
    another object is a failed precondition.
    """
    tags = if_match_tags(request)
    if tags == ["*"]:
        return obj.version
    for tag in tags:
        match = _VERSION.match(tag.strip('"'))
        if match and int(match.group(1)) == obj.pk:
            return int(match.group(2))
    raise PreconditionFailed()

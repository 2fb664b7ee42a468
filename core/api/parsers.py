"""Request body parsers with bounds: size for every body, nesting depth for JSON.

DRF's parsers read the whole stream (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only guards
``request.body`` and ``request.POST``), and Python's ``json`` module answers a deep enough
nesting with a ``RecursionError``, which would be an HTML 500. Here a body larger than
``API_MAX_BODY_SIZE`` bytes, or a JSON document nested deeper than ``API_MAX_JSON_DEPTH``, is a
400 with the API's error body. No write of the API needs anything near either bound.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser


class BodyTooLarge(ParseError):
    default_code = "body_too_large"


class JSONTooDeep(ParseError):
    default_code = "json_too_deep"


def _too_large() -> BodyTooLarge:
    return BodyTooLarge(
        _("Corps de requête trop volumineux : au plus %(max)d octets.")
        % {"max": settings.API_MAX_BODY_SIZE}
    )


def read_bounded(stream, meta) -> bytes:
    """The body, refused beyond ``API_MAX_BODY_SIZE`` bytes without reading further."""
    limit = settings.API_MAX_BODY_SIZE
    declared = str((meta or {}).get("CONTENT_LENGTH") or "")
    # A declared length is compared as text first: int() is never given a huge number.
    if (
        declared.isascii()
        and declared.isdigit()
        and (len(declared.lstrip("0")) > len(str(limit)) or int(declared) > limit)
    ):
        raise _too_large()
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise _too_large()
    return body


def json_depth(value) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        pending.extend((child, depth + 1) for child in children)
    return deepest


def _meta(parser_context) -> dict:
    request = (parser_context or {}).get("request")
    return getattr(request, "META", {}) if request is not None else {}


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_bounded(stream, _meta(parser_context))
        too_deep = JSONTooDeep(
            _("Document JSON trop imbriqué : au plus %(max)d niveaux de listes ou d'objets.")
            % {"max": settings.API_MAX_JSON_DEPTH}
        )
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        except ParseError:
            raise ParseError(_("JSON invalide : le corps de la requête ne se lit pas.")) from None
        if json_depth(data) > settings.API_MAX_JSON_DEPTH:
            raise too_deep
        return data


class _BoundedForm:
    """Size bound for the form parsers (the browsable API's HTML forms)."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_bounded(stream, _meta(parser_context))
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except SuspiciousOperation as exc:  # too many fields: Django's own bound
            raise ParseError(_("Formulaire refusé : %(reason)s") % {"reason": exc}) from None


class BoundedFormParser(_BoundedForm, FormParser):
    pass


class BoundedMultiPartParser(_BoundedForm, MultiPartParser):
    pass

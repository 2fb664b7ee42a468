"""The query string contract of the API: a parameter the endpoint does not declare is refused.

A misspelt filter (``?regoin=76``) or one that does not exist on that endpoint (``?region=76``
on the structures) would otherwise be ignored, and the client would take the unfiltered answer
for the filtered one. Every endpoint therefore accepts exactly what it declares, derived from
what already documents it — never a second list to keep in step:

- its FilterSet's filters (``filterset_class``, when the view filters with django-filter);
- the paginator's parameters on a paginated list;
- the fields of its ``query_serializer_class`` (an endpoint reading its query with a serializer);
- ``format`` everywhere (``?format=csv``, ``?format=geojson``, ``?format=api``).

Each is single-valued unless its form field takes several values (``MultipleChoiceFilter``:
``?kind=cci&kind=cma``); a single-valued parameter given twice is refused rather than one of its
values silently dropped. Integer parameters are read with ``positive_int``, which bounds them
before converting (a thousand-digit number is a 400, not a ``ValueError``).
"""

from __future__ import annotations

import copy
from functools import cache

from django import forms
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.mixins import ListModelMixin

FORMAT_PARAMETER = "format"
# Long enough for any real integer parameter; int() is never asked to read more.
MAX_INTEGER_DIGITS = 9


class QueryContractError(APIException):
    """A query string the endpoint refuses: 400 with the usual error body plus ``accepted``."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"

    def __init__(self, *, code: str, errors: dict[str, list[str]], accepted=None) -> None:
        first = next(iter(errors.values()))[0]
        super().__init__(detail=first, code=code)
        self.payload = {"detail": first, "code": code, "errors": errors}
        if accepted is not None:
            self.payload["accepted"] = sorted(accepted)


def _is_repeatable(form_field_class) -> bool:
    return issubclass(form_field_class, forms.MultipleChoiceField)


def _filterset_parameters(filterset_class) -> dict[str, bool]:
    if filterset_class is None:
        return {}
    return {
        name: _is_repeatable(declared.field_class)
        for name, declared in filterset_class.base_filters.items()
    }


def _pagination_parameters(paginator_class) -> dict[str, bool]:
    if paginator_class is None:
        return {}
    names = (
        getattr(paginator_class, "page_query_param", None),
        getattr(paginator_class, "page_size_query_param", None),
        getattr(paginator_class, "limit_query_param", None),
        getattr(paginator_class, "offset_query_param", None),
        getattr(paginator_class, "cursor_query_param", None),
    )
    return {name: False for name in names if name}


def _serializer_parameters(serializer_class) -> dict[str, bool]:
    if serializer_class is None:
        return {}
    return dict.fromkeys(serializer_class().fields, False)


@cache
def _declared_parameters(filterset_class, paginator_class, serializer_class) -> dict[str, bool]:
    # Classes only, so one answer per view class: building the query serializer's fields on
    # every request cost an API call more than its whole DRF dispatch.
    return {
        FORMAT_PARAMETER: False,
        **_pagination_parameters(paginator_class),
        **_filterset_parameters(filterset_class),
        **_serializer_parameters(serializer_class),
    }


def accepted_parameters(view) -> dict[str, bool]:
    """The query parameters ``view`` declares: name → whether it may be repeated (a shared
    mapping: read it, do not change it)."""
    from django_filters.rest_framework import DjangoFilterBackend

    filterset_class = getattr(view, "filterset_class", None)
    backends = getattr(view, "filter_backends", ())
    if not any(issubclass(b, DjangoFilterBackend) for b in backends):
        filterset_class = None
    paginator_class = getattr(view, "pagination_class", None)
    if not isinstance(view, ListModelMixin):
        paginator_class = None
    return _declared_parameters(
        filterset_class, paginator_class, getattr(view, "query_serializer_class", None)
    )


def check_query_parameters(query_params, accepted: dict[str, bool]) -> None:
    """Raise ``QueryContractError`` for an undeclared or a repeated single-valued parameter."""
    unknown = [name for name in query_params if name not in accepted]
    if unknown:
        listing = ", ".join(sorted(accepted))
        errors = {
            name: [
                _("Paramètre inconnu : « %(name)s ». Paramètres acceptés ici : %(accepted)s.")
                % {"name": name, "accepted": listing}
            ]
            for name in unknown
        }
        raise QueryContractError(code="unknown_parameter", errors=errors, accepted=accepted)
    repeated = {
        name: len(query_params.getlist(name))
        for name in query_params
        if not accepted[name] and len(query_params.getlist(name)) > 1
    }
    if repeated:
        errors = {
            name: [
                _(
                    "Le paramètre « %(name)s » est donné %(count)d fois : il n'accepte qu'une "
                    "valeur."
                )
                % {"name": name, "count": count}
            ]
            for name, count in repeated.items()
        }
        raise QueryContractError(code="repeated_parameter", errors=errors)


def positive_int(raw: str, *, name: str, maximum: int) -> int:
    """``raw`` as an integer from 1 to ``maximum``; else ``QueryContractError`` naming it.

    ASCII digits only (``int()`` would also take " 5", "+5", "5_0" or other scripts' digits),
    and the length is checked before converting.
    """
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_INTEGER_DIGITS:
        value = int(raw)
        if 1 <= value <= maximum:
            return value
    message = _("« %(name)s » doit être un entier de 1 à %(max)d.") % {
        "name": name,
        "max": maximum,
    }
    raise QueryContractError(code="invalid", errors={name: [message]})


class QueryContractMixin:
    """For every API view: refuse an undeclared or repeated parameter before anything runs.

    Checked first, before authentication: the answer does not depend on who asks, and a client
    learns at once what the endpoint takes.
    """

    #: A serializer whose fields are the endpoint's own query parameters (see the module).
    query_serializer_class = None

    def initial(self, request, *args, **kwargs):
        check_query_parameters(request.query_params, accepted_parameters(self))
        super().initial(request, *args, **kwargs)


class QuerySerializer(serializers.Serializer):
    """A serializer reading a query string, made once per request: its fields are shallow
    copies of the declared ones, not DRF's deep copies.

    DRF deep-copies every declared field for each serializer instance (each copy rebuilt from
    its arguments, validators included) so that one instance may alter its fields without
    touching the others'. A query serializer never alters them, and for the relay API that
    copying cost more than the whole validation. A shallow copy still gets its own binding
    (name, parent, label, source); it shares the declared field's validators and messages,
    which validation only reads. A subclass whose fields are changed per instance, or that
    nests serializers, keeps ``serializers.Serializer``.
    """

    def get_fields(self):
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

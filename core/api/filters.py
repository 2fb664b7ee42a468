"""The filter backend of the API: django-filter's, with the error body of the whole API.

A FilterSet's form errors become the usual 400 (``core.api.exceptions``); an error whose
``params`` carry ``candidates`` (an ambiguous territory code: the région and the département
it may mean) returns them too, so that a client can offer the choice instead of guessing.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import status
from rest_framework.exceptions import APIException


class AmbiguousFilterValue(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "ambiguous"

    def __init__(self, *, field: str, error) -> None:
        message = str(error.message % error.params) if error.params else str(error.message)
        super().__init__(detail=message, code=error.code)
        self.payload = {
            "detail": message,
            "code": error.code,
            "errors": {field: [message]},
            "candidates": list(error.params["candidates"]),
        }


def _with_candidates(form):
    for field, errors in form.errors.as_data().items():
        for error in errors:
            if isinstance(error.params, dict) and error.params.get("candidates"):
                return field, error
    return None


class ContractFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            found = _with_candidates(filterset.form)
            if found is not None:
                raise AmbiguousFilterValue(field=found[0], error=found[1])
            raise translate_validation(filterset.errors)
        return filterset.qs

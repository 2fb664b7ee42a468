"""Filter building blocks shared by the FilterSets of every app (API and HTML directory).

Each filter validates its input in a *form field*, so that a bad value is a form error: the API
answers 400 with the field named, an HTML page shows the message next to the field, and no
filter method ever raises past the form.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BoundingBoxField(forms.CharField):
    """``min_lon,min_lat,max_lon,max_lat`` (WGS 84, the GeoJSON / OGC order)."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        parts = [p.strip() for p in value.split(",")]
        message = _(
            "Boîte englobante invalide : attendu min_lon,min_lat,max_lon,max_lat en degrés "
            "décimaux (ex. 3.7,43.5,4.0,43.7)."
        )
        if len(parts) != 4:
            raise forms.ValidationError(message, code="invalid_bbox")
        try:
            min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
        except ValueError:
            raise forms.ValidationError(message, code="invalid_bbox") from None
        if not (
            -180 <= min_lon <= max_lon <= 180
            and -90 <= min_lat <= max_lat <= 90
            and all(v == v for v in (min_lon, min_lat, max_lon, max_lat))  # NaN
        ):
            raise forms.ValidationError(message, code="invalid_bbox")
        return (min_lon, min_lat, max_lon, max_lat)


class StrictBooleanField(forms.Field):
    """true / false (also 1 / 0, yes / no, oui / non); anything else is an error, not "all"."""

    TRUE = frozenset({"true", "1", "yes", "oui", "on"})
    FALSE = frozenset({"false", "0", "no", "non", "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(
            _("Valeur booléenne attendue : true ou false."), code="invalid_boolean"
        )


class CodeField(forms.CharField):
    """A row of ``queryset`` by its ``to_field_name`` (a code), with a message naming it."""

    def __init__(self, *args, queryset, to_field_name: str = "code", **kwargs):
        self.queryset, self.to_field_name = queryset, to_field_name
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        found = self.queryset.filter(**{self.to_field_name: value.strip()}).first()
        if found is None:
            raise forms.ValidationError(
                _("Code inconnu : « %(code)s »."), code="unknown_code", params={"code": value}
            )
        return found


class SafeDateTimeField(forms.DateTimeField):
    """A date or date-time; a naive value is read in the project's time zone.

    Years outside 1..9999 and other unparsable input are form errors, never a 500.
    """

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if isinstance(result, datetime.datetime) and timezone.is_naive(result):
            result = timezone.make_aware(result)
        return result


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A boolean filter refusing anything but a boolean (django-filter's ignores bad values)."""

    field_class = StrictBooleanField


class BoundingBoxFilter(django_filters.CharFilter):
    """Rows whose point (``latitude`` / ``longitude`` fields) lies in the box."""

    field_class = BoundingBoxField

    def __init__(self, *args, lat_field: str = "latitude", lon_field: str = "longitude", **kw):
        self.lat_field, self.lon_field = lat_field, lon_field
        super().__init__(*args, **kw)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value is None:
            return qs
        min_lon, min_lat, max_lon, max_lat = value
        return qs.filter(
            **{
                f"{self.lat_field}__gte": min_lat,
                f"{self.lat_field}__lte": max_lat,
                f"{self.lon_field}__gte": min_lon,
                f"{self.lon_field}__lte": max_lon,
            }
        )


class SinceFilter(django_filters.CharFilter):
    """Rows changed at or after a date-time (incremental synchronisation)."""

    field_class = SafeDateTimeField

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__gte": value})


class BeforeOrNeverFilter(django_filters.CharFilter):
    """Rows whose date is before the value, or never set (e.g. never verified)."""

    field_class = SafeDateTimeField

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(
            Q(**{f"{self.field_name}__isnull": True}) | Q(**{f"{self.field_name}__lt": value})
        )


class CodeChoiceFilter(django_filters.CharFilter):
    """A reference row (service, sector) by its code; an unknown code is a form error.

    Without ``method`` it filters ``field_name`` on the row found.
    """

    field_class = CodeField

    def __init__(self, *args, queryset, to_field_name: str = "code", **kwargs):
        super().__init__(*args, queryset=queryset, to_field_name=to_field_name, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(**{self.field_name: value})


# The range of a 32-bit integer column: a larger bound is meaningless, and SQLite cannot even
# bind an integer beyond 64 bits (an OverflowError, i.e. a 500, before the bound existed).
INTEGER_FILTER_RANGE = (-(2**31), 2**31 - 1)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (django-filter's NumberFilter takes decimals), bounded by default to
    ``INTEGER_FILTER_RANGE``; pass ``min_value`` / ``max_value`` to narrow it."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", INTEGER_FILTER_RANGE[0])
        kwargs.setdefault("max_value", INTEGER_FILTER_RANGE[1])
        super().__init__(*args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """``ordering`` with the primary key as the last key, so that pages never overlap."""

    def filter(self, qs: QuerySet, value) -> QuerySet:
        qs = super().filter(qs, value)
        ordering = list(qs.query.order_by) or list(self.default_ordering)
        if not any(o.lstrip("-") in ("pk", "id") for o in ordering):
            ordering.append("pk")
        return qs.order_by(*ordering)

    def __init__(self, *args, default_ordering: tuple[str, ...] = ("pk",), **kwargs):
        self.default_ordering = default_ordering
        super().__init__(*args, **kwargs)

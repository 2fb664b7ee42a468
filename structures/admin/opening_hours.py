"""Opening hours entered day by day, with a raw OpenStreetMap field for experts.

The form field generates the OSM string (``structures.opening_hours``) and the model's validator
checks it as before. A stored string the week cannot express (school holidays, a third slot, a
slot past midnight) is shown in the raw field, which wins whenever it is filled.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from structures.opening_hours import (
    MAX_SLOTS_PER_DAY,
    Week,
    opening_hours_from_week,
    week_from_opening_hours,
)
from structures.validators import DAYS, normalize_opening_hours, validate_opening_hours

DAY_LABELS = {
    "Mo": _("lundi"),
    "Tu": _("mardi"),
    "We": _("mercredi"),
    "Th": _("jeudi"),
    "Fr": _("vendredi"),
    "Sa": _("samedi"),
    "Su": _("dimanche"),
}
SLOT_LABELS = (
    _("ouverture"),
    _("fermeture"),
    _("réouverture"),
    _("fermeture"),
)
TIMES_PER_DAY = 2 * MAX_SLOTS_PER_DAY
TIME_COUNT = TIMES_PER_DAY * len(DAYS)
HOLIDAYS_INDEX = TIME_COUNT
RAW_INDEX = TIME_COUNT + 1


def _as_time(minutes: int) -> datetime.time:
    return datetime.time(minutes // 60, minutes % 60)


def _as_minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


class OpeningHoursWidget(forms.MultiWidget):
    template_name = "structures/widgets/opening_hours.html"

    def __init__(self, attrs=None):
        time_input = {"type": "time", "class": "opening-hours-time"}
        widgets = [
            *(forms.TimeInput(attrs=time_input, format="%H:%M") for _ in range(TIME_COUNT)),
            forms.CheckboxInput(),
            forms.TextInput(attrs={"class": "vTextField", "spellcheck": "false"}),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        empty = [None] * TIME_COUNT
        if not value:
            return [*empty, False, ""]
        week = week_from_opening_hours(value)
        if week is None:
            return [*empty, False, value]
        times: list[datetime.time | None] = []
        for day in DAYS:
            slots = list(week.days[day])
            for index in range(MAX_SLOTS_PER_DAY):
                if index < len(slots):
                    times.extend(_as_time(minutes) for minutes in slots[index])
                else:
                    times.extend([None, None])
        return [*times, week.closed_on_public_holidays, ""]

    def value_from_datadict(self, data, files, name):
        if f"{name}_0" not in data and name in data:
            # A submission carrying the OSM string itself (a script, an old form): the raw field.
            return [*([None] * TIME_COUNT), False, data.get(name)]
        return super().value_from_datadict(data, files, name)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        subwidgets = context["widget"]["subwidgets"]
        days = []
        for day_index, day in enumerate(DAYS):
            times = subwidgets[day_index * TIMES_PER_DAY : (day_index + 1) * TIMES_PER_DAY]
            for slot_label, widget in zip(SLOT_LABELS, times, strict=True):
                widget["attrs"]["aria-label"] = f"{DAY_LABELS[day]} : {slot_label}"
            days.append({"label": DAY_LABELS[day], "times": times})
        raw = subwidgets[RAW_INDEX]
        context["widget"].update(
            days=days,
            holidays=subwidgets[HOLIDAYS_INDEX],
            raw=raw,
            raw_open=bool(raw.get("value")),
        )
        return context


class OpeningHoursField(forms.MultiValueField):
    """Day-by-day opening hours, cleaned to an OSM ``opening_hours`` string (``""``: unknown)."""

    widget = OpeningHoursWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        fields = [
            *(
                forms.TimeField(required=False, input_formats=["%H:%M", "%H:%M:%S", "%Hh%M"])
                for _ in range(TIME_COUNT)
            ),
            forms.BooleanField(required=False),
            forms.CharField(required=False, max_length=255),
        ]
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return ""
        raw = (data_list[RAW_INDEX] or "").strip()
        if raw:
            validate_opening_hours(raw)
            return normalize_opening_hours(raw)
        week = Week(closed_on_public_holidays=bool(data_list[HOLIDAYS_INDEX]))
        errors = []
        for day_index, day in enumerate(DAYS):
            times = data_list[day_index * TIMES_PER_DAY : (day_index + 1) * TIMES_PER_DAY]
            slots, error = self._day_slots(DAY_LABELS[day], times)
            if error is not None:
                errors.append(error)
            week.days[day] = slots
        if errors:
            raise ValidationError(errors)
        value = opening_hours_from_week(week)
        validate_opening_hours(value)
        return value

    @staticmethod
    def _day_slots(label, times) -> tuple[tuple[tuple[int, int], ...], ValidationError | None]:
        slots = []
        for opening, closing in zip(times[0::2], times[1::2], strict=True):
            if opening is None and closing is None:
                continue
            if opening is None or closing is None:
                return (), ValidationError(
                    _("%(day)s : indiquez l'heure d'ouverture et l'heure de fermeture."),
                    code="incomplete_slot",
                    params={"day": label.capitalize()},
                )
            if closing <= opening:
                return (), ValidationError(
                    _(
                        "%(day)s : la fermeture (%(closing)s) doit venir après l'ouverture "
                        "(%(opening)s)."
                    ),
                    code="slot_order",
                    params={
                        "day": label.capitalize(),
                        "opening": opening.strftime("%H:%M"),
                        "closing": closing.strftime("%H:%M"),
                    },
                )
            slots.append((_as_minutes(opening), _as_minutes(closing)))
        if len(slots) == MAX_SLOTS_PER_DAY and slots[1][0] < slots[0][1]:
            return (), ValidationError(
                _("%(day)s : la réouverture doit venir après la première fermeture."),
                code="slot_overlap",
                params={"day": label.capitalize()},
            )
        return tuple(slots), None

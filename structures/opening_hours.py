"""Opening hours as a week of days, to and from the OpenStreetMap ``opening_hours`` string.

Staff enter the hours day by day (closed, or one or two opening slots, plus "closed on public
holidays"); the registry stores the OSM string the public pages and the API already read
(``structures.validators.parse_opening_hours``). ``week_from_opening_hours`` reads a stored string
back into a week when the week can say the same thing, and returns None otherwise (school
holidays, a third slot, a slot past midnight, "open all day"): those stay in the raw field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from structures.validators import DAYS, parse_opening_hours

MAX_SLOTS_PER_DAY = 2
MINUTES_PER_DAY = 24 * 60

Slot = tuple[int, int]  # (opening, closing) in minutes since midnight


@dataclass
class Week:
    """Opening slots per OSM day code (``Mo`` … ``Su``); a day without a slot is closed."""

    days: dict[str, tuple[Slot, ...]] = field(default_factory=lambda: dict.fromkeys(DAYS, ()))
    closed_on_public_holidays: bool = False


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_selector(days: list[str]) -> str:
    """``["Mo", "Tu", "We", "Fr"]`` → ``"Mo-We,Fr"`` (a run of two stays a list: ``"Sa,Su"``)."""
    indexes = [DAYS.index(day) for day in days]
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAYS[run[0]]}-{DAYS[run[-1]]}")
        else:
            parts.extend(DAYS[index] for index in run)
    return ",".join(parts)


def opening_hours_from_week(week: Week) -> str:
    """The OSM string of ``week``: days with the same slots grouped, closed days left out.

    ``Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off``. An entirely closed week without
    the public-holiday rule gives ``""`` (hours unknown).
    """
    groups: dict[tuple[Slot, ...], list[str]] = {}
    for day in DAYS:
        slots = week.days.get(day, ())
        if slots:
            groups.setdefault(tuple(slots), []).append(day)
    rules = [
        f"{_day_selector(days)} {','.join(f'{_time(a)}-{_time(b)}' for a, b in slots)}"
        for slots, days in groups.items()
    ]
    if week.closed_on_public_holidays:
        rules.append("PH off")
    return "; ".join(rules)


def week_from_opening_hours(value: str) -> Week | None:
    """The week ``value`` describes, or None when a week of slots cannot say the same thing.

    Follows OSM's reading: a later rule replaces an earlier one for the days it names. Invalid
    strings also give None (the raw field shows them, with the validator's message).
    """
    try:
        rules = parse_opening_hours(value)
    except ValidationError:
        return None
    week = Week()
    for rule in rules:
        if "SH" in rule.days:
            return None
        if "PH" in rule.days:
            if rule.days != ("PH",) or not rule.closed:
                return None
            week.closed_on_public_holidays = True
            continue
        if rule.closed:
            slots: tuple[Slot, ...] = ()
        else:
            slots = rule.ranges
            if len(slots) > MAX_SLOTS_PER_DAY or any(
                end >= MINUTES_PER_DAY or end <= start for start, end in slots
            ):
                return None
            if len(slots) == MAX_SLOTS_PER_DAY and slots[1][0] < slots[0][1]:
                return None
        for day in rule.days or DAYS:
            week.days[day] = slots
    return week

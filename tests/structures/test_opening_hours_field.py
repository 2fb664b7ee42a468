"""Opening hours day by day: the OSM string generated, read back, validated; the raw field."""

from __future__ import annotations

import pytest

from structures.admin.opening_hours import (
    HOLIDAYS_INDEX,
    RAW_INDEX,
    TIMES_PER_DAY,
    OpeningHoursField,
    OpeningHoursWidget,
)
from structures.opening_hours import week_from_opening_hours
from structures.validators import DAYS
from tests.structures import admin_support
from tests.structures.admin_support import form_data

as_user = admin_support.as_user
world = admin_support.world

NAME = "opening_hours"


def _post(day_times: dict[str, list[str]], *, holidays=False, raw="") -> dict:
    """The browser's submission of the widget: four times a day, the holidays box, the raw."""
    data = {}
    for day_index, day in enumerate(DAYS):
        times = day_times.get(day, [])
        for slot in range(TIMES_PER_DAY):
            value = times[slot] if slot < len(times) else ""
            data[f"{NAME}_{day_index * TIMES_PER_DAY + slot}"] = value
    if holidays:
        data[f"{NAME}_{HOLIDAYS_INDEX}"] = "on"
    data[f"{NAME}_{RAW_INDEX}"] = raw
    return data


def _clean(data) -> str:
    field = OpeningHoursField()
    return field.clean(field.widget.value_from_datadict(data, {}, NAME))


SPLIT_DAY = ["09:00", "12:00", "14:00", "17:30"]


@pytest.mark.parametrize(
    ("value", "day_times", "holidays"),
    [
        (
            "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off",
            {**dict.fromkeys(DAYS[:5], SPLIT_DAY), "Sa": ["09:00", "12:00"]},
            True,
        ),
        ("Mo,We 08:30-18:00", {"Mo": ["08:30", "18:00"], "We": ["08:30", "18:00"]}, False),
        ("Sa,Su 10:00-19:00", {"Sa": ["10:00", "19:00"], "Su": ["10:00", "19:00"]}, False),
        ("", {}, False),
    ],
)
def test_week_round_trip(value, day_times, holidays):
    # Stored string → widget values → submission → the same string.
    widget = OpeningHoursWidget()
    values = widget.decompress(value)
    assert values[RAW_INDEX] == ""
    assert values[HOLIDAYS_INDEX] is holidays
    shown = {
        day: [
            t.strftime("%H:%M")
            for t in values[i * TIMES_PER_DAY : (i + 1) * TIMES_PER_DAY]
            if t is not None
        ]
        for i, day in enumerate(DAYS)
    }
    assert {day: times for day, times in shown.items() if times} == day_times
    assert _clean(_post(day_times, holidays=holidays)) == value


def test_later_rules_replace_earlier_ones_as_in_osm():
    week = week_from_opening_hours("Mo-Sa 09:00-18:00; Sa 09:00-12:00; We off")
    assert week.days["Mo"] == ((540, 1080),)
    assert week.days["We"] == ()
    assert week.days["Sa"] == ((540, 720),)


@pytest.mark.parametrize(
    "value",
    [
        "Mo-Fr 09:00-12:00,13:00-15:00,16:00-18:00",  # a third slot
        "Fr-Sa 18:00-02:00",  # past midnight
        "Mo-Fr 09:00-17:00; SH off",  # school holidays
        "24/7",
        "Mo-Fr 9h-17h",  # invalid: shown as typed, with the validator's message
    ],
)
def test_what_the_week_cannot_say_stays_in_the_raw_field(value):
    values = OpeningHoursWidget().decompress(value)
    assert values[RAW_INDEX] == value
    assert all(v is None for v in values[:HOLIDAYS_INDEX])


def test_the_raw_field_wins_when_filled():
    data = _post({"Mo": ["09:00", "12:00"]}, raw="  Mo-Fr 08:00-20:00 ;SH off ")
    assert _clean(data) == "Mo-Fr 08:00-20:00; SH off"


@pytest.mark.parametrize(
    ("day_times", "raw", "message"),
    [
        (
            {"Tu": ["09:00", ""]},
            "",
            "Mardi : indiquez l'heure d'ouverture et l'heure de fermeture.",
        ),
        ({"We": ["14:00", "09:00"]}, "", "Mercredi : la fermeture (09:00) doit venir après"),
        ({"Th": ["09:00", "13:00", "12:00", "17:00"]}, "", "Jeudi : la réouverture doit venir"),
        ({"Mo": ["25:00", "26:00"]}, "", "Saisissez une heure valide"),
        ({}, "Mo-Fr 09:00-12:00 off", "contradictoire"),
        ({}, "Jan Mo 09:00-12:00", "ne sont pas pris en charge"),
    ],
)
def test_mistakes_are_explained(day_times, raw, message):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as error:
        _clean(_post(day_times, raw=raw))
    assert any(message in text for text in error.value.messages), error.value.messages


@pytest.mark.django_db
def test_structure_form_saves_the_week_and_shows_it_back(world, as_user):
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert 'aria-label="lundi : ouverture"' in html
    assert "Saisie experte" in html
    data = form_data(page)
    del data[NAME]
    data.update(_post(dict.fromkeys(DAYS[:5], SPLIT_DAY), holidays=True))
    assert client.post(url, data).status_code == 302
    world.herault.refresh_from_db()
    assert world.herault.opening_hours == "Mo-Fr 09:00-12:00,14:00-17:30; PH off"
    # Shown back in the grid, the raw field empty.
    page = client.get(url)
    assert 'value="14:00"' in page.content.decode()
    # A mistake keeps the form on screen, the listing untouched.
    data = form_data(page)
    del data[NAME]
    data.update(_post({"Fr": ["18:00", "09:00"]}))
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Vendredi : la fermeture (09:00) doit venir après" in response.content.decode()
    world.herault.refresh_from_db()
    assert world.herault.opening_hours == "Mo-Fr 09:00-12:00,14:00-17:30; PH off"

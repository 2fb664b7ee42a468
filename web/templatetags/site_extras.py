"""Template helpers of the public site: phones, opening hours, distances, bilingual labels."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import get_script_prefix
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from structures.relay.wording import distance_label, km_text
from structures.validators import DAYS, format_phone, parse_opening_hours
from web import page_cache

register = template.Library()

DAY_LABELS = {
    "Mo": _("lun."),
    "Tu": _("mar."),
    "We": _("mer."),
    "Th": _("jeu."),
    "Fr": _("ven."),
    "Sa": _("sam."),
    "Su": _("dim."),
    "PH": _("jours fériés"),
    "SH": _("vacances scolaires"),
}


def _is_english() -> bool:
    return (get_language() or "fr").startswith("en")


@register.filter
def phone(value: str) -> str:
    """ "+33467136800" → "04 67 13 68 00"."""
    return _formatted_phone(value or "")


# Parsing a number costs more than the rest of a result card: the few thousand numbers of the
# registry are each formatted once per process.
_formatted_phone = lru_cache(maxsize=8192)(format_phone)


@register.filter
def km(value: float | None) -> str:
    """A distance for people: "850 m", "3,4 km", "27 km" (localised; the lookup's rounding)."""
    if value is None:
        return ""
    if value < 1:
        return f"{round(value * 1000, -1):.0f} m"
    return km_text(value)


@register.filter
def distance(result) -> str:
    """Distance of a relay result: "moins de 1 km", "environ 27 km" when approximate."""
    return str(distance_label(result))


@register.filter
def localized(obj, field: str = "name") -> str:
    """``obj.<field>_en`` when the page is in English and it is filled, else ``obj.<field>``."""
    if obj is None:
        return ""
    if _is_english():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


@register.filter
def why(result) -> str:
    """The "why this relay" sentence of a relay result, in the page's language."""
    return result.why_en if _is_english() and result.why_en else result.why_fr


def _minutes(value: int) -> str:
    """570 → "9 h 30" (French usage), "09:30" in English."""
    hours, minutes = divmod(value, 60)
    if _is_english():
        return f"{hours:02d}:{minutes:02d}"
    return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"


def _day_runs(days: tuple[str, ...]) -> list[str]:
    """("Mo","Tu","We","Fr") → ["lun.–mer.", "ven."]: consecutive week days collapse."""
    week = [d for d in DAYS if d in days]
    extra = [d for d in days if d not in DAYS]
    runs: list[list[str]] = []
    for day in week:
        if runs and DAYS.index(day) == DAYS.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    labels = [
        f"{DAY_LABELS[r[0]]}–{DAY_LABELS[r[-1]]}"
        if len(r) > 2
        else ", ".join(str(DAY_LABELS[d]) for d in r)
        for r in runs
    ]
    return labels + [str(DAY_LABELS[d]) for d in extra]


@register.filter
def opening_hours(value: str) -> list[str]:
    """Readable lines from the OSM ``opening_hours`` subset the registry accepts.

    A value that does not parse (older data) is shown as stored rather than hidden.
    """
    value = (value or "").strip()
    if not value:
        return []
    return list(_hours_lines(value, get_language() or ""))


@lru_cache(maxsize=4096)
def _hours_lines(value: str, language: str) -> tuple[str, ...]:
    # Once per value and language in a process (the parse and the wording are pure).
    try:
        rules = parse_opening_hours(value)
    except ValidationError:
        return (value,)
    lines = []
    for rule in rules:
        days = ", ".join(_day_runs(rule.days)) if rule.days else str(_("tous les jours"))
        if rule.closed:
            times = str(_("fermé"))
        elif rule.ranges == ((0, 24 * 60),):
            times = str(_("toute la journée"))
        else:
            times = ", ".join(f"{_minutes(a)}–{_minutes(b)}" for a, b in rule.ranges)
        lines.append(f"{days} : {times}" if not _is_english() else f"{days}: {times}")
    return tuple(lines)


@register.simple_tag
def colon() -> str:
    """The colon after a label: " :" with a no-break space in French, ":" in English."""
    return ":" if _is_english() else "\u00a0:"


@register.simple_tag
def map_tiles() -> dict[str, str]:
    """Tile server of the maps (``MAP_TILE_URL``; empty: no background tiles)."""
    return {
        "url": getattr(settings, "MAP_TILE_URL", ""),
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current GET query with some parameters replaced (pagination links keep filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


class FixedFragmentNode(template.Node):
    def __init__(self, nodelist, name: str, varying: list) -> None:
        self.nodelist = nodelist
        self.name = name
        self.varying = varying

    def render(self, context) -> str:
        key = (self.name, get_script_prefix(), *(value.resolve(context) for value in self.varying))
        return page_cache.fragment(key, lambda: self.nodelist.render(context))


@register.tag
def fixed_fragment(parser, token):
    """``{% fixed_fragment "name" value… %}…{% endfixed_fragment %}``: the enclosed markup,
    rendered once per process for each language and set of values (``web.page_cache``).

    Only for markup made of the code's links and words and of the values named: the site's
    header and footer links cost a dozen ``{% url %}`` and ``{% translate %}`` on every page.
    """
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a quoted name, then values.")
    nodelist = parser.parse(("endfixed_fragment",))
    parser.delete_first_token()
    return FixedFragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]])

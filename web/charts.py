"""Small horizontal bar charts as inline SVG, drawn on the server.

No script and no style attribute (the site's Content-Security-Policy forbids both): geometry is
in SVG attributes, colours in presentation attributes that ``static/css/site.css`` refines with
classes. Each chart is an image for assistive technologies (``role="img"``, named by its
``<title>``, described by its ``<desc>``); the page pairs it with a table of the same figures, which is the accessible
equivalent (the tests compare the two).

Layout: each bar has its label on a line of its own above it, so that long territory names fit
on a phone; the SVG scales to the width of its container (``viewBox``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Geometry of the viewBox (user units ≈ CSS pixels at its natural size).
WIDTH = 360
BAR_AREA = 270  # the longest bar; the value is written after it (room for "12 345,67")
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
ROW_GAP = 8
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
MARKER_SPACE = 20  # room for the marker's caption under the bars

# Fallback colours when the style sheet is not there (the classes of site.css win).
INK = "#1b2230"
BAR = "#5d6b7e"
HIGHLIGHT = "#0b5d4b"
MARKER = "#a3261b"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (``None``: not computable, no bar) and the value as the
    page writes it (the same text in the chart and in its table)."""

    label: str
    value: float | None
    display: str
    highlight: bool = False
    muted: bool = False  # a reference (the parent territory), not a peer


@dataclass(frozen=True)
class Marker:
    """A reference line across the bars (a national median)."""

    value: float
    label: str


def number(value: float | int | None, *, decimals: int = 0) -> str:
    """A figure as the page writes it in the current language ("1 234,5"; "—" when none)."""
    if value is None:
        return "—"
    # Rounded here: Django's number_format cuts a float's extra decimals off.
    return number_format(
        round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def percent(share: float | None, *, decimals: int = 1) -> str:
    """0.8754 → "87,5 %" ("—" when none)."""
    if share is None:
        return "—"
    return f"{number(share * 100, decimals=decimals)}\u00a0%"


def bar_width(value: float | None, scale_max: float) -> float:
    """The length of a bar in viewBox units: proportional to the value, the largest filling
    ``BAR_AREA``; 0 for no value or a nothing-to-compare chart (every value 0)."""
    if value is None or value <= 0 or scale_max <= 0:
        return 0.0
    return round(min(value, scale_max) / scale_max * BAR_AREA, 2)


def bar_chart(
    *,
    uid: str,
    title: str,
    description: str,
    bars: list[Bar],
    scale_max: float | None = None,
    marker: Marker | None = None,
    css_class: str = "",
) -> SafeString:
    """An inline ``<svg>`` horizontal bar chart; ``scale_max`` fixes the full length (100 for
    shares in %), else the largest value (or the marker) fills it. ``uid`` is unique in the page
    (the ids of the title and description). Labels are escaped."""
    values = [b.value for b in bars if b.value is not None]
    if marker is not None:
        values.append(marker.value)
    top = scale_max if scale_max is not None else max(values, default=0)
    height = len(bars) * ROW_HEIGHT + (MARKER_SPACE if marker is not None else 0)

    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW_HEIGHT
        width = bar_width(bar.value, top)
        kind = (
            " chart-bar--highlight" if bar.highlight else " chart-bar--muted" if bar.muted else ""
        )
        fill = HIGHLIGHT if bar.highlight else BAR
        rows.append(
            format_html(
                '<g class="chart-row{}" data-label="{}" data-value="{}">'
                '<text class="chart-label" x="0" y="{}" fill="{}"{}>{}</text>'
                '<rect class="chart-bar{}" x="0" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text class="chart-value" x="{}" y="{}" fill="{}">{}</text>'
                "</g>",
                " chart-row--highlight" if bar.highlight else "",
                bar.label,
                bar.display,
                y + LABEL_HEIGHT - 5,
                INK,
                SafeString(' font-weight="700"') if bar.highlight else "",
                bar.label,
                kind,
                y + LABEL_HEIGHT,
                width,
                BAR_HEIGHT,
                fill,
                round(width + 6, 2),
                y + LABEL_HEIGHT + BAR_HEIGHT - 3,
                INK,
                bar.display,
            )
        )
    if marker is not None:
        x = bar_width(marker.value, top) or 0.0
        bottom = len(bars) * ROW_HEIGHT
        rows.append(
            format_html(
                '<g class="chart-marker" data-value="{}">'
                '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="4 3"></line>'
                '<text x="{}" y="{}" fill="{}" text-anchor="{}">{}</text></g>',
                marker.value,
                x,
                x,
                bottom,
                MARKER,
                x,
                bottom + 14,
                MARKER,
                "end" if x > BAR_AREA / 2 else "start",
                marker.label,
            )
        )
    return format_html(
        '<svg class="chart{}" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-labelledby="{}-title" aria-describedby="{}-desc" viewBox="0 0 {} {}" width="{}" height="{}" '
        'font-size="13" font-family="system-ui, sans-serif">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        f" {css_class}" if css_class else "",
        uid,
        uid,
        WIDTH,
        height,
        WIDTH,
        height,
        uid,
        title,
        uid,
        description,
        format_html_join("", "{}", ((row,) for row in rows)),
    )

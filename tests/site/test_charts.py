"""The server-drawn SVG bar charts (web/charts.py): values → bar lengths, labels escaped, the
chart an image with its title and description for assistive technologies."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.utils import translation

from web.charts import BAR_AREA, Bar, Marker, bar_chart, bar_width, number, percent

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def bars_of(root: ET.Element) -> list[tuple[str, str, float]]:
    """(label, value text, bar width) of each row, from the drawn elements."""
    rows = []
    for g in root.iter(f"{SVG}g"):
        if "chart-row" not in g.get("class", "").split():
            continue
        label, value = (t.text for t in g.iter(f"{SVG}text"))
        rows.append((label, value, float(g.find(f"{SVG}rect").get("width"))))
    return rows


def test_bar_width_is_proportional_to_the_value_the_largest_filling_the_area():
    assert bar_width(10, 10) == BAR_AREA
    assert bar_width(5, 10) == BAR_AREA / 2
    assert bar_width(2.5, 10) == BAR_AREA / 4
    assert bar_width(0, 10) == 0
    assert bar_width(None, 10) == 0
    # Nothing to compare (every value 0): no bar rather than a division by zero.
    assert bar_width(0, 0) == 0
    # Beyond a fixed scale (a share above 100 % cannot be): clipped to the area.
    assert bar_width(120, 100) == BAR_AREA


def test_chart_draws_one_bar_per_value_scaled_on_the_largest():
    svg = bar_chart(
        uid="c1",
        title="Relais pour 100 000 habitants",
        description="Comparaison",
        bars=[
            Bar(label="Hérault", value=8.0, display="8,00", highlight=True),
            Bar(label="Gard", value=2.0, display="2,00"),
            Bar(label="Lozère", value=None, display="—"),
            Bar(label="Occitanie (ensemble)", value=4.0, display="4,00", muted=True),
        ],
    )
    root = parse(svg)
    assert bars_of(root) == [
        ("Hérault", "8,00", BAR_AREA),
        ("Gard", "2,00", BAR_AREA / 4),
        ("Lozère", "—", 0.0),
        ("Occitanie (ensemble)", "4,00", BAR_AREA / 2),
    ]
    rects = [r.get("class") for r in root.iter(f"{SVG}rect")]
    assert rects == [
        "chart-bar chart-bar--highlight",
        "chart-bar",
        "chart-bar",
        "chart-bar chart-bar--muted",
    ]
    # The rows are stacked: each below the previous one, inside the viewBox.
    heights = [float(r.get("y")) for r in root.iter(f"{SVG}rect")]
    assert heights == sorted(heights) and len(set(heights)) == 4
    assert max(heights) < float(root.get("viewBox").split()[3])


def test_chart_is_an_image_named_by_its_title_and_description():
    root = parse(bar_chart(uid="densite", title="Titre", description="Description", bars=[]))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "densite-title"
    assert root.get("aria-describedby") == "densite-desc"
    assert root.find(f"{SVG}title").get("id") == "densite-title"
    assert root.find(f"{SVG}title").text == "Titre"
    assert root.find(f"{SVG}desc").get("id") == "densite-desc"
    assert root.find(f"{SVG}desc").text == "Description"
    # No style attribute anywhere: the Content-Security-Policy would refuse it.
    assert all(element.get("style") is None for element in root.iter())


def test_labels_and_titles_are_escaped():
    nasty = '<script>alert("x")</script> & Cie'
    svg = str(
        bar_chart(
            uid="c2",
            title=f"Titre {nasty}",
            description=nasty,
            bars=[Bar(label=nasty, value=1, display="1 <b>")],
        )
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert bars_of(root) == [(nasty, "1 <b>", BAR_AREA)]
    assert root.find(f"{SVG}title").text == f"Titre {nasty}"
    assert root.find(f"{SVG}desc").text == nasty


def test_fixed_scale_and_median_marker():
    root = parse(
        bar_chart(
            uid="c3",
            title="Part couverte",
            description="",
            bars=[Bar(label="Export", value=50.0, display="50,0 %")],
            scale_max=100,
        )
    )
    assert bars_of(root) == [("Export", "50,0 %", BAR_AREA / 2)]

    root = parse(
        bar_chart(
            uid="c4",
            title="Shannon",
            description="",
            bars=[Bar(label="A", value=1.0, display="1,00"), Bar(label="B", value=0.5, display="")],
            marker=Marker(value=2.0, label="médiane nationale : 2,00"),
        )
    )
    # The marker counts in the scale: the median beyond every bar still shows.
    assert [width for *_, width in bars_of(root)] == [BAR_AREA / 2, BAR_AREA / 4]
    marker = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-marker")
    line = marker.find(f"{SVG}line")
    assert float(line.get("x1")) == float(line.get("x2")) == BAR_AREA
    assert marker.find(f"{SVG}text").text == "médiane nationale : 2,00"


def test_numbers_in_the_pages_language():
    with translation.override("fr"):
        assert number(1234567).replace("\u202f", " ").replace("\xa0", " ") == "1 234 567"
        assert number(2.5, decimals=2) == "2,50"
        # Rounded, not cut: 1.0986 → "1,10".
        assert number(1.0986, decimals=2) == "1,10"
        assert number(0.6365, decimals=2) == "0,64"
        assert number(None) == "—"
        assert percent(0.8754) == "87,5\u00a0%"
        assert percent(None) == "—"
    with translation.override("en"):
        assert number(1234.5, decimals=1) == "1,234.5"

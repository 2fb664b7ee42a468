"""The demo pôles' international services with their intensity, and their alliances abroad, as
Colovic (2013) reports them (``docs/domain.md``)."""

from __future__ import annotations

import pytest

from demo.dataset import demo_links, demo_structures, offer_templates
from structures.models import Offer, Structure
from structures.selectors import alliances_of, structure_detail

SPECS = {spec.slug: spec for spec in demo_structures()}
POLES = ("systematic-paris-region", "lyonbiopole", "moveo", "cap-digital")


def intensities(slug: str) -> dict[str, str]:
    spec = SPECS[slug]
    overrides = dict(spec.intensities)
    return {
        t.service: overrides.get(t.service, t.intensity)
        for t in offer_templates(spec)
        if overrides.get(t.service, t.intensity)
    }


def test_the_pole_services_carry_the_intensity_the_source_reports():
    for slug in POLES:
        found = intensities(slug)
        # Missions and collective stands recur every year (Colovic 2013).
        assert found["prospecting-missions"] == "regular", slug
        assert found["trade-fairs"] == "regular", slug
        assert found.get("partner-search", "occasional") == "occasional", slug  # "rare"
    # Alliances: the preferred mode where they exist, "just starting" at Mov'eo, none at Cap
    # Digital ("pas encore").
    assert intensities("systematic-paris-region")["inter-cluster-alliances"] == "central"
    assert intensities("lyonbiopole")["inter-cluster-alliances"] == "central"
    assert intensities("moveo")["inter-cluster-alliances"] == "occasional"
    assert "inter-cluster-alliances" not in intensities("cap-digital")


def test_only_clusters_state_an_intensity():
    for spec in demo_structures():
        if spec.kind not in ("competitiveness_cluster", "cluster_spl"):
            assert not any(t.intensity for t in offer_templates(spec)), spec.slug
            assert not spec.intensities, spec.slug


@pytest.mark.django_db
def test_loaded_poles_show_services_with_intensity_and_alliances_abroad(loaded_demo):
    lyon = Offer.objects.filter(structure__slug="lyonbiopole")
    assert dict(lyon.values_list("service__code", "intensity")) == {
        "trade-fairs": "regular",
        "prospecting-missions": "regular",
        "inter-cluster-alliances": "central",
        "partner-search": "occasional",
    }
    assert all(lyon.values_list("members_only", flat=True))
    alliances = alliances_of(structure_detail(slug="systematic-paris-region"))
    assert {(a.partner.slug, tuple(c.code for c in a.countries)) for a in alliances} == {
        ("dsp-valley", ("BE",)),
        ("point-one", ("NL",)),
        ("bicc-net", ("DE",)),
        ("safetrans", ("DE",)),
    }
    assert {a.partner.country.code for a in alliances} == {"BE", "NL", "DE"}
    assert Structure.objects.get(slug="systematic-paris-region").get_label_tier_display() == (
        "pôle mondial"
    )
    assert Structure.objects.get(slug="cap-digital").get_label_tier_display() == (
        "pôle à vocation mondiale"
    )
    # Every alliance the demo records comes from the source.
    assert all(
        "Colovic (2013)" in link.source
        for link in demo_links()
        if link.kind == ("inter_cluster_alliance")
    )

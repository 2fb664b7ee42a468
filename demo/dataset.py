"""The whole demo dataset as plain data, checked for consistency (no database access)."""

from __future__ import annotations

from functools import cache

from demo import named, network
from demo.profiles import OFFER_PROFILES, TEMPLATE_SERVICES
from demo.spec import LinkSpec, StructureSpec


def _check(spec: StructureSpec) -> None:
    """What the loader cannot check: a spec's facts say where they come from."""
    if spec.is_abroad == bool(spec.commune) or spec.is_abroad != (spec.point is not None):
        raise ValueError(f"{spec.slug!r}: a French commune, or a country abroad with a point")
    if spec.markets and not spec.market_services:
        raise ValueError(f"{spec.slug!r}: markets without the services they apply to")
    if spec.markets and not spec.fictitious and not spec.markets_source:
        raise ValueError(f"{spec.slug!r}: the markets of a real structure need their source")
    for partner in spec.partners:
        if not partner.source or partner.status not in ("active", "planned"):
            raise ValueError(f"{spec.slug!r}: partner {partner.country} without a source")
    # Offer.intensity is for clusters only (the loader's full_clean would refuse it).
    intensities = [t.intensity for t in offer_templates(spec) if t.intensity]
    intensities += [value for _service, value in spec.intensities]
    if intensities and spec.kind not in ("competitiveness_cluster", "cluster_spl"):
        raise ValueError(f"{spec.slug!r}: an intensity on the offers of a {spec.kind}")


@cache
def demo_structures() -> tuple[StructureSpec, ...]:
    """Every demo structure, parents before children (the loader relies on the order)."""
    specs = [*named.NAMED, *network.regional_network(), *network.local_network()]
    specs += network.offices_abroad()
    specs += network.fictitious()
    by_slug: dict[str, StructureSpec] = {}
    for spec in specs:
        if spec.slug in by_slug:
            raise ValueError(f"duplicate demo slug {spec.slug!r}")
        _check(spec)
        by_slug[spec.slug] = spec
    for spec in specs:
        for partner in spec.partners:
            target = by_slug.get(partner.partner) if partner.partner else None
            if partner.partner and (target is None or target.country != partner.country):
                raise ValueError(f"{spec.slug!r}: partner {partner.partner!r} not in its country")
    ordered: list[StructureSpec] = []
    placed: set[str] = set()

    def place(spec: StructureSpec, trail: tuple[str, ...] = ()) -> None:
        if spec.slug in placed:
            return
        if spec.slug in trail:
            raise ValueError(f"parent loop through {spec.slug!r}")
        if spec.parent:
            if spec.parent not in by_slug:
                raise ValueError(f"{spec.slug!r}: unknown parent {spec.parent!r}")
            place(by_slug[spec.parent], (*trail, spec.slug))
        ordered.append(spec)
        placed.add(spec.slug)

    for spec in specs:
        place(spec)
    return tuple(ordered)


@cache
def demo_links() -> tuple[LinkSpec, ...]:
    """Every demo link, each with its source."""
    slugs = {spec.slug for spec in demo_structures()}
    links = (*named.NAMED_LINKS, *named.partner_links(), *network.network_links())
    for link in links:
        if link.from_slug not in slugs or link.to_slug not in slugs:
            raise ValueError(f"link {link.from_slug!r} → {link.to_slug!r}: unknown structure")
        if not link.source:
            raise ValueError(f"link {link.from_slug!r} → {link.to_slug!r}: no source")
    return links


def offer_templates(spec: StructureSpec):
    """The offers of a spec: its own list, or its kind's profile."""
    return spec.offers if spec.offers is not None else OFFER_PROFILES[spec.kind]


def used_services() -> set[str]:
    services = set(TEMPLATE_SERVICES)
    for spec in demo_structures():
        services.update(t.service for t in offer_templates(spec))
    return services


def used_sectors() -> set[str]:
    return {code for spec in demo_structures() for t in offer_templates(spec) for code in t.sectors}

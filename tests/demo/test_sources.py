"""The demo says of each real body only what its source says (Colovic 2013, Pommier 2012,
Torrès 2002; see docs/domain.md), and covers every région with the public networks."""

import pytest

from demo import fiction
from demo.dataset import demo_links, demo_structures
from demo.loader import load_demo
from demo.network import REGIONS
from demo.spec import PARTNER_SERVICES
from structures.models import Contact, Offer, OfferMarket, Structure, StructureLink
from tests.relay.lookup import lookup

pytestmark = pytest.mark.django_db

SPECS = {spec.slug: spec for spec in demo_structures()}
FRENCH_POLES = {"systematic-paris-region", "lyonbiopole", "moveo", "cap-digital"}
FOREIGN_CLUSTERS = {
    "dsp-valley": "BE",
    "point-one": "NL",
    "bicc-net": "DE",
    "safetrans": "DE",
    "cluster-boston": "US",
}
OFFICES_ABROAD = {"MA", "JP", "DE", "US", "CN", "ES"}


def partners(slug: str, *, status: str | None = None, service: str | None = None) -> set[str]:
    return {
        p.country
        for p in SPECS[slug].partners
        if (status is None or p.status == status) and (service is None or service in p.services)
    }


# --- The definitions: each fact and its source ---------------------------------------------------


def test_systematic_partner_countries_are_exactly_those_of_the_source():
    assert partners("systematic-paris-region") == {
        "BE", "NL", "DE", "US", "BR", "VN", "TN", "MA", "CN",
    }  # fmt: skip
    assert partners("systematic-paris-region", status="planned") == set()
    named = {p.partner: p.country for p in SPECS["systematic-paris-region"].partners if p.partner}
    assert named == {"dsp-valley": "BE", "point-one": "NL", "bicc-net": "DE", "safetrans": "DE"}


def test_lyonbiopole_has_japan_and_boston_not_belgium():
    assert partners("lyonbiopole") == {"US", "CA", "JP", "CN"}
    spec = SPECS["lyonbiopole"]
    assert [p.partner for p in spec.partners if p.partner] == ["cluster-boston"]
    # Its missions abroad have their own source line: the United States, Canada and Japan.
    assert spec.markets_for("prospecting-missions") == {
        "US": "active",
        "CA": "active",
        "JP": "active",
    }
    assert "missions plusieurs fois par an" in spec.markets_source
    assert spec.markets_for("trade-fairs") == {}


def test_moveo_agreements_are_recorded_its_alliances_and_japan_trip_are_planned():
    assert partners("moveo", status="active") == {"IT", "DE", "SE", "NL"}
    assert partners("moveo", status="active", service="inter-cluster-alliances") == set()
    assert partners("moveo", status="planned", service="inter-cluster-alliances") == {
        "IT", "DE", "SE", "NL", "JP",
    }  # fmt: skip
    japan = [p for p in SPECS["moveo"].partners if p.country == "JP"]
    assert [p.status for p in japan] == ["planned"]
    assert "voyage" in japan[0].source
    assert SPECS["moveo"].markets_for("partner-search")["JP"] == "planned"


def test_cap_digital_has_no_partner_and_no_market():
    spec = SPECS["cap-digital"]
    assert spec.partners == () and spec.markets == ()
    assert "aucun accord" in spec.description
    # No alliance or partner-search offer, which would read as "every country" (rule R10).
    assert not {t.service for t in spec.offers} & set(PARTNER_SERVICES)


def test_every_partner_market_and_link_carries_its_source():
    for spec in demo_structures():
        for partner in spec.partners:
            assert partner.source.startswith("Colovic (2013), données 2011"), spec.slug
            assert set(partner.services) <= set(PARTNER_SERVICES), spec.slug
        if spec.markets and not spec.fictitious:
            assert spec.markets_source, spec.slug
    for link in demo_links():
        assert link.source and link.text.endswith(f"Source : {link.source}."), link


def test_no_alliance_between_french_poles_and_the_named_foreign_partners_are_linked():
    links = {(link.from_slug, link.to_slug): link for link in demo_links()}
    assert not [pair for pair in links if set(pair) <= FRENCH_POLES]
    for slug, country in FOREIGN_CLUSTERS.items():
        spec = SPECS[slug]
        assert spec.is_abroad and spec.country == country and spec.commune == ""
        assert spec.offers == () and not spec.with_contacts
        origin = "lyonbiopole" if slug == "cluster-boston" else "systematic-paris-region"
        link = links[(origin, slug)]
        assert link.kind == "inter_cluster_alliance" and link.countries == (country,)
        assert "Colovic (2013)" in link.source


def test_pole_markets_stay_off_trade_fairs_and_other_offers():
    for spec in demo_structures():
        if spec.kind != "competitiveness_cluster":
            continue
        assert spec.markets_for("trade-fairs") == {}, spec.slug
        assert spec.markets_for("translation") == {}, spec.slug


def test_every_region_has_a_cma_a_bpifrance_desk_and_a_club_delegation():
    for code, name, *_rest in REGIONS:
        for kind in ("cma", "bpifrance", "exporters_club", "team_france_export"):
            covering = [
                spec.slug
                for spec in demo_structures()
                if spec.kind == kind and ("region", code) in spec.coverage
            ]
            assert covering, (name, kind)


def test_business_france_is_generalist():
    spec = SPECS["business-france"]
    assert spec.markets == () and spec.partners == ()
    assert not any(t.markets for t in spec.offers)
    assert "trade-fairs" in {t.service for t in spec.offers}


# --- Loaded ----------------------------------------------------------------------------------------


def test_loaded_pole_markets_follow_the_sources(loaded_demo):
    markets = OfferMarket.objects.filter(offer__structure__kind="competitiveness_cluster")
    assert not markets.filter(offer__structure__slug="cap-digital").exists()
    systematic = markets.filter(offer__structure__slug="systematic-paris-region")
    assert set(systematic.values_list("country__code", flat=True)) == partners(
        "systematic-paris-region"
    )
    assert set(systematic.values_list("offer__service__code", flat=True)) <= set(PARTNER_SERVICES)
    assert set(systematic.values_list("status", flat=True)) == {"active"}
    lyon = markets.filter(offer__structure__slug="lyonbiopole")
    assert set(lyon.values_list("country__code", flat=True)) == {"US", "CA", "JP", "CN"}
    assert not lyon.filter(country__code="BE").exists()
    assert not markets.filter(offer__service__code="trade-fairs").exists()
    # The offer says where its countries come from.
    offer = Offer.objects.get(
        structure__slug="systematic-paris-region", service__code="partner-search"
    )
    assert "Source : Colovic (2013), données 2011" in offer.description
    assert "DSP Valley" in offer.description


def test_foreign_partners_are_structures_abroad_linked_from_their_pole(loaded_demo):
    for slug, country in FOREIGN_CLUSTERS.items():
        cluster = Structure.objects.get(slug=slug)
        assert cluster.commune is None and cluster.country.code == country
        assert cluster.has_point and cluster.postal_code == ""
        assert not cluster.offers.exists() and not cluster.contacts.exists()
        assert cluster.coverage.get().code == country
    links = StructureLink.objects.filter(to_structure__slug__in=FOREIGN_CLUSTERS)
    assert links.count() == len(FOREIGN_CLUSTERS)
    for link in links:
        assert link.status == "active" and link.kind == "inter_cluster_alliance"
        assert [c.code for c in link.countries.all()] == [FOREIGN_CLUSTERS[link.to_structure.slug]]
        assert "Source : Colovic (2013)" in link.description
    assert not StructureLink.objects.filter(
        from_structure__kind="competitiveness_cluster", to_structure__kind="competitiveness_cluster"
    ).exists()


def test_a_reload_removes_a_link_no_source_records(loaded_demo):
    StructureLink.objects.create(
        from_structure=Structure.objects.get(slug="systematic-paris-region"),
        to_structure=Structure.objects.get(slug="cap-digital"),
        kind="inter_cluster_alliance",
    )
    report = load_demo(sme_count=0)
    assert report.deleted["liens"] == 1
    assert not StructureLink.objects.filter(to_structure__slug="cap-digital").exists()
    assert not load_demo(sme_count=0).changed


def test_offices_abroad_exist_with_fictitious_contacts(loaded_demo):
    offices = Structure.objects.filter(kind="office_abroad")
    assert {o.country.code for o in offices} == OFFICES_ABROAD
    for office in offices:
        assert office.commune is None and office.has_point
        assert office.parent.slug == "business-france"
        assert office.coverage.get().code == "FR"
        contacts = list(office.contacts.all())
        assert {c.kind for c in contacts} == {"desk", "person"}
        for contact in contacts:
            assert contact.is_demo and contact.email.endswith(".demo@example.org")
            assert fiction.is_fiction_phone(contact.phone)
            if contact.kind == "person":
                assert contact.name.split(" ", 1)[1] in fiction.FICTION_SURNAMES
        for offer in office.offers.all():
            assert [(m.country.code, m.status) for m in offer.markets.all()] == [
                (office.country.code, "active")
            ]
            assert offer.contact is not None
    assert not Contact.objects.filter(structure__kind="office_abroad", is_demo=False).exists()


def test_trade_fairs_in_spain_from_montpellier_find_team_france_export_and_business_france(
    loaded_demo,
):
    nearest = lookup(service="trade-fairs", commune="34172", country="ES", k=5)
    assert "team-france-export-occitanie-montpellier" in [r.structure.slug for r in nearest.results]
    every = lookup(service="trade-fairs", commune="34172", country="ES", k=50)
    slugs = [r.structure.slug for r in every.results]
    assert {"business-france", "business-france-espagne"} <= set(slugs)
    # The office in Madrid is an explicit match; the office in Tokyo is not competent for Spain.
    madrid = next(r for r in every.results if r.structure.slug == "business-france-espagne")
    assert madrid.market_match == "explicit"
    assert "business-france-japon" not in slugs
    # Nor does Business France drop out of any other country it serves.
    for country in ("ES", "BR", "SE", "ZA"):
        found = lookup(service="partner-search", commune="34172", country=country, k=50)
        assert "business-france" in [r.structure.slug for r in found.results], country


def test_every_loaded_region_has_its_networks_and_overseas_desks_answer(loaded_demo):
    # Corse and Guadeloupe are in the test subset: their own desks answer, at home.
    for commune, region in (("2A004", "corse"), ("97105", "guadeloupe")):
        finance = lookup(service="export-finance", commune=commune, k=1)
        assert finance.results[0].structure.slug == f"bpifrance-{region}"
        assert finance.results[0].same_region
        cma = Structure.objects.get(slug=f"cma-{region}")
        club = Structure.objects.get(slug=f"club-exportateurs-delegation-{region}")
        assert cma.kind == "cma" and club.kind == "exporters_club"
        assert club.parent.slug == "club-exportateurs-france"
    # Département clubs hang under their région's delegation.
    herault = Structure.objects.get(slug="club-exportateurs-herault")
    assert herault.parent is None  # the Occitanie delegation (Toulouse) is outside the subset
    corse_du_sud = Structure.objects.get(slug="club-exportateurs-corse-du-sud")
    assert corse_du_sud.parent.slug == "club-exportateurs-delegation-corse"

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo import fiction
from demo.dataset import demo_structures, used_sectors, used_services
from demo.loader import load_demo
from demo.network import REGIONS
from structures.enums import Freshness
from structures.models import (
    Contact,
    Offer,
    OfferMarket,
    Sector,
    Service,
    Structure,
    StructureMemberCount,
)
from territories.models import Territory, TerritoryAncestor

pytestmark = pytest.mark.django_db

# Every country Colovic (2013) gives for the four pôles' partners (Cap Digital: none).
POLE_PARTNERS = {"BE", "NL", "DE", "US", "BR", "VN", "TN", "MA", "CN", "CA", "JP", "IT", "SE"}


def test_dataset_is_consistent_with_the_catalogues():
    specs = demo_structures()
    slugs = [spec.slug for spec in specs]
    assert len(slugs) == len(set(slugs))
    position = {slug: i for i, slug in enumerate(slugs)}
    assert all(position[spec.parent] < position[spec.slug] for spec in specs if spec.parent)
    assert used_services() <= set(Service.objects.values_list("code", flat=True))
    assert used_sectors() <= set(Sector.objects.values_list("code", flat=True))
    assert all(
        spec.name.endswith(")") and "fictif" in spec.name for spec in specs if spec.fictitious
    )


def test_load_on_a_partial_reference_skips_missing_communes_with_a_warning():
    report = load_demo(sme_count=30)
    # Maisons-Alfort (94) is not in the test subset: Bpifrance's head office is skipped...
    assert any(w.startswith("bpifrance : commune 94046 absente") for w in report.warnings)
    assert not Structure.objects.filter(slug="bpifrance").exists()
    # ...but its regional office in Montpellier loads, detached from the missing parent.
    office = Structure.objects.get(slug="bpifrance-montpellier")
    assert office.parent is None
    assert any("bpifrance-montpellier : tête de réseau bpifrance" in w for w in report.warnings)
    herault = Structure.objects.get(slug="cci-herault")
    assert herault.commune.code == "34172"
    assert herault.parent is None  # CCI Occitanie sits in Toulouse, outside the subset
    marseille = Structure.objects.get(slug="cci-aix-marseille-provence")
    assert marseille.parent.slug == "cci-provence-alpes-cote-d-azur"
    assert herault.coverage.get().code == "34"
    assert {o.service.code for o in herault.offers.all()} >= {
        "prospecting-missions",
        "shared-export-staff",
    }
    assert any(line.startswith("Avertissement") for line in report.lines())


def test_second_load_changes_nothing_and_says_so():
    first = load_demo(sme_count=30)
    assert first.changed
    counts = (Structure.objects.count(), Offer.objects.count(), Contact.objects.count())
    second = load_demo(sme_count=30)
    assert not second.changed
    assert "Aucun changement : le jeu de démonstration est déjà à jour." in second.lines()
    assert counts == (Structure.objects.count(), Offer.objects.count(), Contact.objects.count())


def test_load_demo_command_is_idempotent(capsys, loaded_demo):
    # On the loaded structures, the first command still loads (its SMEs).
    call_command("load_demo", smes=10)
    call_command("load_demo", smes=10)
    out = capsys.readouterr().out
    assert "Jeu de démonstration chargé" in out
    assert "Jeu de démonstration déjà à jour" in out


def test_every_contact_is_fictitious(loaded_demo):
    contacts = list(Contact.objects.all())
    assert contacts
    for contact in contacts:
        assert contact.is_demo
        assert contact.email.endswith(".demo@example.org"), contact.email
        assert fiction.is_fiction_phone(contact.phone), contact.phone
        if contact.kind == "person":
            assert contact.name.split(" ", 1)[1] in fiction.FICTION_SURNAMES
    for structure in Structure.objects.all():
        assert structure.email.endswith("@example.org")
        if structure.phone:
            assert fiction.is_fiction_phone(structure.phone)
        else:  # a foreign partner cluster: no phone and nobody to call
            assert structure.country.code != "FR" and not structure.contacts.exists()


def test_every_structure_carries_provenance_and_the_demo_flag(loaded_demo):
    assert Structure.objects.count() > 50
    assert not Structure.objects.filter(source="").exists()
    assert not Structure.objects.filter(licence="").exists()
    assert not Structure.objects.filter(is_demo=False).exists()
    # Every offer names whom to call (rule R3).
    assert not Offer.objects.filter(contact__isnull=True).exists()
    approximate = Structure.objects.get(slug="team-france-export-occitanie-montpellier")
    assert "approximative" in approximate.description


def test_demo_listings_carry_confirmation_dates_in_every_freshness_state(loaded_demo):
    assert not Structure.objects.filter(verified_at__isnull=True).exists()
    counts = {state: Structure.objects.with_freshness(state).count() for state in Freshness.values}
    total = Structure.objects.count()
    assert counts[Freshness.FRESH] > total / 2
    assert counts[Freshness.TO_CHECK] > 0 and counts[Freshness.STALE] > 0
    # A confirmation made in the demo (staff page, one-click link) survives a reload.
    confirmed = Structure.objects.with_freshness(Freshness.STALE).first()
    moment = timezone.now() - datetime.timedelta(days=1)
    Structure.objects.filter(pk=confirmed.pk).update(verified_at=moment)
    assert not load_demo(sme_count=0).changed
    confirmed.refresh_from_db()
    assert confirmed.verified_at == moment


def test_poles_have_their_dated_member_counts_and_partner_countries(loaded_demo):
    counts = {
        (c.kind, c.count)
        for c in StructureMemberCount.objects.filter(structure__slug="lyonbiopole")
    }
    assert counts == {
        ("members", 85),
        ("large_firms", 4),
        ("sme_members", 67),
        ("research_centres", 14),
    }
    assert StructureMemberCount.objects.filter(
        structure__slug="cap-digital",
        kind="sme_members",
        count=620,
        as_of=datetime.date(2011, 12, 31),
    ).exists()
    poles = OfferMarket.objects.filter(offer__structure__kind="competitiveness_cluster")
    # Mov'eo (Seine-Maritime, outside the test subset) brings Italy and Sweden.
    assert set(poles.values_list("country__code", flat=True)) == POLE_PARTNERS - {"IT", "SE"}
    # Nothing planned among the loaded pôles: Systematic's and Lyonbiopôle's are agreements.
    assert not poles.filter(status="planned").exists()
    assert not poles.filter(offer__structure__slug="cap-digital").exists()
    agri = Offer.objects.filter(structure__slug="chambre-agriculture-herault")
    assert all(o.sectors.exists() for o in agri)


@pytest.mark.full_reference
def test_full_reference_every_region_has_cci_tfe_and_club_or_cce():
    from territories.services import load_vendored_reference

    load_vendored_reference()
    report = load_demo(sme_count=20)
    assert report.warnings == []
    assert Structure.objects.count() == len(demo_structures())
    poles = OfferMarket.objects.filter(offer__structure__kind="competitiveness_cluster")
    assert set(poles.values_list("country__code", flat=True)) == POLE_PARTNERS
    # Mov'eo's study trip to Japan is labelled planned, not a partnership (rule R10).
    assert set(
        poles.filter(offer__structure__slug="moveo", country__code="JP").values_list(
            "status", flat=True
        )
    ) == {"planned"}
    assert not poles.filter(offer__structure__slug="moveo", country__code="CN").exists()
    assert Structure.objects.get(slug="cci-herault").parent.slug == "cci-occitanie"
    for code, name, *_rest in REGIONS:
        in_region = Structure.objects.filter(
            commune__in=TerritoryAncestor.objects.filter(
                ancestor__level="region", ancestor__code=code
            ).values("descendant_id")
        )
        kinds = set(in_region.values_list("kind", flat=True))
        assert kinds & {"cci", "cci_regional"}, name
        assert "team_france_export" in kinds, name
        assert kinds & {"exporters_club", "cce_section"}, name
        # A chamber of trades, a Bpifrance desk and an exporters' club delegation in every
        # région, Corse and overseas included, each covering its whole région.
        for kind in ("cma", "bpifrance", "exporters_club"):
            assert in_region.filter(kind=kind, coverage__level="region", coverage__code=code), (
                name,
                kind,
            )


def test_demo_smes_are_valid_fictitious_firms_with_memberships(loaded_demo):
    from demo.smes import DEMO_SME_SOURCE
    from smes.models import SME, SMEMembership
    from smes.validators import validate_naf, validate_siret

    load_demo(sme_count=80)
    smes = SME.objects.filter(source=DEMO_SME_SOURCE)
    assert smes.count() == 80
    for sme in smes:
        validate_siret(sme.siret)
        validate_naf(sme.naf_code)
        assert sme.is_demo and sme.name.endswith("(fictif)")
        assert sme.employees < 250
        assert sme.sector is not None and sme.has_point
    assert smes.filter(target_markets__isnull=False).exists()
    assert smes.filter(needs__isnull=False).exists()
    # The CCI's export groups near Montpellier each gather 3 to 5 local firms, one coordinator.
    groups = Structure.objects.filter(kind="export_group")
    assert groups.count() == 8
    for group in groups:
        members = SMEMembership.objects.filter(structure=group)
        if members.exists():
            assert 3 <= members.count() <= 5
            assert members.filter(role="coordinator").count() == 1
            assert not members.exclude(sme__commune__parent__code="34").exists()


def test_fewer_demo_smes_on_a_second_load_removes_the_extra_ones(loaded_demo):
    from demo.smes import DEMO_SME_SOURCE
    from smes.models import SME

    load_demo(sme_count=40)
    report = load_demo(sme_count=25)
    assert report.deleted["PME"] == 15
    assert SME.objects.filter(source=DEMO_SME_SOURCE).count() == 25


def test_a_demo_install_publishes_its_open_data_marked_as_fictitious(client, settings, loaded_demo):
    import csv
    import io

    settings.IS_PRODUCTION, settings.OPEN_DATA_INCLUDE_DEMO = False, None
    published = Structure.objects.published().count()
    response = client.get("/api/v1/opendata/structures.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == published > 50
    assert {row["is_demo"] for row in rows} == {"true"}
    assert response["X-Demo-Data"] == "true"
    geo = client.get("/api/v1/opendata/structures.geojson").json()
    assert len(geo["features"]) == published and geo["metadata"]["demo"] is True
    assert "fictives" in geo["metadata"]["notice"]
    assert "données fictives de démonstration" in client.get("/sources/").content.decode()


def test_demo_programmes_and_their_doors(loaded_demo):
    from structures.models import Programme
    from structures.programmes import entry_points_for

    programmes = {p.slug: p for p in Programme.objects.all()}
    assert set(programmes) >= {
        "assurance-prospection-bpifrance",
        "pret-credit-export-bpifrance",
        "vie-business-france",
        "aides-export-region-occitanie",
        "feder",
        "pacte-territorial-herault",
    }
    assert all(p.is_demo and p.operator_label for p in programmes.values())
    montpellier = Territory.objects.get(level="commune", code="34172")
    doors = {
        d.programme.slug: [row.structure.slug for row in d.entry_points]
        for d in entry_points_for(
            commune=montpellier, service=Service.objects.get(code="public-aid")
        )
    }
    # The fictitious pact's door in Montpellier is the technopole (EPCI), finer than the Département.
    assert doors["pacte-territorial-herault"] == ["montpellier-mediterranee-technopole"]
    assert doors["feder"] == ["departement-herault"]
    assert doors["aides-export-region-occitanie"] == ["team-france-export-occitanie-montpellier"]
    # Every door's contact, when there is one, is one of the demo's fictitious desks.
    for programme in programmes.values():
        for row in programme.entry_points.select_related("contact"):
            assert row.contact is None or row.contact.is_demo

import pytest
from django.core.management import CommandError, call_command

from demo import fiction
from demo.generator import GENERATOR_SOURCE, clear_generated, generate_structures
from structures.models import Contact, Offer, Structure, StructureCoverage

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    """Everything generated, by natural key (ids and timestamps aside)."""
    rows = []
    for s in Structure.objects.filter(source=GENERATOR_SOURCE).order_by("slug"):
        offers = []
        for o in s.offers.order_by("service__code"):
            offers.append(
                (
                    o.service.code,
                    o.min_employees,
                    o.max_employees,
                    o.min_age_years,
                    o.members_only,
                    o.delivery,
                    tuple(o.coverage.order_by("code").values_list("level", "code")),
                    tuple(o.sectors.order_by("code").values_list("code", flat=True)),
                    tuple(
                        o.markets.order_by("country__code").values_list("country__code", "status")
                    ),
                )
            )
        rows.append(
            (
                s.slug,
                s.name,
                s.kind,
                s.commune.code,
                s.latitude,
                s.longitude,
                s.phone,
                tuple(s.coverage.values_list("level", "code")),
                tuple(offers),
            )
        )
    return rows


def test_generates_the_requested_counts_over_real_communes():
    totals = generate_structures(count=50, offers_per_structure=4, seed=7)
    assert totals["structures"] == 50
    assert totals["offers"] == 200
    generated = Structure.objects.filter(source=GENERATOR_SOURCE)
    assert generated.count() == 50
    assert not generated.filter(is_demo=False).exists()
    assert not generated.filter(commune__isnull=True).exists()
    assert StructureCoverage.objects.filter(structure__in=generated).count() == 50
    for structure in generated.prefetch_related("offers"):
        services = [o.service_id for o in structure.offers.all()]
        assert len(services) == len(set(services)) == 4
    assert not Offer.objects.filter(structure__in=generated, contact__isnull=True).exists()
    for contact in Contact.objects.filter(structure__in=generated):
        assert contact.is_demo and contact.email.endswith("@example.org")
        assert fiction.is_fiction_phone(contact.phone)


def test_same_seed_gives_the_same_rows_and_another_seed_does_not():
    generate_structures(count=40, offers_per_structure=3, seed=11)
    first = _snapshot()
    assert clear_generated() > 0
    assert not Structure.objects.filter(source=GENERATOR_SOURCE).exists()
    generate_structures(count=40, offers_per_structure=3, seed=11)
    assert _snapshot() == first
    clear_generated()
    generate_structures(count=40, offers_per_structure=3, seed=12)
    assert _snapshot() != first


def test_more_offers_than_the_profile_pads_with_other_services():
    generate_structures(count=10, offers_per_structure=8, seed=3)
    assert Offer.objects.filter(structure__source=GENERATOR_SOURCE).count() == 80


def test_command_refuses_to_stack_generations_without_clear(capsys):
    call_command("generate_registry", structures=20, smes=50, seed=5)
    assert Structure.objects.filter(source=GENERATOR_SOURCE).count() == 20
    with pytest.raises(CommandError, match="--clear"):
        call_command("generate_registry", structures=20, seed=5)
    call_command("generate_registry", structures=30, smes=10, seed=5, clear=True)
    assert Structure.objects.filter(source=GENERATOR_SOURCE).count() == 30
    call_command("generate_registry", clear=True)
    assert not Structure.objects.filter(source=GENERATOR_SOURCE).exists()
    assert "Terminé" in capsys.readouterr().out


def test_command_rejects_bad_arguments():
    with pytest.raises(CommandError, match="Rien à faire"):
        call_command("generate_registry")
    with pytest.raises(CommandError, match="positifs"):
        call_command("generate_registry", structures=-1)


def _sme_snapshot() -> list[tuple]:
    from smes.models import SME

    return [
        (
            sme.siret,
            sme.name,
            sme.naf_code,
            sme.sector.code if sme.sector else None,
            sme.employees,
            sme.employee_range,
            sme.commune.code,
            sme.export_stage,
            sme.export_share,
            tuple(sme.target_markets.order_by("code").values_list("code", flat=True)),
            tuple(sme.needs.order_by("code").values_list("code", flat=True)),
            tuple(sme.memberships.values_list("structure__slug", flat=True)),
        )
        for sme in SME.objects.filter(source=GENERATOR_SOURCE).order_by("siret")
    ]


def test_generated_smes_are_valid_fictitious_and_deterministic():
    from demo.smes import clear_generated_smes, generate_smes
    from smes.models import SME, SMEMembership
    from smes.validators import validate_naf, validate_siret

    generate_structures(count=60, offers_per_structure=2, seed=4)
    totals = generate_smes(count=200, seed=4)
    assert totals["PME"] == 200
    smes = SME.objects.filter(source=GENERATOR_SOURCE)
    assert smes.count() == 200
    for sme in smes:
        validate_siret(sme.siret)
        validate_naf(sme.naf_code)
        assert sme.siren == sme.siret[:9]
        assert sme.is_demo and sme.name.endswith("(fictif)")
        assert 0 <= sme.employees < 250 and sme.turnover_eur < 50_000_000
        assert sme.has_point and sme.commune_id
    memberships = SMEMembership.objects.filter(sme__in=smes)
    assert not memberships.exclude(structure__source=GENERATOR_SOURCE).exists()
    first = _sme_snapshot()
    assert clear_generated_smes() > 0
    assert not SME.objects.filter(source=GENERATOR_SOURCE).exists()
    generate_smes(count=200, seed=4)
    assert _sme_snapshot() == first

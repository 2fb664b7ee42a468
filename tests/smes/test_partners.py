"""The partner finder (``smes.partners``) against an independent brute force, on random sets.

The reference below reads every SME in Python and applies the rules of ``docs/partners.md``
without the finder's box, SQL filters or ranking code; the finder must return exactly the same
firms (and each with a sentence), with or without the firms already in an export group. Groups are checked member by member: never a competitor pair,
never a firm without consent, sizes balanced pairwise, every two members within the radius.
"""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.geo import haversine_km
from smes.enums import EMPLOYEE_RANGE_STEPS, EXPORT_STAGE_PARTNERS, ExportStage
from smes.models import SME
from smes.partners import PartnerProfile, partner_candidates, propose_groups
from structures.enums import StructureKind
from structures.models import Sector
from territories.models import Territory
from tests.smes.factories import SMEFactory, SMEMembershipFactory, make_siret
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

# Sub-classes chosen to mix filières (10.xx agri-food, 11.xx drinks, 62.xx digital) and firms
# in no shared filière.
NAF_CODES = ("10.13B", "10.89Z", "11.02B", "62.01Z", "62.02A", "25.62B", "46.90Z", "70.22Z")
RANGES = ("01", "02", "03", "11", "12", "21")
MARKETS = ("DE", "MA", "US", "IT", "JP")


def _filieres_by_division() -> dict[str, set[str]]:
    links = Sector.naf_divisions.through.objects.filter(from_sector__kind="filiere")
    out: dict[str, set[str]] = {}
    for filiere, division in links.values_list("from_sector__code", "to_sector__code"):
        out.setdefault(division, set()).add(filiere)
    return out


def _random_smes(rng: random.Random, count: int) -> list[SME]:
    communes = list(
        Territory.objects.filter(level="commune", code__startswith="34", latitude__isnull=False)
        .order_by("code")
        .only("pk", "latitude", "longitude", "name")
    )
    countries = {t.code: t for t in Territory.objects.filter(level="country", code__in=MARKETS)}
    smes = []
    for n in range(count):
        commune = rng.choice(communes)
        consent = rng.random() < 0.7
        smes.append(
            SMEFactory(
                siret=make_siret(5000 + n),
                commune=commune,
                naf_code=rng.choice(NAF_CODES),
                employee_range=rng.choice(RANGES),
                export_stage=rng.choice(list(ExportStage)),
                partner_search_consent=consent,
                partner_search_consent_at=timezone.now() if consent else None,
                target_markets=[countries[c] for c in rng.sample(MARKETS, rng.randint(0, 2))],
            )
        )
    # The factory does not derive the division: the service does (sector from the NAF code).
    for sme in smes:
        sme.sector = Sector.objects.get(kind="naf_division", code=sme.naf_code[:2])
        sme.save(update_fields=["sector"])
    # Memberships: two active export groups, a closed one and a club (the last two do not
    # count as "already grouped"); a firm may belong to several.
    structures = [
        StructureFactory(kind=StructureKind.EXPORT_GROUP, name="Groupement Alpha"),
        StructureFactory(kind=StructureKind.EXPORT_GROUP, name="Groupement Bêta"),
        StructureFactory(kind=StructureKind.EXPORT_GROUP, name="Groupement fermé", is_active=False),
        StructureFactory(kind=StructureKind.EXPORTERS_CLUB, name="Club export"),
    ]
    for sme in smes:
        for structure in structures:
            if rng.random() < 0.15:
                SMEMembershipFactory(sme=sme, structure=structure)
    return smes


def _grouped() -> dict[int, set[str]]:
    """Active export groups by SME, read the plain way."""
    out: dict[int, set[str]] = {}
    for sme in SME.objects.prefetch_related("memberships__structure"):
        for membership in sme.memberships.all():
            structure = membership.structure
            if structure.kind == StructureKind.EXPORT_GROUP and structure.is_active:
                out.setdefault(sme.pk, set()).add(structure.name)
    return out


def reference(
    profile: PartnerProfile, *, radius_km: float, max_size_steps: int, include_grouped=False
) -> set[int]:
    """Every rule, applied to every SME, one by one."""
    filieres = _filieres_by_division()
    grouped = _grouped()
    own_filieres = filieres.get(profile.naf_code[:2], set())
    own_markets = {m.pk for m in profile.markets}
    found = set()
    for sme in SME.objects.prefetch_related("target_markets"):
        if sme.pk == profile.sme_id or not sme.partner_search_consent or not sme.has_point:
            continue
        if haversine_km(profile.latitude, profile.longitude, sme.latitude, sme.longitude) > (
            radius_km
        ):
            continue
        steps = EMPLOYEE_RANGE_STEPS
        if abs(steps[sme.employee_range] - steps[profile.employee_range]) > max_size_steps:
            continue
        if sme.export_stage not in EXPORT_STAGE_PARTNERS[profile.export_stage]:
            continue
        markets = {m.pk for m in sme.target_markets.all()}
        shares_filiere = bool(filieres.get(sme.naf_code[:2], set()) & own_filieres)
        if not (markets & own_markets) and not shares_filiere:
            continue
        if sme.naf_code == profile.naf_code and markets & own_markets:
            continue
        if sme.pk in grouped and not include_grouped:
            continue
        found.add(sme.pk)
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_candidates_are_exactly_the_brute_force(seed):
    rng = random.Random(seed)
    smes = _random_smes(rng, 70)
    for _round in range(6):
        radius = rng.choice([10.0, 25.0, 40.0])
        steps = rng.choice([0, 1, 2])
        origin = rng.choice(smes)
        profile = PartnerProfile.from_sme(origin)
        got = partner_candidates(profile=origin, radius_km=radius, max_size_steps=steps, limit=100)
        assert {c.sme_id for c in got} == reference(profile, radius_km=radius, max_size_steps=steps)
        assert all(c.why.startswith("À ") and c.why.endswith(".") for c in got)
        assert [c.score for c in got] == sorted((c.score for c in got), reverse=True)
        for c in got:
            assert c.distance_km <= radius
            assert bool(c.warning) == (c.naf_code == origin.naf_code)
            assert not c.in_export_group


@pytest.mark.parametrize("seed", [8, 9])
def test_grouped_firms_on_request_are_exactly_the_brute_force(seed):
    rng = random.Random(seed)
    smes = _random_smes(rng, 70)
    grouped = _grouped()
    assert grouped, "the seeded set has firms in active export groups"
    seen_grouped = 0
    for _round in range(6):
        radius = rng.choice([25.0, 40.0])
        origin = rng.choice(smes)
        profile = PartnerProfile.from_sme(origin)
        got = partner_candidates(profile=origin, radius_km=radius, limit=100, include_grouped=True)
        expected = reference(profile, radius_km=radius, max_size_steps=1, include_grouped=True)
        assert {c.sme_id for c in got} == expected
        for c in got:
            assert set(c.export_groups) == grouped.get(c.sme_id, set())
            assert c.in_export_group == (c.sme_id in grouped)
            for name in c.export_groups:
                assert f"« {name} »" in c.why
            assert ("déjà membre" in c.why) == c.in_export_group
            assert c.why.startswith("À ") and c.why.endswith(".")
            seen_grouped += c.in_export_group
        # Without the option: the same list less the grouped firms, in the same order.
        default = partner_candidates(profile=origin, radius_km=radius, limit=100)
        assert [c.sme_id for c in default] == [c.sme_id for c in got if not c.in_export_group]
        assert "Groupement fermé" not in " ".join(c.why for c in got)
    assert seen_grouped, "the seeded sets propose grouped firms on request"


@pytest.mark.parametrize("seed", [4, 5])
def test_a_short_list_is_the_head_of_the_long_one(seed):
    """The finder may skip the firms sharing only a filière when enough firms sharing a market
    outrank them: the first results must be the same as when it reads everything."""
    rng = random.Random(seed)
    smes = _random_smes(rng, 90)
    for origin in rng.sample(smes, 10):
        full = partner_candidates(profile=origin, radius_km=40, limit=100)
        for limit in (1, 3, 8):
            short = partner_candidates(profile=origin, radius_km=40, limit=limit)
            assert [c.sme_id for c in short] == [c.sme_id for c in full[:limit]]
            assert [c.why for c in short] == [c.why for c in full[:limit]]


def test_unsaved_profile_matches_the_brute_force():
    rng = random.Random(7)
    _random_smes(rng, 60)
    commune = Territory.objects.get(level="commune", code="34172")
    profile = PartnerProfile.unsaved(
        commune=commune,
        naf_code="10.89Z",
        employee_range="11",
        target_markets=Territory.objects.filter(level="country", code__in=["DE", "MA"]),
        export_stage=ExportStage.REGULAR,
    )
    got = partner_candidates(profile=profile, radius_km=40, limit=100)
    assert {c.sme_id for c in got} == reference(profile, radius_km=40, max_size_steps=1)
    assert got, "the seeded set gives candidates near Montpellier"


@pytest.mark.parametrize("seed", [11, 12])
def test_groups_never_hold_a_competitor_or_a_firm_without_consent(seed):
    rng = random.Random(seed)
    smes = _random_smes(rng, 80)
    by_pk = {s.pk: s for s in SME.objects.prefetch_related("target_markets")}
    seen = 0
    grouped = _grouped()
    for origin in rng.sample(smes, 8):
        groups = propose_groups(profile=origin, radius_km=40, limit=10)
        for group in groups:
            seen += 1
            assert not set(group.member_ids) & set(grouped)
            members = [by_pk[origin.pk], *(by_pk[i] for i in group.member_ids)]
            assert 3 <= group.size == len(members) <= 5
            assert origin.pk not in group.member_ids
            assert all(by_pk[i].partner_search_consent for i in group.member_ids)
            for a, b in itertools.combinations(members, 2):
                markets_a = {m.pk for m in a.target_markets.all()}
                markets_b = {m.pk for m in b.target_markets.all()}
                assert not (a.naf_code == b.naf_code and markets_a & markets_b)
                gap = (
                    EMPLOYEE_RANGE_STEPS[a.employee_range] - EMPLOYEE_RANGE_STEPS[b.employee_range]
                )
                assert abs(gap) <= 1
                assert b.export_stage in EXPORT_STAGE_PARTNERS[a.export_stage]
                assert haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) <= 40
        assert [g.score for g in groups] == sorted((g.score for g in groups), reverse=True)
    assert seen, "the seeded sets give groups"


@pytest.mark.parametrize("include_grouped", [False, True])
def test_best_group_is_the_brute_force_best(include_grouped):
    """With a small pool, the best group found equals the best of every combination."""
    rng = random.Random(21)
    smes = _random_smes(rng, 50)
    options = {"radius_km": 40, "include_grouped": include_grouped}
    origin = next(s for s in smes if len(partner_candidates(profile=s, **options, limit=100)) >= 5)
    pool = partner_candidates(profile=origin, **options, limit=8)
    best = propose_groups(profile=origin, **options, pool=8, limit=1)
    groups = propose_groups(profile=origin, **options, pool=8, limit=100)
    # The search skips branches that cannot enter the ``limit`` best: a short list is the
    # head of the long one.
    for limit in (1, 3, 10):
        short = propose_groups(profile=origin, **options, pool=8, limit=limit)
        assert [(g.member_ids, g.score) for g in short] == [
            (g.member_ids, g.score) for g in groups[:limit]
        ]
    # Every valid combination of the pool of the right size is among the proposals (≤ 100).
    valid = 0
    for size in (2, 3, 4):
        for combo in itertools.combinations(pool, size):
            ok = True
            for a, b in itertools.combinations(combo, 2):
                if (
                    haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) > 40
                    or abs(a.size_step - b.size_step) > 1
                    or b.export_stage not in EXPORT_STAGE_PARTNERS[a.export_stage]
                    or (a.naf_code == b.naf_code and a.market_ids & b.market_ids)
                ):
                    ok = False
            valid += ok
    assert len(groups) == min(valid, 100)
    if groups:
        assert best[0].member_ids == groups[0].member_ids


def test_no_consent_never_proposed_and_self_excluded(territory):
    montpellier = territory("commune", "34172")
    de = Territory.objects.get(level="country", code="DE")
    origin = SMEFactory(naf_code="10.89Z", employee_range="11", target_markets=[de])
    shy = SMEFactory(
        naf_code="25.62B", employee_range="11", target_markets=[de], commune=montpellier
    )
    keen = SMEFactory(
        naf_code="25.62B",
        employee_range="11",
        target_markets=[de],
        partner_search_consent=True,
        partner_search_consent_at=timezone.now(),
    )
    origin.partner_search_consent = True
    origin.partner_search_consent_at = timezone.now()
    origin.save()
    ids = [c.sme_id for c in partner_candidates(profile=origin)]
    assert ids == [keen.pk]
    assert shy.pk not in ids and origin.pk not in ids
    (candidate,) = partner_candidates(profile=origin)
    assert "l'Allemagne" in candidate.why
    assert candidate.why.startswith("À moins de 1 km (Montpellier), ")


def test_same_activity_on_other_markets_is_a_warning():
    de = Territory.objects.get(level="country", code="DE")
    it = Territory.objects.get(level="country", code="IT")
    origin = SMEFactory(naf_code="10.89Z", employee_range="11", target_markets=[de])
    other = SMEFactory(
        naf_code="10.89Z",
        employee_range="11",
        target_markets=[it],
        partner_search_consent=True,
        partner_search_consent_at=timezone.now(),
    )
    rival = SMEFactory(
        naf_code="10.89Z",
        employee_range="11",
        target_markets=[de],
        partner_search_consent=True,
        partner_search_consent_at=timezone.now(),
    )
    for sme in (origin, other, rival):
        sme.sector = Sector.objects.get(kind="naf_division", code="10")
        sme.save()
    got = partner_candidates(profile=origin)
    assert [c.sme_id for c in got] == [other.pk]
    assert "NAF 10.89Z" in got[0].warning
    assert rival.pk not in [c.sme_id for c in got]


def test_consent_needs_a_date_in_the_database():
    sme = SMEFactory()
    sme.partner_search_consent = True
    sme.full_clean()  # clean() dates the consent given without a date
    assert sme.partner_search_consent_at is not None
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SME.objects.filter(pk=sme.pk).update(
            partner_search_consent=True, partner_search_consent_at=None
        )


@pytest.mark.parametrize(
    "kwargs",
    [{"radius_km": 0}, {"radius_km": 500}, {"max_size_steps": 9}, {"limit": 0}],
)
def test_bad_bounds_are_validation_errors(kwargs):
    sme = SMEFactory(employee_range="11")
    with pytest.raises(ValidationError):
        partner_candidates(profile=sme, **kwargs)


def test_a_profile_that_cannot_be_judged_is_refused():
    sme = SMEFactory(naf_code="", employee_range="")
    with pytest.raises(ValidationError) as info:
        partner_candidates(profile=sme)
    assert set(info.value.message_dict) == {"naf_code", "employee_range"}


def test_group_sizes_out_of_bounds_are_refused():
    sme = SMEFactory(employee_range="11")
    with pytest.raises(ValidationError):
        propose_groups(profile=sme, min_size=2)
    with pytest.raises(ValidationError):
        propose_groups(profile=sme, max_size=6)


def test_consent_date_is_kept_for_the_record():
    when = timezone.make_aware(datetime.datetime(2026, 1, 5, 10, 0))
    sme = SMEFactory(partner_search_consent=True, partner_search_consent_at=when)
    sme.full_clean()
    assert sme.partner_search_consent_at == when

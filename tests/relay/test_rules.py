"""Hand-written cases for each rule of the relay lookup (docs/relay.md; rules R1–R10 of docs/domain.md)."""

import datetime

import pytest

from structures.permissions import Caller, caller_of
from structures.relay.enums import FallbackKind, MarketMatch
from structures.relay.types import EligibilityProfile
from tests.relay.lookup import lookup
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    sector,
    service,
    territory,
)

pytestmark = pytest.mark.django_db

MONTPELLIER = "34172"


def relay_at(commune_code, *, covers, service_code="prospecting-missions", name=None, **offer):
    """A validated structure located in a commune, offering one service over ``covers``."""
    place = territory("commune", commune_code)
    kwargs = {"commune": place, "coverage": covers}
    if name:
        kwargs["name"] = name
    structure = StructureFactory(**kwargs)
    return OfferFactory(structure=structure, service=service(service_code), **offer)


def ids(response):
    return [r.offer.pk for r in response.results]


def test_competent_relay_far_away_beats_a_non_competent_one_next_door():
    near = relay_at(MONTPELLIER, covers=[territory("departement", "30")])  # Gard only
    far = relay_at("13001", covers=[territory("departement", "34")])  # Aix, ~140 km, covers Hérault
    response = lookup(service="prospecting-missions", commune=MONTPELLIER, k=1)
    assert response.ok
    assert ids(response) == [far.pk]
    assert 120 < response.results[0].distance_km < 160
    assert near.pk not in {r.offer.pk for r in response.fallbacks}


def test_competent_relays_are_never_cut_by_a_radius():
    paris = relay_at("75056", covers=[territory("commune", MONTPELLIER)])
    response = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert ids(response) == [paris.pk]
    assert response.results[0].distance_km > 500


def test_finer_coverage_wins_at_equal_distance():
    region_wide = relay_at(MONTPELLIER, covers=[territory("region", "76")], name="A région")
    local = relay_at(MONTPELLIER, covers=[territory("commune", MONTPELLIER)], name="Z commune")
    response = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert ids(response) == [local.pk, region_wide.pk]
    assert response.results[0].matched_level == "commune"
    assert response.results[1].matched_level == "region"
    assert response.results[0].distance_km == response.results[1].distance_km


def test_explicit_market_before_generalist_at_equal_distance_and_level():
    morocco = territory("country", "MA")
    generalist = relay_at(
        MONTPELLIER, covers=[territory("departement", "34")], name="A généraliste"
    )
    explicit = relay_at(
        MONTPELLIER, covers=[territory("departement", "34")], name="Z maroc", markets=[morocco]
    )
    response = lookup(service="prospecting-missions", commune=MONTPELLIER, country="MA")
    assert ids(response) == [explicit.pk, generalist.pk]
    assert response.results[0].market_match == MarketMatch.EXPLICIT
    assert response.results[1].market_match == MarketMatch.GENERALIST


def test_a_settled_search_still_judges_every_tie_of_the_kth_distance():
    # Judged nearest first, a search stops past the k-th relay's distance: the offers at that
    # very distance must all be judged, or one seen first would win on reading order alone.
    region_wide = relay_at(MONTPELLIER, covers=[territory("region", "76")], name="A région")
    local = relay_at(MONTPELLIER, covers=[territory("commune", MONTPELLIER)], name="Z commune")
    farther = relay_at("34003", covers=[territory("departement", "34")])  # Agde, ~50 km
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER, k=1)) == [local.pk]
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER, k=2)) == [
        local.pk,
        region_wide.pk,
    ]
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER, k=3))[2] == farther.pk


def test_stable_key_breaks_remaining_ties():
    first = relay_at(MONTPELLIER, covers=[territory("departement", "34")], name="Alpha export")
    second = relay_at(MONTPELLIER, covers=[territory("departement", "34")], name="Beta export")
    response = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert ids(response) == sorted(
        [first.pk, second.pk], key=lambda pk: {first.pk: "alpha", second.pk: "beta"}[pk]
    )
    assert ids(response) == ids(lookup(service="prospecting-missions", commune=MONTPELLIER))


def test_members_only_offers_stay_competent_and_are_marked():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")], members_only=True)
    response = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert ids(response) == [offer.pk]
    assert "réservé aux adhérents" in response.results[0].notes
    member = lookup(
        service="prospecting-missions",
        commune=MONTPELLIER,
        profile=EligibilityProfile(member_of=frozenset({offer.structure_id})),
    )
    assert "réservé aux adhérents (vous l'êtes)" in member.results[0].notes


def test_planned_market_is_not_competence_but_a_labelled_fallback():
    morocco = territory("country", "MA")
    planned = relay_at(
        MONTPELLIER, covers=[territory("departement", "34")], markets={morocco: "planned"}
    )
    response = lookup(service="prospecting-missions", commune=MONTPELLIER, country="MA")
    assert response.results == []
    assert [r.offer.pk for r in response.fallbacks] == [planned.pk]
    assert response.fallbacks[0].fallback == FallbackKind.PLANNED_MARKET
    assert "projet" in response.fallbacks[0].why_fr


def test_market_restricted_offer_is_not_competent_for_another_country():
    germany = territory("country", "DE")
    relay_at(MONTPELLIER, covers=[territory("departement", "34")], markets=[germany])
    response = lookup(service="prospecting-missions", commune=MONTPELLIER, country="MA")
    assert response.results == []
    without_country = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert len(without_country.results) == 1
    assert any("Allemagne" in note for note in without_country.results[0].notes)
    assert without_country.results[0].conditions[0].codes == ("DE",)


def test_ambiguous_postal_code_lists_candidates():
    response = lookup(service="prospecting-missions", postal_code="13100")
    assert not response.ok
    assert response.error.code == "ambiguous_postal_code"
    assert len(response.error.candidates) == 5
    assert "Aix-en-Provence" in response.error.message
    chosen = lookup(service="prospecting-missions", postal_code="13100", commune="13001")
    assert chosen.ok and chosen.location.commune.name == "Aix-en-Provence"


def test_postal_code_must_belong_to_the_chosen_commune():
    response = lookup(service="prospecting-missions", postal_code="13100", commune=MONTPELLIER)
    assert response.error.code == "invalid"
    assert response.error.field == "postal_code"


def test_corsica_two_departements():
    island = relay_at("2B033", covers=[territory("region", "94")])  # Bastia covers Corse
    relay_at("2B033", covers=[territory("departement", "2B")])  # Haute-Corse only
    response = lookup(service="prospecting-missions", commune="2A004")  # Ajaccio
    assert ids(response) == [island.pk]


def test_overseas_firm_reaches_a_national_relay_in_mainland():
    national = relay_at("75056", covers=[territory("country", "FR")])
    response = lookup(service="prospecting-missions", commune="97120")  # Pointe-à-Pitre
    assert ids(response) == [national.pk]
    assert response.results[0].distance_km > 6000
    assert response.results[0].matched_level == "country"


def test_old_commune_code_resolves_and_says_so():
    offer = relay_at("91228", covers=[territory("departement", "91")])
    response = lookup(service="prospecting-missions", commune="91182")  # Courcouronnes
    assert response.location.commune.code == "91228"
    assert "91228" in response.location.note
    assert ids(response) == [offer.pk]


def test_structure_without_coordinates_uses_its_commune_point_flagged():
    structure = StructureFactory(
        latitude=None, longitude=None, coverage=[territory("departement", "34")]
    )
    offer = OfferFactory(structure=structure, service=service("prospecting-missions"))
    response = lookup(service="prospecting-missions", latitude=43.62, longitude=3.87)
    assert ids(response) == [offer.pk]
    assert response.results[0].distance_is_approximate
    assert "approximative" in response.results[0].why_fr


def test_no_competent_relay_gives_labelled_fallbacks_only():
    nimes = relay_at("30189", covers=[territory("departement", "30")])  # ~50 km, Gard only
    remote = relay_at("75056", covers=[territory("departement", "75")], delivery="remote")
    response = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert response.results == []
    assert [(r.offer.pk, r.fallback) for r in response.fallbacks] == [
        (nimes.pk, FallbackKind.OUT_OF_AREA),
        (remote.pk, FallbackKind.REMOTE),
    ]
    assert "hors de sa zone" in response.fallbacks[0].why_fr
    without_remote = lookup(
        service="prospecting-missions", commune=MONTPELLIER, include_remote=False
    )
    assert [r.offer.pk for r in without_remote.fallbacks] == [nimes.pk]


def test_export_experience_widens_the_fallback_horizon():
    aix = relay_at("13001", covers=[territory("departement", "13")])  # ~140 km from Montpellier
    novice = lookup(
        service="prospecting-missions",
        commune=MONTPELLIER,
        profile=EligibilityProfile(export_stage="none"),
    )
    assert novice.fallbacks == []
    seasoned = lookup(
        service="prospecting-missions",
        commune=MONTPELLIER,
        profile=EligibilityProfile(export_stage="established"),
    )
    assert [r.offer.pk for r in seasoned.fallbacks] == [aix.pk]


def test_hard_core_services_prefer_the_firms_own_region():
    france = territory("country", "FR")
    arles = relay_at(
        "13004", covers=[france], service_code="transport-logistics"
    )  # PACA, ~27 km from Nîmes
    montpellier = relay_at(
        MONTPELLIER, covers=[france], service_code="transport-logistics"
    )  # Occitanie, ~50 km
    response = lookup(service="transport-logistics", commune="30189")  # Nîmes, Occitanie
    assert ids(response) == [montpellier.pk, arles.pk]
    assert response.results[0].same_region and not response.results[1].same_region
    # Not a hard-core service: plain distance.
    fairs_arles = relay_at("13004", covers=[france], service_code="trade-fairs")
    fairs_mtp = relay_at(MONTPELLIER, covers=[france], service_code="trade-fairs")
    response = lookup(service="trade-fairs", commune="30189")
    assert ids(response) == [fairs_arles.pk, fairs_mtp.pk]


def test_a_given_criterion_filters_strictly_and_a_missing_one_becomes_a_note():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")], min_employees=10)
    shown = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert ids(shown) == [offer.pk]
    assert "à partir de 10 salariés" in shown.results[0].notes
    small = lookup(
        service="prospecting-missions", commune=MONTPELLIER, profile=EligibilityProfile(employees=5)
    )
    assert offer.pk not in ids(small)
    big = lookup(
        service="prospecting-missions",
        commune=MONTPELLIER,
        profile=EligibilityProfile(employees=12),
    )
    assert ids(big) == [offer.pk]


def test_minimum_age_is_checked_against_the_creation_date():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")], min_age_years=3)
    today = datetime.date(2026, 11, 24)
    young = EligibilityProfile(created_on=datetime.date(2025, 1, 1))
    old = EligibilityProfile(created_on=datetime.date(2015, 1, 1))
    assert (
        lookup(
            service="prospecting-missions", commune=MONTPELLIER, profile=young, today=today
        ).results
        == []
    )
    assert ids(
        lookup(service="prospecting-missions", commune=MONTPELLIER, profile=old, today=today)
    ) == [offer.pk]


def test_sector_restriction_matches_naf_codes_and_filieres():
    agri = relay_at(MONTPELLIER, covers=[territory("departement", "34")], sectors=[sector("10")])
    plain = lookup(service="prospecting-missions", commune=MONTPELLIER)
    assert ids(plain) == [agri.pk]
    assert any("Industries alimentaires" in note for note in plain.results[0].notes)
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER, sector="10.71C")) == [
        agri.pk
    ]
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER, sector="C")) == [agri.pk]
    assert (
        lookup(service="prospecting-missions", commune=MONTPELLIER, sector="62.01Z").results == []
    )


def test_naf_include_and_exclude_apply_to_the_profile():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    offer.naf_exclude.set([sector("62")])
    it_firm = EligibilityProfile(naf_code="62.01Z")
    baker = EligibilityProfile(naf_code="10.71C")
    assert (
        lookup(service="prospecting-missions", commune=MONTPELLIER, profile=it_firm).results == []
    )
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER, profile=baker)) == [
        offer.pk
    ]


def test_the_contact_to_call():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    person = ContactFactory(structure=offer.structure, person=True, is_public=True)
    offer.contact = person
    offer.save()
    result = lookup(service="prospecting-missions", commune=MONTPELLIER).results[0]
    assert result.contact.name == person.name and result.contact.source == "offer"
    person.is_public = False
    person.save()
    desk = ContactFactory(structure=offer.structure, name="Guichet export")
    result = lookup(service="prospecting-missions", commune=MONTPELLIER).results[0]
    assert (result.contact.name, result.contact.source) == (desk.name, "structure_desk")
    desk.delete()
    result = lookup(service="prospecting-missions", commune=MONTPELLIER).results[0]
    assert result.contact.source == "structure_switchboard"
    offer.structure.email = ""
    offer.structure.phone = ""
    offer.structure.save()
    result = lookup(service="prospecting-missions", commune=MONTPELLIER).results[0]
    assert result.contact is None and not result.has_named_contact


def test_why_sentence_in_french_and_english():
    relay_at(MONTPELLIER, covers=[territory("departement", "34")], name="CCI Hérault")
    result = lookup(service="prospecting-missions", commune=MONTPELLIER).results[0]
    assert "Hérault" in result.why_fr and "km" in result.why_fr
    assert "km" in result.why_en and result.why_en != result.why_fr


def test_inactive_or_unvalidated_structures_are_not_relays():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER)) == [offer.pk]
    offer.structure.is_validated = False
    offer.structure.save()
    assert lookup(service="prospecting-missions", commune=MONTPELLIER).results == []


def test_coverage_changes_reach_the_index():
    offer = relay_at(MONTPELLIER, covers=[territory("departement", "30")])
    assert lookup(service="prospecting-missions", commune=MONTPELLIER).results == []
    offer.coverage.add(territory("departement", "34"))
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER)) == [offer.pk]


def test_a_deferred_refresh_indexes_everything_saved_in_the_block_once_on_exit():
    from django.db import transaction

    from structures.relay.index import RelayIndexEntry
    from structures.relay.indexing import deferred_refresh

    with deferred_refresh():
        offer = relay_at(MONTPELLIER, covers=[territory("departement", "30")])
        offer.coverage.add(territory("departement", "34"))
        other = relay_at("30189", covers=[territory("departement", "30")])
        # Nothing is indexed inside the block, nested or not.
        with deferred_refresh():
            other.structure.save()
        assert not RelayIndexEntry.objects.filter(offer__in=[offer, other]).exists()
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER)) == [offer.pk]
    assert set(
        RelayIndexEntry.objects.filter(offer=other).values_list("territory__code", flat=True)
    ) == {"30"}

    # A block that fails re-indexes nothing: its writes roll back with the transaction.
    with pytest.raises(RuntimeError), transaction.atomic(), deferred_refresh():
        offer.coverage.clear()
        raise RuntimeError
    assert ids(lookup(service="prospecting-missions", commune=MONTPELLIER)) == [offer.pk]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"service": "nope", "commune": MONTPELLIER}, "unknown_service"),
        ({"service": "prospecting-missions", "commune": "99999"}, "unknown_commune"),
        ({"service": "prospecting-missions", "commune": "ABC"}, "malformed"),
        ({"service": "prospecting-missions", "postal_code": "00000"}, "unknown_postal_code"),
        ({"service": "prospecting-missions"}, "missing_location"),
        (
            {"service": "prospecting-missions", "latitude": 51.5, "longitude": -0.12},
            "outside_france",
        ),
        ({"service": "prospecting-missions", "latitude": 43.6}, "invalid"),
        (
            {"service": "prospecting-missions", "commune": MONTPELLIER, "country": "XX"},
            "unknown_country",
        ),
        (
            {"service": "prospecting-missions", "commune": MONTPELLIER, "sector": "zzz"},
            "unknown_sector",
        ),
        ({"service": "prospecting-missions", "commune": MONTPELLIER, "k": 0}, "invalid"),
        ({"service": "prospecting-missions", "commune": MONTPELLIER, "k": 500}, "invalid"),
    ],
)
def test_errors_are_values_with_a_french_message(kwargs, code):
    response = lookup(**kwargs)
    assert not response.ok
    assert response.error.code == code
    assert response.error.message


def test_query_count_is_bounded(django_assert_max_num_queries):
    for i in range(30):
        relay_at(MONTPELLIER, covers=[territory("region", "76")], name=f"Relais {i}")
    with django_assert_max_num_queries(10):
        response = lookup(service="prospecting-missions", commune=MONTPELLIER, k=10)
    assert len(response.results) == 10


def _registered_firm_and_relays():
    from tests.smes.factories import SMEFactory, SMEMembershipFactory

    offers = {
        "bakery": relay_at(
            MONTPELLIER,
            covers=[territory("departement", "34")],
            sectors=[sector("10")],
            name="A agro",
        ),
        "it": relay_at(
            MONTPELLIER,
            covers=[territory("departement", "34")],
            sectors=[sector("62")],
            name="B num",
        ),
        "big_only": relay_at(
            MONTPELLIER, covers=[territory("departement", "34")], min_employees=50, name="C grands"
        ),
        "club": relay_at(
            MONTPELLIER, covers=[territory("departement", "34")], members_only=True, name="D club"
        ),
    }
    sme = SMEFactory(naf_code="10.71C", employees=8, latitude=43.63, longitude=3.90)
    SMEMembershipFactory(sme=sme, structure=offers["club"].structure)
    return sme, offers


def _sme_reader():
    from django.contrib.auth.models import Permission

    from territories.models import Territory
    from tests.structures.factories import UserFactory

    reader = UserFactory(scope=[Territory.objects.get(level="departement", code="34")])
    reader.user_permissions.add(
        Permission.objects.get(codename="view_sme", content_type__app_label="smes")
    )
    return type(reader).objects.get(pk=reader.pk)  # fresh permission cache


def test_a_registered_sme_by_siret_brings_its_point_sector_and_profile_to_who_may_read_it(
    sirene,
):
    sme, offers = _registered_firm_and_relays()
    response = lookup(
        service="prospecting-missions", siret=sme.siret, caller=caller_of(_sme_reader())
    )
    assert response.ok
    assert response.location.precision == "exact"
    got = ids(response)
    assert offers["bakery"].pk in got and offers["club"].pk in got
    assert offers["it"].pk not in got  # the SME's NAF code is its sector
    assert offers["big_only"].pk not in got  # 8 employees < 50
    club_result = next(r for r in response.results if r.offer.pk == offers["club"].pk)
    assert "réservé aux adhérents (vous l'êtes)" in club_result.notes
    unknown = lookup(service="prospecting-missions", siret="09990009400014")
    assert unknown.error.code == "unknown_siret"  # neither registered nor known to SIRENE


def test_anyone_else_gets_only_what_sirene_publishes_commune_and_naf_code():
    from django.contrib.auth.models import AnonymousUser

    from tests.structures.factories import UserFactory

    sme, offers = _registered_firm_and_relays()
    for caller in (Caller(user=AnonymousUser()), Caller(user=UserFactory())):
        response = lookup(service="prospecting-missions", siret=sme.siret, caller=caller)
        assert response.ok
        assert response.location.precision == "commune"  # not the firm's own point
        assert (response.location.latitude, response.location.longitude) == (
            sme.commune.latitude,
            sme.commune.longitude,
        )
        got = ids(response)
        assert offers["it"].pk not in got  # the NAF code is public: still the sector
        assert offers["big_only"].pk in got  # the size is not: the restriction is a note
        club_result = next(r for r in response.results if r.offer.pk == offers["club"].pk)
        assert "réservé aux adhérents" in club_result.notes
        assert not any("vous l'êtes" in note for r in response.results for note in r.notes)
    # The same answer as a plain search from the firm's commune with its NAF code as sector.
    public = lookup(service="prospecting-missions", siret=sme.siret)
    plain = lookup(service="prospecting-missions", commune=sme.commune.code, sector="10.71C")
    assert [(r.offer.pk, r.why_fr) for r in public.results] == [
        (r.offer.pk, r.why_fr) for r in plain.results
    ]


def test_the_english_sentence_is_english_below_one_kilometre():
    relay_at(MONTPELLIER, covers=[territory("departement", "34")], name="CCI test")
    result = lookup(service="prospecting-missions", commune=MONTPELLIER).results[0]
    assert result.distance_km < 1
    assert "à moins de 1 km" in result.why_fr
    assert "less than 1 km away" in result.why_en and "moins" not in result.why_en


def test_an_offer_without_conditions_is_indexed_as_the_plain_row():
    """The search judges such an offer once per query (``Judge.plain``): its index row's
    ``details`` must carry no condition, unpack to exactly ``PLAIN_ROW``'s values, and the
    shortcut must give the verdict judging it would."""
    from structures.relay.criteria import PLAIN_ROW, Judge
    from structures.relay.index import RelayIndexEntry, unpack_details
    from structures.relay.search import _DETAILS, Where, index_rows

    plain = relay_at(MONTPELLIER, covers=[territory("departement", "34")])
    sized = relay_at(MONTPELLIER, covers=[territory("departement", "34")], min_employees=10)
    rows = {row[0]: row for row in index_rows(Where(service_id=plain.service_id), None)}
    assert RelayIndexEntry.objects.filter(offer=plain).exists()
    plain_row, plain_conditional = unpack_details(rows[plain.pk][_DETAILS])
    sized_row, sized_conditional = unpack_details(rows[sized.pk][_DETAILS])
    assert not plain_conditional and sized_conditional
    assert {name: plain_row[name] for name in PLAIN_ROW if name != "structure_id"} == {
        name: value for name, value in PLAIN_ROW.items() if name != "structure_id"
    }
    assert sized_row["min_employees"] == 10
    for country in (None, "MA"):
        judge = Judge(sectors=None, country=country, profile=None, today=datetime.date.today())
        assert judge.plain == judge(plain_row)

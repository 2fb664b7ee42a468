"""The competence preview (issue 13, point 2): what an offer's edit does to the searches that
find it, said before saving, confirmed when it narrows — and true of the real lookup."""

from __future__ import annotations

import datetime
import random

import pytest

from structures import competence, services
from structures.enums import MarketStatus
from structures.models import Offer, OfferMarket
from structures.relay.types import EligibilityProfile
from tests.relay.lookup import lookup
from tests.structures.admin_support import as_user, form_data, inline_prefix, world  # noqa: F401
from tests.structures.factories import OfferFactory, sector, service, territory

MAROC_ONLY = (
    "Cette offre ne sera plus proposée que pour : Maroc. Elle ne le sera plus pour les autres pays."
)


def found(offer, **search) -> bool:
    """Does the lookup find ``offer`` among the competent relays (not a fallback)?"""
    answer = lookup(service=offer.service.code, include_remote=False, k=20, **search)
    assert answer.ok, answer.error
    return offer.pk in {result.offer.pk for result in answer.results}


def preview(offer, markets=None, **data):
    return competence.preview_offer_change(offer=offer, data=data, markets=markets)


@pytest.fixture
def fairs(world):  # noqa: F811
    """The CCI Hérault's trade-fairs offer: every country, its structure's commune."""
    return OfferFactory(structure=world.herault, service=service("trade-fairs"))


def _offer_page(client, offer):
    return client.get(f"/admin/structures/offer/{offer.pk}/change/")


def _with_market(data: dict, response, country, status=MarketStatus.ACTIVE) -> dict:
    prefix = inline_prefix(response, OfferMarket)
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data[f"{prefix}-{index}-country"] = str(country.pk)
    data[f"{prefix}-{index}-status"] = status
    return data


# --- The reported case, end to end --------------------------------------------------------------


def test_adding_an_active_market_is_previewed_confirmed_and_true(world, fairs, as_user):  # noqa: F811
    maroc = territory("country", "MA")
    assert found(fairs, commune="34172", country="DE")
    client = as_user(world.alice)
    page = _offer_page(client, fairs)
    url = f"/admin/structures/offer/{fairs.pk}/change/"

    refused = client.post(url, _with_market(form_data(page), page, maroc))

    assert refused.status_code == 200
    form = refused.context["adminform"].form
    # The sentences stand above the box, once; the error only points to them.
    assert form.errors["confirm_narrowing"] == ["Confirmez la restriction décrite ci-dessus."]
    assert form.competence_preview.text() == MAROC_ONLY
    assert not OfferMarket.objects.filter(offer=fairs).exists()
    html = refused.content.decode()
    assert "Je confirme ce changement" in html
    assert html.count("Elle ne le sera plus pour les autres pays.") == 1
    assert found(fairs, commune="34172", country="DE")  # nothing written

    confirmed = form_data(refused)
    confirmed["confirm_narrowing"] = "on"
    saved = client.post(url, confirmed)

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert OfferMarket.objects.filter(offer=fairs, country=maroc, status="active").exists()
    # The sentence was true: no longer for another country, still for Morocco.
    assert not found(fairs, commune="34172", country="DE")
    assert found(fairs, commune="34172", country="MA")
    assert found(fairs, commune="34172")  # a search without a country still finds it


def test_a_confirmation_given_for_another_preview_does_not_count(world, fairs, as_user):  # noqa: F811
    client = as_user(world.alice)
    page = _offer_page(client, fairs)
    url = f"/admin/structures/offer/{fairs.pk}/change/"
    data = _with_market(form_data(page), page, territory("country", "MA"))
    data["confirm_narrowing"] = "on"  # ticked without having seen any preview (no digest)

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "confirm_narrowing" in refused.context["adminform"].form.errors
    assert not OfferMarket.objects.filter(offer=fairs).exists()


def test_a_widening_is_saved_at_once_and_said(world, as_user):  # noqa: F811
    fairs = OfferFactory(
        structure=world.herault,
        service=service("trade-fairs"),
        markets=[territory("country", "MA")],
    )
    client = as_user(world.alice)
    page = _offer_page(client, fairs)

    saved = client.post(
        f"/admin/structures/offer/{fairs.pk}/change/",
        _with_market(form_data(page), page, territory("country", "TN")),
        follow=True,
    )

    assert saved.redirect_chain
    said = [str(m) for m in saved.context["messages"]]
    assert any("Elle sera aussi proposée pour : Tunisie." in m for m in said), said
    assert found(fairs, commune="34172", country="TN")


def test_an_edit_that_moves_no_search_is_saved_without_preview(world, fairs, as_user):  # noqa: F811
    client = as_user(world.alice)
    page = _offer_page(client, fairs)
    data = form_data(page)
    data["description"] = "Salons professionnels à l'étranger"

    saved = client.post(f"/admin/structures/offer/{fairs.pk}/change/", data, follow=True)

    assert saved.redirect_chain
    assert not any("Effet sur les recherches" in str(m) for m in saved.context["messages"])
    assert preview(fairs, sectors=[]).is_unchanged


def test_narrowing_the_coverage_from_a_region_to_a_departement(world, as_user):  # noqa: F811
    world.herault.coverage.set([territory("region", "76")])
    fairs = OfferFactory(structure=world.herault, service=service("trade-fairs"))
    assert found(fairs, commune="30189")  # Nîmes, in Occitanie
    client = as_user(world.alice)
    page = _offer_page(client, fairs)
    data = form_data(page)
    from structures.models import OfferCoverage

    prefix = inline_prefix(page, OfferCoverage)
    data[f"{prefix}-TOTAL_FORMS"] = "1"
    data[f"{prefix}-0-territory"] = str(territory("departement", "34").pk)
    url = f"/admin/structures/offer/{fairs.pk}/change/"

    refused = client.post(url, data)

    shown = refused.context["adminform"].form.competence_preview.sentences()
    assert "Cette offre ne couvrira plus que : Hérault." in shown
    assert "Elle ne sera plus proposée aux entreprises du reste de : Occitanie." in shown
    assert "Elle ne sera plus proposée aux entreprises du reste de : Occitanie." in (
        refused.content.decode()
    )
    data = form_data(refused)
    data["confirm_narrowing"] = "on"
    assert client.post(url, data).status_code == 302
    assert not found(fairs, commune="30189")
    assert found(fairs, commune="34172")


# --- Sentences of each dimension ----------------------------------------------------------------


def test_widening_sentences(world):  # noqa: F811
    offer = OfferFactory(
        structure=world.herault,
        service=service("trade-fairs"),
        markets=[territory("country", "MA")],
        sectors=[sector("agroalimentaire")],
        min_employees=10,
    )
    everywhere = preview(offer, markets={}, sectors=[], min_employees=None)

    assert everywhere.widens and not everywhere.narrows
    assert everywhere.sentences() == [
        "Elle sera proposée pour tous les pays.",
        "Elle sera proposée pour tous les secteurs.",
        "Elle sera aussi proposée aux entreprises de moins de 10 salariés.",
    ]
    assert everywhere.sentences("en")[2] == (
        "It will also be proposed to firms with fewer than 10 employees."
    )


def test_narrowing_sentences_of_eligibility_and_sectors(world):  # noqa: F811
    offer = OfferFactory(structure=world.herault, service=service("trade-fairs"))
    narrowed = preview(
        offer,
        sectors=[sector("agroalimentaire")],
        min_employees=10,
        max_employees=249,
        min_age_years=2,
        naf_exclude=[sector("A")],
    )

    text = narrowed.text()
    assert narrowed.narrows and not narrowed.widens
    assert (
        "Cette offre ne sera plus proposée que pour les secteurs : Agroalimentaire. "
        "Elle ne le sera plus pour les autres secteurs." in text
    )
    assert (
        "Cette offre ne sera plus proposée aux entreprises de moins de 10 salariés et de "
        "250 salariés et plus." in text
    )
    assert "Cette offre ne sera plus proposée aux entreprises de moins de 2 ans." in text
    assert "Cette offre ne sera plus proposée aux entreprises des activités : Agriculture" in text


def test_a_planned_market_only_removes_every_country_search(world):  # noqa: F811
    offer = OfferFactory(structure=world.herault, service=service("trade-fairs"))
    planned = preview(offer, markets={territory("country", "MA"): MarketStatus.PLANNED})

    assert planned.narrows
    assert planned.sentences()[0] == (
        "Cette offre ne sera plus proposée pour aucun pays visé : seules les recherches sans "
        "pays la trouveront."
    )
    assert planned.sentences()[1].startswith("Marché prévu pour : Maroc")
    active = preview(offer, markets=[territory("country", "MA")])
    assert active.text() == MAROC_ONLY
    assert active.sentences("en") == [
        "This offer will only be proposed for: Morocco.",
        "It will no longer be proposed for other countries.",
    ]


# --- The preview against the engine ---------------------------------------------------------------

COUNTRIES = ("MA", "TN", "DE", "US")
SECTORS = ("agroalimentaire", "numerique", "C", "10", "62", "J", "01")
COMMUNES = ("34172", "34301", "30189", "13001", "69123")
SIZES = (3, 10, 60, 300)
AGES = (1.5, 3.5, 7.5)
NAF_CODES = ("10.11Z", "62.01Z", "01.11Z", "47.11A")


def _random_state(rng: random.Random) -> tuple[dict, dict]:
    """Offer data and markets drawn from small pools, so that edits overlap and differ."""
    pick = rng.sample
    low = rng.choice([None, 0, 10, 50])
    high = rng.choice([None, 9, 49, 249])
    if low is not None and high is not None and low > high:
        low, high = high, low
    naf = ["A", "C", "10", "62", "J"]
    include = pick(naf, rng.choice([0, 0, 1, 2]))
    exclude = [c for c in pick(naf, rng.choice([0, 0, 1])) if c not in include]
    coverage = rng.choice(
        [
            [],
            [("region", "76")],
            [("departement", "34")],
            [("commune", "34172"), ("departement", "30")],
            [("departement", "34"), ("departement", "13")],
        ]
    )
    data = {
        "coverage": [territory(level, code) for level, code in coverage],
        "sectors": [
            sector(c) for c in pick(["agroalimentaire", "C", "10", "62"], rng.choice([0, 1, 2]))
        ],
        "min_employees": low,
        "max_employees": high,
        "min_age_years": rng.choice([None, 2, 5]),
        "naf_include": [sector(c) for c in include],
        "naf_exclude": [sector(c) for c in exclude],
    }
    markets = {
        territory("country", code): rng.choice([MarketStatus.ACTIVE, MarketStatus.PLANNED])
        for code in pick(["MA", "TN", "DE"], rng.choice([0, 1, 2]))
    }
    return data, markets


def _probes(offer) -> dict:
    """What the engine answers, dimension by dimension, every other criterion left out."""
    today = datetime.date.today()
    return {
        competence.MARKETS: {c: found(offer, commune="34172", country=c) for c in COUNTRIES},
        competence.SECTORS: {s: found(offer, commune="34172", sector=s) for s in SECTORS},
        competence.COVERAGE: {
            territory("commune", c).pk: found(offer, commune=c) for c in COMMUNES
        },
        competence.EMPLOYEES: {
            n: found(offer, commune="34172", profile=EligibilityProfile(employees=n)) for n in SIZES
        },
        competence.AGE: {
            a: found(
                offer,
                commune="34172",
                today=today,
                profile=EligibilityProfile(
                    created_on=today - datetime.timedelta(days=round(a * 365.25))
                ),
            )
            for a in AGES
        },
        competence.NAF: {
            n: found(offer, commune="34172", profile=EligibilityProfile(naf_code=n))
            for n in NAF_CODES
        },
    }


def _within(dimension: str, value, moved: frozenset) -> bool:
    """Is the probed ``value`` among the searches of ``moved`` (a change's narrowed/widened)?"""
    if dimension == competence.EMPLOYEES:
        return any(low <= value and (high is None or value <= high) for low, high in moved)
    if dimension == competence.AGE:
        return any(low <= value < high for low, high in moved)
    if dimension == competence.NAF:
        return value[:2] in moved
    return value in moved


@pytest.mark.parametrize("seed", range(4))
def test_the_preview_says_what_the_engine_then_does(world, seed):  # noqa: F811
    rng = random.Random(seed)
    world.herault.coverage.set([territory("departement", "34")])
    offer = OfferFactory(structure=world.herault, service=service("trade-fairs"))
    data, markets = _random_state(rng)
    services.update_offer(offer=offer, data=data, markets=markets, expected_version=offer.version)
    for _edit in range(3):
        offer = Offer.objects.get(pk=offer.pk)
        before = _probes(offer)
        data, markets = _random_state(rng)
        said = preview(offer, markets=markets, **data)
        services.update_offer(
            offer=offer, data=data, markets=markets, expected_version=offer.version
        )
        after = _probes(offer)
        for dimension, answers in before.items():
            change = said.change(dimension)
            for value, was_found in answers.items():
                now_found = after[dimension][value]
                lost = _within(dimension, value, change.narrowed)
                gained = _within(dimension, value, change.widened)
                context = (seed, dimension, value, said.sentences())
                # Montpellier stays covered only if the coverage keeps it: the other probes
                # search from there, so compare them only where it is covered before and after.
                montpellier = territory("commune", "34172").pk
                if dimension != competence.COVERAGE and not (
                    before[competence.COVERAGE][montpellier]
                    and after[competence.COVERAGE][montpellier]
                ):
                    continue
                assert (was_found and not now_found) == lost, context
                assert (now_found and not was_found) == gained, context
                if dimension == competence.MARKETS:
                    _assert_market_sentences(said, value, lost=lost, gained=gained)


def _assert_market_sentences(said, code: str, *, lost: bool, gained: bool) -> None:
    """The sentence names the country the engine no longer (or now) finds the offer for."""
    name = territory("country", code).name
    sentences = said.change(competence.MARKETS).sentences()
    if lost:
        assert any(
            ("ne sera plus proposée pour :" in s and name in s)
            or ("ne sera plus proposée que pour :" in s and name not in s)
            or "aucun pays visé" in s
            for s in sentences
        ), sentences
    if gained:
        assert any(
            ("aussi proposée pour :" in s and name in s) or "tous les pays" in s for s in sentences
        ), sentences


def test_the_structure_page_sends_a_change_of_service_to_the_offer_page(world, as_user):  # noqa: F811
    client = as_user(world.alice)
    url = f"/admin/structures/structure/{world.herault.pk}/change/"
    page = client.get(url)
    data = form_data(page)
    prefix = inline_prefix(page, Offer)
    data[f"{prefix}-0-service"] = str(service("trade-fairs").pk)

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "ouvrez sa page" in refused.content.decode()
    offer = Offer.objects.get(pk=world.herault_offer.pk)
    assert offer.service.code == "prospecting-missions"

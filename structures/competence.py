"""What an edit of an offer does to the searches that find it (issue 13, "competence preview").

An offer is found by the relay lookup (docs/relay.md §2–§3) through its service, its effective
coverage (its own, else its structure's, else the structure's commune), its sectors, its
markets (only an *active* market is competence; no market at all means every country) and its
eligibility (employee range, minimum age, NAF include / exclude). Before an edit is saved,
``preview_offer_change`` compares the saved state with the proposed one, dimension by
dimension, as the sets of searches that find the offer:

- ``service``: the service searched;
- ``markets``: the target countries (ISO codes) of a search;
- ``sectors``: the sector codes a search may give (filières, NAF sections and divisions);
- ``coverage``: the places (communes and municipal arrondissements, ids) a search starts from;
- ``employees`` / ``age``: the firm sizes and ages a profile may state (intervals);
- ``naf``: the NAF divisions of a firm's activity;
- ``active``: whether the offer is found at all (an inactive offer is found by no search, so
  deactivating it — or deleting it — narrows it to nothing, whatever else changes).

Each ``CompetenceChange`` holds what is lost (``narrowed``) and gained (``widened``), exactly as
the engine judges it (``tests/structures/test_competence.py`` checks it against ``find_relays``),
and says it in French and English sentences, with names rather than codes. A criterion a search
does not give never filters (the engine states it instead): the sentences speak of the searches
that do give it. The admin offer page and the API's offer writes both call this module; a
change that narrows the offer's reach is saved only once confirmed (``require_confirmation``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext_lazy, override, pgettext
from django.utils.translation import gettext as _

from structures.enums import MarketStatus, SectorKind
from structures.naming import OTHER_SECTORS, sector_name
from structures.relay import reference
from territories.enums import PLACE_LEVELS
from territories.naming import (
    ENGLISH,
    FRENCH,
    OTHER_COUNTRIES,
    Remainder,
    country_name,
    enumerate_phrases,
    join_phrases,
    territory_name,
)

SERVICE, MARKETS, SECTORS, COVERAGE, EMPLOYEES, AGE, NAF, ACTIVE = (
    "service",
    "markets",
    "sectors",
    "coverage",
    "employees",
    "age",
    "naf",
    "active",
)
DIMENSIONS = (SERVICE, MARKETS, SECTORS, COVERAGE, EMPLOYEES, AGE, NAF, ACTIVE)

# The offer's fields (and inline rows) whose change may move the searches that find it.
COMPETENCE_FIELDS = (
    "is_active",
    "service",
    "coverage",
    "sectors",
    "min_employees",
    "max_employees",
    "min_age_years",
    "naf_include",
    "naf_exclude",
)

OTHER_TERRITORIES = Remainder(french="autres territoires", english="other territories")
OTHER_ACTIVITIES = Remainder(french="autres activités", english="other activities")
_LIMIT = 6  # names listed before "et N autres…"

NARROWING_NOT_CONFIRMED = gettext_lazy(
    "Ce changement restreint les recherches qui trouveront cette offre : %(sentences)s "
    "Confirmez-le pour l'enregistrer (case « Je confirme ce changement » ; dans l'API, "
    "« confirm_narrowing »)."
)
# On a form that shows the sentences above the confirmation box, the error only points to them.
CONFIRM_DESCRIBED_ABOVE = gettext_lazy("Confirmez la restriction décrite ci-dessus.")
# Every search, lost at once: a deactivated or deleted offer (the lookup indexes active offers only).
EVERY_SEARCH = "every search"


# --- States -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetenceState:
    """What the lookup matches of one offer (docs/relay.md §3), as codes and ids."""

    service_id: int | None
    coverage: frozenset[int]  # the effective coverage: territory ids
    inherits_coverage: bool  # the structure's coverage (or commune) applies
    sectors: frozenset[str]
    active_markets: frozenset[str]  # ISO country codes
    planned_markets: frozenset[str]
    min_employees: int | None
    max_employees: int | None
    min_age_years: int | None
    naf_include: frozenset[str]
    naf_exclude: frozenset[str]
    is_active: bool = True


def _inherited_coverage(structure) -> frozenset[int]:
    from structures.models import StructureCoverage

    own = frozenset(
        StructureCoverage.objects.filter(structure_id=structure.pk).values_list(
            "territory_id", flat=True
        )
    )
    if own:
        return own
    return frozenset({structure.commune_id}) if structure.commune_id else frozenset()


def _effective_coverage(structure, own: frozenset[int]) -> tuple[frozenset[int], bool]:
    if own:
        return own, False
    return _inherited_coverage(structure), True


def saved_competence(offer) -> CompetenceState:
    """The competence of ``offer`` as stored (read from the database, not from the instance,
    which a bound form may already have changed)."""
    from structures.models import Offer, OfferCoverage, OfferMarket

    stored = Offer.objects.select_related("structure").get(pk=offer.pk)
    own = frozenset(
        OfferCoverage.objects.filter(offer_id=offer.pk).values_list("territory_id", flat=True)
    )
    coverage, inherits = _effective_coverage(stored.structure, own)
    markets = list(
        OfferMarket.objects.filter(offer_id=offer.pk).values_list("country__code", "status")
    )
    return CompetenceState(
        service_id=stored.service_id,
        coverage=coverage,
        inherits_coverage=inherits,
        sectors=frozenset(stored.sectors.values_list("code", flat=True)),
        active_markets=frozenset(c for c, s in markets if s == MarketStatus.ACTIVE),
        planned_markets=frozenset(c for c, s in markets if s != MarketStatus.ACTIVE),
        min_employees=stored.min_employees,
        max_employees=stored.max_employees,
        min_age_years=stored.min_age_years,
        naf_include=frozenset(stored.naf_include.values_list("code", flat=True)),
        naf_exclude=frozenset(stored.naf_exclude.values_list("code", flat=True)),
        is_active=stored.is_active,
    )


def _market_items(markets) -> list[tuple[Any, str]]:
    """``markets`` as the services take them: a mapping country → status, or countries (active)."""
    if isinstance(markets, Mapping):
        return list(markets.items())
    return [m if isinstance(m, tuple) else (m, MarketStatus.ACTIVE) for m in markets]


def proposed_competence(
    *, offer, before: CompetenceState, data: Mapping[str, Any], markets=None
) -> CompetenceState:
    """``before`` with the values of ``data`` (the services' offer data: model instances, as
    ``structures.services.update_offer`` takes them) and ``markets`` (``None``: unchanged)."""
    values: dict[str, Any] = {}
    if "is_active" in data and data["is_active"] is not None:
        values["is_active"] = bool(data["is_active"])
    if "service" in data and data["service"] is not None:
        values["service_id"] = data["service"].pk
    if "coverage" in data:
        own = frozenset(t.pk for t in data["coverage"] or ())
        values["coverage"], values["inherits_coverage"] = _effective_coverage(offer.structure, own)
    for name in ("sectors", "naf_include", "naf_exclude"):
        if name in data:
            values[name] = frozenset(s.code for s in data[name] or ())
    for name in ("min_employees", "max_employees", "min_age_years"):
        if name in data:
            values[name] = data[name]
    if markets is not None:
        items = [(country.code, status) for country, status in _market_items(markets)]
        values["active_markets"] = frozenset(c for c, s in items if s == MarketStatus.ACTIVE)
        values["planned_markets"] = frozenset(c for c, s in items if s != MarketStatus.ACTIVE)
    return replace(before, **values)


# --- The preview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetenceChange:
    """One dimension's change: what searches lose and gain, said in French and English."""

    dimension: str
    narrowed: frozenset = frozenset()
    widened: frozenset = frozenset()
    sentences_fr: tuple[str, ...] = ()
    sentences_en: tuple[str, ...] = ()

    def sentences(self, language: str = FRENCH) -> tuple[str, ...]:
        return self.sentences_en if language == ENGLISH else self.sentences_fr


@dataclass(frozen=True)
class CompetencePreview:
    """Every dimension that changes; empty when the searches that find the offer stay the same."""

    changes: tuple[CompetenceChange, ...] = ()
    _by_dimension: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_dimension.update({c.dimension: c for c in self.changes})

    def change(self, dimension: str) -> CompetenceChange:
        """The change of ``dimension`` (an empty one when it does not change)."""
        return self._by_dimension.get(dimension) or CompetenceChange(dimension)

    @property
    def narrows(self) -> bool:
        return any(c.narrowed for c in self.changes)

    @property
    def widens(self) -> bool:
        return any(c.widened for c in self.changes)

    @property
    def is_unchanged(self) -> bool:
        return not self.changes

    def sentences(self, language: str = FRENCH) -> list[str]:
        return [s for c in self.changes for s in c.sentences(language)]

    def text(self, language: str = FRENCH) -> str:
        return " ".join(self.sentences(language))

    @property
    def digest(self) -> str:
        """A short fingerprint of what is lost, so that a confirmation given for one preview
        does not confirm another (the editor changed the form again)."""
        lost = sorted((c.dimension, sorted(map(str, c.narrowed))) for c in self.changes)
        return hashlib.sha256(repr(lost).encode()).hexdigest()[:16]


def preview_competence_change(
    *, before: CompetenceState, after: CompetenceState
) -> CompetencePreview:
    """What going from ``before`` to ``after`` does to the searches that find the offer."""
    if not after.is_active:
        # Found by no search once inactive: nothing else it changes moves a search.
        return CompetencePreview((_deactivation(),) if before.is_active else ())
    if not before.is_active:
        return CompetencePreview((_reactivation(),))
    changes = []
    for compare in (
        _service_change,
        _market_change,
        _sector_change,
        _coverage_change,
        _employee_change,
        _age_change,
        _naf_change,
    ):
        change = compare(before, after)
        if change is not None:
            changes.append(change)
    return CompetencePreview(tuple(changes))


def preview_offer_change(*, offer, data: Mapping[str, Any], markets=None) -> CompetencePreview:
    """The preview of an update of ``offer`` by the services' ``data`` and ``markets``
    (``structures.services.update_offer``'s arguments)."""
    before = saved_competence(offer)
    after = proposed_competence(offer=offer, before=before, data=data, markets=markets)
    return preview_competence_change(before=before, after=after)


def preview_offer_removal(*, offer) -> CompetencePreview:
    """The preview of deleting ``offer``: an active offer leaves every search."""
    return CompetencePreview((_deactivation(),) if saved_competence(offer).is_active else ())


def active_language() -> str:
    """The active language as the naming modules take it: "fr" or "en"."""
    return ENGLISH if (get_language() or FRENCH).startswith(ENGLISH) else FRENCH


def require_confirmation(
    preview: CompetencePreview,
    *,
    confirmed: bool,
    field_name: str = "confirm_narrowing",
    shown_above: bool = False,
) -> None:
    """Refuse (``ValidationError`` on ``field_name``) a change that narrows the offer's reach
    and was not confirmed. The message says what would be lost, in the active language —
    or, where the page already shows those sentences above the box (``shown_above``), only
    points to them."""
    if preview.narrows and not confirmed:
        error = (
            ValidationError(CONFIRM_DESCRIBED_ABOVE, code="unconfirmed_narrowing")
            if shown_above
            else ValidationError(
                NARROWING_NOT_CONFIRMED,
                code="unconfirmed_narrowing",
                params={"sentences": preview.text(active_language())},
            )
        )
        raise ValidationError({field_name: error})


# --- Building each dimension's change ---------------------------------------------------------


def _deactivation() -> CompetenceChange:
    french, english = _both(
        lambda _language: [_("Cette offre ne sera plus proposée pour aucune recherche.")]
    )
    return CompetenceChange(ACTIVE, frozenset({EVERY_SEARCH}), frozenset(), french, english)


def _reactivation() -> CompetenceChange:
    french, english = _both(
        lambda _language: [
            _("Cette offre sera de nouveau proposée, selon ses critères ci-dessous.")
        ]
    )
    return CompetenceChange(ACTIVE, frozenset(), frozenset({EVERY_SEARCH}), french, english)


def _both(write: Callable[[str], list[str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``write(language)`` in French then English, each with its language active."""
    texts = []
    for language in (FRENCH, ENGLISH):
        with override(language):
            texts.append(tuple(str(s) for s in write(language)))
    return texts[0], texts[1]


def _made(dimension: str, narrowed, widened, write) -> CompetenceChange | None:
    narrowed, widened = frozenset(narrowed), frozenset(widened)
    french, english = _both(write)
    if not (narrowed or widened or french):
        return None
    return CompetenceChange(dimension, narrowed, widened, french, english)


def _names(items: Iterable, *, name: Callable[[Any], str], language: str, remainder) -> str:
    return enumerate_phrases(
        items=list(items),
        language=language,
        phrase=lambda item, _preposition: name(item),
        sort_name=name,
        limit=_LIMIT,
        remainder=remainder,
    )


def _service_change(before: CompetenceState, after: CompetenceState):
    if before.service_id == after.service_id:
        return None
    from structures.models import Service

    services = {
        s.pk: s for s in Service.objects.filter(pk__in=[before.service_id, after.service_id])
    }

    def named(pk, language):
        service = services[pk]
        return (service.name_en or service.name) if language == ENGLISH else service.name

    def write(language):
        return [
            _(
                "Cette offre ne sera plus proposée pour le service « %(old)s » ; elle le sera "
                "pour « %(new)s »."
            )
            % {"old": named(before.service_id, language), "new": named(after.service_id, language)}
        ]

    return _made(SERVICE, {before.service_id}, {after.service_id}, write)


# Markets: a search for a country finds the offer when it has no market at all, or has that
# country among its active markets.


def _market_reach(state: CompetenceState, countries: frozenset[str]) -> frozenset[str]:
    if not state.active_markets and not state.planned_markets:
        return countries
    return state.active_markets & countries


def _market_change(before: CompetenceState, after: CompetenceState):
    countries = reference.countries.get()
    universe = frozenset(countries)
    old, new = _market_reach(before, universe), _market_reach(after, universe)
    lost, gained = old - new, new - old
    newly_planned = (after.planned_markets - before.planned_markets) - new

    def names(codes, language):
        return _names(
            [countries[c] for c in codes if c in countries],
            name=lambda country: country_name(country=country, language=language),
            language=language,
            remainder=OTHER_COUNTRIES,
        )

    def write(language):
        sentences = []
        if lost and old == universe and new:
            sentences += [
                _("Cette offre ne sera plus proposée que pour : %(countries)s.")
                % {"countries": names(new, language)},
                _("Elle ne le sera plus pour les autres pays."),
            ]
        elif lost and not new:
            sentences.append(
                _(
                    "Cette offre ne sera plus proposée pour aucun pays visé : seules les "
                    "recherches sans pays la trouveront."
                )
            )
        elif lost:
            sentences.append(
                _("Cette offre ne sera plus proposée pour : %(countries)s.")
                % {"countries": names(lost, language)}
            )
        if gained and new == universe:
            sentences.append(_("Elle sera proposée pour tous les pays."))
        elif gained:
            sentences.append(
                _("Elle sera aussi proposée pour : %(countries)s.")
                % {"countries": names(gained, language)}
            )
        if newly_planned:
            sentences.append(
                _(
                    "Marché prévu pour : %(countries)s ; elle n'y sera suggérée qu'en "
                    "dernier recours."
                )
                % {"countries": names(newly_planned, language)}
            )
        return sentences

    return _made(MARKETS, lost, gained, write)


# Sectors: a search for a sector finds the offer when the offer has no sector, or one of the
# codes the searched sector expands to (``criteria.expand_sector``).


def _sector_reach(sectors: frozenset[str], expansions: Mapping[str, frozenset[str]]):
    if not sectors:
        return frozenset(expansions)
    return frozenset(code for code, expanded in expansions.items() if expanded & sectors)


@dataclass(frozen=True)
class _Sector:
    code: str
    kind: str
    name: str
    name_en: str


def _condensed_sectors(codes: Iterable[str]) -> list[_Sector]:
    """The sectors of ``codes``, a division left out when its section is there."""
    tables = reference.sectors.get()
    codes = set(codes)
    kept = [c for c in codes if tables.section_of.get(c) not in codes]
    return [_Sector(c, *tables.names.get(c, (SectorKind.FILIERE, c, ""))) for c in kept]


def _sector_names(codes, language, *, remainder=OTHER_SECTORS) -> str:
    return _names(
        _condensed_sectors(codes),
        name=lambda sector: sector_name(sector=sector, language=language),
        language=language,
        remainder=remainder,
    )


def _sector_change(before: CompetenceState, after: CompetenceState):
    expansions = reference.sectors.get().expansions
    old = _sector_reach(before.sectors, expansions)
    new = _sector_reach(after.sectors, expansions)
    lost, gained = old - new, new - old

    def write(language):
        sentences = []
        if lost and not before.sectors:
            sentences += [
                _("Cette offre ne sera plus proposée que pour les secteurs : %(sectors)s.")
                % {"sectors": _sector_names(after.sectors, language)},
                _("Elle ne le sera plus pour les autres secteurs."),
            ]
        elif lost:
            sentences.append(
                _("Cette offre ne sera plus proposée pour les secteurs : %(sectors)s.")
                % {"sectors": _sector_names(lost, language)}
            )
        if gained and not after.sectors:
            sentences.append(_("Elle sera proposée pour tous les secteurs."))
        elif gained:
            sentences.append(
                _("Elle sera aussi proposée pour les secteurs : %(sectors)s.")
                % {"sectors": _sector_names(gained, language)}
            )
        return sentences

    return _made(SECTORS, lost, gained, write)


# Coverage: a search from a place finds the offer when a territory of its effective coverage
# contains the place (the closure, self included).


def _coverage_change(before: CompetenceState, after: CompetenceState):
    if before.coverage == after.coverage:
        return None
    from territories.models import Territory, TerritoryAncestor

    places_of: dict[int, set[int]] = defaultdict(set)
    for ancestor, place in TerritoryAncestor.objects.filter(
        ancestor_id__in=before.coverage | after.coverage, descendant__level__in=PLACE_LEVELS
    ).values_list("ancestor_id", "descendant_id"):
        places_of[ancestor].add(place)
    old = set().union(*(places_of[t] for t in before.coverage))
    new = set().union(*(places_of[t] for t in after.coverage))
    lost, gained = old - new, new - old
    territories = Territory.objects.in_bulk(before.coverage | after.coverage)

    def split(ids, moved):
        """Territories all of whose places moved, and those only part of whose places did."""
        whole, part = [], []
        for pk in ids:
            places = places_of[pk]
            if places and places <= moved:
                whole.append(territories[pk])
            elif places & moved:
                part.append(territories[pk])
        return whole, part

    lost_whole, lost_part = split(before.coverage, lost)
    gained_whole, gained_part = split(after.coverage, gained)

    def names(items, language):
        return _names(
            items,
            name=lambda t: territory_name(territory=t, language=language),
            language=language,
            remainder=OTHER_TERRITORIES,
        )

    def write(language):
        sentences = []
        if lost:
            sentences.append(
                _("Cette offre ne couvrira plus que : %(territories)s.")
                % {"territories": names([territories[t] for t in after.coverage], language)}
                if after.coverage
                else _("Cette offre ne couvrira plus aucun territoire.")
            )
            if lost_whole:
                sentences.append(
                    _("Elle ne sera plus proposée aux entreprises de : %(territories)s.")
                    % {"territories": names(lost_whole, language)}
                )
            if lost_part:
                sentences.append(
                    _("Elle ne sera plus proposée aux entreprises du reste de : %(territories)s.")
                    % {"territories": names(lost_part, language)}
                )
        if gained_whole:
            sentences.append(
                _("Elle sera aussi proposée aux entreprises de : %(territories)s.")
                % {"territories": names(gained_whole, language)}
            )
        if gained_part:
            sentences.append(
                _("Elle sera aussi proposée aux entreprises du reste de : %(territories)s.")
                % {"territories": names(gained_part, language)}
            )
        if (lost or gained) and after.inherits_coverage and not before.inherits_coverage:
            sentences.append(_("(La couverture de la structure s'applique.)"))
        return sentences

    return _made(COVERAGE, lost, gained, write)


# Employees and age: intervals of what a profile may state. ``None`` as upper bound: no limit.

Interval = tuple[int, int | None]


def _minus(a: Interval, b: Interval) -> list[Interval]:
    """``a`` without ``b``, integer intervals with inclusive bounds."""
    (a_low, a_high), (b_low, b_high) = a, b
    parts: list[Interval] = []
    if b_low > a_low:
        high = b_low - 1 if a_high is None else min(a_high, b_low - 1)
        if high >= a_low:
            parts.append((a_low, high))
    if b_high is not None and (a_high is None or a_high > b_high):
        low = max(a_low, b_high + 1)
        parts.append((low, a_high))
    return parts


def _employee_range(state: CompetenceState) -> Interval:
    return (state.min_employees or 0, state.max_employees)


def _size_phrase(interval: Interval) -> str:
    low, high = interval
    if low == 0 and high is not None:
        return _("de moins de %(count)d salariés") % {"count": high + 1}
    if high is None:
        return _("de %(count)d salariés et plus") % {"count": low}
    if low == high:
        return _("de %(count)d salariés") % {"count": low}
    return pgettext("entreprises de", "de %(low)d à %(high)d salariés") % {"low": low, "high": high}


def _employee_change(before: CompetenceState, after: CompetenceState):
    old, new = _employee_range(before), _employee_range(after)
    if old == new:
        return None
    lost, gained = _minus(old, new), _minus(new, old)

    def write(language):
        sentences = (
            [
                _("Cette offre ne sera plus proposée aux entreprises %(sizes)s.")
                % {"sizes": _joined([_size_phrase(i) for i in lost], language)}
            ]
            if lost
            else []
        )
        if gained:
            sentences.append(
                _("Elle sera aussi proposée aux entreprises %(sizes)s.")
                % {"sizes": _joined([_size_phrase(i) for i in gained], language)}
            )
        return sentences

    return _made(EMPLOYEES, lost, gained, write)


def _joined(phrases: list[str], language: str) -> str:
    return join_phrases(phrases=phrases, language=language)


def _age_change(before: CompetenceState, after: CompetenceState):
    old, new = before.min_age_years or 0, after.min_age_years or 0
    if old == new:
        return None
    low, high = sorted((old, new))
    # Firms aged at least ``low`` and less than ``high`` years move.
    moved = {(low, high)}

    def write(language):
        ages = (
            _("de moins de %(high)d ans") % {"high": high}
            if low == 0
            else _("de %(low)d à moins de %(high)d ans") % {"low": low, "high": high}
        )
        if new > old:
            return [
                _("Cette offre ne sera plus proposée aux entreprises %(ages)s.") % {"ages": ages}
            ]
        return [_("Elle sera aussi proposée aux entreprises %(ages)s.") % {"ages": ages}]

    return _made(AGE, moved if new > old else (), moved if new < old else (), write)


# NAF include / exclude: a firm is eligible when its division or section is among the admitted
# codes (if any) and neither is among the excluded ones.


def _eligible_divisions(state: CompetenceState, section_of: Mapping[str, str]) -> frozenset[str]:
    def eligible(division):
        codes = {division, section_of[division]}
        if state.naf_include and not codes & state.naf_include:
            return False
        return not codes & state.naf_exclude

    return frozenset(d for d in section_of if eligible(d))


def _activity_names(divisions: frozenset[str], language: str) -> str:
    """Divisions named by their section when the whole section is there."""
    section_of = reference.sectors.get().section_of
    by_section: dict[str, set[str]] = defaultdict(set)
    for division, section in section_of.items():
        by_section[section].add(division)
    codes = set(divisions)
    for section, all_divisions in by_section.items():
        if all_divisions <= codes:
            codes = (codes - all_divisions) | {section}
    return _sector_names(codes, language, remainder=OTHER_ACTIVITIES)


def _naf_change(before: CompetenceState, after: CompetenceState):
    if (before.naf_include, before.naf_exclude) == (after.naf_include, after.naf_exclude):
        return None
    section_of = reference.sectors.get().section_of
    old = _eligible_divisions(before, section_of)
    new = _eligible_divisions(after, section_of)
    lost, gained = old - new, new - old

    def write(language):
        sentences = []
        if lost:
            sentences.append(
                _("Cette offre ne sera plus proposée aux entreprises des activités : %(codes)s.")
                % {"codes": _activity_names(lost, language)}
            )
        if gained:
            sentences.append(
                _("Elle sera aussi proposée aux entreprises des activités : %(codes)s.")
                % {"codes": _activity_names(gained, language)}
            )
        return sentences

    return _made(NAF, lost, gained, write)

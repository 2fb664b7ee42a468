"""The relay lookup's values: what is known of the firm, and what every caller (page, API,
command) shows. The query itself is ``structures.relay.query.RelayQuery``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass
from datetime import date
from typing import Any

from structures.enums import OfferCost, OfferDelivery, StructureKind
from structures.fields import STRUCTURE_RELAY
from structures.relay.enums import FallbackKind, MarketMatch


@dataclass(frozen=True)
class EligibilityProfile:
    """What is known of the firm; a ``None`` criterion does not filter (docs/relay.md §3)."""

    employees: int | None = None
    created_on: date | None = None
    naf_code: str | None = None
    member_of: frozenset[int] = frozenset()  # structure ids the firm belongs to
    export_stage: str | None = None

    def age_years(self, today: date) -> float | None:
        if self.created_on is None:
            return None
        return (today - self.created_on).days / 365.25


@dataclass(frozen=True)
class RelayError:
    """A lookup that cannot be answered, with a French message fit to show as is.

    ``code``: ``unknown_commune``, ``ambiguous_postal_code`` (``candidates`` lists the communes),
    ``unknown_postal_code``, ``malformed``, ``outside_france``, ``unknown_service``,
    ``unknown_country``, ``unknown_sector``, ``missing_location``, ``invalid``; for a SIRET
    (``smes.relay``): ``invalid_siret``, ``unknown_siret``, ``unknown_sme``,
    ``closed_establishment``, ``sirene_no_commune``, ``sirene_unavailable``. ``field`` names
    the input it is about.
    """

    code: str
    message: str
    field: str = ""
    candidates: tuple = ()


class RelayQueryError(Exception):
    """A lookup that cannot be asked as given; ``error`` says why, in words fit to show."""

    def __init__(self, error: RelayError) -> None:
        super().__init__(error.message)
        self.error = error

    @classmethod
    def of(cls, code: str, message: str, *, field: str = "", candidates=()) -> RelayQueryError:
        return cls(RelayError(code=code, message=message, field=field, candidates=candidates))


@dataclass(frozen=True)
class ResolvedLocation:
    commune: object  # territories.Territory (commune or municipal arrondissement)
    latitude: float
    longitude: float
    region_id: int | None
    precision: str  # "exact" (SME's own point or given coordinates) or "commune"
    note: str = ""  # e.g. the old commune code that was resolved
    ancestor_ids: tuple[int, ...] = ()  # the commune and every territory containing it
    # The same territories as results show them, read with the location (a covering offer's
    # matched territory is always one of them).
    ancestors: tuple[TerritoryRef, ...] = field(default=(), compare=False, repr=False)

    def ancestor_at(self, level: str) -> TerritoryRef | None:
        return next((ref for ref in self.ancestors if ref.level == level), None)


@dataclass(frozen=True)
class KnownFirm:
    """What the registry may tell the lookup about a registered firm, for one caller.

    Built by the SME app under its visibility rule (``smes.relay``): either the firm's own point
    and whole profile, or only what SIRENE publishes (its commune and NAF code).
    """

    location: ResolvedLocation
    profile: EligibilityProfile
    naf_code: str | None = None


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:  # a value the enum no longer knows: shown as stored
        return value


# TerritoryRef's fields, as columns of ``territories_territory``.
TERRITORY_REF_COLUMNS = (
    "id",
    "level",
    "code",
    "name",
    "name_en",
    "latitude",
    "longitude",
    "tncc",
    "kind",
)


@dataclass(frozen=True, slots=True)
class TerritoryRef:
    """A territory as a result shows it: its official code, level and names."""

    pk: int
    level: str
    code: str
    name: str
    name_en: str = ""
    latitude: float | None = None
    longitude: float | None = None
    tncc: int | None = None  # the COG's article type, for "l'Hérault" (territories.naming)
    kind: str = ""  # an EPCI's kind (CC, CA, CU, METRO)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class _RelayStructureBehaviour:
    def __str__(self) -> str:
        # The same words as ``Structure.__str__``.
        if self.acronym and self.acronym.lower() not in self.name.lower():
            return f"{self.name} ({self.acronym})"
        return self.name

    def get_kind_display(self) -> str:
        return _label(StructureKind, self.kind)


# Its fields are named once, in ``structures.fields``: a new one reaches the result cards, the map
# and the API without a change here.
RelayStructure = make_dataclass(
    "RelayStructure",
    [("pk", int), *((name, Any) for name in STRUCTURE_RELAY)],
    bases=(_RelayStructureBehaviour,),
    frozen=True,
    namespace={
        "__doc__": "The structure of a relay, as result cards, the API and the map show it: its "
        "``pk`` and the fields of ``STRUCTURE_RELAY``, a territory as a ``TerritoryRef``.",
        "__module__": __name__,
    },
)


@dataclass(frozen=True)
class RelayOffer:
    """The offer of a relay: how it is delivered, what it costs, who may use it."""

    pk: int
    structure_id: int
    service_id: int
    delivery: str
    cost: str
    members_only: bool
    application_required: bool
    contact_id: int | None

    def get_delivery_display(self) -> str:
        return _label(OfferDelivery, self.delivery)

    def get_cost_display(self) -> str:
        return _label(OfferCost, self.cost)


@dataclass(frozen=True)
class Condition:
    """A condition of an offer, as codes: the wording says it in each language.

    ``met`` is ``None`` when the query did not say (the condition is only stated), ``True`` when
    the firm is known to meet it (a member of a members-only club), ``False`` for the one
    condition a near miss does not meet.
    """

    kind: str  # ConditionKind
    codes: tuple[str, ...] = ()  # sectors, markets (ISO 3166), NAF sections or divisions
    low: int | None = None  # employees from, minimum age in years
    high: int | None = None  # employees up to
    met: bool | None = None


@dataclass(frozen=True)
class ContactInfo:
    name: str
    role: str
    phone: str
    email: str
    is_desk: bool
    source: str  # "offer", "structure_desk", "structure_switchboard"


class Sentences:
    """Why each result of a list is shown, written for a whole list in one language the first
    time that language is read: a page reads one, the API both."""

    def __init__(self, write: Callable[[str], list[str]]) -> None:
        self._write = write
        self._written: dict[str, list[str]] = {}

    def get(self, language: str, position: int) -> str:
        written = self._written.get(language)
        if written is None:
            written = self._written[language] = self._write(language)
        return written[position]


@dataclass(frozen=True)
class RelayResult:
    """One relay, with everything needed to say why it is shown and whom to call."""

    offer: RelayOffer
    structure: RelayStructure
    distance_km: float
    distance_is_approximate: bool
    matched_territory: TerritoryRef | None  # the finest coverage territory containing the commune
    matched_level: str
    market_match: str  # MarketMatch
    same_region: bool
    contact: ContactInfo | None
    conditions: tuple[Condition, ...] = ()
    fallback: str = ""  # FallbackKind, empty for a competent relay
    # The own-région rule (R7) put it before a nearer relay of another région.
    region_first: bool = False
    # Not confirmed for FRESHNESS_WARNING_MONTHS: shown all the same (rule R4), with a warning.
    information_to_check: bool = False
    # Written by structures.relay.wording: the conditions in the active language, and the
    # sentences of the list this result belongs to (each language written when first read).
    notes: tuple[str, ...] = ()
    sentences: Sentences | None = field(default=None, compare=False, repr=False)
    position: int = 0  # in ``sentences``

    @property
    def why_fr(self) -> str:
        return self.sentences.get("fr", self.position) if self.sentences else ""

    @property
    def why_en(self) -> str:
        return self.sentences.get("en", self.position) if self.sentences else ""

    @property
    def is_competent(self) -> bool:
        return not self.fallback

    @property
    def has_named_contact(self) -> bool:
        return self.contact is not None

    @property
    def fallback_label(self) -> str:
        return str(FallbackKind(self.fallback).label) if self.fallback else ""

    @property
    def market_label(self) -> str:
        return str(MarketMatch(self.market_match).label)

    @property
    def is_national(self) -> bool:
        """A desk competent for the whole country (a head office, a national service)."""
        return self.matched_level == "country"

    @property
    def is_remote(self) -> bool:
        return self.offer.delivery in (OfferDelivery.REMOTE, OfferDelivery.BOTH)

    @property
    def missed(self) -> Condition | None:
        """The one condition a near miss does not meet."""
        return next((c for c in self.conditions if c.met is False), None)


@dataclass
class RelayResponse:
    """The answer to a ``RelayQuery``: competent relays in order, then labelled fallbacks."""

    location: ResolvedLocation
    service: object  # structures.Service
    country: object | None = None  # territories.Territory (country)
    sectors: tuple[str, ...] = ()
    profile_given: bool = False
    results: list[RelayResult] = field(default_factory=list)
    fallbacks: list[RelayResult] = field(default_factory=list)
    # When no relay is competent: what to try, naming only what the search narrowed
    # (written by structures.relay.wording, in the active language).
    hint: str = ""

    @property
    def empty_message(self) -> str:
        """The hint, when the search found nobody at all (not even a fallback)."""
        return "" if self.results or self.fallbacks else self.hint

"""The plain-data shape of a demo structure (what the dataset modules write, the loader reads)."""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.profiles import OfferTemplate

# Provenance written on every demo structure. The named bodies come from the source research and
# their seats are public knowledge; everything else (desks, numbers, fictitious firms) is invented.
SOURCE_NAMED = (
    "Démonstration — structure citée par Torrès (2002), Colovic (2013) ou Pommier (2012), "
    "ou réseau public national ; siège au niveau de la commune"
)
SOURCE_NETWORK = (
    "Démonstration — réseau public (CCI, Team France Export, CCE, CMA, chambres d'agriculture, "
    "Bpifrance, EEN) ; commune du siège, contacts fictifs"
)
SOURCE_FICTITIOUS = "Démonstration — structure fictive inventée pour le jeu de démonstration"
SOURCE_ABROAD = (
    "Démonstration — bureau à l'étranger du réseau public (Business France / Team France Export, "
    "héritier des postes d'expansion économique) ; ville du bureau, contacts fictifs"
)
SOURCE_FOREIGN_PARTNER = (
    "Démonstration — cluster étranger nommé comme partenaire d'un pôle par Colovic (2013) ; "
    "aucun contact enregistré"
)
DEMO_LICENCE = "Licence Ouverte / Open Licence 2.0"
APPROXIMATE_NOTE = "Commune du siège approximative (à vérifier avant tout usage réel)."
ABROAD_APPROXIMATE_NOTE = "Ville du siège approximative (à vérifier avant tout usage réel)."

# The services for which a recorded partnership abroad is competence for the partner's country
# (rule R10): finding a partner there, knowing its market, joining an alliance with its cluster.
# Never trade fairs or missions: a pôle's stand at a fair is open whatever its partners.
PARTNER_SERVICES = ("partner-search", "market-intelligence", "inter-cluster-alliances")


@dataclass
class ContactSpec:
    key: str
    name: str
    role: str = ""
    kind: str = "desk"  # "desk" or "person"
    languages: str = "fr,en"


@dataclass
class MemberCountSpec:
    kind: str
    count: int
    as_of: str  # ISO date
    source: str


@dataclass(frozen=True)
class PartnerSpec:
    """A presence abroad the source records for a structure, with the line that says so.

    Each becomes a market (``status``) of the structure's offers of ``services``; a partner the
    source names (``partner``: the slug of a structure abroad) also becomes a ``StructureLink``
    of ``link_kind`` from the structure, described by ``source``. ``planned`` is for what the
    source calls just starting or a trip, never for a recorded agreement (rule R10).
    """

    country: str  # ISO 3166 alpha-2
    source: str  # the citation and what it says, e.g. "Colovic (2013), données 2011 : …"
    status: str = "active"  # MarketStatus
    services: tuple[str, ...] = PARTNER_SERVICES
    partner: str = ""
    link_kind: str = "inter_cluster_alliance"  # LinkKind


@dataclass
class StructureSpec:
    slug: str
    name: str
    kind: str
    commune: str  # INSEE code of the seat's commune; "" for a structure abroad (see ``country``)
    acronym: str = ""
    parent: str = ""  # slug
    legal_form: str = ""
    postal_code: str = ""  # blank: the commune's first postal code
    description: str = ""
    label_tier: str = ""
    website: str = ""
    # Seat commune known from a public source; False = placed in a plausible commune, flagged.
    seat_verified: bool = True
    fictitious: bool = False
    source: str = SOURCE_NAMED
    # A structure abroad: its country (ISO alpha-2) and the (latitude, longitude) of its city;
    # blank for a structure in France, placed at its commune's centre.
    country: str = ""
    point: tuple[float, float] | None = None
    # (level, code); empty = the kind's default (profiles.DEFAULT_COVERAGE) around the seat.
    coverage: tuple[tuple[str, str], ...] = ()
    # None = the kind's offer profile.
    offers: tuple[OfferTemplate, ...] | None = None
    # Target markets of the offers of ``market_services`` only (never every offer), with the
    # source that gives them when the structure is real (checked by demo.dataset).
    markets: tuple[tuple[str, str], ...] = ()  # (ISO alpha-2, "active" | "planned")
    market_services: tuple[str, ...] = ()
    markets_source: str = ""
    # Intensity of some services (service code → ServiceIntensity), overriding the offer
    # templates' (cluster kinds only): where the source says more of this structure.
    intensities: tuple[tuple[str, str], ...] = ()
    # Partnerships abroad, each with its source line (see PartnerSpec).
    partners: tuple[PartnerSpec, ...] = ()
    contacts: tuple[ContactSpec, ...] = ()  # empty = the kind's default desk
    # False: no contact at all, no phone and no desk (a foreign partner, not a relay).
    with_contacts: bool = True
    member_counts: tuple[MemberCountSpec, ...] = ()
    is_active: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def is_abroad(self) -> bool:
        return bool(self.country) and self.country != "FR"

    def markets_for(self, service: str) -> dict[str, str]:
        """Markets of the structure's offer of ``service``: ISO code → status.

        From ``markets`` when the service is one of ``market_services``, and from the partners
        recorded for it; an active record wins over a planned one for the same country.
        """
        records = [(iso, status) for iso, status in self.markets if service in self.market_services]
        records += [(p.country, p.status) for p in self.partners if service in p.services]
        markets: dict[str, str] = {}
        for iso, status in records:
            if markets.get(iso) != "active":
                markets[iso] = status
        return markets


@dataclass(frozen=True)
class LinkSpec:
    from_slug: str
    to_slug: str
    kind: str  # LinkKind
    source: str  # where the link comes from: a citation, or the network it belongs to
    status: str = "active"
    countries: tuple[str, ...] = ()
    description: str = ""

    @property
    def text(self) -> str:
        """The stored description: what the link is, then its source."""
        source = f"Source : {self.source.rstrip('.')}."
        return f"{self.description} {source}" if self.description else source

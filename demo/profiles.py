"""What each kind of structure typically offers: the offer templates shared by the demo dataset
and the scale generator.

The services per kind follow the source research (domain digest): CCIs run prospecting missions
and create export groups; the regional Team France Export desk mobilises subsidies and the posts
abroad; CCE sections mentor novice exporters; pôles sell shared stands, missions and
inter-cluster alliances to their members; chambers of agriculture serve farms and agri-food;
Bpifrance finances and insures; Team France Export and the offices abroad sell the Pavillons
France at foreign trade fairs. Coverage is expressed relative to the structure's seat.

No template of a kind carries target markets: a country is competence only where a source
records it for that structure (``StructureSpec.partners`` / ``markets``, rule R10).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Coverage levels relative to the structure's seat commune.
OWN = "own"  # the structure's default coverage (see DEFAULT_COVERAGE)
COMMUNE = "commune"
EPCI = "epci"
DEPARTEMENT = "departement"
REGION = "region"
FRANCE = "france"


@dataclass(frozen=True)
class OfferTemplate:
    service: str
    coverage: str = OWN
    sectors: tuple[str, ...] = ()
    members_only: bool = False
    min_employees: int | None = None
    max_employees: int | None = None
    min_age_years: int | None = None
    delivery: str = "in_person"
    cost: str = "free"
    application_required: bool = False
    note: str = ""
    markets: tuple[tuple[str, str], ...] = field(default=())
    # ServiceIntensity, for cluster kinds only (Offer.intensity); "" = not stated.
    intensity: str = ""


# The territory a structure covers by default, by kind.
DEFAULT_COVERAGE: dict[str, str] = {
    "cci": DEPARTEMENT,
    "cci_regional": REGION,
    "cci_national": FRANCE,
    "cma": REGION,
    "chamber_agriculture": DEPARTEMENT,
    "team_france_export": REGION,
    "office_abroad": FRANCE,
    "cce_section": REGION,
    "exporters_club": DEPARTEMENT,
    "competitiveness_cluster": REGION,
    "cluster_spl": DEPARTEMENT,
    "export_group": EPCI,
    "international_incubator": DEPARTEMENT,
    "bpifrance": REGION,
    "regional_agency": REGION,
    "een_contact_point": REGION,
    "territorial_authority": DEPARTEMENT,
    "innovation_support": EPCI,
    "training_body": REGION,
    "consultant": DEPARTEMENT,
    "import_export_firm": REGION,
    "freight_forwarder": REGION,
    "bank": DEPARTEMENT,
    "large_firm_portage": FRANCE,
    "other": DEPARTEMENT,
}

T = OfferTemplate

OFFER_PROFILES: dict[str, tuple[OfferTemplate, ...]] = {
    "cci": (
        T("information-orientation"),
        T("export-diagnosis", cost="subsidised"),
        T("prospecting-missions", cost="paid", application_required=True),
        T("trade-fairs", cost="paid"),
        T("customs-regulations", delivery="both"),
        T("shared-export-staff", note="Création et animation de groupements à l'export."),
        T("international-training", cost="paid"),
    ),
    "cci_regional": (
        T("information-orientation", delivery="both"),
        T("prospecting-missions", cost="paid", application_required=True),
        T("trade-fairs", cost="subsidised", application_required=True),
        T("market-intelligence", delivery="remote", cost="paid"),
        T("customs-regulations", delivery="remote"),
    ),
    "cci_national": (
        T("information-orientation", delivery="remote"),
        T("market-intelligence", delivery="remote"),
    ),
    "cma": (
        T("information-orientation"),
        T("export-diagnosis", max_employees=49),
        T("trade-fairs", cost="subsidised", max_employees=49),
        T("legal-ip-standards", delivery="both"),
    ),
    "chamber_agriculture": (
        T("information-orientation", sectors=("A", "agroalimentaire")),
        T("trade-fairs", sectors=("agroalimentaire",), cost="subsidised"),
        T("customs-regulations", sectors=("A", "agroalimentaire"), delivery="both"),
        T("prospecting-missions", sectors=("agroalimentaire",), cost="paid"),
    ),
    "team_france_export": (
        T("information-orientation", delivery="both"),
        T("export-diagnosis"),
        T("public-aid", application_required=True),
        T("prospecting-missions", cost="subsidised", application_required=True),
        T(
            "trade-fairs",
            cost="subsidised",
            application_required=True,
            note="Pavillons France de Business France sur les salons à l'étranger.",
        ),
        T("partner-search", cost="paid"),
        T("market-intelligence", delivery="remote", cost="paid"),
        T(
            "shared-export-staff",
            cost="paid",
            note="Volontariat international en entreprise (V.I.E).",
        ),
    ),
    "office_abroad": (
        T("partner-search", coverage=FRANCE, delivery="remote", cost="paid"),
        T("market-intelligence", coverage=FRANCE, delivery="remote", cost="paid"),
        T(
            "trade-fairs",
            coverage=FRANCE,
            cost="paid",
            application_required=True,
            note="Pavillon France sur les salons du pays ; inscription auprès du conseiller Team "
            "France Export de votre région.",
        ),
        T(
            "prospecting-missions",
            coverage=FRANCE,
            cost="paid",
            application_required=True,
            note="Programmes de rendez-vous d'affaires dans le pays.",
        ),
    ),
    "cce_section": (
        T("mentoring", note="Parrainage de primo-exportateurs par des conseillers expérimentés."),
        T("information-orientation"),
    ),
    "exporters_club": (
        T("mentoring", members_only=True),
        T("information-orientation", members_only=True),
        T("international-training", members_only=True, cost="paid"),
    ),
    # The pôles' international services for their members and how much each is done, as Colovic
    # (2013, data of 2011) reports them across the pôles studied: collective stands at fairs and
    # missions abroad (subsidised, on application) recur every year; individual partner search
    # is "rare"; inter-cluster alliances are the preferred mode; translation is occasional.
    "competitiveness_cluster": (
        T(
            "trade-fairs",
            members_only=True,
            cost="subsidised",
            application_required=True,
            intensity="regular",
        ),
        T(
            "prospecting-missions",
            members_only=True,
            cost="subsidised",
            application_required=True,
            intensity="regular",
        ),
        T("inter-cluster-alliances", members_only=True, intensity="central"),
        T("partner-search", members_only=True, cost="paid", intensity="occasional"),
        T(
            "translation",
            members_only=True,
            cost="paid",
            delivery="remote",
            intensity="occasional",
        ),
    ),
    # Pommier (2012) gives a ladder of collective action (joint fairs below prospecting abroad),
    # not how often each SPL climbs it: these intensities are fictitious, plausible demo values.
    "cluster_spl": (
        T("trade-fairs", members_only=True, cost="subsidised", intensity="regular"),
        T("prospecting-missions", members_only=True, cost="paid", intensity="occasional"),
        T("information-orientation"),
    ),
    "export_group": (
        T(
            "shared-export-staff",
            members_only=True,
            cost="paid",
            min_employees=3,
            max_employees=249,
        ),
    ),
    "international_incubator": (
        T("hosting-incubation", cost="paid", application_required=True),
        T("shared-export-staff", cost="paid"),
    ),
    "bpifrance": (
        T("export-finance", min_age_years=3, application_required=True, cost="paid"),
        T("export-insurance", application_required=True, cost="paid"),
        T("public-aid", application_required=True),
    ),
    "regional_agency": (
        T("public-aid", application_required=True),
        T("trade-fairs", cost="subsidised"),
        T("information-orientation"),
    ),
    "een_contact_point": (
        T("partner-search", delivery="both"),
        T("public-aid", note="Programmes européens."),
        T("market-intelligence", delivery="remote"),
    ),
    "territorial_authority": (
        T("public-aid", application_required=True),
        T("information-orientation"),
    ),
    "innovation_support": (
        T("hosting-incubation", cost="paid", application_required=True),
        T("information-orientation"),
    ),
    "training_body": (T("international-training", cost="paid"),),
    "consultant": (
        T("export-diagnosis", cost="paid", delivery="both"),
        T("partner-search", cost="paid", delivery="both"),
        T("market-intelligence", cost="paid", delivery="remote"),
    ),
    "import_export_firm": (
        T("partner-search", cost="paid"),
        T("shared-export-staff", cost="paid"),
    ),
    "freight_forwarder": (
        T("transport-logistics", cost="paid"),
        T("customs-regulations", cost="paid"),
    ),
    "bank": (T("export-finance", cost="paid"),),
    "large_firm_portage": (T("partner-search", cost="paid", min_employees=5),),
    "other": (T("information-orientation"),),
}

# Every service code the templates use: checked against the catalogue by the loaders.
TEMPLATE_SERVICES = frozenset(t.service for ts in OFFER_PROFILES.values() for t in ts)

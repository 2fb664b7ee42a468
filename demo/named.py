"""Demo data, part 1: the real bodies and places the source research names, and the national
heads of network.

Seats are given at commune level only (no street address): a commune is marked
``seat_verified=False`` when the seat could not be confirmed and is then flagged as approximate.
Member counts are the dated figures the papers quote (Colovic 2013, data of 2011). Contacts are
never real: the loader attaches fictitious desks (see ``demo.fiction``).

Every partner country, alliance and link of a real body carries the line of the source that
records it (``PartnerSpec.source``, ``LinkSpec.source``): nothing is given to a pôle that the
paper does not say. The foreign clusters the paper names are structures abroad (a country, a city
point, no French commune), without offers or contacts: they are partners, not relays.
"""

from __future__ import annotations

from demo.profiles import OfferTemplate as T
from demo.spec import (
    SOURCE_FOREIGN_PARTNER,
    ContactSpec,
    LinkSpec,
    MemberCountSpec,
    PartnerSpec,
    StructureSpec,
)

COLOVIC = "Colovic (2013), données 2011"
# Where the paper gives the pôles' international partners (lines of the text, per the digest).
COLOVIC_PARTNERS = "Colovic (2013), données 2011, l. 140–147, 217 et 370–372"
TORRES = "Torrès (2002)"
POMMIER = "Pommier (2012)"

FR = (("country", "FR"),)

# --- What Colovic (2013) says of each pôle's partners abroad, one line per fact ----------------

SYSTEMATIC_CLUSTERS = (
    f"{COLOVIC_PARTNERS} : Systematic a pour partenaires les clusters DSP Valley (Belgique), "
    "Point One (Pays-Bas), BICC Net et Safetrans (Allemagne)"
)
SYSTEMATIC_COUNTRIES = (
    f"{COLOVIC_PARTNERS} : Systematic a des partenaires aux États-Unis, au Brésil, au Viêt Nam, "
    "en Tunisie, au Maroc et en Chine"
)
LYONBIOPOLE_AGREEMENTS = (
    f"{COLOVIC_PARTNERS} : Lyonbiopôle a des accords de coopération aux États-Unis, au Canada, "
    "au Japon et en Chine"
)
LYONBIOPOLE_BOSTON = (
    f"{COLOVIC_PARTNERS} : Lyonbiopôle a une alliance inter-clusters avec le cluster de Boston"
)
LYONBIOPOLE_MISSIONS = (
    f"{COLOVIC_PARTNERS} : Lyonbiopôle organise des missions plusieurs fois par an "
    "(États-Unis, Canada, Japon)"
)
MOVEO_AGREEMENTS = (
    f"{COLOVIC_PARTNERS} : Mov'eo a des accords avec des clusters en Italie, en Allemagne, "
    "en Suède et aux Pays-Bas"
)
MOVEO_ALLIANCES = (
    f"{COLOVIC_PARTNERS} : les alliances de Mov'eo avec ces clusters « commencent tout juste »"
)
MOVEO_JAPAN = (
    f"{COLOVIC_PARTNERS} : Mov'eo a fait un voyage d'étude au Japon avec Ubifrance "
    "(un voyage, pas un accord)"
)
CAP_DIGITAL_NONE = (
    f"{COLOVIC_PARTNERS} : Cap Digital n'avait signé aucun accord de coopération avec un "
    "cluster étranger ; alliances « pas encore »"
)
TINCHEBRAY_FAIRS = f"{POMMIER} : salons communs en Allemagne et en Italie"

NATIONAL: list[StructureSpec] = [
    StructureSpec(
        slug="cci-france",
        name="CCI France",
        kind="cci_national",
        commune="75056",
        seat_verified=False,
        legal_form="établissement public administratif",
        description="Tête du réseau des chambres de commerce et d'industrie.",
        coverage=FR,
    ),
    StructureSpec(
        slug="cma-france",
        name="CMA France",
        acronym="CMA France",
        kind="cma",
        commune="75056",
        postal_code="75008",
        legal_form="établissement public administratif",
        description="Tête du réseau des chambres de métiers et de l'artisanat.",
        coverage=FR,
        offers=(T("information-orientation", delivery="remote"),),
    ),
    StructureSpec(
        slug="chambres-agriculture-france",
        name="Chambres d'agriculture France",
        kind="chamber_agriculture",
        commune="75056",
        postal_code="75008",
        legal_form="établissement public administratif",
        description="Tête du réseau des chambres d'agriculture.",
        coverage=FR,
        offers=(T("information-orientation", sectors=("A", "agroalimentaire"), delivery="remote"),),
    ),
    StructureSpec(
        slug="business-france",
        name="Business France (Team France Export)",
        kind="team_france_export",
        commune="75056",
        postal_code="75014",
        legal_form="établissement public à caractère industriel et commercial",
        description=(
            "Agence nationale, héritière des postes d'expansion économique (PEE) : accès aux "
            "bureaux à l'étranger par les conseillers régionaux Team France Export."
        ),
        coverage=FR,
        # Generalist: its offices abroad serve "almost every country" (the PEE of the papers),
        # so no target country is ever outside its competence.
        offers=(
            T("information-orientation", delivery="remote"),
            T(
                "trade-fairs",
                cost="paid",
                application_required=True,
                note="Pavillons France sur les salons internationaux, par les conseillers Team "
                "France Export en région.",
            ),
            T("partner-search", delivery="remote", cost="paid"),
            T("market-intelligence", delivery="remote", cost="paid"),
            T("shared-export-staff", delivery="remote", cost="paid", note="V.I.E."),
        ),
    ),
    StructureSpec(
        slug="bpifrance",
        name="Bpifrance",
        kind="bpifrance",
        commune="94046",
        postal_code="94700",
        legal_form="société anonyme",
        description="Banque publique d'investissement ; assurance export (ex-COFACE, ex-ANVAR).",
        coverage=FR,
        offers=(
            T("export-insurance", delivery="remote", cost="paid", application_required=True),
            T("information-orientation", delivery="remote"),
        ),
    ),
    StructureSpec(
        slug="cnccef",
        name="Comité national des conseillers du commerce extérieur de la France",
        acronym="CNCCEF",
        kind="cce_section",
        commune="75056",
        legal_form="association",
        description="Réseau des conseillers du commerce extérieur (CCE), en France et à l'étranger.",
        coverage=FR,
        offers=(T("mentoring", delivery="remote"),),
    ),
    StructureSpec(
        slug="club-exportateurs-france",
        name="Club des exportateurs de France",
        kind="exporters_club",
        commune="75056",
        seat_verified=False,
        legal_form="association loi 1901",
        description="Association nationale, une délégation par région.",
        coverage=FR,
        offers=(T("information-orientation", members_only=True, delivery="remote"),),
    ),
    StructureSpec(
        slug="osci",
        name="OSCI — opérateurs spécialisés du commerce international",
        acronym="OSCI",
        kind="other",
        commune="75056",
        seat_verified=False,
        legal_form="fédération professionnelle",
        description="Fédération des opérateurs privés (sociétés de commerce international, conseils).",
        coverage=FR,
        offers=(T("information-orientation", delivery="remote"),),
    ),
]

MONTPELLIER: list[StructureSpec] = [
    StructureSpec(
        slug="cci-herault",
        name="CCI Hérault — service international",
        acronym="CCI Hérault",
        kind="cci",
        parent="cci-occitanie",
        commune="34172",
        postal_code="34000",
        legal_form="établissement public administratif",
        description=(
            "Historiquement CCI de Montpellier (Torrès 2002) : missions de prospection, création "
            "de huit groupements à l'export depuis 1998, projet de pépinière internationale."
        ),
        contacts=(
            ContactSpec("international", "Service international", "Accueil export"),
            ContactSpec("groupements", "Pôle groupements export", "Animation des groupements"),
        ),
    ),
    StructureSpec(
        slug="pepiniere-internationale-montpellier",
        name="Pépinière internationale de la CCI (projet, aéroport Montpellier-Méditerranée)",
        kind="international_incubator",
        parent="cci-herault",
        commune="34154",
        seat_verified=False,
        description=(
            "Projet décrit par Torrès (2002) : héberger des groupements à l'export près de "
            "l'aéroport, double mutualisation, certification AFNOR X50-770 visée."
        ),
    ),
    StructureSpec(
        slug="cap-alpha",
        name="Cap Alpha",
        kind="innovation_support",
        commune="34077",
        description=(
            "Pépinière d'entreprises innovantes de l'agglomération de Montpellier : plus de 200 "
            "entreprises et environ 3 000 emplois en dix ans (Torrès 2002)."
        ),
    ),
    StructureSpec(
        slug="montpellier-mediterranee-technopole",
        name="Montpellier Méditerranée Technopole",
        kind="innovation_support",
        commune="34172",
        description="Technopole de l'agglomération de Montpellier (Torrès 2002).",
    ),
    StructureSpec(
        slug="departement-herault",
        name="Conseil départemental de l'Hérault",
        kind="territorial_authority",
        commune="34172",
        legal_form="collectivité territoriale",
        description="Ancien Conseil général de l'Hérault : activation des réseaux, fonds européens.",
    ),
    StructureSpec(
        slug="universite-montpellier",
        name="Université de Montpellier",
        kind="training_body",
        commune="34172",
        legal_form="établissement public",
        description=(
            "Formation de cadres export ; héritière du DESS Management international des PME et "
            "des territoires cité par Torrès (2002)."
        ),
        offers=(
            T(
                "international-training",
                cost="paid",
                note="Stages en alternance en PME exportatrices.",
            ),
        ),
    ),
    StructureSpec(
        slug="universite-paul-valery",
        name="Université Paul-Valéry Montpellier 3",
        kind="training_body",
        commune="34172",
        legal_form="établissement public",
        offers=(
            T("international-training", cost="paid"),
            T("translation", cost="paid", delivery="both", note="Langues étrangères appliquées."),
        ),
    ),
]

SOPHIA_GRASSE: list[StructureSpec] = [
    StructureSpec(
        slug="technopole-sophia-antipolis",
        name="Technopole Sophia Antipolis",
        kind="innovation_support",
        commune="06152",
        seat_verified=False,
        description="Technopole des Alpes-Maritimes (Valbonne, Biot, Antibes…), citée par Torrès.",
        coverage=(("departement", "06"),),
    ),
    StructureSpec(
        slug="pole-pass-grasse",
        name="Pôle PASS — parfums, arômes, senteurs, saveurs",
        acronym="PASS",
        kind="competitiveness_cluster",
        commune="06069",
        label_tier="national",
        legal_form="association loi 1901",
        description="Pôle de compétitivité de Grasse, labellisé en 2005.",
        offers=(
            # Intensities fictitious (the papers say nothing of PASS's services), plausible.
            T(
                "trade-fairs",
                sectors=("cosmetique-parfum", "agroalimentaire"),
                members_only=True,
                intensity="regular",
            ),
            T(
                "prospecting-missions",
                sectors=("cosmetique-parfum",),
                members_only=True,
                intensity="occasional",
            ),
        ),
    ),
]

_POLE_CONTACTS = (
    ContactSpec("international", "Chargé de mission international", "Développement international"),
)


def _partners(source: str, *countries: str, **kw) -> tuple[PartnerSpec, ...]:
    """One PartnerSpec per country, all from the same line of the source."""
    return tuple(PartnerSpec(country, source, **kw) for country in countries)


POLES: list[StructureSpec] = [
    StructureSpec(
        slug="systematic-paris-region",
        name="Systematic Paris-Region",
        acronym="Systematic",
        kind="competitiveness_cluster",
        commune="91477",
        label_tier="mondial",
        legal_form="association loi 1901",
        description="Pôle mondial des technologies de l'information et des systèmes complexes.",
        coverage=(("region", "11"),),
        contacts=_POLE_CONTACTS,
        partners=(
            PartnerSpec("BE", SYSTEMATIC_CLUSTERS, partner="dsp-valley"),
            PartnerSpec("NL", SYSTEMATIC_CLUSTERS, partner="point-one"),
            PartnerSpec("DE", SYSTEMATIC_CLUSTERS, partner="bicc-net"),
            PartnerSpec("DE", SYSTEMATIC_CLUSTERS, partner="safetrans"),
            *_partners(SYSTEMATIC_COUNTRIES, "US", "BR", "VN", "TN", "MA", "CN"),
        ),
        member_counts=(MemberCountSpec("members", 500, "2011-12-31", COLOVIC + " : plus de 500"),),
    ),
    StructureSpec(
        slug="lyonbiopole",
        name="Lyonbiopôle",
        kind="competitiveness_cluster",
        commune="69123",
        label_tier="mondial",
        legal_form="association loi 1901",
        description=(
            "Pôle mondial Lyon-Grenoble : vaccins et diagnostic ; membre du « Life science "
            "corridor France » (Colovic 2013)."
        ),
        coverage=(("region", "84"),),
        contacts=_POLE_CONTACTS,
        # Missions "several times a year" (LYONBIOPOLE_MISSIONS) and the Boston alliance
        # (LYONBIOPOLE_BOSTON); fairs and partner search as the pôles in general (profiles).
        offers=(
            T(
                "trade-fairs",
                sectors=("sante-biotech",),
                members_only=True,
                cost="subsidised",
                intensity="regular",
            ),
            T(
                "prospecting-missions",
                sectors=("sante-biotech",),
                members_only=True,
                application_required=True,
                intensity="regular",
            ),
            T("inter-cluster-alliances", members_only=True, intensity="central"),
            T("partner-search", members_only=True, cost="paid", intensity="occasional"),
        ),
        markets=(("US", "active"), ("CA", "active"), ("JP", "active")),
        market_services=("prospecting-missions",),
        markets_source=LYONBIOPOLE_MISSIONS,
        partners=(
            *_partners(LYONBIOPOLE_AGREEMENTS, "US", "CA", "JP", "CN"),
            PartnerSpec("US", LYONBIOPOLE_BOSTON, partner="cluster-boston"),
        ),
        member_counts=(
            MemberCountSpec("members", 85, "2011-12-31", COLOVIC),
            MemberCountSpec("large_firms", 4, "2011-12-31", COLOVIC),
            MemberCountSpec("sme_members", 67, "2011-12-31", COLOVIC),
            MemberCountSpec("research_centres", 14, "2011-12-31", COLOVIC),
        ),
    ),
    StructureSpec(
        slug="moveo",
        name="Mov'eo",
        kind="competitiveness_cluster",
        commune="76575",
        label_tier="vocation_mondiale",
        legal_form="association loi 1901",
        description=(
            "Pôle mobilité de Normandie et d'Île-de-France, siège au technopôle du Madrillet "
            "(devenu NextMove en 2021)."
        ),
        coverage=(("region", "28"), ("region", "11")),
        contacts=_POLE_CONTACTS,
        # Alliances "just starting" (MOVEO_ALLIANCES): occasional so far, not the pôle's core.
        intensities=(("inter-cluster-alliances", "occasional"),),
        # The agreements are signed (a partner can be found there); the alliances built on them
        # are "just starting" and Japan was a study trip: labelled planned, not competence.
        partners=(
            *_partners(
                MOVEO_AGREEMENTS,
                "IT",
                "DE",
                "SE",
                "NL",
                services=("partner-search", "market-intelligence"),
            ),
            *_partners(
                MOVEO_ALLIANCES,
                "IT",
                "DE",
                "SE",
                "NL",
                status="planned",
                services=("inter-cluster-alliances",),
            ),
            PartnerSpec("JP", MOVEO_JAPAN, status="planned"),
        ),
        member_counts=(
            MemberCountSpec("large_firms", 76, "2011-12-31", COLOVIC),
            MemberCountSpec("sme_members", 178, "2011-12-31", COLOVIC),
        ),
    ),
    StructureSpec(
        slug="cap-digital",
        name="Cap Digital",
        kind="competitiveness_cluster",
        commune="75056",
        label_tier="vocation_mondiale",
        legal_form="association loi 1901",
        description=(
            f"Pôle des contenus et services numériques de la région parisienne. {CAP_DIGITAL_NONE}."
        ),
        coverage=(("region", "11"),),
        contacts=_POLE_CONTACTS,
        # No partner abroad (CAP_DIGITAL_NONE): no inter-cluster alliance and no partner search,
        # which would otherwise read as generalist, i.e. competent for every country (rule R10).
        # Intensities as the pôles in general (profiles): the source details none for Cap Digital.
        offers=(
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
            T(
                "translation",
                members_only=True,
                cost="paid",
                delivery="remote",
                intensity="occasional",
            ),
        ),
        member_counts=(
            MemberCountSpec("members", 700, "2011-12-31", COLOVIC),
            MemberCountSpec("sme_members", 620, "2011-12-31", COLOVIC),
        ),
    ),
]


def _foreign_cluster(slug, name, country, city, point, description) -> StructureSpec:
    return StructureSpec(
        slug=slug,
        name=name,
        kind="cluster_spl",
        commune="",
        country=country,
        point=point,
        seat_verified=False,
        source=SOURCE_FOREIGN_PARTNER,
        description=f"{description} Ville : {city}.",
        coverage=(("country", country),),
        offers=(),
        with_contacts=False,
    )


# The foreign clusters Colovic (2013) names as partners of a pôle. They offer nothing to French
# firms directly (no offer, so never a relay): a firm reaches them through the French pôle.
FOREIGN_PARTNERS: list[StructureSpec] = [
    _foreign_cluster(
        "dsp-valley",
        "DSP Valley",
        "BE",
        "Louvain (Leuven)",
        (50.8798, 4.7005),
        "Cluster belge des systèmes électroniques embarqués, partenaire de Systematic.",
    ),
    _foreign_cluster(
        "point-one",
        "Point One",
        "NL",
        "Eindhoven",
        (51.4416, 5.4697),
        "Programme néerlandais de nanoélectronique et de systèmes embarqués, partenaire de "
        "Systematic.",
    ),
    _foreign_cluster(
        "bicc-net",
        "BICC Net",
        "DE",
        "Munich",
        (48.1351, 11.5820),
        "Cluster bavarois des technologies de l'information et de la communication, partenaire "
        "de Systematic.",
    ),
    _foreign_cluster(
        "safetrans",
        "Safetrans",
        "DE",
        "Oldenbourg (Oldenburg)",
        (53.1435, 8.2146),
        "Réseau allemand des systèmes critiques pour les transports, partenaire de Systematic.",
    ),
    _foreign_cluster(
        "cluster-boston",
        "Cluster de Boston",
        "US",
        "Boston",
        (42.3601, -71.0589),
        "« Le cluster de Boston » avec lequel Lyonbiopôle a une alliance inter-clusters ; la "
        "source ne donne pas son nom exact.",
    ),
]

SPL: list[StructureSpec] = [
    StructureSpec(
        slug="mecatem",
        name="Mecatem",
        kind="cluster_spl",
        commune="90010",
        description="Système productif local de la mécanique du nord Franche-Comté (Pommier 2012).",
        coverage=(("departement", "90"), ("departement", "25"), ("departement", "70")),
        offers=(
            T("trade-fairs", sectors=("mecanique",), members_only=True, cost="subsidised"),
            T("information-orientation"),
        ),
    ),
    StructureSpec(
        slug="perfo-est",
        name="Perfo-Est",
        kind="cluster_spl",
        commune="25056",
        seat_verified=False,
        description="Réseau d'entreprises de Franche-Comté cité par Pommier (2012).",
        coverage=(("region", "27"),),
    ),
    StructureSpec(
        slug="mecanic-vallee",
        name="Mecanic Vallée",
        kind="cluster_spl",
        commune="46102",
        seat_verified=False,
        description="Grappe mécanique de Midi-Pyrénées et du Limousin (Pommier 2012).",
        coverage=(("departement", "12"), ("departement", "46"), ("departement", "19")),
        offers=(
            T("trade-fairs", sectors=("mecanique", "aeronautique-spatial"), members_only=True),
            T("prospecting-missions", sectors=("mecanique",), members_only=True, cost="paid"),
        ),
    ),
    StructureSpec(
        slug="spl-pays-de-tinchebray",
        name="SPL du Pays de Tinchebray",
        kind="cluster_spl",
        commune="61486",
        description=(
            "SPL de l'Orne (138 communes) : salons communs en Allemagne et en Italie (Pommier 2012)."
        ),
        coverage=(("departement", "61"),),
        markets=(("DE", "active"), ("IT", "active")),
        market_services=("trade-fairs",),
        markets_source=TINCHEBRAY_FAIRS,
        # Joint fairs abroad are what the source reports of this SPL: its regular service.
        intensities=(("trade-fairs", "regular"),),
    ),
    StructureSpec(
        slug="spl-saveurs-senteurs",
        name="SPL Saveurs et senteurs",
        kind="cluster_spl",
        commune="04088",
        description="SPL de Forcalquier (Pommier 2012).",
        coverage=(("departement", "04"),),
        offers=(
            T("trade-fairs", sectors=("agroalimentaire", "cosmetique-parfum"), members_only=True),
            T("information-orientation"),
        ),
    ),
    StructureSpec(
        slug="cluster-glisse",
        name="Cluster de la glisse",
        kind="cluster_spl",
        commune="64122",
        description="Cluster des industries de la glisse de la côte basque (Pommier 2012).",
        coverage=(("departement", "64"), ("departement", "40")),
        offers=(
            T("trade-fairs", sectors=("glisse-sport",), members_only=True, cost="subsidised"),
            T("prospecting-missions", sectors=("glisse-sport",), members_only=True),
        ),
    ),
    StructureSpec(
        slug="silicon-sentier",
        name="Silicon Sentier",
        kind="cluster_spl",
        commune="75056",
        postal_code="75002",
        description="Association des entreprises numériques du Sentier, Paris (Pommier 2012).",
        coverage=(("departement", "75"),),
        offers=(
            T("information-orientation", sectors=("numerique",)),
            T("hosting-incubation", sectors=("numerique",), cost="paid"),
        ),
    ),
    StructureSpec(
        slug="lyon-game",
        name="Lyon Game",
        kind="cluster_spl",
        commune="69123",
        description="Cluster du jeu vidéo lyonnais (Pommier 2012), devenu Imaginove.",
        coverage=(("region", "84"),),
        offers=(
            T("trade-fairs", sectors=("image-contenus",), members_only=True, cost="subsidised"),
            T("partner-search", sectors=("image-contenus",), members_only=True),
        ),
    ),
    StructureSpec(
        slug="cite-initiative-roubaix",
        name="Cité de l'Initiative",
        kind="cluster_spl",
        commune="59512",
        description=(
            "Réseau de façonniers de l'habillement de Roubaix, organisé en union d'économie "
            "sociale à but non lucratif dotée d'une charte éthique (Pommier 2012, l. 632)."
        ),
        coverage=(("departement", "59"),),
        offers=(T("information-orientation", sectors=("textile-habillement",)),),
    ),
    StructureSpec(
        slug="pole-image-angouleme",
        name="Pôle Image Magelis",
        kind="cluster_spl",
        commune="16015",
        description="Pôle image d'Angoulême : bande dessinée, animation, jeu vidéo (Pommier 2012).",
        coverage=(("departement", "16"),),
        offers=(
            T("trade-fairs", sectors=("image-contenus",), members_only=True),
            T("hosting-incubation", sectors=("image-contenus",), cost="paid"),
        ),
    ),
]


def partner_links() -> list[LinkSpec]:
    """A link from each structure to every partner abroad its source names, with that source."""
    return [
        LinkSpec(
            spec.slug,
            partner.partner,
            partner.link_kind,
            source=partner.source,
            status=partner.status,
            countries=(partner.country,),
        )
        for spec in NAMED
        for partner in spec.partners
        if partner.partner
    ]


# Links between French bodies: only those the sources describe. (The alliances between French
# pôles an earlier demo showed are in no source, and are gone.)
NAMED_LINKS: list[LinkSpec] = []

NAMED: list[StructureSpec] = NATIONAL + MONTPELLIER + SOPHIA_GRASSE + POLES + FOREIGN_PARTNERS + SPL

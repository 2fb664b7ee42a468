"""Demo data, part 1: the real bodies and places the source research names, and the national
heads of network.

Seats are given at commune level only (no street address): a commune is marked
``seat_verified=False`` when the seat could not be confirmed and is then flagged as approximate.
Member counts are the dated figures the papers quote (Colovic 2013, data of 2011). Contacts are
never real: the loader attaches fictitious desks (see ``demo.fiction``).
"""

from __future__ import annotations

from demo.profiles import OfferTemplate as T
from demo.spec import ContactSpec, LinkSpec, MemberCountSpec, StructureSpec

COLOVIC = "Colovic (2013), données 2011"
TORRES = "Torrès (2002)"
POMMIER = "Pommier (2012)"

FR = (("country", "FR"),)
# The partner countries the papers name for the four pôles (Colovic 2013).
POLE_PARTNER_COUNTRIES = (
    "BE",
    "NL",
    "DE",
    "US",
    "BR",
    "VN",
    "TN",
    "MA",
    "CN",
    "CA",
    "JP",
    "IT",
    "SE",
)

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
        offers=(
            T("information-orientation", delivery="remote"),
            T("partner-search", delivery="remote", cost="paid"),
            T("market-intelligence", delivery="remote", cost="paid"),
            T("shared-export-staff", delivery="remote", cost="paid", note="V.I.E."),
        ),
        markets=tuple((code, "active") for code in POLE_PARTNER_COUNTRIES),
        market_services=("partner-search", "market-intelligence"),
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
            T("trade-fairs", sectors=("cosmetique-parfum", "agroalimentaire"), members_only=True),
            T("prospecting-missions", sectors=("cosmetique-parfum",), members_only=True),
        ),
        markets=(("JP", "active"), ("US", "active")),
    ),
]

_POLE_CONTACTS = (
    ContactSpec("international", "Chargé de mission international", "Développement international"),
)

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
        markets=(("DE", "active"), ("US", "active"), ("SE", "active"), ("CN", "planned")),
        member_counts=(MemberCountSpec("members", 500, "2011-12-31", COLOVIC + " : plus de 500"),),
    ),
    StructureSpec(
        slug="lyonbiopole",
        name="Lyonbiopôle",
        kind="competitiveness_cluster",
        commune="69123",
        label_tier="mondial",
        legal_form="association loi 1901",
        description="Pôle mondial Lyon-Grenoble : vaccins et diagnostic.",
        coverage=(("region", "84"),),
        contacts=_POLE_CONTACTS,
        offers=(
            T("trade-fairs", sectors=("sante-biotech",), members_only=True, cost="subsidised"),
            T(
                "prospecting-missions",
                sectors=("sante-biotech",),
                members_only=True,
                application_required=True,
            ),
            T("inter-cluster-alliances", members_only=True),
            T("partner-search", members_only=True, cost="paid"),
        ),
        markets=(("US", "active"), ("CA", "active"), ("BE", "active"), ("CN", "active")),
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
        markets=(
            ("DE", "active"),
            ("IT", "active"),
            ("SE", "active"),
            ("JP", "active"),
            ("CN", "planned"),
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
        description="Pôle des contenus et services numériques de la région parisienne.",
        coverage=(("region", "11"),),
        contacts=_POLE_CONTACTS,
        markets=(
            ("CA", "active"),
            ("BR", "active"),
            ("MA", "active"),
            ("TN", "active"),
            ("NL", "active"),
            ("VN", "planned"),
        ),
        member_counts=(
            MemberCountSpec("members", 700, "2011-12-31", COLOVIC),
            MemberCountSpec("sme_members", 620, "2011-12-31", COLOVIC),
        ),
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
        markets=(("US", "active"), ("JP", "planned")),
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
        markets=(("CA", "active"), ("JP", "active")),
    ),
    StructureSpec(
        slug="cite-initiative-roubaix",
        name="Cité de l'Initiative",
        kind="cluster_spl",
        commune="59512",
        description="Pôle d'entreprises de Roubaix (Pommier 2012).",
        coverage=(("departement", "59"),),
        offers=(T("hosting-incubation", cost="paid"), T("information-orientation")),
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
        markets=(("CA", "active"), ("BE", "active")),
    ),
]

NAMED_LINKS: list[LinkSpec] = [
    LinkSpec(
        "systematic-paris-region",
        "cap-digital",
        "inter_cluster_alliance",
        countries=("US",),
        description="Actions communes à l'étranger des pôles franciliens.",
    ),
    LinkSpec("moveo", "systematic-paris-region", "partnership", description="Véhicule connecté."),
    LinkSpec(
        "lyonbiopole",
        "cap-digital",
        "inter_cluster_alliance",
        status="planned",
        countries=("CA",),
        description="Santé numérique (en projet).",
    ),
    LinkSpec("mecatem", "perfo-est", "partnership"),
    LinkSpec("pepiniere-internationale-montpellier", "cap-alpha", "partnership"),
    LinkSpec("cci-herault", "montpellier-mediterranee-technopole", "partnership"),
]

NAMED: list[StructureSpec] = NATIONAL + MONTPELLIER + SOPHIA_GRASSE + POLES + SPL

"""Demo data, part 2: the public networks in every région, offices abroad, and fictitious
private relays.

Every région (the 13 metropolitan ones, Corse and the five overseas régions 01–06) gets a CCI
régionale international desk, a Team France Export regional desk, a regional section of the
conseillers du commerce extérieur, a chambre de métiers et de l'artisanat, a Bpifrance desk and
a delegation of the exporters' club ("a delegation in every région", per the source research).
CCI régionales sit in the commune of their public seat where it is known (``seat_verified``);
the other regional bodies are placed in the same commune or the région's chef-lieu and flagged
approximate, since their hosting varies.

A few Business France offices abroad (the former postes d'expansion économique) sit in a city of
their country, with no French commune; their contacts are as fictitious as every other.

Firms, export groups and clubs below whose name ends in "(fictif)" do not exist.
"""

from __future__ import annotations

from demo.profiles import OFFER_PROFILES
from demo.profiles import OfferTemplate as T
from demo.spec import (
    SOURCE_ABROAD,
    SOURCE_FICTITIOUS,
    SOURCE_NETWORK,
    ContactSpec,
    LinkSpec,
    StructureSpec,
)

SOURCE_CLUB_DELEGATION = (
    "Démonstration — délégation régionale du Club des exportateurs (association nationale, "
    "« une délégation dans chaque région » selon la recherche source) ; commune approximative, "
    "contacts fictifs"
)

# (région code, région name, CCI name, seat commune, seat verified, région chef-lieu commune)
REGIONS: list[tuple[str, str, str, str, bool, str]] = [
    ("11", "Île-de-France", "CCI Paris Île-de-France", "75056", True, "75056"),
    ("24", "Centre-Val de Loire", "CCI Centre-Val de Loire", "45234", True, "45234"),
    ("27", "Bourgogne-Franche-Comté", "CCI Bourgogne-Franche-Comté", "21231", False, "21231"),
    ("28", "Normandie", "CCI Normandie", "14118", False, "76540"),
    ("32", "Hauts-de-France", "CCI Hauts-de-France", "59350", True, "59350"),
    ("44", "Grand Est", "CCI Grand Est", "67482", True, "67482"),
    ("52", "Pays de la Loire", "CCI Pays de la Loire", "44109", True, "44109"),
    ("53", "Bretagne", "CCI Bretagne", "35238", True, "35238"),
    ("75", "Nouvelle-Aquitaine", "CCI Nouvelle-Aquitaine", "33063", True, "33063"),
    ("76", "Occitanie", "CCI Occitanie", "31555", True, "31555"),
    ("84", "Auvergne-Rhône-Alpes", "CCI Auvergne-Rhône-Alpes", "69123", True, "69123"),
    ("93", "Provence-Alpes-Côte d'Azur", "CCI Provence-Alpes-Côte d'Azur", "13055", True, "13055"),
    ("94", "Corse", "CCI de Corse", "2A004", False, "2A004"),
    ("01", "Guadeloupe", "CCI Îles de Guadeloupe", "97120", True, "97105"),
    ("02", "Martinique", "CCI Martinique", "97209", True, "97209"),
    ("03", "Guyane", "CCI de la Guyane", "97302", True, "97302"),
    ("04", "La Réunion", "CCI Réunion", "97411", True, "97411"),
    ("06", "Mayotte", "CCI de Mayotte", "97611", True, "97611"),
]

REGION_SLUGS = {
    "11": "ile-de-france",
    "24": "centre-val-de-loire",
    "27": "bourgogne-franche-comte",
    "28": "normandie",
    "32": "hauts-de-france",
    "44": "grand-est",
    "52": "pays-de-la-loire",
    "53": "bretagne",
    "75": "nouvelle-aquitaine",
    "76": "occitanie",
    "84": "auvergne-rhone-alpes",
    "93": "provence-alpes-cote-d-azur",
    "94": "corse",
    "01": "guadeloupe",
    "02": "martinique",
    "03": "guyane",
    "04": "la-reunion",
    "06": "mayotte",
}

_TFE_CONTACTS = (ContactSpec("tfe", "Conseiller export Team France Export", "Conseil export"),)

# Bpifrance regional offices: (slug, label, seat commune, région, seat verified). Where no office
# of the région is known to the demo, the desk sits at the chef-lieu, flagged approximate.
BPIFRANCE_OFFICES: list[tuple[str, str, str, str, bool]] = [
    ("montpellier", "direction régionale de Montpellier", "34172", "76", True),
    ("toulouse", "direction régionale de Toulouse", "31555", "76", True),
    ("lyon", "direction régionale de Lyon", "69123", "84", True),
    ("marseille", "direction régionale de Marseille", "13055", "93", True),
    ("nice", "direction régionale de Nice", "06088", "93", True),
    ("lille", "direction régionale de Lille", "59350", "32", True),
    ("bordeaux", "direction régionale de Bordeaux", "33063", "75", True),
    ("rennes", "direction régionale de Rennes", "35238", "53", True),
    ("nantes", "direction régionale de Nantes", "44109", "52", True),
    ("strasbourg", "direction régionale de Strasbourg", "67482", "44", True),
    ("paris", "direction régionale de Paris", "75056", "11", True),
    ("rouen", "direction régionale de Rouen", "76540", "28", True),
    ("dijon", "direction régionale de Dijon", "21231", "27", True),
    ("orleans", "direction régionale d'Orléans", "45234", "24", True),
    ("la-reunion", "La Réunion", "97411", "04", False),
    ("corse", "Corse", "2A004", "94", False),
    ("guadeloupe", "Guadeloupe", "97105", "01", False),
    ("martinique", "Martinique", "97209", "02", False),
    ("guyane", "Guyane", "97302", "03", False),
    ("mayotte", "Mayotte", "97611", "06", False),
]


def regional_network() -> list[StructureSpec]:
    """Every région's CCI régionale, Team France Export desk, CCE section, CMA, Bpifrance desk
    and exporters' club delegation."""
    specs: list[StructureSpec] = []
    for code, name, cci_name, seat, verified, chef_lieu in REGIONS:
        slug = REGION_SLUGS[code]
        region = (("region", code),)
        specs.append(
            StructureSpec(
                slug=f"cci-{slug}",
                name=f"{cci_name} — service international",
                acronym=cci_name,
                kind="cci_regional",
                parent="cci-france",
                commune=seat,
                seat_verified=verified,
                legal_form="établissement public administratif",
                source=SOURCE_NETWORK,
                coverage=region,
                contacts=(ContactSpec("international", "Service international", "Accueil export"),),
            )
        )
        specs.append(
            StructureSpec(
                slug=f"team-france-export-{slug}",
                name=f"Team France Export {name}",
                kind="team_france_export",
                parent="business-france",
                commune=seat,
                seat_verified=False,
                source=SOURCE_NETWORK,
                description=(
                    "Guichet régional de l'export (ex-DRCE) : Business France, CCI, Bpifrance "
                    "et la Région."
                ),
                coverage=region,
                contacts=_TFE_CONTACTS,
            )
        )
        specs.append(
            StructureSpec(
                slug=f"cce-{slug}",
                name=f"Conseillers du commerce extérieur — comité {name}",
                kind="cce_section",
                parent="cnccef",
                commune=chef_lieu,
                seat_verified=False,
                legal_form="association",
                source=SOURCE_NETWORK,
                coverage=region,
                contacts=(ContactSpec("secretariat", "Secrétariat du comité régional"),),
            )
        )
        specs.append(
            StructureSpec(
                slug=f"cma-{slug}",
                name=f"CMA {name} — service international",
                acronym=f"CMA {name}",
                kind="cma",
                parent="cma-france",
                commune=chef_lieu,
                seat_verified=False,
                legal_form="établissement public administratif",
                source=SOURCE_NETWORK,
                coverage=region,
                contacts=(ContactSpec("international", "Service international des artisans"),),
            )
        )
        specs.append(
            StructureSpec(
                slug=f"club-exportateurs-delegation-{slug}",
                name=f"Club des exportateurs de France — délégation {name}",
                kind="exporters_club",
                parent="club-exportateurs-france",
                commune=chef_lieu,
                seat_verified=False,
                legal_form="association loi 1901",
                source=SOURCE_CLUB_DELEGATION,
                description="Délégation régionale : rencontres, partage d'expérience entre PME "
                "exportatrices adhérentes.",
                coverage=region,
                contacts=(ContactSpec("delegation", "Animation de la délégation régionale"),),
            )
        )
    specs += [
        StructureSpec(
            slug=f"bpifrance-{slug}",
            name=f"Bpifrance — {label}",
            kind="bpifrance",
            parent="bpifrance",
            commune=commune,
            seat_verified=verified,
            source=SOURCE_NETWORK,
            coverage=(("region", region),),
            contacts=(ContactSpec("international", "Chargé d'affaires international"),),
        )
        for slug, label, commune, region, verified in BPIFRANCE_OFFICES
    ]
    return specs


# Business France offices abroad: (slug, country, name, "of" and "in" forms, city, city point,
# languages of the fictitious desk).
OFFICES_ABROAD: list[tuple[str, str, str, str, str, str, tuple[float, float], str]] = [
    ("maroc", "MA", "Maroc", "du Maroc", "au Maroc", "Casablanca", (33.5731, -7.5898), "fr,ar,en"),
    ("japon", "JP", "Japon", "du Japon", "au Japon", "Tokyo", (35.6762, 139.6503), "fr,ja,en"),
    ("allemagne", "DE", "Allemagne", "de l'Allemagne", "en Allemagne", "Düsseldorf", (51.2277, 6.7735), "fr,de,en"),
    ("etats-unis", "US", "États-Unis", "des États-Unis", "aux États-Unis", "New York", (40.7128, -74.0060), "fr,en"),
    ("chine", "CN", "Chine", "de la Chine", "en Chine", "Pékin", (39.9042, 116.4074), "fr,zh,en"),
    ("espagne", "ES", "Espagne", "de l'Espagne", "en Espagne", "Madrid", (40.4168, -3.7038), "fr,es,en"),
]  # fmt: skip


def offices_abroad() -> list[StructureSpec]:
    """A few Business France offices abroad: competent for their own country, for every firm in
    France, reached through the regional Team France Export desk (rule R6)."""
    return [
        StructureSpec(
            slug=f"business-france-{slug}",
            name=f"Business France {name} (Team France Export) — bureau de {city}",
            acronym="Business France",
            kind="office_abroad",
            parent="business-france",
            commune="",
            country=iso,
            point=point,
            seat_verified=False,
            legal_form="bureau de l'établissement public Business France",
            source=SOURCE_ABROAD,
            description=(
                f"Bureau à l'étranger (ex-poste d'expansion économique) : accès au marché {of} "
                f"pour les entreprises françaises. Ville : {city}."
            ),
            coverage=(("country", "FR"),),
            markets=((iso, "active"),),
            market_services=tuple(t.service for t in OFFER_PROFILES["office_abroad"]),
            markets_source=f"Business France : bureau implanté {in_}",
            contacts=(
                ContactSpec(
                    "bureau",
                    f"Bureau Business France {name}",
                    "Accueil des entreprises françaises",
                    languages=languages,
                ),
                ContactSpec(
                    "adviser", "Chargé d'affaires export", kind="person", languages=languages
                ),
            ),
        )
        for slug, iso, name, of, in_, city, point, languages in OFFICES_ABROAD
    ]


def _net(slug, name, kind, commune, parent="", verified=True, **kw) -> StructureSpec:
    return StructureSpec(
        slug=slug,
        name=name,
        kind=kind,
        commune=commune,
        parent=parent,
        seat_verified=verified,
        source=SOURCE_NETWORK,
        **kw,
    )


def local_network() -> list[StructureSpec]:
    """CCI territoriales, départemental CMA, chambers of agriculture, EEN contact points."""
    cci = [
        ("cci-gard", "CCI Gard", "30189", "30", "occitanie"),
        ("cci-aix-marseille-provence", "CCI Aix-Marseille-Provence", "13055", "13", "provence-alpes-cote-d-azur"),
        ("cci-nice-cote-d-azur", "CCI Nice Côte d'Azur", "06088", "06", "provence-alpes-cote-d-azur"),
        ("cci-lyon-metropole", "CCI Lyon Métropole Saint-Étienne Roanne", "69123", "69", "auvergne-rhone-alpes"),
        ("cci-paris", "CCI Paris", "75056", "75", "ile-de-france"),
        ("cci-essonne", "CCI Essonne", "91228", "91", "ile-de-france"),
        ("cci-grand-lille", "CCI Grand Lille", "59350", "59", "hauts-de-france"),
        ("cci-bordeaux-gironde", "CCI Bordeaux Gironde", "33063", "33", "nouvelle-aquitaine"),
        ("cci-toulouse", "CCI Toulouse Haute-Garonne", "31555", "31", "occitanie"),
        ("cci-nantes-st-nazaire", "CCI Nantes St-Nazaire", "44109", "44", "pays-de-la-loire"),
        ("cci-ille-et-vilaine", "CCI Ille-et-Vilaine", "35238", "35", "bretagne"),
        ("cci-alsace-eurometropole", "CCI Alsace Eurométropole", "67482", "67", "grand-est"),
        ("cci-territoire-de-belfort", "CCI du Territoire de Belfort", "90010", "90", "bourgogne-franche-comte"),
        ("cci-charente", "CCI de la Charente", "16015", "16", "nouvelle-aquitaine"),
        ("cci-bayonne-pays-basque", "CCI Bayonne Pays Basque", "64102", "64", "nouvelle-aquitaine"),
        ("cci-rouen-metropole", "CCI Rouen Métropole", "76540", "76", "normandie"),
    ]  # fmt: skip
    specs = [
        _net(
            slug,
            f"{name} — service international",
            "cci",
            commune,
            parent=f"cci-{region}",
            acronym=name,
            legal_form="établissement public administratif",
            coverage=(("departement", dep),),
            contacts=(ContactSpec("international", "Service international", "Accueil export"),),
        )
        for slug, name, commune, dep, region in cci
    ]
    # Départemental chambers of trades under their région's (regional_network()).
    cma = [
        ("cma-herault", "CMA Hérault", "34172", "34", "occitanie"),
        ("cma-gard", "CMA Gard", "30189", "30", "occitanie"),
    ]
    specs += [
        _net(
            slug,
            f"{name} — service international",
            "cma",
            commune,
            parent=f"cma-{region}",
            verified=False,
            acronym=name,
            coverage=(("departement", dep),),
            contacts=(ContactSpec("international", "Service international des artisans"),),
        )
        for slug, name, commune, dep, region in cma
    ]
    agri = [
        ("chambre-agriculture-occitanie", "Chambre régionale d'agriculture d'Occitanie", "31555", ("region", "76"), False),
        ("chambre-agriculture-herault", "Chambre d'agriculture de l'Hérault", "34129", ("departement", "34"), True),
        ("chambre-agriculture-gard", "Chambre d'agriculture du Gard", "30189", ("departement", "30"), False),
        ("chambre-agriculture-bouches-du-rhone", "Chambre d'agriculture des Bouches-du-Rhône", "13001", ("departement", "13"), False),
        ("chambre-agriculture-rhone", "Chambre d'agriculture du Rhône", "69123", ("departement", "69"), False),
        ("chambre-agriculture-bretagne", "Chambre régionale d'agriculture de Bretagne", "35238", ("region", "53"), False),
        ("chambre-agriculture-gironde", "Chambre d'agriculture de la Gironde", "33063", ("departement", "33"), False),
        ("chambre-agriculture-guadeloupe", "Chambre d'agriculture de la Guadeloupe", "97103", ("departement", "971"), False),
    ]  # fmt: skip
    specs += [
        _net(
            slug,
            f"{name} — service international",
            "chamber_agriculture",
            commune,
            parent="chambres-agriculture-france",
            verified=verified,
            coverage=(cov,),
            contacts=(ContactSpec("export", "Conseil export agroalimentaire"),),
        )
        for slug, name, commune, cov, verified in agri
    ]
    een = [
        ("occitanie", "Occitanie", "31555", "76", "cci-occitanie"),
        ("auvergne-rhone-alpes", "Auvergne-Rhône-Alpes", "69123", "84", "cci-auvergne-rhone-alpes"),
        ("ile-de-france", "Île-de-France", "75056", "11", "cci-ile-de-france"),
        ("grand-est", "Grand Est", "67482", "44", "cci-grand-est"),
        ("bretagne", "Bretagne", "35238", "53", "cci-bretagne"),
        ("provence-alpes-cote-d-azur", "Provence-Alpes-Côte d'Azur", "13055", "93", "cci-provence-alpes-cote-d-azur"),
    ]  # fmt: skip
    specs += [
        _net(
            f"een-{slug}",
            f"Enterprise Europe Network — point de contact {name}",
            "een_contact_point",
            commune,
            verified=False,
            acronym="EEN",
            description="Point de contact du réseau européen, hébergé par la CCI régionale.",
            coverage=(("region", region),),
            contacts=(
                ContactSpec("een", "Conseiller Enterprise Europe Network", languages="fr,en,de"),
            ),
            extra={"host": host},
        )
        for slug, name, commune, region, host in een
    ]
    specs += [
        _net(
            "region-occitanie",
            "Région Occitanie — direction de l'international",
            "territorial_authority",
            "31555",
            legal_form="collectivité territoriale",
            coverage=(("region", "76"),),
        ),
        _net(
            "ad-occitanie",
            "AD'OCC — agence de développement économique d'Occitanie",
            "regional_agency",
            "34172",
            verified=False,
            coverage=(("region", "76"),),
        ),
        _net(
            "team-france-export-occitanie-montpellier",
            "Team France Export Occitanie — antenne de Montpellier",
            "team_france_export",
            "34172",
            parent="business-france",
            verified=False,
            coverage=(("departement", "34"), ("departement", "30"), ("departement", "48")),
            contacts=_TFE_CONTACTS,
        ),
    ]
    return specs


def _fict(slug, name, kind, commune, **kw) -> StructureSpec:
    return StructureSpec(
        slug=slug,
        name=name,
        kind=kind,
        commune=commune,
        fictitious=True,
        source=SOURCE_FICTITIOUS,
        **kw,
    )


# Export groups created by the CCI around Montpellier since 1998 (Torrès 2002): names invented.
EXPORT_GROUPS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("vignobles-du-pic", "Groupement export Vignobles du Pic (fictif)", "34172", "1998", ("vins-spiritueux",)),
    ("sante-lez", "Groupement export Santé Lez (fictif)", "34057", "1999", ("sante-biotech",)),
    ("numerique-garrigues", "Groupement export Numérique des Garrigues (fictif)", "34077", "1999", ("numerique",)),
    ("saveurs-etang-de-l-or", "Groupement export Saveurs de l'Étang de l'Or (fictif)", "34154", "2000", ("agroalimentaire",)),
    ("mecanique-lunellois", "Groupement export Mécanique du Lunellois (fictif)", "34145", "2000", ("mecanique",)),
    ("mer-et-littoral", "Groupement export Mer et Littoral (fictif)", "34301", "2001", ()),
    ("eco-construction", "Groupement export Éco-construction (fictif)", "34129", "2001", ("environnement",)),
    ("cosmetique-mediterranee", "Groupement export Cosmétique Méditerranée (fictif)", "34198", "2002", ("cosmetique-parfum",)),
]  # fmt: skip

# Département clubs, each under its région's delegation: (slug, label, seat, département, région).
CLUBS: list[tuple[str, str, str, str, str]] = [
    ("herault", "de l'Hérault", "34172", "34", "occitanie"),
    ("gard", "du Gard", "30189", "30", "occitanie"),
    ("bouches-du-rhone", "des Bouches-du-Rhône", "13055", "13", "provence-alpes-cote-d-azur"),
    ("rhone", "du Rhône", "69123", "69", "auvergne-rhone-alpes"),
    ("nord", "du Nord", "59350", "59", "hauts-de-france"),
    ("gironde", "de la Gironde", "33063", "33", "nouvelle-aquitaine"),
    ("essonne", "de l'Essonne", "91228", "91", "ile-de-france"),
    ("corse-du-sud", "de Corse-du-Sud", "2A004", "2A", "corse"),
    ("guadeloupe", "de la Guadeloupe", "97120", "971", "guadeloupe"),
]


def fictitious() -> list[StructureSpec]:
    specs = [
        _fict(
            f"groupement-export-{slug}",
            name,
            "export_group",
            commune,
            parent="cci-herault",
            legal_form="association loi 1901",
            description=(
                f"Trois à cinq PME non concurrentes partageant un cadre export à temps partiel, "
                f"créé avec la CCI en {year}."
            ),
            offers=(
                T(
                    "shared-export-staff",
                    sectors=sectors,
                    members_only=True,
                    cost="paid",
                    max_employees=249,
                ),
            ),
            contacts=(ContactSpec("cadre", "Cadre export à temps partagé", kind="person"),),
        )
        for slug, name, commune, year, sectors in EXPORT_GROUPS
    ]
    specs += [
        _fict(
            f"club-exportateurs-{slug}",
            f"Club départemental des exportateurs {label} (fictif)",
            "exporters_club",
            commune,
            parent=f"club-exportateurs-delegation-{region}",
            legal_form="association loi 1901",
            coverage=(("departement", dep),),
            contacts=(ContactSpec("animation", "Animation du club"),),
        )
        for slug, label, commune, dep, region in CLUBS
    ]
    specs += [
        _fict("exemple-export-conseil", "Exemple Export Conseil (cabinet fictif)", "consultant", "34172",
              markets=(("MA", "active"), ("TN", "active"), ("ES", "active")),
              market_services=("partner-search", "market-intelligence")),
        _fict("cabinet-demo-international", "Cabinet Démo International (fictif)", "consultant", "69123",
              coverage=(("region", "84"),)),
        _fict("fictif-et-associes", "Fictif & Associés, développement international (fictif)", "consultant", "75056",
              coverage=(("country", "FR"),),
              offers=(T("market-intelligence", cost="paid", delivery="remote"),
                      T("partner-search", cost="paid", delivery="remote", min_employees=10)),
              markets=(("US", "active"), ("CA", "active"), ("CN", "active")),
              market_services=("partner-search",)),
        _fict("atlas-demo-conseil", "Atlas Démo Conseil (fictif)", "consultant", "13055",
              coverage=(("region", "93"), ("region", "76")),
              markets=(("MA", "active"), ("TN", "active"), ("DZ", "planned")),
              market_services=("partner-search", "market-intelligence")),
        _fict("traductions-exemple", "Traductions Exemple (fictif)", "other", "34172",
              coverage=(("country", "FR"),),
              offers=(T("translation", cost="paid", delivery="remote"),)),
        _fict("transit-demo-mediterranee", "Transit Démo Méditerranée (fictif)", "freight_forwarder", "34301"),
        _fict("logistique-exemple-rhone", "Logistique Exemple Rhône (fictif)", "freight_forwarder", "69259"),
        _fict("transports-fictifs-du-nord", "Transports Fictifs du Nord (fictif)", "freight_forwarder", "59512"),
        _fict("transit-demo-atlantique", "Transit Démo Atlantique (fictif)", "freight_forwarder", "44184"),
        _fict("transit-demo-antilles", "Transit Démo Antilles (fictif)", "freight_forwarder", "97103"),
        _fict("negoce-demo-import-export", "Négoce Démo Import-Export (fictif)", "import_export_firm", "13055",
              markets=(("MA", "active"), ("SN", "active")), market_services=("partner-search",)),
        _fict("banque-demo-exportateurs", "Banque Démo des Exportateurs (fictif)", "bank", "34172",
              offers=(T("export-finance", cost="paid", min_employees=5, min_age_years=2),)),
    ]  # fmt: skip
    return specs


SOURCE_EXPORT_GROUPS = (
    "Torrès (2002) : la pépinière internationale de la CCI doit héberger des groupements à "
    "l'export (groupements fictifs)"
)
SOURCE_EEN = "Enterprise Europe Network : point de contact hébergé par la CCI régionale"


def network_links() -> list[LinkSpec]:
    links = [
        LinkSpec(
            f"groupement-export-{slug}",
            "pepiniere-internationale-montpellier",
            "partnership",
            source=SOURCE_EXPORT_GROUPS,
        )
        for slug, *_rest in EXPORT_GROUPS[:3]
    ]
    links += [
        LinkSpec(spec.slug, spec.extra["host"], "partnership", source=SOURCE_EEN)
        for spec in local_network()
        if spec.kind == "een_contact_point"
    ]
    return links

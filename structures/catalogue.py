"""The reference catalogues every installation ships: services, NAF rév. 2 sectors, filières.

Data migrations call the ``sync_*`` functions with historical models; the ``load_catalogues``
management command calls them with the current ones. They are idempotent: rows are matched on
their ``code`` and updated in place, so ids (and every offer pointing at them) survive a refresh.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
NAF_FILE = DATA_DIR / "naf_rev2.json"

# (code, French name, English name, French description, hard core of rule R7)
SERVICES: list[tuple[str, str, str, str, bool]] = [
    (
        "information-orientation",
        "Information et orientation",
        "Information and referral",
        "Premier accueil, information sur l'export et orientation vers le bon interlocuteur.",
        False,
    ),
    (
        "export-diagnosis",
        "Diagnostic export",
        "Export readiness assessment",
        "Évaluation de la capacité à exporter et choix des marchés prioritaires.",
        False,
    ),
    (
        "prospecting-missions",
        "Missions de prospection à l'étranger",
        "Prospecting missions abroad",
        "Missions collectives ou individuelles de prospection sur un marché étranger.",
        False,
    ),
    (
        "trade-fairs",
        "Salons internationaux et pavillons collectifs",
        "Trade fairs and collective stands",
        "Participation à des salons à l'étranger, souvent sur un stand partagé.",
        False,
    ),
    (
        "partner-search",
        "Recherche de partenaires et de distributeurs",
        "Partner and distributor search",
        "Identification et mise en relation avec des agents, distributeurs ou partenaires.",
        False,
    ),
    (
        "export-finance",
        "Financement export",
        "Export finance",
        "Prêts, avances et garanties pour financer le développement international.",
        True,
    ),
    (
        "export-insurance",
        "Assurance prospection et crédit export",
        "Export credit and prospecting insurance",
        "Assurance prospection, assurance crédit export et assurance transport.",
        True,
    ),
    (
        "customs-regulations",
        "Douane et réglementation",
        "Customs and regulations",
        "Formalités douanières, origine, réglementations des marchés cibles.",
        False,
    ),
    (
        "transport-logistics",
        "Transport et logistique",
        "Transport and logistics",
        "Acheminement, transit, incoterms et logistique internationale.",
        True,
    ),
    (
        "international-training",
        "Formation à l'international",
        "International training",
        "Formations au commerce international, aux langues et aux pratiques des marchés.",
        False,
    ),
    (
        "mentoring",
        "Parrainage par des exportateurs expérimentés",
        "Mentoring by experienced exporters",
        "Accompagnement d'un primo-exportateur par un professionnel expérimenté.",
        False,
    ),
    (
        "shared-export-staff",
        "Personnel export partagé (groupement, VIE)",
        "Shared export staff (export groups, VIE)",
        "Cadre export à temps partagé entre PME, volontariat international en entreprise.",
        False,
    ),
    (
        "public-aid",
        "Mobilisation des aides publiques et européennes",
        "Public and EU funding",
        "Repérage des aides régionales, nationales et européennes et appui au montage.",
        True,
    ),
    (
        "legal-ip-standards",
        "Juridique, propriété intellectuelle et normes",
        "Legal, IP and standards",
        "Contrats internationaux, protection de la propriété intellectuelle, normes et "
        "certifications.",
        False,
    ),
    (
        "translation",
        "Traduction et interprétariat",
        "Translation and interpreting",
        "Traduction de documents commerciaux et interprétariat lors de rendez-vous.",
        False,
    ),
    (
        "hosting-incubation",
        "Hébergement et incubation",
        "Hosting and incubation",
        "Hébergement de jeunes entreprises ou de groupements à l'export, services partagés.",
        False,
    ),
    (
        "inter-cluster-alliances",
        "Alliances inter-clusters",
        "Inter-cluster alliances",
        "Partenariats entre pôles ou clusters français et étrangers ouverts aux membres.",
        False,
    ),
    (
        "market-intelligence",
        "Veille et études de marché",
        "Market intelligence",
        "Études de marché, veille réglementaire et concurrentielle sur les pays cibles.",
        False,
    ),
]

# (code, French name, English name, NAF divisions spanned)
FILIERES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("agroalimentaire", "Agroalimentaire", "Agri-food", ("10", "11")),
    ("vins-spiritueux", "Vins et spiritueux", "Wines and spirits", ("01", "11")),
    ("aeronautique-spatial", "Aéronautique et spatial", "Aerospace", ("30", "33")),
    ("numerique", "Numérique", "Digital technologies", ("26", "58", "62", "63")),
    (
        "image-contenus",
        "Image et contenus numériques",
        "Images and digital content",
        ("58", "59", "60"),
    ),
    ("sante-biotech", "Santé et biotechnologies", "Health and biotechnology", ("21", "32", "72")),
    (
        "mobilite-automobile",
        "Mobilité et automobile",
        "Mobility and automotive",
        ("29", "30", "45"),
    ),
    (
        "mecanique",
        "Mécanique et métallurgie",
        "Mechanical engineering and metalworking",
        ("24", "25", "28", "33"),
    ),
    ("textile-habillement", "Textile et habillement", "Textiles and clothing", ("13", "14", "15")),
    ("cosmetique-parfum", "Cosmétique et parfumerie", "Cosmetics and perfumery", ("20",)),
    ("chimie-materiaux", "Chimie et matériaux", "Chemicals and materials", ("20", "22", "23")),
    ("energie", "Énergie", "Energy", ("27", "35")),
    (
        "environnement",
        "Eau, déchets et environnement",
        "Water, waste and environment",
        ("36", "37", "38", "39"),
    ),
    (
        "glisse-sport",
        "Glisse et articles de sport",
        "Board sports and sporting goods",
        ("32", "93"),
    ),
]


def sync_services(service_model) -> int:
    """Create or update the 18 services; returns how many rows were written."""
    for position, (code, name, name_en, description, hard_core) in enumerate(SERVICES, start=1):
        service_model.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "description": description,
                "is_hard_core": hard_core,
                "position": position * 10,
            },
        )
    return len(SERVICES)


@functools.cache
def naf_reference() -> dict:
    """The vendored NAF rév. 2 file: ``{"source", "sections", "divisions"}``; shared, do not modify."""
    return json.loads(NAF_FILE.read_text(encoding="utf-8"))


def sync_naf(sector_model) -> int:
    """Create or update NAF rév. 2 sections and divisions from the vendored file.

    French names are INSEE's, English ones the NACE Rev. 2 titles (NAF rév. 2 shares its
    sections and divisions with NACE Rev. 2); both are rewritten on every run, so a database
    loaded before a name changed in the file gets the new one.
    """
    data = naf_reference()
    sections = {}
    for row in data["sections"]:
        sections[row["code"]], _created = sector_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "kind": "naf_section",
                "name": row["name"],
                "name_en": row["name_en"],
                "parent": None,
            },
        )
    for row in data["divisions"]:
        sector_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "kind": "naf_division",
                "name": row["name"],
                "name_en": row["name_en"],
                "parent": sections[row["section"]],
            },
        )
    return len(data["sections"]) + len(data["divisions"])


def sync_filieres(sector_model) -> int:
    """Create or update the filières and their NAF divisions (run after ``sync_naf``)."""
    for code, name, name_en, divisions in FILIERES:
        filiere, _created = sector_model.objects.update_or_create(
            code=code, defaults={"kind": "filiere", "name": name, "name_en": name_en}
        )
        filiere.naf_divisions.set(
            sector_model.objects.filter(kind="naf_division", code__in=divisions)
        )
    return len(FILIERES)


def sync_all() -> dict[str, int]:
    """Refresh every catalogue with the current models (management command entry point)."""
    from structures.models import Sector, Service

    return {
        "services": sync_services(Service),
        "naf": sync_naf(Sector),
        "filieres": sync_filieres(Sector),
    }

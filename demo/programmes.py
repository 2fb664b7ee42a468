"""Demo programmes and their local doors (issue 15, rule R6: "le global dans le local").

The schemes are the ones the sources and the public export network name (Torrès 2002 on the
DRCE's subsidies and COFACE's prospecting insurance, later Bpifrance Assurance Export; the
V.I.E of Business France; the EU's FEDER reached through local officers; a Région's export aids;
a département's territorial pact, fictitious). Doors sit at demo structures that cover their
territory, their desk being one of the demo's fictitious contacts. Descriptions are short and
general: check a scheme's official page before relying on its conditions.

Idempotent, keyed on the programme's slug and on (programme, territory, structure) for doors; a
door whose structure or territory is missing from the loaded data (a partial reference) or that
fails validation is skipped with a warning, never a crash.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from demo.loader import DemoReport, _upsert
from demo.network import BPIFRANCE_OFFICES, REGION_SLUGS
from structures.models import Contact, Programme, ProgrammeEntryPoint, Service, Structure
from territories.models import Territory

DEMO_NOTE = "Présentation simplifiée du jeu de démonstration : vérifiez sur la page officielle."


@dataclass(frozen=True)
class DoorSpec:
    level: str  # territory level: "commune", "epci", "departement", "region", "country"
    code: str
    structure: str  # slug
    note: str = ""


@dataclass(frozen=True)
class ProgrammeSpec:
    slug: str
    name: str
    level: str
    services: tuple[str, ...]
    summary: str
    operator: str = ""  # slug of a demo structure
    operator_name: str = ""  # always given: shown when the operator is not loaded
    area: tuple[str, str] | None = None  # (level, code)
    eligibility: str = ""
    min_employees: int | None = None
    max_employees: int | None = None
    official_url: str = ""
    starts_on: str | None = None
    ends_on: str | None = None
    doors: tuple[DoorSpec, ...] = field(default=())


def _one_bpifrance_office_per_region() -> dict[str, str]:
    offices: dict[str, str] = {}
    for slug, _label, _commune, region, _verified in BPIFRANCE_OFFICES:
        offices.setdefault(region, f"bpifrance-{slug}")
    return offices


def _bpifrance_doors(note: str) -> tuple[DoorSpec, ...]:
    return tuple(
        DoorSpec("region", region, slug, note)
        for region, slug in _one_bpifrance_office_per_region().items()
    )


def _tfe_doors(note: str) -> tuple[DoorSpec, ...]:
    return tuple(
        DoorSpec("region", code, f"team-france-export-{slug}", note)
        for code, slug in REGION_SLUGS.items()
    )


_TFE_MONTPELLIER = tuple(
    DoorSpec(
        "departement",
        code,
        "team-france-export-occitanie-montpellier",
        "Antenne de proximité : prépare le dossier avec l'entreprise.",
    )
    for code in ("34", "30", "48")
)


def demo_programmes() -> tuple[ProgrammeSpec, ...]:
    return (
        ProgrammeSpec(
            slug="assurance-prospection-bpifrance",
            name="Assurance prospection (Bpifrance Assurance Export)",
            level="national",
            operator="bpifrance",
            operator_name="Bpifrance",
            services=("export-insurance", "export-finance"),
            summary=(
                "Avance une partie des dépenses de prospection à l'étranger et assure l'entreprise "
                "contre l'échec commercial (héritière de l'assurance prospection de la COFACE "
                "citée par Torrès, 2002). " + DEMO_NOTE
            ),
            eligibility="Entreprises françaises, en particulier PME et ETI, ayant un projet "
            "de prospection à l'international.",
            official_url="https://www.bpifrance.fr/catalogue-offres/assurance-prospection",
            doors=(
                *_bpifrance_doors("Chargé d'affaires international de la direction régionale."),
                *_TFE_MONTPELLIER,
            ),
        ),
        ProgrammeSpec(
            slug="pret-credit-export-bpifrance",
            name="Prêt et crédit export (Bpifrance)",
            level="national",
            operator="bpifrance",
            operator_name="Bpifrance",
            services=("export-finance",),
            summary=(
                "Financement du développement à l'international (prêt sans garantie) et crédit "
                "export pour l'acheteur étranger. " + DEMO_NOTE
            ),
            eligibility="PME et ETI de plus de trois ans, selon le produit.",
            official_url="https://www.bpifrance.fr/",
            doors=_bpifrance_doors("Direction régionale : étude du dossier de financement."),
        ),
        ProgrammeSpec(
            slug="vie-business-france",
            name="V.I.E — Volontariat international en entreprise",
            level="national",
            operator="business-france",
            operator_name="Business France",
            services=("shared-export-staff", "international-training"),
            summary=(
                "Une mission de 6 à 24 mois à l'étranger, confiée à un jeune de 18 à 28 ans, "
                "gérée par Business France ; peut être partagée entre plusieurs PME. " + DEMO_NOTE
            ),
            eligibility="Entreprises françaises ; V.I.E à temps partagé pour les PME.",
            official_url="https://mon-vie-via.businessfrance.fr/",
            doors=(
                *_tfe_doors("Conseiller export de la Team France Export régionale."),
                DoorSpec(
                    "commune",
                    "34172",
                    "cci-herault",
                    "Pôle groupements export : V.I.E à temps partagé entre PME.",
                ),
            ),
        ),
        ProgrammeSpec(
            slug="aides-export-region-occitanie",
            name="Aides régionales à l'export de la Région Occitanie",
            level="regional",
            operator="region-occitanie",
            operator_name="Région Occitanie",
            area=("region", "76"),
            services=("public-aid", "trade-fairs", "prospecting-missions"),
            summary=(
                "Subventions régionales aux projets d'export des PME (salons, prospection, "
                "recrutement), dans la lignée des aides régionales au commerce extérieur "
                "(FRAEX) citées par Torrès (2002). " + DEMO_NOTE
            ),
            eligibility="PME ayant un établissement en Occitanie.",
            max_employees=249,
            official_url="https://www.laregion.fr/",
            doors=(
                DoorSpec("region", "76", "ad-occitanie", "Instruit les dossiers pour la Région."),
                *_TFE_MONTPELLIER,
                DoorSpec("departement", "31", "cci-toulouse", "Accueil et orientation."),
            ),
        ),
        ProgrammeSpec(
            slug="feder",
            name="FEDER — Fonds européen de développement régional",
            level="eu",
            operator_name="Union européenne (autorité de gestion : les Régions)",
            services=("public-aid",),
            summary=(
                "Fonds européen géré par les Régions : il cofinance des projets d'innovation, "
                "de compétitivité et d'internationalisation des PME ; les chargés de mission "
                "locaux aident à monter les dossiers. " + DEMO_NOTE
            ),
            eligibility="Selon le programme opérationnel régional et l'appel à projets.",
            official_url="https://www.europe-en-france.gouv.fr/",
            doors=(
                *(
                    DoorSpec(
                        "region",
                        code,
                        f"een-{slug}",
                        "Point de contact européen : orientation vers l'appel à projets.",
                    )
                    for code, slug in (
                        ("76", "occitanie"),
                        ("84", "auvergne-rhone-alpes"),
                        ("11", "ile-de-france"),
                        ("44", "grand-est"),
                        ("53", "bretagne"),
                        ("93", "provence-alpes-cote-d-azur"),
                    )
                ),
                DoorSpec(
                    "departement",
                    "34",
                    "departement-herault",
                    "Chargés de mission fonds européens du Département.",
                ),
            ),
        ),
        ProgrammeSpec(
            slug="pacte-territorial-herault",
            name="Pacte territorial de l'Hérault pour l'international (fictif)",
            level="departemental",
            operator="departement-herault",
            operator_name="Conseil départemental de l'Hérault",
            area=("departement", "34"),
            services=("information-orientation", "public-aid", "hosting-incubation"),
            summary=(
                "Dispositif fictif du jeu de démonstration : un département qui fédère ses "
                "relais (CCI, technopole, pépinière internationale) autour d'un guichet unique "
                "pour les PME qui s'ouvrent à l'international."
            ),
            eligibility="PME et jeunes entreprises installées dans l'Hérault.",
            starts_on="2025-01-01",
            ends_on="2027-12-31",
            doors=(
                DoorSpec("departement", "34", "departement-herault", "Guichet unique du pacte."),
                DoorSpec(
                    "epci",
                    "243400017",
                    "montpellier-mediterranee-technopole",
                    "Pour les entreprises de la métropole de Montpellier.",
                ),
            ),
        ),
    )


def _desk(structure: Structure) -> Contact | None:
    return (
        Contact.objects.filter(structure=structure, is_public=True)
        .order_by("position", "pk")
        .first()
    )


def load_demo_programmes(*, report: DemoReport, structures: dict[str, Structure]) -> None:
    """Write the demo programmes and their doors."""
    services = {s.code: s for s in Service.objects.all()}
    territories: dict[tuple[str, str], Territory | None] = {}

    def territory(level: str, code: str) -> Territory | None:
        if (level, code) not in territories:
            territories[level, code] = Territory.objects.filter(level=level, code=code).first()
        return territories[level, code]

    for spec in demo_programmes():
        area = territory(*spec.area) if spec.area else None
        if spec.area and area is None:
            report.warnings.append(
                f"dispositif {spec.slug} : territoire {spec.area} absent, ignoré."
            )
            continue
        operator = structures.get(spec.operator) if spec.operator else None
        programme = _upsert(
            report,
            "dispositifs",
            Programme,
            {"slug": spec.slug},
            {
                "name": spec.name,
                "level": spec.level,
                "operator": operator,
                "operator_name": spec.operator_name,
                "area": area,
                "summary": spec.summary,
                "eligibility": spec.eligibility,
                "min_employees": spec.min_employees,
                "max_employees": spec.max_employees,
                "official_url": spec.official_url,
                "starts_on": _date(spec.starts_on),
                "ends_on": _date(spec.ends_on),
                "is_active": True,
                "is_demo": True,
            },
            clean=True,
        )
        wanted_services = {services[c].pk for c in spec.services if c in services}
        current = set(programme.services.values_list("pk", flat=True))
        if current != wanted_services:
            programme.services.set(wanted_services)
        kept: set[int] = set()
        for door in spec.doors:
            place, structure = territory(door.level, door.code), structures.get(door.structure)
            if place is None or structure is None:
                report.warnings.append(
                    f"porte {spec.slug} / {door.level} {door.code} / {door.structure} : "
                    "territoire ou structure absent, ignorée."
                )
                continue
            row = ProgrammeEntryPoint.objects.filter(
                programme=programme, territory=place, structure=structure
            ).first()
            values = {"contact": _desk(structure), "note": door.note}
            if row is None:
                row = ProgrammeEntryPoint(
                    programme=programme, territory=place, structure=structure, **values
                )
                label = "created"
            elif any(getattr(row, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                label = "updated"
            else:
                kept.add(row.pk)
                report.unchanged["portes d'entrée"] += 1
                continue
            try:
                row.full_clean()
            except ValidationError as exc:
                report.warnings.append(
                    f"porte {spec.slug} / {door.level} {door.code} / {door.structure} : "
                    f"{'; '.join(exc.messages)}"
                )
                continue
            row.save()
            kept.add(row.pk)
            getattr(report, label)["portes d'entrée"] += 1
        stale = ProgrammeEntryPoint.objects.filter(programme=programme).exclude(pk__in=kept)
        report.deleted["portes d'entrée"] += stale.count()
        stale.delete()


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None

"""Writes the demo dataset: ``load_demo()`` (called by ``python manage.py load_demo``).

Idempotent and keyed on natural keys: structures on their slug, offers on (structure, service),
contacts on (structure, name), member counts on (structure, kind, date), links on (from, to,
kind), SMEs on their SIRET. A second run finds every row as wanted and writes nothing. One
transaction: a failure leaves the database as it was.

A commune or territory missing from the loaded reference (a partial load, e.g. the test subset)
never crashes the load: the row is skipped, or the coverage falls back, with a warning line.

A structure abroad (an office of Business France, a foreign partner cluster) has its country and
its city's point instead of a French commune. Every partner country, alliance and link is written
with the source line its spec gives (offer descriptions, link descriptions).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from demo import fiction
from demo.dataset import demo_links, demo_structures, offer_templates
from demo.freshness import spread_confirmations
from demo.profiles import (
    COMMUNE,
    DEFAULT_COVERAGE,
    DEPARTEMENT,
    EPCI,
    FRANCE,
    OWN,
    REGION,
    OfferTemplate,
)
from demo.spec import (
    ABROAD_APPROXIMATE_NOTE,
    APPROXIMATE_NOTE,
    DEMO_LICENCE,
    ContactSpec,
    StructureSpec,
)
from structures.models import (
    Contact,
    Offer,
    OfferCoverage,
    OfferMarket,
    Sector,
    Service,
    Structure,
    StructureCoverage,
    StructureLink,
    StructureMemberCount,
)
from structures.relay.indexing import deferred_refresh
from structures.validators import normalize_phone
from territories.models import Territory, TerritoryAncestor

DEMO_SEED = 2002  # Torrès (2002): any fixed value makes the demo SMEs reproducible.
PUBLIC_HOURS = "Mo-Fr 09:00-12:00,14:00-17:30; PH off"
PRIVATE_KINDS = {"consultant", "freight_forwarder", "import_export_firm", "bank", "other"}

_DEFAULT_DESK = {
    "cci": ("Service international", "Accueil export"),
    "cci_regional": ("Service international", "Accueil export"),
    "cci_national": ("Direction de l'international", ""),
    "team_france_export": ("Conseiller export Team France Export", "Conseil export"),
    "cce_section": ("Secrétariat du comité", ""),
    "exporters_club": ("Animation du club", ""),
    "competitiveness_cluster": ("Chargé de mission international", ""),
    "bpifrance": ("Chargé d'affaires international", ""),
    "freight_forwarder": ("Service transit et douane", ""),
    "consultant": ("Conseil en développement international", ""),
    "office_abroad": ("Bureau Business France", "Accueil des entreprises françaises"),
}
# Kinds that also name a (fictitious) adviser: "give a name" (rule R3).
_PERSON_KINDS = {
    "cci",
    "cci_regional",
    "team_france_export",
    "competitiveness_cluster",
    "office_abroad",
}


@dataclass
class DemoReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            sum(self.created.values()) or sum(self.updated.values()) or sum(self.deleted.values())
        )

    def lines(self) -> list[str]:
        labels = sorted(
            set(self.created) | set(self.updated) | set(self.unchanged) | set(self.deleted)
        )
        lines = [
            f"{label} : {self.created[label]} créé(s), {self.updated[label]} modifié(s), "
            f"{self.unchanged[label]} inchangé(s), {self.deleted[label]} supprimé(s)"
            for label in labels
        ]
        lines += [f"Avertissement : {warning}" for warning in self.warnings]
        if not self.changed:
            lines.append("Aucun changement : le jeu de démonstration est déjà à jour.")
        return lines


class _Context:
    """Reference rows fetched once: services, sectors, territories and each seat's ancestors."""

    def __init__(self, report: DemoReport, specs: tuple[StructureSpec, ...]) -> None:
        self.report = report
        self.services = {s.code: s for s in Service.objects.all()}
        self.sectors = {s.code: s for s in Sector.objects.all()}
        codes = {spec.commune for spec in specs if spec.commune}
        self.communes = {
            t.code: t for t in Territory.objects.filter(level="commune", code__in=codes)
        }
        self.seat_levels: dict[int, dict[str, Territory]] = {}
        links = TerritoryAncestor.objects.filter(
            descendant__in=list(self.communes.values())
        ).select_related("ancestor")
        for link in links:
            self.seat_levels.setdefault(link.descendant_id, {})[link.ancestor.level] = link.ancestor
        self._territories: dict[tuple[str, str], Territory | None] = {}

    def territory(self, level: str, code: str) -> Territory | None:
        key = (level, code)
        if key not in self._territories:
            self._territories[key] = Territory.objects.filter(level=level, code=code).first()
        return self._territories[key]

    def around(self, commune: Territory | None, level: str) -> Territory | None:
        """The territory of ``level`` containing the seat (an EPCI falls back to the département);
        for a structure abroad (no commune), France alone."""
        if level == FRANCE:
            return self.territory("country", "FR")
        if commune is None:
            return None
        if level == COMMUNE:
            return commune
        levels = self.seat_levels.get(commune.pk, {})
        if level == EPCI:
            return levels.get("epci") or levels.get("departement")
        return levels.get({DEPARTEMENT: "departement", REGION: "region"}[level])


def _upsert(report: DemoReport, label: str, model, lookup: dict, values: dict, *, clean=False):
    """Create or update one row; only a real difference is written."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        if clean:
            obj.full_clean()
        obj.save()
        report.created[label] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        report.unchanged[label] += 1
        return obj
    for name in changed:
        setattr(obj, name, values[name])
    if hasattr(obj, "version"):
        obj.version += 1
    if clean:
        obj.full_clean()
    obj.save()
    report.updated[label] += 1
    return obj


def _sync_through(report: DemoReport, label: str, model, owner: dict, key: str, wanted: set[int]):
    """Make the rows ``model(**owner, <key>_id=…)`` exactly ``wanted``."""
    existing = set(model.objects.filter(**owner).values_list(f"{key}_id", flat=True))
    model.objects.bulk_create(
        [model(**owner, **{f"{key}_id": pk}) for pk in sorted(wanted - existing)]
    )
    if existing - wanted:
        model.objects.filter(**owner, **{f"{key}_id__in": existing - wanted}).delete()
    report.created[label] += len(wanted - existing)
    report.deleted[label] += len(existing - wanted)
    report.unchanged[label] += len(wanted & existing)


def _structure_coverage(ctx: _Context, spec: StructureSpec, commune: Territory | None) -> set[int]:
    wanted: set[int] = set()
    for level, code in spec.coverage:
        territory = ctx.territory(level, code)
        if territory is None:
            ctx.report.warnings.append(
                f"{spec.slug} : territoire couvert {level} {code} absent du référentiel, ignoré."
            )
        else:
            wanted.add(territory.pk)
    if not wanted:
        territory = ctx.around(commune, DEFAULT_COVERAGE[spec.kind])
        if territory is not None:
            wanted.add(territory.pk)
    return wanted


def _description(spec: StructureSpec) -> str:
    parts = [spec.description] if spec.description else []
    if spec.fictitious:
        parts.append("Structure fictive du jeu de démonstration.")
    if not spec.seat_verified:
        parts.append(ABROAD_APPROXIMATE_NOTE if spec.is_abroad else APPROXIMATE_NOTE)
    return " ".join(parts)


def _contacts(spec: StructureSpec) -> list[ContactSpec]:
    if not spec.with_contacts:
        return []
    contacts = list(spec.contacts)
    if not contacts:
        name, role = _DEFAULT_DESK.get(spec.kind, ("Accueil des entreprises", ""))
        contacts.append(ContactSpec("desk", name, role))
    if spec.kind in _PERSON_KINDS and not any(c.kind == "person" for c in contacts):
        contacts.append(ContactSpec("adviser", "Conseiller international", kind="person"))
    return contacts


def _load_contacts(ctx, structure, spec, commune, serial: int) -> list[Contact]:
    rows = []
    departement = ctx.around(commune, DEPARTEMENT)
    dep_code = departement.code if departement else "75"
    wanted_names = []
    for position, contact in enumerate(_contacts(spec)):
        line = serial * 4 + 1 + position
        if contact.kind == "person":
            name, role = fiction.fiction_person(line), contact.name
        else:
            name, role = contact.name, contact.role
        wanted_names.append(name)
        rows.append(
            _upsert(
                ctx.report,
                "contacts",
                Contact,
                {"structure": structure, "name": name},
                {
                    "kind": contact.kind,
                    "role": role,
                    "email": fiction.demo_email(f"{spec.slug}.{contact.key}"),
                    "phone": normalize_phone(
                        fiction.fiction_phone(departement_code=dep_code, serial=line)
                    ),
                    "languages": contact.languages,
                    "is_public": True,
                    "is_demo": True,
                    "position": position,
                },
                clean=True,
            )
        )
    stale = Contact.objects.filter(structure=structure, is_demo=True).exclude(name__in=wanted_names)
    # Count first: ``delete()`` also counts cascaded rows (history, offers' contact links).
    ctx.report.deleted["contacts"] += stale.count()
    stale.delete()
    return rows


def _load_offer(ctx, structure, spec, commune, template: OfferTemplate, contact) -> Offer | None:
    service = ctx.services.get(template.service)
    if service is None:
        ctx.report.warnings.append(f"{spec.slug} : service {template.service} inconnu, ignoré.")
        return None
    offer = _upsert(
        ctx.report,
        "offres",
        Offer,
        {"structure": structure, "service": service},
        {
            "description": _offer_description(spec, template),
            "min_employees": template.min_employees,
            "max_employees": template.max_employees,
            "min_age_years": template.min_age_years,
            "members_only": template.members_only,
            "application_required": template.application_required,
            "delivery": template.delivery,
            "cost": template.cost,
            "intensity": dict(spec.intensities).get(template.service, template.intensity),
            "contact_id": contact.pk if contact else None,
            "is_active": True,
        },
    )
    coverage: set[int] = set()
    if template.coverage != OWN:
        territory = ctx.around(commune, template.coverage)
        if territory is not None:
            coverage.add(territory.pk)
    _sync_through(
        ctx.report, "couvertures d'offres", OfferCoverage, {"offer": offer}, "territory", coverage
    )
    sectors = {ctx.sectors[code].pk for code in template.sectors if code in ctx.sectors}
    current = set(offer.sectors.values_list("pk", flat=True))
    if current != sectors:
        offer.sectors.set(sectors)
    ctx.report.created["secteurs d'offres"] += len(sectors - current)
    ctx.report.deleted["secteurs d'offres"] += len(current - sectors)
    ctx.report.unchanged["secteurs d'offres"] += len(sectors & current)
    markets = dict(template.markets)
    markets.update(spec.markets_for(template.service))
    _load_markets(ctx, offer, spec, markets)
    return offer


def _offer_description(spec: StructureSpec, template: OfferTemplate) -> str:
    """The template's note, then the source of each market the offer gets (rule R10: a target
    country is competence only because a source records it)."""
    sources = []
    if spec.markets and template.service in spec.market_services and spec.markets_source:
        sources.append(spec.markets_source)
    sources += [p.source for p in spec.partners if template.service in p.services]
    parts = [template.note] if template.note else []
    parts += [f"Source : {source.rstrip('.')}." for source in dict.fromkeys(sources)]
    return " ".join(parts)


def _load_markets(ctx, offer: Offer, spec: StructureSpec, markets: dict[str, str]) -> None:
    wanted: dict[int, str] = {}
    for iso, status in markets.items():
        country = ctx.territory("country", iso)
        if country is None:
            ctx.report.warnings.append(f"{spec.slug} : pays {iso} inconnu, ignoré.")
            continue
        wanted[country.pk] = status
    existing = {m.country_id: m for m in OfferMarket.objects.filter(offer=offer)}
    for country_id, status in wanted.items():
        row = existing.get(country_id)
        if row is None:
            OfferMarket.objects.create(offer=offer, country_id=country_id, status=status)
            ctx.report.created["marchés"] += 1
        elif row.status != status:
            row.status = status
            row.save(update_fields=["status"])
            ctx.report.updated["marchés"] += 1
        else:
            ctx.report.unchanged["marchés"] += 1
    gone = [
        pk for country_id, row in existing.items() if country_id not in wanted for pk in [row.pk]
    ]
    if gone:
        ctx.report.deleted["marchés"] += len(gone)
        OfferMarket.objects.filter(pk__in=gone).delete()


def _place(ctx, spec: StructureSpec) -> dict | None:
    """Commune, country and point of a structure: its commune's in France, its city's abroad."""
    if spec.is_abroad:
        country = ctx.territory("country", spec.country)
        if country is None:
            ctx.report.warnings.append(
                f"{spec.slug} : pays {spec.country} absent du référentiel, structure ignorée."
            )
            return None
        latitude, longitude = spec.point
        return {
            "commune": None,
            "country_id": country.pk,
            "postal_code": "",
            "latitude": latitude,
            "longitude": longitude,
        }
    commune = ctx.communes.get(spec.commune)
    if commune is None:
        ctx.report.warnings.append(
            f"{spec.slug} : commune {spec.commune} absente du référentiel, structure ignorée."
        )
        return None
    postal = spec.postal_code or min(
        commune.postal_codes.values_list("code", flat=True), default=""
    )
    france = ctx.territory("country", "FR")
    return {
        "commune": commune,
        "country_id": france.pk if france else None,
        "postal_code": postal,
        "latitude": commune.latitude,
        "longitude": commune.longitude,
    }


def _load_structure(ctx, spec: StructureSpec, serial: int, loaded: dict[str, Structure]):
    place = _place(ctx, spec)
    if place is None:
        return None
    commune = place["commune"]
    parent = loaded.get(spec.parent) if spec.parent else None
    if spec.parent and parent is None:
        ctx.report.warnings.append(
            f"{spec.slug} : tête de réseau {spec.parent} non chargée, rattachement omis."
        )
    departement = ctx.around(commune, DEPARTEMENT)
    # A partner abroad is no relay: no phone, nobody to call in the registry.
    phone = (
        normalize_phone(
            fiction.fiction_phone(
                departement_code=departement.code if departement else "75", serial=serial * 4
            )
        )
        if spec.with_contacts
        else ""
    )
    values = {
        "name": spec.name,
        "acronym": spec.acronym,
        "kind": spec.kind,
        "parent_id": parent.pk if parent else None,
        "legal_form": spec.legal_form,
        "postal_code": place["postal_code"],
        "commune_id": commune.pk if commune else None,
        "country_id": place["country_id"],
        "latitude": place["latitude"],
        "longitude": place["longitude"],
        "coordinate_precision": "commune" if place["latitude"] is not None else "none",
        "phone": phone,
        "email": fiction.demo_email(spec.slug),
        "website": spec.website,
        "opening_hours": ""
        if spec.kind in PRIVATE_KINDS | {"export_group"} or not spec.with_contacts
        else PUBLIC_HOURS,
        "description": _description(spec),
        "label_tier": spec.label_tier,
        "source": spec.source,
        "licence": DEMO_LICENCE,
        "is_demo": True,
        "is_active": spec.is_active,
        "is_validated": True,
    }
    structure = _upsert(
        ctx.report, "structures", Structure, {"slug": spec.slug}, values, clean=True
    )
    _sync_through(
        ctx.report,
        "couvertures de structures",
        StructureCoverage,
        {"structure": structure},
        "territory",
        _structure_coverage(ctx, spec, commune),
    )
    contacts = _load_contacts(ctx, structure, spec, commune, serial)
    services = []
    for template in offer_templates(spec):
        offer = _load_offer(
            ctx, structure, spec, commune, template, contacts[0] if contacts else None
        )
        if offer is not None:
            services.append(offer.service_id)
    stale = Offer.objects.filter(structure=structure).exclude(service_id__in=services)
    ctx.report.deleted["offres"] += stale.count()
    stale.delete()
    for count in spec.member_counts:
        _upsert(
            ctx.report,
            "effectifs de membres",
            StructureMemberCount,
            {"structure": structure, "kind": count.kind, "as_of": count.as_of},
            {"count": count.count, "source": count.source},
        )
    return structure


def _load_links(ctx: _Context, loaded: dict[str, Structure]) -> None:
    wanted: set[int] = set()
    for link in demo_links():
        source, target = loaded.get(link.from_slug), loaded.get(link.to_slug)
        if source is None or target is None:
            ctx.report.warnings.append(
                f"lien {link.from_slug} → {link.to_slug} : structure non chargée, ignoré."
            )
            continue
        row = _upsert(
            ctx.report,
            "liens",
            StructureLink,
            {"from_structure": source, "to_structure": target, "kind": link.kind},
            {"status": link.status, "description": link.text},
        )
        wanted.add(row.pk)
        countries = {c.pk for iso in link.countries if (c := ctx.territory("country", iso))}
        current = set(row.countries.values_list("pk", flat=True))
        if current != countries:
            row.countries.set(countries)
        ctx.report.created["pays des liens"] += len(countries - current)
        ctx.report.deleted["pays des liens"] += len(current - countries)
        ctx.report.unchanged["pays des liens"] += len(countries & current)
    # A link between two demo structures that the dataset no longer holds (e.g. the alliances
    # between French pôles that no source records) goes, like a stale offer.
    stale = StructureLink.objects.filter(
        from_structure__is_demo=True, to_structure__is_demo=True
    ).exclude(pk__in=wanted)
    ctx.report.deleted["liens"] += stale.count()
    stale.delete()


def load_demo_structures(*, report: DemoReport) -> dict[str, Structure]:
    """Load the demo structures, offers, contacts and links; return them by slug."""
    specs = demo_structures()
    ctx = _Context(report, specs)
    loaded: dict[str, Structure] = {}
    for serial, spec in enumerate(specs):
        structure = _load_structure(ctx, spec, serial, loaded)
        if structure is not None:
            loaded[spec.slug] = structure
    _load_links(ctx, loaded)
    return loaded


def load_demo(*, sme_count: int = 300, seed: int = DEMO_SEED) -> DemoReport:
    """Load (or bring up to date) the whole demo dataset in one transaction."""
    from demo.programmes import load_demo_programmes
    from demo.smes import load_demo_smes
    from demo.territorial import load_demo_territorial

    report = DemoReport()
    with transaction.atomic(), deferred_refresh():
        loaded = load_demo_structures(report=report)
        confirmed = spread_confirmations(loaded.values())
        if confirmed:
            report.updated["confirmations (vérifiée le)"] += confirmed
        load_demo_programmes(report=report, structures=loaded)
        load_demo_smes(report=report, structures=loaded, count=sme_count, seed=seed)
        load_demo_territorial(report=report)
    return report

"""Fictitious SMEs: the demo set written by ``load_demo`` and the bulk set of ``generate_registry``.

Every firm is invented: a made-up name ending in "(fictif)", a generated SIREN/SIRET with a valid
Luhn key (``demo.fiction``), a real NAF rév. 2 code, fewer than 250 employees, and a
real commune drawn with probability proportional to its population (deterministic for a seed).
"""

from __future__ import annotations

import datetime
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from demo import fiction
from demo.generator import GENERATOR_SOURCE, MARKET_WEIGHTS
from demo.places import Place, Places
from smes.enums import EMPLOYEE_RANGE_BOUNDS, ExportStage, LocationPrecision, MembershipRole
from smes.models import SME, PartnerMarketEntry, SMEMembership
from smes.services.partner_index import refresh_partner_index
from smes.services.sme import create_or_update_sme

DEMO_SME_SOURCE = "Démonstration — PME fictive (SIRET généré, clé de Luhn valide)"
DEMO_SERIAL_BASE = 9_000_000  # demo SIRETs never collide with generated ones (serials < 9 M)
DEMO_HERAULT_SHARE = 0.15  # the demo centres on Montpellier (Torrès 2002): more firms there
BATCH = 5000

# (NAF rév. 2 sub-class, weight): activities of exporting SMEs, manufacturing and trade first.
NAF_CODES: tuple[tuple[str, int], ...] = (
    ("01.21Z", 4), ("01.13Z", 2), ("10.13B", 2), ("10.51C", 2), ("10.82Z", 2), ("10.89Z", 3),
    ("11.01Z", 1), ("11.02A", 1), ("11.02B", 4), ("13.92Z", 2), ("14.13Z", 2), ("15.12Z", 1),
    ("16.23Z", 2), ("20.42Z", 2), ("20.59Z", 2), ("21.20Z", 1), ("22.29A", 3), ("23.41Z", 1),
    ("25.11Z", 3), ("25.62B", 5), ("25.73A", 2), ("26.11Z", 2), ("26.51B", 2), ("26.60Z", 1),
    ("27.12Z", 2), ("28.29B", 3), ("28.30Z", 1), ("28.41Z", 1), ("29.32Z", 2), ("30.30Z", 1),
    ("31.09B", 2), ("32.30Z", 1), ("32.50A", 2), ("33.12Z", 3), ("46.34Z", 3), ("46.38B", 3),
    ("46.42Z", 2), ("46.69B", 4), ("46.90Z", 4), ("52.29A", 2), ("52.29B", 2), ("58.21Z", 1),
    ("58.29C", 3), ("59.11B", 1), ("62.01Z", 6), ("62.02A", 4), ("63.11Z", 2), ("70.22Z", 4),
    ("71.12B", 4), ("72.11Z", 1), ("72.19Z", 2), ("73.11Z", 2), ("74.10Z", 2),
)  # fmt: skip
LEGAL_FORMS = (("SAS", 45), ("SARL", 30), ("SASU", 10), ("SA", 8), ("EURL", 7))
STAGES = (
    (ExportStage.NONE, 30),
    (ExportStage.OCCASIONAL, 30),
    (ExportStage.REGULAR, 25),
    (ExportStage.ESTABLISHED, 15),
)
SHARE_RANGE = {
    ExportStage.NONE: (0, 0),
    ExportStage.OCCASIONAL: (1, 15),
    ExportStage.REGULAR: (15, 45),
    ExportStage.ESTABLISHED: (40, 90),
}
# Needs by stage: beginners look for information and diagnosis, confirmed exporters for
# finance, logistics and partners (service codes of the catalogue).
NEEDS = {
    ExportStage.NONE: ("information-orientation", "export-diagnosis", "international-training"),
    ExportStage.OCCASIONAL: ("prospecting-missions", "trade-fairs", "mentoring", "public-aid"),
    ExportStage.REGULAR: ("partner-search", "customs-regulations", "export-insurance", "trade-fairs"),
    ExportStage.ESTABLISHED: ("export-finance", "transport-logistics", "market-intelligence",
                              "legal-ip-standards", "shared-export-staff"),
}  # fmt: skip
NAME_PREFIXES = ("Atelier", "Maison", "Société", "Manufacture", "Laboratoires", "Domaine",
                 "Établissements", "Compagnie", "Studio", "Fabrique")  # fmt: skip
NAME_HEADS = ("Al", "Bel", "Cor", "Dor", "Év", "Fal", "Gal", "Hel", "Iv", "Jor", "Kal", "Lor",
              "Mir", "Nor", "Or", "Pel", "Quin", "Ros", "Sol", "Tal", "Ul", "Val", "Xan", "Zel")  # fmt: skip
NAME_TAILS = ("amex", "erio", "ival", "onis", "uria", "eta", "ano", "ix", "orane", "enne", "isol",
              "atis")  # fmt: skip
_EPOCH = datetime.date(1965, 1, 1)
MEMBERSHIP_KINDS = ("exporters_club", "competitiveness_cluster", "cluster_spl", "export_group")
# The partner finder (smes.partners) proposes only firms that agreed to it: a plausible share of
# the fictitious firms did, on a fixed date (reloading the demo changes nothing). The choice
# follows the serial, not the random draw, so that the rest of the data set stays as it was.
PARTNER_CONSENT_PERCENT = 40
PARTNER_CONSENT_AT = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.UTC)


def partner_consent(serial: int) -> bool:
    """Whether the fictitious firm of ``serial`` agreed to be proposed as a partner."""
    return (serial * 7919) % 100 < PARTNER_CONSENT_PERCENT


def _range_code(employees: int) -> str:
    for code, (low, high) in EMPLOYEE_RANGE_BOUNDS.items():
        if code != "NN" and low <= employees and (high is None or employees <= high):
            return code
    return ""


class SMEDrafter:
    """Draws the attributes of one fictitious SME (no database access).

    ``detail`` is the share of firms that declare target markets and needs: every demo firm
    does (1.0); in the bulk set only some do, as in a real registry.
    """

    def __init__(self, rng: random.Random, *, detail: float = 1.0) -> None:
        self.rng = rng
        self.detail = detail
        self.naf = [code for code, _w in NAF_CODES]
        self.naf_cum = list(itertools.accumulate(w for _c, w in NAF_CODES))
        self.stages = [s for s, _w in STAGES]
        self.stage_cum = list(itertools.accumulate(w for _s, w in STAGES))
        self.forms = [f for f, _w in LEGAL_FORMS]
        self.form_cum = list(itertools.accumulate(w for _f, w in LEGAL_FORMS))
        self.markets = sorted(MARKET_WEIGHTS)
        self.market_cum = list(itertools.accumulate(MARKET_WEIGHTS[c] for c in self.markets))
        self.ranges = {n: _range_code(n) for n in range(250)}

    def draw(self, serial: int, place: Place) -> dict:
        rng = self.rng
        random_ = rng.random
        bucket = random_()
        if bucket < 0.55:
            employees = int(random_() * 10)
        elif bucket < 0.85:
            employees = 10 + int(random_() * 40)
        else:
            employees = 50 + int(random_() * 200)
        stage = rng.choices(self.stages, cum_weights=self.stage_cum)[0]
        low, high = SHARE_RANGE[stage]
        name = (
            f"{rng.choice(NAME_PREFIXES)} {rng.choice(NAME_HEADS)}{rng.choice(NAME_TAILS)} (fictif)"
        )
        markets: list[str] = []
        needs: list[str] = []
        if random_() < self.detail:
            n_markets = (
                0 if stage == ExportStage.NONE and random_() < 0.5 else 1 + int(random_() * 3)
            )
            markets = sorted(
                set(rng.choices(self.markets, cum_weights=self.market_cum, k=n_markets))
            )
            options = NEEDS[stage]
            needs = sorted(rng.sample(options, 1 + int(random_() * min(3, len(options)))))
        return {
            "siret": fiction.fiction_siret(serial),
            "name": name,
            "naf_code": rng.choices(self.naf, cum_weights=self.naf_cum)[0],
            "legal_form": rng.choices(self.forms, cum_weights=self.form_cum)[0],
            "employees": employees,
            "employee_range": self.ranges[employees],
            # Turnover per employee between 80 k€ and 250 k€; never above the SME ceiling.
            "turnover_eur": min(
                49_000_000,
                max(1, employees) * (80 + int(random_() * 171)) * 1000 + int(random_() * 100_000),
            ),
            "created_on": _EPOCH + datetime.timedelta(days=int(random_() * 21_900)),
            "postal_code": place.postal_code,
            "export_stage": stage,
            "export_share": low + int(random_() * (high - low + 1)),
            "is_innovative": random_() < 0.2,
            "markets": markets,
            "needs": needs,
        }


# --- Demo set -------------------------------------------------------------------------------


def _demo_places(places: Places, rng: random.Random, count: int) -> list[Place]:
    herault = [p for p in places.places if p.departement_code == "34"]
    local = round(count * DEMO_HERAULT_SHARE) if herault else 0
    weights = [p.population for p in herault]
    drawn = rng.choices(herault, weights=weights, k=local) if local else []
    return drawn + places.draw(rng, count - local)


def _wanted_memberships(smes: list[tuple[SME, Place]], structures: dict, rng: random.Random):
    """(sme, structure, role, since) for export groups, département clubs and pôles."""
    wanted = []
    herault = [sme for sme, place in smes if place.departement_code == "34"]
    groups = sorted(slug for slug in structures if slug.startswith("groupement-export-"))
    pool = list(herault)
    rng.shuffle(pool)
    for slug in groups:
        size = rng.randint(3, 5)
        members, pool = pool[:size], pool[size:]
        for position, sme in enumerate(members):
            role = MembershipRole.COORDINATOR if position == 0 else MembershipRole.FOUNDER
            wanted.append((sme, structures[slug], role, datetime.date(1998 + position, 9, 1)))
    # Département clubs only, keyed by their département: a régional delegation's code ("76",
    # Occitanie) would otherwise be taken for a département's (76, Seine-Maritime).
    clubs = {
        code: s
        for _slug, s in sorted(structures.items())
        if s.kind == "exporters_club"
        and (code := s.coverage.filter(level="departement").values_list("code", flat=True).first())
    }
    poles = sorted(
        (s for s in structures.values() if s.kind == "competitiveness_cluster"),
        key=lambda s: s.slug,
    )
    pole_regions = {p.pk: set(p.coverage.values_list("pk", flat=True)) for p in poles}
    for sme, place in smes:
        club = clubs.get(place.departement_code)
        if club and sme.export_stage != ExportStage.NONE and rng.random() < 0.5:
            wanted.append((sme, club, MembershipRole.MEMBER, None))
        if sme.is_innovative:
            for pole in poles:
                if place.region_id in pole_regions[pole.pk]:
                    wanted.append((sme, pole, MembershipRole.MEMBER, None))
    return wanted


def load_demo_smes(*, report, structures: dict, count: int, seed: int) -> None:
    """Create or update ``count`` demo SMEs and their memberships (idempotent, keyed on SIRET)."""
    from territories.models import Territory

    rng = random.Random(f"demo-smes-{seed}")
    places = Places()
    if not len(places):
        report.warnings.append("aucune commune chargée : PME de démonstration ignorées.")
        return
    drafter = SMEDrafter(rng)
    countries = dict(Territory.objects.filter(level="country").values_list("code", "pk"))
    from structures.models import Service

    services = {s.code: s for s in Service.objects.all()}
    loaded: list[tuple[SME, Place]] = []
    for index, place in enumerate(_demo_places(places, rng, count)):
        draft = drafter.draw(DEMO_SERIAL_BASE + index, place)
        markets, needs = draft.pop("markets"), draft.pop("needs")
        consent = partner_consent(DEMO_SERIAL_BASE + index)
        result = create_or_update_sme(
            **draft,
            partner_search_consent=consent,
            partner_search_consent_at=PARTNER_CONSENT_AT if consent else None,
            commune=Territory.objects.get(pk=place.id),
            target_markets=Territory.objects.filter(pk__in=[countries[c] for c in markets]),
            needs=[services[c] for c in needs],
            source=DEMO_SME_SOURCE,
            is_demo=True,
        )
        counters = {"created": report.created, "updated": report.updated}
        counters.get(result.action.value, report.unchanged)["PME"] += 1
        loaded.append((result.sme, place))
    stale = SME.objects.filter(source=DEMO_SME_SOURCE).exclude(pk__in=[s.pk for s, _p in loaded])
    SMEMembership.objects.filter(sme__in=stale).delete()
    report.deleted["PME"] += stale.count()
    stale.delete()
    _sync_memberships(report, _wanted_memberships(loaded, structures, rng), [s for s, _p in loaded])


def _sync_memberships(report, wanted, smes: list[SME]) -> None:
    existing = {(m.sme_id, m.structure_id): m for m in SMEMembership.objects.filter(sme__in=smes)}
    keep = set()
    for sme, structure, role, since in wanted:
        key = (sme.pk, structure.pk)
        if key in keep:
            continue
        keep.add(key)
        row = existing.get(key)
        if row is None:
            SMEMembership.objects.create(sme=sme, structure=structure, role=role, since=since)
            report.created["adhésions"] += 1
        elif (row.role, row.since) != (role, since):
            row.role, row.since = role, since
            row.save(update_fields=["role", "since", "updated_at"])
            report.updated["adhésions"] += 1
        else:
            report.unchanged["adhésions"] += 1
    gone = [row.pk for key, row in existing.items() if key not in keep]
    if gone:
        report.deleted["adhésions"] += len(gone)
        SMEMembership.objects.filter(pk__in=gone).delete()


# --- Scale generator ------------------------------------------------------------------------


def generated_smes():
    return SME.objects.filter(source=GENERATOR_SOURCE)


def clear_generated_smes() -> int:
    """Delete generated SMEs, their sets, and every membership in a generated structure."""
    generated = generated_smes().values("pk")
    querysets = [
        PartnerMarketEntry.objects.filter(sme__in=generated),
        SMEMembership.objects.filter(sme__in=generated),
        SMEMembership.objects.filter(structure__source=GENERATOR_SOURCE),
        SME.target_markets.through.objects.filter(sme__in=generated),
        SME.needs.through.objects.filter(sme__in=generated),
        generated_smes(),
    ]
    deleted = 0
    with transaction.atomic():
        for queryset in querysets:
            deleted += queryset._raw_delete(queryset.db)
    return deleted


def _membership_targets() -> dict[int, list[int]]:
    """Generated clubs, pôles, clusters and export groups by département id (slug order)."""
    from structures.models import Structure

    targets: dict[int, list[int]] = defaultdict(list)
    rows = (
        Structure.objects.filter(source=GENERATOR_SOURCE, kind__in=MEMBERSHIP_KINDS)
        .order_by("slug")
        .values_list("pk", "commune__parent_id")
    )
    for pk, departement_id in rows:
        targets[departement_id].append(pk)
    return targets


_SME_COLUMNS = (
    "siren", "siret", "name", "naf_code", "sector", "legal_form", "employees", "employee_range",
    "turnover_eur", "created_on", "address_line", "postal_code", "commune", "latitude",
    "longitude", "location_precision", "export_stage", "export_share", "is_innovative", "source",
    "is_demo", "created_at", "updated_at", "version", "partner_search_consent",
    "partner_search_consent_at",
)  # fmt: skip


def generate_smes(
    *, count: int, seed: int = 1, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Insert ``count`` fictitious SMEs in batches (bounded memory); return row counts.

    Rows go through ``fast_insert`` (one ``executemany`` per batch and table): a million SMEs
    with their markets, needs and memberships load in minutes on SQLite and PostgreSQL.
    """
    from django.utils import timezone

    from core.bulk import db_date, db_datetime, fast_insert
    from structures.models import Sector, Service
    from territories.models import Territory

    if count > DEMO_SERIAL_BASE:
        raise ValueError(
            f"at most {DEMO_SERIAL_BASE} generated SMEs (serials above are the demo's)"
        )
    started = time.perf_counter()
    rng = random.Random(f"smes-{seed}")
    places = Places()
    # Only part of a large registry declares its markets and needs: keeps the bulk set realistic
    # and the association tables proportionate.
    drafter = SMEDrafter(rng, detail=0.4)
    divisions = dict(Sector.objects.filter(kind="naf_division").values_list("code", "pk"))
    countries = dict(Territory.objects.filter(level="country").values_list("code", "pk"))
    services = dict(Service.objects.values_list("code", "pk"))
    targets = _membership_targets()
    now = db_datetime(timezone.now())
    consent_at = db_datetime(PARTNER_CONSENT_AT)
    markets_through, needs_through = SME.target_markets.through, SME.needs.through
    totals = {"PME": 0, "marchés visés": 0, "besoins": 0, "adhésions": 0}
    with transaction.atomic():
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            rows, facets = [], []
            for offset, place in enumerate(places.draw(rng, size)):
                d = drafter.draw(start + offset, place)
                rows.append(
                    (
                        d["siret"][:9], d["siret"], d["name"], d["naf_code"],
                        divisions.get(d["naf_code"][:2]), d["legal_form"], d["employees"],
                        d["employee_range"], d["turnover_eur"], db_date(d["created_on"]), "",
                        d["postal_code"], place.id, place.latitude, place.longitude,
                        LocationPrecision.COMMUNE.value, d["export_stage"].value,
                        d["export_share"], d["is_innovative"], GENERATOR_SOURCE, True, now, now, 1,
                        partner_consent(start + offset),
                        consent_at if partner_consent(start + offset) else None,
                    )
                )  # fmt: skip
                pool = targets.get(place.departement_id, ())
                member_of = rng.choice(pool) if pool and rng.random() < 0.05 else None
                facets.append((d["markets"], d["needs"], member_of))
            fast_insert(SME, _SME_COLUMNS, rows)
            # Generated SIRETs grow with the serial: the batch is one SIRET range, in order.
            ids = list(
                SME.objects.filter(siret__gte=rows[0][1], siret__lte=rows[-1][1])
                .order_by("siret")
                .values_list("pk", flat=True)
            )
            if len(ids) != len(rows):
                raise RuntimeError("SIRET range of the batch is not exclusively generated rows")
            market_rows, need_rows, memberships = [], [], []
            for pk, (markets, needs, member_of) in zip(ids, facets, strict=True):
                market_rows += [(pk, countries[c]) for c in markets]
                need_rows += [(pk, services[c]) for c in needs]
                if member_of:
                    memberships.append((pk, member_of, MembershipRole.MEMBER.value, now, now))
            fast_insert(markets_through, ("sme", "territory"), market_rows)
            fast_insert(needs_through, ("sme", "service"), need_rows)
            fast_insert(
                SMEMembership, ("sme", "structure", "role", "created_at", "updated_at"), memberships
            )
            # Raw inserts send no signal: index the consenting firms for the partner finder.
            refresh_partner_index(
                sme_ids=[pk for pk, row in zip(ids, rows, strict=True) if row[-2]]
            )
            totals["PME"] += len(rows)
            totals["marchés visés"] += len(market_rows)
            totals["besoins"] += len(need_rows)
            totals["adhésions"] += len(memberships)
            if progress and (start // BATCH) % 20 == 19:
                progress(f"  {start + size} PME ({time.perf_counter() - started:.1f} s)")
    return totals

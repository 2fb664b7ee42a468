"""A network head's offers as CSV, out and back in (issue 13, point 7).

A network head (a CCI régionale, any structure with children) exports the offers of itself and
of its descendants that the user may edit, and re-imports the same columns:

- **all or nothing**: the file is applied in one transaction; one rejected row and nothing is
  written, every rejected row reported with its line number and a French reason;
- **version-checked per row**: a row naming an offer (``id``) carries the ``version`` it was
  exported with; an offer changed since is refused (``StaleVersionError``'s message) rather than
  overwritten; a row without ``id`` creates the offer;
- **within scope**: a row may only name a structure of the network that the user may edit
  (``Structure.objects.editable_by``); anything else is refused, never created.

Writes go through ``structures.services.create_offer`` / ``update_offer`` (validation, history,
versions). Lists are one cell joined with `` | ``, as in the API's CSV (``docs/data-exchange.md``);
territories as ``niveau:code``, markets as ``PAYS:statut``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.api.renderers import spreadsheet_safe
from core.exceptions import InputError
from structures import services
from structures.enums import MarketStatus, OfferCost, OfferDelivery
from structures.exceptions import StaleVersionError
from structures.models import Offer, Sector, Service, Structure
from territories.filters import resolve_territory_reference

COLUMNS = (
    "id",
    "version",
    "structure",
    "service",
    "description",
    "coverage",
    "sectors",
    "markets",
    "min_employees",
    "max_employees",
    "min_age_years",
    "members_only",
    "application_required",
    "delivery",
    "cost",
    "is_active",
)
LIST_SEPARATOR = " | "
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
TRUE, FALSE = ("true", "oui", "1", "vrai"), ("false", "non", "0", "faux", "")


def network_of(head: Structure) -> list[int]:
    """Ids of ``head`` and all its descendants (one query per level of the network)."""
    ids, frontier = [head.pk], [head.pk]
    while frontier:
        frontier = list(
            Structure.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


def network_structures(*, head: Structure, user):
    """The structures of ``head``'s network that ``user`` may edit."""
    return Structure.objects.editable_by(user).filter(pk__in=network_of(head))


def network_offers(*, head: Structure, user):
    """The offers of ``head``'s network that ``user`` may edit, in a stable order."""
    return (
        Offer.objects.filter(structure__in=network_structures(head=head, user=user))
        .select_related("structure", "service")
        .prefetch_related("coverage", "sectors", "markets__country")
        .order_by("structure__name", "structure_id", "service__code", "pk")
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(str(value))


def _row(offer: Offer) -> list[str]:
    return [
        _cell(v)
        for v in (
            offer.pk,
            offer.version,
            offer.structure.slug,
            offer.service.code,
            offer.description,
            LIST_SEPARATOR.join(f"{t.level}:{t.code}" for t in offer.coverage.all()),
            LIST_SEPARATOR.join(s.code for s in offer.sectors.all()),
            LIST_SEPARATOR.join(f"{m.country.code}:{m.status}" for m in offer.markets.all()),
            offer.min_employees,
            offer.max_employees,
            offer.min_age_years,
            offer.members_only,
            offer.application_required,
            offer.delivery,
            offer.cost,
            offer.is_active,
        )
    ]


def export_network_offers(*, head: Structure, user) -> str:
    """The CSV (UTF-8, comma) of the network's offers ``user`` may edit."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for offer in network_offers(head=head, user=user):
        writer.writerow(_row(offer))
    return out.getvalue()


# --- Import -------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, or why it did nothing (``errors``: line → reasons)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RowError(Exception):
    pass


def _text(value: str) -> str:
    # The export protects formulas with a leading apostrophe: take it off on the way back.
    value = (value or "").strip()
    return value[1:] if value.startswith("'") and len(value) > 1 else value


def _integer(row: dict, name: str) -> int | None:
    value = _text(row.get(name, ""))
    if not value:
        return None
    if not value.isdigit():
        raise RowError(_("« %(col)s » doit être un entier positif.") % {"col": name})
    return int(value)


def _boolean(row: dict, name: str) -> bool:
    value = _text(row.get(name, "")).lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise RowError(
        _("« %(col)s » : « %(value)s » n'est ni true ni false.") % {"col": name, "value": value}
    )


def _choice(row: dict, name: str, choices, default: str) -> str:
    value = _text(row.get(name, "")) or default
    if value not in choices.values:
        raise RowError(
            _("« %(col)s » : « %(value)s » inconnu (attendu : %(choices)s).")
            % {"col": name, "value": value, "choices": ", ".join(choices.values)}
        )
    return value


def _items(row: dict, name: str) -> list[str]:
    return [item.strip() for item in _text(row.get(name, "")).split("|") if item.strip()]


def _territory(reference: str):
    try:
        return resolve_territory_reference(reference)
    except (ValidationError, InputError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message
        raise RowError(
            _("territoire « %(ref)s » : %(why)s") % {"ref": reference, "why": message}
        ) from None


def _parse(row: dict) -> tuple[dict, dict]:
    """(the offer's values, the markets) of a row, or ``RowError``."""
    sectors_codes = _items(row, "sectors")
    sectors = list(Sector.objects.filter(code__in=sectors_codes))
    missing = sorted(set(sectors_codes) - {s.code for s in sectors})
    if missing:
        raise RowError(_("secteur(s) inconnu(s) : %(codes)s") % {"codes": ", ".join(missing)})
    markets = {}
    for item in _items(row, "markets"):
        code, _sep, status = item.partition(":")
        country = _territory(f"country:{code.strip().upper()}")
        status = status.strip() or MarketStatus.ACTIVE
        if status not in MarketStatus.values:
            raise RowError(
                _("marché « %(item)s » : statut inconnu (attendu : %(choices)s).")
                % {"item": item, "choices": ", ".join(MarketStatus.values)}
            )
        markets[country] = status
    data = {
        "description": _text(row.get("description", "")),
        "coverage": [_territory(ref) for ref in _items(row, "coverage")],
        "sectors": sectors,
        "min_employees": _integer(row, "min_employees"),
        "max_employees": _integer(row, "max_employees"),
        "min_age_years": _integer(row, "min_age_years"),
        "members_only": _boolean(row, "members_only"),
        "application_required": _boolean(row, "application_required"),
        "delivery": _choice(row, "delivery", OfferDelivery, OfferDelivery.IN_PERSON),
        "cost": _choice(row, "cost", OfferCost, OfferCost.FREE),
        "is_active": _boolean(row, "is_active") if _text(row.get("is_active", "")) else True,
    }
    return data, markets


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name} : {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def _apply_row(row: dict, *, allowed: dict[str, Structure], user, report: ImportReport) -> None:
    slug = _text(row.get("structure", ""))
    structure = allowed.get(slug)
    if structure is None:
        raise RowError(
            _("structure « %(slug)s » hors de votre réseau ou de vos fiches modifiables.")
            % {"slug": slug}
        )
    data, markets = _parse(row)
    offer_id = _integer(row, "id")
    if offer_id is None:
        service = Service.objects.filter(code=_text(row.get("service", ""))).first()
        if service is None:
            raise RowError(_("service « %(code)s » inconnu.") % {"code": row.get("service", "")})
        services.create_offer(
            structure=structure, service=service, data=data, markets=markets, user=user
        )
        report.created += 1
        return
    offer = Offer.objects.filter(pk=offer_id, structure__in=allowed.values()).first()
    if offer is None:
        raise RowError(_("offre n° %(id)s hors de votre réseau.") % {"id": offer_id})
    if offer.structure_id != structure.pk or offer.service.code != _text(row.get("service", "")):
        raise RowError(
            _("la structure et le service d'une offre existante ne se changent pas ici.")
        )
    version = _integer(row, "version")
    if version is None:
        raise RowError(_("colonne « version » vide : exportez à nouveau le fichier."))
    stored = dict(zip(COLUMNS, _row(offer), strict=True))
    if version == offer.version and all(
        (row.get(name) or "").strip() == stored[name] for name in COLUMNS
    ):
        # Left as exported: no write, so the version (and every open form) stays as it is.
        report.unchanged += 1
        return
    services.update_offer(
        offer=offer, data=data, markets=markets, expected_version=version, user=user
    )
    report.updated += 1


def read_csv(content: bytes) -> list[dict]:
    """The rows of an uploaded file (UTF-8, comma or semicolon); ``ValidationError`` if unusable."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_("Fichier trop volumineux (5 Mo au plus)."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Le fichier doit être encodé en UTF-8.")) from None
    lines = text.splitlines()
    if not lines:
        raise ValidationError(_("Fichier vide."))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    missing = [
        name
        for name in ("id", "version", "structure", "service")
        if name not in (reader.fieldnames or [])
    ]
    if missing:
        raise ValidationError(
            _("Colonne(s) manquante(s) : %(cols)s (reprenez l'en-tête de l'export).")
            % {"cols": ", ".join(missing)}
        )
    rows = list(reader)
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("Trop de lignes (%(max)s au plus).") % {"max": MAX_ROWS})
    return rows


def import_network_offers(*, head: Structure, rows: list[dict], user) -> ImportReport:
    """Apply ``rows`` (``read_csv``) to ``head``'s network: all of them, or none.

    Every row is tried (each in its own savepoint, so that every error is reported); if any is
    rejected, the whole transaction is rolled back and the report lists them by line (the header
    is line 1).
    """
    report = ImportReport()
    allowed = {s.slug: s for s in network_structures(head=head, user=user)}
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            try:
                with transaction.atomic():
                    _apply_row(row, allowed=allowed, user=user, report=report)
            except RowError as exc:
                report.errors.append((line, str(exc)))
            except StaleVersionError as exc:
                report.errors.append((line, str(exc.message)))
            except ValidationError as exc:
                report.errors.append((line, _messages(exc)))
        if report.errors:
            transaction.set_rollback(True)
            report.created = report.updated = report.unchanged = 0
    return report

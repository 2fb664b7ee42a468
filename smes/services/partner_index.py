"""Keeping the partner finder's market index (``smes.models.PartnerMarketEntry``) in step.

``refresh_partner_index`` rewrites the entries of some SMEs (or of all) from their current
record: one entry per target market of each SME that consented to be proposed, has a point and
a known size range (``smes.partners.range_code``). Writes through the ORM call it from the
signals of ``smes.signals``; bulk writers (the CSV import, the generator) call it themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from smes.models import SME, PartnerMarketEntry
from smes.partner_cells import cell_of

_CHUNK = 5000


def _range_code(employee_range: str, employees: int | None) -> str:
    from smes.partners import range_code  # the finder's own rule, imported late (it is heavy)

    return range_code(employee_range, employees)


def _entries(smes) -> list[PartnerMarketEntry]:
    markets = SME.target_markets.through.objects.filter(sme__in=smes.values("pk"))
    by_sme: dict[int, list[int]] = {}
    for sme_id, territory_id in markets.values_list("sme_id", "territory_id"):
        by_sme.setdefault(sme_id, []).append(territory_id)
    entries = []
    rows = smes.filter(pk__in=list(by_sme)).values_list(
        "pk",
        "latitude",
        "longitude",
        "employee_range",
        "employees",
        "export_stage",
        "naf_code",
        "sector_id",
    )
    for pk, lat, lon, size, employees, stage, naf, sector_id in rows:
        size = _range_code(size, employees)
        if not size:
            continue
        cell = cell_of(lat, lon)
        entries += [
            PartnerMarketEntry(
                sme_id=pk,
                market_id=market_id,
                cell=cell,
                export_stage=stage,
                employee_range=size,
                latitude=lat,
                longitude=lon,
                naf_code=naf,
                sector_id=sector_id,
            )
            for market_id in by_sme[pk]
        ]
    return entries


def _indexed(smes):
    return smes.filter(
        partner_search_consent=True, latitude__isnull=False, longitude__isnull=False
    ).order_by()


@transaction.atomic
def refresh_partner_index(*, sme_ids: Iterable[int] | None = None) -> int:
    """Rewrite the index entries of the SMEs ``sme_ids`` (every SME when ``None``); returns the
    number of entries written."""
    written = 0
    if sme_ids is None:
        PartnerMarketEntry.objects.all()._raw_delete(PartnerMarketEntry.objects.db)
        last = 0
        while True:
            ids = list(
                SME.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:_CHUNK]
            )
            if not ids:
                return written
            last = ids[-1]
            entries = _entries(_indexed(SME.objects.filter(pk__in=ids)))
            PartnerMarketEntry.objects.bulk_create(entries, batch_size=1000)
            written += len(entries)
    ids = list(dict.fromkeys(sme_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        PartnerMarketEntry.objects.filter(sme_id__in=chunk)._raw_delete(
            PartnerMarketEntry.objects.db
        )
        entries = _entries(_indexed(SME.objects.filter(pk__in=chunk)))
        PartnerMarketEntry.objects.bulk_create(entries, batch_size=1000)
        written += len(entries)
    return written

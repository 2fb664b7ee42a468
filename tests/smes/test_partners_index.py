"""The partner finder's market index (``PartnerMarketEntry``) follows every write path.

After each kind of write — the ORM (signals), the CSV import, the generator — the index holds
exactly what a rebuild from scratch would write: one entry per target market of each consenting
SME with a point and a known size, in the cell of its point.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.geo import BoundingBox
from smes.models import SME, PartnerMarketEntry
from smes.partner_cells import cell_of, cells_covering
from smes.services.partner_index import refresh_partner_index
from territories.models import Territory
from tests.smes.factories import SMEFactory

pytestmark = pytest.mark.django_db


def _index() -> set[tuple]:
    return set(
        PartnerMarketEntry.objects.values_list(
            "sme_id", "market_id", "cell", "export_stage", "employee_range", "latitude",
            "longitude", "naf_code", "sector_id",
        )
    )  # fmt: skip


def _rebuilt() -> set[tuple]:
    kept = _index()
    refresh_partner_index()
    rebuilt = _index()
    assert kept == rebuilt
    return rebuilt


def _country(code: str) -> Territory:
    return Territory.objects.get(level="country", code=code)


def test_orm_writes_keep_the_index(territory):
    de, ma = _country("DE"), _country("MA")
    sme = SMEFactory(employee_range="11", target_markets=[de])
    assert not PartnerMarketEntry.objects.filter(sme=sme).exists()  # no consent, no entry
    sme.partner_search_consent = True
    sme.partner_search_consent_at = timezone.now()
    sme.save()
    assert {(e.market_id, e.employee_range) for e in PartnerMarketEntry.objects.all()} == {
        (de.pk, "11")
    }
    sme.target_markets.add(ma)
    assert PartnerMarketEntry.objects.filter(sme=sme).count() == 2
    lyon = territory("commune", "69123")
    sme.commune, sme.latitude, sme.longitude = lyon, lyon.latitude, lyon.longitude
    sme.employee_range, sme.employees = "", 30  # the size range comes from the headcount
    sme.save()
    entry = PartnerMarketEntry.objects.filter(sme=sme).first()
    assert entry.cell == cell_of(lyon.latitude, lyon.longitude)
    assert entry.employee_range == "12"
    _rebuilt()
    de.targeting_smes.remove(sme)  # from the territory's side
    assert set(PartnerMarketEntry.objects.values_list("market_id", flat=True)) == {ma.pk}
    sme.target_markets.clear()
    assert not PartnerMarketEntry.objects.exists()
    sme.target_markets.set([de])
    sme.partner_search_consent = False
    sme.save()
    assert not PartnerMarketEntry.objects.exists()
    sme.partner_search_consent = True
    sme.save()
    sme.delete()
    assert not PartnerMarketEntry.objects.exists()


def test_the_import_keeps_the_index():
    from tests.smes.test_import import SIRET_A, csv_bytes, row, run

    de, it = _country("DE"), _country("IT")
    assert run(csv_bytes([row(SIRET_A, target_markets="DE")])).ok
    assert not PartnerMarketEntry.objects.exists()  # an imported firm has not consented
    sme = SME.objects.get(siret=SIRET_A)
    sme.partner_search_consent = True
    sme.partner_search_consent_at = timezone.now()
    sme.save()
    assert set(PartnerMarketEntry.objects.values_list("market_id", "employee_range")) == {
        (de.pk, "11")
    }
    # The merge is SQL, without signals: the import rewrites the consenting firms' entries.
    report = run(csv_bytes([row(SIRET_A, target_markets="IT", trancheEffectifsEtablissement="12")]))
    assert report.ok and report.updated == 1
    assert set(PartnerMarketEntry.objects.values_list("market_id", "employee_range")) == {
        (it.pk, "12")
    }
    _rebuilt()


def test_the_generator_keeps_the_index():
    from demo.smes import clear_generated_smes, generate_smes

    generate_smes(count=300, seed=3)
    rebuilt = _rebuilt()
    assert rebuilt, "the generated set has consenting firms with markets"
    clear_generated_smes()
    assert not PartnerMarketEntry.objects.exists()


def test_cells_cover_the_box():
    box = BoundingBox.around(48.85, 2.35, 50)
    cells = cells_covering(box.min_lat, box.max_lat, box.lon_ranges)
    ((west, east),) = box.lon_ranges
    for lat in (box.min_lat, 48.85, box.max_lat):
        for lon in (west, 2.35, east):
            assert box.contains(lat, lon) and cell_of(lat, lon) in cells
    assert len(cells) <= 12
    assert cells_covering(89.0, 90.0, ()) is None
    # Across the ±180° meridian (near Wallis and Futuna): both sides are covered.
    box = BoundingBox.around(-13.3, 179.2, 200)
    assert len(box.lon_ranges) == 2
    cells = cells_covering(box.min_lat, box.max_lat, box.lon_ranges)
    assert cell_of(-13.3, 179.9) in cells and cell_of(-13.3, -179.5) in cells

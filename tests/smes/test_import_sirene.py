"""SIRENE-scale import: the stock's own columns, validation before any write, the set-based
merge (ON CONFLICT), bounded reports, and the generator of the benchmark file."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo.management.commands.generate_sirene_stock import HEADER as STOCK_HEADER
from smes.enums import EmployeeRange, ExportStage, LocationPrecision
from smes.models import SME
from smes.services import import_smes_from_csv
from smes.services.csv_import import MAX_KEPT_ISSUES
from tests.smes.factories import SMEFactory, make_siret

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "CREATE")


def stock_row(siret, **values):
    """A row of the real StockEtablissement columns (every other column empty)."""
    cells = dict.fromkeys(STOCK_HEADER, "")
    cells.update(
        siren=siret[:9],
        nic=siret[9:],
        siret=siret,
        dateCreationEtablissement="2015-03-02",
        trancheEffectifsEtablissement="11",
        numeroVoieEtablissement="12",
        typeVoieEtablissement="RUE",
        libelleVoieEtablissement="DE LA REPUBLIQUE",
        codePostalEtablissement="34000",
        codeCommuneEtablissement="34172",
        etatAdministratifEtablissement="A",
        enseigne1Etablissement="ATELIER DU LEZ",
        activitePrincipaleEtablissement="62.01Z",
        nomenclatureActivitePrincipaleEtablissement="NAFv2",
    )
    cells.update(values)
    return cells


def to_csv(rows, header=STOCK_HEADER, *, bom=False, delimiter=","):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def run(data, **kwargs):
    kwargs.setdefault("source", "SIRENE 2026-11")
    return import_smes_from_csv(stream=io.BytesIO(data), **kwargs)


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_stock_columns_are_read(territory):
    siret = make_siret(1)
    report = run(to_csv([stock_row(siret)]))
    assert report.ok and report.written and report.created == 1, report.lines()
    sme = SME.objects.get()
    assert (sme.siret, sme.siren, sme.name) == (siret, siret[:9], "ATELIER DU LEZ")
    assert sme.naf_code == "62.01Z" and sme.sector.code == "62"
    assert sme.employee_range == EmployeeRange.FROM_10
    assert sme.created_on.isoformat() == "2015-03-02"
    assert sme.address_line == "12 Rue DE LA REPUBLIQUE" and sme.postal_code == "34000"
    assert sme.commune == territory("commune", "34172")
    assert sme.location_precision == LocationPrecision.COMMUNE
    assert (sme.latitude, sme.longitude) == (sme.commune.latitude, sme.commune.longitude)
    assert sme.source == "SIRENE 2026-11" and sme.version == 1


def test_name_prefers_the_unit_name_then_the_usual_name_then_the_sign():
    rows = [
        stock_row(
            make_siret(1), denominationUsuelleEtablissement="Usuel", denominationUniteLegale="U"
        ),
        stock_row(make_siret(2), enseigne1Etablissement="", denominationUniteLegale="UNITE"),
    ]
    # The unit's name is not a StockEtablissement column: an extract joined with the legal
    # units has it (the generator's last column). Preference as documented: unit, usual, sign.
    report = run(to_csv(rows))
    assert report.ok, report.lines()
    names = dict(SME.objects.values_list("siret", "name"))
    assert names == {make_siret(1): "U", make_siret(2): "UNITE"}


def test_the_registrys_own_export_columns_are_read(territory):
    header = [
        "siret",
        "siren",
        "name",
        "naf_code",
        "employee_range",
        "created_on",
        "address_line",
        "postal_code",
        "commune.code",
        "latitude",
        "longitude",
        "location_precision",
        "export_stage",
        "target_markets",
        "needs",
        "is_innovative",
        "version",
    ]
    geocoded, centred = make_siret(1), make_siret(2)
    base = {
        "name": "Atelier",
        "naf_code": "6201Z",
        "employee_range": "01",
        "created_on": "02/03/2015",
        "address_line": "3 place de la Comédie",
        "postal_code": "34000",
        "commune.code": "34172",
        "export_stage": "regular",
        "target_markets": "MA | DE",
        "needs": "trade-fairs",
        "is_innovative": "true",
        "version": "7",
    }
    rows = [
        {**base, "siret": geocoded, "siren": geocoded[:9], "latitude": "43.6085"}
        | {"longitude": "3.8800", "location_precision": "address"},
        {**base, "siret": centred, "siren": centred[:9], "latitude": "1.0"}
        | {"longitude": "1.0", "location_precision": "commune"},
    ]
    report = run(to_csv(rows, header))
    assert report.ok and report.created == 2, report.lines()
    sme = SME.objects.get(siret=geocoded)
    assert sme.naf_code == "62.01Z" and sme.employee_range == "01"
    assert sme.created_on.isoformat() == "2015-03-02"
    assert sme.address_line == "3 place de la Comédie"
    assert sme.commune == territory("commune", "34172")
    assert (sme.latitude, sme.location_precision) == (43.6085, LocationPrecision.ADDRESS)
    assert sme.export_stage == ExportStage.REGULAR and sme.is_innovative
    assert sorted(sme.target_markets.values_list("code", flat=True)) == ["DE", "MA"]
    assert sme.version == 1  # the export's version column is not an input
    # A commune centre in an export is derived again, not taken as the firm's own point.
    other = SME.objects.get(siret=centred)
    assert other.location_precision == LocationPrecision.COMMUNE
    assert other.latitude == other.commune.latitude


def test_wrong_header_names_every_missing_column_and_doubles():
    report = run(b"siren,denomination\n123456789,x\n")
    (error,) = report.file_errors
    assert "siret" in error and "codeCommuneEtablissement" in error and "name" in error
    assert not report.written
    report = run(b"siret,name,codeCommuneEtablissement,commune.code\n")
    assert "en double" in report.file_errors[0]
    assert "codecommuneetablissement" in report.file_errors[0]


def test_empty_files():
    assert "vide" in run(b"").file_errors[0]
    assert "vide" in run(b"\n\r\n  \n").file_errors[0]
    assert "vide" in run(b"\xef\xbb\xbf").file_errors[0]
    report = run(to_csv([]))  # a header and no row: nothing to do, not an error
    assert report.ok and report.total_rows == 0 and report.created == 0
    assert not SME.objects.exists()


def test_utf8_bom_comma_separated_stock_file():
    name = "Société d’Œnologie – Nîmes"
    report = run(to_csv([stock_row(make_siret(1), enseigne1Etablissement=name)], bom=True))
    assert report.ok and report.encoding == "UTF-8" and report.file_notes == [], report.lines()
    assert SME.objects.get().name == name


def test_a_bad_row_anywhere_refuses_the_file_before_any_write():
    rows = [stock_row(make_siret(n)) for n in range(1, 41)]
    rows[0]["siret"] = rows[0]["siret"][:-1] + str((int(rows[0]["siret"][-1]) + 1) % 10)
    rows[0]["siren"] = rows[0]["siret"][:9]
    rows[19]["codeCommuneEtablissement"] = "99999"
    rows[39]["activitePrincipaleEtablissement"] = "04.11Z"
    rows[39]["trancheEffectifsEtablissement"] = "99"
    with CaptureQueriesContext(connection) as queries:
        report = run(to_csv(rows))
    assert writes(queries) == []  # not even the staging table
    assert report.refused and not report.written
    assert [(issue.line, len(issue.reasons)) for issue in report.rejected] == [
        (2, 1),
        (21, 1),
        (41, 2),
    ]
    assert report.rejected.total == 3 and report.valid_rows == 37
    assert "Code commune « 99999 » inconnu" in report.rejected[1].reasons[0]
    assert not SME.objects.exists()


def test_every_bad_row_is_counted_and_the_list_is_capped():
    rows = [stock_row(make_siret(n), codeCommuneEtablissement="99999") for n in range(1, 1206)]
    report = run(to_csv(rows))
    assert report.rejected.total == 1205 and len(report.rejected) == MAX_KEPT_ISSUES
    assert report.rejected[-1].line == MAX_KEPT_ISSUES + 1
    lines = report.lines(limit=5)
    assert sum(line.startswith("Rejetée") for line in lines) == 5
    assert "1200 autre(s) ligne(s)" in "\n".join(lines)
    assert "1205 rejetées" in "\n".join(lines)


def test_skip_invalid_writes_the_valid_rows(tmp_path):
    path = tmp_path / "stock.csv"
    good, bad = make_siret(1), make_siret(2)
    path.write_bytes(
        to_csv([stock_row(good), stock_row(bad, dateCreationEtablissement="2015-13-45")])
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 ligne"):
        call_command("import_smes", str(path), "--skip-invalid", stdout=out)
    assert "ligne 3" in out.getvalue() and "n'est pas une date" in out.getvalue()
    assert list(SME.objects.values_list("siret", flat=True)) == [good]


def test_reimport_updates_through_on_conflict(territory):
    siret = make_siret(1)
    existing = SMEFactory(
        siret=siret,
        name="ATELIER DU LEZ",
        naf_code="10.51C",
        export_stage=ExportStage.REGULAR,
        export_share=40,
        commune=territory("commune", "34172"),
        latitude=43.61,
        longitude=3.87,
        location_precision=LocationPrecision.ADDRESS,
        source="saisie manuelle",
    )
    existing.target_markets.set([territory("country", "MA")])
    before = SME.objects.get()
    report = run(to_csv([stock_row(siret)]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0), report.lines()
    sme = SME.objects.get()
    assert sme.pk == before.pk and sme.version == before.version + 1
    assert sme.naf_code == "62.01Z" and sme.sector.code == "62"
    assert sme.employee_range == EmployeeRange.FROM_10
    # What the file does not say is kept: the adviser's data and the geocoded point.
    assert (sme.export_stage, sme.export_share) == (ExportStage.REGULAR, 40)
    assert list(sme.target_markets.values_list("code", flat=True)) == ["MA"]
    assert (sme.latitude, sme.location_precision) == (43.61, LocationPrecision.ADDRESS)
    assert sme.created_at == before.created_at and sme.updated_at > before.updated_at
    assert sme.source == "SIRENE 2026-11"

    # The same file again: nothing changes, not even the timestamps or the version.
    again = run(to_csv([stock_row(siret)]), source="autre nom")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    same = SME.objects.get()
    assert (same.version, same.updated_at, same.source) == (sme.version, sme.updated_at, sme.source)

    # Moving to another commune drops the geocoded point for the new commune's centre.
    moved = run(
        to_csv(
            [stock_row(siret, codeCommuneEtablissement="30189", codePostalEtablissement="30000")]
        )
    )
    assert moved.updated == 1
    sme = SME.objects.get()
    assert sme.commune == territory("commune", "30189")
    assert sme.location_precision == LocationPrecision.COMMUNE
    assert sme.latitude == sme.commune.latitude


def test_markets_and_needs_given_replace_the_sets(territory):
    header = ["siret", "name", "codeCommuneEtablissement", "target_markets", "needs"]
    siret = make_siret(1)
    base = {"siret": siret, "name": "A", "codeCommuneEtablissement": "34172"}
    run(to_csv([{**base, "target_markets": "MA|DE", "needs": "trade-fairs"}], header))
    report = run(to_csv([{**base, "target_markets": "ES", "needs": ""}], header))
    assert report.updated == 1
    sme = SME.objects.get()
    assert list(sme.target_markets.values_list("code", flat=True)) == ["ES"]
    assert list(sme.needs.values_list("code", flat=True)) == ["trade-fairs"]  # empty: kept
    assert sme.version == 2
    # Same set in another order: unchanged.
    report = run(to_csv([{**base, "target_markets": "es", "needs": "trade-fairs"}], header))
    assert (report.updated, report.unchanged) == (0, 1)


def test_closed_establishments_are_skipped_and_existing_records_kept(territory):
    siret, closed = make_siret(1), make_siret(2)
    SMEFactory(siret=closed, name="Ancien", commune=territory("commune", "34172"))
    stamp = SME.objects.get(siret=closed).updated_at
    rows = [
        stock_row(siret),
        stock_row(closed, etatAdministratifEtablissement="F", enseigne1Etablissement="Nouveau"),
    ]
    report = run(to_csv(rows))
    assert report.ok and report.created == 1 and report.skipped.total == 1
    assert report.skipped[0].line == 3
    kept = SME.objects.get(siret=closed)
    assert (kept.name, kept.updated_at) == ("Ancien", stamp)


def test_larger_firm_warning_is_computed_on_the_merged_record():
    siret = make_siret(1)
    header = ["siret", "name", "codeCommuneEtablissement", "employees"]
    run(
        to_csv(
            [{"siret": siret, "name": "A", "codeCommuneEtablissement": "34172", "employees": "30"}],
            header,
        )
    )
    # The stock says 500-999, the adviser's exact headcount (30) wins: no warning.
    report = run(to_csv([stock_row(siret, trancheEffectifsEtablissement="41")]))
    assert report.ok and report.warnings.total == 0
    report = run(to_csv([stock_row(make_siret(2), trancheEffectifsEtablissement="41")]))
    assert report.warnings.total == 1 and "seuil des PME" in str(report.warnings[0])


def test_dry_run_counts_through_the_merge_and_rolls_back():
    report = run(to_csv([stock_row(make_siret(1)), stock_row(make_siret(2))]), dry_run=True)
    assert report.ok and report.created == 2 and not report.written
    assert not SME.objects.exists()
    # The staging tables went away with the rollback: a real import can follow.
    assert run(to_csv([stock_row(make_siret(1))])).created == 1


def test_a_stream_that_cannot_seek_is_read_too():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    data = to_csv([stock_row(make_siret(1))]).replace(b"ATELIER", "Cœur".encode("cp1252"))
    report = import_smes_from_csv(stream=io.BufferedReader(Pipe(data)), source="pipe")
    assert report.ok and report.encoding == "Windows-1252", report.lines()
    assert SME.objects.get().name == "Cœur DU LEZ"


def test_progress_is_reported():
    seen = []
    run(to_csv([stock_row(make_siret(n)) for n in range(1, 4)]), progress=lambda *a: seen.append(a))
    assert ("load", 3) in seen and ("merge", 3) in seen


def test_generated_stock_file_imports_and_a_bad_one_is_refused(tmp_path):
    good, bad = tmp_path / "stock.csv", tmp_path / "bad.csv"
    call_command(
        "generate_sirene_stock", str(good), "--rows", "60", "--seed", "7", stdout=io.StringIO()
    )
    call_command(
        "generate_sirene_stock", str(bad), "--rows", "60", "--bad", "6", "--seed", "7",
        stdout=io.StringIO(),
    )  # fmt: skip
    with bad.open("rb") as stream, CaptureQueriesContext(connection) as queries:
        refused = import_smes_from_csv(stream=stream, source="bad")
    assert writes(queries) == [] and refused.refused
    assert refused.rejected.total == 6
    assert [issue.line for issue in refused.rejected] == [9, 18, 26, 35, 43, 52]
    with good.open("rb") as stream:
        report = import_smes_from_csv(stream=stream, source="stock")
    assert report.ok, report.lines()
    assert report.created + report.skipped.total == 60 and report.skipped.total > 0
    assert SME.objects.count() == report.created


def test_la_poste_establishments_follow_their_own_rule():
    # Not Luhn-valid, but the sum of its digits is a multiple of 5: La Poste's rule (stdnum).
    la_poste = "35600000010000"
    report = run(to_csv([stock_row(la_poste)]))
    assert report.ok and report.created == 1, report.lines()
    wrong = "35600000010001"
    report = run(to_csv([stock_row(wrong)]))
    assert "multiple de 5" in report.rejected[0].reasons[0]

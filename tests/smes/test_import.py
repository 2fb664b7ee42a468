"""CSV import: SIRENE columns, all-or-nothing, idempotency, rejected rows, the command."""

import io

import pytest
from django.core.management import CommandError, call_command

from smes.enums import EmployeeRange, ExportStage, LocationPrecision
from smes.models import SME
from smes.services import import_smes_from_csv
from tests.smes.factories import SMEFactory, make_siret

pytestmark = pytest.mark.django_db

HEADER = [
    "siren",
    "siret",
    "denominationUniteLegale",
    "enseigne1Etablissement",
    "activitePrincipaleEtablissement",
    "trancheEffectifsEtablissement",
    "dateCreationEtablissement",
    "numeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "codeCommuneEtablissement",
    "etatAdministratifEtablissement",
    "export_stage",
    "export_share",
    "target_markets",
    "needs",
    "is_innovative",
]

SIRET_A = make_siret(1)
SIRET_B = make_siret(2)
SIRET_C = make_siret(3)


def row(siret, **overrides):
    values = {
        "siren": siret[:9],
        "siret": siret,
        "denominationUniteLegale": "Atelier du Lez",
        "enseigne1Etablissement": "",
        "activitePrincipaleEtablissement": "62.01Z",
        "trancheEffectifsEtablissement": "11",
        "dateCreationEtablissement": "2015-03-02",
        "numeroVoieEtablissement": "12",
        "typeVoieEtablissement": "RUE",
        "libelleVoieEtablissement": "DE LA REPUBLIQUE",
        "codePostalEtablissement": "34000",
        "codeCommuneEtablissement": "34172",
        "etatAdministratifEtablissement": "A",
        "export_stage": "regular",
        "export_share": "35",
        "target_markets": "MA|DE",
        "needs": "trade-fairs;prospecting-missions",
        "is_innovative": "oui",
    }
    values.update(overrides)
    return values


def csv_bytes(rows, *, delimiter=",", bom=False, header=HEADER):
    buffer = io.StringIO()
    import csv

    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def run(data, **kwargs):
    kwargs.setdefault("source", "SIRENE test")
    return import_smes_from_csv(stream=io.BytesIO(data), **kwargs)


def valid_rows():
    return [
        row(SIRET_A),
        row(
            SIRET_B,
            denominationUniteLegale="",
            enseigne1Etablissement="Les Fromages de Nîmes",
            activitePrincipaleEtablissement="1051C",
            codePostalEtablissement="30000",
            codeCommuneEtablissement="30189",
            target_markets="",
            needs="",
            export_stage="",
            export_share="",
            is_innovative="",
        ),
    ]


def test_import_creates_smes_from_sirene_columns(territory):
    report = run(csv_bytes(valid_rows()))
    assert report.ok and report.written
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    sme = SME.objects.get(siret=SIRET_A)
    assert sme.name == "Atelier du Lez"
    assert sme.naf_code == "62.01Z" and sme.sector.code == "62"
    assert sme.employee_range == EmployeeRange.FROM_10 and sme.employees is None
    assert sme.created_on.isoformat() == "2015-03-02"
    assert sme.address_line == "12 Rue DE LA REPUBLIQUE"
    assert sme.postal_code == "34000"
    assert sme.commune == territory("commune", "34172")
    assert sme.location_precision == LocationPrecision.COMMUNE
    assert sme.export_stage == ExportStage.REGULAR and sme.export_share == 35
    assert sorted(sme.target_markets.values_list("code", flat=True)) == ["DE", "MA"]
    assert sorted(sme.needs.values_list("code", flat=True)) == [
        "prospecting-missions",
        "trade-fairs",
    ]
    assert sme.is_innovative
    assert sme.source == "SIRENE test"
    other = SME.objects.get(siret=SIRET_B)
    assert other.name == "Les Fromages de Nîmes"
    assert other.naf_code == "10.51C"
    assert other.export_stage == ExportStage.NONE and not other.is_innovative


def test_second_import_of_the_same_file_changes_nothing():
    data = csv_bytes(valid_rows())
    run(data)
    stamps = dict(SME.objects.values_list("siret", "updated_at"))
    report = run(data, source="same file, other name")
    assert report.ok and report.written
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert dict(SME.objects.values_list("siret", "updated_at")) == stamps


def test_import_updates_and_keeps_what_the_file_does_not_say():
    run(csv_bytes(valid_rows()))
    rows = valid_rows()
    rows[0]["export_share"] = "50"
    rows[0]["target_markets"] = ""  # empty cell: keep the markets
    report = run(csv_bytes(rows))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    sme = SME.objects.get(siret=SIRET_A)
    assert sme.export_share == 50
    assert sme.target_markets.count() == 2


def test_any_rejected_row_means_nothing_is_written():
    rows = [
        *valid_rows(),
        row(SIRET_C[:-1] + str((int(SIRET_C[-1]) + 1) % 10)),  # bad checksum
        row(SIRET_C, codeCommuneEtablissement="34999"),
        row(make_siret(4), codePostalEtablissement="30000"),  # Nîmes postal code, Montpellier
        row(make_siret(5), activitePrincipaleEtablissement="04.11Z"),
        row(make_siret(6), target_markets="MA;XX"),
        row(make_siret(7), needs="trade-fairs|teleportation"),
        row(SIRET_A),  # duplicate of line 2
        row(make_siret(8), denominationUniteLegale="", export_share="130"),
    ]
    report = run(csv_bytes(rows))
    assert not report.written and report.has_errors
    assert not SME.objects.exists()
    by_line = {issue.line: issue for issue in report.rejected}
    assert sorted(by_line) == [4, 5, 6, 7, 8, 9, 10, 11]
    assert "clé de contrôle" in by_line[4].reasons[0]
    assert by_line[5].siret == SIRET_C and "Code commune « 34999 » inconnu" in by_line[5].reasons[0]
    assert "ne correspond pas à la commune" in by_line[6].reasons[0]
    assert "division 04" in by_line[7].reasons[0]
    assert "XX" in by_line[8].reasons[0]
    assert "teleportation" in by_line[9].reasons[0]
    assert "déjà présent ligne 2" in by_line[10].reasons[0]
    assert len(by_line[11].reasons) == 2  # every reason of a row, not only the first
    # Refused before any write: the valid rows are counted, nothing was merged.
    assert report.refused and report.valid_rows == 2 and report.created == 0
    text = "\n".join(report.lines())
    assert "2 lignes valides" in text
    assert "aucune modification enregistrée" in text and "ligne 5" in text


def test_allow_partial_writes_the_valid_rows():
    rows = [*valid_rows(), row(SIRET_C, codeCommuneEtablissement="34999")]
    report = run(csv_bytes(rows), allow_partial=True)
    assert report.written and len(report.rejected) == 1
    assert set(SME.objects.values_list("siret", flat=True)) == {SIRET_A, SIRET_B}


def test_dry_run_counts_and_writes_nothing():
    report = run(csv_bytes(valid_rows()), dry_run=True)
    assert report.ok and not report.written and report.created == 2
    assert not SME.objects.exists()


def test_old_commune_code_resolves_to_the_current_commune(territory):
    rows = [row(SIRET_A, codeCommuneEtablissement="34275", codePostalEtablissement="34800")]
    report = run(csv_bytes(rows))
    assert report.ok
    assert SME.objects.get().commune == territory("commune", "34186")
    assert "34275" in str(report.notes[0])


def test_arrondissement_code_and_its_postal_code(territory):
    rows = [row(SIRET_A, codeCommuneEtablissement="69381", codePostalEtablissement="69001")]
    report = run(csv_bytes(rows))
    assert report.ok
    assert SME.objects.get().commune == territory("arrondissement", "69381")


def test_postal_code_unknown_to_the_reference_must_be_in_the_departement():
    # 34967 is a company postal code (CEDEX-like), absent from La Poste's public list.
    assert run(csv_bytes([row(SIRET_A, codePostalEtablissement="34967")])).ok
    report = run(csv_bytes([row(SIRET_B, codePostalEtablissement="13999")]))
    assert "ne correspond pas" in report.rejected[0].reasons[0]


def test_semicolon_delimiter_and_bom():
    report = run(csv_bytes(valid_rows(), delimiter=";", bom=True))
    assert report.ok and report.created == 2


def test_text_stream_with_bom_is_accepted():
    text = csv_bytes(valid_rows(), bom=True).decode("utf-8")
    report = import_smes_from_csv(stream=io.StringIO(text), source="texte")
    assert report.ok and report.created == 2


def test_closed_establishments_are_skipped_not_rejected():
    rows = [
        *valid_rows(),
        row(SIRET_C, etatAdministratifEtablissement="F", codeCommuneEtablissement="99999"),
    ]
    report = run(csv_bytes(rows))
    assert report.ok and report.written
    assert report.created == 2 and len(report.skipped) == 1
    assert report.skipped[0].line == 4
    assert not SME.objects.filter(siret=SIRET_C).exists()


def test_coordinates_from_the_file():
    header = [*HEADER, "latitude", "longitude"]
    report = run(csv_bytes([row(SIRET_A, latitude="43,6112", longitude="3.8767")], header=header))
    assert report.ok
    sme = SME.objects.get()
    assert (sme.latitude, sme.longitude) == (43.6112, 3.8767)
    assert sme.location_precision == LocationPrecision.ADDRESS


def test_larger_firm_is_imported_with_a_warning():
    report = run(csv_bytes([row(SIRET_A, trancheEffectifsEtablissement="41")]))
    assert report.ok and report.created == 1
    assert "seuil des PME" in str(report.warnings[0])


def test_file_level_errors():
    assert "vide" in run(b"").file_errors[0]
    report = run(b"siret,nom\n123,x\n")
    assert "codeCommuneEtablissement" in report.file_errors[0]
    # Not UTF-8 nor Windows-1252 (0x81 has no character there): refused with its line.
    report = run(b"siret;name;codeCommuneEtablissement\nx;Soci\x81t\xe9;34172\n")
    assert "ligne(s) 2" in report.file_errors[0]
    assert not report.written


def test_wrong_number_of_columns_is_a_rejected_row():
    data = csv_bytes(valid_rows()) + f"{SIRET_C},Trop court\n".encode()
    report = run(data)
    assert report.rejected[0].line == 4
    assert "colonnes au lieu de" in report.rejected[0].reasons[0]
    assert not SME.objects.exists()


def test_import_does_not_overwrite_data_entered_by_an_adviser(territory):
    SMEFactory(
        siret=SIRET_A, name="Atelier du Lez", export_share=80, commune=territory("commune", "34172")
    )
    header = ["siret", "denominationUniteLegale", "codeCommuneEtablissement"]
    report = run(csv_bytes([row(SIRET_A)], header=header))
    assert report.ok
    assert SME.objects.get().export_share == 80


def test_command_prints_the_report_and_fails_on_rejected_rows(tmp_path):
    good = tmp_path / "pme.csv"
    good.write_bytes(csv_bytes(valid_rows(), delimiter=";"))
    out = io.StringIO()
    call_command("import_smes", str(good), "--source", "SIRENE 2025-01", stdout=out)
    assert "2 créées" in out.getvalue()
    assert SME.objects.filter(source="SIRENE 2025-01").count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(SIRET_C, codeCommuneEtablissement="34999")]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 ligne"):
        call_command("import_smes", str(bad), stdout=out)
    assert "inconnu" in out.getvalue()
    assert not SME.objects.filter(siret=SIRET_C).exists()

    out = io.StringIO()
    call_command("import_smes", str(good), "--dry-run", stdout=out)
    assert "2 inchangées" in out.getvalue()

    with pytest.raises(CommandError, match="introuvable"):
        call_command("import_smes", str(tmp_path / "absent.csv"))


# --- Encodings: real bytes ----------------------------------------------------------------------

# Characters Latin-1 and Windows-1252 write differently from UTF-8; "œ", "’" and "–" exist in
# Windows-1252 only (0x9C, 0x92, 0x96).
ACCENTED = "Société Générale d’Œnologie – Cœur de Nîmes"


def encoded(name: str, encoding: str, *, bom: bool = False) -> bytes:
    rows = [row(SIRET_A, denominationUniteLegale=name), row(SIRET_B)]
    text = csv_bytes(rows, delimiter=";").decode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_bom(bom):
    report = run(encoded(ACCENTED, "utf-8", bom=bom))
    assert report.ok and report.created == 2, report.lines()
    assert report.encoding == "UTF-8" and report.file_notes == []
    assert SME.objects.get(siret=SIRET_A).name == ACCENTED


def test_windows_1252_file_is_read_and_said():
    data = encoded(ACCENTED, "cp1252")
    assert b"\x9c" in data and b"\x92" in data  # real Windows-1252 bytes: œ, ’
    report = run(data)
    assert report.ok and report.created == 2, report.lines()
    assert report.encoding == "Windows-1252"
    assert SME.objects.get(siret=SIRET_A).name == ACCENTED
    assert any("Fichier lu en Windows-1252" in line for line in report.lines())


def test_latin1_file_is_read_as_windows_1252():
    name = "Fromagerie de l'Aubrac, Société à responsabilité"
    report = run(encoded(name, "latin-1"))
    assert report.ok and report.created == 2, report.lines()
    assert report.encoding == "Windows-1252"
    assert SME.objects.get(siret=SIRET_A).name == name


def test_utf16_with_bom_from_a_spreadsheet():
    report = run(encoded(ACCENTED, "utf-16"))
    assert report.ok and report.encoding == "UTF-16", report.lines()
    assert SME.objects.get(siret=SIRET_A).name == ACCENTED


def test_a_stray_byte_in_a_utf8_file_rejects_the_whole_file_by_line():
    rows = [row(SIRET_A, denominationUniteLegale="Société du Lez"), row(SIRET_B), row(SIRET_C)]
    data = csv_bytes(rows, delimiter=";")
    lines = data.split(b"\n")
    lines[3] = lines[3].replace(b"Atelier", b"Ateli\xe9r")  # one Latin-1 "é" on line 4
    report = run(b"\n".join(lines))
    assert not report.ok and not report.written
    (error,) = report.file_errors
    assert "ligne(s) 4" in error and "UTF-8" in error
    assert "octet" not in error.lower()  # a line, never a byte offset
    assert not SME.objects.exists()


def test_bytes_undefined_in_windows_1252_are_named_by_line():
    data = encoded("Maison \u00e9", "cp1252")
    lines = data.split(b"\n")
    lines[2] = lines[2].replace(b"Atelier", b"Atelier\x9d")
    report = run(b"\n".join(lines))
    assert not report.written and not SME.objects.exists()
    assert "ligne(s) 3" in report.file_errors[0]
    assert "Windows-1252" in report.file_errors[0]


def test_command_reads_a_windows_1252_file_and_says_so(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(encoded(ACCENTED, "cp1252"))
    out = io.StringIO()
    call_command("import_smes", str(path), stdout=out)
    assert "Fichier lu en Windows-1252" in out.getvalue()
    assert SME.objects.get(siret=SIRET_A).name == ACCENTED

    broken = tmp_path / "casse.csv"
    broken.write_bytes(encoded(ACCENTED, "utf-8").replace(b"Atelier", b"Ateli\xe9r"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_smes", str(broken), stdout=out)
    assert "ligne(s) 3" in out.getvalue()

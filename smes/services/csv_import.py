"""Import of SMEs from a CSV file shaped like the public SIRENE extract.

Columns (names as in INSEE's ``StockEtablissement`` file, case-insensitive; those marked * are
required):

* ``siret`` *; ``siren`` (checked against the SIRET when present);
* the name *: ``name``, ``denominationUniteLegale``, ``denominationUsuelleEtablissement`` or
  ``enseigne1Etablissement`` (the first non-empty one, in this order);
* ``activitePrincipaleEtablissement`` (NAF rév. 2; ``nomenclatureActivitePrincipaleEtablissement``
  must then be ``NAFv2`` or empty), ``trancheEffectifsEtablissement`` (INSEE range code),
  ``dateCreationEtablissement``, ``categorieJuridiqueUniteLegale`` or ``legal_form``;
* the address: ``numeroVoieEtablissement``, ``indiceRepetitionEtablissement``,
  ``typeVoieEtablissement``, ``libelleVoieEtablissement``, ``codePostalEtablissement``,
  ``codeCommuneEtablissement`` *; ``etatAdministratifEtablissement``;
* project columns: ``latitude``, ``longitude``, ``employees``, ``turnover_eur``,
  ``export_stage``, ``export_share``, ``target_markets`` (ISO 3166 alpha-2 codes separated by
  ";", "|" or ","), ``needs`` (service codes, same separators), ``is_innovative``.

Rules, decided here and relied on by the tests:

* **All or nothing.** The import runs in one transaction. By default, if any row is rejected,
  nothing at all is written and the report says so (``written`` is false); ``allow_partial``
  writes the valid rows and still reports the rejected ones. ``dry_run`` validates everything
  and counts what would change, then rolls back.
* **Idempotent on SIRET.** A row updates the SME of its SIRET; a row identical to the record
  counts as unchanged and writes nothing, so importing the same file twice gives 0 created,
  0 updated on the second run.
* **An empty cell erases nothing.** An absent column or an empty cell leaves the current value
  (the model default on creation): a SIRENE extract does not wipe the export stage or the
  needs entered by an adviser.
* **Closed establishments are skipped, not rejected.** ``etatAdministratifEtablissement = F``
  is normal in a SIRENE stock: the row is listed as skipped and does not block the import; an
  existing record is left untouched (closing it is a human decision).
* **Commune codes.** The current commune (or municipal arrondissement, as SIRENE gives for
  Paris, Lyon and Marseille) of that code; an old code (merged or delegated commune) resolves
  to today's commune through ``CommuneAlias``, with a note in the report; unknown → rejected.
* **Postal codes.** A postal code known to the reference must serve the commune (or its
  arrondissements / parent commune). A code unknown to the reference (CEDEX and company codes
  are not in La Poste's public list) is accepted when it belongs to the commune's département.
* **Duplicates.** A SIRET seen earlier in the same file rejects the later row.
* **Encoding.** UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (which reads
  Latin-1 files too), said in the report ("Fichier lu en Windows-1252"); bytes no accepted
  encoding reads reject the whole file, naming their lines (``smes.services.csv_encoding``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from smes.services.csv_encoding import (
    MAX_LINES_SHOWN,
    DecodedFile,
    UndecodableFile,
    decode_csv,
)
from smes.services.csv_rows import NAME_COLUMNS, REQUIRED_COLUMNS, Row, load_lookups, parse_row
from smes.services.sme import SMEWriteAction, create_or_update_sme
from smes.validators import normalize_identifier


@dataclass
class RowIssue:
    """A line of the file with what happened to it."""

    line: int
    siret: str
    reasons: list[str]

    def __str__(self) -> str:
        siret = self.siret or _("SIRET absent")
        return _("ligne %(line)s (%(siret)s) : %(reasons)s") % {
            "line": self.line,
            "siret": siret,
            "reasons": " ; ".join(self.reasons),
        }


@dataclass
class ImportReport:
    """What an import did (or, when rolled back, would have done)."""

    source: str
    dry_run: bool = False
    allow_partial: bool = False
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    encoding: str = ""  # as read ("UTF-8", "Windows-1252"...); "" for a text stream
    file_notes: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    rejected: list[RowIssue] = field(default_factory=list)
    skipped: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    notes: list[RowIssue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.rejected)

    @property
    def ok(self) -> bool:
        return not self.has_errors

    def lines(self) -> list[str]:
        """The report in French, one line per fact, for the command and the admin."""
        out = [
            _("Import « %(source)s » : %(total)s lignes lues.")
            % {"source": self.source, "total": self.total_rows}
        ]
        out.extend(self.file_notes)
        out.extend(_("Erreur de fichier : %(error)s") % {"error": e} for e in self.file_errors)
        if self.dry_run:
            verb = _("à l'essai (rien n'est enregistré)")
        elif self.written:
            verb = _("enregistré")
        else:
            verb = _("annulé : aucune modification enregistrée")
        out.append(
            _(
                "%(created)s créées, %(updated)s mises à jour, %(unchanged)s inchangées, "
                "%(skipped)s ignorées, %(rejected)s rejetées — %(verb)s."
            )
            % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "skipped": len(self.skipped),
                "rejected": len(self.rejected),
                "verb": verb,
            }
        )
        if self.rejected and not self.written and not self.dry_run and not self.allow_partial:
            out.append(
                _(
                    "Des lignes sont rejetées : corrigez-les et relancez l'import "
                    "(ou utilisez l'option d'import partiel)."
                )
            )
        out.extend(_("Rejetée — %(row)s") % {"row": row} for row in self.rejected)
        out.extend(_("Ignorée — %(row)s") % {"row": row} for row in self.skipped)
        out.extend(_("Avertissement — %(row)s") % {"row": row} for row in self.warnings)
        out.extend(_("Remarque — %(row)s") % {"row": row} for row in self.notes)
        return out


def _read_text(stream: IO) -> DecodedFile:
    data = stream.read()
    if isinstance(data, bytes):
        return decode_csv(data)
    # Already text (decoded by the caller): only the BOM a spreadsheet may have left.
    return DecodedFile(data.removeprefix("\ufeff"), "")


def _line_list(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:MAX_LINES_SHOWN])
    if len(lines) > MAX_LINES_SHOWN:
        shown += _(" … (%(count)s lignes en tout)") % {"count": len(lines)}
    return shown


def _undecodable_message(error: UndecodableFile) -> str:
    if not error.lines:
        return _(
            "Le fichier annoncé en %(encoding)s est illisible. Enregistrez-le en UTF-8 et "
            "relancez l'import."
        ) % {"encoding": error.encoding}
    if error.encoding == "Windows-1252":
        return _(
            "Caractères illisibles ligne(s) %(lines)s : le fichier n'est ni en UTF-8 ni en "
            "Windows-1252 (Latin-1). Enregistrez-le en UTF-8 et relancez l'import."
        ) % {"lines": _line_list(error.lines)}
    return _(
        "Caractères illisibles en UTF-8 ligne(s) %(lines)s : le fichier mélange l'UTF-8 et "
        "un autre encodage. Corrigez ces lignes ou enregistrez le fichier en UTF-8, puis "
        "relancez l'import."
    ) % {"lines": _line_list(error.lines)}


def _delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_rows(text: str, report: ImportReport) -> tuple[list[Row], set[str]] | None:
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader)
    except StopIteration:
        report.file_errors.append(_("Le fichier est vide."))
        return None
    except csv.Error as error:
        report.file_errors.append(_("En-tête illisible : %(error)s") % {"error": error})
        return None
    columns = [name.strip().lower() for name in header]
    present = set(columns)
    missing = [label for key, label in REQUIRED_COLUMNS.items() if key not in present]
    if not present.intersection(NAME_COLUMNS):
        missing.append("denominationUniteLegale | enseigne1Etablissement | name")
    if missing:
        report.file_errors.append(
            _("Colonne(s) obligatoire(s) absente(s) : %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
        return None

    rows: list[Row] = []
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(value.strip() for value in cells):
                continue
            report.total_rows += 1
            if len(cells) != len(columns):
                siret = (
                    normalize_identifier(cells[columns.index("siret")])
                    if len(cells) > columns.index("siret")
                    else ""
                )
                report.rejected.append(
                    RowIssue(
                        start,
                        siret,
                        [
                            _("%(found)s colonnes au lieu de %(expected)s.")
                            % {"found": len(cells), "expected": len(columns)}
                        ],
                    )
                )
                continue
            rows.append(Row(start, dict(zip(columns, cells, strict=True))))
    except csv.Error as error:
        report.file_errors.append(
            _("Fichier CSV mal formé vers la ligne %(line)s : %(error)s")
            % {"line": reader.line_num, "error": error}
        )
        return None
    return rows, present


def import_smes_from_csv(
    *, stream: IO, source: str, dry_run: bool = False, allow_partial: bool = False
) -> ImportReport:
    """Import SMEs from a SIRENE-shaped CSV (``;`` or ``,``; UTF-8, else Windows-1252).

    ``stream`` is a binary or text file object. See the module docstring for the rules: one
    transaction, idempotent on SIRET, every rejected row reported with its line number, SIRET and
    reason, and by default nothing written when any row is rejected (``allow_partial`` writes
    the valid rows). ``dry_run`` reports what would happen and writes nothing.
    """
    report = ImportReport(source=source, dry_run=dry_run, allow_partial=allow_partial)
    try:
        decoded = _read_text(stream)
    except UndecodableFile as error:
        report.file_errors.append(_undecodable_message(error))
        return report
    text, report.encoding = decoded.text, decoded.encoding
    if report.encoding and report.encoding != "UTF-8":
        report.file_notes.append(
            _(
                "Fichier lu en %(encoding)s : vérifiez les accents des noms importés "
                "(l'UTF-8 reste le format conseillé)."
            )
            % {"encoding": report.encoding}
        )
    if not text.strip():
        report.file_errors.append(_("Le fichier est vide."))
        return report
    parsed = _read_rows(text, report)
    if parsed is None:
        return report
    rows, present = parsed
    lookups = load_lookups(rows)

    seen: dict[str, int] = {}
    planned: list[tuple[Row, dict[str, Any]]] = []
    for row in rows:
        siret = normalize_identifier(row.cells.get("siret", ""))
        if row.cells.get("etatadministratifetablissement", "").strip().upper() == "F":
            report.skipped.append(
                RowIssue(row.line, siret, [_("établissement fermé (état administratif F), ignoré")])
            )
            continue
        values, reasons, notes = parse_row(row, lookups, present)
        if siret in seen:
            reasons.append(
                _("SIRET en double dans le fichier (déjà présent ligne %(line)s).")
                % {"line": seen[siret]}
            )
        elif siret:
            seen[siret] = row.line
        if notes:
            report.notes.append(RowIssue(row.line, siret, notes))
        if reasons:
            report.rejected.append(RowIssue(row.line, siret, reasons))
        else:
            planned.append((row, values))

    with transaction.atomic():
        for row, values in planned:
            try:
                result = create_or_update_sme(source=source, **values)
            except ValidationError as error:
                report.rejected.append(RowIssue(row.line, values["siret"], error.messages))
                continue
            except DatabaseError as error:
                # A concurrent write of the same SIRET; the savepoint of the row was rolled back.
                report.rejected.append(
                    RowIssue(
                        row.line,
                        values["siret"],
                        [_("Écriture impossible : %(error)s") % {"error": error}],
                    )
                )
                continue
            if result.action is SMEWriteAction.CREATED:
                report.created += 1
            elif result.action is SMEWriteAction.UPDATED:
                report.updated += 1
            else:
                report.unchanged += 1
            if result.warnings:
                report.warnings.append(RowIssue(row.line, values["siret"], result.warnings))
        report.rejected.sort(key=lambda issue: issue.line)
        if dry_run or (report.rejected and not allow_partial):
            transaction.set_rollback(True)
        else:
            report.written = True
    return report

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

* **Validate everything, then write in one go.** The file is read once, as a stream (bounded
  memory: the valid rows are spooled to a temporary file, not kept), and every row is checked
  against the whole reference before anything is written. By default, if any row is rejected,
  nothing at all is written — the database is not even touched — and the report lists every
  rejected row with its line and reasons (``written`` is false); ``allow_partial`` writes the
  valid rows and still reports the rejected ones. The valid rows are then merged set-based in
  one transaction (``smes.services.csv_load``: a staging table and one ``INSERT … ON
  CONFLICT``). ``dry_run`` validates, merges, counts, then rolls back.
* **Reports stay small.** Every rejected (skipped, noted, warned) row is counted; the first
  ``MAX_KEPT_ISSUES`` of each kind are kept with their line and reasons, and ``lines()`` prints
  at most ``limit`` of each.
* **Idempotent on SIRET.** A row updates the SME of its SIRET; a row identical to the record
  counts as unchanged and writes nothing, so importing the same file twice gives 0 created,
  0 updated on the second run.
* **An empty cell erases nothing.** An absent column or an empty cell leaves the current value
  (the model default on creation): a SIRENE extract does not wipe the export stage or the
  needs entered by an adviser.
* **Closed establishments are skipped, not rejected.** ``etatAdministratifEtablissement = F``
  is normal in a SIRENE stock (most of its rows): the row is counted as skipped, is not
  checked, and does not block the import; an existing record is left untouched (closing it is
  a human decision, and the registry keeps no "closed" state to mark).
* **Commune codes.** The current commune (or municipal arrondissement, as SIRENE gives for
  Paris, Lyon and Marseille) of that code; an old code (merged or delegated commune) resolves
  to today's commune through ``CommuneAlias``, with a note in the report; unknown → rejected.
* **Postal codes.** A postal code known to the reference must serve the commune (or its
  arrondissements / parent commune). A code unknown to the reference (CEDEX and company codes
  are not in La Poste's public list) is accepted when it belongs to the commune's département.
* **Duplicates.** A SIRET seen earlier in the same file rejects the later row (the SIRETs seen
  are the one thing kept per row: about 100 bytes each).
* **Encoding.** UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (which reads
  Latin-1 files too), said in the report ("Fichier lu en Windows-1252"); bytes no accepted
  encoding reads reject the whole file, naming their lines (``smes.services.csv_encoding``).
"""

from __future__ import annotations

import csv
import datetime
import itertools
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import IO

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from smes.services.csv_encoding import (
    MAX_LINES_SHOWN,
    UndecodableFile,
    has_utf8_bom,
    open_text,
    scan_undecodable,
    sniff_encoding,
    utf8_bad_lines,
)
from smes.services.csv_load import BATCH, load_staged
from smes.services.csv_rows import (
    NAME_COLUMNS,
    OWN_COLUMNS,
    REQUIRED_COLUMNS,
    Lookups,
    load_lookups,
    parse_row,
)
from smes.validators import normalize_identifier

# Issues kept per kind (rejected, skipped, notes, warnings); all are counted.
MAX_KEPT_ISSUES = 1000
# Issues printed per kind by ``ImportReport.lines`` unless told otherwise.
DEFAULT_SHOWN = 100
SKIPPED_SHOWN = 10

Progress = Callable[[str, int], None]


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


class Issues(list):
    """The first ``MAX_KEPT_ISSUES`` issues of a kind, and how many there were (``total``)."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def add(self, issue: RowIssue) -> None:
        self.total += 1
        if len(self) < MAX_KEPT_ISSUES:
            self.append(issue)


@dataclass
class ImportReport:
    """What an import did (or, when rolled back or refused, would have done)."""

    source: str
    dry_run: bool = False
    allow_partial: bool = False
    total_rows: int = 0
    valid_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    encoding: str = ""  # as read ("UTF-8", "Windows-1252"...); "" for a text stream
    file_notes: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    # Wall-clock seconds per phase: "validate", "load", "merge" (benchmarks, the command).
    seconds: dict[str, float] = field(default_factory=dict)
    rejected: Issues = field(default_factory=Issues)
    skipped: Issues = field(default_factory=Issues)
    warnings: Issues = field(default_factory=Issues)
    notes: Issues = field(default_factory=Issues)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.rejected.total)

    @property
    def ok(self) -> bool:
        return not self.has_errors

    @property
    def refused(self) -> bool:
        """Rejected rows and no partial import: the database was not touched."""
        return bool(self.rejected.total) and not self.allow_partial and not self.dry_run

    def lines(self, *, limit: int = DEFAULT_SHOWN) -> list[str]:
        """The report in French, one line per fact, for the command and the admin.

        At most ``limit`` rows of each kind are listed; the counts are always complete.
        """
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
        if self.refused:
            out.append(
                _(
                    "%(valid)s lignes valides, %(skipped)s ignorées, %(rejected)s rejetées — "
                    "%(verb)s."
                )
                % {
                    "valid": self.valid_rows,
                    "skipped": self.skipped.total,
                    "rejected": self.rejected.total,
                    "verb": verb,
                }
            )
            out.append(
                _(
                    "Des lignes sont rejetées : corrigez-les et relancez l'import "
                    "(ou utilisez l'option d'import partiel)."
                )
            )
        else:
            out.append(
                _(
                    "%(created)s créées, %(updated)s mises à jour, %(unchanged)s inchangées, "
                    "%(skipped)s ignorées, %(rejected)s rejetées — %(verb)s."
                )
                % {
                    "created": self.created,
                    "updated": self.updated,
                    "unchanged": self.unchanged,
                    "skipped": self.skipped.total,
                    "rejected": self.rejected.total,
                    "verb": verb,
                }
            )
        if self.seconds:
            phases = {
                "validate": _("vérification"),
                "load": _("chargement"),
                "merge": _("fusion"),
            }
            out.append(
                _("Durées : %(phases)s.")
                % {
                    "phases": ", ".join(
                        f"{phases[name]} {seconds:.1f} s" for name, seconds in self.seconds.items()
                    )
                }
            )
        for label, issues in (
            (_("Rejetée — %(row)s"), self.rejected),
            (_("Ignorée — %(row)s"), self.skipped),
            (_("Avertissement — %(row)s"), self.warnings),
            (_("Remarque — %(row)s"), self.notes),
        ):
            # Closed establishments are most of a SIRENE stock and call for no action: a few
            # are listed as examples, the count says the rest.
            shown = min(limit, SKIPPED_SHOWN) if issues is self.skipped else limit
            out.extend(label % {"row": row} for row in issues[:shown])
            if issues.total > min(len(issues), shown):
                out.append(
                    _("… %(count)s autre(s) ligne(s) de ce type non affichée(s).")
                    % {"count": issues.total - min(len(issues), shown)}
                )
        return out


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


class _Spool:
    """Rows kept on disk between the validation and the load: pickled batches in a temp file."""

    def __init__(self) -> None:
        # Closed by ``close`` (the spool outlives the function that creates it).
        self.file = tempfile.TemporaryFile()  # noqa: SIM115
        self.buffer: list[tuple] = []
        self.count = 0

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            pickle.dump(self.buffer, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.count += len(self.buffer)
            self.buffer = []

    def batches(self) -> Iterator[list[tuple]]:
        self._flush()
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return

    def close(self) -> None:
        self.file.close()


@dataclass
class _Pass:
    """One reading of the file: the report so far and the spooled valid rows."""

    report: ImportReport
    rows: _Spool = field(default_factory=_Spool)
    markets: _Spool = field(default_factory=_Spool)
    needs: _Spool = field(default_factory=_Spool)
    present: frozenset[str] = frozenset()

    def close(self) -> None:
        for spool in (self.rows, self.markets, self.needs):
            spool.close()


def _siret_key(siret: str) -> int | str:
    # An int costs less than a 14-character string in the set of SIRETs seen.
    return int(siret) if len(siret) == 14 and siret.isascii() and siret.isdigit() else siret


def _validate(text: IO[str], state: _Pass, lookups: Lookups, progress: Progress | None) -> None:
    """Read and check every row, spooling the valid ones; raises UnicodeDecodeError as met."""
    report = state.report
    skipped_lines = 0
    header_line = text.readline()
    while header_line and not header_line.strip():
        skipped_lines += 1
        header_line = text.readline()
    header_line = header_line.removeprefix("\ufeff")
    if not header_line:
        report.file_errors.append(_("Le fichier est vide."))
        return
    reader = csv.reader(itertools.chain([header_line], text), delimiter=_delimiter(header_line))
    try:
        header = next(reader)
    except csv.Error as error:
        report.file_errors.append(_("En-tête illisible : %(error)s") % {"error": error})
        return
    columns = [name.strip().lower() for name in header]
    columns = [OWN_COLUMNS.get(name, name) for name in columns]
    doubled = sorted({name for name in columns if name and columns.count(name) > 1})
    if doubled:
        report.file_errors.append(
            _(
                "Colonne(s) en double dans l'en-tête : %(columns)s (une colonne SIRENE et la "
                "colonne du registre qui dit la même chose comptent pour une)."
            )
            % {"columns": ", ".join(doubled)}
        )
        return
    present = frozenset(columns)
    missing = [label for key, label in REQUIRED_COLUMNS.items() if key not in present]
    if not present.intersection(NAME_COLUMNS):
        missing.append("denominationUniteLegale | enseigne1Etablissement | name")
    if missing:
        report.file_errors.append(
            _("Colonne(s) obligatoire(s) absente(s) : %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
        return
    state.present = present

    today = datetime.date.today()
    width = len(columns)
    siret_at = columns.index("siret")
    state_at = (
        columns.index("etatadministratifetablissement")
        if ("etatadministratifetablissement" in present)
        else None
    )
    seen: dict[int | str, int] = {}
    line = reader.line_num + skipped_lines
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num + skipped_lines
            if not any(cells) or not any(value.strip() for value in cells):
                continue
            report.total_rows += 1
            if progress and report.total_rows % 10_000 == 0:
                progress("validate", report.total_rows)
            if len(cells) != width:
                siret = normalize_identifier(cells[siret_at]) if len(cells) > siret_at else ""
                report.rejected.add(
                    RowIssue(
                        start,
                        siret,
                        [
                            _("%(found)s colonnes au lieu de %(expected)s.")
                            % {"found": len(cells), "expected": width}
                        ],
                    )
                )
                continue
            if state_at is not None and cells[state_at].strip().upper() == "F":
                report.skipped.add(
                    RowIssue(
                        start,
                        normalize_identifier(cells[siret_at]),
                        [_("établissement fermé (état administratif F), ignoré")],
                    )
                )
                continue
            parsed = parse_row(
                start, dict(zip(columns, cells, strict=True)), lookups, present, today
            )
            reasons = parsed.reasons
            if parsed.siret:
                key = _siret_key(parsed.siret)
                first = seen.setdefault(key, start)
                if first != start:
                    reasons.append(
                        _("SIRET en double dans le fichier (déjà présent ligne %(line)s).")
                        % {"line": first}
                    )
            if parsed.notes:
                report.notes.add(RowIssue(start, parsed.siret, parsed.notes))
            if reasons:
                report.rejected.add(RowIssue(start, parsed.siret, reasons))
                continue
            report.valid_rows += 1
            state.rows.add(parsed.stage)
            for target in parsed.markets:
                state.markets.add((parsed.siret, target))
            for target in parsed.needs:
                state.needs.add((parsed.siret, target))
    except csv.Error as error:
        report.file_errors.append(
            _("Fichier CSV mal formé vers la ligne %(line)s : %(error)s")
            % {"line": reader.line_num + skipped_lines, "error": error}
        )


def _read(stream: IO, state: _Pass, lookups: Lookups, progress: Progress | None) -> _Pass:
    """Validate ``stream`` under the encoding rule of ``csv_encoding``; returns the pass kept."""
    probe = stream.read(0)
    if isinstance(probe, str):
        # Already text (decoded by the caller): only the BOM a spreadsheet may have left.
        _validate(stream, state, lookups, progress)
        return state
    encoding = sniff_encoding(stream)
    text = open_text(stream, encoding=encoding)
    try:
        _validate(text, state, lookups, progress)
        state.report.encoding = encoding
        return state
    except UnicodeDecodeError:
        pass
    finally:
        text.detach()  # the caller's stream stays open
    # Not what the BOM (or the UTF-8 guess) said: start again, or refuse the file by its lines.
    state.close()
    report = state.report
    fresh = _Pass(
        ImportReport(
            source=report.source, dry_run=report.dry_run, allow_partial=report.allow_partial
        )
    )
    if encoding == "UTF-16":
        error: UndecodableFile | None = UndecodableFile("UTF-16", [])
    elif has_utf8_bom(stream):
        error = UndecodableFile("UTF-8", utf8_bad_lines(stream))
    else:
        error = scan_undecodable(stream)
    if error is not None:
        fresh.report.file_errors.append(_undecodable_message(error))
        return fresh
    text = open_text(stream, encoding="Windows-1252")
    try:
        _validate(text, fresh, lookups, progress)
    finally:
        text.detach()
    fresh.report.encoding = "Windows-1252"
    return fresh


def _seekable(stream: IO, stack: ExitStack) -> IO:
    """The stream itself when it can be read twice, else a copy on disk (a pipe, a socket)."""
    try:
        if stream.seekable():
            return stream
    except (AttributeError, ValueError):
        pass
    copy = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 (closed by the stack)
    shutil.copyfileobj(stream, copy)
    copy.seek(0)
    return copy


def import_smes_from_csv(
    *,
    stream: IO,
    source: str,
    dry_run: bool = False,
    allow_partial: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import SMEs from a SIRENE-shaped CSV (``;``, ``,`` or tab; UTF-8, else Windows-1252).

    ``stream`` is a binary or text file object, read once as a stream. See the module docstring
    for the rules: every row checked before anything is written, every rejected row reported
    with its line number, SIRET and reasons, and by default nothing written when any row is
    rejected (``allow_partial`` writes the valid rows); then one set-based merge in one
    transaction, idempotent on SIRET. ``dry_run`` reports what would happen and writes nothing.
    ``progress(phase, rows)`` is called now and then ("validate", "load", "merge").
    """
    report = ImportReport(source=source, dry_run=dry_run, allow_partial=allow_partial)
    started = time.monotonic()
    lookups = load_lookups()
    with ExitStack() as stack:
        state = _read(_seekable(stream, stack), _Pass(report), lookups, progress)
    report = state.report
    report.seconds["validate"] = time.monotonic() - started
    try:
        if report.encoding and report.encoding != "UTF-8":
            report.file_notes.append(
                _(
                    "Fichier lu en %(encoding)s : vérifiez les accents des noms importés "
                    "(l'UTF-8 reste le format conseillé)."
                )
                % {"encoding": report.encoding}
            )
        if report.file_errors or report.refused:
            return report
        _load(state, progress)
    finally:
        state.close()
    return report


def _load(state: _Pass, progress: Progress | None) -> None:
    report = state.report
    try:
        with transaction.atomic():
            result = load_staged(
                rows=state.rows.batches(),
                markets=state.markets.batches(),
                needs=state.needs.batches(),
                source=report.source,
                with_markets="target_markets" in state.present,
                with_needs="needs" in state.present,
                warnings_kept=MAX_KEPT_ISSUES,
                progress=progress,
            )
            report.created, report.updated = result.created, result.updated
            report.unchanged = result.unchanged
            for line, siret, messages in result.warnings:
                report.warnings.add(RowIssue(line, siret, messages))
            report.warnings.total = result.warnings_total
            report.seconds.update(result.seconds)
            if report.dry_run:
                transaction.set_rollback(True)
            else:
                report.written = True
    except DatabaseError as error:
        # Every row was checked; a failure here is the database's (a concurrent schema change,
        # a full disk). Nothing was written: the transaction rolled back.
        report.written = False
        report.file_errors.append(
            _("Écriture impossible, rien n'est enregistré : %(error)s") % {"error": error}
        )

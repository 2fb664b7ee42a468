"""``manage.py import_smes fichier.csv [--source …] [--dry-run] [--skip-invalid] [--show N]``."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smes.services import import_smes_from_csv
from smes.services.csv_import import DEFAULT_SHOWN

_PHASES = {"validate": "Vérification", "load": "Chargement", "merge": "Fusion"}


class _Counter:
    """A one-line progress counter on a terminal's stderr (no dependency, no log noise)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.started = time.monotonic()

    def __call__(self, phase: str, rows: int) -> None:
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{_PHASES.get(phase, phase)} : {rows:,} lignes ({elapsed:,.0f} s)".replace(",", " ")
            + " " * 8
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Importe des PME depuis un CSV au format du stock SIRENE des établissements "
        "(StockEtablissement) ou aux colonnes du registre. Tout est vérifié avant d'écrire : "
        "une seule ligne rejetée et rien n'est enregistré (sauf --skip-invalid)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help=(
                "Fichier CSV (séparateur « ; », « , » ou tabulation ; UTF-8 avec ou sans BOM, "
                "sinon Windows-1252 / Latin-1, signalé dans le rapport)."
            ),
        )
        parser.add_argument(
            "--source",
            default="",
            help="Provenance enregistrée sur les fiches (défaut : le nom du fichier).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Valide et compte sans rien enregistrer.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Enregistre les lignes valides même si d'autres sont rejetées.",
        )
        parser.add_argument(
            "--show",
            type=int,
            default=DEFAULT_SHOWN,
            help=(
                "Lignes listées au plus par catégorie (rejetées, ignorées…) ; "
                f"toutes sont comptées (défaut : {DEFAULT_SHOWN})."
            ),
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        counter = _Counter(sys.stderr) if sys.stderr.isatty() else None
        try:
            with path.open("rb") as stream:
                report = import_smes_from_csv(
                    stream=stream,
                    source=options["source"] or path.name,
                    dry_run=options["dry_run"],
                    allow_partial=options["skip_invalid"],
                    progress=counter,
                )
        finally:
            if counter:
                counter.close()
        for line in report.lines(limit=max(options["show"], 0)):
            self.stdout.write(line)
        if report.has_errors:
            raise CommandError(
                f"{report.rejected.total} ligne(s) rejetée(s)"
                + (
                    f", {len(report.file_errors)} erreur(s) de fichier"
                    if report.file_errors
                    else ""
                )
                + "."
            )

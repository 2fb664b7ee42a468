"""``manage.py import_smes fichier.csv [--source …] [--dry-run] [--skip-invalid]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smes.services import import_smes_from_csv


class Command(BaseCommand):
    help = (
        "Importe des PME depuis un CSV au format de l'extrait SIRENE (StockEtablissement). "
        "Tout ou rien par défaut : une seule ligne rejetée et rien n'est enregistré."
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

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        with path.open("rb") as stream:
            report = import_smes_from_csv(
                stream=stream,
                source=options["source"] or path.name,
                dry_run=options["dry_run"],
                allow_partial=options["skip_invalid"],
            )
        for line in report.lines():
            self.stdout.write(line)
        if report.has_errors:
            raise CommandError(
                f"{len(report.rejected)} ligne(s) rejetée(s)"
                + (
                    f", {len(report.file_errors)} erreur(s) de fichier"
                    if report.file_errors
                    else ""
                )
                + "."
            )

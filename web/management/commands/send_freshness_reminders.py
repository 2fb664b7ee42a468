"""Remind the staff of listings not confirmed for a while (run it daily, e.g. from cron)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from web.reminders import send_freshness_reminders


class Command(BaseCommand):
    help = (
        "Envoie à l'équipe de chaque fiche non confirmée depuis FRESHNESS_REMINDER_MONTHS mois "
        "(11 par défaut) un courriel avec un lien « toujours à jour » signé et un lien pour la "
        "modifier : un courriel par personne, pour toutes ses fiches. Idempotente : une personne "
        "n'est pas relancée pour la même fiche avant FRESHNESS_REMINDER_INTERVAL_DAYS jours."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche qui recevrait quoi, sans rien envoyer ni enregistrer.",
        )
        parser.add_argument(
            "--days-before",
            type=int,
            default=None,
            help=(
                "Relancer les fiches qui passeront « à vérifier » (FRESHNESS_REVIEW_MONTHS) dans "
                "ce nombre de jours, au lieu du seuil FRESHNESS_REMINDER_MONTHS."
            ),
        )

    def handle(self, *args, **options):
        days_before = options["days_before"]
        if days_before is not None and not 0 <= days_before <= 366:
            raise CommandError("--days-before doit être compris entre 0 et 366.")
        if not settings.SITE_URL.startswith(("http://", "https://")):
            raise CommandError(
                "SITE_URL (adresse publique du site, ex. https://registre.example.org) est "
                "nécessaire pour écrire les liens des courriels."
            )
        report = send_freshness_reminders(days_before=days_before, dry_run=options["dry_run"])
        for line in report.lines:
            self.stdout.write(line)
        verb = "seraient envoyés" if options["dry_run"] else "mis en file d'envoi"
        self.stdout.write(
            self.style.SUCCESS(
                f"Rappels {verb} : {report.recipients} courriel(s), {report.listings} fiche(s)."
            )
        )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} courriel(s) en échec (non enregistrés, repris au prochain passage) : "
                + ", ".join(report.failed)
            )

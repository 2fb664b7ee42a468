"""Erase the e-mail addresses of reports still undecided after the retention period (cron)."""

from django.core.management.base import BaseCommand

from structures.corrections import EMAIL_RETENTION_MONTHS, erase_expired_reporter_emails


class Command(BaseCommand):
    help = (
        "Efface l'adresse électronique des signalements du public restés sans décision "
        f"{EMAIL_RETENTION_MONTHS} mois après leur envoi, comme le promet le texte de "
        "consentement. À lancer chaque jour (cron)."
    )

    def handle(self, *args, **options):
        erased = erase_expired_reporter_emails()
        self.stdout.write(
            self.style.SUCCESS(f"Signalements du public : {erased} adresse(s) effacée(s).")
        )

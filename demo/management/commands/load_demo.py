import time

from django.core.management.base import BaseCommand, CommandError

from demo.loader import DEMO_SEED, load_demo


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) le jeu de démonstration : structures réelles citées par les travaux "
        "sources et réseaux publics de chaque région (contacts fictifs), structures et PME fictives. "
        "Idempotent : une seconde exécution ne change rien et le dit. Nécessite le référentiel "
        "territorial (python manage.py load_territories)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--smes", type=int, default=300, help="Nombre de PME fictives (défaut : 300)."
        )
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="Graine du tirage des PME fictives."
        )

    def handle(self, *args, **options):
        if options["smes"] < 0:
            raise CommandError("--smes doit être positif ou nul.")
        started = time.perf_counter()
        report = load_demo(sme_count=options["smes"], seed=options["seed"])
        for line in report.lines():
            self.stdout.write(line)
        elapsed = time.perf_counter() - started
        message = (
            "Jeu de démonstration chargé" if report.changed else "Jeu de démonstration déjà à jour"
        )
        self.stdout.write(self.style.SUCCESS(f"{message} ({elapsed:.1f} s)."))

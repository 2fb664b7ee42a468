from django.core.management.base import BaseCommand, CommandError

from territories.bench import run_benchmark
from territories.models import Territory


class Command(BaseCommand):
    help = (
        "Mesure la recherche de communes par nom (fautes de frappe, abréviations, débuts de "
        "nom, noms exacts : p50 / p95 / max) sur le référentiel chargé, à côté de la recherche "
        "exacte en SQL, dans le même passage. Ne charge rien : charger d'abord le référentiel "
        "(load_territories)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=400, help="Nombre de requêtes.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        if options["queries"] < 1:
            raise CommandError("--queries doit être au moins 1.")
        if not Territory.objects.communes().current().exists():
            raise CommandError(
                "Aucune commune chargée : lancez d'abord manage.py load_territories."
            )
        report = run_benchmark(n=options["queries"], seed=options["seed"])
        for line in report.lines():
            self.stdout.write(line)

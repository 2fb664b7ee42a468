from django.core.management.base import BaseCommand, CommandError

from structures.relay.bench import run_benchmark
from structures.relay.index import RelayIndexEntry


class Command(BaseCommand):
    help = (
        "Mesure la recherche de relais, résolution de la requête comprise (p50 / p95 / max, "
        "requêtes par recherche) sur les données "
        "chargées, à côté du plancher : la requête SQL brute du plus proche voisin, dans le même "
        "passage. Charger d'abord des données (generate_registry)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queries", type=int, default=1000, help="Nombre de recherches.")
        parser.add_argument("--k", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--criteria", action="store_true", help="Ajoute pays cible (30 %%) et secteur (20 %%)."
        )

    def handle(self, *args, **o):
        if not RelayIndexEntry.objects.exists():
            raise CommandError(
                "L'index des relais est vide : chargez des données puis rebuild_relay_index."
            )
        report = run_benchmark(
            n=o["queries"], k=o["k"], seed=o["seed"], with_criteria=o["criteria"]
        )
        for line in report.lines():
            self.stdout.write(line)

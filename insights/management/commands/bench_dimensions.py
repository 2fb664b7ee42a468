"""Time the 4 D of a département and of a région on the loaded database (docs/insights.md)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from insights.dimensions import territory_dimensions
from territories.models import Territory


class Command(BaseCommand):
    help = (
        "Mesure le calcul des 4 D (insights.dimensions) d'un département et d'une région avec "
        "les données chargées : secondes (meilleure de N mesures), avec et sans la part de "
        "population couverte par service, et nombre de requêtes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--departement", default="34", help="Code INSEE du département.")
        parser.add_argument("--region", default="76", help="Code INSEE de la région.")
        parser.add_argument("--epci", default="", help="SIREN d'un EPCI (facultatif).")
        parser.add_argument("--repeat", type=int, default=3, help="Mesures par territoire.")

    def handle(self, *args, **o):
        wanted = [("departement", o["departement"]), ("region", o["region"])]
        if o["epci"]:
            wanted.append(("epci", o["epci"]))
        repeat = max(1, o["repeat"])
        for level, code in wanted:
            territory = Territory.objects.filter(level=level, code=code).first()
            if territory is None:
                raise CommandError(f"Territoire absent du référentiel : {level} {code}.")
            for with_coverage in (False, True):
                best, queries = float("inf"), 0
                for _ in range(repeat):
                    reset_queries()
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        result = territory_dimensions(
                            territory=territory, with_coverage=with_coverage
                        )
                        best = min(best, time.perf_counter() - started)
                    queries = len(captured)
                density = result.territory.density
                what = "4 D complets" if with_coverage else "4 D sans couverture"
                self.stdout.write(
                    f"{territory.name} ({level} {code}) — {what} : {best:.3f} s, "
                    f"{queries} requêtes ({density.population} habitants, {density.smes} PME, "
                    f"{density.structures} structures, {density.relays} relais, "
                    f"{len(result.siblings)} territoires comparés)"
                )

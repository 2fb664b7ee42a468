"""Benchmark of the agencies' reports (issue targets in docs/insights.md, "Scale")."""

import time

from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError

from insights.coverage import COVERED, FAR, UNCOVERED, CoverageError, territory_coverage
from insights.dimensions import territory_dimensions
from structures.models import Offer, Service
from territories.models import Territory


class Command(BaseCommand):
    help = (
        "Mesure les rapports des agences sur les données chargées : rapport de couverture d'un "
        "service sur la France et sur une région (calcul, puis réutilisation), de tous les "
        "services sur une région, et les « 4 D » d'un département et d'une région (calcul "
        "complet, puis avec les rapports de couverture réutilisés). Voir aussi bench_dimensions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--service", default="export-finance", help="Code du service.")
        parser.add_argument("--region", default="76", help="Code INSEE de la région.")
        parser.add_argument("--departement", default="34", help="Code du département.")
        parser.add_argument("--repeat", type=int, default=3, help="Mesures par cas (la médiane).")

    def _territory(self, level, code):
        territory = Territory.objects.filter(level=level, code=code).first()
        if territory is None:
            raise CommandError(f"{level} {code} absent du référentiel territorial.")
        return territory

    def _time(self, label, repeat, run, *, cold):
        times = []
        for _ in range(repeat):
            if cold:
                caches["coverage"].clear()
            started = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - started)
        median = sorted(times)[len(times) // 2]
        self.stdout.write(f"{label} : {median:.3f} s (médiane de {repeat}, max {max(times):.3f} s)")
        return result

    def handle(self, *args, **o):
        service = Service.objects.filter(code=o["service"]).first()
        if service is None:
            raise CommandError(f"Service inconnu : {o['service']}.")
        france = self._territory("country", "FR")
        region = self._territory("region", o["region"])
        departement = self._territory("departement", o["departement"])
        self.stdout.write(
            f"Registre : {Offer.objects.count()} offres ; catalogue : "
            f"{Service.objects.count()} services."
        )
        repeat = max(1, o["repeat"])
        try:
            for area in (france, region):
                for cold in (True, False):

                    def run(area=area):
                        return territory_coverage(territory=area, service=service)

                    report = self._time(
                        f"Couverture {service.code}, {area.name}, "
                        + ("calcul" if cold else "réutilisation"),
                        repeat,
                        run,
                        cold=cold,
                    )
                counts = report.totals.places
                self.stdout.write(
                    f"  {len(report.places)} communes : couvertes {counts[COVERED]}, "
                    f"éloignées {counts[FAR]}, sans relais {counts[UNCOVERED]} ; "
                    f"{report.totals.sme_total} PME"
                )
            self._time(
                f"Couverture de tous les services, {region.name}, calcul",
                repeat,
                lambda: territory_coverage(territory=region),
                cold=True,
            )
        except CoverageError as exc:
            raise CommandError(str(exc)) from None
        for area in (departement, region):
            for cold in (True, False):
                self._time(
                    f"4 D, {area.name}, "
                    + ("calcul (couverture comprise)" if cold else "couverture réutilisée"),
                    repeat,
                    lambda area=area: territory_dimensions(territory=area),
                    cold=cold,
                )

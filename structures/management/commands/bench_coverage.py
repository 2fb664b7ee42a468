import time

from django.core.management.base import BaseCommand, CommandError

from structures.coverage import COVERED, FAR, UNCOVERED, CoverageError, commune_coverage
from structures.models import Service
from territories.models import Territory


class Command(BaseCommand):
    help = (
        "Mesure le rapport de couverture (structures.coverage) pour un service, sur une région "
        "puis sur toute la France, avec les données chargées : secondes et nombre de communes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--service", default="prospecting-missions", help="Code du service.")
        parser.add_argument("--region", default="76", help="Code INSEE de la région.")
        parser.add_argument("--country", default="", help="Marché visé (ISO alpha-2).")
        parser.add_argument("--sector", default="", help="Secteur (NAF ou filière).")
        parser.add_argument("--horizon", type=float, default=None, help="Horizon en km.")

    def handle(self, *args, **o):
        service = Service.objects.filter(code=o["service"]).first()
        if service is None:
            raise CommandError(f"Service inconnu : {o['service']}.")
        areas = [
            Territory.objects.filter(level="region", code=o["region"]).first(),
            Territory.objects.filter(level="country", code="FR").first(),
        ]
        if None in areas:
            raise CommandError("Région ou France absente du référentiel territorial.")
        country = None
        if o["country"]:
            country = Territory.objects.filter(level="country", code=o["country"].upper()).first()
            if country is None:
                raise CommandError(f"Pays inconnu : {o['country']}.")
        for area in areas:
            started = time.perf_counter()
            try:
                report = commune_coverage(
                    territory=area,
                    service=service,
                    country=country,
                    sector=o["sector"] or None,
                    horizon_km=o["horizon"],
                )
            except CoverageError as exc:
                raise CommandError(str(exc)) from None
            seconds = time.perf_counter() - started
            counts = report.totals.places
            self.stdout.write(
                f"{area.name} : {len(report.places)} communes en {seconds:.3f} s "
                f"(couvertes {counts[COVERED]}, lointaines {counts[FAR]}, "
                f"sans relais {counts[UNCOVERED]}, sans coordonnées {len(report.unlocated)})"
            )

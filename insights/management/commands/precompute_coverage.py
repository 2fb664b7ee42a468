"""Compute the coverage reports ahead (docs/insights.md, "Coverage"), from cron or after an
import: those of France, every région and every département not stored already."""

import time

from django.core.management.base import BaseCommand, CommandError

from insights.coverage import precompute_coverage, precomputed_territories
from insights.jobs import enqueue
from structures.models import Service


class Command(BaseCommand):
    help = (
        "Calcule et met en cache les rapports de couverture (sans pays ni secteur, horizon par "
        "défaut) de la France, de chaque région et de chaque département, pour chaque service "
        "ou ceux donnés ; ceux déjà en cache pour l'état actuel des offres ne sont pas "
        "recalculés. À lancer après un import en masse ou depuis cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--service",
            action="append",
            dest="services",
            metavar="CODE",
            help="Code d'un service (répétable) ; par défaut tout le catalogue.",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Confier le calcul au worker Celery au lieu de le faire ici.",
        )

    def handle(self, *args, **options):
        services = list(Service.objects.all())
        if options["services"]:
            wanted = set(options["services"])
            services = [service for service in services if service.code in wanted]
            unknown = wanted - {service.code for service in services}
            if unknown:
                raise CommandError(f"Service(s) inconnu(s) : {', '.join(sorted(unknown))}.")
        if not services:
            raise CommandError("Le catalogue ne compte aucun service.")
        if options["queue"]:
            queued = enqueue(service_ids=[service.pk for service in services])
            self.stdout.write(
                f"{len(queued)} service(s) confié(s) au worker"
                f" ({len(services) - len(queued)} déjà en attente)."
            )
            return
        territories = precomputed_territories()
        started = time.perf_counter()
        computed = precompute_coverage(services=services, territories=territories)
        self.stdout.write(
            f"{computed} rapport(s) calculé(s) sur {len(services) * len(territories)} "
            f"({len(services)} service(s) × {len(territories)} territoires) "
            f"en {time.perf_counter() - started:.1f} s."
        )

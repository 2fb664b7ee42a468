import time

from django.core.management.base import BaseCommand

from structures.relay.indexing import refresh_relay_index


class Command(BaseCommand):
    help = (
        "Reconstruit l'index des relais (structures/relay) à partir des offres et des structures. "
        "À lancer après un chargement en masse ; les modifications ordinaires le tiennent à jour."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = refresh_relay_index()
        self.stdout.write(
            self.style.SUCCESS(
                f"Index des relais reconstruit : {rows} lignes en {time.perf_counter() - started:.1f} s."
            )
        )

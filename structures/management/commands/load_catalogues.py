from django.core.management.base import BaseCommand
from django.db import transaction

from structures.catalogue import sync_all


class Command(BaseCommand):
    help = "Met à jour les référentiels (services, secteurs NAF rév. 2, filières) ; idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = sync_all()
        self.stdout.write(
            self.style.SUCCESS(
                "Référentiels à jour : {services} services, {naf} secteurs NAF, "
                "{filieres} filières.".format(**counts)
            )
        )

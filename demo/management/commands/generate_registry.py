import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.generator import clear_generated, generate_structures, generated_structures


class Command(BaseCommand):
    help = (
        "Génère un registre synthétique déterministe pour les mesures de performance : N structures "
        "réparties sur les communes au prorata de la population, K offres chacune, M PME fictives. "
        "Les lignes générées sont marquées (démonstration, source « generator ») et s'effacent "
        "avec --clear."
    )

    def add_arguments(self, parser):
        parser.add_argument("--structures", type=int, default=0, help="Nombre de structures.")
        parser.add_argument("--smes", type=int, default=0, help="Nombre de PME.")
        parser.add_argument(
            "--offers-per-structure", type=int, default=4, help="Offres par structure (défaut : 4)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Graine (défaut : 1).")
        parser.add_argument(
            "--clear", action="store_true", help="Effacer d'abord les données générées."
        )

    def handle(self, *args, **options):
        from demo.smes import clear_generated_smes, generate_smes, generated_smes

        n, m, k = options["structures"], options["smes"], options["offers_per_structure"]
        if n < 0 or m < 0 or k < 1:
            raise CommandError(
                "--structures et --smes doivent être positifs, --offers-per-structure au moins 1."
            )
        if not (n or m or options["clear"]):
            raise CommandError("Rien à faire : indiquez --structures, --smes ou --clear.")
        started = time.perf_counter()
        if options["clear"]:
            removed_smes = clear_generated_smes()
            removed = clear_generated()
            self.stdout.write(
                f"Effacé : {removed} lignes de structures générées, {removed_smes} lignes de PME "
                f"générées ({time.perf_counter() - started:.1f} s)."
            )
        elif (n and generated_structures().exists()) or (m and generated_smes().exists()):
            raise CommandError(
                "Des données générées existent déjà : relancez avec --clear pour les remplacer."
            )
        if n:
            step = time.perf_counter()
            totals = generate_structures(
                count=n, offers_per_structure=k, seed=options["seed"], progress=self.stdout.write
            )
            self.stdout.write(
                "Structures : {structures}, offres : {offers}, contacts : {contacts}, "
                "couvertures : {coverage}, marchés : {markets}, secteurs : {sectors}, "
                "index des relais : {relay_index}".format(**totals)
                + f" ({time.perf_counter() - step:.1f} s)."
            )
        if m:
            step = time.perf_counter()
            totals = generate_smes(count=m, seed=options["seed"], progress=self.stdout.write)
            self.stdout.write(
                ", ".join(f"{label} : {value}" for label, value in totals.items())
                + f" ({time.perf_counter() - step:.1f} s)."
            )
        step = time.perf_counter()
        _refresh_statistics()
        self.stdout.write(
            f"Statistiques du planificateur à jour ({time.perf_counter() - step:.1f} s)."
        )
        self.stdout.write(self.style.SUCCESS(f"Terminé en {time.perf_counter() - started:.1f} s."))


def _refresh_statistics() -> None:
    """What autovacuum would do some minutes after such a load, done now so that a benchmark
    run straight after measures the plans and index-only scans of a settled database: planner
    statistics (ANALYZE) and, on PostgreSQL, the visibility map (VACUUM)."""
    if connection.vendor == "postgresql":
        # VACUUM cannot run inside a transaction (a test's): statistics only, then.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

"""Time the partner finder (``smes.partners``): candidates and proposed groups, p50 / p95.

Uses the generated SMEs of ``generate_registry`` (``--smes N`` generates them when the database
has none; run it on a separate database, e.g. ``DATABASE_URL=sqlite:////tmp/bench.sqlite3``).
Each query starts from a random consenting generated SME (loaded beforehand: the time is the
finder's, from the SME to its explained results). Targets (issue 15): candidates p95 ≤ 50 ms
among 1,000,000 SMEs, groups ≤ 500 ms.
"""

from __future__ import annotations

import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.smes import generate_smes, generated_smes
from smes.models import SME
from smes.partners import partner_candidates, propose_groups


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Mesure la recherche de partenaires (candidates et groupements) : p50 et p95."

    def add_arguments(self, parser):
        parser.add_argument(
            "--smes",
            type=int,
            default=0,
            help="Générer ce nombre de PME si la base n'en a aucune de générée.",
        )
        parser.add_argument("--queries", type=int, default=300, help="Requêtes (défaut : 300).")
        parser.add_argument("--radius", type=float, default=50.0, help="Rayon en km (50).")
        parser.add_argument("--seed", type=int, default=1, help="Graine (défaut : 1).")

    def handle(self, *args, **options):
        if options["queries"] < 1 or options["smes"] < 0:
            raise CommandError("--queries doit être positif et --smes ne peut être négatif.")
        existing = generated_smes().count()
        if not existing and options["smes"]:
            started = time.perf_counter()
            generate_smes(count=options["smes"], seed=options["seed"], progress=self.stdout.write)
            self.stdout.write(
                f"{options['smes']} PME générées en {time.perf_counter() - started:.1f} s"
            )
        elif existing and options["smes"] and existing != options["smes"]:
            raise CommandError(
                f"La base a déjà {existing} PME générées : effacez-les d'abord "
                "(generate_registry --clear) ou omettez --smes."
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE smes_sme; ANALYZE smes_sme_target_markets; "
                    "ANALYZE smes_partnermarketentry"
                )
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        total = SME.objects.count()
        pks = list(
            generated_smes()
            .filter(partner_search_consent=True)
            .exclude(naf_code="")
            .values_list("pk", flat=True)
        )
        if not pks:
            raise CommandError("Aucune PME générée consentante : lancez avec --smes N.")
        rng = random.Random(f"bench-partners-{options['seed']}")
        chosen = rng.sample(pks, min(options["queries"], len(pks)))
        profiles = list(SME.objects.filter(pk__in=chosen).select_related("commune").order_by("pk"))
        rng.shuffle(profiles)
        radius = options["radius"]
        # Warm-up (catalogue, country and label caches, the database's pages).
        for sme in profiles[:5]:
            partner_candidates(profile=sme, radius_km=radius)
        candidate_ms, group_ms, found, group_counts = [], [], [], []
        for sme in profiles:
            started = time.perf_counter()
            results = partner_candidates(profile=sme, radius_km=radius)
            candidate_ms.append((time.perf_counter() - started) * 1000)
            found.append(len(results))
            started = time.perf_counter()
            groups = propose_groups(profile=sme, radius_km=radius)
            group_ms.append((time.perf_counter() - started) * 1000)
            group_counts.append(len(groups))
        self.stdout.write(
            f"{connection.vendor}, {total} PME ({len(pks)} consentantes générées), "
            f"{len(profiles)} requêtes, rayon {radius:g} km"
        )
        for label, values in (("candidates", candidate_ms), ("groupements", group_ms)):
            self.stdout.write(
                f"  {label:12} p50 {_percentile(values, 0.5):7.1f} ms   "
                f"p95 {_percentile(values, 0.95):7.1f} ms   max {max(values):7.1f} ms"
            )
        self.stdout.write(
            f"  candidates par requête : moyenne {statistics.mean(found):.1f} "
            f"(limite 20) ; groupements : moyenne {statistics.mean(group_counts):.1f} (limite 5)"
        )

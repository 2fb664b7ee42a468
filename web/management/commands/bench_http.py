"""Pages and relay API under load, as shares of ``/healthz`` from the same run.

Starts gunicorn as in production (``registry.wsgi``, sync workers, DEBUG off) on a loopback port
against the current database (``DATABASE_URL``), with the API throttles raised for the run, then
drives each target for ``--duration`` seconds with ``--connections`` concurrent connections:
``/healthz`` (the floor), the home page, the results page and ``/api/v1/relays/`` with a few
hundred (commune, service) pairs drawn from the reference. Prints req/s, p50, p99, errors and
each target's req/s as a share of healthz's; stops gunicorn afterwards.

Load with the project's generator (``web.loadgen``, asyncio, one core). ``make bench-http``.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from web.http_bench import (
    build_targets,
    database_url,
    draw_queries,
    format_report,
    free_port,
    gunicorn_server,
)
from web.loadgen import run_load


class Command(BaseCommand):
    help = (
        "Lance gunicorn sur la base courante et mesure /healthz, l'accueil, la page de "
        "résultats et l'API des relais sous charge (req/s, p50, p99, erreurs, part de /healthz)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--duration", type=float, default=10.0, help="Secondes par cible (10 par défaut)."
        )
        parser.add_argument(
            "--connections", type=int, default=32, help="Connexions simultanées (32)."
        )
        parser.add_argument("--workers", type=int, default=2, help="Workers gunicorn (2).")
        parser.add_argument(
            "--port", type=int, default=0, help="Port de boucle locale (0 : un port libre)."
        )
        parser.add_argument(
            "--queries", type=int, default=300, help="Couples (commune, service) tirés (300)."
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--warmup",
            type=float,
            default=1.0,
            help="Secondes de chauffe par cible, non comptées (1).",
        )

    def handle(self, *args, **o):
        if o["duration"] <= 0 or o["connections"] < 1 or o["workers"] < 1 or o["queries"] < 1:
            raise CommandError("--duration, --connections, --workers et --queries : positifs.")
        try:
            queries = draw_queries(n=o["queries"], seed=o["seed"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        targets = build_targets(queries)
        try:
            database = database_url(connection.settings_dict)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        host, port = "127.0.0.1", o["port"] or free_port()
        load = os.getloadavg()
        self.stdout.write(
            f"base : {connection.vendor} ({connection.settings_dict['NAME']}) · gunicorn "
            f"{o['workers']} workers sur {host}:{port} · {o['connections']} connexions · "
            f"{o['duration']:g} s par cible · {len(queries)} requêtes tirées · "
            f"charge machine {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        results = []
        try:
            with gunicorn_server(host=host, port=port, workers=o["workers"], database=database):
                for target in targets:
                    if o["warmup"] > 0:
                        run_load(
                            host=host,
                            port=port,
                            label=target.label,
                            paths=target.paths,
                            connections=o["connections"],
                            duration=o["warmup"],
                        )
                    results.append(
                        run_load(
                            host=host,
                            port=port,
                            label=target.label,
                            paths=target.paths,
                            connections=o["connections"],
                            duration=o["duration"],
                        )
                    )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        for line in format_report(results):
            self.stdout.write(line)
        load = os.getloadavg()
        self.stdout.write(f"charge machine après : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        if any(r.error_count for r in results):
            raise CommandError("Des requêtes ont échoué (voir la colonne « erreurs »).")

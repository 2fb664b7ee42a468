"""Relay lookup over HTTP (a running gunicorn on loopback) next to the in-process engine.

Replays the samples of ``bench_relay`` (``structures.relay.bench.draw_samples``) against
``/api/v1/relays/`` and, interleaved, in process, and prints p50 / p95 of both. Start the server
on the same database first, without the anonymous throttle getting in the way, e.g.::

    API_ANON_THROTTLE=1000000/minute gunicorn registry.wsgi -b 127.0.0.1:8765 -w 2
    python manage.py bench_relay_http --url http://127.0.0.1:8765 --queries 1000

One request at a time: this measures the overhead of HTTP over the engine. Throughput under
concurrent load (pages and API as shares of ``/healthz``, gunicorn started for you) is
``manage.py bench_http``.
"""

from __future__ import annotations

import http.client
import json
import statistics
import time
from urllib.parse import urlencode, urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from structures.relay.bench import draw_samples, percentile
from structures.relay.engine import find_relays
from structures.relay.index import RelayIndexEntry


def _stats(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5):.2f} ms · p95 {percentile(values, 0.95):.2f} ms · "
        f"max {max(values):.2f} ms · mean {statistics.fmean(values):.2f} ms"
    )


class Command(BaseCommand):
    help = (
        "Mesure /api/v1/relays/ sur un serveur HTTP (gunicorn en boucle locale) à côté de la "
        "recherche en processus, sur les mêmes échantillons que bench_relay."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="Ex. http://127.0.0.1:8765")
        parser.add_argument("--queries", type=int, default=1000)
        parser.add_argument("--k", type=int, default=5)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--warmup", type=int, default=20)
        parser.add_argument("--criteria", action="store_true")
        parser.add_argument("--token", default="", help="Jeton d'API (sinon anonyme).")

    def handle(self, *args, **o):
        if not RelayIndexEntry.objects.exists():
            raise CommandError("L'index des relais est vide : chargez des données d'abord.")
        target = urlsplit(o["url"])
        if target.scheme != "http" or not target.hostname:
            raise CommandError("--url doit être une adresse http://hôte:port.")
        headers = {"Accept": "application/json"}
        if o["token"]:
            headers["Authorization"] = f"Token {o['token']}"
        samples = draw_samples(
            n=o["queries"] + o["warmup"], seed=o["seed"], with_criteria=o["criteria"]
        )
        http_ms, local_ms, mismatches = [], [], 0
        for i, sample in enumerate(samples):
            params = {"service": sample.service_code, "commune": sample.commune_code, "k": o["k"]}
            if sample.country:
                params["country"] = sample.country
            if sample.sector:
                params["sector"] = sample.sector
            path = f"{target.path.rstrip('/')}/api/v1/relays/?{urlencode(params)}"

            started = time.perf_counter()
            conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed_http = (time.perf_counter() - started) * 1000
            conn.close()
            if response.status == 429:
                raise CommandError(
                    "Le serveur limite le débit (429) : relancez-le avec "
                    "API_ANON_THROTTLE=1000000/minute, ou passez --token."
                )
            if response.status != 200:
                raise CommandError(f"{path} → {response.status} : {body[:300]!r}")

            started = time.perf_counter()
            local = find_relays(
                service=sample.service_code,
                commune=sample.commune_code,
                country=sample.country,
                sector=sample.sector,
                k=o["k"],
            )
            elapsed_local = (time.perf_counter() - started) * 1000
            remote_ids = [r["offer"]["id"] for r in json.loads(body)["results"]]
            if remote_ids != [r.offer.pk for r in local.results]:
                mismatches += 1
            if i >= o["warmup"]:
                http_ms.append(elapsed_http)
                local_ms.append(elapsed_local)

        ratio50 = percentile(http_ms, 0.5) / max(percentile(local_ms, 0.5), 1e-9)
        ratio95 = percentile(http_ms, 0.95) / max(percentile(local_ms, 0.95), 1e-9)
        self.stdout.write(
            f"base : {connection.vendor} · {RelayIndexEntry.objects.count()} lignes d'index · "
            f"{len(http_ms)} recherches · k={o['k']}"
        )
        self.stdout.write(f"HTTP ({o['url']}) : {_stats(http_ms)}")
        self.stdout.write(f"en processus            : {_stats(local_ms)}")
        self.stdout.write(f"rapport HTTP / processus : p50 ×{ratio50:.2f} · p95 ×{ratio95:.2f}")
        if mismatches:
            self.stdout.write(
                self.style.WARNING(f"{mismatches} réponses HTTP différentes du calcul en processus")
            )

"""The pieces of ``manage.py bench_http``: the requests it sends, the server it starts, the table
it prints.

The pages and the relay API are measured against ``/healthz`` *from the same run*: on a shared
machine the absolute req/s move with the load, the shares much less. Requests are varied: a few
hundred (commune, service) pairs drawn from the reference in the database, communes weighted by
population (where the searches come from), so that no cache of one answer flatters the result.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse

from structures.models import Service
from territories.models import Territory
from web.loadgen import LoadResult

# Every throttle raised for the run: the benchmark measures the pages, not the rate limits.
UNTHROTTLED = "1000000000/minute"
THROTTLE_ENV = ("API_ANON_THROTTLE", "API_USER_THROTTLE", "API_COVERAGE_THROTTLE")


@dataclass(frozen=True)
class Query:
    commune_code: str
    commune_name: str
    service_code: str


@dataclass(frozen=True)
class Target:
    label: str
    paths: tuple[str, ...]


def draw_queries(*, n: int, seed: int) -> list[Query]:
    """``n`` (commune, service) pairs from the reference: current communes with a position,
    weighted by population, and every service of the catalogue; the same for the same seed."""
    communes = list(
        Territory.objects.communes()
        .current()
        .filter(latitude__isnull=False)
        .order_by("code")
        .values_list("code", "name", "population")
    )
    services = list(Service.objects.order_by("code").values_list("code", flat=True))
    if not communes or not services:
        raise ValueError("Le référentiel est vide : chargez les territoires et le catalogue.")
    rng = random.Random(seed)
    picks = rng.choices(communes, weights=[max(1, row[2] or 1) for row in communes], k=n)
    return [
        Query(commune_code=code, commune_name=name, service_code=rng.choice(services))
        for code, name, _population in picks
    ]


def relay_api_path(query: Query) -> str:
    params = {"commune": query.commune_code, "service": query.service_code}
    return f"/api/v1/relays/?{urlencode(params)}"


def results_page_path(query: Query) -> str:
    # What the search form sends once the autocomplete has chosen the commune.
    params = {
        "where": query.commune_name,
        "commune": query.commune_code,
        "service": query.service_code,
    }
    return f"{reverse('relay-search')}?{urlencode(params)}"


def build_targets(queries: Sequence[Query]) -> list[Target]:
    """``/healthz`` first (the floor), then the home page, the results page, the relay API."""
    return [
        Target("healthz", (reverse("healthz"),)),
        Target("accueil /", (reverse("home"),)),
        Target("résultats /recherche/", tuple(results_page_path(q) for q in queries)),
        Target("API relais", tuple(relay_api_path(q) for q in queries)),
    ]


def format_report(results: Sequence[LoadResult], *, floor: str = "healthz") -> list[str]:
    """One line per target: req/s, p50, p99, errors, req/s as a share of the floor's."""
    base = next((r.rate for r in results if r.label == floor), 0.0)
    width = max(len(r.label) for r in results)
    lines = [
        f"{'cible':<{width}}  {'req/s':>8}  {'p50 ms':>8}  {'p99 ms':>8}  {'erreurs':>7}  "
        f"{'/ ' + floor:>10}  {'CPU client':>10}"
    ]
    for r in results:
        share = f"{100 * r.rate / base:.1f} %" if base else "—"
        p50 = f"{r.latency_ms(0.5):.1f}" if r.latencies else "—"
        p99 = f"{r.latency_ms(0.99):.1f}" if r.latencies else "—"
        lines.append(
            f"{r.label:<{width}}  {r.rate:>8.1f}  {p50:>8}  {p99:>8}  {r.error_count:>7}  "
            f"{share:>10}  {100 * r.client_load:>8.0f} %"
        )
        if r.errors:
            kinds = ", ".join(f"{kind} × {count}" for kind, count in sorted(r.errors.items()))
            lines.append(f"{'':<{width}}  erreurs : {kinds}")
    lines.append(
        "CPU client : part d'un cœur prise par le générateur de charge ; près de 100 %, "
        "c'est lui qui limite le débit."
    )
    return lines


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """``DATABASE_URL`` for another process to open the database this one uses (the test
    database under pytest); ValueError for an in-memory SQLite database, which it cannot."""
    engine, name = settings_dict["ENGINE"], str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        if name == ":memory:" or "mode=memory" in name or name.startswith("file:memorydb"):
            raise ValueError("Base SQLite en mémoire : un serveur à part ne peut pas l'ouvrir.")
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"
    raise ValueError(f"Moteur de base non pris en charge : {engine}")


def server_environment(base: dict[str, str], *, database: str) -> dict[str, str]:
    """The environment of the benchmarked server: the caller's (same cache), the caller's
    database, DEBUG off, the throttles raised."""
    env = dict(base)
    env["DATABASE_URL"] = database
    env["DEBUG"] = "false"
    env["DJANGO_SETTINGS_MODULE"] = "registry.settings"
    for name in THROTTLE_ENV:
        env[name] = UNTHROTTLED
    return env


def wait_until_healthy(*, url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté au démarrage (code {process.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} ne répond pas après {timeout:.0f} s.")


@contextmanager
def gunicorn_server(
    *, host: str, port: int, workers: int, database: str, startup_timeout: float = 60.0
) -> Iterator[str]:
    """Run ``gunicorn registry.wsgi`` as in production (sync workers) on ``host:port`` until the
    block exits; yields the base URL once ``/healthz`` answers. Its output goes to a log file,
    shown when it fails to start."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which(
        "gunicorn"
    )
    if gunicorn is None:
        raise RuntimeError("gunicorn est introuvable (pip install -e .).")
    command = [
        gunicorn,
        "registry.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    with tempfile.TemporaryFile(mode="w+", prefix="bench_http_gunicorn") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=server_environment(dict(os.environ), database=database),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://{host}:{port}"
        try:
            try:
                wait_until_healthy(
                    url=f"{base_url}{reverse('healthz')}", process=process, timeout=startup_timeout
                )
            except RuntimeError as exc:
                log.seek(0)
                raise RuntimeError(f"{exc}\n{log.read()[-2000:]}") from exc
            yield base_url
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

"""``manage.py bench_http``: its load generator, the requests it draws, the report it prints
(the real run against gunicorn: ``test_bench_http_run.py``)."""

from __future__ import annotations

import http.server
import math
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.urls import resolve

from web.http_bench import build_targets, database_url, draw_queries, format_report
from web.loadgen import LoadResult, percentile, run_load

# --- percentiles ----------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks():
    values = [40.0, 10.0, 30.0, 20.0]  # unsorted on purpose
    assert percentile(values, 0.0) == 10.0
    assert percentile(values, 1.0) == 40.0
    assert percentile(values, 0.5) == 25.0
    assert percentile(list(range(1, 101)), 0.99) == pytest.approx(99.01)
    assert percentile([7.0], 0.99) == 7.0


def test_percentile_of_nothing_and_bad_quantiles():
    assert math.isnan(percentile([], 0.5))
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)


# --- report ---------------------------------------------------------------------------------


def test_report_gives_rates_latencies_errors_and_share_of_healthz():
    floor = LoadResult(label="healthz", elapsed=2.0, latencies=[0.001] * 1000, client_cpu=1.0)
    page = LoadResult(
        label="accueil /",
        elapsed=2.0,
        latencies=[0.010] * 99 + [0.100],
        errors={"statut 500": 3, "timeout": 1},
    )
    lines = format_report([floor, page])
    assert lines[0].split() == [
        *("cible", "req/s", "p50", "ms", "p99", "ms", "erreurs", "/", "healthz"),
        *("CPU", "client"),
    ]
    healthz_line = lines[1].split()
    assert healthz_line[:2] == ["healthz", "500.0"]
    assert healthz_line[5:7] == ["100.0", "%"]
    assert healthz_line[7:] == ["50", "%"]  # half a core for the generator
    home = lines[2].split()
    assert home[:3] == ["accueil", "/", "50.0"]  # 100 good answers in 2 s
    assert home[3] == "10.0"  # p50
    assert home[4] == "10.9"  # p99: 1 % of the way from 10 ms to the one 100 ms
    assert home[5] == "4"  # errors
    assert home[6:8] == ["10.0", "%"]  # 50 of 500 req/s
    assert "statut 500 × 3, timeout × 1" in lines[3]


def test_report_without_a_floor_shows_no_share():
    lines = format_report([LoadResult(label="API relais", elapsed=1.0)])
    assert lines[1].split()[2:7] == ["0.0", "—", "—", "0", "—"]


# --- load generator, against a real local HTTP server ---------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless told otherwise

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in (b"hello ", b"world"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        status = 500 if path == "/broken" else 200
        body = b"x" * 300
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if path == "/close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/keep-alive", "/close", "/chunked"])
def test_load_generator_reads_every_kind_of_response(http_server, path):
    result = run_load(
        host="127.0.0.1",
        port=http_server,
        label=path,
        paths=[path, f"{path}?x=1"],
        connections=4,
        duration=1.0,
    )
    # At least two answers per connection: each connection read one answer whole and went on
    # (with "/close", on a new socket). How many more depends on the machine's load, which a
    # test must not (a CI run once got 10 in 0.3 s where a quiet machine gets hundreds).
    assert result.ok >= 8
    assert result.errors == {}
    assert result.rate > 0
    assert 0 < result.latency_ms(0.5) <= result.latency_ms(0.99)


def test_load_generator_counts_unexpected_statuses_and_refused_connections(http_server):
    broken = run_load(
        host="127.0.0.1",
        port=http_server,
        label="broken",
        paths=["/broken", "/keep-alive"],
        connections=1,
        duration=0.3,
    )
    assert broken.errors["statut 500"] > 0
    assert broken.ok > 0
    import socket

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # bound, never listening: refused
        refused = run_load(
            host="127.0.0.1", port=port, label="refused", paths=["/"], connections=2, duration=0.2
        )
    assert refused.ok == 0
    assert refused.error_count > 0


def test_load_generator_refuses_bad_input():
    with pytest.raises(ValueError):
        run_load(host="127.0.0.1", port=1, label="x", paths=[], connections=1, duration=1)
    with pytest.raises(ValueError):
        run_load(host="127.0.0.1", port=1, label="x", paths=["/a b"], connections=1, duration=1)


# --- queries drawn from the reference -------------------------------------------------------


@pytest.mark.django_db
def test_queries_are_varied_reproducible_and_from_the_reference():
    from territories.models import Territory

    queries = draw_queries(n=300, seed=1)
    assert queries == draw_queries(n=300, seed=1)
    assert queries != draw_queries(n=300, seed=2)
    pairs = {(q.commune_code, q.service_code) for q in queries}
    assert len(pairs) > 100
    assert len({q.service_code for q in queries}) > 10
    for query in queries[:20]:
        place = Territory.objects.communes().current().get(code=query.commune_code)
        assert place.name == query.commune_name


@pytest.mark.django_db
def test_targets_are_the_pages_and_the_api_the_issue_names():
    queries = draw_queries(n=50, seed=3)
    targets = {t.label: t for t in build_targets(queries)}
    assert list(targets) == ["healthz", "accueil /", "résultats /recherche/", "API relais"]
    assert targets["healthz"].paths == ("/healthz",)
    assert targets["accueil /"].paths == ("/",)
    results = targets["résultats /recherche/"].paths
    api = targets["API relais"].paths
    assert len(results) == len(api) == 50
    first = urlsplit(results[0])
    assert resolve(first.path).url_name == "relay-search"
    assert parse_qs(first.query) == {
        "where": [queries[0].commune_name],
        "commune": [queries[0].commune_code],
        "service": [queries[0].service_code],
    }
    assert parse_qs(urlsplit(api[0]).query) == {
        "commune": [queries[0].commune_code],
        "service": [queries[0].service_code],
    }


@pytest.mark.django_db
def test_an_empty_reference_is_a_clear_error():
    from structures.models import Service

    Service.objects.all().delete()
    with pytest.raises(CommandError, match="Le référentiel est vide"):
        call_command("bench_http", "--duration", "1")


def test_database_url_for_another_process():
    assert database_url({"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/b.sqlite3"}) == (
        "sqlite:////tmp/b.sqlite3"
    )
    with pytest.raises(ValueError, match="mémoire"):
        database_url({"ENGINE": "django.db.backends.sqlite3", "NAME": "file:memorydb_default"})
    assert (
        database_url(
            {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "test_registry",
                "USER": "postgres",
                "PASSWORD": "p@ss",
                "HOST": "127.0.0.1",
                "PORT": 5432,
            }
        )
        == "postgres://postgres:p%40ss@127.0.0.1:5432/test_registry"
    )

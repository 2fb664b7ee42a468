"""An HTTP/1.1 load generator small enough to ship with the project (``manage.py bench_http``).

One asyncio loop, ``connections`` coroutines each holding one TCP connection, raw requests
written by hand and responses read by ``Content-Length`` (or chunks): no client library in the
path, so that one Python core drives well over a thousand requests a second. A connection is
kept alive when the server allows it and reopened when it answers ``Connection: close`` (as
gunicorn's sync workers do on every response); the reconnection is part of the latency
measured, as it is for a browser talking to that server.

Whether the generator is the bottleneck is read from the same run: ``/healthz`` is the floor
every page is compared with; if the generator saturated first, the healthz figure says so.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

USER_AGENT = "bench_http (registre des relais export)"
# A response taking longer than this is counted as an error and its connection dropped.
REQUEST_TIMEOUT = 30.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0 ≤ q ≤ 1) by linear interpolation between the closest ranks
    (the definition of NumPy's default and of most load tools); NaN for no values."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile hors de [0, 1] : {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass
class LoadResult:
    """What one target did during its run: latencies of the good answers (seconds), errors by
    kind (``"status 500"``, ``"timeout"``, ``"connection refused"``…), wall time."""

    label: str
    elapsed: float
    # CPU seconds the generator itself spent: near ``elapsed``, it was the bottleneck.
    client_cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def client_load(self) -> float:
        """The generator's share of one core during the run (1.0: saturated)."""
        return self.client_cpu / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    def latency_ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000.0

    def add_error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class _BadResponse(Exception):
    pass


def build_request(*, host: str, port: int, path: str) -> bytes:
    if not path.startswith("/") or any(c in path for c in "\r\n "):
        raise ValueError(f"chemin de requête invalide : {path!r}")
    return (
        f"GET {path} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"User-Agent: {USER_AGENT}\r\n"
        "Accept: text/html,application/json\r\n"
        "Accept-Language: fr\r\n"
        "\r\n"
    ).encode("ascii")


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection may be reused."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise _BadResponse(lines[0][:60])
    status, version = int(parts[1]), parts[0]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip().lower()
    if "chunked" in headers.get("transfer-encoding", ""):
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
        length_known = True
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
        length_known = True
    elif status in (204, 304) or 100 <= status < 200:
        length_known = True
    else:
        # The body runs until the server closes.
        await reader.read()
        length_known = False
    connection = headers.get("connection", "")
    keep_alive = length_known and (
        "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
    )
    return status, keep_alive


async def _drive(
    *,
    host: str,
    port: int,
    requests: Iterable[bytes],
    deadline: float,
    result: LoadResult,
    expected: frozenset[int],
) -> None:
    reader = writer = None
    try:
        for request in requests:
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(host, port), REQUEST_TIMEOUT
                    )
                writer.write(request)
                status, keep_alive = await asyncio.wait_for(read_response(reader), REQUEST_TIMEOUT)
            except TimeoutError:
                result.add_error("timeout")
                keep_alive, status = False, None
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                result.add_error(type(exc).__name__)
                keep_alive, status = False, None
            except _BadResponse:
                result.add_error("réponse illisible")
                keep_alive, status = False, None
            else:
                if status in expected:
                    result.latencies.append(time.perf_counter() - started)
                else:
                    result.add_error(f"statut {status}")
            if not keep_alive and writer is not None:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _run(
    *,
    host: str,
    port: int,
    label: str,
    paths: Sequence[str],
    connections: int,
    duration: float,
    expected: frozenset[int],
) -> LoadResult:
    encoded = [build_request(host=host, port=port, path=p) for p in paths]
    result = LoadResult(label=label, elapsed=0.0)
    started, cpu_started = time.perf_counter(), time.process_time()
    deadline = started + duration
    # Each connection walks the paths from its own offset, so that concurrent requests differ.
    step = max(1, len(encoded) // max(1, connections))
    await asyncio.gather(
        *(
            _drive(
                host=host,
                port=port,
                requests=itertools.islice(
                    itertools.cycle(encoded), (i * step) % len(encoded), None
                ),
                deadline=deadline,
                result=result,
                expected=expected,
            )
            for i in range(connections)
        )
    )
    # Requests started before the deadline finish after it: count the time they took.
    result.elapsed = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu_started
    return result


def run_load(
    *,
    host: str,
    port: int,
    label: str,
    paths: Sequence[str],
    connections: int,
    duration: float,
    expected: Iterable[int] = (200,),
) -> LoadResult:
    """Send GET requests for ``paths`` (cycled) over ``connections`` concurrent connections for
    ``duration`` seconds; a response whose status is not in ``expected`` is an error."""
    if not paths:
        raise ValueError("aucun chemin à demander")
    if connections < 1 or duration <= 0:
        raise ValueError("il faut au moins une connexion et une durée positive")
    return asyncio.run(
        _run(
            host=host,
            port=port,
            label=label,
            paths=paths,
            connections=connections,
            duration=duration,
            expected=frozenset(expected),
        )
    )

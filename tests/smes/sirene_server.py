"""A local stand-in for the API Recherche d'entreprises, for the tests: nothing reaches the network.

``FakeSireneServer`` serves ``GET /search?q=<SIRET>`` on 127.0.0.1 (a free port, in a thread)
with the answers recorded in ``recherche_entreprises/<SIRET>.json`` — written from the API's
documented response format (its OpenAPI description: ``results[].siege``,
``results[].matching_etablissements[]``, ``total_results``…), with fictitious firms only — and
``not_found.json`` (an empty ``results``) for any other SIRET. A test can make one SIRET fail:
``server.fail(siret, status=503)``, ``delay=`` seconds of silence, or a ``body=`` of its own.
``server.requests`` lists the queries received.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ANSWERS = Path(__file__).parent / "recherche_entreprises"


@dataclass
class Failure:
    status: int = 200
    delay: float = 0.0
    body: bytes | None = None


def recorded_answer(siret: str) -> dict:
    """The recorded answer of the API for ``siret`` (the empty answer if none is recorded)."""
    path = ANSWERS / f"{siret}.json"
    if not path.exists():
        path = ANSWERS / "not_found.json"
    return json.loads(path.read_text(encoding="utf-8"))


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.server.requests.append({"path": url.path, **query})
        siret = query.get("q", "")
        failure = self.server.failures.get(siret)
        if failure and failure.delay:
            time.sleep(failure.delay)
        if url.path != "/search":
            self._send(404, json.dumps({"erreur": "Not found"}).encode())
        elif failure and (failure.status != 200 or failure.body is not None):
            body = failure.body if failure.body is not None else b"<html>Bad Gateway</html>"
            self._send(failure.status, body)
        elif not query.get("q"):
            error = {"erreur": "Veuillez indiquer au moins un paramètre de recherche."}
            self._send(400, json.dumps(error).encode())
        else:
            self._send(200, json.dumps(recorded_answer(siret), ensure_ascii=False).encode())

    def _send(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test): nothing to answer to

    def log_message(self, format, *args):  # quiet test output
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[dict]
    failures: dict[str, Failure]


class FakeSireneServer:
    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.requests, self._server.failures = [], {}
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def requests(self) -> list[dict]:
        return self._server.requests

    def fail(self, siret: str, *, status: int = 200, delay: float = 0.0, body=None) -> None:
        self._server.failures[siret] = Failure(status=status, delay=delay, body=body)

    def reset(self) -> None:
        self._server.requests.clear()
        self._server.failures.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

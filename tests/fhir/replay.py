"""A loopback HTTP server that replays FHIR search answers (no FHIR server installs from the
package registries this project uses). Requests must match a recorded path and query exactly
(parameter order aside); anything else is a 404 with an OperationOutcome, as a server would."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Replay:
    answers: dict[tuple[str, frozenset[tuple[str, str]]], Any]
    token: str | None = None  # when set, requests without "Bearer <token>" get 401
    delay_s: float = 0.0
    seen: list[tuple[str, dict[str, str], str | None]] = field(default_factory=list)

    def answer(self, path: str, query: Mapping[str, str], auth: str | None) -> tuple[int, Any]:
        self.seen.append((path, dict(query), auth))
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.token is not None and auth != f"Bearer {self.token}":
            return 401, _outcome("security", "no valid bearer token")
        key = (path, frozenset(query.items()))
        if key not in self.answers:
            return 404, _outcome("not-found", f"nothing recorded for {path}")
        return 200, self.answers[key]


def _outcome(code: str, text: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }


@contextmanager
def serve(replay: Replay) -> Iterator[str]:
    """Run the replay on 127.0.0.1 (a free port) and yield its base URL; always stopped."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            status, body = replay.answer(parts.path, query, self.headers.get("Authorization"))
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)  # the client may have given up (time-out test)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

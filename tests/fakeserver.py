"""A tiny HTTP server on 127.0.0.1 that plays upstream APIs and chat platforms in tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Route = Callable[[dict[str, list[str]]], tuple[int, str, bytes]]
# A POST answer may carry a 4th element: seconds to wait before answering (outside the lock),
# and a 5th: response headers.
Answer = (
    tuple[int, str, bytes]
    | tuple[int, str, bytes, float]
    | tuple[int, str, bytes, float, dict[str, str]]
)
PostRoute = Callable[[str, bytes], Answer]


@contextmanager
def serve(
    routes: dict[str, Route],
    *,
    post: PostRoute | None = None,
    put: PostRoute | None = None,
    patch: PostRoute | None = None,
    latency: float = 0.0,
    headers_seen: list[tuple[str, dict[str, str]]] | None = None,
) -> Iterator[tuple[str, list[str]]]:
    """Serve GET ``routes`` (path → handler of the query), POSTs to ``post`` (PUTs to ``put``,
    PATCHes to ``patch``); record paths (and, into ``headers_seen``, each request's headers)."""
    seen: list[str] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            with lock:
                seen.append(self.path)
                if headers_seen is not None:
                    headers_seen.append((self.path, dict(self.headers.items())))

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            self._record()
            route = routes.get(url.path)
            self._send(*(route(parse_qs(url.query)) if route else (404, "text/plain", b"no")))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._record()
            with lock:
                answer = post(self.path, body) if post else (404, "text/plain", b"no")
            self._send(*answer)

        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._record()
            with lock:
                answer = put(self.path, body) if put else (404, "text/plain", b"no")
            self._send(*answer)

        def do_PATCH(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._record()
            with lock:
                answer = patch(self.path, body) if patch else (404, "text/plain", b"no")
            self._send(*answer)

        def _send(
            self,
            status: int,
            kind: str,
            body: bytes,
            delay: float = 0.0,
            headers: dict[str, str] | None = None,
        ) -> None:
            if latency or delay:
                time.sleep(latency + delay)
            try:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test): nothing to answer

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

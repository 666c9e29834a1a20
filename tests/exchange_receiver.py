"""A webhook receiver for the exchange tests: a real HTTP server on a free port that checks
each delivery's signature and records its events, and can be told how to misbehave next
(answer 500, hang past the deliverer's timeout, close the connection mid-answer, trickle
its answer a byte at a time)."""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

# The receiver listens on 127.0.0.1, which webhooks may only reach when it is explicitly allowed
# (docs/exchange.md). Set on import, so `xuke` processes the tests start inherit it too.
os.environ.setdefault("XUKE_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.plan: deque[str] = deque()  # what to do with the next requests ("ok" after)
        self.acknowledged: list[dict[str, Any]] = []  # events of the 2xx answers, in order
        self.requests = 0
        self.bad_signatures = 0
        self.hang_seconds = 5.0
        self.delay = 0.0  # seconds before each answer (a slow receiver)
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def ids(self) -> list[str]:
        with self.lock:
            return [e["id"] for e in self.acknowledged]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
        signature = handler.headers.get("X-Xuke-Signature", "")
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        with self.lock:
            self.requests += 1
            action = self.plan.popleft() if self.plan else "ok"
            if not hmac.compare_digest(signature, expected):
                self.bad_signatures += 1
                action = "401"
        if self.delay:
            time.sleep(self.delay)
        if action == "hang":
            time.sleep(self.hang_seconds)
            handler.close_connection = True
            return
        if action == "close":  # headers of a 200, half the body, then the connection drops
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart")
            handler.wfile.flush()
            handler.close_connection = True
            return
        if action == "trickle":  # a 200 status line, then one byte every 0.5 s, for long
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            for _ in range(1000):
                try:
                    handler.wfile.write(b"x")
                    handler.wfile.flush()
                except OSError:
                    break
                time.sleep(0.5)
            handler.close_connection = True
            return
        if action == "trickle-head":  # the status line itself, a byte every 0.5 s
            for byte in b"HTTP/1.1 200 OK\r\n" * 100:
                try:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                except OSError:
                    break
                time.sleep(0.5)
            handler.close_connection = True
            return
        if action == "drop":  # no answer at all
            handler.close_connection = True
            return
        status = 200 if action == "ok" else int(action)
        if status == 200:
            with self.lock:
                self.acknowledged.extend(orjson.loads(body)["events"])
        handler.send_response(status)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"{}")


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            receiver.handle(self)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.server = server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()

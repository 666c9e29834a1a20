"""A lean HTTP/1.1 client for the benchmarks: the standard library's ``http.client``, one
keep-alive connection per thread.

Why not httpx: on the 2-core benchmark machine httpx spent about 2 ms of client CPU per
request, more than the service took to answer most of the queries measured, and that CPU
is taken from the same two cores the service runs on."""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True)
class Response:
    status_code: int
    content: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return orjson.loads(self.content)


class LeanClient:
    def __init__(self, host: str, port: int, timeout: float = 30) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return conn

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            reply = conn.getresponse()
            return Response(reply.status, reply.read(), dict(reply.getheaders()))
        except (OSError, http.client.HTTPException):
            conn.close()
            self._local.conn = None
            raise

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Response:
        return self.request(
            "POST",
            path,
            orjson.dumps(json),
            {"content-type": "application/json", **(headers or {})},
        )

    def wait_until_up(self, tries: int = 300) -> None:
        for _ in range(tries):
            try:
                if self.get("/healthz").status_code == 200:
                    return
            except OSError:
                threading.Event().wait(0.1)
        raise RuntimeError(f"nothing answers on {self.host}:{self.port}")

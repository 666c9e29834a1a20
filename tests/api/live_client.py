"""A graphql-transport-ws client for tests: the real protocol over a real websocket."""

from __future__ import annotations

import json
from typing import Any

from websockets.sync.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class LiveClient:
    def __init__(self, http_url: str, payload: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:  # fmt: skip
        url = http_url.replace("http://", "ws://") + "/graphql"
        self.ws: ClientConnection = connect(
            url,
            subprotocols=[PROTOCOL],
            additional_headers=headers,
            open_timeout=10,  # type: ignore[list-item]
        ).__enter__()  # closed by close()
        self.send({"type": "connection_init", "payload": payload or {}})
        self.ack = self.receive()

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def receive(self, timeout: float = 10) -> dict[str, Any]:
        """The next message that is not a keep-alive ping."""
        while True:
            frame = self.ws.recv(timeout=timeout)
            assert isinstance(frame, str), frame  # text frames: browsers' clients close on binary
            message: dict[str, Any] = json.loads(frame)
            if message["type"] == "ping":
                self.send({"type": "pong"})
                continue
            return message

    def subscribe(self, query: str, variables: dict[str, Any] | None = None,
                  op: str = "1") -> None:  # fmt: skip
        payload = {"query": query, "variables": variables or {}}
        self.send({"type": "subscribe", "id": op, "payload": payload})

    def next(self, timeout: float = 10) -> dict[str, Any]:
        message = self.receive(timeout)
        assert message["type"] == "next", message
        data: dict[str, Any] = message["payload"]
        return data

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> LiveClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

"""Prometheus metrics: requests and latency, GraphQL operations, command outcomes by error
code, and each projection's position and lag (read from the tracking table at scrape time).

Every label takes its values from a set the service fixes, never from what a client sends:
an HTTP request is labelled by the template of the route it matched (``/status/{case_no}``),
or ``unmatched``, and by a method from ``METHODS`` (others: ``OTHER``); a GraphQL operation
by the root field it selects (``guards.CountOperations``). Otherwise every random path a
client tries would become a series of its own, kept for the life of the process.

Who may read them (``settings.py``): with ``XUKE_METRICS_PORT`` they are served on a port
of their own (``serve_metrics``) and ``/metrics`` on the service's port answers 404; with
``XUKE_METRICS_TOKEN`` a bearer token is required (401 without it); with neither, only a
client on the same machine reads them, unless ``XUKE_METRICS_PUBLIC`` says the network
already guards the port. Outside demo mode ``xuke serve`` wants one of the three."""

from __future__ import annotations

import hmac
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import ThreadingWSGIServer, make_wsgi_app
from prometheus_client.registry import Collector

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the one route label of every request no route matched


class ProjectionCollector(Collector):
    def __init__(self, positions: Callable[[], tuple[int, dict[str, int]]]) -> None:
        self.positions = positions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        head, positions = self.positions()
        position = GaugeMetricFamily(
            "xuke_projection_position", "Last event applied", labels=["projection"]
        )
        lag = GaugeMetricFamily(
            "xuke_projection_lag", "Events not yet applied", labels=["projection"]
        )
        for name, value in positions.items():
            position.add_metric([name], value)
            lag.add_metric([name], head - value)
        yield position
        yield lag


class ReplicaCollector(Collector):
    """The read replica (``projections/replica.py``), read at scrape time: reachable or not,
    its lag, whether reads go to it now, and how many reads each database answered (the one
    label takes ``replica`` or ``primary``)."""

    def __init__(self, status: Callable[[], tuple[dict[str, Any], bool, dict[str, int]]]) -> None:
        self.status = status

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        lag, serving, served = self.status()
        nan = float("nan")  # not measured: the replica (or, for bytes, the primary) was away
        yield GaugeMetricFamily("xuke_replica_up", "The read replica answered the last look",
                                value=1 if lag["up"] else 0)  # fmt: skip
        yield GaugeMetricFamily(
            "xuke_replica_lag_seconds", "How far the read replica's replay is behind",
            value=nan if lag["lag_seconds"] is None else lag["lag_seconds"],
        )  # fmt: skip
        yield GaugeMetricFamily(
            "xuke_replica_lag_bytes", "WAL the read replica has yet to replay",
            value=nan if lag["lag_bytes"] is None else lag["lag_bytes"],
        )  # fmt: skip
        yield GaugeMetricFamily("xuke_replica_serving", "Reads go to the replica now (1) or "
                                "to the primary (0)", value=1 if serving else 0)  # fmt: skip
        reads = CounterMetricFamily("xuke_read_queries", "Replica-eligible reads by the "
                                    "database that answered them", labels=["served_by"])  # fmt: skip
        for name, count in served.items():
            reads.add_metric([name], count)
        yield reads


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "xuke_http_requests",
            "HTTP requests by method, route template (or 'unmatched') and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "xuke_http_request_seconds", "HTTP request latency", ["route"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )  # fmt: skip
        self.operations = Counter(
            "xuke_graphql_operations",
            "GraphQL operations by type, root field ('multiple' or 'other' otherwise) and outcome",
            ["type", "operation", "outcome"],
            registry=self.registry,
        )
        self.commands = Counter(
            "xuke_commands",
            "Commands by outcome (OK or an error code)",
            ["command", "outcome"],
            registry=self.registry,
        )

    def watch_projections(self, positions: Callable[[], tuple[int, dict[str, int]]]) -> None:
        self.registry.register(ProjectionCollector(positions))

    def watch_replica(
        self, status: Callable[[], tuple[dict[str, Any], bool, dict[str, int]]]
    ) -> None:
        self.registry.register(ReplicaCollector(status))

    def request(self, method: str, route: str | None, status: int, elapsed: float) -> None:
        """One HTTP request: ``route`` is the matched route's template, None if none matched."""
        route = route or UNMATCHED
        self.requests.labels(method if method in METHODS else "OTHER", route, str(status)).inc()
        self.latency.labels(route).observe(elapsed)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def bearer_matches(authorization: str | None, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), token.encode("utf-8", "replace")
    )


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_status(
    token: str, public: bool, authorization: str | None, client_host: str | None
) -> int:
    """What ``/metrics`` on the service's port answers: 200, 401 (a token is required and
    was not given) or 404 (neither token nor public: only a client on this machine)."""
    if token:
        return 200 if bearer_matches(authorization, token) else 401
    return 200 if public or is_loopback(client_host) else 404


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log line per scrape."""


def serve_metrics(metrics: Metrics, host: str, port: int, token: str = "") -> WSGIServer:
    """Metrics on a port of their own, on a daemon thread: prometheus_client's
    ``start_http_server`` (the same server and exposition app), wrapped so that a token, if
    set, is required there too. ``shutdown()`` the returned server to stop it."""
    exposition = make_wsgi_app(metrics.registry)

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if token and not bearer_matches(environ.get("HTTP_AUTHORIZATION"), token):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')],
            )
            return [b"metrics token required\n"]
        return exposition(environ, start_response)  # type: ignore[no-any-return]

    class Server(ThreadingWSGIServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = make_server(host, port, guarded, Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="xuke-metrics", daemon=True).start()
    return server

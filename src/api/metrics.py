"""Prometheus metrics: requests and latency, command outcomes by error code, and each
projection's position and lag (read from the tracking table at scrape time)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


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


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "xuke_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "xuke_http_request_seconds", "HTTP request latency", ["route"], registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )  # fmt: skip
        self.commands = Counter(
            "xuke_commands",
            "Commands by outcome (OK or an error code)",
            ["command", "outcome"],
            registry=self.registry,
        )

    def watch_projections(self, positions: Callable[[], tuple[int, dict[str, int]]]) -> None:
        self.registry.register(ProjectionCollector(positions))

    def render(self) -> bytes:
        return generate_latest(self.registry)

"""Issue 17, Security 3: /metrics stays a small constant size whatever clients send (labels
come from route templates and the schema's root fields, never from paths or operation names),
and only those allowed read it: a bearer token, a port of its own, or this machine."""

from __future__ import annotations

import random
import re
import string

import httpx
import pytest

from tests.api.conftest import Api, free_port
from xuke.api.graphql.guards import operation_label, root_fields
from xuke.api.graphql.schema import schema
from xuke.api.metrics import METHODS, UNMATCHED, Metrics, metrics_status, serve_metrics
from xuke.cli.serve import _check_metrics
from xuke.settings import Settings

TOKEN = "metrics-token-for-the-tests-0123456789"
SERIES = re.compile(r"^(\w+)\{(.*)\} ", re.MULTILINE)
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The backends' settings, with the metrics settings a test asks for (indirect; a
    metrics port of 0 is a free one, found when the test runs)."""
    update = dict(getattr(request, "param", {}))
    if update.get("metrics_port") == 0:
        update["metrics_port"] = free_port()
    return settings.model_copy(update=update)


def series(text: str) -> list[tuple[str, dict[str, str]]]:
    return [(name, dict(LABEL.findall(labels))) for name, labels in SERIES.findall(text)]


def label_values(text: str, metric: str, label: str) -> set[str]:
    return {labels[label] for name, labels in series(text) if name == metric}


def junk(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits, k=n))


def scrape(api: Api, **headers: str) -> str:
    response = api.client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    return response.text


def test_random_paths_leave_the_metrics_a_constant_size(api: Api) -> None:
    rng = random.Random(17)
    api.client.get("/healthz")
    api.client.get("/status/X-1", params={"code": "y"})
    api.gql("{ licenseItems { code } }")
    api.client.get("/no/such/page")  # the one label every unmatched request shares
    before = scrape(api)

    for i in range(3000):  # loopback only: the api fixture serves on 127.0.0.1
        path = "/" + "/".join(junk(rng, rng.randint(1, 12)) for _ in range(rng.randint(1, 4)))
        method = "GET" if i % 100 else rng.choice(["PROPFIND", "MKCOL", "LOCK", "PURGE", "REPORT"])
        response = api.client.request(method, path, params={junk(rng, 4): junk(rng, 8)})
        assert response.status_code in (404, 405)

    after = scrape(api)
    print(f"\n/metrics: {len(before)} B before, {len(after)} B after 3,000 random requests")
    assert len(after) < 2 * len(before)
    assert len(series(after)) <= len(series(before)) + 20  # the OTHER method's few series
    routes = label_values(after, "xuke_http_requests_total", "route")
    assert routes <= {"/healthz", "/status/{case_no}", "/graphql", "/metrics", UNMATCHED}
    assert {"/status/{case_no}", "/graphql", UNMATCHED} <= routes
    assert label_values(after, "xuke_http_requests_total", "method") <= METHODS | {"OTHER"}
    assert "OTHER" in label_values(after, "xuke_http_requests_total", "method")


def test_graphql_is_labelled_by_root_field_never_by_the_clients_operation_name(api: Api) -> None:
    rng = random.Random(3)
    api.gql("{ licenseItems { code } }")
    api.client.post("/graphql", json={"query": "{ nosuch }"})
    before = scrape(api)
    sent: list[str] = []
    for i in range(600):
        name = "Op" + junk(rng, 24)
        sent.append(name)
        query = [
            f"query {name} {{ licenseItems {{ code }} }}",
            f"query {name} {{ {name.lower()} }}",  # an unknown field: invalid
            f"query {name} {{ licenseItems {{ code }} __typename }}",
            f"query {name} {{ {name}",  # does not parse
        ][i % 4]
        response = api.client.post("/graphql", json={"query": query, "operationName": name})
        assert response.status_code in (200, 400)

    after = scrape(api)
    assert len(after) < 2 * len(before)
    assert not any(name in after or name.lower() in after for name in sent)
    allowed = set().union(*root_fields(schema._schema).values()) | {"multiple", "other"}
    operations = label_values(after, "xuke_graphql_operations_total", "operation")
    assert {"licenseItems", "other"} <= operations <= allowed
    counted = {
        (labels["operation"], labels["outcome"]): labels
        for name, labels in series(after)
        if name == "xuke_graphql_operations_total"
    }
    assert ("licenseItems", "ok") in counted and ("other", "invalid") in counted


def test_operation_labels_come_from_the_schema() -> None:
    from graphql import parse

    def label(query: str, name: str | None = None) -> tuple[str, str]:
        return operation_label(schema._schema, parse(query), name)

    assert label("{ licenseItems { code } }") == ("query", "licenseItems")
    assert label("query Anything { a: licenseItems { code } b: licenseItems { name } }") == (
        "query",
        "licenseItems",
    )
    assert label("{ ...F } fragment F on Query { licenseItems { code } }") == (
        "query",
        "licenseItems",
    )
    assert label("{ licenseItems { code } __typename }") == ("query", "licenseItems")
    assert label("{ __typename }") == ("query", "__typename")
    assert label("{ licenseItems { code } __schema { types { name } } }") == ("query", "multiple")
    assert label("{ whatever }") == ("query", "other")
    assert label("mutation M { whatever }") == ("mutation", "other")
    assert label("query A { __typename } query B { licenseItems { code } }", "B") == (
        "query",
        "licenseItems",
    )
    assert label("query A { __typename }", "Nope") == ("unknown", "other")
    assert operation_label(schema._schema, None, "Anything") == ("unknown", "other")


@pytest.mark.parametrize("settings", [{"metrics_token": TOKEN}], indirect=True)
def test_a_metrics_token_is_required_when_set(api: Api) -> None:
    missing = api.client.get("/metrics")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "xuke_" not in missing.text
    assert api.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert api.client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    text = scrape(api, Authorization=f"Bearer {TOKEN}")
    assert "xuke_http_requests_total" in text


@pytest.mark.parametrize("settings", [{"metrics_port": 0}], indirect=True)
def test_a_metrics_port_of_its_own_closes_metrics_on_the_service_port(api: Api) -> None:
    assert api.client.get("/metrics").status_code == 404
    port = api.services.settings.metrics_port
    assert port is not None
    server = serve_metrics(api.services.metrics, "127.0.0.1", port)
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert response.status_code == 200
        assert 'xuke_http_requests_total{method="GET",route="unmatched",status="404"}' in (
            response.text
        )
    finally:
        server.shutdown()
        server.server_close()


def test_a_metrics_port_requires_the_token_too_when_one_is_set() -> None:
    port = free_port()
    server = serve_metrics(Metrics(), "127.0.0.1", port, TOKEN)
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        assert httpx.get(url, timeout=5).status_code == 401
        wrong = httpx.get(url, headers={"Authorization": "Bearer no"}, timeout=5)
        assert wrong.status_code == 401
        right = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert right.status_code == 200 and "xuke_commands" in right.text
    finally:
        server.shutdown()
        server.server_close()


def test_without_token_only_this_machine_reads_metrics_unless_public() -> None:
    assert metrics_status("", False, None, "127.0.0.1") == 200
    assert metrics_status("", False, None, "::1") == 200
    assert metrics_status("", False, None, "203.0.113.9") == 404
    assert metrics_status("", False, None, None) == 404
    assert metrics_status("", True, None, "203.0.113.9") == 200
    assert metrics_status(TOKEN, True, None, "127.0.0.1") == 401
    assert metrics_status(TOKEN, False, f"bearer {TOKEN}", "203.0.113.9") == 200


def test_serve_wants_metrics_guarded_outside_demo_mode() -> None:
    production = Settings(database_url="postgresql://h/db", demo=False)
    with pytest.raises(SystemExit, match="XUKE_METRICS_TOKEN"):
        _check_metrics(production, workers=1)
    for guarded in ({"metrics_token": TOKEN}, {"metrics_port": 9100}, {"metrics_public": True}):
        _check_metrics(production.model_copy(update=guarded), workers=1)
    _check_metrics(production.model_copy(update={"demo": True}), workers=1)

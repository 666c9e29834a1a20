"""The supervisor dashboard and GraphiQL in a real browser (headless Chromium, hosts other than
127.0.0.1 unresolvable), on SQLite and PostgreSQL: each loads with no console error and no
request beyond the server, a screenshot of each lands in test-artifacts/, the dashboard's
numbers are the GraphQL answers, and it follows a change without a reload."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.browser import CHROMIUM, Browser
from tests.api.conftest import Api
from tests.api.test_graphql import file, tokens
from tests.support import at
from xuke.application.clock import SettableClock
from xuke.domain.roles import Role
from xuke.settings import Settings
from xuke.supervision.watcher import DeadlineWatcher

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """GraphiQL and introspection on, as in demo mode or with XUKE_GRAPHQL_IDE=true."""
    return settings.model_copy(update={"graphql_ide": True, "graphql_introspection": True})


FIGURES = """{ supervision {
  overdue(first: 10) { totalCount edges { node { caseNo } } }
  warnings(first: 1) { totalCount }
  byUnit: lateCounts(groupBy: DEPARTMENT) { key overdue warnings }
  byItem: lateCounts(groupBy: ITEM) { key overdue warnings }
  cards(first: 10) { totalCount nodes { caseNo } }
  openOrders: orders(status: "OPEN", first: 1) { totalCount }
  orders(first: 10) { totalCount nodes { caseNo } }
} }"""


def local_only(api: Api, urls: list[str]) -> list[str]:
    """The requests that left the server (none may)."""
    ws = api.url.replace("http://", "ws://")
    return [u for u in urls if not u.startswith((api.url, ws, "data:", "about:"))]


def table(browser: Browser, table_id: str) -> list[list[str]]:
    rows = browser.evaluate(
        f"JSON.stringify([...document.querySelectorAll('#{table_id} tbody tr')]"
        ".map(tr => [...tr.cells].map(td => td.textContent)))"
    )
    parsed: list[list[str]] = json.loads(rows)
    return parsed


def number(browser: Browser, element_id: str) -> int:
    return int(browser.evaluate(f"document.getElementById('{element_id}').textContent"))


def a_populated_jurisdiction(api: Api, clock: SettableClock, t: dict[str, str]) -> list[str]:
    """Three filings on Mon 2026-09-28, never acted on: deemed accepted (Law 32) and carded by
    the watcher, and by Mon 2027-03-01 past the item's decision limit; then a 督办 order."""
    case_nos = [file(api, t)["case"]["caseNo"] for _ in range(3)]
    assert api.services.runner is not None
    watcher = DeadlineWatcher(api.services.app, api.services.views)
    for day in (at(2026, 10, 20), at(2027, 3, 1)):
        clock.set(day)
        api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 10)
        watcher.run_once()
    api.gql(
        f'mutation {{ issueSupervisionOrder(caseNo: "{case_nos[0]}", instruction: "请于三日内办结", '
        'respondBy: "2027-03-20") { errors { code } } }',
        token=t["supervisor"],
    )
    api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 10)
    return case_nos


def test_late_counts_add_up_to_the_overdue_and_warning_totals(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    a_populated_jurisdiction(api, clock, t)
    s = api.gql(FIGURES, token=t["supervisor"])["data"]["supervision"]
    assert s["overdue"]["totalCount"] == 3
    for group in ("byUnit", "byItem"):
        assert sum(r["overdue"] for r in s[group]) == s["overdue"]["totalCount"]
        assert sum(r["warnings"] for r in s[group]) == s["warnings"]["totalCount"]
    assert [r["key"] for r in s["byUnit"]] == ["440000"]
    clerk = api.gql("{ supervision { lateCounts(groupBy: ITEM) { key } } }", token=t["clerk"])
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@needs_chromium
def test_graphiql_runs_a_query_with_no_internet(api: Api) -> None:
    html = api.client.get("/graphql", headers={"Accept": "text/html"}).text
    assert "/static/graphiql/graphiql.min.js" in html and "unpkg.com" not in html
    query = quote("{ __typename }")
    with Browser() as browser:
        browser.goto(f"{api.url}/graphql?q={query}")
        browser.wait_for("!!document.querySelector('.graphiql-execute-button')")
        browser.evaluate("document.querySelector('.graphiql-execute-button').click()")
        answer = browser.wait_for(
            "(document.querySelector('.result-window') || {}).textContent"
            " && document.querySelector('.result-window').textContent.includes('Query')"
            " && document.querySelector('.result-window').textContent"
        )
        browser.screenshot(ARTIFACTS / "graphiql.png")
        assert '"__typename"' in answer
        assert browser.errors() == []
        assert local_only(api, browser.requests()) == []
    assert (ARTIFACTS / "graphiql.png").stat().st_size > 10_000


@needs_chromium
def test_the_dashboard_shows_the_graphql_answers_and_follows_changes(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    case_nos = a_populated_jurisdiction(api, clock, t)
    with Browser() as browser:
        browser.goto(f"{api.url}/supervision")
        assert browser.evaluate("document.getElementById('board').hidden") is True
        browser.evaluate(f"document.getElementById('token').value = {json.dumps(t['supervisor'])}")
        browser.evaluate("document.querySelector('#signin-form button').click()")
        browser.wait_for("document.body.dataset.loaded === '1'")
        browser.wait_for("document.getElementById('live').className === 'live on'")
        browser.evaluate("window.notReloaded = true")
        s: dict[str, Any] = api.gql(FIGURES, token=t["supervisor"])["data"]["supervision"]
        assert number(browser, "total-overdue") == s["overdue"]["totalCount"] == 3
        assert number(browser, "total-warnings") == s["warnings"]["totalCount"]
        assert number(browser, "total-cards") == s["cards"]["totalCount"] > 0
        assert number(browser, "total-orders") == s["openOrders"]["totalCount"] == 1
        late = [[r["key"], str(r["overdue"]), str(r["warnings"])] for r in s["byUnit"]]
        assert table(browser, "by-unit") == late
        late = [[r["key"], str(r["overdue"]), str(r["warnings"])] for r in s["byItem"]]
        assert table(browser, "by-item") == late
        oldest = [e["node"]["caseNo"] for e in s["overdue"]["edges"]]
        assert [row[0] for row in table(browser, "oldest")] == oldest
        assert [row[1] for row in table(browser, "cards")] == [
            n["caseNo"] for n in s["cards"]["nodes"]
        ]
        assert [row[0] for row in table(browser, "orders")] == [case_nos[0]]
        labels = browser.evaluate("Chart.getChart('on-time-chart').data.labels")
        assert len(labels) == 12 and labels[-1] == dt.date.today().isoformat()[:7]
        browser.screenshot(ARTIFACTS / "supervision-dashboard.png")
        # A second order, over HTTP: the page is told and asks again, without a reload; its
        # instruction's markup shows as text.
        api.gql(
            f'mutation {{ issueSupervisionOrder(caseNo: "{case_nos[1]}", instruction: "<b>请说明</b>", '
            'respondBy: "2027-03-20") { errors { code } } }',
            token=t["supervisor"],
        )
        browser.wait_for("document.getElementById('total-orders').textContent === '2'")
        assert browser.evaluate("window.notReloaded") is True
        assert "<b>请说明</b>" in [row[2] for row in table(browser, "orders")]  # text, not HTML
        assert browser.evaluate("document.querySelectorAll('#orders b').length") == 0
        assert browser.errors() == []
        assert local_only(api, browser.requests()) == []
        # Signed out, a clerk's token is refused and said so.
        browser.evaluate("document.getElementById('signout').click()")
        browser.evaluate(f"document.getElementById('token').value = {json.dumps(t['clerk'])}")
        browser.evaluate("document.querySelector('#signin-form button').click()")
        message = browser.wait_for("document.getElementById('signin-error').textContent")
        assert "SUPERVISOR" in message
    assert (ARTIFACTS / "supervision-dashboard.png").stat().st_size > 20_000


def test_the_dashboard_page_allows_scripts_from_its_own_origin_only(api: Api) -> None:
    page = api.client.get("/supervision")
    assert page.status_code == 200 and "监察驾驶舱" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "http" not in csp
    for asset in (
        "chart/chart.umd.min.js",
        "graphql-ws/graphql-ws.min.js",
        "dashboard/dashboard.js",
    ):
        served = api.client.get(f"/static/{asset}")
        assert served.status_code == 200 and served.headers["x-content-type-options"] == "nosniff"
    assert api.client.get("/static/../app.py").status_code == 404
    assert api.token("x", Role.SUPERVISOR)  # the tokens the page signs in with are the API's

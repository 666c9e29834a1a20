"""Issue L's security items over real HTTP, on SQLite and PostgreSQL: one limit for every
lookup by secret (whichever door, whichever process, whatever X-Forwarded-For says), HEAD
answered, the schema closed to strangers outside demo mode, moments in Beijing time, and one
server per embedded store. Each of these failed before the change that made it pass."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.api.conftest import Api
from tests.api.test_graphql import application, file, tokens
from tests.reliability.processes import XukeProcess
from xuke.application.rate_limits import SECRET_LOOKUP, Limit, RateLimits, client_key
from xuke.cli.serve import proxy_options
from xuke.domain.roles import Role
from xuke.projections.paging import encode_cursor

STATUS = "query S($c: String!, $q: String!) { publicStatus(caseNo: $c, queryCode: $q) { status } }"
VERIFY = "query V($n: String!) { verifyDocument(number: $n) { genuine } }"
COMPLAIN = """mutation C($c: String!, $q: String!) {
  fileComplaint(caseNo: $c, text: "为什么还没有受理", queryCode: $q) { errors { code } } }"""


def limited(body: dict) -> bool:
    return any(e["extensions"].get("code") == "RATE_LIMITED" for e in body.get("errors") or [])


def test_one_limit_for_every_lookup_by_secret_whatever_the_door(api: Api) -> None:
    t = tokens(api)
    filed = file(api, t)
    case_no, code = filed["case"]["caseNo"], filed["queryCode"]
    doors = [
        lambda: api.client.post("/graphql", json={"query": STATUS, "variables": {"c": case_no, "q": "00000000"}}),
        lambda: api.client.post("/graphql", json={"query": VERIFY, "variables": {"n": "XK-GUESS-1"}}),
        lambda: api.client.post("/graphql", json={"query": COMPLAIN, "variables": {"c": case_no, "q": "11111111"}}),
        lambda: api.client.get(f"/status/{case_no}", params={"code": "22222222"}),
        lambda: api.client.get("/verify/XK-GUESS-2"),
    ]  # fmt: skip
    answers = [doors[n % 5]() for n in range(20)]  # 20 tries a minute, spread over the doors
    assert all(r.status_code in (200, 404) and "频繁" not in r.text for r in answers)
    for door in doors:  # the 21st try is refused at every door
        refused = door()
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert "频繁" in refused.text
        assert refused.request.url.path != "/graphql" or limited(refused.json())
    # X-Forwarded-For from a client no proxy setting trusts changes nothing …
    spoofed = api.client.post(
        "/graphql", json={"query": STATUS, "variables": {"c": case_no, "q": code}},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )  # fmt: skip
    assert spoofed.status_code == 429
    # … and another process on the same database sees the same count (nothing in memory)
    elsewhere = RateLimits(api.services.views, now=lambda: api.services.app.clock.now().timestamp())
    assert not elsewhere.allow(SECRET_LOOKUP, "127.0.0.1")
    assert elsewhere.allow(SECRET_LOOKUP, "203.0.113.7")  # every client its own allowance


def test_the_limit_counts_per_client_and_per_window(api: Api) -> None:
    now = [1_000_020.0]
    limits = RateLimits(api.services.views, {SECRET_LOOKUP: Limit(3, 60)}, now=lambda: now[0])
    assert [limits.allow(SECRET_LOOKUP, "a") for _ in range(4)] == [True, True, True, False]
    assert limits.allow(SECRET_LOOKUP, "b")  # every client its own allowance
    assert limits.retry_after(SECRET_LOOKUP) == 60 - 1_000_020 % 60
    now[0] += 60  # the next window: a fresh allowance, and the old one swept
    assert limits.allow(SECRET_LOOKUP, "a")
    rows = api.services.views.count("rate_limit_hits", "slot < %s", (int(now[0] // 60),))
    assert rows == 0


def test_an_ipv6_client_counts_by_its_64_and_odd_addresses_as_themselves() -> None:
    assert (
        client_key("2001:db8:1:2::7") == client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    )
    assert client_key("2001:db8:1:3::7") != client_key("2001:db8:1:2::7")
    assert client_key("::ffff:203.0.113.7") == client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("unknown") == "unknown" and len(client_key("x" * 500)) == 64


def test_forwarded_headers_are_believed_only_from_named_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert proxy_options() == {"proxy_headers": False, "forwarded_allow_ips": None}
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5,10.1.0.0/16")
    assert proxy_options() == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.5,10.1.0.0/16"}


def test_head_is_answered_where_get_is(api: Api) -> None:
    for path in ("/healthz", "/status"):
        get, head = api.client.get(path), api.client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
    assert api.client.head("/no-such-page").status_code == 404


def test_the_schema_is_closed_to_strangers_outside_demo_mode(api: Api) -> None:
    assert not api.services.settings.demo_mode
    closed = api.gql("{ __schema { queryType { name } } }")
    assert closed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "内省" in closed["errors"][0]["message"] and not closed.get("data")
    hidden = api.gql('{ publicStatu(caseNo: "x", queryCode: "y") { status } }')
    assert "Did you mean" not in hidden["errors"][0]["message"]
    assert api.client.get("/graphql", headers={"Accept": "text/html"}).status_code != 200
    api.services.settings = api.services.settings.model_copy(update={"graphql_introspection": True})
    opened = api.gql("{ __schema { queryType { name } } }")
    assert opened["data"]["__schema"]["queryType"]["name"] == "Query"
    # (another text: validated documents are cached, and a process keeps its setting)
    suggested = api.gql('{ publicStatuz(caseNo: "x", queryCode: "y") { status } }')
    assert "Did you mean" in suggested["errors"][0]["message"]


def test_moments_leave_in_beijing_time(api: Api) -> None:
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    history = api.gql(
        f'{{ caseHistory(caseNo: "{case_no}") {{ events {{ occurredAt }} }} }}', token=t["auditor"]
    )
    moments = [e["occurredAt"] for e in history["data"]["caseHistory"]["events"]]
    assert moments and all(m.endswith("+08:00") for m in moments)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_second_server_on_the_same_embedded_store_refuses_to_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'xuke.sqlite'}"
    XukeProcess(url, "migrate").start().process.wait(timeout=60)  # type: ignore[union-attr]
    port = free_port()
    first = XukeProcess(url, "serve", "--port", str(port), port=port).start()
    try:
        second = XukeProcess(url, "serve", "--port", str(free_port())).start()
        assert second.process is not None and second.process.wait(timeout=60) != 0
        assert "另一个 xuke serve 正在使用数据目录" in second.output()
        assert "Traceback" not in second.output() and "TrackingConflict" not in second.output()
        assert first.process is not None and first.process.poll() is None  # unharmed
    finally:
        first.stop()
    again = XukeProcess(url, "serve", "--port", str(port), port=port).start()  # lock released
    again.stop()


def test_neither_complaints_nor_orders_tell_whether_a_case_exists(api: Api) -> None:
    """A complaint without a login, and a 督办 order from outside the jurisdiction, answer an
    existing case exactly as they answer a number never issued (review of issue 17)."""
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    free = "440000-2026-GYCP-999999"
    complain = 'mutation { fileComplaint(caseNo: "%s", text: "催办") { errors { code message } } }'
    answers = [api.gql(complain % n)["data"]["fileComplaint"]["errors"] for n in (case_no, free)]
    assert answers[0] == answers[1] and answers[0][0]["code"] == "NOT_FOUND"
    beijing = api.token("bj-sup", Role.SUPERVISOR, org="110000")
    order = (
        'mutation { issueSupervisionOrder(caseNo: "%s", instruction: "请说明", '
        'respondBy: "2026-12-31") { errors { code message } } }'
    )
    seen = [api.gql(order % n, token=beijing) for n in (case_no, free)]
    codes = [s["data"]["issueSupervisionOrder"]["errors"][0]["code"] for s in seen]
    assert codes == ["NOT_FOUND", "NOT_FOUND"]


def test_anonymous_complaints_count_against_the_lookup_limit(api: Api) -> None:
    complain = 'mutation { fileComplaint(caseNo: "440000-2026-GYCP-%06d", text: "催办") { errors { code } } }'
    statuses = [
        api.client.post("/graphql", json={"query": complain % n}).status_code for n in range(21)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_no_moment_however_odd_is_a_500(api: Api) -> None:
    t = tokens(api)
    for moment in ("0001-01-01T01:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-11-30T09:00:00"):
        body = api.gql(
            "mutation F($input: FileApplicationInput!) { fileApplication(input: $input) { errors { code } } }",
            {"input": {**application(channel="HALL"), "receivedAt": moment}},
            t["clerk"],
        )
        assert body["errors"][0]["message"] != "Unexpected error.", moment
        assert "DateTime" in body["errors"][0]["message"], body


def test_a_hall_receipt_more_than_a_year_old_is_a_typo(api: Api) -> None:
    t = tokens(api)
    body = api.gql(
        "mutation F($input: FileApplicationInput!) { fileApplication(input: $input) { errors { code field } } }",
        {"input": {**application(channel="HALL"), "receivedAt": "1999-01-04T09:00:00+08:00"}},
        t["clerk"],
    )
    assert body["data"]["fileApplication"]["errors"] == [
        {"code": "VALIDATION", "field": "receivedAt"}
    ]


def test_a_forged_cursor_of_the_right_length_is_bad_input(api: Api) -> None:
    """Cursors are ours: a key of the wrong kind (an object, a number where text is kept,
    text where a position is) is refused before it reaches the database."""
    t = tokens(api)
    file(api, t)
    text_keys, position_keys = ({"x": 1}, 7, True), ({"x": 1}, "7", True)
    queries = [  # (query, token, keys in a cursor, keys of the wrong kind)
        ("{ inbox(box: NEW, after: $c) { totalCount } }", t["clerk"], 3, text_keys),
        ("{ licenseRegister(after: $c) { totalCount } }", None, 1, text_keys),
        (
            "{ supervision { auditTrail(after: $c) { totalCount } } }",
            t["auditor"],
            1,
            position_keys,
        ),
    ]
    for query, token, size, wrong in queries:
        for key in wrong:
            forged = encode_cursor([key] * size)
            body = api.gql(query.replace("$c", f'"{forged}"'), token=token)
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (query, key, body)


def test_graphqls_own_refusals_start_in_chinese(api: Api) -> None:
    refusals = {
        "{ licenseItems { code ": "查询语法错误：",
        "{ " + "a " * 3001 + "}": "查询过长：",
        "{ licenseItemz { code } }": "没有这个字段：",
        "{ licence { status } }": "缺少必填参数：",
        "query Q($n: Int!) { licenseRegister(first: $n) { totalCount } }": "变量值无效：",
    }
    for query, start in refusals.items():
        body = api.client.post("/graphql", json={"query": query}).json()
        assert body["errors"][0]["message"].startswith(start), (start, body["errors"][0])
    bad = api.client.post(
        "/graphql",
        json={"query": "query Q($n: Int!) { licenseRegister(first: $n) { totalCount } }",
              "variables": {"n": "many"}},
    ).json()  # fmt: skip
    assert bad["errors"][0]["message"].startswith("变量值无效："), bad

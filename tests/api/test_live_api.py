"""实时监控: subscriptions over graphql-transport-ws, with a real websocket client against a
real server, on SQLite and on PostgreSQL. The client never asks again: each new answer is
pushed when the views move."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed

from tests.api.conftest import Api, free_port
from tests.api.live_client import LiveClient
from tests.api.test_graphql import file, tokens
from tests.support import at
from xuke.api.app import create_app
from xuke.application.clock import SettableClock
from xuke.bootstrap import build_application, build_services, migrate
from xuke.domain.roles import Role
from xuke.projections.runner import ProjectionRunner
from xuke.projections.store import ViewStore
from xuke.settings import Settings
from xuke.supervision.watcher import DeadlineWatcher

COUNTS = "subscription { inboxCounts { new todo done } }"
CARDS = (
    "subscription($j: String) { supervisionCards(jurisdiction: $j) "
    "{ caseNo colour cause responsibleUnit } }"
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def inbox_totals(api: Api, token: str) -> dict[str, int]:
    body = api.gql(
        "{ new: inbox(box: NEW) { totalCount } todo: inbox(box: TODO) { totalCount } "
        "done: inbox(box: DONE) { totalCount } }",
        token=token,
    )
    return {k: v["totalCount"] for k, v in body["data"].items()}


def caught_up(api: Api) -> None:
    assert api.services.runner is not None
    assert api.services.runner.wait_for(api.services.app.recorder.max_notification_id() or 0, 10)


def test_inbox_counts_are_pushed_when_a_filing_reaches_the_clerks(api: Api) -> None:
    t = tokens(api)
    with (
        LiveClient(api.url, bearer(t["clerk"])) as clerk,
        LiveClient(api.url, bearer(t["applicant"])) as applicant,
    ):
        assert clerk.ack["type"] == "connection_ack"
        clerk.subscribe(COUNTS)
        applicant.subscribe(COUNTS)
        assert clerk.next() == {"data": {"inboxCounts": {"new": 0, "todo": 0, "done": 0}}}
        assert applicant.next()["data"]["inboxCounts"]["new"] == 0
        started = time.monotonic()
        file(api, t)  # over HTTP: a task for the clerks' group, a NEW one for the applicant
        pushed = clerk.next()["data"]["inboxCounts"]
        latency = time.monotonic() - started
        assert pushed == {"new": 0, "todo": 1, "done": 0} == inbox_totals(api, t["clerk"])
        assert applicant.next()["data"]["inboxCounts"] == inbox_totals(api, t["applicant"])
        assert latency < 5
        # Events that do not change the clerk's counts send nothing.
        api.gql(
            'mutation { issueSupervisionOrder(caseNo: "X", instruction: "x", respondBy: "2026-10-09") '
            "{ errors { code } } }",
            token=t["supervisor"],
        )
        with pytest.raises(TimeoutError):
            clerk.receive(timeout=1)


def test_new_cards_of_the_jurisdiction_are_pushed_to_supervisors(
    api: Api, clock: SettableClock
) -> None:
    """Filed Mon 2026-09-28 and left unaccepted: on Mon 2026-10-12 the watcher issues a
    yellow card to the authority (440000) for the stage held too long."""
    t = tokens(api)
    case_no = file(api, t)["case"]["caseNo"]
    file(api, t)  # a second case: its card is news too, in the order stored
    caught_up(api)
    with (
        LiveClient(api.url, bearer(t["supervisor"])) as supervisor,
        LiveClient(api.url, bearer(api.token("sz-sup", Role.SUPERVISOR, org="440300"))) as shenzhen,
    ):
        supervisor.subscribe(CARDS)
        shenzhen.subscribe(CARDS)
        time.sleep(0.3)  # subscribed before the cards exist: the ones issued later are news
        clock.set(at(2026, 10, 12))
        DeadlineWatcher(api.services.app, api.services.views).run_once()
        first, second = supervisor.next()["data"], supervisor.next()["data"]
        assert first["supervisionCards"] == {
            "caseNo": case_no, "colour": "YELLOW", "cause": "STAGE_HELD_TOO_LONG",
            "responsibleUnit": "440000",
        }  # fmt: skip
        assert second["supervisionCards"]["caseNo"] != case_no
        listed = api.gql("{ supervision { cards { totalCount } } }", token=t["supervisor"])
        assert listed["data"]["supervision"]["cards"]["totalCount"] == 2
        with pytest.raises(TimeoutError):  # Shenzhen's jurisdiction got no card
            shenzhen.receive(timeout=1)


def refusal(client: LiveClient) -> str:
    """The code of a subscription refused before its first answer (sent as a ``next`` with
    errors and no data, then ``complete``)."""
    message = client.receive()
    assert message["type"] == "next" and message["payload"]["data"] is None, message
    assert client.receive()["type"] == "complete"
    code: str = message["payload"]["errors"][0]["extensions"]["code"]
    return code


def test_subscriptions_are_authorised_like_the_queries(api: Api) -> None:
    t = tokens(api)
    with LiveClient(api.url, bearer(t["clerk"])) as clerk:
        clerk.subscribe(CARDS)
        assert refusal(clerk) == "FORBIDDEN"
        clerk.subscribe("subscription { supervisionTotals { overdue } }", op="2")
        assert refusal(clerk) == "FORBIDDEN"
    with LiveClient(api.url, bearer(api.token("sz-sup", Role.SUPERVISOR, org="440300"))) as sz:
        sz.subscribe(CARDS, {"j": "440000"})  # the province: beyond a city's supervisor
        assert refusal(sz) == "FORBIDDEN"
        sz.subscribe(CARDS, {"j": "44<b>"}, op="2")
        assert refusal(sz) == "BAD_USER_INPUT"
    with LiveClient(api.url) as anonymous:  # no token: accepted, but nothing is answered
        assert anonymous.ack["type"] == "connection_ack"
        anonymous.subscribe(COUNTS)
        assert refusal(anonymous) == "UNAUTHENTICATED"
    with LiveClient(api.url, headers=bearer(t["clerk"])) as by_header:  # the upgrade's header
        by_header.subscribe(COUNTS)
        assert by_header.next()["data"]["inboxCounts"]["todo"] == 0
    for forged in ({"payload": bearer("not-a-token")}, {"headers": bearer("not-a-token")}):
        with pytest.raises(ConnectionClosed) as closed:  # a forged token: the connection closes
            LiveClient(api.url, **forged).receive()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


@pytest.fixture
def detached(settings: Settings, clock: SettableClock) -> Iterator[Api]:
    """The API with its projections run elsewhere, as by ``xuke projections run``: it learns
    of the views' moves by LISTEN/NOTIFY on PostgreSQL, by reading the tracking table on
    SQLite. (The runner is in this process, but shares nothing with the API's services.)"""
    settings = settings.model_copy(
        update={"jwt_secret": "test-jwt-secret-of-sufficient-length-0123"}
    )
    migrate(settings, clock=clock).close()
    services = build_services(settings, with_projections=False, clock=clock)
    assert services.runner is None
    services.start()
    source, store = (
        build_application(settings, clock=clock),
        ViewStore(settings.resolved_database_url),
    )
    elsewhere = ProjectionRunner(source, store, database_url=settings.resolved_database_url).start()
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=free_port(),
                                           log_config=None, access_log=False))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    url = f"http://127.0.0.1:{server.config.port}"
    with httpx.Client(base_url=url, timeout=10) as client:
        yield Api(url, services, client)
    server.should_exit = True
    thread.join(timeout=10)
    elsewhere.stop()
    services.stop()
    for closing in (source.close, store.close, services.app.close, services.views.close):
        closing()


def test_counts_are_pushed_when_the_projections_run_in_another_process(detached: Api) -> None:
    t = tokens(detached)
    with LiveClient(detached.url, bearer(t["clerk"])) as clerk:
        clerk.subscribe(COUNTS)
        assert clerk.next()["data"]["inboxCounts"]["todo"] == 0
        file(detached, t)
        assert clerk.next()["data"]["inboxCounts"] == {"new": 0, "todo": 1, "done": 0}
        file(detached, t)
        assert clerk.next()["data"]["inboxCounts"]["todo"] == 2


def short_lived(api: Api, user: str, role: Role, seconds: float) -> str:
    """A token of ``user`` that expires ``seconds`` from now (signed as the service's own)."""
    tokens_ = api.services.tokens
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": user, "roles": [role.value], "org": "440000", "iss": tokens_.issuer,
        "aud": tokens_.audience, "iat": now, "exp": now + dt.timedelta(seconds=seconds),
    }  # fmt: skip
    return jwt.encode(claims, tokens_.secret, algorithm="HS256")


def expired(message: dict[str, Any]) -> bool:
    """The end a subscription comes to when its token expires: UNAUTHENTICATED, in Chinese."""
    assert message["type"] == "next" and message["payload"]["data"] is None, message
    error = message["payload"]["errors"][0]
    return error["extensions"]["code"] == "UNAUTHENTICATED" and "过期" in error["message"]


def test_each_subscription_ends_when_the_token_expires(api: Api) -> None:
    """Nothing moves in the views meanwhile (the heartbeat is 30 s away): what ends the
    subscriptions is the token's ``exp``, not a message or a look at the token service."""
    with (
        LiveClient(api.url, bearer(short_lived(api, "clerk-9", Role.CLERK, 2))) as clerk,
        LiveClient(api.url, bearer(short_lived(api, "sup-9", Role.SUPERVISOR, 2))) as sup,
        LiveClient(api.url, bearer(tokens(api)["clerk"])) as lasting,  # a 12-hour token
    ):
        clerk.subscribe(COUNTS)
        sup.subscribe(CARDS)
        sup.subscribe("subscription { supervisionTotals { overdue } }", op="2")
        lasting.subscribe(COUNTS)
        started = time.monotonic()
        assert clerk.next()["data"]["inboxCounts"] == {"new": 0, "todo": 0, "done": 0}
        assert sup.next()["data"]["supervisionTotals"]["overdue"] == 0
        assert lasting.next()["data"]["inboxCounts"]["todo"] == 0

        assert expired(clerk.receive(timeout=10))
        assert time.monotonic() - started < 5  # at exp, 2 s in
        assert clerk.receive()["type"] == "complete"
        ended = {sup.receive(timeout=10)["id"] for _ in range(4)}  # next + complete, each
        assert ended == {"1", "2"}
        # a subscription opened after exp on the same connection ends at once
        clerk.subscribe(COUNTS, op="3")
        assert refusal(clerk) == "UNAUTHENTICATED"
        clerk.subscribe("{ inbox(box: TODO) { totalCount } }", op="4")  # a query, too
        assert refusal(clerk) == "UNAUTHENTICATED"
        with pytest.raises(TimeoutError):  # the lasting token's subscription goes on
            lasting.receive(timeout=0.5)


def test_refusals_over_the_websocket_start_in_chinese(api: Api) -> None:
    """GraphQL's own refusals (validation, variables) answer an ``error`` message, a syntax
    error closes the connection (4400, the message its reason): in Chinese first, as over HTTP."""
    with LiveClient(api.url, bearer(tokens(api)["supervisor"])) as client:
        client.subscribe("subscription { inboxCount { new } }")
        unknown = client.receive()
        assert unknown["type"] == "error", unknown
        assert unknown["payload"][0]["message"].startswith("没有这个字段：Cannot query field")
        client.subscribe(CARDS, {"j": 440000}, op="2")
        variables = client.receive()
        assert variables["type"] == "error", variables
        assert variables["payload"][0]["message"].startswith(
            "变量值无效：Variable '$j' has invalid value"
        )
        client.subscribe("subscription { inboxCounts { new ", op="3")
        with pytest.raises(ConnectionClosed) as closed:
            client.receive()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
        assert closed.value.rcvd.reason.startswith("查询语法错误：Syntax Error")
    with LiveClient(api.url, bearer(tokens(api)["supervisor"])) as client:  # a long reason
        client.subscribe("subscription { inboxCounts { new } } " + "x" * 200)
        with pytest.raises(ConnectionClosed) as long:
            client.receive()
        assert long.value.rcvd is not None and long.value.rcvd.code == 4400
        assert long.value.rcvd.reason.startswith("查询语法错误：Syntax Error")
        assert len(long.value.rcvd.reason.encode()) <= 123  # all a close frame holds
    # the same words over HTTP, where they were already Chinese
    over_http = api.gql("{ inboxCounts { new ")["errors"][0]["message"]
    assert over_http == closed.value.rcvd.reason
    too_long = api.gql("{ " + "__typename " * 3001 + "}")["errors"][0]["message"]
    assert too_long.startswith("查询") and "more than 3000 tokens" in too_long  # still refused

"""``xuke exchange deliver`` killed with SIGKILL in the middle of delivering, while cases keep
being filed: a second deliverer resumes from ``delivered_up_to`` (the first one's lease runs
out), and every event reaches the receiver, in order once de-duplicated by id — at least
once, nothing lost (docs/exchange.md)."""

from __future__ import annotations

import threading
import time

import httpx

from tests.api.conftest import free_port
from tests.exchange_receiver import Receiver, running
from tests.reliability.processes import JWT_SECRET, XukeProcess
from tests.support import file_gycp
from xuke.api.auth import TokenService
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.application.webhooks import WebhookRegistry
from xuke.domain.roles import Role
from xuke.projections.exchange import ExchangeProjection
from xuke.projections.exchange_queries import read_feed
from xuke.projections.runner import ProjectionWorker
from xuke.projections.store import ViewStore

PARTNER = Principal("partner-gd", frozenset({Role.EXCHANGE}), "440000", "440000")
DELIVER = ("exchange", "deliver", "--interval", "0.05", "--timeout", "1", "--lease", "3",
           "--batch", "5")  # fmt: skip


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)
    assert condition(), what  # type: ignore[operator]


def test_a_killed_deliverer_loses_no_event(
    app: LicensingApplication, views: ViewStore, clock: SettableClock, database_url: str
) -> None:
    worker = ProjectionWorker(app, views, ExchangeProjection)
    with running(Receiver()) as receiver:
        webhook = WebhookRegistry(views).register(PARTNER, receiver.url, ["CaseFiled"])
        assert webhook.secret is not None
        receiver.secret, receiver.delay = webhook.secret, 0.02
        for _ in range(60):
            file_gycp(app)
        worker.catch_up()
        stop_filing = threading.Event()

        def keep_filing() -> None:  # the load: filings published while delivery runs
            for _ in range(60):
                if stop_filing.is_set():
                    return
                file_gycp(app)
                worker.catch_up()

        filing = threading.Thread(target=keep_filing)
        first = XukeProcess(database_url, *DELIVER).start()
        filing.start()
        try:
            wait_for(lambda: len(receiver.ids()) >= 25, 60, "the first deliverer delivered")
            first.kill()
            killed_at = len(receiver.ids())
            filing.join(timeout=120)
            worker.catch_up()
            expected = [
                r.event_id
                for r in read_feed(views, after=0, limit=10_000, types=None, jurisdiction=None)
            ]
            assert len(expected) == 120 and killed_at < len(expected)
            second = XukeProcess(database_url, *DELIVER).start()
            try:
                wait_for(lambda: set(receiver.ids()) >= set(expected), 120, "every event delivered")
            finally:
                second.stop()
        finally:
            stop_filing.set()
            first.stop()
        ids = receiver.ids()
        assert list(dict.fromkeys(ids)) == expected  # in order, nothing lost
        assert len(ids) - len(expected) <= 5  # at most the batch in flight, again
        assert receiver.bad_signatures == 0
        row = views.fetchone("SELECT delivered_up_to FROM webhooks WHERE id = %s", [webhook.id])
        assert row is not None and row["delivered_up_to"] == 120


def test_xuke_serve_delivers_webhooks_in_process(
    app: LicensingApplication, views: ViewStore, database_url: str
) -> None:
    """With the projections in the server (SQLite always; PostgreSQL with
    ``--with-projections``), so is the deliverer: a filing reaches the receiver, signed."""
    port = free_port()
    server = XukeProcess(
        database_url, "serve", "--port", str(port), "--with-projections", port=port
    ).start()
    tokens = TokenService(secret=JWT_SECRET)
    try:
        with running(Receiver()) as receiver:
            partner = tokens.issue("partner", [Role.EXCHANGE], "440000", "partner", None)
            register = (
                'mutation($url: String!) { registerWebhook(url: $url, eventTypes: ["CaseFiled"]) '
                "{ webhook { secret } errors { message } } }"
            )
            answer = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": register, "variables": {"url": receiver.url}},
                headers={"Authorization": f"Bearer {partner}"},
                timeout=10,
            ).json()["data"]["registerWebhook"]
            assert answer["errors"] == []
            receiver.secret = answer["webhook"]["secret"]
            case_no = file_gycp(app).case.case_no  # written by another process: the test's
            wait_for(lambda: receiver.ids(), 30, "the in-process deliverer posted")
            assert [e["caseNo"] for e in receiver.acknowledged] == [case_no]
            assert receiver.bad_signatures == 0
    finally:
        server.stop()

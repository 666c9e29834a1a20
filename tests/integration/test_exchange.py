"""The exchange feed and webhook delivery, on SQLite and PostgreSQL, against a real HTTP
receiver (docs/exchange.md)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import jsonschema
import orjson
import pytest

from tests.exchange_receiver import Receiver, running
from tests.scenarios import build
from tests.support import ENTERPRISE_CODE, PERSON_ID, file_gycp
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.application.principal import Principal
from xuke.application.webhooks import (
    WebhookDeliverer,
    WebhookRegistry,
    check_url,
    sign,
)
from xuke.demo_licences import seed_demo_licences
from xuke.domain.errors import IdempotencyKeyReused, NotFound, ValidationFailed
from xuke.domain.exchange import EVENT_TYPES, schemas
from xuke.domain.roles import Role
from xuke.domain.stages import SuspensionReason
from xuke.projections.exchange import ExchangeProjection
from xuke.projections.exchange_queries import read_feed
from xuke.projections.rebuild import rebuild
from xuke.projections.runner import ProjectionWorker
from xuke.projections.store import ViewStore

PARTNER = Principal("partner-gd", frozenset({Role.EXCHANGE}), "440000", "440000")
NATIONAL = Principal("partner-cn", frozenset({Role.EXCHANGE}), "000000", "000000")


def publish(app: LicensingApplication, views: ViewStore) -> None:
    ProjectionWorker(app, views, ExchangeProjection).catch_up()


@pytest.fixture
def story(app: LicensingApplication, views: ViewStore, clock: SettableClock) -> None:
    """Cases in every state, and licences renewed, revoked and cancelled."""
    build(app, clock)
    seed_demo_licences(app, clock)
    publish(app, views)


def all_rows(views: ViewStore, **kw: object) -> list:  # type: ignore[type-arg]
    return read_feed(views, after=0, limit=10_000, **{"types": None, "jurisdiction": None, **kw})  # type: ignore[arg-type]


# ---------------------------------------------------------------- the feed


def test_positions_run_1_2_3_without_gaps_in_the_order_of_the_store(
    story: None, views: ViewStore
) -> None:
    rows = all_rows(views)
    assert [r.position for r in rows] == list(range(1, len(rows) + 1))
    assert len({r.event_id for r in rows}) == len(rows)
    # the store's order: a case is filed before it is accepted before it is decided
    seen: dict[str, list[str]] = {}
    for r in rows:
        if (r.case_no and r.type.startswith("Case")) or r.type == "DecisionMade":
            seen.setdefault(str(r.case_no), []).append(r.type)
    assert all(types[0] == "CaseFiled" for types in seen.values())
    kinds = {r.type for r in rows}
    assert {"CaseFiled", "CaseAccepted", "DecisionMade", "CaseClosed", "DeadlineChanged",
            "LicenceGranted", "LicenceRenewed", "LicenceRevoked", "LicenceCancelled"} <= kinds  # fmt: skip


def test_every_payload_validates_against_its_published_schema(
    story: None, views: ViewStore
) -> None:
    published = schemas()
    assert set(published) == EVENT_TYPES
    for row in all_rows(views):
        jsonschema.validate(row.payload, published[row.type])
        assert row.payload["schemaVersion"] == 1
        assert row.occurred_at.endswith("+08:00")


def test_no_payload_carries_an_id_number_phone_address_opinion_or_staff_id(
    story: None, views: ViewStore
) -> None:
    text = orjson.dumps([r.to_json() for r in all_rows(views)]).decode()
    for secret in (
        PERSON_ID, "13800138000", "13900139000", "深圳市南山区科技园", "广州市天河区",
        "材料齐全", "符合条件", "产品不符合国家标准", "企业转产", "专家评审", "handler-li",
        "approver-chen", "clerk-zhang", "张三丰",
    ):  # fmt: skip
        assert secret not in text, secret
    assert ENTERPRISE_CODE not in text  # not needed by partners: the certificate names it


def test_the_feed_is_scoped_by_jurisdiction_and_filtered_by_type(
    app: LicensingApplication, views: ViewStore, clock: SettableClock
) -> None:
    build(app, clock)
    national_item = file_gycp(app, item_code="RZJG-ZZSP", materials=["SQS", "FRZG", "RZGZ", "RZRY"])
    assert national_item.case.jurisdiction_code == "000000"  # a national item: SAMR decides
    publish(app, views)
    rows = all_rows(views)
    province = all_rows(views, jurisdiction="440000")
    assert province == [r for r in rows if r.jurisdiction_code == "440000"]
    assert len(province) == len(rows) - 1  # all but the national item's filing
    assert all_rows(views, jurisdiction="440100") == []  # a city covers no provincial case
    assert all_rows(views, jurisdiction="450000") == []
    assert all_rows(views, jurisdiction="000000") == rows
    filed = all_rows(views, types=frozenset({"CaseFiled", "DecisionMade"}))
    assert filed == [r for r in rows if r.type in ("CaseFiled", "DecisionMade")]
    # paging by position resumes exactly after the last one read
    first = read_feed(views, after=0, limit=5, types=None, jurisdiction=None)
    rest = read_feed(views, after=first[-1].position, limit=10_000, types=None, jurisdiction=None)
    assert first + rest == rows
    with pytest.raises(ValueError, match="limit"):
        read_feed(views, after=0, limit=0, types=None, jurisdiction=None)


def test_a_rebuild_gives_the_same_events_at_the_same_positions(
    story: None, app: LicensingApplication, views: ViewStore
) -> None:
    before = all_rows(views)
    rebuild(app, views, ExchangeProjection)
    assert all_rows(views) == before


# ---------------------------------------------------------------- webhooks


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running(Receiver()) as r:
        yield r


def register(views: ViewStore, receiver: Receiver, types: list[str] | None = None) -> str:
    webhook = WebhookRegistry(views).register(PARTNER, receiver.url, types or [])
    assert webhook.secret
    receiver.secret = webhook.secret
    return webhook.id


def fast_deliverer(views: ViewStore, **kw: float) -> WebhookDeliverer:
    options = {"batch": 7, "timeout": 0.5, "backoff_base": 0.01, "backoff_cap": 0.05, "lease": 2.0}
    return WebhookDeliverer(views, **{**options, **kw})  # type: ignore[arg-type]


def deliver_until(deliverer: WebhookDeliverer, done: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        deliverer.run_once()
        time.sleep(0.02)
    assert done(), "not delivered in time"  # type: ignore[operator]


def test_webhook_urls_must_be_http_and_not_the_service_itself() -> None:
    own = ("http://127.0.0.1:8000", "https://xuke.example.gov.cn")
    assert check_url("https://93.184.215.14/hook", own)  # a public address
    assert check_url("http://127.0.0.1:9999/hook", own)  # allowed by the tests' setting
    for bad in ("ftp://partner/x", "partner.example.com/hook", "javascript:alert(1)",
                "http://localhost:8000/graphql", "http://127.0.0.1:8000/x",
                "http://[::1]:8000/", "https://xuke.example.gov.cn/hook",
                "http://0.0.0.0:8000/", "http://host:99999/"):  # fmt: skip
        with pytest.raises(ValidationFailed):
            check_url(bad, own)


INTERNAL_URLS = (
    "http://127.1:9999/", "http://0x7f000001/", "http://2130706433/", "http://017700000001/",
    "http://[::ffff:127.0.0.1]/", "http://[::1]/", "http://localhost:9999/",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://192.168.1.1/",
    "http://172.16.0.1/", "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/",
    "http://240.0.0.1/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[::]/",
)  # fmt: skip


def test_urls_resolving_to_internal_addresses_are_refused_unless_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XUKE_WEBHOOK_ALLOWED_NETWORKS", raising=False)
    for bad in INTERNAL_URLS:
        with pytest.raises(ValidationFailed) as refused:
            check_url(bad)
        assert refused.value.field == "url" and "公网" in str(refused.value), bad
    for bad in ("http://a..b/", "http://xn--/", "http://xn--a/", "http://-x-.example/"):
        with pytest.raises(ValidationFailed, match="主机名不合法"):
            check_url(bad)
    monkeypatch.setenv("XUKE_WEBHOOK_ALLOWED_NETWORKS", "10.0.0.0/8, 127.0.0.1/32")
    assert check_url("http://10.0.0.5/")
    assert check_url("http://[::ffff:127.0.0.1]/")  # mapped, then allowed
    with pytest.raises(ValidationFailed):
        check_url("http://169.254.169.254/")


def test_delivery_rechecks_the_address_and_counts_a_refusal_as_a_failure(
    app: LicensingApplication, views: ViewStore, clock: SettableClock, receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    webhook_id = register(views, receiver)  # allowed at registration...
    build(app, clock)
    publish(app, views)
    monkeypatch.setenv("XUKE_WEBHOOK_ALLOWED_NETWORKS", "")  # ...no longer when delivering
    fast_deliverer(views).run_once()
    row = views.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])
    assert row is not None and row["failures"] == 1 and row["next_attempt_at"] is not None
    assert "refused target" in row["last_error"] and "127.0.0.1" in row["last_error"]
    assert receiver.requests == 0  # no connection was made


def test_a_bad_host_stored_earlier_fails_with_back_off_instead_of_crashing(
    app: LicensingApplication, views: ViewStore, clock: SettableClock, receiver: Receiver
) -> None:
    urls = {register(views, receiver): url for url in ("http://a..b/", "http://xn--/")}
    with views.transaction() as tx:  # stored before the URL check refused such hosts
        for webhook_id, url in urls.items():
            tx.execute("UPDATE webhooks SET url = %s WHERE id = %s", [url, webhook_id])
    build(app, clock)
    publish(app, views)
    fast_deliverer(views).run_once()  # must not raise
    for webhook_id, url in urls.items():
        row = views.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])
        assert row is not None and row["failures"] == 1, url
        assert row["next_attempt_at"] is not None and row["last_error"], url


@pytest.mark.parametrize("fault", ["trickle", "trickle-head"])
def test_a_trickling_receiver_is_cut_off_at_the_attempts_total_deadline(
    app: LicensingApplication, views: ViewStore, clock: SettableClock, receiver: Receiver,
    fault: str,
) -> None:  # fmt: skip
    webhook_id = register(views, receiver)
    build(app, clock)
    publish(app, views)
    receiver.plan.append(fault)
    deliverer = fast_deliverer(views, timeout=1.5, lease=6.0)  # per read: 1.5 s > 0.5 s
    started = time.monotonic()
    deliverer.run_once()
    took = time.monotonic() - started
    assert took < 3.0, took  # the total deadline, well within the lease
    row = views.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])
    assert row is not None and row["failures"] == 1 and row["delivered_up_to"] == 0
    assert "Timeout" in row["last_error"]


def test_registration_checks_role_types_and_idempotency_key(views: ViewStore, app: object) -> None:
    hooks = WebhookRegistry(views, ("http://127.0.0.1:8000",))
    clerk = Principal("c", frozenset({Role.CLERK}), "440000", "440000")
    from xuke.application.authorization import Forbidden

    with pytest.raises(Forbidden):
        hooks.register(clerk, "http://127.0.0.1:9/h", [])
    with pytest.raises(ValidationFailed, match="未知的事件类型"):
        hooks.register(PARTNER, "http://127.0.0.1:9/h", ["CaseFiled", "Nonsense"])
    first = hooks.register(PARTNER, "http://127.0.0.1:9/h", ["CaseFiled"], "k1")
    again = hooks.register(PARTNER, "http://127.0.0.1:9/h", ["CaseFiled"], "k1")
    assert again.id == first.id and again.secret == first.secret
    with pytest.raises(IdempotencyKeyReused):
        hooks.register(PARTNER, "http://127.0.0.1:9/other", ["CaseFiled"], "k1")
    assert [w.id for w in hooks.list(PARTNER)] == [first.id]
    assert hooks.list(NATIONAL) == []  # another partner's webhooks are not listed
    with pytest.raises(NotFound):
        hooks.remove(NATIONAL, first.id)
    assert hooks.remove(PARTNER, first.id).active is False
    assert hooks.list(PARTNER) == []


def test_deliveries_are_signed_ordered_and_start_after_registration(
    app: LicensingApplication, views: ViewStore, clock: SettableClock, receiver: Receiver
) -> None:
    file_gycp(app)
    publish(app, views)
    register(views, receiver)
    build(app, clock)
    publish(app, views)
    expected = [r.event_id for r in all_rows(views, jurisdiction="440000")][1:]
    deliverer = fast_deliverer(views)
    deliver_until(deliverer, lambda: len(receiver.ids()) >= len(expected))
    assert receiver.ids() == expected  # in order, nothing before the registration
    assert receiver.bad_signatures == 0
    positions = [e["position"] for e in receiver.acknowledged]
    assert positions == sorted(positions)
    assert (
        sign("k", b"body")
        == "sha256=" + __import__("hmac").new(b"k", b"body", "sha256").hexdigest()
    )


@pytest.mark.parametrize("fault", ["500", "hang", "close", "drop"])
def test_a_failing_receiver_is_retried_with_backoff_without_loss(
    app: LicensingApplication,
    views: ViewStore,
    clock: SettableClock,
    receiver: Receiver,
    fault: str,
) -> None:
    webhook_id = register(views, receiver, ["CaseFiled", "CaseAccepted", "DecisionMade"])
    build(app, clock)
    publish(app, views)
    expected = [
        r.event_id
        for r in all_rows(views, types=frozenset({"CaseFiled", "CaseAccepted", "DecisionMade"}))
    ]
    receiver.plan.extend([fault, fault, "ok", fault])
    receiver.hang_seconds = 1.5
    deliverer = fast_deliverer(views)
    deliverer.run_once()  # the first attempt fails: counted, nothing acknowledged
    row = views.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])
    assert row is not None and row["failures"] == 1 and row["delivered_up_to"] == 0
    assert row["next_attempt_at"] is not None and row["last_error"]
    deliver_until(deliverer, lambda: set(receiver.ids()) >= set(expected))
    # at least once: every event arrived, in order once de-duplicated by id
    assert list(dict.fromkeys(receiver.ids())) == expected
    row = views.fetchone("SELECT * FROM webhooks WHERE id = %s", [webhook_id])
    assert row is not None and row["failures"] == 0
    assert row["delivered_up_to"] == all_rows(views)[-1].position or row["delivered_up_to"] >= 1


def test_back_off_doubles_up_to_its_cap(views: ViewStore, app: object) -> None:
    deliverer = WebhookDeliverer(views, backoff_base=1.0, backoff_cap=60.0)
    assert [deliverer.backoff(n) for n in (1, 2, 3, 4, 7, 20)] == [1, 2, 4, 8, 60, 60]


def test_a_new_deliverer_resumes_from_delivered_up_to(
    app: LicensingApplication, views: ViewStore, clock: SettableClock, receiver: Receiver
) -> None:
    webhook_id = register(views, receiver)
    build(app, clock)
    publish(app, views)
    first = fast_deliverer(views)
    first.serve(webhook_id)  # delivers up to batches_per_claim batches
    first.close()
    row = views.fetchone("SELECT delivered_up_to FROM webhooks WHERE id = %s", [webhook_id])
    assert row is not None and row["delivered_up_to"] == receiver.acknowledged[-1]["position"]
    file_gycp(app)
    publish(app, views)
    expected = [r.event_id for r in all_rows(views, jurisdiction="440000")]
    deliver_until(fast_deliverer(views), lambda: len(receiver.ids()) >= len(expected))
    assert receiver.ids() == expected  # after a clean stop: no event twice


def test_a_hanging_receiver_does_not_hold_up_another_subscriber(
    app: LicensingApplication, views: ViewStore, clock: SettableClock
) -> None:
    with running(Receiver()) as slow, running(Receiver()) as quick:
        register(views, slow)
        register(views, quick)
        slow.plan.extend(["hang"] * 50)
        slow.hang_seconds = 3.0
        build(app, clock)
        publish(app, views)
        expected = len(all_rows(views, jurisdiction="440000"))
        deliverer = fast_deliverer(views, timeout=2.0, lease=6.0)
        stop = threading.Event()
        thread = threading.Thread(target=deliverer.run_forever, args=(stop, 0.02), daemon=True)
        started = time.monotonic()
        thread.start()
        try:
            while len(quick.ids()) < expected and time.monotonic() - started < 20:
                time.sleep(0.02)
            took = time.monotonic() - started
        finally:
            stop.set()
            thread.join(timeout=10)
        assert len(quick.ids()) == expected
        assert took < 1.5  # not behind the hanging receiver's 2 s timeouts
        assert slow.ids() == []


def test_two_deliverers_at_once_post_each_batch_once(
    app: LicensingApplication, views: ViewStore, clock: SettableClock, receiver: Receiver
) -> None:
    register(views, receiver)
    build(app, clock)
    publish(app, views)
    expected = [r.event_id for r in all_rows(views, jurisdiction="440000")]
    a, b = fast_deliverer(views), fast_deliverer(views)
    stop = threading.Event()
    threads = [threading.Thread(target=d.run_forever, args=(stop, 0.005)) for d in (a, b)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(receiver.ids()) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join()
    assert receiver.ids() == expected  # claimed by one at a time: no duplicates, in order


def test_the_documentation_shows_the_schemas_the_tests_check() -> None:
    import json
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "exchange.md").read_text("utf-8")
    for name, schema in schemas().items():
        assert f"#### `{name}`" in doc
        assert json.dumps(schema, ensure_ascii=False) in doc, name


def accepted_case_id(app: LicensingApplication, case_no: str) -> object:
    from xuke.domain.case_numbers import case_id_for

    return case_id_for(case_no)


def test_a_published_due_date_is_the_one_computed_then_after_restarts_and_rebuilds(
    app: LicensingApplication, views: ViewStore, clock: SettableClock
) -> None:
    """Accepted 2026-11-26 with 2027 not yet scheduled, its decisionDue is an estimate; the
    2027 schedule (two holidays) then moves the deadline. The event already published keeps
    the date told then; a worker started afresh (which loads the calendar at the version it
    stored) and a rebuild from position 0 publish the same."""
    import datetime as dt

    from tests.scenarios import CLERK
    from tests.support import at, staff
    from xuke.domain.calendar import YearSchedule

    clock.set(at(2026, 11, 26))
    case_no = file_gycp(app).case.case_no
    app.accept_application(CLERK, case_no)
    publish(app, views)
    accepted = all_rows(views, types=frozenset({"CaseAccepted"}))[0]
    told = accepted.payload["decisionDue"]
    year = YearSchedule(year=2027, holidays=frozenset({dt.date(2027, 1, 1), dt.date(2027, 2, 5)}))
    app.load_calendar_year(staff(Role.ADMIN, "000000"), year)
    from xuke.domain.deadlines import decision_due

    as_accepted = app.repository.get(accepted_case_id(app, case_no), version=2)
    now_due = decision_due(as_accepted.clock(), app.working_calendar(), dt.date(2026, 11, 26))
    assert now_due is not None and now_due.date.isoformat() != told  # the load moved it
    clock.set(at(2026, 11, 27))
    app.suspend_clock(staff(Role.HANDLER), case_no, SuspensionReason.EXPERT_REVIEW, 3, "评审")
    publish(app, views)  # a fresh worker: the calendar as of its position, then the new year
    rows = all_rows(views)
    assert all_rows(views, types=frozenset({"CaseAccepted"}))[0].payload["decisionDue"] == told
    rebuild(app, views, ExchangeProjection)
    assert all_rows(views) == rows
    row = views.fetchone("SELECT version FROM exchange_calendar WHERE id = 1")
    assert row is not None and row["version"] == 2  # opened, then 2027 loaded

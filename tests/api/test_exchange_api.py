"""The exchange feed and webhooks over real HTTP: GraphQL ``exchangeFeed`` / ``webhooks`` /
``registerWebhook`` / ``removeWebhook`` and ``GET /exchange/feed`` as streamed NDJSON
(docs/exchange.md), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.api.conftest import Api
from tests.exchange_receiver import Receiver, running
from tests.scenarios import build
from tests.support import file_gycp
from xuke.application.clock import SettableClock
from xuke.application.webhooks import WebhookDeliverer
from xuke.domain.roles import Role

FEED = """query Feed($after: String, $first: Int, $types: [String!]) {
  exchangeFeed(after: $after, first: $first, types: $types) {
    edges { cursor node { position id type occurredAt jurisdictionCode caseNo certificateNo payload } }
    pageInfo { hasNextPage endCursor } totalCount
  }
}"""
REGISTER = """mutation R($url: String!, $types: [String!]!, $key: String) {
  registerWebhook(url: $url, eventTypes: $types, idempotencyKey: $key) {
    webhook { id url eventTypes active deliveredUpTo failures secret }
    errors { code message field }
  }
}"""


@pytest.fixture
def published(api: Api, clock: SettableClock) -> int:
    """The scenarios' cases, and a national item's filing; the feed caught up with them."""
    app = api.services.app
    build(app, clock)
    file_gycp(app, item_code="RZJG-ZZSP", materials=["SQS", "FRZG", "RZGZ", "RZRY"])
    head = app.recorder.max_notification_id() or 0
    assert api.services.runner is not None
    assert api.services.runner.wait_for(head, timeout=30, names=["exchange"])
    row = api.services.views.fetchone("SELECT MAX(position) AS p FROM exchange_events")
    assert row is not None
    return int(row["p"])


def feed(api: Api, token: str, **variables: Any) -> dict[str, Any]:
    return api.gql(FEED, variables, token)


def test_exchange_feed_pages_by_position_in_the_callers_jurisdiction(
    api: Api, published: int
) -> None:
    national = api.token("cn", Role.EXCHANGE, org="000000")
    province = api.token("gd", Role.EXCHANGE, org="440000")
    everything = feed(api, national, first=1000)["data"]["exchangeFeed"]
    assert everything["totalCount"] == published
    positions = [e["node"]["position"] for e in everything["edges"]]
    assert positions == list(range(1, published + 1))
    assert all(e["cursor"] == str(e["node"]["position"]) for e in everything["edges"])
    mine = feed(api, province, first=1000)["data"]["exchangeFeed"]
    assert mine["totalCount"] == published - 1  # not the national item's filing
    assert {e["node"]["jurisdictionCode"] for e in mine["edges"]} == {"440000"}
    # page after page, resuming after the end cursor
    first = feed(api, national, first=4)["data"]["exchangeFeed"]
    assert first["pageInfo"] == {"hasNextPage": True, "endCursor": "4"}
    second = feed(api, national, first=4, after="4")["data"]["exchangeFeed"]
    assert [e["node"]["position"] for e in second["edges"]] == [5, 6, 7, 8]
    decided = feed(api, national, first=1000, types=["DecisionMade"])["data"]["exchangeFeed"]
    assert {e["node"]["type"] for e in decided["edges"]} == {"DecisionMade"}
    assert decided["totalCount"] == 2 == len(decided["edges"])
    node = decided["edges"][0]["node"]
    assert node["occurredAt"].endswith("+08:00") and node["payload"]["decision"] == "GRANT"


@pytest.mark.parametrize(
    ("variables", "needle"),
    [
        ({"after": "abc"}, "游标无效"),
        ({"after": "-1"}, "游标无效"),
        ({"first": 0}, "first"),
        ({"first": 100000}, "first"),
        ({"types": ["CaseFiled", "NoSuchThing"]}, "未知的事件类型"),
    ],
)
def test_malformed_cursors_and_types_are_bad_user_input(
    api: Api, variables: dict[str, Any], needle: str
) -> None:
    body = feed(api, api.token("gd", Role.EXCHANGE), **variables)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert needle in body["errors"][0]["message"]


def test_only_exchange_and_admin_read_the_feed(api: Api) -> None:
    clerk = feed(api, api.token("c", Role.CLERK))
    assert clerk["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert feed(api, "")["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "errors" not in feed(api, api.token("a", Role.ADMIN))


def test_ndjson_feed_streams_the_same_events(api: Api, published: int) -> None:
    token = api.token("cn", Role.EXCHANGE, org="000000")
    headers = {"Authorization": f"Bearer {token}"}
    with api.client.stream("GET", "/exchange/feed?after=2&limit=10000", headers=headers) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        assert r.headers.get("transfer-encoding") == "chunked"  # streamed, not buffered
        lines = [orjson.loads(line) for line in r.iter_lines() if line]
    assert [x["position"] for x in lines] == list(range(3, published + 1))
    graphql = feed(api, token, first=1000, after="2")["data"]["exchangeFeed"]["edges"]
    assert [x["id"] for x in lines] == [e["node"]["id"] for e in graphql]
    assert set(lines[0]) == {"position", "id", "type", "occurredAt", "jurisdictionCode",
                             "caseNo", "certificateNo", "payload"}  # fmt: skip
    some = api.client.get(
        "/exchange/feed", params={"limit": 3, "types": "CaseFiled,CaseAccepted"}, headers=headers
    )
    rows = [orjson.loads(line) for line in some.text.splitlines()]
    assert len(rows) == 3 and {x["type"] for x in rows} <= {"CaseFiled", "CaseAccepted"}


@pytest.mark.parametrize(
    "query", ["after=x", "after=-1", "limit=0", "limit=10001", "limit=1e3", "types=Nope"]
)
def test_ndjson_feed_refuses_bad_input_with_a_400_in_chinese(api: Api, query: str) -> None:
    token = api.token("gd", Role.EXCHANGE)
    r = api.client.get(f"/exchange/feed?{query}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "BAD_USER_INPUT"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


def test_ndjson_feed_wants_an_exchange_token(api: Api) -> None:
    assert api.client.get("/exchange/feed").status_code == 401
    clerk = api.token("c", Role.CLERK)
    r = api.client.get("/exchange/feed", headers={"Authorization": f"Bearer {clerk}"})
    assert r.status_code == 403


def test_webhooks_are_registered_listed_delivered_and_removed(
    api: Api, clock: SettableClock
) -> None:
    token = api.token("gd", Role.EXCHANGE)
    refused = api.gql(REGISTER, {"url": "ftp://x/y", "types": []}, token)
    assert refused["data"]["registerWebhook"]["errors"][0]["code"] == "VALIDATION"
    own = api.gql(
        REGISTER, {"url": api.services.settings.public_url + "/graphql", "types": []}, token
    )
    assert own["data"]["registerWebhook"]["errors"][0]["message"] == "回调地址不能指向本系统自身"
    port = api.url.rsplit(":", 1)[1]
    for itself in (api.url + "/graphql", f"http://localhost:{port}/x", f"http://[::1]:{port}/"):
        answer = api.gql(REGISTER, {"url": itself, "types": []}, token)["data"]["registerWebhook"]
        assert answer["errors"][0]["message"] == "回调地址不能指向本系统自身", itself
    unknown = api.gql(REGISTER, {"url": "http://127.0.0.1:9/h", "types": ["Nope"]}, token)
    assert unknown["data"]["registerWebhook"]["errors"][0]["field"] == "eventTypes"
    with running(Receiver()) as receiver:
        answer = api.gql(REGISTER, {"url": receiver.url, "types": ["CaseFiled"], "key": "k"}, token)
        webhook = answer["data"]["registerWebhook"]["webhook"]
        assert webhook["secret"] and webhook["deliveredUpTo"] == 0 and webhook["active"]
        receiver.secret = webhook["secret"]
        listed = api.gql("{ webhooks { id secret deliveredUpTo failures } }", None, token)
        assert listed["data"]["webhooks"] == [
            {"id": webhook["id"], "secret": None, "deliveredUpTo": 0, "failures": 0}
        ]
        case_no = file_gycp(api.services.app).case.case_no
        head = api.services.app.recorder.max_notification_id() or 0
        assert api.services.runner is not None
        assert api.services.runner.wait_for(head, timeout=30, names=["exchange"])
        deliverer = WebhookDeliverer(api.services.views, timeout=2)
        assert deliverer.run_once() == 1
        deliverer.close()
        assert [e["caseNo"] for e in receiver.acknowledged] == [case_no]
        listed = api.gql("{ webhooks { deliveredUpTo } }", None, token)
        assert listed["data"]["webhooks"] == [{"deliveredUpTo": 1}]
    remove = (
        """mutation($id: ID!) { removeWebhook(id: $id) { webhook { active } errors { code } } }"""
    )
    gone = api.gql(remove, {"id": webhook["id"]}, token)
    assert gone["data"]["removeWebhook"] == {"webhook": {"active": False}, "errors": []}
    assert api.gql("{ webhooks { id } }", None, token)["data"]["webhooks"] == []
    other = api.gql(remove, {"id": webhook["id"]}, api.token("cn", Role.EXCHANGE, org="000000"))
    assert other["data"]["removeWebhook"]["errors"][0]["code"] == "NOT_FOUND"

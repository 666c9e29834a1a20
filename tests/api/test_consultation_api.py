"""网上咨询 through GraphQL over real HTTP, on SQLite and PostgreSQL: service guides (public,
versioned, ADMIN-edited), the question board (anyone asks, the item's authority answers,
published answers are public, the contact never is), typed refusals with nothing stored, the
per-client limit shared with the pages' form, and late answers raising supervision cards.

Answer dates, counted by hand from the State Council's 2026 schedule (国办发明电〔2025〕…:
国庆节、中秋节 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班). A question asked on
Mon 2026-09-28; the day of asking is not counted:
- 5 working days (the default): Tue 29 Sep (1), Wed 30 Sep (2), [1-7 Oct holiday], Thu 8 Oct
  (3), Fri 9 Oct (4), Sat 10 Oct (5, a 调休 workday) → due 2026-10-10;
- 3 working days (440000 configured): 29 Sep (1), 30 Sep (2), Thu 8 Oct (3) → 2026-10-08.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from uuid import UUID

from graphql import build_schema

from tests.api.conftest import Api
from tests.api.test_administration_api import (
    DEFINE_ORG,
    LOAD_YEAR,
    admin,
    defined,
    payload,
    tzsb,
)
from tests.api.test_contract import differences
from tests.api.test_legal_rules_api import caught_up
from tests.support import ENTERPRISE_CODE, at
from xuke.api.graphql.schema import sdl
from xuke.application.clock import SettableClock
from xuke.demo_consultations import seed_demo_consultations
from xuke.domain.catalogue import default_catalogue
from xuke.domain.consultation import ServiceGuide as GuideAggregate
from xuke.domain.roles import Role
from xuke.projections.consultations import ConsultationsProjection
from xuke.projections.rebuild import build_shadow, rebuild
from xuke.projections.rebuild import differences as differences_of_view
from xuke.supervision.watcher import DeadlineWatcher

GUIDE = (
    "itemCode itemName legalBasis conditions process legalTimeLimitDays committedTimeLimitDays "
    "fee version updatedOn materials { code name required copies original note templateUrl } "
    "windows { orgCode name address hours phone }"
)
NODE = (
    "id itemCode question askedAt status answer answeredAt answeredByOrg published answerDue "
    "answerDueProvisional contact"
)
ASK = (
    "mutation($item: String, $q: String!, $c: String!, $key: String) { askQuestion(itemCode: "
    f"$item, question: $q, contact: $c, idempotencyKey: $key) {{ consultation {{ {NODE} }} "
    "errors { code message field } } }"
)
ANSWER = (
    "mutation($id: ID!, $a: String!, $p: Boolean) { answerQuestion(id: $id, answer: $a, "
    f"publish: $p) {{ consultation {{ {NODE} }} errors {{ code message field }} }} }}"
)
UPDATE = (
    "mutation($item: String!, $g: ServiceGuideInput!, $key: String) { updateServiceGuide("
    f"itemCode: $item, guide: $g, idempotencyKey: $key) {{ guide {{ {GUIDE} }} "
    "errors { code message field } } }"
)
BOARD = (
    "query($item: String, $status: ConsultationStatus, $after: String, $first: Int) { "
    "consultations(itemCode: $item, status: $status, after: $after, first: $first) { totalCount "
    f"pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {NODE} }} }} }} }}"
)
WINDOW = {
    "orgCode": "440000", "name": "省政务服务中心 市场监管窗口", "address": "广州市天河区示例路1号",
    "hours": "工作日 9:00-17:00", "phone": "020-00000000",
}  # fmt: skip


def people(api: Api) -> dict[str, str]:
    return {
        "admin": api.token("admin-1", Role.ADMIN),
        "handler": api.token("handler-1", Role.HANDLER),  # 440000, the province
        "clerk": api.token("clerk-1", Role.CLERK),
        "gz-handler": api.token("gz-handler", Role.HANDLER, org="440100"),
        "national": api.token("samr-1", Role.HANDLER, org="000000", jurisdiction="000000"),
        "supervisor": api.token("sup-1", Role.SUPERVISOR),
        "applicant": api.token("ent-1", Role.APPLICANT, org=ENTERPRISE_CODE, jurisdiction="440305"),
    }


def guide(api: Api, item: str, token: str | None = None) -> Any:
    body = api.gql(f'{{ serviceGuide(itemCode: "{item}") {{ {GUIDE} }} }}', token=token)
    assert "errors" not in body, body
    return body["data"]["serviceGuide"]


def ask(api: Api, question: str, item: str | None = "GYCP-SCXK", token: str | None = None,
        contact: str = "13800138000", key: str | None = None) -> dict[str, Any]:  # fmt: skip
    body = api.gql(ASK, {"item": item, "q": question, "c": contact, "key": key}, token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["askQuestion"]
    return payload


def answer(api: Api, token: str, id_: str, text: str, publish: bool = True) -> dict[str, Any]:
    body = api.gql(ANSWER, {"id": id_, "a": text, "p": publish}, token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["answerQuestion"]
    return payload


def board(api: Api, token: str | None = None, **variables: Any) -> dict[str, Any]:
    settle(api)
    body = api.gql(BOARD, variables, token)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["consultations"]
    return found


def settle(api: Api) -> None:
    """The board is a view no mutation waits for: let it catch up with the store."""
    runner = api.services.runner
    assert runner is not None
    head = api.services.app.recorder.max_notification_id() or 0
    assert runner.wait_for(head, 5)


def guide_input(**overrides: Any) -> dict[str, Any]:
    return {
        "conditions": ["依法设立的企业", "有与生产相适应的条件"],
        "process": ["申请", "受理", "审查", "决定"],
        "fee": "不收费",
        "windows": [WINDOW],
        **overrides,
    }


# ---------------------------------------------------------------- service guides


def test_every_catalogue_item_has_a_public_guide_with_templates(api: Api) -> None:
    for item in api.services.app.catalogue.items:
        g = guide(api, item.code)
        assert g["itemName"] == item.name and g["version"] == 1, g
        assert g["updatedOn"] == "2026-01-01" and g["conditions"] and g["process"] and g["windows"]
        assert [m["code"] for m in g["materials"]] == [m.code for m in item.materials]
        assert g["legalTimeLimitDays"] == item.legal_time_limit_days
    gycp = guide(api, "GYCP-SCXK")
    assert (gycp["legalTimeLimitDays"], gycp["committedTimeLimitDays"]) == (60, 30)
    sqs = gycp["materials"][0]
    assert sqs["name"] == "工业产品生产许可证申请书" and sqs["original"] and sqs["copies"] == 1
    assert sqs["templateUrl"] == "/guide/GYCP-SCXK/templates/SQS"
    download = api.client.get(sqs["templateUrl"])
    assert download.status_code == 200 and "工业产品生产许可证申请书" in download.text
    assert download.headers["content-disposition"].startswith("attachment")
    assert gycp["materials"][1]["templateUrl"] is None  # 营业执照: no template
    assert api.client.get("/guide/GYCP-SCXK/templates/YYZZ").status_code == 404
    assert api.client.get("/guide/NOPE/templates/SQS").status_code == 404
    assert guide(api, "NO-SUCH-ITEM") is None
    assert {w["orgCode"] for w in guide(api, "RZJG-ZZSP")["windows"]} == {"000000"}


def test_an_admin_updates_a_guide_and_every_update_is_a_version(
    api: Api, clock: SettableClock
) -> None:
    p = people(api)
    first = api.gql(UPDATE, {"item": "TZSB-SCXK", "g": guide_input(), "key": "g-1"}, p["admin"])
    updated = first["data"]["updateServiceGuide"]
    assert not updated["errors"], updated
    assert updated["guide"]["version"] == 2 and updated["guide"]["updatedOn"] == "2026-09-28"
    assert updated["guide"]["conditions"] == ["依法设立的企业", "有与生产相适应的条件"]
    # materials stay the catalogue's, with the packaged details
    assert updated["guide"]["materials"][0]["templateUrl"] == "/guide/TZSB-SCXK/templates/SQB"
    # the same key again: the first answer, nothing new stored
    again = api.gql(UPDATE, {"item": "TZSB-SCXK", "g": guide_input(), "key": "g-1"}, p["admin"])
    assert again["data"]["updateServiceGuide"]["guide"]["version"] == 2
    clock.set(at(2026, 10, 12, 9))
    second = api.gql(
        UPDATE, {"item": "TZSB-SCXK", "g": guide_input(fee="按规定收取检验费")}, p["admin"]
    )
    assert second["data"]["updateServiceGuide"]["guide"]["version"] == 3
    public = guide(api, "TZSB-SCXK")
    assert (public["version"], public["fee"], public["updatedOn"]) == (
        3,
        "按规定收取检验费",
        "2026-10-12",
    )
    stored = api.services.app.repository.get(GuideAggregate.id_for("TZSB-SCXK"))
    assert stored.version == 3  # Seeded (the packaged v1) + two Updated events
    assert guide(api, "GYCP-SCXK")["version"] == 1  # the other items untouched


def test_bad_guide_updates_are_refused_with_nothing_stored(api: Api) -> None:
    p = people(api)
    refused = api.gql(UPDATE, {"item": "GYCP-SCXK", "g": guide_input()}, p["handler"])
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "ADMIN" in refused["errors"][0]["message"]
    anonymous = api.gql(UPDATE, {"item": "GYCP-SCXK", "g": guide_input()})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for item, g, field in (
        ("NO-SUCH", guide_input(), "itemCode"),
        ("GYCP-SCXK", guide_input(conditions=[]), "conditions"),
        ("GYCP-SCXK", guide_input(process=["申请", "  "]), "process"),
        ("GYCP-SCXK", guide_input(fee=""), "fee"),
        ("GYCP-SCXK", guide_input(windows=[]), "windows"),
        ("GYCP-SCXK", guide_input(windows=[{**WINDOW, "orgCode": "999999"}]), "windows"),
    ):
        body = api.gql(UPDATE, {"item": item, "g": g}, p["admin"])
        payload = body["data"]["updateServiceGuide"]
        assert payload["guide"] is None, payload
        (error,) = payload["errors"]
        assert (error["code"], error["field"]) == ("VALIDATION", field), error
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error  # Chinese
    assert guide(api, "GYCP-SCXK")["version"] == 1


# ---------------------------------------------------------------- the question board


def test_a_question_goes_to_the_items_authority_and_its_answer_to_the_public(
    api: Api,
) -> None:
    p = people(api)
    asked = ask(api, "委托加工的产品需要办理生产许可证吗？")
    assert not asked["errors"], asked
    q = asked["consultation"]
    assert (q["status"], q["published"], q["answerDue"], q["contact"]) == (
        "OPEN",
        False,
        "2026-10-10",
        None,
    )
    national = ask(
        api, "认证机构资质审批需要多少名专职认证人员？", item="RZJG-ZZSP", token=p["applicant"]
    )
    assert national["consultation"]["answerDue"] == "2026-10-10"
    # the province's staff see their own question, contact included, in the 待答复 tab
    inbox = board(api, p["handler"], status="OPEN")
    assert inbox["totalCount"] == 1
    (edge,) = inbox["edges"]
    assert edge["node"]["id"] == q["id"] and edge["node"]["contact"] == "13800138000"
    assert board(api, p["national"], status="OPEN")["edges"][0]["node"]["itemCode"] == "RZJG-ZZSP"
    # not published yet: nothing on the public board; nor for applicants or supervisors
    for token in (None, p["applicant"], p["supervisor"]):
        assert board(api, token)["totalCount"] == 0
    # others than the authority's staff: the question does not exist for them
    for token in (p["gz-handler"], p["national"], p["applicant"], p["supervisor"], p["admin"]):
        refused = answer(api, token, q["id"], "可以。")
        assert refused["consultation"] is None
        assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"], refused
    assert answer(api, p["handler"], "not-an-id", "x")["errors"][0]["code"] == "NOT_FOUND"
    html = '<script>alert("x")</script> 需要，<b>委托方</b>应取得许可证。'
    answered = answer(api, p["clerk"], q["id"], html)
    assert not answered["errors"], answered
    a = answered["consultation"]
    assert (a["status"], a["published"], a["answeredByOrg"], a["answer"]) == (
        "ANSWERED",
        True,
        "440000",
        html,
    )
    again = answer(api, p["handler"], q["id"], "再答一次")
    assert again["errors"][0]["code"] == "INVALID_STATE"
    public = board(api, None, item="GYCP-SCXK")
    assert public["totalCount"] == 1
    node = public["edges"][0]["node"]
    assert node["answer"] == html and node["contact"] is None and node["status"] == "ANSWERED"
    assert "13800138000" not in api.client.post("/graphql", json={"query": BOARD}).text
    # an answer kept private stays off the public board
    private = ask(api, "我公司的具体情况能否电话沟通？", token=p["applicant"])["consultation"]
    assert not answer(api, p["handler"], private["id"], "已电话联系。", publish=False)["errors"]
    assert board(api, None)["totalCount"] == 1
    assert board(api, p["handler"])["totalCount"] == 2  # staff: all statuses
    assert board(api, p["handler"], status="ANSWERED")["totalCount"] == 2
    unknown = api.gql(BOARD, {"item": "NO-SUCH"})
    assert unknown["errors"][0]["extensions"]["code"] == "VALIDATION"


def test_the_board_pages_newest_first(api: Api, clock: SettableClock) -> None:
    p = people(api)
    ids = []
    for n in range(5):
        clock.set(at(2026, 9, 28, 9, n))
        ids.append(ask(api, f"问题 {n}", token=p["applicant"])["consultation"]["id"])
    first = board(api, p["handler"], first=2)
    assert [e["node"]["id"] for e in first["edges"]] == [ids[4], ids[3]]
    assert first["pageInfo"]["hasNextPage"] and first["totalCount"] == 5
    rest = board(api, p["handler"], first=10, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["id"] for e in rest["edges"]] == [ids[2], ids[1], ids[0]]
    assert not rest["pageInfo"]["hasNextPage"]
    bad = api.gql(BOARD, {"after": "garbage"}, p["handler"])
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_bad_questions_and_answers_are_refused_with_nothing_stored(api: Api) -> None:
    p = people(api)
    for question, item, contact, field in (
        ("   ", "GYCP-SCXK", "13800138000", "question"),
        ("问" * 2001, "GYCP-SCXK", "13800138000", "question"),
        ("有效期多久？", "NO-SUCH", "13800138000", "itemCode"),
        ("有效期多久？", "GYCP-SCXK", " ", "contact"),
    ):
        payload = ask(api, question, item=item, contact=contact, token=p["applicant"])
        assert payload["consultation"] is None, payload
        (error,) = payload["errors"]
        assert error["code"] == "VALIDATION" and error["field"] == field, error
    nul = api.gql(ASK, {"item": "GYCP-SCXK", "q": "有效期\x00多久？", "c": "x"}, p["applicant"])
    assert nul["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # the API's own guard
    assert ask(api, "问" * 2000, token=p["applicant"])["consultation"]["status"] == "OPEN"
    staff_ask = api.gql(ASK, {"item": "GYCP-SCXK", "q": "内部问题", "c": "x"}, p["handler"])
    assert staff_ask["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    q = ask(api, "可以网上申报吗？", token=p["applicant"])["consultation"]
    too_long = answer(api, p["handler"], q["id"], "答" * 10_000)
    assert (
        too_long["errors"][0]["code"] == "VALIDATION" and too_long["errors"][0]["field"] == "answer"
    )
    empty = answer(api, p["handler"], q["id"], "  ")
    assert empty["errors"][0]["code"] == "VALIDATION"
    inbox = board(api, p["handler"])
    assert inbox["totalCount"] == 2 and {e["node"]["status"] for e in inbox["edges"]} == {"OPEN"}
    # an applicant's retry with its key: the first question, not a second
    once = ask(api, "重复提交？", token=p["applicant"], key="k-1")["consultation"]
    twice = ask(api, "重复提交？", token=p["applicant"], key="k-1")["consultation"]
    assert once["id"] == twice["id"] and board(api, p["handler"])["totalCount"] == 3
    reused = ask(api, "另一个问题", token=p["applicant"], key="k-1")
    assert reused["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_anonymous_questions_are_rate_limited_per_client_across_entry_points(api: Api) -> None:
    p = people(api)
    for n in range(5):  # the limit: 5 questions per client per 10 minutes
        assert not ask(api, f"匿名问题 {n}")["errors"]
    over = api.client.post(
        "/graphql", json={"query": ASK, "variables": {"item": "GYCP-SCXK", "q": "再问", "c": "x"}}
    )
    assert (
        over.status_code == 429 and over.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    )
    form = api.client.post(
        "/guide/GYCP-SCXK/questions", data={"question": "表单提问", "contact": "x"}
    )
    assert form.status_code == 429 and "提交过于频繁" in form.text and "Retry-After" in form.headers
    # a signed-in applicant is accountable and not limited; staff still see only 5 + 1
    assert not ask(api, "申请人提问", token=p["applicant"])["errors"]
    assert board(api, p["handler"])["totalCount"] == 6


def test_late_questions_raise_a_card_for_the_authority(api: Api, clock: SettableClock) -> None:
    p = people(api)
    settings = api.services.settings
    api.services.settings = settings.model_copy(update={"consultation_answer_days": {"440000": 3}})
    try:
        open_one = ask(api, "迟迟未答的问题", token=p["applicant"])["consultation"]
        late_one = ask(api, "晚答的问题", token=p["applicant"])["consultation"]
        on_time = ask(api, "按时答复的问题", token=p["applicant"])["consultation"]
    finally:
        api.services.settings = settings
    assert open_one["answerDue"] == late_one["answerDue"] == "2026-10-08"
    assert not answer(api, p["handler"], on_time["id"], "已答复。")["errors"]
    watcher = DeadlineWatcher(api.services.app, api.services.views)
    clock.set(at(2026, 10, 8, 17))  # the last day: not late yet
    settle(api)
    assert not [c for c in watcher.run_once().cards if "CONSULTATION_LATE" in c]
    clock.set(at(2026, 10, 9, 9))
    settle(api)
    late_answer = answer(api, p["handler"], late_one["id"], "抱歉答复晚了。")
    assert not late_answer["errors"]
    settle(api)
    report = watcher.run_once()
    assert report.cards == [f"YELLOW:ZX-{open_one['id']}:CONSULTATION_LATE"], report.cards
    assert not [c for c in watcher.run_once().cards if "CONSULTATION_LATE" in c]  # once
    settle(api)
    cards = api.gql(
        "{ unitCards(first: 20) { totalCount nodes { caseNo cause colour responsibleUnit dueOn } } }",
        token=p["handler"],
    )["data"]["unitCards"]
    mine = sorted((n["caseNo"], n["cause"], n["colour"], n["dueOn"]) for n in cards["nodes"])
    assert mine == sorted(
        (f"ZX-{q['id']}", "CONSULTATION_LATE", "YELLOW", "2026-10-08") for q in (open_one, late_one)
    )


def test_the_demo_data_shows_guides_and_answered_and_open_questions(
    api: Api, clock: SettableClock
) -> None:
    p = people(api)
    assert seed_demo_consultations(api.services.app, clock) == 6
    assert guide(api, "TZSB-SCXK")["version"] == 2
    assert board(api, None)["totalCount"] == 3  # the published answers
    assert board(api, p["handler"])["totalCount"] == 6  # all provincial items: 440000's
    assert board(api, p["handler"], status="OPEN")["totalCount"] == 2
    clock.set(dt.datetime.now(dt.UTC))
    settle(api)
    late = [c for c in DeadlineWatcher(api.services.app, api.services.views).run_once().cards
            if c.endswith("CONSULTATION_LATE")]  # fmt: skip
    assert len(late) == 1  # the question asked 12 days ago, still open
    # the view rebuilds from the events to the same rows
    settle(api)
    build_shadow(api.services.app, api.services.views, ConsultationsProjection)
    assert differences_of_view(api.services.views, ConsultationsProjection) == []
    rebuild(api.services.app, api.services.views, ConsultationsProjection)
    assert board(api, p["handler"])["totalCount"] == 6


def test_the_v2_contract_for_consultation_is_served_exactly() -> None:
    shared = Path(__file__).resolve().parents[1] / "contract"  # our copy (test_contract.py)
    contract = build_schema(
        (shared / "schema.graphql").read_text("utf-8")
        + "\n"
        + (shared / "schema-v2.graphql").read_text("utf-8")
    )
    found = differences(contract, build_schema(sdl()))
    mine = ("ServiceGuide", "GuideMaterial", "ServiceWindow", "Consultation", "serviceGuide",
            "consultations", "askQuestion", "answerQuestion", "updateServiceGuide")  # fmt: skip
    assert [d for d in found if any(m in d for m in mine)] == []
    assert {"ServiceGuide", "ConsultationConnection", "ServiceGuideInput"} <= set(contract.type_map)


# ---------------------------------------------------------------- review of issue 16

ASK_WHERE = (
    "mutation($item: String, $q: String!, $c: String!, $where: String) { askQuestion(itemCode: "
    f"$item, question: $q, contact: $c, jurisdictionCode: $where) {{ consultation {{ {NODE} }} "
    "errors { code message field } } }"
)
CITY_ITEM = {
    "code": "SPSC-XKZ", "name": "食品生产许可（示例）", "legalBasis": "《食品安全法》第三十五条",
    "level": "CITY", "legalTimeLimitDays": 20, "extensionDays": 10,
    "materials": [{"code": "SQS", "name": "食品生产许可申请书", "required": True, "copies": 2,
                   "original": True, "note": "加盖公章"}],
}  # fmt: skip
COUNTY_ITEM = CITY_ITEM | {
    "code": "XZF-DJ", "name": "食品小作坊登记（示例）", "level": "COUNTY",
    "materials": [{"code": "DJB", "name": "小作坊登记表", "required": True}],
}  # fmt: skip
BEIJING = {
    "code": "110000", "name": "北京市市场监督管理局", "level": "PROVINCE",
    "parentCode": "000000", "divisionCode": "110000",
}  # fmt: skip


def board_ids(api: Api, token: str) -> set[str]:
    return {e["node"]["id"] for e in board(api, token, first=50)["edges"]}


def test_items_below_the_province_and_a_new_province_route_to_the_home_authority(
    api: Api,
) -> None:
    """A city or county item an ADMIN defines has a guide, a page and a board: its questions
    go to the home authority (440000) unless the asker names a division; a province added
    later (110000) does not take the home province's questions; XUKE_HOME_AUTHORITY moves them."""
    p, token = people(api), admin(api)
    defined(api, token, CITY_ITEM)
    defined(api, token, COUNTY_ITEM)
    for code in ("SPSC-XKZ", "XZF-DJ"):
        g = guide(api, code)
        assert g is not None and g["version"] == 1, code
        assert [w["orgCode"] for w in g["windows"]] == ["440000"] and g["conditions"]
        page = api.client.get(f"/guide/{code}")
        assert page.status_code == 200 and "我要咨询" in page.text, code
    (sqs,) = guide(api, "SPSC-XKZ")["materials"]  # the default guide: the item's materials
    assert sqs == {"code": "SQS", "name": "食品生产许可申请书", "required": True, "copies": 2,
                   "original": True, "note": "加盖公章", "templateUrl": None}  # fmt: skip

    city_q = ask(api, "食品生产许可要多久？", item="SPSC-XKZ", token=p["applicant"])
    county_q = ask(api, "小作坊登记要什么材料？", item="XZF-DJ", token=p["applicant"])
    assert not city_q["errors"] and not county_q["errors"], (city_q, county_q)
    province = board_ids(api, p["handler"])
    assert {city_q["consultation"]["id"], county_q["consultation"]["id"]} <= province

    # the asker's division reaches the unit competent there
    tianhe = api.token("th-handler", Role.HANDLER, org="440106", jurisdiction="440106")
    where = {"item": "XZF-DJ", "q": "天河区的小作坊在哪里登记？", "c": "x", "where": "440106"}
    there = api.gql(ASK_WHERE, where, p["applicant"])["data"]["askQuestion"]
    assert not there["errors"], there
    assert board_ids(api, tianhe) == {there["consultation"]["id"]}
    for division in ("440203", "12345x"):  # no county unit there; not a division code
        head = api.services.app.recorder.max_notification_id()
        refused = api.gql(ASK_WHERE, where | {"where": division}, p["applicant"])
        (error,) = refused["data"]["askQuestion"]["errors"]
        assert (error["code"], error["field"]) == ("VALIDATION", "jurisdictionCode"), error
        assert api.services.app.recorder.max_notification_id() == head

    # a second province: the home province keeps its questions
    added = payload(api.gql(DEFINE_ORG, {"input": BEIJING}, token), "defineOrganisation")
    assert not added["errors"], added
    beijing = api.token("bj-handler", Role.HANDLER, org="110000", jurisdiction="110000")
    gycp = ask(api, "生产许可证有效期多久？", token=p["applicant"])["consultation"]
    assert gycp["id"] in board_ids(api, p["handler"]) and board_ids(api, beijing) == set()

    settings = api.services.settings
    api.services.settings = settings.model_copy(update={"home_authority": "110000"})
    try:
        moved = ask(api, "北京的企业如何申请？", token=p["applicant"])["consultation"]
    finally:
        api.services.settings = settings
    assert board_ids(api, beijing) == {moved["id"]}


def material_row(page: str, name: str) -> list[str]:
    """The guide page's table row of a material: its cells' text."""
    row = re.search(rf"<tr><td>{re.escape(name)}</td>(.*?)</tr>", page, re.S)
    assert row is not None, name
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row[1], re.S)]


def test_the_item_versions_material_details_win_on_graphql_and_on_the_page(api: Api) -> None:
    """The seed states no copies or original: the packaged guide's details apply. A version
    an ADMIN defines states them, defaults included, and both readings show them."""
    token = admin(api)
    seeded = guide(api, "TZSB-SCXK")["materials"][0]
    assert (seeded["copies"], seeded["original"], seeded["note"]) == (
        1,
        True,
        "一式一份，加盖单位公章",
    )
    page = api.client.get("/guide/TZSB-SCXK").text
    assert material_row(page, "特种设备生产单位许可申请表")[1:4] == [
        "1",
        "原件",
        "一式一份，加盖单位公章",
    ]

    item = default_catalogue().get("TZSB-SCXK")
    materials = [{"code": m.code, "name": m.name, "required": m.required} for m in item.materials]
    materials[0] |= {"copies": 3, "original": False, "note": "可提交电子版"}
    defined(api, token, tzsb(materials=materials))
    sqb, yyzz = guide(api, "TZSB-SCXK")["materials"][:2]
    assert (sqb["copies"], sqb["original"], sqb["note"]) == (3, False, "可提交电子版")
    assert sqb["templateUrl"] == "/guide/TZSB-SCXK/templates/SQB"  # the guide's file stays
    assert (yyzz["copies"], yyzz["original"], yyzz["note"]) == (1, False, None)
    page = api.client.get("/guide/TZSB-SCXK").text
    assert material_row(page, "特种设备生产单位许可申请表")[1:5] == [
        "3",
        "复印件",
        "可提交电子版",
        "下载模板",
    ]
    assert material_row(page, "营业执照")[1:4] == ["1", "复印件", ""]


LATE = "CONSULTATION_LATE"


def late_cards(api: Api) -> list[str]:
    settle(api)
    report = DeadlineWatcher(api.services.app, api.services.views).run_once()
    return [c for c in report.cards if c.endswith(LATE)]


def test_an_answer_date_on_an_estimated_year_raises_no_card_before_the_latest_plausible_one(
    api: Api, clock: SettableClock
) -> None:
    """Asked Mon 28 Dec 2026, 5 working days: Tue 29 (1), Wed 30 (2), Thu 31 (3); 2027 is not
    loaded, its New Year estimated as Fri 1 Jan (central: Mon 4 (4), Tue 5 (5) → due 5 Jan,
    provisional). The latest plausible reading has 1-5 Jan off (Wed 6 (4), Thu 7 (5)): no
    card on the 6th or 7th, one on Fri 8 Jan."""
    p = people(api)
    clock.set(at(2026, 12, 28, 9))
    q = ask(api, "年底提问，何时答复？", token=p["applicant"])["consultation"]
    assert (q["answerDue"], q["answerDueProvisional"]) == ("2027-01-05", True)
    (node,) = [e["node"] for e in board(api, p["handler"])["edges"]]
    assert (node["answerDue"], node["answerDueProvisional"]) == ("2027-01-05", True)
    for day in (6, 7):
        clock.set(at(2027, 1, day, 17))
        assert late_cards(api) == [], day
    clock.set(at(2027, 1, 8, 9))
    assert late_cards(api) == [f"YELLOW:ZX-{q['id']}:{LATE}"]


def test_loading_a_year_recounts_open_answer_dates(api: Api, clock: SettableClock) -> None:
    """The same question; the State Council's 2027 schedule (test values) gives 1, 4 and 5 Jan
    off: Tue 29 (1), Wed 30 (2), Thu 31 Dec (3), Wed 6 (4), Thu 7 Jan (5) → due 7 Jan, no
    longer provisional. A question answered before the load keeps the date it was answered
    under. The view rebuilds to the same rows."""
    p, token = people(api), admin(api)
    clock.set(at(2026, 12, 28, 9))
    q = ask(api, "年底提问，何时答复？", token=p["applicant"])["consultation"]
    done = ask(api, "已答复的问题", token=p["applicant"])["consultation"]
    assert not answer(api, p["handler"], done["id"], "已答复。")["errors"]
    year = {"year": 2027, "holidays": ["2027-01-01", "2027-01-04", "2027-01-05"],
            "workdays": [], "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）"}  # fmt: skip
    assert not payload(api.gql(LOAD_YEAR, year, token), "loadCalendarYear")["errors"]
    dates = {
        e["node"]["id"]: (e["node"]["answerDue"], e["node"]["answerDueProvisional"])
        for e in board(api, p["handler"])["edges"]
    }
    assert dates == {q["id"]: ("2027-01-07", False), done["id"]: ("2027-01-05", True)}
    clock.set(at(2027, 1, 7, 17))
    assert late_cards(api) == []
    clock.set(at(2027, 1, 8, 9))
    assert late_cards(api) == [f"YELLOW:ZX-{q['id']}:{LATE}"]
    cards = api.gql("{ unitCards(first: 20) { nodes { caseNo dueOn } } }", token=p["handler"])
    assert cards["data"]["unitCards"]["nodes"] == [
        {"caseNo": f"ZX-{q['id']}", "dueOn": "2027-01-07"}
    ]
    settle(api)
    build_shadow(api.services.app, api.services.views, ConsultationsProjection)
    assert differences_of_view(api.services.views, ConsultationsProjection) == []


def test_every_staff_read_of_a_contact_is_recorded(api: Api) -> None:
    """Like applicantContact: each read of a question's contact is an event on the question
    (ContactRead, with the reader), in the audit trail; reads without the contact record none."""
    p = people(api)
    q = ask(api, "联系方式会被谁看到？", token=p["applicant"], contact="13900139000")
    qid = q["consultation"]["id"]
    assert q["consultation"]["contact"] is None  # the asker's own payload: not staff

    def reads() -> list[tuple[str, str | None]]:
        caught_up(api)
        rows = api.services.views.fetchall(
            "SELECT actor_id, actor_role FROM audit_trail WHERE event_type = 'ContactRead' "
            "ORDER BY position"
        )
        return [(r["actor_id"], r["actor_role"]) for r in rows]

    without = api.gql("{ consultations(status: OPEN) { edges { node { id question } } } }",
                      token=p["handler"])  # fmt: skip
    assert "errors" not in without and reads() == []
    assert board(api, p["handler"])["edges"][0]["node"]["contact"] == "13900139000"
    assert reads() == [("handler-1", "HANDLER")]
    assert board(api, p["gz-handler"])["totalCount"] == 0  # another authority: not theirs
    answered = answer(api, p["clerk"], qid, "只有答复机关的工作人员。")
    assert answered["consultation"]["contact"] == "13900139000"
    assert reads() == [("handler-1", "HANDLER"), ("clerk-1", "CLERK")]
    events = list(api.services.app.events.get(UUID(qid)))
    assert [type(e).__name__ for e in events] == ["Asked", "ContactRead", "Answered", "ContactRead"]
    for token in (None, p["applicant"], p["supervisor"]):
        assert board(api, token)["edges"][0]["node"]["contact"] is None
    assert len(reads()) == 2

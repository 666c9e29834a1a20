"""Administration through GraphQL over real HTTP, on SQLite and PostgreSQL: licence items
and their versions, organisations and routing, calendar years; every change an event in the
audit trail, every refusal typed with nothing stored.

Dates are counted by hand on the official 2026 schedule (Law 82, SAMR 77: the day of
acceptance does not count; 国庆 1-7 Oct off, Sat 10 Oct worked). Accepted Mon 28 Sep 2026,
the working days run Tue 29 (1), Wed 30 (2), Thu 8 Oct (3), Fri 9 (4), Sat 10 (5),
Mon 12-Fri 16 (6-10), Mon 19-Fri 23 (11-15), Mon 26-Fri 30 (16-20): the 10th is Fri 16 Oct,
the 15th Fri 23 Oct, the 20th Fri 30 Oct.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_graphql import file, tokens
from tests.api.test_legal_rules_api import accept, act, caught_up, read
from tests.support import TZSB_ALL, at
from xuke.application.clock import SettableClock
from xuke.domain.catalogue import default_catalogue
from xuke.domain.roles import Role

ITEM_FIELDS = "code version level legalTimeLimitDays committedTimeLimitDays extensionDays"
DEFINE = f"""mutation($input: LicenseItemInput!, $key: String) {{
  defineLicenseItem(input: $input, idempotencyKey: $key) {{
    item {{ {ITEM_FIELDS} }} errors {{ code message field }}
  }}
}}"""
RETIRE = """mutation($code: String!) {
  retireLicenseItem(code: $code) { item { code version } errors { code message field } }
}"""
ORG_FIELDS = "code name level parentCode divisionCode active"
DEFINE_ORG = f"""mutation($input: OrganisationInput!) {{
  defineOrganisation(input: $input) {{ organisation {{ {ORG_FIELDS} }} errors {{ code message field }} }}
}}"""
LOAD_YEAR = """mutation($year: Int!, $holidays: [Date!]!, $workdays: [Date!]!, $source: String!) {
  loadCalendarYear(year: $year, holidays: $holidays, workdays: $workdays, source: $source) {
    calendar { year holidays workdays source official } errors { code message field }
  }
}"""
CASE_ITEM = "item { code version committedTimeLimitDays legalTimeLimitDays }"
DEADLINES = "deadlines { decisionDue committedDue provisional }"


def admin(api: Api) -> str:
    return api.token("admin-1", Role.ADMIN, org="000000", jurisdiction="000000")


def tzsb(**changes: Any) -> dict[str, Any]:
    """TZSB-SCXK as the seed states it (20 working days, 10 days' extension: Law 42)."""
    item = default_catalogue().get("TZSB-SCXK")
    return {
        "code": item.code, "name": item.name, "legalBasis": item.legal_basis,
        "level": "PROVINCE", "legalTimeLimitDays": 20, "extensionDays": 10,
        "committedTimeLimitDays": 15, "certificateValidityYears": 4,
        "materials": [{"code": m.code, "name": m.name, "required": m.required} for m in item.materials],
    } | changes  # fmt: skip


def payload(body: dict[str, Any], name: str) -> dict[str, Any]:
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"][name]
    return found


def defined(api: Api, token: str, item: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    answer = payload(api.gql(DEFINE, {"input": item, "key": key}, token), "defineLicenseItem")
    assert not answer["errors"], answer
    found: dict[str, Any] = answer["item"]
    return found


def refusal(api: Api, token: str, query: str, variables: dict[str, Any], name: str) -> Any:
    """A typed payload error, and nothing stored: the store's head has not moved."""
    head = api.services.app.recorder.max_notification_id()
    answer = payload(api.gql(query, variables, token), name)
    assert answer["errors"] and not any(v for k, v in answer.items() if k != "errors"), answer
    assert api.services.app.recorder.max_notification_id() == head
    return answer["errors"][0]


def top_level_code(api: Api, token: str, query: str, variables: dict[str, Any]) -> str:
    head = api.services.app.recorder.max_notification_id()
    body = api.gql(query, variables, token)
    assert body.get("errors"), body
    assert api.services.app.recorder.max_notification_id() == head
    code: str = body["errors"][0]["extensions"]["code"]
    return code


def file_tzsb_accepted(api: Api, t: dict[str, str]) -> str:
    filed = file(api, t, itemCode="TZSB-SCXK", materials=TZSB_ALL)
    assert not filed["errors"], filed
    case_no: str = filed["case"]["caseNo"]
    accept(api, t, case_no)
    return case_no


def test_a_new_item_version_applies_to_cases_filed_after_it(api: Api) -> None:
    t, token = tokens(api), admin(api)
    before = file_tzsb_accepted(api, t)  # under version 1: committed 15

    v2 = defined(api, token, tzsb(committedTimeLimitDays=10), key="tzsb-v2")
    assert (v2["version"], v2["committedTimeLimitDays"], v2["level"]) == (2, 10, "PROVINCIAL")
    again = defined(api, token, tzsb(committedTimeLimitDays=10), key="tzsb-v2")  # a retry
    assert again["version"] == 2
    after = file_tzsb_accepted(api, t)  # under version 2: committed 10

    # A change in the law, cited: 15 working days from now on.
    v3 = defined(
        api, token,
        tzsb(legalTimeLimitDays=15, committedTimeLimitDays=10,
             legalTimeLimitSource="《特种设备安全法》（示例修正）第十八条"),
    )  # fmt: skip
    assert (v3["version"], v3["legalTimeLimitDays"]) == (3, 15)
    latest = file_tzsb_accepted(api, t)

    fields = f"{CASE_ITEM} {DEADLINES}"
    old, new, newest = (read(api, t["clerk"], n, fields) for n in (before, after, latest))
    assert old["item"] == {"code": "TZSB-SCXK", "version": 1, "committedTimeLimitDays": 15,
                           "legalTimeLimitDays": 20}  # fmt: skip
    assert old["deadlines"]["committedDue"] == "2026-10-23"  # the 15th working day
    assert old["deadlines"]["decisionDue"] == "2026-10-30"  # the 20th
    assert (new["item"]["version"], new["deadlines"]["committedDue"]) == (2, "2026-10-16")
    assert new["deadlines"]["decisionDue"] == "2026-10-30"
    assert newest["item"]["version"] == 3
    assert newest["deadlines"]["decisionDue"] == "2026-10-23"  # 15 working days: the 15th
    listed = api.gql("{ licenseItems { code version } }", token=t["clerk"])["data"]
    assert {"code": "TZSB-SCXK", "version": 3} in listed["licenseItems"]


def test_a_version_shortening_the_laws_limit_is_refused_and_nothing_stored(api: Api) -> None:
    token = admin(api)
    error = refusal(api, token, DEFINE, {"input": tzsb(legalTimeLimitDays=15)}, "defineLicenseItem")
    assert error["code"] == "VALIDATION" and error["field"] == "legalTimeLimitDays"
    assert "短于法律规定的 20 个工作日" in error["message"]
    for changes, field in [
        ({"legalTimeLimitDays": 25}, "legalTimeLimitDays"),  # more than the law allows
        ({"committedTimeLimitDays": 25}, "committedTimeLimitDays"),  # a commitment > the law
        ({"committedTimeLimitDays": -3}, "committedTimeLimitDays"),
        ({"code": "tzsb scxk"}, "code"),
        ({"level": "TOWN"}, "level"),
        ({"materials": []}, "materials"),
    ]:
        error = refusal(api, token, DEFINE, {"input": tzsb(**changes)}, "defineLicenseItem")
        assert (error["code"], error["field"]) == ("VALIDATION", field), (changes, error)
    error = refusal(api, token, RETIRE, {"code": "NONE-XX"}, "retireLicenseItem")
    assert error["code"] == "NOT_FOUND"


def test_only_an_admin_administers(api: Api) -> None:
    t = tokens(api)
    for who in ("clerk", "approver", "auditor", "applicant"):
        assert top_level_code(api, t[who], DEFINE, {"input": tzsb()}) == "FORBIDDEN"
        assert top_level_code(api, t[who], RETIRE, {"code": "TZSB-SCXK"}) == "FORBIDDEN"
    city = {"code": "440200", "name": "韶关市市场监督管理局", "level": "CITY",
            "parentCode": "440000", "divisionCode": "440200"}  # fmt: skip
    assert top_level_code(api, t["clerk"], DEFINE_ORG, {"input": city}) == "FORBIDDEN"
    year = {"year": 2027, "holidays": ["2027-01-01"], "workdays": [], "source": "通知"}
    assert top_level_code(api, t["supervisor"], LOAD_YEAR, year) == "FORBIDDEN"
    assert top_level_code(api, None, DEFINE, {"input": tzsb()}) == "UNAUTHENTICATED"


def test_a_retired_item_takes_no_new_filing(api: Api) -> None:
    t, token = tokens(api), admin(api)
    retired = payload(api.gql(RETIRE, {"code": "TZSB-SCXK"}, token), "retireLicenseItem")
    assert retired == {"item": {"code": "TZSB-SCXK", "version": 1}, "errors": []}
    filed = file(api, t, itemCode="TZSB-SCXK", materials=TZSB_ALL)
    assert filed["case"] is None
    assert (filed["errors"][0]["code"], filed["errors"][0]["field"]) == (
        "INVALID_STATE",
        "itemCode",
    )
    listed = api.gql("{ licenseItems { code } }", token=t["clerk"])["data"]["licenseItems"]
    assert "TZSB-SCXK" not in {i["code"] for i in listed}
    error = refusal(api, token, RETIRE, {"code": "TZSB-SCXK"}, "retireLicenseItem")
    assert error["code"] == "INVALID_STATE"
    defined(api, token, tzsb())  # in force again, as version 2
    assert file(api, t, itemCode="TZSB-SCXK", materials=TZSB_ALL)["case"]["caseNo"]


def test_a_new_city_authority_gets_the_filings_of_its_division(api: Api) -> None:
    t, token = tokens(api), admin(api)
    spsc = {
        "code": "SPSC-XKZ", "name": "食品生产许可（示例）", "legalBasis": "《食品安全法》第三十五条",
        "level": "CITY", "legalTimeLimitDays": 20, "extensionDays": 10,
        "materials": [{"code": "SQS", "name": "食品生产许可申请书", "required": True, "copies": 2,
                       "original": True, "note": "加盖公章"}],
    }  # fmt: skip
    assert defined(api, token, spsc)["version"] == 1
    before = file(api, t, itemCode="SPSC-XKZ", materials=["SQS"], jurisdictionCode="440203")
    assert before["errors"][0]["field"] == "jurisdictionCode"  # no city authority in 4402

    city = {"code": "440200", "name": "韶关市市场监督管理局", "level": "CITY",
            "parentCode": "440000", "divisionCode": "440200"}  # fmt: skip
    answer = payload(api.gql(DEFINE_ORG, {"input": city}, token), "defineOrganisation")
    assert answer["organisation"] == {
        "code": "440200", "name": "韶关市市场监督管理局", "level": "MUNICIPAL",
        "parentCode": "440000", "divisionCode": "440200", "active": True,
    }  # fmt: skip
    filed = file(api, t, itemCode="SPSC-XKZ", materials=["SQS"], jurisdictionCode="440203")
    assert filed["case"]["caseNo"].startswith("440200-2026-SPSC-"), filed
    city_clerk = api.token("sg-clerk", Role.CLERK, org="440200")  # the city's own staff act
    accepted = act(api, city_clerk, "acceptApplication", f'caseNo: "{filed["case"]["caseNo"]}"')
    assert accepted["status"] == "ACCEPTED"
    assert read(api, city_clerk, filed["case"]["caseNo"], "jurisdictionCode") == {
        "jurisdictionCode": "440200"
    }
    orgs = api.gql(f"{{ organisations {{ {ORG_FIELDS} }} }}")["data"]["organisations"]
    assert {o["code"] for o in orgs} >= {"000000", "440000", "440100", "440200"}

    answer = payload(
        api.gql(DEFINE_ORG, {"input": city | {"active": False}}, token), "defineOrganisation"
    )
    assert answer["organisation"]["active"] is False
    refused = file(api, t, itemCode="SPSC-XKZ", materials=["SQS"], jurisdictionCode="440203")
    assert refused["errors"][0]["field"] == "jurisdictionCode"

    unknown = city | {"code": "440500", "divisionCode": "440500", "parentCode": "449900"}
    error = refusal(api, token, DEFINE_ORG, {"input": unknown}, "defineOrganisation")
    assert (error["code"], error["field"]) == ("NOT_FOUND", "parentCode")
    bad = city | {"code": "440500", "divisionCode": "440500", "level": "PREFECTURE"}
    assert refusal(api, token, DEFINE_ORG, {"input": bad}, "defineOrganisation")["code"] == (
        "VALIDATION"
    )


def test_loading_a_year_recomputes_open_deadlines(api: Api, clock: SettableClock) -> None:
    """Accepted Mon 21 Dec 2026, TZSB's 20 working days run into 2027, an estimated year
    until its schedule is loaded. Loaded with 1, 4 and 5 Jan 2027 off: Tue 22 - Thu 31 Dec
    are days 1-8, Wed 6 Jan the 9th, then Thu 7 (10), Fri 8 (11), Mon 11 - Fri 15 (12-16),
    Mon 18 - Thu 21 (17-20): due Thu 21 Jan 2027."""
    t, token = tokens(api), admin(api)
    estimated = api.gql("{ calendarYear(year: 2027) { year official source } }")["data"]
    assert estimated["calendarYear"]["official"] is False
    clock.set(at(2026, 12, 21, 9))
    case_no = file_tzsb_accepted(api, t)
    assert read(api, t["clerk"], case_no, DEADLINES)["deadlines"]["provisional"] is True

    year = {"year": 2027, "holidays": ["2027-01-01", "2027-01-04", "2027-01-05"],
            "workdays": [], "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）"}  # fmt: skip
    loaded = payload(api.gql(LOAD_YEAR, year, token), "loadCalendarYear")
    assert loaded == {"calendar": year | {"official": True}, "errors": []}
    deadlines = read(api, t["clerk"], case_no, DEADLINES)["deadlines"]
    assert (deadlines["decisionDue"], deadlines["provisional"]) == ("2027-01-21", False)
    shown = api.gql("{ calendarYear(year: 2027) { holidays source official } }")["data"]
    assert shown["calendarYear"]["holidays"] == year["holidays"]
    bad = year | {"workdays": ["2027-01-04"]}  # a day both off and worked
    assert refusal(api, token, LOAD_YEAR, bad, "loadCalendarYear")["field"] == "workdays"
    other = year | {"holidays": ["2028-01-03"]}
    assert refusal(api, token, LOAD_YEAR, other, "loadCalendarYear")["code"] == "VALIDATION"


def test_every_change_is_in_the_audit_trail(api: Api) -> None:
    token = admin(api)
    defined(api, token, tzsb(committedTimeLimitDays=12))
    payload(api.gql(RETIRE, {"code": "JLQJ-XSPZ"}, token), "retireLicenseItem")
    city = {"code": "440200", "name": "韶关市市场监督管理局", "level": "CITY",
            "parentCode": "440000", "divisionCode": "440200"}  # fmt: skip
    payload(api.gql(DEFINE_ORG, {"input": city}, token), "defineOrganisation")
    caught_up(api)
    rows = api.services.views.fetchall(
        "SELECT event_type, actor_id, actor_role FROM audit_trail ORDER BY position"
    )
    trail = [(r["event_type"], r["actor_id"], r["actor_role"]) for r in rows]
    assert ("Seeded", "system", None) in trail  # xuke migrate's seed, twice (items, tree)
    assert trail[-3:] == [
        ("ItemDefined", "admin-1", "ADMIN"),
        ("ItemRetired", "admin-1", "ADMIN"),
        ("OrganisationDefined", "admin-1", "ADMIN"),
    ]


def test_a_citation_that_is_not_a_law_or_regulation_lifts_nothing(api: Api) -> None:
    """Law 42: 20 working days, 10 more with the head's approval, "法律、法规另有规定的，依照其
    规定". Any text is not a law: the review's 3 days with 300 days' extension is refused, as
    is a 规章 lengthening the limit; a law cited with an extension no longer than its limit,
    and a 规章 shortening it, are kept."""
    token = admin(api)
    for changes, field in [
        ({"legalTimeLimitDays": 3, "extensionDays": 300, "legalTimeLimitSource": "x"},
         "extensionDays"),
        ({"legalTimeLimitDays": 3, "extensionDays": 3, "legalTimeLimitSource": "x"},
         "legalTimeLimitSource"),
        ({"legalTimeLimitDays": 30, "legalTimeLimitSource": "《市场监督管理行政许可程序规定》第三十条"},
         "legalTimeLimitDays"),
    ]:  # fmt: skip
        item = tzsb(committedTimeLimitDays=None, **changes)
        error = refusal(api, token, DEFINE, {"input": item}, "defineLicenseItem")
        assert (error["code"], error["field"]) == ("VALIDATION", field), (changes, error)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error
    listed = api.gql("{ licenseItems { code version legalTimeLimitDays } }", token=token)
    assert {"code": "TZSB-SCXK", "version": 1, "legalTimeLimitDays": 20} in listed["data"][
        "licenseItems"
    ]
    law = "《中华人民共和国特种设备安全法》（示例修正）第十八条"
    kept = defined(api, token, tzsb(legalTimeLimitDays=30, extensionDays=15,
                                    legalTimeLimitSource=law))  # fmt: skip
    assert (kept["legalTimeLimitDays"], kept["extensionDays"]) == (30, 15)
    shorter = defined(
        api, token,
        tzsb(legalTimeLimitDays=25, extensionDays=10, committedTimeLimitDays=15,
             legalTimeLimitSource="《市场监督管理行政许可程序规定》第三十条"),
    )  # fmt: skip
    assert (shorter["version"], shorter["legalTimeLimitDays"]) == (3, 25)

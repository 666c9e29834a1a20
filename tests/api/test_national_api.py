"""The national level over real HTTP, on SQLite and PostgreSQL: what was received from the
provinces (``nationalRegister``, ``provinceCompliance``, ``exchangeSources``), for
SUPERVISOR, AUDITOR and ADMIN inside their jurisdiction, and for no one else.

Today is Mon 2026-09-28 (the suite's clock): a case whose decisionDue was Tue 2026-09-01 and
is neither decided nor closed is overdue; one due 2026-10-26 is not."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.integration.exchange_support import as_events, case_events, numbered
from tests.support import ENTERPRISE_CODE
from xuke.domain.roles import Role
from xuke.projections.national import FERRY, FOLLOW, record_failure, record_page

REGISTER = """query ($province: String, $first: Int, $after: String) {
  nationalRegister(province: $province, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { certificateNo itemCode holderName status validUntil province jurisdictionCode caseNo }
  }
}"""
COMPLIANCE = """{ provinceCompliance { province cases openAccepted overdue decidedOnTime
  decidedLate complianceRate } }"""
SOURCES = "{ exchangeSources { source kind url lastPosition events lastError } }"


def received(api: Api) -> None:
    """Guangdong followed (two granted, one late); Jiangsu ferried (one granted, one overdue)."""
    views = api.services.views
    gd = case_events(1, "440300") + case_events(2, "440106", decided_late=True)
    overdue = case_events(4, "320100")[:2]
    overdue[1]["payload"]["decisionDue"] = "2026-09-01"
    record_page(views, "gd", FOLLOW, as_events(numbered(gd)), url="http://gd.example")
    record_page(views, "ed25519:js", FERRY, as_events(numbered(case_events(3, "320100") + overdue)))
    record_failure(views, "gd", FOLLOW, "http://gd.example", "ConnectError: refused")


def test_the_national_register_lists_every_province_in_the_callers_jurisdiction(api: Api) -> None:
    received(api)
    national = api.token("zongju", Role.SUPERVISOR, org="000000")
    everything = api.gql(REGISTER, {"first": 2}, national)["data"]["nationalRegister"]
    assert everything["totalCount"] == 3 and everything["pageInfo"]["hasNextPage"]
    rest = api.gql(REGISTER, {"first": 2, "after": everything["pageInfo"]["endCursor"]}, national)
    nodes = everything["nodes"] + rest["data"]["nationalRegister"]["nodes"]
    assert [n["certificateNo"] for n in nodes] == [
        "XK320100-GYCP-2026-000003", "XK440106-GYCP-2026-000002", "XK440300-GYCP-2026-000001",
    ]  # fmt: skip
    assert nodes[2] == {
        "certificateNo": "XK440300-GYCP-2026-000001", "itemCode": "GYCP",
        "holderName": "深圳某某有限公司1", "status": "VALID", "validUntil": "2031-10-19",
        "province": "440000", "jurisdictionCode": "440300", "caseNo": "440300-2026-GYCP-000001",
    }  # fmt: skip
    guangdong = api.gql(REGISTER, {"province": "440000"}, national)["data"]["nationalRegister"]
    assert guangdong["totalCount"] == 2
    # A provincial auditor at the national instance sees their own province only.
    jiangsu = api.token("js-audit", Role.AUDITOR, org="320000")
    own = api.gql(REGISTER, {}, jiangsu)["data"]["nationalRegister"]
    assert [n["province"] for n in own["nodes"]] == ["320000"]


def test_supervision_by_province_counts_overdue_and_late(api: Api) -> None:
    received(api)
    admin = api.token("admin", Role.ADMIN, org="000000")
    rows = api.gql(COMPLIANCE, token=admin)["data"]["provinceCompliance"]
    assert rows == [
        {"province": "320000", "cases": 2, "openAccepted": 1, "overdue": 1, "decidedOnTime": 1,
         "decidedLate": 0, "complianceRate": 1.0},
        {"province": "440000", "cases": 2, "openAccepted": 0, "overdue": 0, "decidedOnTime": 1,
         "decidedLate": 1, "complianceRate": 0.5},
    ]  # fmt: skip
    sources = api.gql(SOURCES, token=admin)["data"]["exchangeSources"]
    assert sources == [
        {"source": "ed25519:js", "kind": "FERRY", "url": None, "lastPosition": 6, "events": 6,
         "lastError": None},
        {"source": "gd", "kind": "FOLLOW", "url": "http://gd.example", "lastPosition": 8,
         "events": 8, "lastError": "ConnectError: refused"},
    ]  # fmt: skip


def test_a_provincial_principal_sees_only_its_provinces_sources(api: Api) -> None:
    received(api)
    jiangsu = api.token("js-audit", Role.AUDITOR, org="320000")
    rows = api.gql("{ exchangeSources { source jurisdiction } }", token=jiangsu)
    assert rows["data"]["exchangeSources"] == [{"source": "ed25519:js", "jurisdiction": "320000"}]
    nanjing = api.token("nj-audit", Role.AUDITOR, org="320100")
    assert api.gql(SOURCES, token=nanjing)["data"]["exchangeSources"] == []


def test_only_oversight_roles_read_the_national_views(api: Api) -> None:
    received(api)
    applicant = api.token("enterprise", Role.APPLICANT, org=ENTERPRISE_CODE, jurisdiction="440305")
    staff = [
        api.token("someone", r, org="000000") for r in (Role.CLERK, Role.APPROVER, Role.EXCHANGE)
    ]
    for token in [*staff, applicant]:
        for query in (REGISTER, COMPLIANCE, SOURCES):
            body = api.gql(query, token=token)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    assert api.gql(COMPLIANCE)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_bad_province_or_cursor_is_bad_input(api: Api) -> None:
    token = api.token("zongju", Role.SUPERVISOR, org="000000")
    for variables in ({"province": "4403"}, {"province": "440300"}, {"after": "nonsense"}):
        body = api.gql(REGISTER, variables, token)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", variables

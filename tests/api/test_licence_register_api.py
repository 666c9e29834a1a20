"""The public register (公示, Law 40; SAMR 75) shows each licence's status over real HTTP, on
SQLite and PostgreSQL, and is searched by it.

Two TZSB-SCXK licences certified Mon 2026-10-12 (as in ``tests/integration/test_licences``);
one revoked: notice Mon 2 Nov, statement window 3-6, 9 Nov, revoked Tue 10 Nov 2026."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_legal_rules_api import caught_up
from tests.integration.test_licences import APPROVER, granted_licences, walk_to_decision
from tests.support import TZSB_ALL, applicant, at, enterprise
from xuke.application.clock import SettableClock
from xuke.domain.licence import ProceedingKind

REGISTER = """query ($status: LicenceStatus) {
  licenseRegister(status: $status) {
    totalCount
    edges { node { certificateNo status statusChangedOn validTo } }
  }
}"""


def test_the_register_is_searched_by_status(api: Api, clock: SettableClock) -> None:
    app = api.services.app
    kept, revoked = granted_licences(app, clock, 2)
    clock.set(at(2026, 11, 2))
    app.open_proceedings(APPROVER, str(revoked), ProceedingKind.REVOCATION, "以欺骗手段取得")
    clock.set(at(2026, 11, 10))
    app.revoke_licence(APPROVER, str(revoked), "以欺骗手段取得许可")
    caught_up(api)

    found = api.gql(REGISTER, {"status": "REVOKED"})
    assert "errors" not in found, found
    assert found["data"]["licenseRegister"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "certificateNo": revoked,
                    "status": "REVOKED",
                    "statusChangedOn": "2026-11-10",
                    "validTo": "2030-10-11",
                }
            }
        ],
    }
    valid = api.gql(REGISTER, {"status": "VALID"})["data"]["licenseRegister"]
    assert valid["totalCount"] == 1
    assert [e["node"]["certificateNo"] for e in valid["edges"]] == [kept]
    assert valid["edges"][0]["node"]["statusChangedOn"] is None
    everything = api.gql(REGISTER)["data"]["licenseRegister"]  # v1's query, unchanged
    assert everything["totalCount"] == 2
    assert api.gql(REGISTER, {"status": "EXPIRED"})["data"]["licenseRegister"] == {
        "totalCount": 0,
        "edges": [],
    }
    wrong = api.gql(REGISTER, {"status": "SUSPENDED"})
    assert wrong.get("errors") and wrong.get("data") is None  # not a LicenceStatus


SEARCH = """query ($search: String) {
  licenseRegister(search: $search) { totalCount edges { node { holderName } } }
}"""


def test_a_search_is_literal_and_bounded(api: Api, clock: SettableClock) -> None:
    """``%`` and ``_`` match only themselves (they matched every holder before), and a
    20,000-character search is bad input (it answered 503, as if the database were away)."""
    app = api.services.app
    clock.set(at(2026, 9, 28))
    case_no = app.file_application(
        applicant(), item_code="TZSB-SCXK", applicant=enterprise(), jurisdiction_code="440305",
        materials=TZSB_ALL,
    ).case.case_no  # fmt: skip
    walk_to_decision(app, case_no)
    clock.set(at(2026, 10, 12))
    app.issue_certificate(APPROVER, case_no)
    caught_up(api)
    assert api.gql(SEARCH, {"search": "华强"})["data"]["licenseRegister"]["totalCount"] == 1
    for wildcard in ("%", "_", "华%", "深圳_华强"):
        found = api.gql(SEARCH, {"search": wildcard})["data"]["licenseRegister"]
        assert found["totalCount"] == 0 and found["edges"] == [], wildcard
    long = api.gql(SEARCH, {"search": "华" * 20_000})
    assert long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

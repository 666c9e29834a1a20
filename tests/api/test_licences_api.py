"""Licences after grant (v2, M13) through GraphQL over real HTTP, on SQLite and PostgreSQL.
Every expected date is counted by hand (the working is in a comment next to it).

TZSB-SCXK: 20 working days, the certificate valid 4 years, a renewal filed by 30 working
days before validTo (Law 50, SAMR 27, 77). A case filed Mon 28 Sep 2026 and certified Mon
12 Oct 2026 gives a licence valid 2026-10-12 to 2030-10-11 (民法典 202: the day before the
4th anniversary). 2026 is the official schedule; 2027 and 2030 are estimated (fixed-date
holidays and our lunar table; 2030: National Day Tue 1 - Thu 3 Oct, 中秋 Thu 12 Sep).

Law = 《行政许可法》; SAMR = 《市场监督管理行政许可程序暂行规定》.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_graphql import application, file, tokens
from tests.api.test_legal_rules_api import act, decide, file_tzsb, read, to_approval
from tests.support import ENTERPRISE_CODE, OTHER_ENTERPRISE_CODE, TZSB_ALL, at
from xuke.application.clock import SettableClock
from xuke.domain.roles import Role

LICENCE = (
    "certificateNo item { code } "
    "holder { kind name creditCode idNumberMasked contactPhoneMasked } jurisdictionCode status "
    "validFrom validTo renewalApplyBy deemedRenewed scope caseNos version documents { number }"
)
HEARING = "hearing { basis status notifiedOn requestBy requestedOn holdBy heldOn record }"
PROCEEDINGS = (
    "proceedings { kind grounds openedBy noticedOn statementBy decideBy extended compensation "
    f"{HEARING} }}"
)
HISTORY = "history { version type actorRole summary }"
PAYLOAD = (
    f"licence {{ certificateNo status version {PROCEEDINGS} }} errors {{ code message field }}"
)


# ---------------------------------------------------------------- small helpers


def licence(api: Api, token: str | None, number: str, fields: str = LICENCE) -> Any:
    """The licence as the caller may see it (None: absent or not visible)."""
    body = api.gql(
        f"query($n: String!) {{ licence(certificateNo: $n) {{ {fields} }} }}", {"n": number}, token
    )
    assert "errors" not in body, body
    return body["data"]["licence"]


def mutation(api: Api, token: str, name: str, args: str) -> dict[str, Any]:
    """The whole answer: the payload under ``data``, or a top-level refusal under ``errors``."""
    return api.gql(f"mutation {{ {name}({args}) {{ {PAYLOAD} }} }}", token=token)


def done(api: Api, token: str, name: str, args: str) -> dict[str, Any]:
    """A licence mutation that must succeed: the licence it returns."""
    body = mutation(api, token, name, args)
    assert "errors" not in body and not body["data"][name]["errors"], body
    found: dict[str, Any] = body["data"][name]["licence"]
    return found


def refused(api: Api, token: str, name: str, args: str) -> dict[str, Any]:
    """A licence mutation that must fail with a typed error in its payload: that error."""
    body = mutation(api, token, name, args)
    assert "errors" not in body, body
    payload = body["data"][name]
    assert payload["licence"] is None and payload["errors"], payload
    error: dict[str, Any] = payload["errors"][0]
    return error


def top_level(body: dict[str, Any]) -> str:
    """A refusal outside any payload (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT): its code."""
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


def granted(api: Api, t: dict[str, str], clock: SettableClock) -> tuple[str, str]:
    """Filed and decided Mon 28 Sep 2026, certified Mon 12 Oct: (case number, certificate
    number); the licence is valid 2026-10-12 to 2030-10-11."""
    clock.set(at(2026, 9, 28))
    case_no = file_tzsb(api, t)
    to_approval(api, t, case_no)
    decide(api, t, case_no, grant=True)
    clock.set(at(2026, 10, 12))
    act(api, t["approver"], "issueCertificate", f'caseNo: "{case_no}"')
    number: str = read(api, t["approver"], case_no, "certificateNo")["certificateNo"]
    return case_no, number


def file_for(api: Api, t: dict[str, str], number: str, who: str = "applicant") -> dict[str, Any]:
    """A RENEWAL of licence ``number`` filed by ``who`` (its own enterprise as the applicant):
    the whole answer."""
    code = ENTERPRISE_CODE if who == "applicant" else OTHER_ENTERPRISE_CODE
    filing = application(itemCode="TZSB-SCXK", materials=TZSB_ALL, kind="RENEWAL", certificateNo=number)  # fmt: skip
    filing["applicant"] = {**filing["applicant"], "creditCode": code}
    query = (
        "mutation($input: FileApplicationInput!) { fileApplication(input: $input) { "
        "case { caseNo } errors { code message field } } }"
    )
    return api.gql(query, {"input": filing}, t[who])


# ---------------------------------------------------------------- the licence and who sees it


def test_a_certificate_creates_a_licence_for_its_holder_and_staff_only(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    case_no, number = granted(api, t, clock)
    # Law 50, SAMR 27, 77: the day D with 30 working days in (D, Fri 11 Oct 2030], on the
    # estimated 2030: Oct 11, 10, 9, 8, 7, 4 (6; 1-3 Oct off); Sep 30, 27-23 (12), 20-16 (17),
    # 13 (18; Thu 12 中秋 off), 11-9 (21), 6-2 (26); Aug 30-27 (30) ⇒ Mon 26 Aug 2030.
    assert licence(api, t["applicant"], number) == {
        "certificateNo": number, "item": {"code": "TZSB-SCXK"},
        "holder": {"kind": "ENTERPRISE", "name": "深圳市华强电器有限公司",
                   "creditCode": ENTERPRISE_CODE, "idNumberMasked": None,
                   "contactPhoneMasked": "138****8000"},
        "jurisdictionCode": "440000", "status": "VALID", "validFrom": "2026-10-12",
        "validTo": "2030-10-11", "renewalApplyBy": "2030-08-26", "deemedRenewed": False,
        "scope": {}, "caseNos": [case_no], "version": 1, "documents": [],
    }  # fmt: skip
    for who in ("clerk", "approver", "supervisor", "auditor"):
        assert licence(api, t[who], number, "certificateNo") == {"certificateNo": number}, who
    assert licence(api, t["stranger"], number, "certificateNo") is None
    assert licence(api, t["applicant"], "no-such-certificate", "certificateNo") is None
    anonymous = api.gql('{ licence(certificateNo: "x") { certificateNo } }')
    assert top_level(anonymous) == "UNAUTHENTICATED"
    found = licence(api, t["applicant"], number, f"proceedings {{ kind }} {HISTORY}")
    assert found["proceedings"] is None
    assert found["history"] == [
        {"version": 1, "type": "LicenceIssued", "actorRole": "APPROVER",
         "summary": f"许可证 {number} 生效（{case_no}），有效期 2026-10-12 至 2030-10-11"},
    ]  # fmt: skip


# ---------------------------------------------------------------- renewal (Law 50)


def test_a_renewal_granted_runs_from_valid_to_plus_one_under_the_same_number(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    first, number = granted(api, t, clock)
    clock.set(at(2030, 8, 1))  # before renewalApplyBy (Mon 26 Aug 2030)
    filed = file(
        api, t, itemCode="TZSB-SCXK", materials=TZSB_ALL, kind="RENEWAL", certificateNo=number
    )
    assert not filed["errors"], filed
    renewal = filed["case"]["caseNo"]
    assert licence(api, t["applicant"], number, "caseNos")["caseNos"] == [first, renewal]
    to_approval(api, t, renewal)
    decide(api, t, renewal, grant=True)
    act(api, t["approver"], "issueCertificate", f'caseNo: "{renewal}"')
    case = read(api, t["applicant"], renewal, "kind certificateNo")
    assert case == {"kind": "RENEWAL", "certificateNo": number}  # the same number (条例 25)
    # Law 50: the new term runs from validTo + 1 = 12 Oct 2030 for 4 years, to 11 Oct 2034.
    found = licence(api, t["applicant"], number, f"status validFrom validTo caseNos {HISTORY}")
    assert {k: v for k, v in found.items() if k != "history"} == {
        "status": "VALID", "validFrom": "2030-10-12", "validTo": "2034-10-11",
        "caseNos": [first, renewal],
    }  # fmt: skip
    assert [(e["type"], e["summary"]) for e in found["history"][1:]] == [
        ("CaseLinked", f"2030-08-01 提出延续申请 {renewal}"),
        ("LicenceRenewed", f"准予延续（{renewal}），证书编号不变，有效期 2030-10-12 至 2034-10-11"),
    ]


def test_only_the_holder_renews_and_only_in_time(api: Api, clock: SettableClock) -> None:
    t = tokens(api)
    first, number = granted(api, t, clock)
    clock.set(at(2030, 8, 1))
    assert top_level(file_for(api, t, number, who="stranger")) == "FORBIDDEN"
    # renewalApplyBy is Mon 26 Aug 2030 (counted above); 2030 being estimated, a filing is
    # refused only after validTo − 30 days = 11 Sep (Law 82: nothing irreversible on an
    # estimate). Tue 1 Oct is past both: the holder must apply anew.
    clock.set(at(2030, 10, 1))
    body = file_for(api, t, number)
    assert "errors" not in body, body
    payload = body["data"]["fileApplication"]
    assert payload["case"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("TOO_LATE", "certificateNo")]
    assert licence(api, t["applicant"], number, "version caseNos") == {
        "version": 1,
        "caseNos": [first],  # nothing recorded
    }


# ---------------------------------------------------------------- 撤销 / 撤回 / 注销


def test_revocation_is_a_procedure_with_a_statement_window_and_a_hearing_on_request(
    api: Api, clock: SettableClock
) -> None:
    t = tokens(api)
    city_approver = api.token("sz-approver", Role.APPROVER, org="440300")
    _, revoked = granted(api, t, clock)
    _, heard = granted(api, t, clock)
    clock.set(at(2026, 11, 2))  # Monday
    opening = f'certificateNo: "{revoked}", kind: REVOCATION, grounds: "以欺骗手段取得许可"'
    # SAMR 40: the granting authority (the province's) or its superior; not the city's.
    for token in (city_approver, t["applicant"], t["handler"]):
        assert top_level(mutation(api, token, "openProceedings", opening)) == "FORBIDDEN"
    too_long = f'certificateNo: "{revoked}", kind: REVOCATION, grounds: "{"理" * 2001}"'
    assert top_level(mutation(api, t["approver"], "openProceedings", too_long)) == "BAD_USER_INPUT"
    opened = done(api, t["approver"], "openProceedings", opening)
    # Statement by 5 working days from Mon 2 Nov: 3-6 (4), Mon 9 Nov (5). Decision within 60
    # working days (SAMR 45): 3-6 Nov (4), 9-27 (19), 30 Nov (20), 1-4 Dec (24), 7-25 (39),
    # 28-31 (43); 2027 (estimated): Fri 1 Jan off, 4-22 Jan (58), Mon 25 (59), Tue 26 (60).
    assert opened == {
        "certificateNo": revoked, "status": "VALID", "version": 2,
        "proceedings": {
            "kind": "REVOCATION", "grounds": "以欺骗手段取得许可", "openedBy": "440000",
            "noticedOn": "2026-11-02", "statementBy": "2026-11-09", "decideBy": "2027-01-26",
            "extended": False, "compensation": None,
            "hearing": {"basis": "ARTICLE_47_RIGHT", "status": "NOTIFIED",
                        "notifiedOn": "2026-11-02", "requestBy": "2026-11-09",
                        "requestedOn": None, "holdBy": None, "heldOn": None, "record": None},
        },
    }  # fmt: skip
    withdrawal = f'certificateNo: "{heard}", kind: WITHDRAWAL_CIRCUMSTANCES, grounds: "客观情况发生重大变化"'  # fmt: skip
    done(api, t["approver"], "openProceedings", withdrawal)
    again = refused(api, t["approver"], "openProceedings", withdrawal)
    assert again["code"] == "INVALID_STATE"  # one procedure at a time

    # Law 47: the holder asks for a hearing inside the window; nobody else may.
    clock.set(at(2026, 11, 5))
    ask = f'certificateNo: "{heard}"'
    assert top_level(mutation(api, t["stranger"], "requestLicenceHearing", ask)) == "FORBIDDEN"
    asked = done(api, t["applicant"], "requestLicenceHearing", ask)["proceedings"]["hearing"]
    # Held within 20 working days of Thu 5 Nov: 6 (1), 9-13 (6), 16-20 (11), 23-27 (16),
    # 30 Nov (17), 1-3 Dec (20) ⇒ Thu 3 Dec 2026.
    assert (asked["status"], asked["requestedOn"], asked["holdBy"]) == (
        "REQUESTED", "2026-11-05", "2026-12-03",
    )  # fmt: skip

    revoke = f'certificateNo: "{revoked}", reason: "以欺骗手段取得许可，依法撤销"'
    clock.set(at(2026, 11, 9, 16))  # the window's last day: no decision yet
    assert refused(api, t["approver"], "revokeLicence", revoke)["code"] == "INVALID_STATE"
    clock.set(at(2026, 11, 10))
    late = refused(api, t["applicant"], "requestLicenceHearing", f'certificateNo: "{revoked}"')
    assert late["code"] == "DEADLINE_PASSED"
    # A hearing asked for must be held before the decision (Law 48(2)).
    withdraw = f'certificateNo: "{heard}", reason: "客观情况发生重大变化，依法撤回"'
    assert refused(api, t["approver"], "withdrawLicence", withdraw)["code"] == "INVALID_STATE"
    assert top_level(mutation(api, t["applicant"], "revokeLicence", revoke)) == "FORBIDDEN"
    decided = done(api, t["approver"], "revokeLicence", revoke)
    assert decided["status"] == "REVOKED"
    assert decided["proceedings"]["hearing"]["status"] == "WAIVED"  # not asked for in time
    assert refused(api, t["approver"], "revokeLicence", revoke)["code"] == "FORBIDDEN_TRANSITION"

    # Law 70(4): a revoked licence is cancelled on that ground, and on no other.
    force = f'certificateNo: "{revoked}", ground: FORCE_MAJEURE, note: "不可抗力"'
    assert refused(api, t["approver"], "cancelLicence", force)["code"] == "FORBIDDEN_TRANSITION"
    cancel = f'certificateNo: "{revoked}", ground: REVOKED_OR_WITHDRAWN, note: "撤销后注销"'
    cancelled = done(api, t["approver"], "cancelLicence", cancel)
    assert (cancelled["status"], cancelled["proceedings"]) == ("CANCELLED", None)
    history = licence(api, t["applicant"], revoked, HISTORY)["history"]
    assert [(e["version"], e["type"], e["actorRole"], e["summary"]) for e in history[1:]] == [
        (2, "ProceedingsOpened", "APPROVER",
         "告知撤销: 以欺骗手段取得许可；陈述申辩、申请听证至 2026-11-09，2027-01-26 前作出决定"),
        (3, "LicenceRevoked", "APPROVER", "撤销许可: 以欺骗手段取得许可，依法撤销"),
        (4, "LicenceCancelled", "APPROVER",
         "注销许可（许可被撤销、撤回或者证件被吊销）: 撤销后注销"),
    ]  # fmt: skip
    assert licence(api, t["approver"], heard, f"status {HISTORY}")["history"][-1]["summary"] == (
        "持证人于 2026-11-05 申请听证"
    )

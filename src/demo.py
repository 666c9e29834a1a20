"""``xuke demo``: one realistic case walked through its whole life on the embedded default.

The case runs on a simulated clock from 21 September 2026, across the National Day holiday
and the 10 October make-up working day, so every date printed is a real working-day result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from xuke.application.clock import SettableClock
from xuke.application.licensing import CommandResult, LicensingApplication
from xuke.application.principal import Principal
from xuke.application.summaries import STAGES, label, summarize
from xuke.domain.case import LicenseCase
from xuke.domain.deadlines import Deadlines
from xuke.domain.licence import Licence
from xuke.domain.model import SHANGHAI, DomainEvent
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, ServiceMethod, SuspensionReason

ENTERPRISE = {
    "kind": "ENTERPRISE",
    "name": "深圳市鹏城电线电缆有限公司",
    "credit_code": "91440300708461136T",
    "contact_phone": "0755-26880000",
    "address": "深圳市南山区科技园南区高新南一道 8 号",
}
APPLICANT = Principal(
    "ent-pengcheng", frozenset({Role.APPLICANT}), "91440300708461136T", "440305", "鹏城电缆"
)


def official(user: str, name: str, role: Role) -> Principal:
    return Principal(user, frozenset({role}), "440000", "440000", name)


CLERK = official("gd-clerk-zhang", "张敏", Role.CLERK)
HANDLER = official("gd-handler-li", "李强", Role.HANDLER)
REVIEWER = official("gd-reviewer-wang", "王芳", Role.REVIEWER)
APPROVER = official("gd-approver-chen", "陈建国", Role.APPROVER)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def demo_start() -> dt.datetime:
    return at(9, 21)


def run_demo(app: LicensingApplication, clock: SettableClock, console: Console) -> LicenseCase:
    """File and walk one case; return it as it ends."""
    clock.set(demo_start())
    filed = app.file_application(
        APPLICANT, item_code="GYCP-SCXK", applicant=ENTERPRISE, jurisdiction_code="440305",
        materials=["SQS", "YYZZ"], form={"产品名称": "电线电缆", "electronicServiceConsent": True, "electronicServiceAddress": "service@huaqiang.example"},
    )  # fmt: skip
    case_no = filed.case.case_no
    console.print(
        f"[bold]案件编号[/] {case_no}    [bold]查询码[/] {filed.query_code}（仅显示一次）"
    )

    steps: list[tuple[dt.datetime, Callable[[], CommandResult]]] = [
        (at(9, 23), lambda: app.request_correction(CLERK, case_no, ["CPBZ", "SCSB"], "请补正产品执行标准和设备清单")),
        (at(9, 28), lambda: app.submit_correction(APPLICANT, case_no, ["CPBZ", "SCSB"])),
        (at(9, 29), lambda: app.accept_application(CLERK, case_no)),
        (at(10, 9), lambda: app.claim_task(HANDLER, f"{case_no}#3")),
        (at(10, 9, 15), lambda: app.record_opinion(
            HANDLER, case_no, Opinion.AGREE, "材料齐全，实地核查符合要求", {"核查组": "3 人", "核查结论": "符合"})),
        (at(10, 12), lambda: app.suspend_clock(
            REVIEWER, case_no, SuspensionReason.TESTING, 15, "产品送国家电线电缆质检中心检验")),
        (at(10, 30), lambda: app.resume_clock(REVIEWER, case_no)),
        (at(11, 3), lambda: app.record_opinion(REVIEWER, case_no, Opinion.AGREE, "检验合格，同意")),
        (at(11, 20), lambda: app.record_opinion(APPROVER, case_no, Opinion.AGREE, "同意发证")),
        (at(11, 20, 11), lambda: app.decide(APPROVER, case_no, True, "符合发证条件")),
        (at(11, 23), lambda: app.issue_certificate(APPROVER, case_no)),
        (at(11, 25), lambda: app.record_service(APPROVER, case_no, ServiceMethod.MAIL, at(11, 25, 9))),
    ]  # fmt: skip
    case = filed.case
    for moment, step in steps:
        clock.set(moment)
        case = step().case
    clock.set(at(11, 26, 9))
    print_history(app, case, console)
    print_deadlines(app.deadlines(case), console)
    return case


def print_history(app: LicensingApplication, case: LicenseCase, console: Console) -> None:
    title = f"{case.case_no} 办理过程（{case.item_name}）"
    print_events(app.history(case, case.version), title, console)  # as it stood
    console.print(
        f"状态: {case.status.value}  环节: {STAGES[case.stage.value]}  证书: {case.certificate_no}"
    )


def print_licence(app: LicensingApplication, licence: Licence, console: Console) -> None:
    title = f"{licence.certificate_no} 许可证记录（{licence.item_name}）"
    print_events(app.licence_history(licence), title, console)
    console.print(
        f"状态: {licence.status.value}  有效期: {licence.valid_from} 至 {licence.valid_to or '长期'}"
        f"  持证人: {licence.holder.public_name}"
    )


def print_events(events: list[DomainEvent], title: str, console: Console) -> None:
    """Every event: version, time (Beijing), what, who, as what, and its summary."""
    table = Table(title=title, show_lines=False)
    for column in ("版本", "时间", "环节事件", "操作人", "角色", "内容"):
        table.add_column(column)
    for event in events:
        table.add_row(
            str(event.originator_version),
            event.timestamp.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            label(event),
            event.actor.id,
            event.actor.role.value if event.actor.role else "系统",
            summarize(event),
        )
    console.print(table)


def print_deadlines(deadlines: Deadlines, console: Console) -> None:
    table = Table(title="法定期限（工作日，《行政许可法》第八十二条）")
    table.add_column("项目")
    table.add_column("值")
    rows = [
        ("受理期限 (第三十二条)", deadlines.acceptance_due),
        ("决定期限 (第四十二条，含中止与延期)", deadlines.decision_due),
        ("承诺期限", deadlines.committed_due),
        ("送达期限 (第四十四条)", deadlines.service_due),
        ("已用工作日（扣除中止）", deadlines.working_days_used),
        ("中止工作日 (第四十五条)", deadlines.working_days_suspended),
        ("已延期", "是" if deadlines.extended else "否"),
        ("暂定（依赖未加载的年度节假日）", "是" if deadlines.provisional else "否"),
        ("信号灯", deadlines.light.value),
    ]
    for name, value in rows:
        table.add_row(name, str(value) if value is not None else "—")
    console.print(table)

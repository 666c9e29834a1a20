"""Human-readable Chinese summaries of case events, for histories and the demo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xuke.domain.case import LicenseCase as C
from xuke.domain.model import DomainEvent
from xuke.domain.stages import SUSPENSION_REASONS, TERMINATION_GROUNDS

EVENT_LABELS: dict[str, str] = {
    "ApplicationFiled": "申请",
    "CorrectionRequested": "补正告知",
    "CorrectionSubmitted": "提交补正",
    "CorrectionPeriodExtended": "延长补正期限",
    "ApplicationAbandoned": "视为放弃申请",
    "ApplicationAccepted": "受理",
    "ApplicationDeemedAccepted": "视为受理",
    "ApplicationNotAccepted": "不予受理",
    "TaskClaimed": "签收",
    "OpinionRecorded": "签署意见",
    "ClockSuspended": "中止计时",
    "ClockResumed": "恢复计时",
    "DeadlineExtended": "延期",
    "LicenseGranted": "准予许可",
    "LicenseDenied": "不予许可",
    "CertificateIssued": "制证",
    "DecisionServed": "送达",
    "ApplicationWithdrawn": "撤回",
    "CaseTerminated": "终止",
}
OPINIONS = {"AGREE": "同意", "DISAGREE": "不同意", "RETURN": "退回"}
STAGES = {
    "ACCEPTANCE": "受理", "HANDLING": "承办", "REVIEW": "审核", "APPROVAL": "审批",
    "CERTIFICATION": "制证", "SERVICE": "送达", "DONE": "办结",
}  # fmt: skip
SERVICE_METHODS = {
    "DIRECT": "直接送达",
    "MAIL": "邮寄送达",
    "ELECTRONIC": "电子送达",
    "PUBLIC_NOTICE": "公告送达",
    "LEFT_AT_ADDRESS": "留置送达",
    "ENTRUSTED": "委托送达",
}

_SUMMARIES: dict[type[Any], Callable[[Any], str]] = {
    C.ApplicationFiled: lambda e: (
        f"{e.applicant.public_name} 申请{e.item_name}（{'窗口' if e.channel == 'HALL' else '网上'}）"
    ),
    C.CorrectionRequested: lambda e: (
        f"一次性告知补正: {', '.join(e.notice.missing_materials)}（{e.notice.notice_no}）"
    ),
    C.CorrectionSubmitted: lambda e: f"提交补正材料: {', '.join(e.materials)}",
    C.CorrectionPeriodExtended: lambda e: (
        f"补正期限延长 {e.extra_working_days} 个工作日: {e.reason}"
    ),
    C.ApplicationAbandoned: lambda e: f"补正期限 {e.correction_due} 届满未补正，视为放弃申请",
    C.ApplicationAccepted: lambda e: (
        f"受理，受理日期 {e.accepted_on}（{e.notice_no}）"
        + ("，逾期视为自收件日受理" if e.late else "")
    ),
    C.ApplicationDeemedAccepted: lambda e: f"五个工作日内未作受理决定，视为自 {e.accepted_on} 受理",
    C.ApplicationNotAccepted: lambda e: f"不予受理: {e.reason}（{e.notice_no}）",
    C.TaskClaimed: lambda e: f"{e.assignee} 签收任务 #{e.task_no}",
    C.OpinionRecorded: lambda e: (
        f"{STAGES[e.opinion.stage]}意见: {OPINIONS[e.opinion.opinion]} — {e.opinion.comment}"
        f"（转{STAGES[e.next_stage]}）"
    ),
    C.ClockSuspended: lambda e: (
        f"因{SUSPENSION_REASONS[e.suspension.reason]}中止计时，预计 {e.suspension.expected_working_days} 个工作日"
    ),
    C.ClockResumed: lambda e: f"{e.resumed_on} 恢复计时",
    C.DeadlineExtended: lambda e: f"经负责人批准延长 {e.extra_working_days} 个工作日: {e.reason}",
    C.LicenseGranted: lambda e: f"准予许可（{e.notice_no}）",
    C.LicenseDenied: lambda e: f"不予许可: {e.reason}（{e.notice_no}）",
    C.CertificateIssued: lambda e: (
        f"颁发证书 {e.certificate_no}，有效期 {e.valid_from} 至 {e.valid_to or '长期'}"
    ),
    C.DecisionServed: lambda e: (
        f"{SERVICE_METHODS[e.service.method]}，视为 {e.service.deemed_served_on} 送达"
        + (f"（{e.service.reason}）" if e.service.reason else "")
    ),
    C.ApplicationWithdrawn: lambda e: f"申请人撤回: {e.reason}",
    C.CaseTerminated: lambda e: f"终止办理（{TERMINATION_GROUNDS[e.ground]}）: {e.reason}",
}


def summarize(event: DomainEvent) -> str:
    for cls, summary in _SUMMARIES.items():
        if isinstance(event, cls):
            return summary(event)
    return type(event).__name__


def label(event: DomainEvent) -> str:
    return EVENT_LABELS.get(type(event).__name__, type(event).__name__)

"""Human-readable Chinese summaries of case and licence events, for histories and the demo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xuke.domain.case import LicenseCase as C
from xuke.domain.licence import Licence as L
from xuke.domain.model import DomainEvent, local_date
from xuke.domain.stages import HEARING_BASES, SUSPENSION_REASONS, TERMINATION_GROUNDS

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
    "TaskReleased": "退回签收",
    "TaskReassigned": "改派",
    "OpinionRecorded": "签署意见",
    "ClockSuspended": "中止计时",
    "ClockResumed": "恢复计时",
    "DeadlineExtended": "延期",
    "HearingNoticed": "听证告知",
    "HearingRequested": "申请听证",
    "HearingWaived": "放弃听证",
    "HearingRequestLapsed": "逾期未申请听证",
    "HearingScheduled": "听证通知",
    "HearingRecorded": "听证笔录",
    "LicenseGranted": "准予许可",
    "LicenseDenied": "不予许可",
    "CertificateIssued": "制证",
    "DecisionServed": "送达",
    "ApplicationWithdrawn": "撤回",
    "CaseTerminated": "终止",
    "AttachmentsAdded": "提交材料附件",
    "DocumentIssued": "出具文书",  # a case's or a licence's
    # a licence's events (domain/licence.py)
    "LicenceIssued": "许可证生效",
    "CaseLinked": "关联申请",
    "LicenceRenewed": "延续",
    "RenewalClosed": "延续未准予",
    "LicenceDeemedRenewed": "视为准予延续",
    "LicenceExpired": "有效期届满",
    "LicenceChanged": "变更",
    "CertificateReissued": "补办证书",
    "CertificateCorrected": "更正证书",
    "ProceedingsOpened": "撤销或撤回告知",
    "LicenceHearingRequested": "申请听证",
    "LicenceHearingHeld": "听证笔录",
    "ProceedingsExtended": "延长办理期限",
    "ProceedingsDiscontinued": "终结程序",
    "LicenceRevoked": "撤销许可",
    "LicenceWithdrawn": "撤回许可",
    "LicenceCancelled": "注销许可",
}
OPINIONS = {"AGREE": "同意", "DISAGREE": "不同意", "RETURN": "退回"}
STAGES = {
    "ACCEPTANCE": "受理", "PRELIMINARY_REVIEW": "初审", "HANDLING": "承办", "REVIEW": "审核", "APPROVAL": "审批",
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
APPLICATION_KINDS = {
    "NEW": "新办", "CHANGE": "变更", "RENEWAL": "延续", "CANCELLATION": "注销",
    "REISSUE": "补办", "CERTIFICATE_CORRECTION": "更正",
}  # fmt: skip
CASE_OUTCOMES = {
    "NOT_ACCEPTED": "不予受理", "DENIED": "不予许可", "WITHDRAWN": "申请人撤回",
    "TERMINATED": "终止办理", "ABANDONED": "视为放弃", "CLOSED": "办结",
}  # fmt: skip
PROCEEDING_KINDS = {
    "REVOCATION": "撤销",
    "WITHDRAWAL_CIRCUMSTANCES": "撤回（客观情况发生重大变化）",
    "WITHDRAWAL_LAW_CHANGE": "撤回（所依据的法律、法规修改或者废止）",
}
CANCELLATION_GROUNDS = {
    "EXPIRED_NOT_RENEWED": "有效期届满未延续",
    "PERSON_DECEASED_OR_INCAPABLE": "公民死亡或者丧失行为能力",
    "ORGANISATION_TERMINATED": "法人或者其他组织依法终止",
    "REVOKED_OR_WITHDRAWN": "许可被撤销、撤回或者证件被吊销",
    "FORCE_MAJEURE": "因不可抗力无法实施",
    "OTHER_BY_LAW": "法律、法规规定的其他情形",
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
    C.TaskReleased: lambda e: f"{e.released_by} 退回签收任务 #{e.task_no}，任务回到候选组",
    C.TaskReassigned: lambda e: f"任务 #{e.task_no} 改派给 {e.assignee}: {e.reason}",
    C.OpinionRecorded: lambda e: (
        f"{STAGES[e.opinion.stage]}意见: {OPINIONS[e.opinion.opinion]} — {e.opinion.comment}"
        f"（转{STAGES[e.next_stage]}）"
    ),
    C.ClockSuspended: lambda e: (
        f"因{SUSPENSION_REASONS[e.suspension.reason]}中止计时，预计 {e.suspension.expected_working_days} 个工作日"
    ),
    C.ClockResumed: lambda e: f"{e.resumed_on} 恢复计时",
    C.DeadlineExtended: lambda e: f"经负责人批准延长 {e.extra_working_days} 个工作日: {e.reason}",
    C.HearingNoticed: lambda e: (
        f"听证告知（{HEARING_BASES[e.hearing.basis]}）: {e.hearing.note}；自 {e.hearing.notified_on} 中止计时"
    ),
    C.HearingRequested: lambda e: f"申请人于 {e.requested_on} 申请听证",
    C.HearingWaived: lambda e: f"申请人放弃听证，恢复计时（中止至 {e.resumed_on}）",
    C.HearingRequestLapsed: lambda e: (
        f"申请人逾期（{e.request_by}）未申请听证，视为放弃听证，恢复计时"
    ),
    C.HearingScheduled: lambda e: (
        f"定于 {local_date(e.scheduled_at)} 在{e.place}举行听证，主持人 {e.presiding_officer}"
    ),
    C.HearingRecorded: lambda e: f"{e.held_on} 举行听证，制作听证笔录，恢复计时",
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
    C.AttachmentsAdded: lambda e: (
        "提交材料附件: " + ", ".join(f"{a.material_code}（{a.file_name}）" for a in e.attachments)
    ),
    C.DocumentIssued: lambda e: f"出具{e.title}（{e.number}）",
    L.DocumentIssued: lambda e: f"出具{e.title}（{e.number}）",
    # a licence's events
    L.LicenceIssued: lambda e: (
        f"许可证 {e.certificate_no} 生效（{e.case_no}），有效期 {e.valid_from} 至 {e.valid_to or '长期'}"
    ),
    L.CaseLinked: lambda e: f"{e.filed_on} 提出{APPLICATION_KINDS[e.kind]}申请 {e.case_no}",
    L.LicenceRenewed: lambda e: (
        f"准予延续（{e.case_no}），证书编号不变，有效期 {e.valid_from} 至 {e.valid_to}"
    ),
    L.RenewalClosed: lambda e: (
        f"延续申请 {e.case_no} 未获准予（{CASE_OUTCOMES.get(e.outcome, e.outcome)}）"
    ),
    L.LicenceDeemedRenewed: lambda e: (
        f"延续申请 {e.case_no} 有效期届满前未作决定，视为准予延续，有效期 {e.valid_from} 至 {e.valid_to}"
    ),
    L.LicenceExpired: lambda e: f"有效期届满未延续，自 {e.expired_on} 失效",
    L.LicenceChanged: lambda e: (
        f"准予变更（{e.case_no}）"
        + (f"，持证人 {e.holder.name}" if e.holder is not None else "")
        + ("，许可范围变更" if e.scope is not None else "")
    ),
    L.CertificateReissued: lambda e: f"补办证书（{e.case_no}）",
    L.CertificateCorrected: lambda e: f"更正证书（{e.case_no}）: {', '.join(e.fields)}",
    L.ProceedingsOpened: lambda e: (
        f"告知{PROCEEDING_KINDS[e.proceedings.kind]}: {e.proceedings.grounds}；"
        f"陈述申辩、申请听证至 {e.proceedings.statement_by}，{e.proceedings.decide_by} 前作出决定"
    ),
    L.LicenceHearingRequested: lambda e: f"持证人于 {e.requested_on} 申请听证",
    L.LicenceHearingHeld: lambda e: (
        f"{e.held_on} 举行听证，制作听证笔录；决定期限顺延至 {e.decide_by}"
    ),
    L.ProceedingsExtended: lambda e: f"办理期限延长至 {e.decide_by}: {e.reason}",
    L.ProceedingsDiscontinued: lambda e: f"不予撤销或撤回，许可证继续有效: {e.reason}",
    L.LicenceRevoked: lambda e: (
        f"撤销许可: {e.reason}" + (f"（赔偿: {e.compensation}）" if e.compensation else "")
    ),
    L.LicenceWithdrawn: lambda e: (
        f"撤回许可: {e.reason}" + (f"（补偿: {e.compensation}）" if e.compensation else "")
    ),
    L.LicenceCancelled: lambda e: f"注销许可（{CANCELLATION_GROUNDS[e.ground]}）: {e.note}",
}


def summarize(event: DomainEvent) -> str:
    for cls, summary in _SUMMARIES.items():
        if isinstance(event, cls):
            return summary(event)
    return type(event).__name__


def label(event: DomainEvent) -> str:
    return EVENT_LABELS.get(type(event).__name__, type(event).__name__)

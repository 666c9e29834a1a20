"""Case status, stage, and which role owns each stage (DESIGN §2, §5)."""

from __future__ import annotations

from enum import StrEnum

from xuke.domain.roles import Role


class CaseStatus(StrEnum):
    SUBMITTED = "SUBMITTED"  # 已申请，待受理
    AWAITING_CORRECTION = "AWAITING_CORRECTION"  # 补正中
    NOT_ACCEPTED = "NOT_ACCEPTED"  # 不予受理
    ACCEPTED = "ACCEPTED"  # 已受理
    UNDER_REVIEW = "UNDER_REVIEW"  # 审查中
    SUSPENDED = "SUSPENDED"  # 中止计时
    GRANTED = "GRANTED"  # 准予许可
    DENIED = "DENIED"  # 不予许可
    CLOSED = "CLOSED"  # 办结
    WITHDRAWN = "WITHDRAWN"  # 撤回
    TERMINATED = "TERMINATED"  # 终止


class Stage(StrEnum):
    ACCEPTANCE = "ACCEPTANCE"  # 受理
    HANDLING = "HANDLING"  # 承办
    REVIEW = "REVIEW"  # 审核
    APPROVAL = "APPROVAL"  # 审批
    CERTIFICATION = "CERTIFICATION"  # 制证
    SERVICE = "SERVICE"  # 送达
    DONE = "DONE"  # 办结


STAGE_ROLE: dict[Stage, Role] = {
    Stage.ACCEPTANCE: Role.CLERK,
    Stage.HANDLING: Role.HANDLER,
    Stage.REVIEW: Role.REVIEWER,
    Stage.APPROVAL: Role.APPROVER,
    Stage.CERTIFICATION: Role.APPROVER,
    Stage.SERVICE: Role.APPROVER,
}

REVIEW_STAGES = (Stage.HANDLING, Stage.REVIEW, Stage.APPROVAL)

TERMINAL = frozenset(
    {CaseStatus.NOT_ACCEPTED, CaseStatus.CLOSED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED}
)
BEFORE_DECISION = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.AWAITING_CORRECTION,
        CaseStatus.ACCEPTED,
        CaseStatus.UNDER_REVIEW,
        CaseStatus.SUSPENDED,
    }
)
CLOCK_RUNNING = frozenset({CaseStatus.ACCEPTED, CaseStatus.UNDER_REVIEW})


class Opinion(StrEnum):
    AGREE = "AGREE"
    DISAGREE = "DISAGREE"
    RETURN = "RETURN"  # sends the case back one stage


class SuspensionReason(StrEnum):
    """Art. 45: procedures whose time does not count."""

    HEARING = "HEARING"  # 听证
    TENDERING = "TENDERING"  # 招标
    AUCTION = "AUCTION"  # 拍卖
    INSPECTION = "INSPECTION"  # 检验
    TESTING = "TESTING"  # 检测
    QUARANTINE = "QUARANTINE"  # 检疫
    APPRAISAL = "APPRAISAL"  # 鉴定
    EXPERT_REVIEW = "EXPERT_REVIEW"  # 专家评审


SUSPENSION_REASONS = {
    "HEARING": "听证", "TENDERING": "招标", "AUCTION": "拍卖", "INSPECTION": "检验", "TESTING": "检测",
    "QUARANTINE": "检疫", "APPRAISAL": "鉴定", "EXPERT_REVIEW": "专家评审",
}  # fmt: skip


class ServiceMethod(StrEnum):
    DIRECT = "DIRECT"  # 直接送达
    MAIL = "MAIL"  # 邮寄送达
    ELECTRONIC = "ELECTRONIC"  # 电子送达 (only with the applicant's consent)
    PUBLIC_NOTICE = "PUBLIC_NOTICE"  # 公告送达 (deemed served 30 days after notice)

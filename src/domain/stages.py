"""Case status, stage, and which role owns each stage (docs/roles.md, docs/architecture.md)."""

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
    ABANDONED = "ABANDONED"  # 视为放弃 (SAMR 15(4)): the correction period passed


class Stage(StrEnum):
    ACCEPTANCE = "ACCEPTANCE"  # 受理
    PRELIMINARY_REVIEW = "PRELIMINARY_REVIEW"  # 初审 by the lower authority (Law 43)
    HANDLING = "HANDLING"  # 承办
    REVIEW = "REVIEW"  # 审核
    APPROVAL = "APPROVAL"  # 审批
    CERTIFICATION = "CERTIFICATION"  # 制证
    SERVICE = "SERVICE"  # 送达
    DONE = "DONE"  # 办结


STAGE_ROLE: dict[Stage, Role] = {
    Stage.ACCEPTANCE: Role.CLERK,
    Stage.PRELIMINARY_REVIEW: Role.HANDLER,
    Stage.HANDLING: Role.HANDLER,
    Stage.REVIEW: Role.REVIEWER,
    Stage.APPROVAL: Role.APPROVER,
    Stage.CERTIFICATION: Role.APPROVER,
    Stage.SERVICE: Role.APPROVER,
}

REVIEW_STAGES = (Stage.HANDLING, Stage.REVIEW, Stage.APPROVAL)

TERMINAL = frozenset(
    {
        CaseStatus.NOT_ACCEPTED,
        CaseStatus.CLOSED,
        CaseStatus.WITHDRAWN,
        CaseStatus.TERMINATED,
        CaseStatus.ABANDONED,
    }
)
BEFORE_ACCEPTANCE = frozenset({CaseStatus.SUBMITTED, CaseStatus.AWAITING_CORRECTION})
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
    """SAMR 62 → 市场监督管理行政处罚程序规定 82-83."""

    DIRECT = "DIRECT"  # 直接送达
    MAIL = "MAIL"  # 邮寄送达 (served on the return slip's date)
    ELECTRONIC = "ELECTRONIC"  # 电子送达: consent and a confirmed address on the case
    PUBLIC_NOTICE = "PUBLIC_NOTICE"  # 公告送达: only when other methods failed (reason kept)
    LEFT_AT_ADDRESS = "LEFT_AT_ADDRESS"  # 留置送达: delivery refused, left at the address
    ENTRUSTED = "ENTRUSTED"  # 委托 / 转交送达 through another authority or unit


class ApplicationKind(StrEnum):
    """What a holder applies for (v2): a new licence, or something about one already held."""

    NEW = "NEW"
    CHANGE = "CHANGE"  # 变更 (Law 49, SAMR 25; GYCP 实施办法 29-30)
    RENEWAL = "RENEWAL"  # 延续 (Law 50, SAMR 27; 条例 25)
    CANCELLATION = "CANCELLATION"  # 注销 on the holder's application (SAMR 48)
    REISSUE = "REISSUE"  # 补办 a lost or damaged certificate (SAMR 28)
    CERTIFICATE_CORRECTION = "CERTIFICATE_CORRECTION"  # 更正 a clerical error (SAMR 29)


APPLICATION_KINDS = {
    "NEW": "新申请", "CHANGE": "变更", "RENEWAL": "延续", "CANCELLATION": "注销",
    "REISSUE": "补办", "CERTIFICATE_CORRECTION": "更正",
}  # fmt: skip


class TerminationGround(StrEnum):
    """终止 (SAMR 30; GYCP 实施办法 32)."""

    APPLICANT_REQUEST = "APPLICANT_REQUEST"  # 申请人撤回申请
    PERSON_DECEASED_OR_INCAPABLE = "PERSON_DECEASED_OR_INCAPABLE"
    ORGANISATION_TERMINATED = "ORGANISATION_TERMINATED"
    LAW_CHANGED_NO_LICENCE_NEEDED = "LAW_CHANGED_NO_LICENCE_NEEDED"
    FEES_UNPAID = "FEES_UNPAID"
    FORCE_MAJEURE = "FORCE_MAJEURE"
    REFUSED_VERIFICATION = "REFUSED_VERIFICATION"  # GYCP: no cooperation with verification
    PRODUCT_BANNED = "PRODUCT_BANNED"  # GYCP: banned or no longer under licence
    OTHER_BY_LAW = "OTHER_BY_LAW"


TERMINATION_GROUNDS = {
    "APPLICANT_REQUEST": "申请人撤回申请", "PERSON_DECEASED_OR_INCAPABLE": "申请人死亡或者丧失行为能力",
    "ORGANISATION_TERMINATED": "申请人依法终止", "LAW_CHANGED_NO_LICENCE_NEEDED": "依法不再需要取得行政许可",
    "FEES_UNPAID": "未按规定缴纳费用", "FORCE_MAJEURE": "不可抗力", "REFUSED_VERIFICATION": "企业拒绝接受实地核查或者抽样",
    "PRODUCT_BANNED": "产品被列入淘汰或者不再实行生产许可", "OTHER_BY_LAW": "法律、法规规定的其他情形",
}  # fmt: skip


class HearingBasis(StrEnum):
    """听证 (Law 46-47): on the organ's own motion or as the applicant's right."""

    PUBLIC_INTEREST = "PUBLIC_INTEREST"  # Law 46: matters of major public interest, announced
    ARTICLE_47_RIGHT = "ARTICLE_47_RIGHT"  # Law 47: the applicant's right, told in writing


class HearingStatus(StrEnum):
    """Law 47-48: told → asked for (or waived) → scheduled → held."""

    NOTIFIED = "NOTIFIED"  # 已告知 (Art. 47) / 已公告 (Art. 46, scheduled without a request)
    REQUESTED = "REQUESTED"  # 已申请
    WAIVED = "WAIVED"  # 放弃 — by the applicant, or by law when the 5 days pass
    SCHEDULED = "SCHEDULED"  # 已通知举行 (7 days' notice)
    HELD = "HELD"  # 已举行，听证笔录在卷


HEARING_OPEN = frozenset({HearingStatus.NOTIFIED, HearingStatus.REQUESTED, HearingStatus.SCHEDULED})
HEARING_BASES = {
    "PUBLIC_INTEREST": "依职权（第四十六条）",
    "ARTICLE_47_RIGHT": "依申请人权利（第四十七条）",
}


# What officials call each state, for messages: 案件状态为“办结”（CLOSED）. The code stays
# beside the name so a developer can search for it.
NAMES: dict[str, str] = {
    "SUBMITTED": "已申请，待受理", "AWAITING_CORRECTION": "补正中", "NOT_ACCEPTED": "不予受理",
       "ACCEPTED": "已受理", "UNDER_REVIEW": "审查中", "SUSPENDED": "中止计时",
       "GRANTED": "准予许可", "DENIED": "不予许可", "CLOSED": "办结", "WITHDRAWN": "撤回",
       "TERMINATED": "终止", "ABANDONED": "视为放弃申请",
    "ACCEPTANCE": "受理", "PRELIMINARY_REVIEW": "初审", "HANDLING": "承办", "REVIEW": "审核",
       "APPROVAL": "审批", "CERTIFICATION": "制证", "SERVICE": "送达", "DONE": "办结",
    "NOTIFIED": "已告知", "REQUESTED": "已申请", "WAIVED": "已放弃", "SCHEDULED": "已通知举行",
       "HELD": "已举行",
    "VALID": "有效", "EXPIRED": "已到期", "REVOKED": "已撤销", "CANCELLED": "已注销",
}  # fmt: skip


def named(state: str) -> str:
    """“办结”（CLOSED）: the Chinese name, then the code."""
    name = NAMES.get(str(state))
    return f"“{name}”（{state}）" if name else str(state)

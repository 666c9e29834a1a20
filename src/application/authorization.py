"""Who may do what (docs/roles.md): role × stage × jurisdiction, applicants only for themselves.

Enforced here, in the application layer, so every entry point (GraphQL, CLI, workers)
gets the same answer. A refusal raises ``Forbidden``; the caller records it for supervision.
"""

from __future__ import annotations

from xuke.domain.case import LicenseCase
from xuke.domain.licence import Licence
from xuke.domain.roles import OVERSIGHT_ROLES, STAFF_ROLES, Role
from xuke.domain.stages import STAGE_ROLE, Stage

from .principal import Principal


class Unauthenticated(Exception):
    code = "UNAUTHENTICATED"


class Forbidden(Exception):
    code = "FORBIDDEN"

    def __init__(self, message: str, principal: Principal, action: str, case_no: str | None = None):
        super().__init__(message)
        self.message, self.principal, self.action, self.case_no = (
            message,
            principal,
            action,
            case_no,
        )


def is_own_case(principal: Principal, case: LicenseCase) -> bool:
    return principal.has(Role.APPLICANT) and case.applicant.identity == principal.org_code


def can_view(principal: Principal, case: LicenseCase) -> bool:
    """Applicants see their own cases; staff and oversight roles their jurisdiction's."""
    if is_own_case(principal, case):
        return True
    inside = principal.roles & (STAFF_ROLES | OVERSIGHT_ROLES)
    orgs = (case.jurisdiction_code, case.preliminary_org)  # Law 43: both levels see it
    return bool(inside) and any(org and principal.covers(org) for org in orgs)


def require_staff(principal: Principal, role: Role, case: LicenseCase, action: str) -> Role:
    """Staff in ``role`` of the authority working the case now (the lower one during
    acceptance and preliminary review, Law 43). Covering jurisdictions read and supervise
    (a SUPERVISOR acts wherever it covers); only the competent authority's staff act."""
    if not principal.has(role):
        raise Forbidden(f"{action}需要 {role.value} 角色", principal, action, case.case_no)
    acting = case.acting_org()
    if not principal.covers(acting):
        raise Forbidden(
            f"案件不在您的辖区 ({principal.jurisdiction_code}) 内", principal, action, case.case_no
        )
    if role is not Role.SUPERVISOR and principal.org_code != acting:
        raise Forbidden(
            f"只有主管机关 {acting} 的工作人员可以{action}；上级机关可以查阅和监督",
            principal, action, case.case_no,
        )  # fmt: skip
    return role


STAGE_ORDER = {s: n for n, s in enumerate(Stage)}


def require_separate_duties(principal: Principal, case: LicenseCase, action: str) -> None:
    """Separation of duties: whoever gave an opinion at one stage of the case may not act at
    a later one (承办、审核、审批 by different hands). The approver's own certificate and
    service belong to the approval: they count as its stage."""
    now = min(STAGE_ORDER[case.stage], STAGE_ORDER[Stage.APPROVAL])
    earlier = [
        o.stage for o in case.opinions
        if o.actor_id == principal.user_id and STAGE_ORDER[o.stage] < now
    ]  # fmt: skip
    if earlier:
        raise Forbidden(
            f"您已在{earlier[0].value}环节签署意见，不能在后续环节{action}（岗位分离）",
            principal, action, case.case_no,
        )  # fmt: skip


def require_stage_owner(principal: Principal, case: LicenseCase, action: str) -> Role:
    """Whoever owns the current stage (e.g. suspending the clock, Art. 45)."""
    role = STAGE_ROLE.get(case.stage)
    if role is None:
        raise Forbidden(f"环节 {case.stage.value} 不能{action}", principal, action, case.case_no)
    return require_task_holder(principal, role, case, action)


def require_task_holder(principal: Principal, role: Role, case: LicenseCase, action: str) -> Role:
    """Staff in ``role``; and when the current task is that role's and has been claimed,
    only its assignee (claiming takes it out of the others' hands)."""
    require_staff(principal, role, case, action)
    held_by = case.task.assignee if case.task else None
    if STAGE_ROLE.get(case.stage) is role and not holds(principal, held_by):
        raise Forbidden(f"该任务已由 {held_by} 签收", principal, action, case.case_no)
    return role


def holds(principal: Principal, held_by: str | None) -> bool:
    """An unclaimed task is anyone's in the group; a claimed one its assignee's, or their
    delegate's while the delegation runs (``principal.acting_for``)."""
    return held_by is None or held_by == principal.user_id or held_by in principal.acting_for


def require_assignee(principal: Principal, case: LicenseCase, action: str) -> Role:
    """退回签收: whoever holds the claimed task (its assignee, or their delegate), as staff
    of the stage's role at the authority working the case."""
    role = STAGE_ROLE.get(case.task.stage if case.task else Stage.DONE)
    if role is None:
        raise Forbidden("该任务已办结或不存在", principal, action, case.case_no)
    require_staff(principal, role, case, action)
    held_by = case.task.assignee if case.task else None
    if held_by is not None and not holds(principal, held_by):
        raise Forbidden(
            f"该任务由 {held_by} 签收，只有签收人可以{action}", principal, action, case.case_no
        )
    return role


def require_stage_lead(principal: Principal, case: LicenseCase, action: str) -> Role:
    """改派: the stage's lead — a LEAD (环节负责人) who also holds the stage's own role at the
    authority working the case (e.g. LEAD + HANDLER of 440000 for a provincial HANDLING task)."""
    role = STAGE_ROLE.get(case.task.stage if case.task else Stage.DONE)
    if role is None:
        raise Forbidden("该任务已办结或不存在", principal, action, case.case_no)
    if not principal.has(Role.LEAD):
        raise Forbidden(f"只有环节负责人（LEAD）可以{action}", principal, action, case.case_no)
    require_staff(principal, role, case, action)
    return Role.LEAD


def require_case_staff(principal: Principal, case: LicenseCase, action: str) -> Role:
    """The case's own staff: a staff role at the competent authority (or, for a Law 43 case,
    at the lower authority that accepts and reviews it first). Covering levels, supervisors
    and auditors read the case but not the applicant's contact details."""
    roles = sorted(principal.roles & STAFF_ROLES)
    own = principal.org_code in (case.jurisdiction_code, case.preliminary_org)
    if not roles or not own or not principal.covers(principal.org_code):
        raise Forbidden(f"只有本案主管机关的工作人员可以{action}", principal, action, case.case_no)
    return roles[0]


def require_applicant_or_clerk(principal: Principal, case: LicenseCase, action: str) -> Role:
    """The applicant themself online, or a clerk at the service hall on their behalf."""
    if is_own_case(principal, case):
        return Role.APPLICANT
    if principal.has(Role.CLERK):
        return require_staff(principal, Role.CLERK, case, action)
    raise Forbidden(f"只有申请人本人或窗口人员可以{action}", principal, action, case.case_no)


def require_applicant(principal: Principal, case: LicenseCase, action: str) -> Role:
    """The applicant themself (e.g. asking for or waiving a hearing, Law 47)."""
    if is_own_case(principal, case):
        return Role.APPLICANT
    raise Forbidden(f"只有申请人本人可以{action}", principal, action, case.case_no)


def require_group_member(principal: Principal, case: LicenseCase, action: str) -> Role:
    """签收: only a member of the task's candidate group (e.g. ``440100:HANDLER``)."""
    role = STAGE_ROLE.get(case.task.stage if case.task else Stage.DONE)
    group = case.task.candidate_group if case.task else None
    if role is None or not principal.has(role) or group != f"{principal.org_code}:{role.value}":
        raise Forbidden(f"您不是任务候选组 {group} 的成员", principal, action, case.case_no)
    return role


def require_filer(
    principal: Principal, applicant_identity: str, channel: str, authority: str
) -> Role:
    """Applicants file for themselves online; clerks file at the hall for their authority."""
    if principal.has(Role.APPLICANT) and principal.org_code == applicant_identity:
        if channel != "ONLINE":
            raise Forbidden("申请人只能在线申报", principal, "申报")
        return Role.APPLICANT
    if principal.has(Role.CLERK) and channel == "HALL" and principal.covers(authority):
        return Role.CLERK
    raise Forbidden("只能为本人申报，或由受理机关窗口人员代为收件", principal, "申报")


def require_admin(principal: Principal, action: str) -> Role:
    if not principal.has(Role.ADMIN):
        raise Forbidden(f"{action}需要 ADMIN 角色", principal, action)
    return Role.ADMIN


# ---------------------------------------------------------------- licences after grant


def is_holder(principal: Principal, holder_identity: str) -> bool:
    return principal.has(Role.APPLICANT) and principal.org_code == holder_identity


def require_holder(principal: Principal, licence: Licence, action: str) -> Role:
    """The holder themself (its enterprise, by credit code; or the person, by ID number)."""
    if not is_holder(principal, licence.holder.identity):
        raise Forbidden(f"只有许可证持有人可以{action}", principal, action, licence.certificate_no)
    return Role.APPLICANT


def require_licence_authority(principal: Principal, licence: Licence, action: str) -> Role:
    """撤销 / 撤回 / 注销: an APPROVER of the granting authority or of an authority above it
    (SAMR 40: "作出行政许可决定的行政机关或者其上级行政机关")."""
    if not principal.has(Role.APPROVER):
        raise Forbidden(f"{action}需要 APPROVER 角色", principal, action, licence.certificate_no)
    if not principal.covers(licence.jurisdiction_code):
        raise Forbidden(
            "只有作出许可决定的机关或其上级机关可以办理", principal, action, licence.certificate_no
        )
    return Role.APPROVER

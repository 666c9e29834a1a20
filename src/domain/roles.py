"""Roles of the people who touch a licence case (docs/roles.md)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    APPLICANT = "APPLICANT"  # 申请人
    CLERK = "CLERK"  # 窗口受理人员
    HANDLER = "HANDLER"  # 承办人
    REVIEWER = "REVIEWER"  # 审核人
    APPROVER = "APPROVER"  # 审批人 / 签发人
    LEAD = "LEAD"  # 环节负责人 (科室负责人): with a stage's role, reassigns that stage's tasks
    SUPERVISOR = "SUPERVISOR"  # 监察人员
    AUDITOR = "AUDITOR"  # 审计 / 复核
    ADMIN = "ADMIN"  # 系统管理员
    EXCHANGE = "EXCHANGE"  # 交换伙伴: a partner system reading the exchange feed (docs/exchange.md)


STAFF_ROLES = frozenset({Role.CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER})
OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN})

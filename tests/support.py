"""Shared test vocabulary: dates in Asia/Shanghai, principals, a valid application."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuke.application.licensing import CommandResult, LicensingApplication
from xuke.application.principal import Principal
from xuke.domain.model import SHANGHAI
from xuke.domain.roles import Role
from xuke.projections.runner import PROJECTIONS, ProjectionWorker
from xuke.projections.store import ViewStore

ENTERPRISE_CODE = "914403001922038216"  # a valid GB 32100 code (GB 32100-2015)
OTHER_ENTERPRISE_CODE = "91350100M000100Y43"
PERSON_ID = "11010519491231002X"


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def staff(
    role: Role, org: str = "440000", user: str | None = None, jurisdiction: str | None = None
) -> Principal:
    return Principal(
        user or f"{org}-{role.value.lower()}", frozenset({role}), org, jurisdiction or org
    )


def applicant(identity: str = ENTERPRISE_CODE, user: str = "applicant-1") -> Principal:
    return Principal(user, frozenset({Role.APPLICANT}), identity, "440305")


def enterprise(code: str = ENTERPRISE_CODE, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "ENTERPRISE",
        "name": "深圳市华强电器有限公司",
        "credit_code": code,
        "contact_phone": "13800138000",
        "address": "深圳市南山区科技园",
        **overrides,
    }


def person(id_number: str = PERSON_ID) -> dict[str, Any]:
    return {
        "kind": "PERSON",
        "name": "张三丰",
        "id_number": id_number,
        "contact_phone": "13900139000",
        "address": "广州市天河区",
    }


GYCP_ALL = ["SQS", "YYZZ", "CPBZ", "SCSB"]  # every required material of GYCP-SCXK


def gycp_filing(**overrides: Any) -> dict[str, Any]:
    """A complete online application for an industrial product production licence."""
    return {
        "item_code": "GYCP-SCXK",
        "applicant": enterprise(),
        "jurisdiction_code": "440305",
        "materials": GYCP_ALL,
        **overrides,
    }


TZSB_ALL = ["SQB", "YYZZ", "ZLBZ", "JSRY"]  # 特种设备生产单位许可: 20 days, Law 42's extension


def file_tzsb(app: LicensingApplication, principal: Principal | None = None) -> CommandResult:
    """A complete application for an item with the Law's 20 days and its 10-day extension."""
    return file_gycp(app, principal, item_code="TZSB-SCXK", materials=TZSB_ALL)


def file_gycp(
    app: LicensingApplication, principal: Principal | None = None, **overrides: Any
) -> CommandResult:
    return app.file_application(principal or applicant(), **gycp_filing(**overrides))


def project(app: LicensingApplication, views: ViewStore) -> None:
    """Bring every read model up to date."""
    for projection in PROJECTIONS.values():
        ProjectionWorker(app, views, projection).catch_up()

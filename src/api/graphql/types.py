"""Types shared across features, named and shaped exactly as ``shared/api/schema.graphql``."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.scalars import JSON

from xuke.application.principal import Principal as DomainPrincipal
from xuke.domain.catalogue import LicenseItem as DomainItem
from xuke.domain.deadlines import Light
from xuke.domain.errors import DomainError, ErrorCode
from xuke.domain.roles import Role
from xuke.domain.stages import (
    CaseStatus,
    Opinion,
    ServiceMethod,
    Stage,
    SuspensionReason,
    TerminationGround,
)
from xuke.projections.queries import InboxBox

# The domain's enums are the contract's: same names, same members.
for enum in (
    Role,
    CaseStatus,
    Stage,
    InboxBox,
    Opinion,
    SuspensionReason,
    ServiceMethod,
    TerminationGround,
    Light,
    ErrorCode,
):
    strawberry.enum(enum)


@strawberry.enum
class ComplianceGroup(Enum):
    DEPARTMENT = "DEPARTMENT"
    ITEM = "ITEM"
    MONTH = "MONTH"


@strawberry.type
class UserError:
    code: ErrorCode
    message: str
    field: str | None = None

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=error.field)


@strawberry.type
class Principal:
    user_id: str
    name: str
    roles: list[Role]
    org_code: str
    jurisdiction_code: str

    @classmethod
    def of(cls, p: DomainPrincipal) -> Principal:
        return cls(
            user_id=p.user_id,
            name=p.name,
            roles=sorted(p.roles),
            org_code=p.org_code,
            jurisdiction_code=p.jurisdiction_code,
        )


@strawberry.type
class Material:
    code: str
    name: str
    required: bool


@strawberry.type
class LicenseItem:
    code: str
    name: str
    legal_basis: str
    legal_time_limit_days: int
    committed_time_limit_days: int | None
    certificate_validity_years: int | None
    required_materials: list[Material]
    extension_days: int | None = strawberry.field(
        description="Law 42: the one extension's working days; null where the item's own law allows none."
    )

    @classmethod
    def of(cls, item: DomainItem) -> LicenseItem:
        return cls(
            code=item.code,
            name=item.name,
            legal_basis=item.legal_basis,
            legal_time_limit_days=item.legal_time_limit_days,
            committed_time_limit_days=item.committed_time_limit_days,
            certificate_validity_years=item.certificate_validity_years,
            extension_days=item.extension_days,
            required_materials=[
                Material(code=m.code, name=m.name, required=m.required) for m in item.materials
            ],
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


__all__ = [
    "JSON",
    "CaseStatus",
    "ErrorCode",
    "InboxBox",
    "Light",
    "Opinion",
    "Role",
    "ServiceMethod",
    "Stage",
    "SuspensionReason",
    "TerminationGround",
]  # fmt: skip

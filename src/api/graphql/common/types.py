"""Types shared across features, named and shaped exactly as ``shared/api/schema.graphql``."""

from __future__ import annotations

import strawberry
from strawberry.types import Info as StrawberryInfo

from xuke.api.context import Context
from xuke.application.principal import Principal as DomainPrincipal
from xuke.domain.catalogue import LicenseItem as DomainItem
from xuke.domain.deadlines import Light
from xuke.domain.licence import CancellationGround, LicenceStatus, ProceedingKind
from xuke.domain.roles import Role
from xuke.domain.stages import (
    ApplicationKind,
    CaseStatus,
    Opinion,
    ServiceMethod,
    Stage,
    SuspensionReason,
    TerminationGround,
)
from xuke.projections.inbox import InboxBox

# What every resolver is given: the request's ``Context`` (caller, services, loaders).
Info = StrawberryInfo[Context, None]

# The domain's enums are the contract's: same names, same members. (``ErrorCode`` is the
# API's own, in ``errors``: what a client sees of a failure is the API's to say.)
for enum in (
    Role,
    CaseStatus,
    Stage,
    InboxBox,
    Opinion,
    SuspensionReason,
    ServiceMethod,
    TerminationGround,
    ApplicationKind,
    Light,
    LicenceStatus,
    ProceedingKind,
    CancellationGround,
):
    strawberry.enum(enum)


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
    version: int = strawberry.field(
        default=1,
        description="the catalogue's version of the item (a case: the one it was filed under)",
    )
    level: str = strawberry.field(
        default="",
        description="the deciding authority's level: NATIONAL | PROVINCIAL | MUNICIPAL | COUNTY",
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
            version=item.version,
            level=item.level.value,
            required_materials=[
                Material(code=m.code, name=m.name, required=m.required) for m in item.materials
            ],
        )


__all__ = [
    "ApplicationKind",
    "CancellationGround",
    "CaseStatus",
    "InboxBox",
    "Info",
    "LicenceStatus",
    "LicenseItem",
    "Light",
    "Opinion",
    "Principal",
    "ProceedingKind",
    "Role",
    "ServiceMethod",
    "Stage",
    "SuspensionReason",
    "TerminationGround",
]

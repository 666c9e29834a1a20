"""The two public queries: a case's status, for whoever holds its query code, and the
register of granted licences."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.context import Context
from xuke.api.documents import verify_document
from xuke.api.graphql.common.documents import DocumentVerification
from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.paging import edges, fetch_page, page_info
from xuke.api.graphql.common.types import Info, LicenceStatus
from xuke.api.graphql.public.types import (
    PublicStatus,
    RegisteredLicense,
    RegisteredLicenseConnection,
    RegisteredLicenseEdge,
)
from xuke.application.rate_limits import SECRET_LOOKUP
from xuke.projections.public_status import public_status
from xuke.projections.register import licence_register_page
from xuke.projections.store import Row


def lookup_public_status(ctx: Context, case_no: str, query_code: str) -> Row | None:
    """Wrong code ≡ unknown case: the same None, in the same constant-time comparison."""
    code_hash = ctx.services.app.hash_query_code(query_code)
    return public_status(ctx.services.reads, case_no.strip(), code_hash)


MAX_SEARCH = 100  # a holder name, a certificate number or a credit code


@strawberry.type
class PublicQueries:
    @strawberry.field
    async def public_status(self, info: Info, case_no: str, query_code: str) -> PublicStatus | None:
        await info.context.limit(SECRET_LOOKUP)  # one limit with /status and the others
        row = await info.context.run(lookup_public_status, info.context, case_no, query_code)
        return PublicStatus.of(row) if row else None

    @strawberry.field(
        description="No login. genuine: the number was issued and sha256 (hex, of the PDF "
        "file) is the hash recorded then; without sha256 only existence and status."
    )
    async def verify_document(
        self, info: Info, number: str, sha256: str | None = None
    ) -> DocumentVerification:
        ctx = info.context
        await ctx.limit(SECRET_LOOKUP)
        found = await ctx.run(verify_document, ctx.services, number, sha256)
        return DocumentVerification(
            genuine=found.genuine,
            kind=found.kind,
            issued_on=dt.date.fromisoformat(found.issued_on) if found.issued_on else None,
            holder_name=found.holder_name,
            status=found.status,
        )

    @strawberry.field
    async def license_register(
        self,
        info: Info,
        search: str | None = None,
        item_code: str | None = None,
        first: int | None = 20,
        after: str | None = None,
        status: LicenceStatus | None = None,
    ) -> RegisteredLicenseConnection:
        """公示 (Art. 40): by holder, item and — an addition to v1 — the licence's status."""
        if search is not None and len(search) > MAX_SEARCH:
            raise bad_input(f"搜索词最长 {MAX_SEARCH} 个字符")
        ctx = info.context
        page = await fetch_page(
            ctx, licence_register_page, ctx.services.reads, search, item_code, first or 20, after,
            status,
        )  # fmt: skip
        return RegisteredLicenseConnection(
            edges=edges(page, RegisteredLicenseEdge, RegisteredLicense.of),
            page_info=page_info(page),
            total_count=page.total_count,
        )

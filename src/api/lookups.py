"""The pages' side of the one limit on lookups by secret (``application/rate_limits.py``):
the status page and the verification page count against the same per-client allowance as
``publicStatus``, ``verifyDocument`` and ``fileComplaint(queryCode:)``."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from xuke.api.context import Services
from xuke.application.rate_limits import SECRET_LOOKUP

TOO_MANY = "查询过于频繁，请稍后再试"


async def count_lookup(services: Services, request: Request) -> None:
    """One try by this client; over the limit, a 429 with the seconds to wait."""
    client = request.client.host if request.client else "unknown"
    if not await run_in_threadpool(services.allow, SECRET_LOOKUP, client):
        assert services.rate_limits is not None
        wait = services.rate_limits.retry_after(SECRET_LOOKUP)
        raise HTTPException(status_code=429, detail=TOO_MANY, headers={"Retry-After": str(wait)})

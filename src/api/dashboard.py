"""监察驾驶舱: the supervisor dashboard at ``/supervision``.

The page is a shell: it signs in with a staff token kept in the tab's ``sessionStorage``
(never in a cookie, so the server reads no credential from the browser and there is nothing
to forge across sites), asks ``/graphql`` for its figures with that token, and stays current
through the ``supervisionTotals`` and ``supervisionCards`` subscriptions. So every number it
shows is a GraphQL answer, authorised by the API as any other (SUPERVISOR, AUDITOR or ADMIN).

Its scripts (its own, Chart.js, graphql-ws) come from ``/static`` (api/assets.py); the CSP
allows scripts from this origin only, and the page renders user text with ``textContent``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from xuke.api.templating import render

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def router() -> APIRouter:
    routes = APIRouter()

    @routes.get("/supervision", response_class=HTMLResponse)
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(render("supervision.html", active="supervision"), headers=HEADERS)

    return routes

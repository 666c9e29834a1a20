"""The public pages' response: our own HTML (the status page, document verification) with the
headers a page facing the public needs — no scripts, no framing, no sniffing, no referrer."""

from __future__ import annotations

from fastapi.responses import HTMLResponse

# Inline <style> only; forms post to ourselves; nothing may frame the page.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class PageResponse(HTMLResponse):
    def __init__(self, content: str, status_code: int = 200) -> None:
        super().__init__(content, status_code=status_code, headers=SECURITY_HEADERS)

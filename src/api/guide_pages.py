"""The public consultation pages (网上咨询), on the shared layout (``templates/layout.html``):

- ``GET /guide``: the licence items, each linking to its guide;
- ``GET /guide/{itemCode}``: the guide (conditions, materials with template downloads,
  process, limits, fee, windows), the item's published Q&A and a question form;
- ``POST /guide/{itemCode}/questions``: the form's target — the same use case as
  ``askQuestion`` (``ConsultationCommands.ask``) under the same per-client limit (scope
  ``question`` of ``application/rate_limits.py``);
- ``GET /guide/{itemCode}/templates/{materialCode}``: a material's template file.

Every page goes out with the public pages' security headers (``pages.PageResponse``); all
text is escaped by the templates (autoescape), the asker's contact is never shown.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from xuke.api.context import Services
from xuke.api.pages import PageResponse
from xuke.api.templating import render
from xuke.application.consultation import ConsultationCommands, GuideView
from xuke.application.rate_limits import QUESTION
from xuke.domain.consultation import CONTACT_MAX, QUESTION_MAX
from xuke.domain.errors import DomainError
from xuke.domain.model import SHANGHAI
from xuke.projections.consultations import consultation_page

TEMPLATES = Path(__file__).resolve().parent / "guide_templates"
LEVELS = {"NATIONAL": "国家级", "PROVINCIAL": "省级", "MUNICIPAL": "市级", "COUNTY": "县级"}
QA_PAGE = 20


def _local(stamp: str | None) -> str:
    if not stamp:
        return ""
    return dt.datetime.fromisoformat(stamp).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def router(services: Services) -> APIRouter:
    routes = APIRouter()

    def commands() -> ConsultationCommands:
        settings = services.settings
        return ConsultationCommands(
            services.app, settings.consultation_answer_days, settings.home_authority
        )

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    @routes.get("/guide", response_class=HTMLResponse)
    async def item_list() -> HTMLResponse:
        items = [
            {"code": i.code, "name": i.name, "level": LEVELS.get(i.level.value, i.level.value),
             "days": i.legal_time_limit_days, "committed": i.committed_time_limit_days}
            for i in services.app.catalogue.items
        ]  # fmt: skip
        return PageResponse(render("guide_list.html", active="guide", items=items))

    async def guide_page(
        item_code: str,
        after: str | None = None,
        form: dict[str, str] | None = None,
        error: str | None = None,
        notice: str | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        cmds = commands()
        try:
            guide: GuideView = await run_in_threadpool(cmds.guide, item_code)
        except DomainError:
            return PageResponse(
                render("guide_missing.html", active="guide", item_code=item_code[:64]),
                status_code=404,
            )
        try:
            page = await run_in_threadpool(
                lambda: consultation_page(services.views, QA_PAGE, after, item_code=guide.item.code)
            )
        except ValueError:  # a cursor we did not make: the first page
            page = await run_in_threadpool(
                lambda: consultation_page(services.views, QA_PAGE, None, item_code=guide.item.code)
            )
        qa = [
            {"question": r["question"], "asked_at": _local(r["asked_at"]), "answer": r["answer"],
             "answered_at": _local(r["answered_at"]), "org": _org_name(services, r["answered_by_org"])}
            for r in page.items
        ]  # fmt: skip
        return PageResponse(
            render(
                "guide.html", active="guide", guide=_guide_context(guide), qa=qa,
                qa_total=page.total_count,
                next_page=quote(page.end_cursor) if page.has_next_page and page.end_cursor else None,
                form=form or {"question": "", "contact": ""}, error=error, notice=notice,
                question_max=QUESTION_MAX, contact_max=CONTACT_MAX,
                answer_days=cmds.days_for(cmds.authority_for(guide.item)),
            ),
            status_code=status_code,
        )  # fmt: skip

    @routes.get("/guide/{item_code}", response_class=HTMLResponse)
    async def guide(
        item_code: str,
        after: Annotated[str | None, Query(max_length=200)] = None,
        asked: Annotated[str | None, Query(max_length=8)] = None,
    ) -> HTMLResponse:
        notice = (
            "您的咨询已提交，许可机关将在承诺时限内答复；答复公开后将显示在本页。"
            if asked
            else None
        )
        return await guide_page(item_code, after, notice=notice)

    @routes.post("/guide/{item_code}/questions", response_class=HTMLResponse)
    async def ask(
        request: Request,
        item_code: str,
        question: Annotated[str, Form()] = "",
        contact: Annotated[str, Form()] = "",
    ) -> Response:
        form = {"question": question, "contact": contact}
        limits = services.rate_limits
        allowed = await run_in_threadpool(services.allow, QUESTION, client_of(request))
        if not allowed:
            page = await guide_page(
                item_code, form=form, error="提交过于频繁，请稍后再试。", status_code=429
            )
            if limits is not None:
                page.headers["Retry-After"] = str(limits.retry_after(QUESTION))
            return page
        cmds = commands()
        try:
            await run_in_threadpool(cmds.ask, None, item_code, question, contact, None)
        except DomainError as e:
            return await guide_page(item_code, form=form, error=e.message, status_code=400)
        # Post/redirect/get: a reload does not ask again.
        return RedirectResponse(f"/guide/{quote(item_code)}?asked=1", status_code=303)

    @routes.get("/guide/{item_code}/templates/{material_code}")
    async def template(item_code: str, material_code: str) -> Response:
        try:
            guide = await run_in_threadpool(commands().guide, item_code)
        except DomainError:
            return PageResponse(
                render("guide_missing.html", active="guide", item_code=item_code[:64]), 404
            )
        name = guide.material(material_code).template
        if name is None or material_code not in guide.item.material_codes:
            return PageResponse(
                render("guide_missing.html", active="guide", item_code=item_code[:64]), 404
            )
        data = (TEMPLATES / Path(name).name).read_bytes()
        return Response(
            data,
            media_type="text/plain; charset=utf-8",
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "public, max-age=3600",
            },
        )

    return routes


def _org_name(services: Services, code: str | None) -> str:
    org = services.app.organisations.find(code) if code else None
    return org.name if org else (code or "")


def _guide_context(g: GuideView) -> dict[str, Any]:
    item = g.item
    materials = [
        {"code": m.code, "name": m.name, "required": m.required, "copies": m.copies,
         "original": m.original, "note": m.note or "",
         "template_url": f"/guide/{quote(item.code)}/templates/{quote(m.code)}" if m.template else None}
        for m in g.materials()
    ]  # fmt: skip
    return {
        "code": item.code, "name": item.name, "legal_basis": item.legal_basis,
        "level": LEVELS.get(item.level.value, item.level.value),
        "legal_days": item.legal_time_limit_days, "legal_article": item.legal_time_limit_article,
        "committed_days": item.committed_time_limit_days, "extension_days": item.extension_days,
        "conditions": list(g.content.conditions), "process": list(g.content.process),
        "fee": g.content.fee, "windows": [w.model_dump() for w in g.content.windows],
        "materials": materials, "version": g.version, "updated_on": g.updated_on.isoformat(),
    }  # fmt: skip

"""The public status page (办事进度查询): a Chinese form at ``/status`` and JSON at
``/status/{caseNo}``. The same answer for a wrong code and an unknown case; rate-limited per
client so query codes cannot be guessed by brute force."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from xuke.api.context import Services
from xuke.api.lookups import count_lookup
from xuke.api.pages import PageResponse
from xuke.api.templating import render
from xuke.application.summaries import STAGES
from xuke.domain.explanations import explain_deadlines
from xuke.domain.model import SHANGHAI
from xuke.projections.public_status import public_status

STATUS_LABELS = {
    "SUBMITTED": "已申请，待受理", "AWAITING_CORRECTION": "补正中", "NOT_ACCEPTED": "不予受理", "ACCEPTED": "已受理",
    "UNDER_REVIEW": "审查中", "SUSPENDED": "中止计时", "GRANTED": "准予许可", "DENIED": "不予许可", "CLOSED": "办结",
    "WITHDRAWN": "申请人撤回", "TERMINATED": "终止", "ABANDONED": "视为放弃申请",
}  # fmt: skip
NOT_FOUND = "未找到该案件，或查询码不正确。"


def router(services: Services) -> APIRouter:
    routes = APIRouter()

    async def lookup(request: Request, case_no: str, code: str) -> dict[str, Any] | None:
        await count_lookup(services, request)  # one limit with every lookup by secret
        code_hash = services.app.hash_query_code(code)
        row = await run_in_threadpool(
            public_status, services.reads, case_no.strip()[:64], code_hash
        )
        if row is None:
            return None
        calendar = await run_in_threadpool(services.app.working_calendar)
        explained = explain_deadlines(row.pop("clock"), calendar, services.today())
        return {**row, "deadlines": orjson.loads(orjson.dumps(explained))}

    @routes.get("/status", response_class=HTMLResponse)
    async def form(
        request: Request,
        case_no: Annotated[str | None, Query(alias="caseNo", max_length=64)] = None,
        code: Annotated[str | None, Query(max_length=32)] = None,
    ) -> HTMLResponse:
        """The empty form; or, with caseNo and code (a link sent to the applicant), the answer."""
        if not case_no or not code:
            return PageResponse(page(case_no or ""))
        row = await lookup(request, case_no, code)
        return PageResponse(page(case_no, row, searched=True), status_code=200 if row else 404)

    @routes.post("/status", response_class=HTMLResponse)
    async def submit(
        request: Request,
        case_no: Annotated[str, Form(max_length=64)],
        query_code: Annotated[str, Form(max_length=32)],
    ) -> HTMLResponse:
        row = await lookup(request, case_no, query_code)
        return PageResponse(page(case_no, row, searched=True), status_code=200 if row else 404)

    @routes.get("/status/{case_no}")
    async def as_json(
        request: Request,
        case_no: str,
        code: Annotated[str | None, Query(max_length=32)] = None,
        x_query_code: Annotated[str | None, Header(max_length=32)] = None,
    ) -> JSONResponse:
        query_code = x_query_code or code
        if not query_code:
            raise HTTPException(
                status_code=400, detail="查询码必填 (X-Query-Code header or ?code=)"
            )
        row = await lookup(request, case_no, query_code)
        if row is None:
            return JSONResponse({"detail": NOT_FOUND}, status_code=404)
        return JSONResponse({k: row[k] for k in row})

    return routes


def local_time(stamp: str) -> str:
    """Times are stored in UTC; people read them in Beijing time."""
    return dt.datetime.fromisoformat(stamp).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


LIMIT_NAMES = {
    "ACCEPTANCE": "受理期限", "CORRECTION": "补正期限", "DECISION": "法定办结期限",
    "COMMITTED": "承诺办结期限", "SERVICE": "送达期限",
}  # fmt: skip


def time_limits(explained: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """办理时限说明: each limit, from which day, how many working days, which days were not
    counted and why — what applicants ask most."""
    rows = []
    for e in explained:
        reasons = Counter(d["reason"] for d in e["skipped"])
        skipped = "；".join(f"{r} {n} 天" for r, n in reasons.items()) or "无"
        estimate = (
            f"；{'、'.join(str(y) for y in e['provisional_years'])} 年节假日尚未公布，按估算"
            if e["provisional_years"]
            else ""
        )
        rows.append(
            {
                "name": LIMIT_NAMES.get(e["limit"], e["limit"]),
                "article": e["article"],
                "counts_from": e["counts_from"],
                "working_days": e["working_days"],
                "note": f"（含延长 {e['extended_by']} 个工作日）" if e["extended_by"] else "",
                "due": e["due"],
                "skipped": skipped + estimate,
            }
        )
    return rows


def page(case_no: str = "", row: dict[str, Any] | None = None, searched: bool = False) -> str:
    """The page, on the shared layout (``templates/status.html``); everything escaped there."""
    result = None
    if row is not None:
        steps = [
            {
                "at": local_time(s["at"]),
                "stage": STAGES.get(s["stage"], s["stage"]),
                "status": STATUS_LABELS.get(s["status"], s["status"]),
                "note": s["note"] or "",
            }
            for s in row["steps"]
        ]
        facts = [
            ("案件编号", row["case_no"]), ("许可事项", row["item_name"]), ("申请人", row["applicant_name"]),
            ("当前状态", STATUS_LABELS.get(row["status"], row["status"])), ("当前环节", STAGES.get(row["stage"], row["stage"])),
            ("收件日期", row["received_on"]), ("受理日期", row["accepted_on"] or "—"),
            ("法定办结期限", row["decision_due"] or "—"), ("决定日期", row["decided_on"] or "—"),
        ]  # fmt: skip
        result = {
            "facts": [(k, str(v)) for k, v in facts],
            "steps": steps,
            "limits": time_limits(row["deadlines"]),
        }
    return render(
        "status.html",
        active="status",
        case_no=case_no,
        result=result,
        searched=searched,
        not_found=NOT_FOUND,
    )

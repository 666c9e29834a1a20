"""The public status page (办事进度查询): a Chinese form at ``/status`` and JSON at
``/status/{caseNo}``. The same answer for a wrong code and an unknown case; rate-limited per
client so query codes cannot be guessed by brute force."""

from __future__ import annotations

import datetime as dt
import html
import time
from collections import Counter, defaultdict, deque
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from xuke.api.context import Services
from xuke.api.pages import PageResponse
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


class RateLimiter:
    """At most ``limit`` lookups per client per ``window`` seconds. Kept in this process:
    each API process limits on its own (documented; a shared limit needs shared storage)."""

    def __init__(self, limit: int = 20, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        hits = self._hits[client]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


def router(services: Services, limiter: RateLimiter | None = None) -> APIRouter:
    limiter = limiter or RateLimiter()
    routes = APIRouter()

    async def lookup(request: Request, case_no: str, code: str) -> dict[str, Any] | None:
        client = request.client.host if request.client else "unknown"
        if not limiter.allow(client):
            raise HTTPException(
                status_code=429, detail="查询过于频繁，请稍后再试", headers={"Retry-After": "60"}
            )
        code_hash = services.app.hash_query_code(code)
        row = await run_in_threadpool(
            public_status, services.views, case_no.strip()[:64], code_hash
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


def time_limits(explained: list[dict[str, Any]]) -> str:
    """办理时限说明: each limit, from which day, how many working days, which days were not
    counted and why — what applicants ask most."""
    esc, rows = html.escape, []
    for e in explained:
        reasons = Counter(d["reason"] for d in e["skipped"])
        skipped = "；".join(f"{r} {n} 天" for r, n in reasons.items()) or "无"
        note = f"（含延长 {e['extended_by']} 个工作日）" if e["extended_by"] else ""
        estimate = (
            f"；{'、'.join(str(y) for y in e['provisional_years'])} 年节假日尚未公布，按估算"
            if e["provisional_years"]
            else ""
        )
        rows.append(
            f"<tr><td>{esc(LIMIT_NAMES.get(e['limit'], e['limit']))}</td><td>{esc(e['article'])}</td>"
            f"<td>{esc(e['counts_from'])}</td><td>{e['working_days']}{esc(note)}</td>"
            f"<td>{esc(e['due'])}</td><td>{esc(skipped + estimate)}</td></tr>"
        )
    return (
        '<h2>办理时限说明</h2><table class="limits"><thead><tr><th>时限</th><th>依据</th>'
        "<th>起算日</th><th>工作日</th><th>届满日</th><th>不计入的日子</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def page(case_no: str = "", row: dict[str, Any] | None = None, searched: bool = False) -> str:
    esc = html.escape
    result = ""
    if searched and row is None:
        result = f'<p class="missing" role="alert">{NOT_FOUND}</p>'
    elif row is not None:
        steps = "".join(
            f"<tr><td>{esc(local_time(s['at']))}</td><td>{esc(STAGES.get(s['stage'], s['stage']))}</td>"
            f"<td>{esc(STATUS_LABELS.get(s['status'], s['status']))}</td><td>{esc(s['note'] or '')}</td></tr>"
            for s in row["steps"]
        )
        facts = [
            ("案件编号", row["case_no"]), ("许可事项", row["item_name"]), ("申请人", row["applicant_name"]),
            ("当前状态", STATUS_LABELS.get(row["status"], row["status"])), ("当前环节", STAGES.get(row["stage"], row["stage"])),
            ("收件日期", row["received_on"]), ("受理日期", row["accepted_on"] or "—"),
            ("法定办结期限", row["decision_due"] or "—"), ("决定日期", row["decided_on"] or "—"),
        ]  # fmt: skip
        dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(str(v))}</dd>" for k, v in facts)
        result = (
            f'<section class="result"><h2>办理进度</h2><dl>{dl}</dl>'
            f"<table><thead><tr><th>时间</th><th>环节</th><th>状态</th><th>说明</th></tr></thead>"
            f"<tbody>{steps}</tbody></table>{time_limits(row['deadlines'])}</section>"
        )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>行政许可办事进度查询</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2rem auto; max-width: 52rem; color: #222; }}
h1 {{ color: #b2261c; font-size: 1.6rem; border-bottom: 3px solid #b2261c; padding-bottom: .4rem; }}
form {{ display: flex; gap: .6rem; flex-wrap: wrap; align-items: end; margin: 1rem 0; }}
label {{ display: flex; flex-direction: column; font-size: .9rem; }}
input {{ padding: .4rem; font-size: 1rem; min-width: 16rem; }}
button {{ padding: .5rem 1.4rem; background: #b2261c; color: #fff; border: 0; font-size: 1rem; }}
dl {{ display: grid; grid-template-columns: 9rem 1fr; gap: .3rem 1rem; }} dt {{ color: #666; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 1rem; }}
th, td {{ border: 1px solid #ddd; padding: .4rem .6rem; text-align: left; }} th {{ background: #f5f5f5; }}
.missing {{ color: #b2261c; }} footer {{ margin-top: 2rem; font-size: .8rem; color: #888; }}
</style></head>
<body><h1>行政许可办事进度查询</h1>
<p>请输入案件编号和受理时取得的查询码。本页不显示个人身份信息和内部审查意见。</p>
<form method="post" action="/status">
<label>案件编号<input name="case_no" value="{esc(case_no)}" required maxlength="64" placeholder="440000-2026-GYCP-000001"></label>
<label>查询码<input name="query_code" required maxlength="32" autocomplete="off"></label>
<button type="submit">查询</button></form>
{result}
<footer>依据《中华人民共和国行政许可法》公开办理进度 · xuke</footer></body></html>"""

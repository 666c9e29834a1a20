"""myApplications and searchCases on a large deadlines view: p50/p99 of each kind of query
the API runs (``projections/case_search.py``), with the plan PostgreSQL chose.

The view's rows are synthesised straight into ``case_deadlines`` (N cases over 40 divisions,
5 items, 50,000 enterprises, two years of receipts; 30 % open), not generated through the
event store: what is measured is the query against the read model and its indexes
(migration 0033), which is what decides whether the search stays fast at 1 M cases.

    python benchmarks/case_search.py --cases 1000000 --schema search1m    # PostgreSQL
    python benchmarks/case_search.py --cases 20000 --sqlite /tmp/s.sqlite  # small, SQLite
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))

from xuke.bootstrap import migrate
from xuke.projections.case_search import (
    CaseFilter,
    CaseSort,
    applications_page,
    search_cases,
)
from xuke.projections.paging import Page
from xuke.projections.store import Row, ViewStore
from xuke.settings import Settings

DIVISIONS = [f"44{c:02d}00" for c in range(1, 21)] + [f"35{c:02d}00" for c in range(1, 11)]
DIVISIONS += ["440000", "350000", "320000", "330000", "110000", "310000", "420000", "430000",
              "510000", "610000"]  # fmt: skip
ITEMS = ["GYCP-SCXK", "TZSB-SCXK", "SPJY-XK", "YPJY-XK", "TZJY-JGHZ"]
OPEN = [("SUBMITTED", "ACCEPTANCE"), ("ACCEPTED", "HANDLING"), ("UNDER_REVIEW", "REVIEW"),
        ("UNDER_REVIEW", "APPROVAL"), ("SUSPENDED", "HANDLING")]  # fmt: skip
CLOSED = [("CLOSED", "DONE"), ("WITHDRAWN", "DONE"), ("NOT_ACCEPTED", "DONE")]
ENTERPRISES = 50_000
START = dt.date(2025, 1, 1)
TODAY = dt.date(2026, 11, 30)
COLUMNS = ("case_id", "case_no", "item_code", "jurisdiction_code", "status", "stage", "is_open",
           "acceptance_due", "decision_due", "working_days_used", "working_days_suspended",
           "extended", "provisional", "due_on", "yellow_from", "done_on", "received_on",
           "horizon", "clock", "applicant_code", "applicant_name", "preliminary_org")  # fmt: skip


def row(i: int, rnd: random.Random) -> tuple[Any, ...]:
    received = START + dt.timedelta(days=rnd.randrange(0, 700))
    due = received + dt.timedelta(days=rnd.randrange(7, 45))
    is_open = received > TODAY - dt.timedelta(days=90) or rnd.random() < 0.05
    status, stage = rnd.choice(OPEN if is_open else CLOSED)
    done = None if is_open else due + dt.timedelta(days=rnd.randrange(-20, 3))
    enterprise = rnd.randrange(ENTERPRISES)
    division = rnd.choice(DIVISIONS)
    # TZJY-JGHZ (every 5th case) is decided by the nation after the province reviewed it
    # first (Law 43): the province finds it through searchCases' second branch (0034).
    lower = division[:2] + "0000" if ITEMS[i % 5] == "TZJY-JGHZ" else None
    return (
        f"id-{i}", f"{division}-{received.year}-{ITEMS[i % 5][:4]}-{i:07d}", ITEMS[i % 5],
        "000000" if lower else division, status, stage, int(is_open), received.isoformat(),
        due.isoformat(), 10, 0, 0, 0, due.isoformat(), (due - dt.timedelta(days=3)).isoformat(),
        done.isoformat() if done else None, received.isoformat(), due.isoformat(), "{}",
        f"9144{enterprise:014d}", f"测试企业{enterprise}号有限公司", lower,
    )  # fmt: skip


def fill(views: ViewStore, cases: int) -> None:
    if views.count("case_deadlines", "1 = 1") >= cases:
        return
    rnd = random.Random(2026)
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO case_deadlines ({', '.join(COLUMNS)}) VALUES ({marks})"
    started = time.perf_counter()
    for first in range(0, cases, 20_000):
        with views.transaction() as tx:
            tx.executemany(sql, [row(i, rnd) for i in range(first, min(first + 20_000, cases))])
    with views.transaction() as tx:
        tx.execute("ANALYZE" if not views.is_sqlite else "ANALYZE case_deadlines")
    print(f"filled {cases:,} rows in {time.perf_counter() - started:.0f} s")


def measure(call: Callable[[], Page[Row]], n: int) -> tuple[float, float, int]:
    call()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        page = call()
        times.append((time.perf_counter() - started) * 1000)
    q = statistics.quantiles(times, n=100)
    return q[49], q[98], page.total_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--schema", default="case_search_bench")
    parser.add_argument("--sqlite", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    if args.sqlite:
        url = f"sqlite:///{args.sqlite}"
    else:
        base = os.environ.get("XUKE_BENCH_DATABASE_URL") or os.environ["XUKE_TEST_DATABASE_URL"]
        url = f"{base}?schema={args.schema}"
    settings = Settings(database_url=url, secret_key="bench", demo=False)
    migrate(settings).close()
    views = ViewStore(settings.resolved_database_url)
    fill(views, args.cases)
    busy = views.fetchone(
        "SELECT applicant_code FROM case_deadlines GROUP BY applicant_code "
        "ORDER BY COUNT(*) DESC LIMIT 1"
    )
    code = busy["applicant_code"] if busy else ""
    some = views.fetchone("SELECT case_no FROM case_deadlines WHERE case_id = 'id-4242'")
    deep: dict[str, str | None] = {"after": None}
    page = None
    for _ in range(10):  # the 11th page of the province's cases by due date
        page = search_cases(
            views, "440000", CaseFilter(), CaseSort.DUE_ASC, TODAY, 20, deep["after"]
        )
        deep["after"] = page.end_cursor

    def s(
        jurisdiction: str,
        f: CaseFilter | None = None,
        sort: CaseSort = CaseSort.DUE_ASC,
        after: str | None = None,
    ) -> Callable[[], Page[Row]]:
        found = f or CaseFilter()
        return lambda: search_cases(views, jurisdiction, found, sort, TODAY, 20, after)

    queries: dict[str, Callable[[], Page[Row]]] = {
        "myApplications (busiest enterprise)": lambda: applications_page(views, code, TODAY),
        "search: province, by due date": s("440000"),
        "search: province, newest received": s("440000", sort=CaseSort.RECEIVED_DESC),
        "search: one city, by due date": s("440300"),
        "search: nation, status UNDER_REVIEW": s("000000", CaseFilter(statuses=("UNDER_REVIEW",))),
        "search: province, light RED": s("440000", CaseFilter(lights=("RED",))),
        "search: province, light YELLOW": s("440000", CaseFilter(lights=("YELLOW",))),
        "search: nation, applicant code": s("000000", CaseFilter(applicant_code=code)),
        "search: nation, case number": s(
            "000000", CaseFilter(case_no=some["case_no"] if some else "x")
        ),
        "search: province, item + received month": s(
            "440000",
            CaseFilter(
                item_code="SPJY-XK",
                received_from=dt.date(2026, 3, 1),
                received_to=dt.date(2026, 3, 31),
            ),
            CaseSort.RECEIVED_ASC,
        ),
        "search: province, due-date range": s(
            "440000", CaseFilter(due_from=dt.date(2026, 6, 1), due_to=dt.date(2026, 6, 30))
        ),
        "search: province, 11th page": s("440000", after=deep["after"]),
        "search: province, name contains": s("440000", CaseFilter(applicant_name="4242号")),
        "search: province, reviewed first (Law 43)": s("440000", CaseFilter(item_code="TZJY-JGHZ")),
    }
    total = views.count("case_deadlines", "1 = 1")
    print(f"{total:,} cases in case_deadlines ({'SQLite' if views.is_sqlite else 'PostgreSQL'})")
    print(f"{'query':<42}{'p50 ms':>9}{'p99 ms':>9}{'matches':>10}")
    for name, call in queries.items():
        p50, p99, count = measure(call, args.queries)
        print(f"{name:<42}{p50:>9.2f}{p99:>9.2f}{count:>10,}")
    views.close()


if __name__ == "__main__":
    main()

"""A bulk generator of realistic licence cases for benchmarks.

Cases go through the real domain commands and the real event encoding; only the saving is a
bulk path (many events per insert), which is fine for a generator and nothing else. Spreads:
every catalogue item, every demo authority, filings across 2026, and outcomes from still
waiting for acceptance through suspensions, extensions, refusals and withdrawals to service.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator

from xuke.application.licensing import LicensingApplication
from xuke.domain.case import LicenseCase
from xuke.domain.case_numbers import format_case_no
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.errors import ExtensionWindowClosed, NoExtensionForItem
from xuke.domain.identifiers import credit_code_check_char
from xuke.domain.model import SHANGHAI, Actor
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, ServiceMethod, SuspensionReason

DIVISIONS = ["440103", "440104", "440106", "440304", "440305"]
OUTCOMES = [  # (how far the case gets, weight)
    ("submitted", 10), ("correction", 5), ("not_accepted", 4), ("handling", 12), ("review", 10),
    ("approval", 6), ("suspended", 5), ("withdrawn", 5), ("denied", 6), ("closed", 37),
]  # fmt: skip


def credit_code(n: int) -> str:
    first17 = f"9144{n:013d}"[:17]
    return first17 + credit_code_check_char(first17)


class Generator:
    def __init__(self, app: LicensingApplication, seed: int = 2026) -> None:
        self.app, self.rng = app, random.Random(seed)
        self.calendar = app.working_calendar()
        self.numbers: Counter[tuple[str, int, str]] = Counter()
        self.items = list(app.catalogue.items)

    def _ctx(self, at: dt.datetime, role: Role | None, user: str, org: str) -> CommandContext:
        return CommandContext(actor=Actor(id=user, role=role, org_code=org), at=at)

    def case(self, n: int) -> LicenseCase:
        rng = self.rng
        item = rng.choice(self.items)
        division = rng.choice(DIVISIONS)
        authority = self.app.organisations.competent_authority(item.level, division).code
        at = dt.datetime(2026, 1, 5, 9, tzinfo=SHANGHAI) + dt.timedelta(
            days=rng.randrange(320), minutes=rng.randrange(480)
        )
        year = at.year
        self.numbers[(authority, year, item.abbreviation)] += 1
        case_no = format_case_no(
            authority, year, item.abbreviation, 500_001 + n
        )  # clear of real filings
        code = credit_code(n)
        applicant = ApplicantRecord.from_input(
            "ENTERPRISE", f"广东测试企业{n}号有限公司", "13800138000", "广东省", credit_code=code
        )
        required = sorted(item.required_material_codes)
        outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        missing = outcome == "correction" or rng.random() < 0.15
        materials = tuple(required[:-1] if missing and len(required) > 1 else required)
        case = LicenseCase.file(
            self._ctx(at, Role.APPLICANT, f"app-{n}", code), case_no=case_no, item=item, applicant=applicant,
            applicant_division=division, jurisdiction_code=authority, channel="ONLINE", materials=materials,
            form={}, received_at=at, query_code_hash=f"{n:064x}",
        )  # fmt: skip
        self._walk(case, outcome, at, authority, required, materials)
        return case

    def _walk(
        self,
        case: LicenseCase,
        outcome: str,
        at: dt.datetime,
        org: str,
        required: list[str],
        materials: tuple[str, ...],
    ) -> None:
        rng, cal = self.rng, self.calendar

        def later(days: int = 3) -> CommandContext:
            nonlocal at
            at += dt.timedelta(days=rng.randint(1, days), hours=rng.randint(0, 3))
            return self._ctx(at, role, f"{org}-{role.value.lower()}-{rng.randint(1, 5)}", org)

        role = Role.CLERK
        if outcome == "submitted":
            return
        if set(required) - set(materials):
            case.request_correction(later(2), cal, sorted(set(required) - set(materials)), "请补正")
            if outcome == "correction":
                return
            role = Role.APPLICANT
            case.submit_correction(later(), cal, sorted(set(required) - set(materials)))
            role = Role.CLERK
        if outcome == "not_accepted":
            case.reject(later(2), cal, "不属于本机关职权范围")
            return
        case.accept(later(2), cal)
        if outcome == "withdrawn":
            role = Role.APPLICANT
            case.withdraw(later(), "企业转产")
            return
        role = Role.HANDLER
        if case.task and rng.random() < 0.6:
            case.claim(later(), case.task.no)
        if outcome == "handling":
            return
        if outcome == "suspended" or rng.random() < 0.15:
            case.suspend_clock(
                later(), cal, rng.choice(list(SuspensionReason)), rng.randint(5, 20), "送检"
            )
            if outcome == "suspended":
                return
            case.resume_clock(later(15))
        case.record_opinion(later(5), Opinion.AGREE, "材料齐全，核查合格", {"核查": "符合"})
        role = Role.REVIEWER
        if outcome == "review":
            return
        if rng.random() < 0.1:
            case.record_opinion(later(), Opinion.RETURN, "请补充核查记录", None)
            role = Role.HANDLER
            case.record_opinion(later(), Opinion.AGREE, "已补充", None)
            role = Role.REVIEWER
        case.record_opinion(later(5), Opinion.AGREE, "同意", None)
        role = Role.APPROVER
        if outcome == "approval":
            return
        if rng.random() < 0.1:
            # too late for it, or the item's law allows none: no extension
            with contextlib.suppress(ExtensionWindowClosed, NoExtensionForItem):
                case.extend_deadline(later(), cal, "情况复杂")
        grant = outcome != "denied"
        case.decide(later(5), grant, "符合条件" if grant else "不符合产业政策")
        if grant:
            case.issue_certificate(later(2))
        served = later(3)
        case.record_service(served, ServiceMethod.MAIL, served.at - dt.timedelta(hours=1))

    def batches(
        self, cases: int, batch_events: int = 5000, first: int = 0
    ) -> Iterator[list[LicenseCase.Event]]:
        batch: list[LicenseCase.Event] = []
        for n in range(first, first + cases):
            batch.extend(self.case(n).collect_events())  # type: ignore[arg-type]
            if len(batch) >= batch_events:
                yield batch
                batch = []
        if batch:
            yield batch


def generate(app: LicensingApplication, cases: int, first: int = 0) -> int:
    """Store ``cases`` generated cases, numbered from ``first``; returns the events written."""
    written = 0
    for batch in Generator(app, seed=2026 + first).batches(cases, first=first):
        app.recorder.insert_events([app.mapper.to_stored_event(e) for e in batch])
        written += len(batch)
    return written


def _generate_share(database_url: str, cases: int, first: int) -> int:
    from xuke.bootstrap import build_application, tune_gc
    from xuke.settings import Settings

    tune_gc()
    app = build_application(Settings(database_url=database_url, secret_key="bench"))
    try:
        return generate(app, cases, first)
    finally:
        app.close()


def main() -> None:
    """Fill a schema with generated cases, one process per share of the case numbers:

    python benchmarks/generate.py --cases 1000000 --schema big1m [--processes 2]"""
    import argparse
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor

    from xuke.bootstrap import migrate
    from xuke.settings import Settings

    parser = argparse.ArgumentParser(description="generate benchmark cases")
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    base = os.environ.get("XUKE_BENCH_DATABASE_URL") or os.environ["XUKE_TEST_DATABASE_URL"]
    url = f"{base}?schema={args.schema}"
    migrate(Settings(database_url=url, secret_key="bench")).close()
    started, share = time.perf_counter(), -(-args.cases // args.processes)
    firsts = range(0, args.cases, share)
    counts = [min(share, args.cases - first) for first in firsts]
    with ProcessPoolExecutor(args.processes) as pool:
        events = sum(pool.map(_generate_share, [url] * len(counts), counts, firsts))
    elapsed = time.perf_counter() - started
    print(
        f"generated {args.cases:,} cases, {events:,} events in {elapsed:.0f} s ({events / elapsed:,.0f}/s)"
    )


if __name__ == "__main__":
    main()

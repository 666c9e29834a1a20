"""Deadlines and their explanations: why a limit falls due when it does (v2 contract). Shared
by a case (``Case.deadlines``) and the public status page (``PublicStatus.deadlines``)."""

from __future__ import annotations

import datetime as dt

import strawberry

from xuke.api.graphql.common.types import Info, Light, SuspensionReason
from xuke.domain.deadlines import CaseClock
from xuke.domain.deadlines import Deadlines as DomainDeadlines
from xuke.domain.explanations import Explanation as DomainExplanation
from xuke.domain.explanations import explain_deadlines


@strawberry.type
class SkippedDay:
    date: dt.date
    reason: str


@strawberry.type
class SuspensionSpan:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date | None
    reason: SuspensionReason
    working_days: int


@strawberry.type(description="One limit counted day by day, by the function that gives its date.")
class DeadlineExplanation:
    limit: str
    article: str
    counts_from: dt.date
    working_days: int
    extended_by: int
    suspensions: list[SuspensionSpan]
    skipped: list[SkippedDay]
    due: dt.date
    provisional_years: list[int]

    @classmethod
    def of(cls, e: DomainExplanation) -> DeadlineExplanation:
        return cls(
            limit=e.limit, article=e.article, counts_from=e.counts_from, working_days=e.working_days,
            extended_by=e.extended_by,
            suspensions=[
                SuspensionSpan(from_=s.start, to=s.end, reason=SuspensionReason(s.reason), working_days=s.working_days)
                for s in e.suspensions
            ],
            skipped=[SkippedDay(date=d.date, reason=d.reason) for d in e.skipped],
            due=e.due, provisional_years=list(e.provisional_years),
        )  # fmt: skip


async def explanations_of(info: Info, clock: CaseClock) -> list[DeadlineExplanation]:
    """Counted only when asked for, against the calendar in force and today."""
    ctx = info.context
    calendar = await ctx.run(lambda: ctx.calendar)
    found = explain_deadlines(clock, calendar, ctx.services.today())
    return [DeadlineExplanation.of(e) for e in found]


@strawberry.type
class Deadlines:
    acceptance_due: dt.date
    decision_due: dt.date | None
    committed_due: dt.date | None
    service_due: dt.date | None
    working_days_used: int
    working_days_suspended: int
    extended: bool
    provisional: bool
    light: Light
    correction_due: dt.date | None
    clock: strawberry.Private[CaseClock]

    @strawberry.field
    async def explanations(self, info: Info) -> list[DeadlineExplanation]:
        return await explanations_of(info, self.clock)

    @classmethod
    def of(cls, d: DomainDeadlines, clock: CaseClock) -> Deadlines:
        shown = {f: getattr(d, f) for f in cls.__annotations__ if f != "clock"}
        return cls(**shown, clock=clock)

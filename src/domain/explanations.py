"""Explained deadlines: for every limit of a case, the article, the day counting starts, the
working days applied (extension included), each day not counted and why (周末, the holiday's
name, a suspension), the suspensions, and the years whose schedule was estimated.

An explanation is made by the very count that gives the due date (``count_working_days``), so
the two cannot disagree: recount the days from ``counts_from`` to ``due`` less the skipped
ones and you get ``working_days``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xuke.domain.calendar import WorkingCalendar
from xuke.domain.deadlines import (
    ACCEPTANCE_PERIOD_DAYS,
    ARTICLE_ACCEPTANCE,
    ARTICLE_COMMITTED,
    ARTICLE_CORRECTION,
    ARTICLE_HEARING,
    ARTICLE_OWN_SERVICE_LIMIT,
    ARTICLE_PRELIMINARY_REVIEW,
    ARTICLE_SERVICE,
    HEARING_HOLD_DAYS,
    HEARING_REQUEST_DAYS,
    PRELIMINARY_REVIEW_DAYS,
    CaseClock,
    SuspensionPeriod,
    acceptance_start,
    as_of,
    count_working_days,
    decision_days,
    decision_start,
)
from xuke.domain.stages import SUSPENSION_REASONS


@dataclass(frozen=True)
class SkippedDay:
    date: dt.date
    reason: str  # 周末, a holiday's name, 中止计时：检验 …


@dataclass(frozen=True)
class SuspensionSpan:
    start: dt.date
    end: dt.date | None
    reason: str
    working_days: int


@dataclass(frozen=True)
class Explanation:
    """Why a limit falls due when it does, day by day (``explain``)."""

    limit: str
    article: str
    counts_from: dt.date
    working_days: int
    extended_by: int
    suspensions: tuple[SuspensionSpan, ...]
    skipped: tuple[SkippedDay, ...]
    due: dt.date
    provisional_years: tuple[int, ...]


def explain(
    calendar: WorkingCalendar,
    limit: str,
    article: str,
    start: dt.date,
    days: int,
    *,
    extended_by: int = 0,
    suspensions: tuple[SuspensionPeriod, ...] = (),
    today: dt.date | None = None,
) -> Explanation:
    """One limit, explained by the very count that computes its due date: every day from
    the day after ``start`` to the due day is either counted or skipped, with its reason."""
    due = count_working_days(calendar, start, days, suspensions, today)
    spans = tuple(
        SuspensionSpan(
            s.start,
            s.end,
            s.reason,
            calendar.working_days_between(s.start, s.end or today or s.start),
        )
        for s in suspensions
    )
    skipped, day = [], start + dt.timedelta(days=1)
    while day <= due.date:
        reason = calendar.day_off_reason(day) or _suspended_because(day, suspensions, today)
        if reason:
            skipped.append(SkippedDay(day, reason))
        day += dt.timedelta(days=1)
    years = range(start.year, due.date.year + 1)
    return Explanation(
        limit=limit, article=article, counts_from=start + dt.timedelta(days=1), working_days=days,
        extended_by=extended_by, suspensions=spans, skipped=tuple(skipped), due=due.date,
        provisional_years=tuple(y for y in years if not calendar.is_scheduled(y)),
    )  # fmt: skip


def _suspended_because(
    day: dt.date, suspensions: tuple[SuspensionPeriod, ...], today: dt.date | None
) -> str | None:
    for s in suspensions:
        end = s.end or today or s.start
        if s.start < day <= end:
            return f"中止计时：{SUSPENSION_REASONS.get(s.reason, s.reason)}"
    return None


def explain_deadlines(
    clock: CaseClock, calendar: WorkingCalendar, today: dt.date
) -> list[Explanation]:
    """Every limit that applies to the case, in the order they run."""
    day = as_of(clock, today)
    out = [
        explain(calendar, "ACCEPTANCE", ARTICLE_ACCEPTANCE, acceptance_start(clock),
                ACCEPTANCE_PERIOD_DAYS),
    ]  # fmt: skip
    if clock.correction_requested_on is not None and clock.correction_days is not None:
        out.append(
            explain(calendar, "CORRECTION", ARTICLE_CORRECTION, clock.correction_requested_on,
                    clock.correction_days)
        )  # fmt: skip
    if clock.preliminary and clock.accepted_on is not None:  # Law 43: the lower level's 20 days
        out.append(
            explain(calendar, "PRELIMINARY_REVIEW", ARTICLE_PRELIMINARY_REVIEW, clock.accepted_on,
                    PRELIMINARY_REVIEW_DAYS)
        )  # fmt: skip
    start = decision_start(clock)
    if start is not None:
        extended_by = clock.extension_days if clock.extended else 0
        out.append(
            explain(calendar, "DECISION", clock.decision_article, start,
                    decision_days(clock), extended_by=extended_by, suspensions=clock.suspensions,
                    today=day)
        )  # fmt: skip
        if clock.committed_days is not None:
            out.append(
                explain(calendar, "COMMITTED", ARTICLE_COMMITTED, start,
                        clock.committed_days, suspensions=clock.suspensions, today=day)
            )  # fmt: skip
    if clock.hearing_request_from is not None:  # Law 47: the applicant's 5 days
        out.append(
            explain(calendar, "HEARING_REQUEST", ARTICLE_HEARING, clock.hearing_request_from,
                    HEARING_REQUEST_DAYS)
        )  # fmt: skip
    if clock.hearing_hold_from is not None:  # Law 47: held within 20 days of the request
        out.append(
            explain(calendar, "HEARING", ARTICLE_HEARING, clock.hearing_hold_from,
                    HEARING_HOLD_DAYS)
        )  # fmt: skip
    if clock.decided_on is not None and clock.service_days is not None:
        article = ARTICLE_SERVICE if clock.granted else ARTICLE_OWN_SERVICE_LIMIT
        out.append(explain(calendar, "SERVICE", article, clock.decided_on, clock.service_days))
    return out

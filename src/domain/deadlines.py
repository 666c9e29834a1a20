"""Legal time limits (《行政许可法》) as pure functions of a case's facts, the calendar and today.

Every period counts working days (Art. 82); the day of the triggering event is not counted.
Nothing is stored: a case turns YELLOW or RED because ``today`` moved, not because of an event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from xuke.domain.calendar import DueDate, WorkingCalendar

ACCEPTANCE_PERIOD_DAYS = 5  # Art. 32
EXTENSION_DAYS = 10  # Art. 42
SERVICE_PERIOD_DAYS = 10  # Art. 44
PUBLIC_NOTICE_SERVICE_DAYS = 30  # 民事诉讼法 Art. 95: deemed served 30 days after notice


class Light(StrEnum):
    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"


@dataclass(frozen=True)
class LightThresholds:
    """DESIGN §6: YELLOW when ≤ 2 working days remain or ≥ 2/3 of the time is used."""

    yellow_days_left: int = 2
    yellow_fraction_used: float = 2 / 3


@dataclass(frozen=True)
class SuspensionPeriod:
    start: dt.date
    end: dt.date | None  # None while the clock is still stopped


@dataclass(frozen=True)
class CaseClock:
    """The facts of a case that its deadlines depend on."""

    received_on: dt.date
    legal_days: int
    committed_days: int | None = None
    correction_received_on: dt.date | None = None
    accepted_on: dt.date | None = None
    suspensions: tuple[SuspensionPeriod, ...] = ()
    extended: bool = False
    decided_on: dt.date | None = None
    served_on: dt.date | None = None
    closed_on: dt.date | None = None  # ended without a decision (withdrawn, terminated, refused)
    acceptance_decided_on: dt.date | None = None  # accepted or refused, whichever came


@dataclass(frozen=True)
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


def acceptance_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate:
    """Art. 32: accept, refuse or send the one correction notice within 5 working days of
    receipt. A submission on a non-working day counts as received the next working day; after
    a correction, the 5 days run again from receipt of the completed materials."""
    received = clock.correction_received_on or clock.received_on
    start = calendar.next_working_day_on_or_after(received)
    # The receipt day is day 0: the 5 days run from the next day on.
    due = calendar.add_working_days(start.date, ACCEPTANCE_PERIOD_DAYS)
    return DueDate(due.date, due.provisional or start.provisional)


def effective_receipt_date(clock: CaseClock, calendar: WorkingCalendar) -> dt.date:
    """Art. 32: the date a deemed acceptance takes effect — the (working) day of receipt."""
    received = clock.correction_received_on or clock.received_on
    return calendar.next_working_day_on_or_after(received).date


def suspended_working_days(clock: CaseClock, calendar: WorkingCalendar, today: dt.date) -> int:
    """Art. 45: working days while the clock was stopped (start day excluded, end included)."""
    return sum(calendar.working_days_between(s.start, s.end or today) for s in clock.suspensions)


def decision_due(clock: CaseClock, calendar: WorkingCalendar, today: dt.date) -> DueDate | None:
    """Art. 42: the item's legal limit from acceptance, plus suspended days (Art. 45) and the
    single 10-day extension."""
    if clock.accepted_on is None:
        return None
    days = clock.legal_days + suspended_working_days(clock, calendar, today)
    days += EXTENSION_DAYS if clock.extended else 0
    return calendar.add_working_days(clock.accepted_on, days)


def committed_due(clock: CaseClock, calendar: WorkingCalendar, today: dt.date) -> DueDate | None:
    """承诺时限: the authority's own shorter promise, also net of suspensions."""
    if clock.accepted_on is None or clock.committed_days is None:
        return None
    days = clock.committed_days + suspended_working_days(clock, calendar, today)
    return calendar.add_working_days(clock.accepted_on, days)


def service_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate | None:
    """Art. 44: certificate issued and served within 10 working days of the decision."""
    if clock.decided_on is None:
        return None
    return calendar.add_working_days(clock.decided_on, SERVICE_PERIOD_DAYS)


def public_notice_served_on(noticed_on: dt.date) -> dt.date:
    """民事诉讼法 Art. 95: service by public notice is deemed done 30 days after the notice."""
    return noticed_on + dt.timedelta(days=PUBLIC_NOTICE_SERVICE_DAYS)


@dataclass(frozen=True)
class RunningDeadline:
    """The deadline now running for a case: its length, its due date, when it was met."""

    total_days: int
    due: dt.date
    done_on: dt.date | None


def yellow_from(
    running: RunningDeadline, calendar: WorkingCalendar, thresholds: LightThresholds
) -> dt.date:
    """The first day the case shows YELLOW: when at most ``yellow_days_left`` working days
    remain, or at least ``yellow_fraction_used`` of the period is used — both are "at most K
    working days left", so YELLOW starts on the (K+1)-th working day before the due date."""
    left_by_fraction = int(running.total_days * (1 - thresholds.yellow_fraction_used) + 1e-9)
    k = max(thresholds.yellow_days_left, left_by_fraction)
    return calendar.nth_working_day_back(running.due, k + 1)


def light_of(
    running: RunningDeadline, today: dt.date, calendar: WorkingCalendar, thresholds: LightThresholds
) -> Light:
    """A running deadline's light against today; a met one by whether it was met in time."""
    if running.done_on is not None:
        return Light.RED if running.done_on > running.due else Light.GREEN
    if today > running.due:
        return Light.RED
    if today >= yellow_from(running, calendar, thresholds):
        return Light.YELLOW
    return Light.GREEN


def compute_deadlines(
    clock: CaseClock,
    calendar: WorkingCalendar,
    today: dt.date,
    thresholds: LightThresholds = LightThresholds(),
) -> Deadlines:
    """Every field of the contract's ``Deadlines`` type, evaluated on ``today``."""
    acc = acceptance_due(clock, calendar)
    dec = decision_due(clock, calendar, today)
    com = committed_due(clock, calendar, today)
    srv = service_due(clock, calendar)
    end = clock.decided_on or clock.closed_on or today
    suspended = suspended_working_days(clock, calendar, end)
    used = 0
    if clock.accepted_on is not None:
        used = max(calendar.working_days_between(clock.accepted_on, end) - suspended, 0)
    provisional = any(d is not None and d.provisional for d in (acc, dec, com, srv))
    return Deadlines(
        acceptance_due=acc.date,
        decision_due=dec.date if dec else None,
        committed_due=com.date if com else None,
        service_due=srv.date if srv else None,
        working_days_used=used,
        working_days_suspended=suspended,
        extended=clock.extended,
        provisional=provisional,
        light=light_of(running_deadline(clock, calendar, today), today, calendar, thresholds),
    )


def running_deadline(
    clock: CaseClock,
    calendar: WorkingCalendar,
    today: dt.date,
) -> RunningDeadline:
    """The deadline now running: service after a decision, the decision after acceptance,
    acceptance before that. A case ended without a decision is judged at the step it stopped."""
    if clock.decided_on is not None:
        srv = service_due(clock, calendar)
        assert srv is not None
        return RunningDeadline(SERVICE_PERIOD_DAYS, srv.date, clock.served_on)
    dec = decision_due(clock, calendar, today)
    if dec is not None:
        total = clock.legal_days + (EXTENSION_DAYS if clock.extended else 0)
        return RunningDeadline(total, dec.date, clock.closed_on)
    done = clock.acceptance_decided_on or clock.closed_on
    return RunningDeadline(ACCEPTANCE_PERIOD_DAYS, acceptance_due(clock, calendar).date, done)

"""Legal time limits as pure functions of a case's facts, the calendar and today.

Law = 《中华人民共和国行政许可法》; SAMR = 《市场监督管理行政许可程序暂行规定》 (they bind market
supervision authorities on top of the Law). Every period counts working days (Law 82): the
day of the triggering event is not counted, counting starts the next day (SAMR 77). Nothing
is stored: a case turns YELLOW or RED because ``today`` moved, not because of an event.

Find a rule by its article (docs/legal-rules.md has the whole table):

- Law 32 — ``acceptance_due``, ``deemed_acceptance_date``
- SAMR 15(4) — ``correction_due``
- Law 42 — ``decision_due`` (the item's limit and its extension, ``LicenseItem.extension_days``)
- Law 43 — ``preliminary_review_due``, ``decision_start`` (the lower level reviews first)
- Law 45 — ``count_working_days`` (suspended days do not count; an expired period is not revived)
- Law 44 — ``service_due`` (grants only), ``public_notice_served_on``
- Law 47 — ``hearing_request_due``, ``hearing_hold_due`` (the hearing itself stops the
  decision clock as a HEARING suspension, Law 45)
- 民法典 202 — ``validity_end``
- Law 82 on an estimated year — ``surely_passed``

Why a limit falls due when it does, day by day: ``xuke.domain.explanations``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from xuke.domain.calendar import DueDate, WorkingCalendar

ACCEPTANCE_PERIOD_DAYS = 5  # Law 32
DEFAULT_EXTENSION_DAYS = 10  # Law 42, unless the item's own law says otherwise
SERVICE_PERIOD_DAYS = 10  # Law 44 (grants)
PRELIMINARY_REVIEW_DAYS = 20  # Law 43
DEFAULT_CORRECTION_PERIOD_DAYS = 10  # SAMR 15(4): "a reasonable period", set per authority
PUBLIC_NOTICE_SERVICE_DAYS = (
    30  # 市场监督管理行政处罚程序规定 83: deemed served 30 days after notice
)

HEARING_REQUEST_DAYS = 5  # Law 47: asked for within 5 days of the notice (SAMR 77: working)
HEARING_HOLD_DAYS = 20  # Law 47: held within 20 days of the request (SAMR 77: working)
HEARING_OFFICER_DAYS = 3  # the presiding officer named within 3 days of the request
HEARING_NOTICE_DAYS = 7  # Law 48(1): told 7 days before — calendar days (our reading)

ARTICLE_ACCEPTANCE = "《行政许可法》第三十二条"
ARTICLE_HEARING = "《行政许可法》第四十七条"
ARTICLE_CORRECTION = "《市场监督管理行政许可程序暂行规定》第十五条"
ARTICLE_DECISION = "《行政许可法》第四十二条"
ARTICLE_SERVICE = "《行政许可法》第四十四条"
ARTICLE_PRELIMINARY_REVIEW = "《行政许可法》第四十三条"
ARTICLE_COMMITTED = "本机关承诺时限"
ARTICLE_OWN_SERVICE_LIMIT = "本机关规定的送达时限"


class Light(StrEnum):
    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"


@dataclass(frozen=True)
class LightThresholds:
    """YELLOW when ≤ 2 working days remain or ≥ 2/3 of the time is used (docs/legal-rules.md)."""

    yellow_days_left: int = 2
    yellow_fraction_used: float = 2 / 3


@dataclass(frozen=True)
class AuthorityLimits:
    """What an authority sets for itself within the law: the correction period its notices
    give (SAMR 15(4)) and, if it chose one, a service limit for denials (Law 44 has none)."""

    correction_period_days: int = DEFAULT_CORRECTION_PERIOD_DAYS
    denial_service_days: Mapping[str, int] = field(default_factory=dict)  # by authority code
    duties_combined: frozenset[str] = frozenset()  # authorities that let one person act twice

    def denial_service_days_for(self, authority: str) -> int | None:
        return self.denial_service_days.get(authority)

    def separates_duties(self, authority: str) -> bool:
        """Separation of duties is on unless the authority turned it off (a small office)."""
        return authority not in self.duties_combined


@dataclass(frozen=True)
class SuspensionPeriod:
    start: dt.date
    end: dt.date | None  # None while the clock is still stopped
    reason: str = ""  # a SuspensionReason value; explains the skipped days


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
    served_on: dt.date | None = None  # the authority's act of service (a public notice's day)
    closed_on: dt.date | None = None  # ended without a decision (withdrawn, terminated, refused)
    acceptance_decided_on: dt.date | None = None  # accepted or refused, whichever came
    extension_days: int = DEFAULT_EXTENSION_DAYS  # what the recorded extension added (Law 42)
    service_days: int | None = (
        SERVICE_PERIOD_DAYS  # Law 44 for a grant; a denial: own limit or None
    )
    correction_requested_on: dt.date | None = None
    correction_days: int | None = None  # the period the notice set, its extension included
    ended_on: dt.date | None = None  # the case closed, whichever way: its deadlines freeze here
    decision_article: str = ARTICLE_DECISION  # the item's source of its decision limit
    granted: bool = False  # the decision was a grant (Law 44 applies)
    hearing_request_from: dt.date | None = None  # Law 47: the notice of the right to a hearing
    hearing_hold_from: dt.date | None = None  # Law 47: the request (Art. 46: its notice)
    preliminary: bool = False  # Law 43: a lower authority reviews first
    forwarded_on: dt.date | None = None  # Law 43: the whole file reached the upper level


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
    correction_due: dt.date | None = None


# ---------------------------------------------------------------- counting (Law 82, SAMR 77, Law 45)


def as_of(clock: CaseClock, today: dt.date) -> dt.date:
    """A closed case's deadlines are frozen on its closing day: they never move afterwards."""
    return min(today, clock.ended_on) if clock.ended_on else today


def count_working_days(
    calendar: WorkingCalendar,
    start: dt.date,
    days: int,
    suspensions: tuple[SuspensionPeriod, ...] = (),
    today: dt.date | None = None,
) -> DueDate:
    """The day ``days`` working days after ``start`` (start not counted), leaving out the
    working days inside suspensions (Law 45: start day excluded, end included; an open one
    runs to ``today``). A suspension that begins on or after the due day changes nothing:
    an expired period is not revived."""
    due = calendar.add_working_days(start, days)
    date, provisional = due.date, due.provisional
    for span in sorted(suspensions, key=lambda s: s.start):
        if span.start >= date:
            break
        extra = calendar.working_days_between(span.start, span.end or today or span.start)
        if extra:
            moved = calendar.add_working_days(date, extra)
            date, provisional = moved.date, provisional or moved.provisional
    return DueDate(date, provisional)


def suspended_working_days(clock: CaseClock, calendar: WorkingCalendar, today: dt.date) -> int:
    """Law 45: working days while the clock was stopped (start day excluded, end included)."""
    return sum(calendar.working_days_between(s.start, s.end or today) for s in clock.suspensions)


# ---------------------------------------------------------------- the limits, by article


def acceptance_start(clock: CaseClock) -> dt.date:
    """Law 32, SAMR 14: the day the (completed) materials actually arrived, a Saturday too."""
    return clock.correction_received_on or clock.received_on


def acceptance_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate:
    """Law 32: accept, refuse or send the one correction notice within 5 working days of
    receipt; counting starts the day after receipt whatever day that was (SAMR 77). After a
    correction the 5 days run again from receipt of the completed materials (SAMR 15(5))."""
    return calendar.add_working_days(acceptance_start(clock), ACCEPTANCE_PERIOD_DAYS)


def deemed_acceptance_date(clock: CaseClock) -> dt.date:
    """Law 32: "自收到申请材料之日起即为受理" — the receipt date itself, a Saturday included."""
    return acceptance_start(clock)


def correction_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate | None:
    """SAMR 15(4): the reasonable period the one-time correction notice sets; let it pass
    without good reason and the application is deemed abandoned."""
    if clock.correction_requested_on is None or clock.correction_days is None:
        return None
    return calendar.add_working_days(clock.correction_requested_on, clock.correction_days)


def decision_days(clock: CaseClock) -> int:
    """Law 42: the item's limit, plus the recorded extension (the item's, once)."""
    return clock.legal_days + (clock.extension_days if clock.extended else 0)


def preliminary_review_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate | None:
    """Law 43: the lower authority reviews within 20 working days of its acceptance, then
    sends its opinion and the whole file up."""
    if not clock.preliminary or clock.accepted_on is None:
        return None
    return calendar.add_working_days(clock.accepted_on, PRELIMINARY_REVIEW_DAYS)


def decision_start(clock: CaseClock) -> dt.date | None:
    """Law 42 counts from acceptance; after a preliminary review (Law 43), from the day the
    upper level received the whole file (our reading: it does not accept again)."""
    return clock.forwarded_on if clock.preliminary else clock.accepted_on


def decision_due(clock: CaseClock, calendar: WorkingCalendar, today: dt.date) -> DueDate | None:
    """Law 42 and 45: the item's limit from acceptance, its extension, suspensions left out."""
    start = decision_start(clock)
    if start is None:
        return None
    return count_working_days(
        calendar, start, decision_days(clock), clock.suspensions, as_of(clock, today)
    )


def committed_due(clock: CaseClock, calendar: WorkingCalendar, today: dt.date) -> DueDate | None:
    """承诺时限: the authority's own shorter promise, also net of suspensions."""
    start = decision_start(clock)
    if start is None or clock.committed_days is None:
        return None
    return count_working_days(
        calendar, start, clock.committed_days, clock.suspensions, as_of(clock, today)
    )


def service_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate | None:
    """Law 44: a grant's certificate issued and served within 10 working days of the
    decision. A denial has no statutory limit: only one the authority set itself."""
    if clock.decided_on is None or clock.service_days is None:
        return None
    return calendar.add_working_days(clock.decided_on, clock.service_days)


def hearing_request_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate | None:
    """Law 47: the applicant asks for a hearing within 5 days of the written notice of the
    right (working days, SAMR 77); afterwards the right is deemed waived."""
    if clock.hearing_request_from is None:
        return None
    return calendar.add_working_days(clock.hearing_request_from, HEARING_REQUEST_DAYS)


def hearing_hold_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate | None:
    """Law 47: the hearing is held within 20 days of the request (working days, SAMR 77)."""
    if clock.hearing_hold_from is None:
        return None
    return calendar.add_working_days(clock.hearing_hold_from, HEARING_HOLD_DAYS)


def hearing_officer_due(clock: CaseClock, calendar: WorkingCalendar) -> DueDate | None:
    """The presiding officer is named within 3 (working) days of the request — of the
    notice, for the organ's own hearing (Law 46) — so the 20 days can be kept."""
    if clock.hearing_hold_from is None:
        return None
    return calendar.add_working_days(clock.hearing_hold_from, HEARING_OFFICER_DAYS)


def public_notice_served_on(noticed_on: dt.date) -> dt.date:
    """Service by public notice is deemed done 30 days after the notice (SAMR 62 → penalty
    procedure rules 83). It starts the applicant's remedy periods; the authority met Law 44
    on the day it published the notice."""
    return noticed_on + dt.timedelta(days=PUBLIC_NOTICE_SERVICE_DAYS)


def validity_end(valid_from: dt.date, years: int) -> dt.date:
    """N years from day D end the day before D's N-th anniversary; from 29 February into a
    year without one, on 28 February (民法典 202: no corresponding day ⇒ the month's end)."""
    try:
        return valid_from.replace(year=valid_from.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February, no such day in the last year
        return dt.date(valid_from.year + years, 2, 28)


def surely_passed(
    due_of: Callable[[WorkingCalendar], DueDate | None],
    calendar: WorkingCalendar,
    today: dt.date,
) -> DueDate | None:
    """The due date if ``today`` is past it for certain, else None. On an estimated year
    nothing irreversible is decided unless even the latest plausible reading has passed."""
    due = due_of(calendar)
    if due is None or today <= due.date:
        return None
    if due.provisional:
        latest = due_of(calendar.latest_plausible)
        if latest is not None and today <= latest.date:
            return None
    return due


# ---------------------------------------------------------------- lights


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


def running_deadline(
    clock: CaseClock,
    calendar: WorkingCalendar,
    today: dt.date,
) -> RunningDeadline:
    """The deadline now running: service after a grant (Law 44), the decision after
    acceptance, acceptance before that. A case ended without a decision is judged at the
    step it stopped; a denial with no service limit, by its decision."""
    srv = service_due(clock, calendar)
    if srv is not None:
        return RunningDeadline(clock.service_days or 0, srv.date, clock.served_on)
    dec = decision_due(clock, calendar, today)
    if dec is not None:
        return RunningDeadline(decision_days(clock), dec.date, clock.decided_on or clock.closed_on)
    pre = preliminary_review_due(clock, calendar)
    if pre is not None:
        return RunningDeadline(PRELIMINARY_REVIEW_DAYS, pre.date, clock.closed_on)
    done = clock.acceptance_decided_on or clock.closed_on
    return RunningDeadline(ACCEPTANCE_PERIOD_DAYS, acceptance_due(clock, calendar).date, done)


def compute_deadlines(
    clock: CaseClock,
    calendar: WorkingCalendar,
    today: dt.date,
    thresholds: LightThresholds = LightThresholds(),
) -> Deadlines:
    """Every field of the contract's ``Deadlines`` type, evaluated on ``today`` (a closed
    case's on its closing day)."""
    day = as_of(clock, today)
    acc = acceptance_due(clock, calendar)
    dec = decision_due(clock, calendar, day)
    com = committed_due(clock, calendar, day)
    srv = service_due(clock, calendar)
    cor = correction_due(clock, calendar)
    end = clock.decided_on or clock.closed_on or day
    suspended = suspended_working_days(clock, calendar, end)
    used = 0
    if clock.accepted_on is not None:
        used = max(calendar.working_days_between(clock.accepted_on, end) - suspended, 0)
    provisional = any(d is not None and d.provisional for d in (acc, dec, com, srv, cor))
    return Deadlines(
        acceptance_due=acc.date,
        decision_due=dec.date if dec else None,
        committed_due=com.date if com else None,
        service_due=srv.date if srv else None,
        working_days_used=used,
        working_days_suspended=suspended,
        extended=clock.extended,
        provisional=provisional,
        light=light_of(running_deadline(clock, calendar, day), day, calendar, thresholds),
        correction_due=cor.date if cor else None,
    )

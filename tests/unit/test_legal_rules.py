"""The second legal review's rules on the pure functions of ``xuke.domain.deadlines``.

Every expected date is worked out by hand from the statute and the State Council's 2026
schedule (National Day 1-7 Oct off, Saturday 10 Oct worked; Spring Festival 15-23 Feb off,
Saturdays 14 and 28 Feb worked); 2027 is estimated (1 Jan; Spring Festival 5-8 Feb and its
补假 on 9-10 Feb).
"""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

import pytest

from xuke.application.calendar_seed import chinesecalendar_schedules
from xuke.domain.calendar import WorkingCalendar
from xuke.domain.deadlines import (
    CaseClock,
    Light,
    SuspensionPeriod,
    acceptance_due,
    compute_deadlines,
    count_working_days,
    surely_passed,
    validity_end,
)
from xuke.domain.explanations import Explanation, explain_deadlines

D = dt.date


@cache
def official() -> WorkingCalendar:
    return WorkingCalendar({s.year: s for s in chinesecalendar_schedules()})


# 20-day item accepted Tue 29 Sep 2026: 30 Sep; 8, 9, 10, 12-16, 19-23, 26-30 Oct; 2 Nov.
ACCEPTED = CaseClock(received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29))


# ---------------------------------------------------------------- Law 44: grants only


def test_a_denial_has_no_statutory_service_limit_and_never_turns_red_for_it() -> None:
    denied = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29),
        decided_on=D(2026, 10, 20), service_days=None,
    )  # fmt: skip
    later = compute_deadlines(denied, official(), D(2026, 12, 31))
    assert later.service_due is None
    assert later.light is Light.GREEN  # judged by its decision, made in time


def test_an_authoritys_own_limit_for_denials_is_used_when_set() -> None:
    denied = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29),
        decided_on=D(2026, 10, 20), service_days=7,
    )  # fmt: skip
    # 21, 22, 23, 26, 27, 28, 29 Oct.
    assert compute_deadlines(denied, official(), D(2026, 10, 21)).service_due == D(2026, 10, 29)


def test_a_public_notice_meets_law_44_on_its_own_day() -> None:
    # Granted Tue 20 Oct: served by 3 Nov (21-23, 26-30 Oct, 2-3 Nov). The notice is
    # published on 2 Nov; the applicant is deemed served on 2 Dec, which does not count here.
    served = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29),
        decided_on=D(2026, 10, 20), served_on=D(2026, 11, 2), granted=True,
        ended_on=D(2026, 11, 2),
    )  # fmt: skip
    deadlines = compute_deadlines(served, official(), D(2026, 12, 10))
    assert deadlines.service_due == D(2026, 11, 3)
    assert deadlines.light is Light.GREEN


# ---------------------------------------------------------------- Law 45


def test_a_suspension_begun_after_the_period_ran_out_does_not_revive_it() -> None:
    late = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29),
        suspensions=(SuspensionPeriod(D(2026, 11, 4), None, "TESTING"),),
    )  # fmt: skip
    deadlines = compute_deadlines(late, official(), D(2026, 11, 20))
    assert deadlines.decision_due == D(2026, 11, 2)
    assert deadlines.light is Light.RED


def test_an_open_suspension_moves_the_due_day_with_today() -> None:
    # Suspended on Mon 12 Oct (the day itself counts); on Fri 16 Oct four days (13-16) are
    # suspended, so 2 Nov moves four working days on: 3, 4, 5, 6 Nov.
    open_ = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29),
        suspensions=(SuspensionPeriod(D(2026, 10, 12), None, "TESTING"),),
    )  # fmt: skip
    assert compute_deadlines(open_, official(), D(2026, 10, 16)).decision_due == D(2026, 11, 6)


# ---------------------------------------------------------------- frozen on closing


def test_a_closed_cases_deadlines_are_frozen_on_its_closing_day() -> None:
    # Suspended 12 Oct, terminated 16 Oct with the suspension still open: four days
    # suspended for ever, whatever today is.
    closed = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20, accepted_on=D(2026, 9, 29),
        suspensions=(SuspensionPeriod(D(2026, 10, 12), None, "TESTING"),),
        closed_on=D(2026, 10, 16), ended_on=D(2026, 10, 16),
    )  # fmt: skip
    on_closing = compute_deadlines(closed, official(), D(2026, 10, 16))
    a_year_later = compute_deadlines(closed, official(), D(2027, 10, 16))
    assert on_closing == a_year_later
    assert a_year_later.decision_due == D(2026, 11, 6)
    assert a_year_later.working_days_suspended == 4


# ---------------------------------------------------------------- 民法典 202


@pytest.mark.parametrize(
    ("valid_from", "years", "valid_to"),
    [
        (D(2028, 2, 29), 5, D(2033, 2, 28)),  # no 29 Feb in 2033: the month's end
        (D(2028, 2, 29), 4, D(2032, 2, 28)),  # the day before the anniversary, 29 Feb 2032
        (D(2027, 3, 1), 1, D(2028, 2, 29)),  # the day before 1 March of a leap year
        (D(2026, 10, 13), 5, D(2031, 10, 12)),
    ],
)
def test_validity_ends_the_day_before_the_anniversary(
    valid_from: dt.date, years: int, valid_to: dt.date
) -> None:
    assert validity_end(valid_from, years) == valid_to


# ---------------------------------------------------------------- estimated years (Law 82)


def test_nothing_irreversible_is_decided_while_only_the_estimate_has_passed() -> None:
    # Received Wed 3 Feb 2027 (estimated). Central: 4 Feb; 5-10 Feb off; 11, 12, 15, 16 ⇒
    # 16 Feb. Latest plausible: 5-12 Feb off and 6-7 Feb made up on 15-16 Feb: 4, 17, 18,
    # 19, 22 ⇒ 22 Feb.
    clock = CaseClock(received_on=D(2027, 2, 3), legal_days=60)
    due = acceptance_due(clock, official())
    assert (due.date, due.provisional) == (D(2027, 2, 16), True)
    assert acceptance_due(clock, official().latest_plausible).date == D(2027, 2, 22)
    passed = (lambda c: acceptance_due(clock, c)), official()
    assert surely_passed(*passed, D(2027, 2, 17)) is None
    assert surely_passed(*passed, D(2027, 2, 22)) is None
    assert surely_passed(*passed, D(2027, 2, 23)) == due


def test_on_loaded_years_a_passed_window_has_passed() -> None:
    clock = CaseClock(received_on=D(2026, 3, 7), legal_days=20)  # due Fri 13 Mar
    due = acceptance_due(clock, official())
    assert surely_passed(lambda c: acceptance_due(clock, c), official(), D(2026, 3, 16)) == due


# ---------------------------------------------------------------- SAMR 15(4)


def test_the_correction_period_counts_working_days_from_the_notice() -> None:
    # Notice on Wed 30 Sep, 10 working days: 8, 9, 10, 12-16, 19, 20 Oct.
    clock = CaseClock(
        received_on=D(2026, 9, 28), legal_days=20,
        correction_requested_on=D(2026, 9, 30), correction_days=10,
    )  # fmt: skip
    assert compute_deadlines(clock, official(), D(2026, 10, 1)).correction_due == D(2026, 10, 20)


# ---------------------------------------------------------------- explanations


def recount(e: Explanation) -> int:
    """The days from countsFrom to due that are not skipped."""
    return (e.due - e.counts_from).days + 1 - len({d.date for d in e.skipped})


def test_every_explanation_recounts_to_its_due_date() -> None:
    clock = CaseClock(
        received_on=D(2026, 9, 26), legal_days=60, accepted_on=D(2026, 9, 29),
        committed_days=30, extended=True, extension_days=10,
        suspensions=(SuspensionPeriod(D(2026, 10, 12), D(2026, 10, 16), "TESTING"),),
        correction_requested_on=D(2026, 9, 28), correction_days=5,
    )  # fmt: skip
    today = D(2026, 10, 20)
    deadlines = compute_deadlines(clock, official(), today)
    explained = {e.limit: e for e in explain_deadlines(clock, official(), today)}
    assert set(explained) == {"ACCEPTANCE", "CORRECTION", "DECISION", "COMMITTED"}
    for e in explained.values():
        assert recount(e) == e.working_days, e.limit
    assert explained["DECISION"].due == deadlines.decision_due
    assert explained["COMMITTED"].due == deadlines.committed_due
    assert explained["CORRECTION"].due == deadlines.correction_due
    assert explained["ACCEPTANCE"].due == deadlines.acceptance_due
    decision = explained["DECISION"]
    assert (decision.counts_from, decision.working_days, decision.extended_by) == (
        D(2026, 9, 30), 70, 10,
    )  # fmt: skip
    reasons = {d.date: d.reason for d in decision.skipped}
    assert reasons[D(2026, 10, 1)] == "国庆节" and reasons[D(2026, 10, 7)] == "国庆节"
    assert reasons[D(2026, 10, 3)] == "国庆节"  # a holiday on a weekend is named as the holiday
    assert D(2026, 10, 10) not in reasons  # the make-up Saturday is worked
    assert reasons[D(2026, 10, 17)] == "周末"
    assert [reasons[D(2026, 10, d)] for d in (13, 14, 15, 16)] == ["中止计时：检测"] * 4
    assert D(2026, 10, 12) not in reasons  # the day the clock stopped still counts
    assert decision.suspensions[0].working_days == 4


def test_an_estimated_year_is_named_in_the_explanation() -> None:
    clock = CaseClock(received_on=D(2026, 11, 20), legal_days=60, accepted_on=D(2026, 11, 26))
    decision = explain_deadlines(clock, official(), D(2026, 11, 26))[-1]
    assert decision.limit == "DECISION" and decision.provisional_years == (2027,)
    reasons = {d.date: d.reason for d in decision.skipped}
    assert reasons[D(2027, 1, 1)] == "元旦"
    assert reasons[D(2027, 2, 9)].startswith("补假")
    assert decision.due == D(2027, 2, 25)
    assert recount(decision) == 60


def test_the_explanation_uses_the_same_count_as_the_due_date_on_many_cases() -> None:
    """Seeded cases across 2026: every explanation recounts to its limit and its due date
    is the count's (so the two can never disagree)."""
    rng = random.Random(20261130)
    calendar = official()
    for _ in range(300):
        accepted = D(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        start = accepted + dt.timedelta(days=rng.randint(1, 20))
        span = SuspensionPeriod(start, start + dt.timedelta(days=rng.randint(1, 15)), "TESTING")
        clock = CaseClock(
            received_on=accepted, legal_days=rng.choice((20, 45, 60)), accepted_on=accepted,
            suspensions=(span,) if rng.random() < 0.5 else (),
        )  # fmt: skip
        decision = explain_deadlines(clock, calendar, D(2026, 12, 31))[-1]
        expected = count_working_days(calendar, accepted, clock.legal_days, clock.suspensions)
        assert decision.due == expected.date
        assert recount(decision) == clock.legal_days

"""Hypothesis drives random command sequences at a case: every refusal is a typed domain error
(never anything else), and every event that was recorded decodes, through the real mapper and
transcoder, into an equal event — no invalid event can be stored. Size: XUKE_FUZZ_EXAMPLES
(300 here; E's full run uses 10,000)."""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as tally
from hypothesis import strategies as st

from tests.support import enterprise
from xuke.application.calendar_seed import chinesecalendar_schedules
from xuke.application.persistence import OrjsonTranscoder, PydanticMapper
from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.catalogue import default_catalogue
from xuke.domain.errors import DomainError
from xuke.domain.model import SHANGHAI, Actor
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion, ServiceMethod, SuspensionReason, TerminationGround

EXAMPLES = int(os.environ.get("XUKE_FUZZ_EXAMPLES", "300"))
MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())
TEXT = st.sampled_from(["", "  ", "同意", "理由充分"]) | st.text(min_size=0, max_size=30)
MATERIALS = st.lists(st.sampled_from(["SQS", "YYZZ", "CPBZ", "SCSB", "ZLGL", "NOPE"]), max_size=5)


@cache
def calendar() -> WorkingCalendar:
    return WorkingCalendar({s.year: s for s in chinesecalendar_schedules()})


COMMANDS: dict[str, Any] = {
    "request_correction": st.tuples(MATERIALS, TEXT, st.integers(-1, 70)),
    "extend_correction_period": st.tuples(st.integers(-1, 70), TEXT),
    "abandon": st.tuples(),
    "submit_correction": st.tuples(MATERIALS),
    "accept": st.tuples(),
    "deem_accepted": st.tuples(),
    "reject": st.tuples(TEXT),
    "claim": st.tuples(st.integers(0, 8)),
    "record_opinion": st.tuples(
        st.sampled_from(list(Opinion)),
        TEXT,
        st.none() | st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    ),
    "suspend_clock": st.tuples(st.sampled_from(list(SuspensionReason)), st.integers(-2, 300), TEXT),
    "resume_clock": st.tuples(),
    "extend_deadline": st.tuples(TEXT),
    "decide": st.tuples(st.booleans(), st.sampled_from(["", " ", "符合条件", "不符合"]) | TEXT),
    "issue_certificate": st.tuples(),
    "record_service": st.tuples(
        st.sampled_from(list(ServiceMethod)), st.integers(-5, 5), st.none() | TEXT
    ),
    "withdraw": st.tuples(TEXT),
    "terminate": st.tuples(st.sampled_from(list(TerminationGround)), TEXT),
}
# The forward path comes up more often than the exits, so sequences reach every status.
WEIGHTED = sorted(COMMANDS) + ["accept", "claim"] + ["record_opinion"] * 6 + ["decide"] * 3 + [
    "issue_certificate", "issue_certificate", "record_service", "record_service",
]  # fmt: skip
NEEDS_CALENDAR = {
    "request_correction", "accept", "deem_accepted", "reject", "extend_deadline", "abandon",
    "submit_correction", "suspend_clock",
}  # fmt: skip


def run(case: LicenseCase, name: str, args: tuple[Any, ...], at: dt.datetime) -> None:
    ctx = CommandContext(actor=Actor(id="fuzz", role=Role.CLERK, org_code="440000"), at=at)
    command = getattr(case, name)
    if name == "record_service":
        method, hours, reason = args
        command(ctx, method, at + dt.timedelta(hours=hours), None, reason)
    elif name in NEEDS_CALENDAR:
        command(ctx, calendar(), *args)
    else:
        command(ctx, *args)


HAPPY_PATH = [
    ("accept", ()), ("record_opinion", (Opinion.AGREE, "同意", None)), ("record_opinion", (Opinion.AGREE, "同意", None)),
    ("record_opinion", (Opinion.AGREE, "同意", None)), ("decide", (True, "符合条件")), ("issue_certificate", ()),
    ("record_service", (ServiceMethod.DIRECT, -1, None)),
]  # fmt: skip
STEP = st.tuples(st.sampled_from(WEIGHTED), st.integers(0, 4)).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), COMMANDS[pair[0]])
)


@st.composite
def sequences(draw: st.DrawFn) -> list[tuple[str, int, tuple[Any, ...]]]:
    """The lawful path with random commands slipped in anywhere: deep states get visited."""
    steps: list[tuple[str, int, tuple[Any, ...]]] = []
    for name, args in HAPPY_PATH[: draw(st.integers(0, len(HAPPY_PATH)))]:
        steps += draw(st.lists(STEP, max_size=3))
        steps.append((name, draw(st.integers(0, 3)), args))
    return steps + draw(st.lists(STEP, max_size=4))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=sequences(), materials=MATERIALS)
def test_random_commands_store_only_valid_events(
    steps: list[tuple[str, int, tuple[Any, ...]]], materials: list[str]
) -> None:
    at = dt.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI)
    item = default_catalogue().get("GYCP-SCXK")
    try:
        case = LicenseCase.file(
            CommandContext(actor=Actor(id="fuzz", role=Role.APPLICANT), at=at), case_no="440000-2026-GYCP-000001",
            item=item, applicant=ApplicantRecord.from_input(**enterprise()), applicant_division="440305",
            jurisdiction_code="440000", channel="ONLINE", materials=tuple(materials), form={}, received_at=at,
            query_code_hash="h",
        )  # fmt: skip
    except DomainError:
        return
    for name, days, args in steps:
        at += dt.timedelta(days=days)
        version = case.version
        try:
            run(case, name, args, at)
        except DomainError:
            assert case.version == version  # a refusal records nothing
    tally(f"status {case.status.value}")
    events = case.collect_events()
    replayed = None
    for event in events:
        stored = MAPPER.to_stored_event(event)
        decoded = MAPPER.to_domain_event(stored)
        assert decoded == event
        replayed = decoded.mutate(replayed)  # type: ignore[attr-defined]
    assert replayed == case

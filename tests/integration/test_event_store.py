"""The stored form of events: our mapper and transcoder, upcasting of old records, and the
calendar as an aggregate whose loaded years recompute deadlines — on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from uuid import uuid4

import orjson
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from tests.support import PERSON_ID, applicant, at, file_gycp, person, staff
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import build_application, migrate
from xuke.domain.calendar import YearSchedule
from xuke.domain.model import Actor, Aggregate
from xuke.domain.roles import Role
from xuke.settings import Settings


class Memo(Aggregate):
    """A test aggregate whose creation event gained a field in version 2."""

    text: str
    language: str

    def __init__(self) -> None:
        """Set by ``Noted.apply``."""

    class Noted(Aggregate.Created):
        class_version: ClassVar[int] = 2
        text: str
        language: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["language"] = "zh"

        def apply(self, memo: Any) -> None:
            memo.text, memo.language = self.text, self.language


def test_a_stored_version_1_record_is_upcast_when_read(app: LicensingApplication) -> None:
    memo_id = uuid4()
    v1_state = {
        "timestamp": "2026-09-28T10:00:00+08:00",
        "actor": {"id": "u1", "role": "ADMIN", "org_code": "440000"},
        "idempotency_key": None,
        "originator_topic": get_topic(Memo),
        "text": "旧记录",
    }  # written before `language` existed: no class_version in the record
    record = StoredEvent(memo_id, 1, get_topic(Memo.Noted), orjson.dumps(v1_state))
    app.recorder.insert_events([record])
    memo: Memo = app.repository.get(memo_id)
    assert (memo.text, memo.language) == ("旧记录", "zh")


def test_a_new_record_carries_its_class_version_and_canonical_bytes(
    app: LicensingApplication,
) -> None:
    memo = Memo._create(
        Memo.Noted, actor=Actor(id="u1"), timestamp=at(2026, 9, 28), text="新", language="en"
    )
    app.save(memo)
    (stored,) = app.recorder.select_events(memo.id)
    state = orjson.loads(stored.state)
    assert state["class_version"] == 2 and "originator_id" not in state
    assert list(state) == sorted(state)  # keys sorted: the bytes are canonical
    assert app.repository.get(memo.id).language == "en"


def test_loading_a_year_recomputes_provisional_deadlines_everywhere(
    app: LicensingApplication, settings: Settings, clock: SettableClock
) -> None:
    clock.set(at(2026, 11, 20))
    case_no = file_gycp(app).case.case_no
    clock.set(at(2026, 11, 26))
    case = app.accept_application(staff(Role.CLERK), case_no).case
    before = app.deadlines(case)
    # The estimate: 1 Jan, Spring Festival 5-8 Feb and its 补假 on 9-10 Feb off.
    assert before.provisional and before.decision_due == dt.date(2027, 2, 25)
    # An ADMIN in another process loads the State Council's 2027 schedule.
    other = build_application(settings, clock=clock)
    spring_festival = frozenset(dt.date(2027, 2, d) for d in (5, 8, 9, 10, 11))
    year = YearSchedule(
        year=2027, holidays=spring_festival | {dt.date(2027, 1, 1)}, source="国办发明电 (test)"
    )
    other.load_calendar_year(staff(Role.ADMIN, "000000"), year)
    other.close()
    after = app.deadlines(app.get_case(case_no))
    assert not after.provisional and after.decision_due == dt.date(2027, 2, 26)
    history = app.calendar_history()
    assert [type(e).__name__ for e in history] == ["Opened", "YearScheduleLoaded"]
    assert history[-1].actor.role is Role.ADMIN


def test_with_a_cipher_key_personal_data_is_encrypted_at_rest(
    settings: Settings, clock: SettableClock
) -> None:

    encrypted = settings.model_copy(update={"cipher_key": AESCipher.create_key(32)})
    migrate(encrypted, clock=clock).close()
    app = build_application(encrypted, clock=clock)
    try:
        case = app.file_application(
            applicant(PERSON_ID),
            item_code="JLQJ-XSPZ",
            applicant=person(),
            jurisdiction_code="440106",
            materials=["SQS"],
        ).case
        (stored,) = app.recorder.select_events(case.id)
        assert PERSON_ID.encode() not in stored.state and "张三丰".encode() not in stored.state
        assert app.get_case(case.case_no).applicant.id_number == PERSON_ID
    finally:
        app.close()

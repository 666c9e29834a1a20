"""public_status (办事进度): what the public and the applicant see — status and steps with
dates. No ID number, phone, address or internal opinion; a person's name is masked (张*).
Looked up by case number and the hash of the query code."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from xuke.domain.case import LicenseCase as C
from xuke.domain.case_numbers import case_id_for, is_case_no
from xuke.domain.deadlines import decision_due
from xuke.domain.model import local_date
from xuke.domain.stages import SUSPENSION_REASONS, TERMINATION_GROUNDS
from xuke.projections.base import Before, CaseProjection, Envelope
from xuke.projections.deadlines import clock_from_json, clock_json
from xuke.projections.store import Row, Transaction, ViewStore
from xuke.projections.writes import Upserts, iso

COLUMNS = (
    "case_no", "query_code_hash", "item_name", "applicant_name", "status", "stage", "received_on",
    "accepted_on", "decision_due", "decided_on", "decision", "steps", "clock", "computed_on",
)  # fmt: skip

# The public note of each step; events not listed here add no step (claims, opinions that
# keep the stage).
STEP_NOTES: dict[type[Any], Callable[[Any], str | None]] = {
    C.ApplicationFiled: lambda e: "申请已接收",
    C.CorrectionRequested: lambda e: "请补正材料: " + "、".join(e.notice.missing_materials),
    C.CorrectionSubmitted: lambda e: "补正材料已接收",
    C.CorrectionPeriodExtended: lambda e: f"补正期限延长 {e.extra_working_days} 个工作日",
    C.ApplicationAbandoned: lambda e: "补正期限届满未补正，视为放弃申请",
    C.ApplicationAccepted: lambda e: "已受理",
    C.ApplicationDeemedAccepted: lambda e: "依法视为受理",
    C.ApplicationNotAccepted: lambda e: "不予受理",
    C.OpinionRecorded: lambda e: None,
    C.ClockSuspended: lambda e: f"因{SUSPENSION_REASONS[e.suspension.reason]}中止计时",
    C.ClockResumed: lambda e: "恢复计时",
    C.DeadlineExtended: lambda e: "决定期限依法延长",
    C.HearingNoticed: lambda e: "已告知听证，听证期间不计入审查期限",
    C.HearingRequested: lambda e: "申请人已申请听证",
    C.HearingWaived: lambda e: "申请人放弃听证，恢复计时",
    C.HearingRequestLapsed: lambda e: "逾期未申请听证，视为放弃，恢复计时",
    C.HearingScheduled: lambda e: f"听证定于 {local_date(e.scheduled_at)} 举行",
    C.HearingRecorded: lambda e: "听证已举行，恢复计时",
    C.LicenseGranted: lambda e: "准予许可",
    C.LicenseDenied: lambda e: "不予许可",
    C.CertificateIssued: lambda e: "证书已制作",
    C.DecisionServed: lambda e: "决定已送达",
    C.ApplicationWithdrawn: lambda e: "申请人撤回申请",
    C.CaseTerminated: lambda e: f"终止办理（{TERMINATION_GROUNDS[e.ground]}）",
}


class PublicStatusProjection(CaseProjection):
    name = "public_status"
    tables = ("public_status",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = Upserts(self.table("public_status"), COLUMNS, ("case_no",))
        self._steps: dict[str, list[dict[str, Any]]] = {}  # steps of the cases this page touches

    def process_page(self, tx: Transaction, page: Sequence[Envelope], prepared: Any = None) -> None:
        """The steps of every case the page continues, read in one query first (not one per
        case: a page of a group commit holds many cases, each a round trip)."""
        prepared = prepared or self.prepare(page)
        continued = {after.case_no for _, before, after in prepared.steps if before and after}
        wanted = sorted(continued - self._steps.keys())
        for chunk in range(0, len(wanted), 500):  # SQLite's limit on parameters
            part = wanted[chunk : chunk + 500]
            marks = ", ".join(["%s"] * len(part))
            for row in tx.fetchall(
                f"SELECT case_no, steps FROM {self.rows.table} WHERE case_no IN ({marks})", part
            ):
                self._steps[row["case_no"]] = list(orjson.loads(row["steps"]))
        super().process_page(tx, page, prepared)

    def _steps_so_far(self, tx: Transaction, case_no: str) -> list[dict[str, Any]]:
        if case_no not in self._steps:
            row = tx.fetchone(f"SELECT steps FROM {self.rows.table} WHERE case_no = %s", [case_no])
            self._steps[case_no] = list(orjson.loads(row["steps"])) if row else []
        return self._steps[case_no]

    def on_case_event(
        self, tx: Transaction, event: C.Event, before: Before | None, after: C
    ) -> None:
        if before is None:
            self._steps[after.case_no] = []
        steps = self._steps_so_far(tx, after.case_no)
        note = STEP_NOTES.get(type(event))
        moved = before is None or (before.status, before.stage) != (after.status, after.stage)
        if note is not None and (moved or note(event) is not None):
            at = iso(event.timestamp)
            steps.append(
                {
                    "stage": after.stage.value,
                    "status": after.status.value,
                    "at": at,
                    "note": note(event),
                }
            )

    def on_case_settled(self, case: C, last_event_on: dt.date) -> None:
        clock = case.clock()
        due = decision_due(clock, self.calendar, last_event_on)
        self.rows.put(
            {
                "case_no": case.case_no,
                "query_code_hash": case.query_code_hash,
                "item_name": case.item_name,
                "applicant_name": case.applicant.public_name,
                "status": case.status.value,
                "stage": case.stage.value,
                "received_on": iso(local_date(case.received_at)),
                "accepted_on": iso(case.accepted_on),
                "decision_due": iso(due.date) if due else None,
                "decided_on": iso(case.decided_on),
                "decision": case.decision,
                "steps": orjson.dumps(self._steps.pop(case.case_no)).decode(),
                "clock": clock_json(clock),
                "computed_on": iso(last_event_on),
            }
        )

    def on_calendar_changed(self, tx: Transaction, today: dt.date, year: int) -> None:
        calendar = self.calendar
        rows = tx.fetchall(
            f"SELECT * FROM {self.rows.table} WHERE decision_due >= %s", [f"{year}-01-01"]
        )
        for row in (r for r in rows if self.owns(case_id_for(r["case_no"]))):
            as_of = dt.date.fromisoformat(row["computed_on"])
            due = decision_due(clock_from_json(row["clock"]), calendar, as_of)
            self.rows.put({**row, "decision_due": iso(due.date) if due else None})

    def flush(self, tx: Transaction) -> None:
        self.rows.flush(tx)


# ---------------------------------------------------------------- what the API asks of this view


def public_status(store: ViewStore, case_no: str, query_code_hash: str) -> Row | None:
    """办事进度: the same answer (None) for an unknown case and a wrong code; the hashes are
    compared in constant time."""
    row = (  # a malformed number names no case (and may hold what PostgreSQL refuses)
        store.fetchone("SELECT * FROM public_status WHERE case_no = %s", [case_no])
        if is_case_no(case_no)
        else None
    )
    stored = row["query_code_hash"] if row else "0" * 64
    if not hmac.compare_digest(stored, query_code_hash) or row is None:
        return None
    row = dict(row)
    row["steps"] = orjson.loads(row["steps"])
    row["clock"] = clock_from_json(row["clock"])  # explains the deadlines; never shown as is
    for internal in ("query_code_hash", "computed_on"):
        row.pop(internal, None)
    return row

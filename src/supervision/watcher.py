"""The deadline watcher (监察): deemed acceptance when the acceptance window passes (Law 32),
deemed abandonment when a correction period passes (SAMR 15(4)), a hearing's request window
that passed without a request (Law 47: waived by law), yellow and red cards, and
the escalation of unanswered 督办 orders; for licences, deemed renewal or expiry the day after
a term ends (Law 50, 70(1)), renewal reminders and overdue 撤销 / 撤回 proceedings (SAMR 45).
Idempotent: every card has an id derived from its case and cause, so running it often, or in
several processes, issues each card once; a licence decides itself whether it is due."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from uuid import UUID

from xuke.application.blobs import sweep_unreferenced
from xuke.application.licensing import LicensingApplication
from xuke.application.supervision import SupervisionCommands
from xuke.domain.model import local_date
from xuke.domain.supervision import CardCause, SupervisionCard
from xuke.projections.deadlines_queries import DeadlineQueries
from xuke.projections.inbox import open_tasks_arrived_before
from xuke.projections.register_queries import LicenceQueries, reminder_due
from xuke.projections.store import Row, ViewStore
from xuke.projections.supervision import card_issued, open_orders_past
from xuke.supervision.consultations import late_consultation_cards

log = logging.getLogger("xuke.supervision")

CORRECTION_NOTICE_DAYS = 3  # the authority's own promise: a correction notice within 3 working days
DEFAULT_STAGE_LIMITS = {  # working days a stage may hold a task before a YELLOW card
    "ACCEPTANCE": 3, "HANDLING": 15, "REVIEW": 5, "APPROVAL": 5, "CERTIFICATION": 5, "SERVICE": 5,
}  # fmt: skip


@dataclass
class WatchReport:
    deemed_accepted: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    hearings_lapsed: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    deemed_renewed: list[str] = field(default_factory=list)  # certificate numbers
    expired: list[str] = field(default_factory=list)  # certificate numbers
    renewal_reminders: list[str] = field(default_factory=list)  # "<certificate no>:60" / ":30"
    proceedings_overdue: list[str] = field(default_factory=list)  # certificate numbers
    swept_uploads: list[str] = field(default_factory=list)  # blob hashes (application/blobs.py)


class DeadlineWatcher:
    def __init__(
        self,
        app: LicensingApplication,
        views: ViewStore,
        stage_limits: dict[str, int] | None = None,
        correction_notice_days: int = CORRECTION_NOTICE_DAYS,
    ) -> None:
        self.app, self.views = app, views
        self.deadlines = DeadlineQueries(views)
        self.licences = LicenceQueries(views)
        self.commands = SupervisionCommands(app)
        self.stage_limits = {**DEFAULT_STAGE_LIMITS, **(stage_limits or {})}
        self.correction_notice_days = correction_notice_days

    def run_once(self) -> WatchReport:
        report = WatchReport()
        today = local_date(self.app.clock.now())
        # Cards first, on the views as they stand; then what changes the cases (deemed
        # acceptance), so one pass judges one consistent picture.
        self._legal_limits(today, report)
        self._committed_limits(today, report)
        self._late_correction_notices(report)
        self._held_stages(today, report)
        self._late_entries(report)
        self._late_hearings(today, report)
        self._renewal_reminders(today, report)
        self._overdue_proceedings(today, report)
        report.cards += late_consultation_cards(self.app, self.views, today)  # 网上咨询
        self._deem_accepted(today, report)
        self._abandon(today, report)
        self._lapse_hearing_requests(today, report)
        self._escalate_orders(today, report)
        self._end_terms(today, report)
        # Uploads no case referred to within a day are deleted (materials as files).
        report.swept_uploads = sweep_unreferenced(self.app.blobs, self.app.clock.now())
        return report

    def _end_terms(self, today: dt.date, report: WatchReport) -> None:
        """The day after ``valid_to``: a renewal filed in time and undecided is deemed granted
        (Law 50, SAMR 27); without one the licence EXPIRED. The licence decides (None: not
        due, or another watcher was first), so each happens once."""
        for row in self.licences.awaiting_deemed_renewal(today):
            if self.app.deem_renewed_if_due(row["certificate_no"]) is not None:
                report.deemed_renewed.append(row["certificate_no"])
        for row in self.licences.awaiting_expiry(today):
            if self.app.expire_if_due(row["certificate_no"]) is not None:
                report.expired.append(row["certificate_no"])

    def _renewal_reminders(self, today: dt.date, report: WatchReport) -> None:
        """YELLOW, to the licence's authority: its last day to file a renewal is 60, then 30
        days away and none is filed. Under the case that began the current term, so each
        term is reminded afresh; detail "60" / "30"."""
        for row in self.licences.renewals_closing(today):
            apply_by = row["renewal_apply_by"]
            days = reminder_due(dt.date.fromisoformat(apply_by), today)
            if days is not None and self._licence_card(
                row, CardCause.RENEWAL_REMINDER, apply_by, str(days), report
            ):
                report.renewal_reminders.append(f"{row['certificate_no']}:{days}")

    def _overdue_proceedings(self, today: dt.date, report: WatchReport) -> None:
        """RED: 撤销 / 撤回 proceedings undecided past their decide-by (SAMR 45: 60 working
        days, +20 once); one card per limit (a later extension is a new limit)."""
        for row in self.licences.proceedings_overdue(today):
            due = row["proceedings_decide_by"]
            if self._licence_card(
                row, CardCause.PROCEEDINGS_OVERDUE, due, f"PROCEEDINGS:{due}", report
            ):
                report.proceedings_overdue.append(row["certificate_no"])

    def _licence_card(
        self, row: Row, cause: CardCause, due: str, detail: str, report: WatchReport
    ) -> bool:
        """A licence's card: addressed to its authority, under the case that began its
        current term (``term_case_no``: the grant, then each renewal)."""
        case_no = row["term_case_no"]
        if case_no is None or card_issued(
            self.views, SupervisionCard.id_for(case_no, cause, detail)
        ):
            return False
        issued = self.commands.issue_card_for(
            case_no, row["item_code"], row["jurisdiction_code"], cause,
            dt.date.fromisoformat(due), detail,
        )  # fmt: skip
        if issued:
            report.cards.append(f"{cause.colour.value}:{case_no}:{cause.value}")
        return issued

    def _deem_accepted(self, today: dt.date, report: WatchReport) -> None:
        for row in self.deadlines.awaiting_deemed_acceptance(today):
            if self.app.deem_accepted_if_due(row["case_no"]) is not None:
                report.deemed_accepted.append(row["case_no"])

    def _abandon(self, today: dt.date, report: WatchReport) -> None:
        for row in self.deadlines.awaiting_abandonment(today):
            if self.app.abandon_if_due(row["case_no"]) is not None:
                report.abandoned.append(row["case_no"])

    def _lapse_hearing_requests(self, today: dt.date, report: WatchReport) -> None:
        """Law 47: no request within the 5 days ⇒ the hearing is waived and the clock runs
        again from the day after the window (recorded once, whenever the watcher gets to it)."""
        for row in self.deadlines.hearing_requests_lapsed(today):
            if self.app.lapse_hearing_request_if_due(row["case_no"]) is not None:
                report.hearings_lapsed.append(row["case_no"])

    def _late_hearings(self, today: dt.date, report: WatchReport) -> None:
        """YELLOW: a hearing not held within 20 days of the request (Law 47); one card per
        hearing (its hold-by date tells them apart)."""
        for row in self.deadlines.hearings_overdue(today):
            due = row["hearing_hold_by"]
            self._card(row, CardCause.HEARING_OVERDUE, due, f"HEARING:{due}", report)
        for row in self.deadlines.hearing_officers_late(today):
            due = row["hearing_officer_by"]
            self._card(row, CardCause.HEARING_OFFICER_LATE, due, f"OFFICER:{due}", report)

    def _legal_limits(self, today: dt.date, report: WatchReport) -> None:
        """RED: the decision (Law 42) or a grant's service (Law 44) is late. A suspended case
        whose period had already run out when it was last computed stays overdue (Law 45
        revives no expired period); one that had not, has its due date moving with it."""
        for row in self.deadlines.decisions_overdue(today):
            self._card(row, CardCause.LEGAL_LIMIT_PASSED, row["decision_due"], "DECISION", report)
        for row in self.deadlines.services_overdue(today):
            self._card(row, CardCause.LEGAL_LIMIT_PASSED, row["service_due"], "SERVICE", report)

    def _committed_limits(self, today: dt.date, report: WatchReport) -> None:
        """YELLOW: the authority's own promise (承诺时限) is broken."""
        for row in self.deadlines.commitments_broken(today):
            self._card(row, CardCause.COMMITTED_LIMIT_PASSED, row["committed_due"], "", report)

    def _late_correction_notices(self, report: WatchReport) -> None:
        """YELLOW: the correction notice went out later than promised (the legal 5 days are
        enforced by the case itself; this is the authority's stricter promise)."""
        calendar = self.app.working_calendar()
        for row in self.deadlines.correction_notices_after_receipt():
            received = dt.date.fromisoformat(row["received_on"])  # counted from the next day
            requested = dt.date.fromisoformat(row["correction_requested_on"])
            if calendar.working_days_between(received, requested) > self.correction_notice_days:
                due = calendar.add_working_days(
                    received, self.correction_notice_days
                ).date.isoformat()
                self._card(row, CardCause.LATE_CORRECTION_NOTICE, due, "", report)

    def _late_entries(self, report: WatchReport) -> None:
        """YELLOW: a hall entry backdated past its own acceptance window — paper received
        earlier and entered too late for the 5 days of Law 32 (it is deemed accepted)."""
        for row in self.deadlines.entries_after_their_window():
            self._card(row, CardCause.LATE_ENTRY, row["acceptance_due"], "", report)

    def _held_stages(self, today: dt.date, report: WatchReport) -> None:
        """YELLOW: a task held longer than its stage's limit (working days)."""
        calendar = self.app.working_calendar()
        longest = max(self.stage_limits.values())
        earliest = today - dt.timedelta(days=min(self.stage_limits.values()))
        for row in open_tasks_arrived_before(self.views, earliest):
            arrived = local_date(dt.datetime.fromisoformat(row["arrived_at"]))
            limit = self.stage_limits.get(row["stage"], longest)
            if calendar.working_days_between(arrived, today) > limit:
                due = calendar.add_working_days(arrived, limit).date.isoformat()
                self._card(row, CardCause.STAGE_HELD_TOO_LONG, due, row["task_id"], report)

    def _escalate_orders(self, today: dt.date, report: WatchReport) -> None:
        for row in open_orders_past(self.views, today):
            if self.commands.escalate_if_overdue(UUID(row["order_id"])):
                report.escalated.append(row["order_id"])

    def _card(
        self, row: Row, cause: CardCause, due: str | None, detail: str, report: WatchReport
    ) -> None:
        card_id = SupervisionCard.id_for(row["case_no"], cause, detail)
        if card_issued(self.views, card_id):
            return  # already issued (and projected)
        case = self.app.get_case(row["case_no"])
        if self.commands.issue_card(
            case, cause, dt.date.fromisoformat(due) if due else None, detail
        ):
            report.cards.append(f"{cause.colour.value}:{row['case_no']}:{cause.value}")


def watch_forever(watcher: DeadlineWatcher, stop: threading.Event, interval: float) -> None:
    """``xuke supervision watch`` and the in-process watcher of ``xuke serve``."""
    while not stop.is_set():
        try:
            report = watcher.run_once()
            if (
                report.deemed_accepted
                or report.abandoned
                or report.hearings_lapsed
                or report.cards
                or report.escalated
                or report.deemed_renewed
                or report.expired
            ):
                log.info(
                    "watch",
                    extra={
                        "deemed": report.deemed_accepted,
                        "abandoned": report.abandoned,
                        "hearings_lapsed": report.hearings_lapsed,
                        "cards": report.cards,
                        "escalated": report.escalated,
                        "deemed_renewed": report.deemed_renewed,
                        "expired": report.expired,
                    },
                )
        except Exception:
            log.exception("the deadline watcher failed; trying again")
        stop.wait(interval)

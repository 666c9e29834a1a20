"""licence_register: granted licences, public under Art. 40 (公示) — searchable by holder,
item and status. A person's name is masked; only enterprises show a credit code.

A row is the certificate its latest case issued (``CertificateIssued``: the decision's day and
case) and the licence as it stands (the ``Licence`` events: status and the day it changed,
term, holder, a pending renewal, open proceedings — Law 40, SAMR 75: every change is
published). The case's certificate is stored first in the same transaction as the licence's
event, but each event sets only what it knows, so the row is the same in either order and
across any page boundary. The last day to file a renewal is worked out here with the
calendar in force, and again when a year's schedule is loaded (the deadline watcher reminds
the authority before it; ``register_queries.py``).

Beside the rows, sums kept per authority, item and day of the renewals granted (the day of
the decision) and deemed granted by law (Law 50: the day it took effect, validTo + 1) — the
compliance figures (``deadlines_queries.compliance``). They count events, not rows: each
renewal adds once, as the log holds it, so a rebuild from position 0 counts the same."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from xuke.domain.case import LicenseCase
from xuke.domain.case_records import ApplicantRecord
from xuke.domain.licence import Licence, LicenceStatus, renewal_apply_by
from xuke.domain.model import local_date
from xuke.domain.stages import ApplicationKind
from xuke.projections.base import CALENDAR_TOPICS, Before, CaseProjection, Envelope, is_case_topic
from xuke.projections.paging import Page, like_contains, page_by_key
from xuke.projections.store import Row, Transaction, ViewStore
from xuke.projections.writes import KeptSums, Upserts, add_to_counters, iso

CERTIFICATE_COLUMNS = (
    "certificate_no", "item_code", "item_name", "holder_name", "holder_credit_code",
    "jurisdiction_code", "decided_on", "valid_from", "valid_to", "case_no",
)  # fmt: skip
LICENCE_COLUMNS = (
    "licence_id", "status", "status_changed_on", "term_case_no", "pending_renewal_case",
    "renewal_months_before", "renewal_working_days_before", "renewal_apply_by",
    "proceedings_open", "proceedings_decide_by",
)  # fmt: skip
COLUMNS = CERTIFICATE_COLUMNS + LICENCE_COLUMNS
LICENCE_TOPIC_PREFIX = get_topic(Licence) + "."
KNOWN_LICENCES = 100_000  # licence id → certificate number, remembered (then looked up)
RENEWAL_DIMS = ("jurisdiction_code", "item_code", "renewed_on")
RENEWAL_SUMS = ("renewals", "granted", "deemed")  # the first is the row's count (writes.py)


class LicenceRegisterProjection(CaseProjection):
    name = "licence_register"
    awaited = False  # auditors and the public read it moments later
    partitionable = False  # a licence's events are not in its cases' share
    tables = (
        "licence_register", "licence_register_counts", "licence_register_status_counts",
        "licence_register_renewals",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = Upserts(self.table("licence_register"), COLUMNS, ("certificate_no",))
        self.counts = KeptSums(  # licences per item: the page's total without a COUNT(*)
            self.table("licence_register_counts"), self.rows, ("item_code",), ("n",),
            lambda row: (1,), ("item_code",),
        )  # fmt: skip
        self.status_counts = KeptSums(  # … and per item and status, for a page by status
            self.table("licence_register_status_counts"), self.rows, ("item_code", "status"),
            ("n",), lambda row: (1,), ("item_code", "status"),
        )  # fmt: skip
        self._numbers: dict[UUID, str] = {}  # licence id → certificate number
        # renewals granted and deemed in this page, per authority, item and day
        self.renewals: dict[tuple[str, str, str], list[int]] = {}

    def wants(self, topic: str) -> bool:
        return (
            is_case_topic(topic)
            or topic in CALENDAR_TOPICS
            or topic.startswith(LICENCE_TOPIC_PREFIX)
        )

    # ---------------------------------------------------------------- rows

    def _row(self, tx: Transaction, certificate_no: str) -> dict[str, Any] | None:
        """The row as this page left it, or as stored."""
        row = self.rows.get(certificate_no)
        if row is None:
            columns = ", ".join(COLUMNS)
            row = tx.fetchone(
                f"SELECT {columns} FROM {self.rows.table} WHERE certificate_no = %s",
                [certificate_no],
            )
            if row is None:
                return None
        row = dict(row)
        if row["licence_id"] is None:  # a row written before the register read licences
            row["licence_id"] = str(Licence.id_for(certificate_no))
        self._remember(UUID(row["licence_id"]), certificate_no)
        return row

    def _blank(self, certificate_no: str) -> dict[str, Any]:
        """A licence not yet seen: VALID, nothing pending."""
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        licence_id = Licence.id_for(certificate_no)
        self._remember(licence_id, certificate_no)
        row.update(
            certificate_no=certificate_no, licence_id=str(licence_id),
            status=LicenceStatus.VALID.value, proceedings_open=0,
        )  # fmt: skip
        return row

    def _remember(self, licence_id: UUID, certificate_no: str) -> None:
        """Forgetting keeps the rows this page has not written yet (a lookup finds the rest)."""
        if len(self._numbers) >= KNOWN_LICENCES:
            self._numbers = {
                UUID(row["licence_id"]): number
                for (number,), row in self.rows.rows.items()
                if row["licence_id"] is not None
            }
        self._numbers[licence_id] = certificate_no

    def _number_of(self, tx: Transaction, licence_id: UUID) -> str | None:
        if (number := self._numbers.get(licence_id)) is not None:
            return number
        found = tx.fetchone(
            f"SELECT certificate_no FROM {self.rows.table} WHERE licence_id = %s",
            [str(licence_id)],
        )
        if found is not None:
            self._remember(licence_id, found["certificate_no"])
            return str(found["certificate_no"])
        return None

    @staticmethod
    def _holder(row: dict[str, Any], holder: ApplicantRecord) -> None:
        row["holder_name"], row["holder_credit_code"] = holder.public_name, holder.credit_code

    def _term(self, row: dict[str, Any], valid_from: dt.date, valid_to: dt.date | None) -> None:
        row["valid_from"], row["valid_to"] = iso(valid_from), iso(valid_to)
        self._apply_by(row)

    def _apply_by(self, row: dict[str, Any]) -> None:
        """The last day to file a renewal, on the calendar in force (as the licence has it)."""
        valid_to, days = row["valid_to"], row["renewal_working_days_before"]
        row["renewal_apply_by"] = iso(
            renewal_apply_by(
                dt.date.fromisoformat(valid_to), row["renewal_months_before"], days, self.calendar
            )
            if valid_to is not None and days is not None
            else None
        )

    # ---------------------------------------------------------------- case events

    def on_case_event(
        self,
        tx: Transaction,
        event: LicenseCase.Event,
        before: Before | None,
        after: LicenseCase,
    ) -> None:
        if not isinstance(event, LicenseCase.CertificateIssued):
            return
        assert after.certificate_no and after.valid_from and after.decided_on
        row = self._row(tx, after.certificate_no) or self._blank(after.certificate_no)
        self._holder(row, after.applicant)
        row.update(
            item_code=after.item_code, item_name=after.item_name,
            jurisdiction_code=after.jurisdiction_code, decided_on=iso(after.decided_on),
            valid_from=iso(after.valid_from), valid_to=iso(after.valid_to), case_no=after.case_no,
        )  # fmt: skip
        self.rows.put(row)

    # ---------------------------------------------------------------- licence events

    def on_other_event(self, tx: Transaction, envelope: Envelope) -> None:
        event = envelope.event
        if not isinstance(event, Licence.Event):
            return
        if isinstance(event, Licence.LicenceIssued):
            issued = self._row(tx, event.certificate_no) or self._issued_first(event)
            self._issued(issued, event)
            self.rows.put(issued)
            return
        number = self._number_of(tx, envelope.originator_id)
        row = self._row(tx, number) if number is not None else None
        if row is not None:  # (always: a licence's first event is LicenceIssued)
            self._changed(row, event)
            self.rows.put(row)

    def _issued_first(self, event: Licence.LicenceIssued) -> dict[str, Any]:
        """The licence before its certificate's case event (not the order they are stored
        in): the decision's day is the issue's until the case's event says otherwise."""
        row = self._blank(event.certificate_no)
        row["decided_on"], row["case_no"] = iso(local_date(event.timestamp)), event.case_no
        return row

    def _issued(self, row: dict[str, Any], event: Licence.LicenceIssued) -> None:
        self._holder(row, event.holder)
        row.update(
            item_code=event.item_code, item_name=event.item_name,
            jurisdiction_code=event.jurisdiction_code, status=LicenceStatus.VALID.value,
            status_changed_on=None, term_case_no=event.case_no, pending_renewal_case=None,
            renewal_months_before=event.renewal_months_before,
            renewal_working_days_before=event.renewal_working_days_before,
            proceedings_open=0, proceedings_decide_by=None,
        )  # fmt: skip
        self._term(row, event.valid_from, event.valid_to)

    def _changed(self, row: dict[str, Any], event: Licence.Event) -> None:
        if isinstance(event, Licence.CaseLinked):
            if event.kind is ApplicationKind.RENEWAL:
                row["pending_renewal_case"] = event.case_no
        elif isinstance(event, Licence.LicenceRenewed | Licence.LicenceDeemedRenewed):
            self._count_renewal(row, event)
            row["pending_renewal_case"], row["term_case_no"] = None, event.case_no
            self._term(row, event.valid_from, event.valid_to)
        elif isinstance(event, Licence.RenewalClosed):
            row["pending_renewal_case"] = None
        elif isinstance(event, Licence.LicenceChanged):
            if event.holder is not None:
                self._holder(row, event.holder)
        elif isinstance(event, Licence.ProceedingsOpened):
            row["proceedings_open"] = 1
            row["proceedings_decide_by"] = iso(event.proceedings.decide_by)
        elif isinstance(event, Licence.LicenceHearingHeld | Licence.ProceedingsExtended):
            row["proceedings_decide_by"] = iso(event.decide_by)
        elif isinstance(event, Licence.ProceedingsDiscontinued):
            row["proceedings_open"] = 0
        else:
            for kind, (status, day) in _STATUS_CHANGES.items():
                if isinstance(event, kind):
                    row["status"], row["proceedings_open"] = status.value, 0
                    row["status_changed_on"] = iso(getattr(event, day))

    def _count_renewal(
        self, row: dict[str, Any], event: Licence.LicenceRenewed | Licence.LicenceDeemedRenewed
    ) -> None:
        """Law 50: granted by the authority on the day it decided, or deemed granted by law
        on the day that took effect (validTo + 1, however late the watcher recorded it)."""
        if isinstance(event, Licence.LicenceRenewed):
            day, granted, deemed = event.decided_on, 1, 0
        else:
            day, granted, deemed = event.valid_from, 0, 1
        key = (row["jurisdiction_code"], row["item_code"], day.isoformat())
        sums = self.renewals.setdefault(key, [0, 0, 0])
        sums[0], sums[1], sums[2] = sums[0] + 1, sums[1] + granted, sums[2] + deemed

    # ---------------------------------------------------------------- the calendar

    def on_calendar_changed(self, tx: Transaction, today: dt.date, year: int) -> None:
        """A loaded year moves the last day to file a renewal counted in working days back
        from a term ending that year or early the next."""
        for stored in tx.fetchall(
            f"SELECT {', '.join(COLUMNS)} FROM {self.rows.table} "
            "WHERE renewal_months_before IS NULL AND renewal_working_days_before IS NOT NULL "
            "AND valid_to >= %s AND valid_to <= %s",
            [f"{year}-01-01", f"{year + 1}-12-31"],
        ):
            row = dict(stored)
            before = row["renewal_apply_by"]
            self._apply_by(row)
            if row["renewal_apply_by"] != before:
                self.rows.put(row)

    def flush(self, tx: Transaction) -> None:
        self.counts.flush(tx)
        self.status_counts.flush(tx)
        self.rows.flush(tx)
        if self.renewals:
            add_to_counters(
                tx, self.table("licence_register_renewals"), RENEWAL_DIMS, RENEWAL_SUMS,
                {key: tuple(sums) for key, sums in self.renewals.items()},
            )  # fmt: skip
            self.renewals.clear()


_STATUS_CHANGES: dict[type[Licence.Event], tuple[LicenceStatus, str]] = {
    Licence.LicenceExpired: (LicenceStatus.EXPIRED, "expired_on"),
    Licence.LicenceRevoked: (LicenceStatus.REVOKED, "revoked_on"),
    Licence.LicenceWithdrawn: (LicenceStatus.WITHDRAWN, "withdrawn_on"),
    Licence.LicenceCancelled: (LicenceStatus.CANCELLED, "cancelled_on"),
}
"""The events that change a licence's status, and the field with the day it changed."""


# ---------------------------------------------------------------- what the API asks of this view


def licence_register_page(
    store: ViewStore,
    search: str | None = None,
    item_code: str | None = None,
    first: int = 20,
    after: str | None = None,
    status: LicenceStatus | None = None,
) -> Page[Row]:
    """公示: granted licences, by holder name (substring), item and status."""
    where, params = ["1 = 1"], []
    if search:
        where.append(
            "(holder_name LIKE %s ESCAPE '\\' OR certificate_no = %s OR holder_credit_code = %s)"
        )
        params += [like_contains(search.strip()), search.strip(), search.strip()]
    if item_code:
        where.append("item_code = %s")
        params.append(item_code)
    if status:
        where.append("status = %s")
        params.append(LicenceStatus(status).value)
    kept = (
        None if search else functools.partial(licences_granted, item_code=item_code, status=status)
    )
    return page_by_key(
        store, "licence_register", "certificate_no", " AND ".join(where), params, first, after,
        total=kept,
    )  # fmt: skip


def licences_granted(
    store: ViewStore, item_code: str | None = None, status: LicenceStatus | None = None
) -> int:
    """From the counts the register projection keeps, per item, or per item and status (a
    search still counts its matches)."""
    where, params = ["1 = 1"], []
    if item_code:
        where.append("item_code = %s")
        params.append(item_code)
    if status:
        where.append("status = %s")
        params.append(LicenceStatus(status).value)
    table = "licence_register_status_counts" if status else "licence_register_counts"
    row = store.fetchone(f"SELECT SUM(n) AS n FROM {table} WHERE {' AND '.join(where)}", params)
    return int(row["n"] or 0) if row else 0

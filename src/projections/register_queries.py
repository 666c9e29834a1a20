"""What the deadline watcher asks of the licence register (``register.py``): terms that ended
(deemed renewal or expiry, Law 50, 70(1)), renewal windows closing (reminders), proceedings
past their decide-by (SAMR 45). The view may lag the licences by moments: each answer is a
candidate, and the licence itself decides (``deem_renewed_if_due``, ``expire_if_due``)."""

from __future__ import annotations

import datetime as dt

from xuke.projections.store import Row, ViewStore

REMINDER_DAYS = (60, 30)  # calendar days before the last day to file a renewal


class LicenceQueries:
    """The licence_register questions of the deadline watcher, beside the view that answers them."""

    def __init__(self, views: ViewStore) -> None:
        self.views = views

    def awaiting_deemed_renewal(self, today: dt.date) -> list[Row]:
        """Law 50, SAMR 27: VALID, its term over, a renewal filed in time still undecided."""
        return self.views.fetchall(
            "SELECT certificate_no FROM licence_register WHERE status = 'VALID' AND valid_to < %s "
            "AND pending_renewal_case IS NOT NULL ORDER BY certificate_no",
            [today.isoformat()],
        )

    def awaiting_expiry(self, today: dt.date) -> list[Row]:
        """VALID, its term over, no renewal pending: EXPIRED (Law 70(1))."""
        return self.views.fetchall(
            "SELECT certificate_no FROM licence_register WHERE status = 'VALID' AND valid_to < %s "
            "AND pending_renewal_case IS NULL ORDER BY certificate_no",
            [today.isoformat()],
        )

    def renewals_closing(self, today: dt.date) -> list[Row]:
        """VALID, no renewal filed, and the last day to file one within the longest reminder."""
        return self.views.fetchall(
            "SELECT certificate_no, term_case_no, item_code, jurisdiction_code, renewal_apply_by "
            "FROM licence_register WHERE status = 'VALID' AND renewal_apply_by >= %s "
            "AND renewal_apply_by <= %s AND pending_renewal_case IS NULL ORDER BY certificate_no",
            [today.isoformat(), (today + dt.timedelta(days=max(REMINDER_DAYS))).isoformat()],
        )

    def proceedings_overdue(self, today: dt.date) -> list[Row]:
        """SAMR 45: 撤销 / 撤回 proceedings still open after their decide-by."""
        return self.views.fetchall(
            "SELECT certificate_no, term_case_no, item_code, jurisdiction_code, "
            "proceedings_decide_by FROM licence_register WHERE proceedings_open = 1 "
            "AND proceedings_decide_by < %s AND status = 'VALID' ORDER BY certificate_no",
            [today.isoformat()],
        )


def reminder_due(apply_by: dt.date, today: dt.date) -> int | None:
    """Which reminder is due today: the latest whose day (``apply_by`` − N days) has come,
    so a watcher that was away sends the one that still helps, not the missed earlier one."""
    left = (apply_by - today).days
    due = [n for n in REMINDER_DAYS if 0 <= left <= n]
    return min(due) if due else None

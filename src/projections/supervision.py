"""supervision: cards, 督办 orders and complaints, as the supervisors (and complainants) see
them; card counts feed the compliance figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from xuke.domain.supervision import Complaint, SupervisionCard, SupervisionOrder
from xuke.projections.base import Envelope, ViewProjection
from xuke.projections.paging import Page, jurisdiction_prefix, page_by_key
from xuke.projections.store import Row, Transaction, ViewStore
from xuke.projections.writes import iso

TOPIC_PREFIXES = tuple(get_topic(c) + "." for c in (SupervisionCard, SupervisionOrder, Complaint))


class SupervisionProjection(ViewProjection):
    name = "supervision"
    tables = ("supervision_cards", "supervision_orders", "complaints")

    def wants(self, topic: str) -> bool:
        return topic.startswith(TOPIC_PREFIXES)

    def process_page(self, tx: Transaction, page: Sequence[Envelope], prepared: Any = None) -> None:
        for envelope in page:
            event: Any = envelope.event
            key, at = str(envelope.originator_id), iso(event.timestamp)
            statement = self._statement(event, key, at)
            if statement:
                tx.execute(*statement)

    def _statement(self, event: Any, key: str, at: str | None) -> tuple[str, list[Any]] | None:
        cards, orders, complaints = (self.table(t) for t in self.tables)
        if isinstance(event, SupervisionCard.Issued):
            return (
                f"INSERT INTO {cards} (card_id, case_no, item_code, colour, cause, responsible_unit, detail, due_on, "
                "issued_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (card_id) DO NOTHING",
                [key, event.case_no, event.item_code, event.colour.value, event.cause.value, event.responsible_unit,
                 event.detail, iso(event.due_on), at],
            )  # fmt: skip
        if isinstance(event, SupervisionOrder.Issued):
            return (
                f"INSERT INTO {orders} (order_id, case_no, unit, instruction, respond_by, status, issued_by, issued_at) "
                "VALUES (%s, %s, %s, %s, %s, 'OPEN', %s, %s) ON CONFLICT (order_id) DO NOTHING",
                [
                    key,
                    event.case_no,
                    event.unit,
                    event.instruction,
                    iso(event.respond_by),
                    event.actor.id,
                    at,
                ],
            )
        if isinstance(event, SupervisionOrder.Answered):
            return (
                f"UPDATE {orders} SET status = 'ANSWERED', report = %s, answered_at = %s WHERE order_id = %s",
                [event.report, at, key],
            )
        if isinstance(event, SupervisionOrder.Escalated):
            return (
                f"UPDATE {orders} SET status = 'ESCALATED', escalated_to = %s WHERE order_id = %s",
                [event.to_unit, key],
            )
        if isinstance(event, Complaint.Filed):
            return (
                f"INSERT INTO {complaints} (complaint_id, case_no, jurisdiction_code, channel, text, filed_at, "
                "take_up_due, status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'FILED') ON CONFLICT (complaint_id) DO NOTHING",
                [
                    key,
                    event.case_no,
                    event.jurisdiction_code,
                    event.channel,
                    event.text,
                    at,
                    iso(event.take_up_due),
                ],
            )
        if isinstance(event, Complaint.TakenUp):
            return (
                f"UPDATE {complaints} SET status = 'TAKEN_UP', taken_up_by = %s, taken_up_late = %s WHERE complaint_id = %s",
                [event.actor.id, int(event.late), key],
            )
        if isinstance(event, Complaint.Answered):
            return (
                f"UPDATE {complaints} SET status = 'ANSWERED', reply = %s, answered_at = %s WHERE complaint_id = %s",
                [event.reply, at, key],
            )
        return None


def open_orders_past(views: ViewStore, day: dt.date) -> list[Row]:
    """督办 orders still OPEN after their respond-by date (to be escalated)."""
    return views.fetchall(
        "SELECT order_id FROM supervision_orders WHERE status = 'OPEN' AND respond_by < %s",
        [day.isoformat()],
    )


def card_issued(views: ViewStore, card_id: UUID) -> bool:
    return bool(views.count("supervision_cards", "card_id = %s", [str(card_id)]))


def complaints_of_case(views: ViewStore, case_no: str) -> list[Row]:
    """The complaints about one case and their replies, oldest first (public status)."""
    return views.fetchall(
        "SELECT * FROM complaints WHERE case_no = %s ORDER BY filed_at", [case_no]
    )


ROW_KEYS = {
    "supervision_orders": "order_id",
    "complaints": "complaint_id",
    "supervision_cards": "card_id",
}


def supervision_row(views: ViewStore, table: str, aggregate_id: UUID) -> Row | None:
    """The row an order's, complaint's or card's events made, read back for a payload."""
    return views.fetchone(
        f"SELECT * FROM {table} WHERE {ROW_KEYS[table]} = %s", [str(aggregate_id)]
    )


# ---------------------------------------------------------------- what the API asks of this view


def supervision_rows(
    store: ViewStore,
    table: str,
    jurisdiction: str,
    first: int,
    after: str | None,
    status: str | None = None,
) -> Page[Row]:
    """Cards, orders or complaints of a jurisdiction, newest first (keyset on the id)."""
    column = {
        "supervision_cards": "responsible_unit",
        "supervision_orders": "unit",
        "complaints": "jurisdiction_code",
    }[table]
    condition, params = f"{column} LIKE %s", [jurisdiction_prefix(jurisdiction) + "%"]
    if status:
        condition += " AND status = %s"
        params.append(status)
    return page_by_key(store, table, ROW_KEYS[table], condition, params, first, after)


def card_counts(
    store: ViewStore, jurisdiction: str, start: dt.date, end: dt.date, group_by: str
) -> dict[str, Row]:
    """Yellow and red cards issued in the period, per department, item or month. A renewal
    reminder is a notice to the holder's authority, not a breach: it does not count."""
    key = {
        "DEPARTMENT": "responsible_unit",
        "ITEM": "item_code",
        "MONTH": "SUBSTR(issued_at, 1, 7)",
    }[group_by]
    rows = store.fetchall(
        f"SELECT {key} AS key, SUM(CASE WHEN colour = 'YELLOW' THEN 1 ELSE 0 END) AS yellow, "
        "SUM(CASE WHEN colour = 'RED' THEN 1 ELSE 0 END) AS red FROM supervision_cards "
        "WHERE issued_at >= %s AND issued_at < %s AND responsible_unit LIKE %s "
        f"AND cause <> 'RENEWAL_REMINDER' GROUP BY {key}",
        [
            start.isoformat(),
            (end + dt.timedelta(days=1)).isoformat(),
            jurisdiction_prefix(jurisdiction) + "%",
        ],
    )
    return {str(r["key"]): r for r in rows}


def unit_cards(store: ViewStore, unit: str, first: int, after: str | None) -> Page[Row]:
    """The cards a unit received — shown beside its inbox."""
    return page_by_key(
        store, "supervision_cards", "card_id", "responsible_unit = %s", [unit], first, after
    )

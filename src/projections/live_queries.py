"""What the supervisor dashboard and the live subscriptions ask of the views beyond the
existing reads: late tasks counted per authority or item, and cards by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from xuke.projections.inbox import overdue_page, warnings_page
from xuke.projections.paging import jurisdiction_prefix
from xuke.projections.store import Row, ViewStore

LATE_KEYS = {"DEPARTMENT": "jurisdiction_code", "ITEM": "item_name"}


def late_counts(store: ViewStore, jurisdiction: str, today: dt.date, group_by: str) -> list[Row]:
    """Open tasks overdue (RED) and in warning (YELLOW) today, per authority or item: the same
    conditions as ``inbox.overdue_page`` and ``inbox.warnings_page``, so the groups add up to
    their totals. Walks the index of open tasks by due date and yellow day."""
    key, day = LATE_KEYS[group_by], today.isoformat()
    return store.fetchall(
        f"SELECT {key} AS key, "
        "SUM(CASE WHEN due_on < %s THEN 1 ELSE 0 END) AS overdue, "
        "SUM(CASE WHEN due_on >= %s AND yellow_from <= %s THEN 1 ELSE 0 END) AS warnings "
        "FROM inbox_tasks WHERE is_open = 1 AND jurisdiction_code LIKE %s "
        "AND (due_on < %s OR (yellow_from <= %s AND yellow_from <> '')) "
        f"GROUP BY {key} ORDER BY {key}",
        [day, day, day, jurisdiction_prefix(jurisdiction) + "%", day, day],
    )


def cards_in(store: ViewStore, card_ids: Sequence[str], jurisdiction: str) -> list[Row]:
    """The cards among ``card_ids`` issued to units of the jurisdiction, oldest first."""
    if not card_ids:
        return []
    marks = ", ".join(["%s"] * len(card_ids))
    return store.fetchall(
        f"SELECT * FROM supervision_cards WHERE card_id IN ({marks}) "
        "AND responsible_unit LIKE %s ORDER BY issued_at, card_id",
        [*card_ids, jurisdiction_prefix(jurisdiction) + "%"],
    )


def supervision_totals(store: ViewStore, jurisdiction: str, today: dt.date) -> dict[str, int]:
    """The totals ``supervision`` gives: overdue and warning tasks (``overdue.totalCount``,
    ``warnings.totalCount``), cards, and 督办 orders still OPEN."""
    prefix = jurisdiction_prefix(jurisdiction) + "%"
    return {
        "overdue": overdue_page(store, jurisdiction, today, 1).total_count,
        "warnings": warnings_page(store, jurisdiction, today, 1).total_count,
        "cards": store.count("supervision_cards", "responsible_unit LIKE %s", [prefix]),
        "open_orders": store.count(
            "supervision_orders", "unit LIKE %s AND status = 'OPEN'", [prefix]
        ),
    }

"""The inbound exchange store and the national views over it (docs/exchange-federation.md).

Integration events received from other instances, by following their feed over HTTP
(``federation/follower.py``) or by importing a ferry bundle (``federation/ferry.py``), land
here, keyed by (source, position). ``record_page`` writes a page in ONE transaction: the
events, what they change in the national views, and the source's progress. It takes the
source's row lock first and keeps only the events beyond the recorded position, so a page
applied twice, or by two followers at once, is applied once.

The views are keyed by the natural numbers (certificate and case numbers carry their
authority's code), not by source: a province received by two routes is counted once.
Each event sets only the columns it knows, so the rows come out the same in any order of
sources.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from xuke.projections.paging import Page, jurisdiction_prefix, page_by_key
from xuke.projections.store import Row, Transaction, ViewStore

FOLLOW, FERRY = "FOLLOW", "FERRY"
LICENCE_STATUS_BY_TYPE = {
    "LicenceRevoked": "REVOKED",
    "LicenceWithdrawn": "WITHDRAWN",
    "LicenceCancelled": "CANCELLED",
    "LicenceExpired": "EXPIRED",
}


_OPTIONAL_TEXT = (str, type(None))


def province_of(jurisdiction_code: str) -> str:
    """440305 → 440000: the province an authority belongs to (GB/T 2260's first two digits)."""
    return jurisdiction_code[:2] + "0000"


@dataclass(frozen=True)
class InboundEvent:
    """One integration event as the feed publishes it (docs/exchange.md)."""

    position: int
    event_id: str
    type: str
    occurred_at: str
    jurisdiction_code: str
    case_no: str | None = None
    certificate_no: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_feed(cls, obj: dict[str, Any]) -> InboundEvent:
        """A feed line's object; ``ValueError`` when it is not one."""
        try:
            position, payload = obj["position"], obj["payload"]
            if not isinstance(position, int) or isinstance(position, bool) or position < 1:
                raise ValueError(f"position {position!r}")
            if not isinstance(payload, dict):
                raise ValueError("payload is not an object")
            event = cls(position, obj["id"], obj["type"], obj["occurredAt"],
                        obj["jurisdictionCode"], obj.get("caseNo"), obj.get("certificateNo"),
                        payload)  # fmt: skip
        except (KeyError, TypeError) as e:
            raise ValueError(f"not an integration event: {e}") from None
        texts = (event.event_id, event.type, event.occurred_at, event.jurisdiction_code)
        if not (all(type(t) is str and t for t in texts)
                and type(event.case_no) in _OPTIONAL_TEXT
                and type(event.certificate_no) in _OPTIONAL_TEXT):  # fmt: skip
            raise ValueError(
                "id, type, occurredAt, jurisdictionCode (and caseNo, certificateNo) are texts"
            )
        if not (len(event.jurisdiction_code) == 6 and event.jurisdiction_code.isdecimal()):
            raise ValueError(f"jurisdictionCode {event.jurisdiction_code[:20]!r}")
        return event

    def to_feed(self) -> dict[str, Any]:
        return {
            "position": self.position, "id": self.event_id, "type": self.type,
            "occurredAt": self.occurred_at, "jurisdictionCode": self.jurisdiction_code,
            "caseNo": self.case_no, "certificateNo": self.certificate_no,
            "payload": self.payload,
        }  # fmt: skip


class InboundRefused(Exception):
    """A page that does not continue what was received from its source (nothing applied)."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def record_page(
    store: ViewStore,
    source: str,
    kind: str,
    events: Sequence[InboundEvent],
    *,
    url: str | None = None,
    contiguous: bool = False,
    jurisdiction: str | None = None,
) -> int:
    """Apply the events beyond ``source``'s recorded position, with their views and the new
    position, in one transaction; returns how many were new. ``contiguous`` (the ferry): the
    events must follow the recorded position without a gap, and those already received must
    be the same events; else ``InboundRefused`` and nothing is written. A followed feed may
    skip positions (a scoped token sees only its jurisdiction's events). ``jurisdiction``:
    what the source may speak for (``source_scope``)."""
    return record_stream(
        store, source, kind, [events], url=url, contiguous=contiguous, jurisdiction=jurisdiction
    )


def record_stream(
    store: ViewStore,
    source: str,
    kind: str,
    chunks: Iterable[Sequence[InboundEvent]],
    *,
    url: str | None = None,
    contiguous: bool = False,
    jurisdiction: str | None = None,
) -> int:
    """``record_page`` for events that come in chunks (a bundle too large to hold at once):
    still one transaction, so an error raised while the chunks are read, by this function or
    by whoever yields them, leaves nothing behind."""
    with store.transaction() as tx:
        last, scope = _claim_source(tx, source, kind, url, jurisdiction)
        applied, received, outside = 0, now_iso(), []
        for events in chunks:
            positions = [e.position for e in events]
            if any(b <= a for a, b in itertools.pairwise(positions)):
                raise InboundRefused("事件位置不是严格递增的")
            new = [e for e in events if e.position > last]
            if contiguous:
                _check_continuity(tx, source, last, events, new)
            if new:
                last = new[-1].position
            if scope is None and new:
                # Learnt from the first page or chunk: its province, or the whole country
                # when it holds several (a national instance exporting), then fixed.
                provinces = {province_of(e.jurisdiction_code) for e in new}
                scope = provinces.pop() if len(provinces) == 1 else "000000"
                tx.execute(
                    "UPDATE inbound_sources SET jurisdiction = %s WHERE source = %s",
                    (scope, source),
                )
            prefix = jurisdiction_prefix(scope) if scope else ""
            outside += [e for e in new if not e.jurisdiction_code.startswith(prefix)]
            new = [e for e in new if e.jurisdiction_code.startswith(prefix)]
            tx.executemany(
                "INSERT INTO inbound_events (source, position, event_id, type, occurred_at, "
                "jurisdiction_code, province, case_no, certificate_no, payload, received_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (source, e.position, e.event_id, e.type, e.occurred_at,
                     e.jurisdiction_code, province_of(e.jurisdiction_code), e.case_no,
                     e.certificate_no, orjson.dumps(e.payload).decode(), received)
                    for e in new
                ],
            )  # fmt: skip
            apply_to_views(tx, source, new)
            applied += len(new)
        error = (
            f"跳过 {len(outside)} 个超出来源管辖范围 {scope} 的事件"
            f"（位置 {outside[0].position}，管辖区划 {outside[0].jurisdiction_code}）"
            if outside
            else None
        )
        tx.execute(
            "UPDATE inbound_sources SET last_position = %s, events = events + %s, "
            "last_contact = %s, last_error = %s, last_error_at = %s WHERE source = %s",
            (last, applied, received, error, received if error else None, source),
        )
        return applied


def _claim_source(
    tx: Transaction, source: str, kind: str, url: str | None, jurisdiction: str | None = None
) -> tuple[int, str | None]:
    """The source's recorded position and jurisdiction, its row locked until the transaction
    ends. A jurisdiction given is recorded if none was yet; a different one is refused."""
    tx.execute(
        "INSERT INTO inbound_sources (source, kind, url) VALUES (%s, %s, %s) "
        "ON CONFLICT (source) DO NOTHING",
        (source, kind, url),
    )
    row = tx.fetchone(
        "SELECT kind, last_position, jurisdiction FROM inbound_sources "
        f"WHERE source = %s{tx.for_update}",
        (source,),
    )
    assert row is not None
    if row["kind"] != kind:
        raise InboundRefused(f"来源 {source} 已作为 {row['kind']} 来源登记，不能再以 {kind} 接收")
    scope = row["jurisdiction"]
    if jurisdiction is not None and scope is not None and jurisdiction != scope:
        raise InboundRefused(f"来源 {source} 已登记的管辖区划为 {scope}，不能改为 {jurisdiction}")
    if jurisdiction is not None and scope is None:
        tx.execute(
            "UPDATE inbound_sources SET jurisdiction = %s WHERE source = %s",
            (jurisdiction, source),
        )
        scope = jurisdiction
    return int(row["last_position"]), scope


def _check_continuity(
    tx: Transaction,
    source: str,
    last: int,
    events: Sequence[InboundEvent],
    new: Sequence[InboundEvent],
) -> None:
    if new and new[0].position != last + 1:
        raise InboundRefused(
            f"与已导入的数据不连续：来源已导入至位置 {last}，本次从位置 {new[0].position} 开始，"
            f"中间缺少 {new[0].position - last - 1} 个事件"
        )
    old = [e for e in events if e.position <= last]
    if old:
        stored = {
            int(r["position"]): r["event_id"]
            for r in tx.fetchall(
                "SELECT position, event_id FROM inbound_events WHERE source = %s "
                "AND position BETWEEN %s AND %s",
                (source, old[0].position, old[-1].position),
            )
        }
        for e in old:
            if stored.get(e.position, e.event_id) != e.event_id:
                raise InboundRefused(
                    f"位置 {e.position} 的事件与此前从同一来源导入的不同"
                    f"（{stored[e.position]} ≠ {e.event_id}）"
                )


def record_failure(store: ViewStore, source: str, kind: str, url: str | None, error: str) -> None:
    """Note why the last contact failed (shown by ``xuke exchange status``)."""
    with store.transaction() as tx:
        _claim_source(tx, source, kind, url)  # its position and scope are not needed here
        tx.execute(
            "UPDATE inbound_sources SET last_error = %s, last_error_at = %s WHERE source = %s",
            (error[:500], now_iso(), source),
        )


def last_position(store: ViewStore, source: str) -> int:
    row = store.fetchone("SELECT last_position FROM inbound_sources WHERE source = %s", (source,))
    return int(row["last_position"]) if row else 0


# --- the national views ---------------------------------------------------------------


def apply_to_views(tx: Transaction, source: str, events: Sequence[InboundEvent]) -> None:
    """What a chunk of events changes in ``national_cases`` and ``national_register``. The
    chunk's changes are first merged per case and per certificate, in event order, then
    written with one ``executemany`` per statement shape: on PostgreSQL a round trip per
    statement shape rather than per event."""
    cases: dict[str, dict[str, Any]] = {}
    case_keys: dict[str, tuple[str, str, str | None]] = {}  # province, authority, item
    granted: dict[tuple[str, str], dict[str, Any]] = {}  # by (certificate, province)
    changed: dict[tuple[str, str], dict[str, Any]] = {}
    for e in events:
        if e.case_no and (columns := _case_columns(e.type, e.payload)) is not None:
            cases.setdefault(e.case_no, {}).update(columns)
            known = case_keys.get(e.case_no)
            item = e.payload.get("itemCode") or (known[2] if known else None)
            case_keys[e.case_no] = (province_of(e.jurisdiction_code), e.jurisdiction_code, item)
        if e.certificate_no:
            _merge_licence(source, e, granted, changed)
    by_shape: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for case_no, columns in cases.items():
        by_shape.setdefault(tuple(columns), []).append(
            (case_no, *case_keys[case_no], source, *columns.values())
        )
    for shape, rows in by_shape.items():
        tx.executemany(_upsert_sql(shape), rows)
    tx.executemany(GRANT_SQL, [tuple(row[c] for c in REGISTER_COLUMNS) for row in granted.values()])
    by_shape = {}
    for (certificate_no, province), columns in changed.items():
        by_shape.setdefault(tuple(columns), []).append(
            (*columns.values(), certificate_no, province)
        )
    for shape, rows in by_shape.items():
        assignments = ", ".join(f"{c} = %s" for c in shape)
        tx.executemany(
            f"UPDATE national_register SET {assignments} "
            "WHERE certificate_no = %s AND province = %s",
            rows,
        )


REGISTER_COLUMNS = (
    "certificate_no", "item_code", "holder_name", "status", "issued_on", "valid_until",
    "province", "jurisdiction_code", "case_no", "source", "updated_position",
)  # fmt: skip
TERMINAL_STATUSES = tuple(LICENCE_STATUS_BY_TYPE.values())
# A grant received again (a second route, a re-delivery) never brings a terminal licence
# back to VALID nor shortens its term, and never touches another province's row.
GRANT_SQL = (
    f"INSERT INTO national_register ({', '.join(REGISTER_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(REGISTER_COLUMNS))}) ON CONFLICT (certificate_no) "
    "DO UPDATE SET item_code = excluded.item_code, holder_name = excluded.holder_name, "
    "status = CASE WHEN national_register.status IN "
    f"({', '.join(repr(s) for s in TERMINAL_STATUSES)}) "
    "THEN national_register.status ELSE excluded.status END, "
    "issued_on = excluded.issued_on, "
    "valid_until = CASE WHEN excluded.valid_until IS NULL "
    "OR national_register.valid_until > excluded.valid_until "
    "THEN national_register.valid_until ELSE excluded.valid_until END, "
    "case_no = excluded.case_no, updated_position = excluded.updated_position "
    "WHERE national_register.province = excluded.province"
)


def _merge_licence(
    source: str,
    e: InboundEvent,
    granted: dict[tuple[str, str], dict[str, Any]],
    changed: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """A licence event into the chunk's rows: a grant is a whole row; a later event changes
    the row granted in this chunk, or else the stored one."""
    assert e.certificate_no is not None
    p, key = e.payload, (e.certificate_no, province_of(e.jurisdiction_code))
    if e.type == "LicenceGranted":
        changed.pop(key, None)
        granted[key] = {
            "certificate_no": e.certificate_no, "item_code": p.get("itemCode") or "",
            "holder_name": p.get("holderName") or "", "status": "VALID",
            "issued_on": p.get("issuedOn"), "valid_until": p.get("validUntil"),
            "province": province_of(e.jurisdiction_code),
            "jurisdiction_code": e.jurisdiction_code, "case_no": e.case_no, "source": source,
            "updated_position": e.position,
        }  # fmt: skip
        return
    if e.type in ("LicenceChanged", "LicenceRenewed"):
        # Only the term: these payloads carry no holder (domain/exchange.py).
        update = {"valid_until": p.get("validUntil")}
        if "holderName" in p:
            update["holder_name"] = p["holderName"]
    elif e.type in LICENCE_STATUS_BY_TYPE:
        update = {"status": LICENCE_STATUS_BY_TYPE[e.type]}
    else:
        return
    row = granted.get(key) or changed.setdefault(key, {})
    row.update({k: v for k, v in update.items() if v is not None})
    row["updated_position"] = e.position


def _case_columns(kind: str, p: dict[str, Any]) -> dict[str, Any] | None:
    """The national_cases columns an event sets (None: it sets none)."""
    match kind:
        case "CaseFiled":
            return {"received_on": p.get("receivedOn")}
        case "CaseAccepted":
            return {"accepted_on": p.get("acceptedOn"), "decision_due": p.get("decisionDue")}
        case "CaseNotAccepted":
            return {"not_accepted_on": p.get("decidedOn")}
        case "DeadlineChanged":
            return {"decision_due": p.get("decisionDue")}
        case "DecisionMade":
            on_time = p.get("onTime")
            return {
                "decided_on": p.get("decidedOn"),
                "decision": p.get("decision"),
                "decision_due": p.get("decisionDue"),
                "on_time": None if on_time is None else int(bool(on_time)),
            }
        case "CaseClosed":
            return {"closed_on": p.get("closedOn"), "closed_reason": p.get("reason")}
    return None


@functools.cache
def _upsert_sql(columns: tuple[str, ...]) -> str:
    names = ("case_no", "province", "jurisdiction_code", "item_code", "source", *columns)
    updates = ", ".join(
        [f"{c} = excluded.{c}" for c in columns]
        + ["item_code = COALESCE(excluded.item_code, national_cases.item_code)"]
    )
    return (
        f"INSERT INTO national_cases ({', '.join(names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))}) "
        f"ON CONFLICT (case_no) DO UPDATE SET {updates}"
    )


# --- reads ----------------------------------------------------------------------------


def _scope(jurisdiction: str) -> tuple[str, list[Any]]:
    prefix = jurisdiction_prefix(jurisdiction)
    return ("jurisdiction_code LIKE %s", [prefix + "%"]) if prefix else ("1 = 1", [])


def register_status(row: Row, today: dt.date) -> str:
    """A VALID licence whose term has run out is shown EXPIRED even before a province says so."""
    valid_until = row.get("valid_until")
    if row["status"] == "VALID" and valid_until and str(valid_until) < today.isoformat():
        return "EXPIRED"
    return str(row["status"])


def national_register_page(
    store: ViewStore,
    jurisdiction: str,
    province: str | None,
    first: int,
    after: str | None,
) -> Page[Row]:
    """The licences of every followed province inside ``jurisdiction``, by certificate number."""
    condition, params = _scope(jurisdiction)
    if province:
        condition, params = f"{condition} AND province = %s", [*params, province]
    return page_by_key(
        store, "national_register", "certificate_no", condition, params, first, after
    )


def province_compliance(store: ViewStore, jurisdiction: str, today: dt.date) -> list[Row]:
    """Per province: open accepted cases, the overdue among them (decisionDue before today and
    neither decided nor closed), decisions on time and late, and the on-time rate."""
    condition, params = _scope(jurisdiction)
    open_ = "accepted_on IS NOT NULL AND decided_on IS NULL AND closed_on IS NULL"
    rows = store.fetchall(
        f"SELECT province, "
        f"SUM(CASE WHEN {open_} THEN 1 ELSE 0 END) AS open_accepted, "
        f"SUM(CASE WHEN {open_} AND decision_due < %s THEN 1 ELSE 0 END) AS overdue, "
        "SUM(CASE WHEN on_time = 1 THEN 1 ELSE 0 END) AS decided_on_time, "
        "SUM(CASE WHEN on_time = 0 THEN 1 ELSE 0 END) AS decided_late, "
        "COUNT(*) AS cases "
        f"FROM national_cases WHERE {condition} GROUP BY province ORDER BY province",
        [today.isoformat(), *params],
    )
    result = []
    for r in rows:
        on_time, late = int(r["decided_on_time"] or 0), int(r["decided_late"] or 0)
        result.append({
            "province": r["province"],
            "cases": int(r["cases"]),
            "open_accepted": int(r["open_accepted"] or 0),
            "overdue": int(r["overdue"] or 0),
            "decided_on_time": on_time,
            "decided_late": late,
            "compliance_rate": on_time / (on_time + late) if on_time + late else None,
        })  # fmt: skip
    return result


def inbound_sources(store: ViewStore, jurisdiction_code: str = "000000") -> list[Row]:
    """The sources whose jurisdiction ``jurisdiction_code`` covers (000000: all of them,
    with those whose jurisdiction is not yet known)."""
    prefix = jurisdiction_prefix(jurisdiction_code)
    if not prefix:
        return store.fetchall("SELECT * FROM inbound_sources ORDER BY source")
    return store.fetchall(
        "SELECT * FROM inbound_sources WHERE jurisdiction LIKE %s ORDER BY source", (prefix + "%",)
    )

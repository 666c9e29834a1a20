"""What the inbound-exchange tests share: two migrated read-model databases (a province and
the national level) on either engine, and integration events as a province publishes them."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from xuke.projections.national import InboundEvent
from xuke.projections.store import ViewStore


def case_events(
    n: int, jurisdiction: str = "440300", decided_late: bool = False
) -> list[dict[str, Any]]:
    """Case ``n`` of ``jurisdiction`` filed, accepted, granted and its licence issued: four
    feed objects, without positions."""
    case_no = f"{jurisdiction}-2026-GYCP-{n:06d}"
    certificate = f"XK{jurisdiction}-GYCP-2026-{n:06d}"
    item = {"schemaVersion": 1, "itemCode": "GYCP"}
    due, decided = "2026-10-26", ("2026-10-30" if decided_late else "2026-10-20")
    rows = [
        ("CaseFiled", None, {**item, "receivedOn": "2026-09-28", "channel": "ONLINE"}),
        ("CaseAccepted", None, {**item, "acceptedOn": "2026-09-29", "decisionDue": due}),
        ("DecisionMade", None, {**item, "decision": "GRANT", "decidedOn": decided,
                                "decisionDue": due, "onTime": not decided_late}),
        ("LicenceGranted", certificate, {**item, "holderName": f"深圳某某有限公司{n}",
                                         "issuedOn": decided, "validUntil": "2031-10-19"}),
    ]  # fmt: skip
    return [
        {"id": f"{uuid.uuid5(uuid.NAMESPACE_URL, case_no)}:{v}:{t}", "type": t,
         "occurredAt": "2026-09-28T09:00:00+08:00", "jurisdictionCode": jurisdiction,
         "caseNo": case_no, "certificateNo": cert, "payload": payload}
        for v, (t, cert, payload) in enumerate(rows, start=1)
    ]  # fmt: skip


def numbered(objects: list[dict[str, Any]], start: int = 1) -> list[dict[str, Any]]:
    return [{"position": start + i, **o} for i, o in enumerate(objects)]


def as_events(objects: list[dict[str, Any]]) -> list[InboundEvent]:
    return [InboundEvent.from_feed(o) for o in objects]


def publish(store: ViewStore, objects: list[dict[str, Any]]) -> None:
    """Rows in the province's exchange_events, as its exchange projection writes them."""
    with store.transaction() as tx:
        tx.executemany(
            "INSERT INTO exchange_events (position, event_id, type, occurred_at, "
            "jurisdiction_code, case_no, certificate_no, payload) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(o["position"], o["id"], o["type"], o["occurredAt"], o["jurisdictionCode"],
              o["caseNo"], o["certificateNo"], orjson.dumps(o["payload"]).decode())
             for o in objects],
        )  # fmt: skip


def counts(store: ViewStore) -> tuple[int, int, int, int]:
    """(inbound events, register rows, national cases, sum of sources' positions)."""
    row = store.fetchone("SELECT COALESCE(SUM(last_position), 0) AS p FROM inbound_sources")
    return (store.count("inbound_events", "1 = 1"), store.count("national_register", "1 = 1"),
            store.count("national_cases", "1 = 1"), int(row["p"]) if row else 0)  # fmt: skip

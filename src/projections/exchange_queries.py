"""Reading the exchange feed: the rows after a position, of some types, in the reader's
jurisdiction (docs/exchange.md). Used by ``exchangeFeed``, ``GET /exchange/feed``, the
webhook deliverer and the followers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from xuke.domain.exchange import Published
from xuke.projections.paging import jurisdiction_prefix, like_contains
from xuke.projections.store import Row, ViewStore

MAX_LIMIT = 10_000


@dataclass(frozen=True)
class ExchangeRow(Published):
    """A published event with the position the feed gave it."""

    position: int

    @classmethod
    def of(cls, row: Row) -> ExchangeRow:
        return cls(
            position=int(row["position"]), event_id=row["event_id"], type=row["type"],
            occurred_at=row["occurred_at"], jurisdiction_code=row["jurisdiction_code"],
            case_no=row["case_no"], certificate_no=row["certificate_no"],
            payload=orjson.loads(row["payload"]),
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The published shape: one NDJSON line, one webhook event."""
        return {
            "position": self.position,
            "id": self.event_id,
            "type": self.type,
            "occurredAt": self.occurred_at,
            "jurisdictionCode": self.jurisdiction_code,
            "caseNo": self.case_no,
            "certificateNo": self.certificate_no,
            "payload": self.payload,
        }


def feed_query(
    *, after: int, limit: int, types: frozenset[str] | None, jurisdiction: str | None
) -> tuple[str, list[Any]]:
    """The SQL of a page of the feed: by position, from the primary key on."""
    if after < 0:
        raise ValueError("after 不能为负数")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit 应在 1 到 {MAX_LIMIT} 之间")
    where: list[str] = ["position > %s"]
    params: list[Any] = [after]
    if types is not None:
        where.append(f"type IN ({', '.join(['%s'] * len(types))})")
        params.extend(sorted(types))
    prefix = jurisdiction_prefix(jurisdiction) if jurisdiction is not None else ""
    if prefix:
        where.append("jurisdiction_code LIKE %s ESCAPE '\\'")
        params.append(like_contains(prefix)[1:])  # "44%": starts with, not contains
    sql = (
        "SELECT position, event_id, type, occurred_at, jurisdiction_code, case_no, "
        f"certificate_no, payload FROM exchange_events WHERE {' AND '.join(where)} "
        "ORDER BY position LIMIT %s"
    )
    return sql, [*params, limit]


def read_feed(
    store: ViewStore,
    *,
    after: int,
    limit: int,
    types: frozenset[str] | None,
    jurisdiction: str | None,
) -> list[ExchangeRow]:
    """Up to ``limit`` events after position ``after``, in order. ``jurisdiction``: the
    events of the authorities that division covers (000000 or None: all)."""
    sql, params = feed_query(after=after, limit=limit, types=types, jurisdiction=jurisdiction)
    return [ExchangeRow.of(r) for r in store.fetchall(sql, params)]


def ndjson_line(row: Row) -> bytes:
    """One stored row as its published NDJSON line; the stored payload is spliced in as it
    is (``orjson.Fragment``), not decoded and encoded again."""
    return (
        orjson.dumps(
            {
                "position": int(row["position"]),
                "id": row["event_id"],
                "type": row["type"],
                "occurredAt": row["occurred_at"],
                "jurisdictionCode": row["jurisdiction_code"],
                "caseNo": row["case_no"],
                "certificateNo": row["certificate_no"],
                "payload": orjson.Fragment(row["payload"]),
            }
        )
        + b"\n"
    )


def iter_ndjson(
    store: ViewStore,
    *,
    after: int,
    limit: int,
    types: frozenset[str] | None,
    jurisdiction: str | None,
    chunk: int = 1000,
) -> Iterator[bytes]:
    """The feed as NDJSON, a chunk of lines at a time, each chunk its own short read (the
    stream holds no transaction open while the client reads slowly)."""
    left = limit
    while left > 0:
        size = min(chunk, left)
        sql, params = feed_query(after=after, limit=size, types=types, jurisdiction=jurisdiction)
        rows = store.fetchall(sql, params)
        if not rows:
            return
        yield b"".join(ndjson_line(r) for r in rows)
        left -= len(rows)
        after = int(rows[-1]["position"])
        if len(rows) < size:
            return


def feed_head(store: ViewStore) -> int:
    """The last position published (positions are gap-free: also how many there are)."""
    row = store.fetchone("SELECT MAX(position) AS p FROM exchange_events")
    return int(row["p"] or 0) if row else 0


def feed_count(store: ViewStore, *, types: frozenset[str] | None, jurisdiction: str | None) -> int:
    """How many events the reader may see (the whole feed: its head, one lookup)."""
    if types is None and not (jurisdiction and jurisdiction_prefix(jurisdiction)):
        return feed_head(store)
    sql, params = feed_query(after=0, limit=1, types=types, jurisdiction=jurisdiction)
    where = sql.split(" WHERE ", 1)[1].rsplit(" ORDER BY ", 1)[0]
    row = store.fetchone(f"SELECT COUNT(*) AS n FROM exchange_events WHERE {where}", params[:-1])
    return int(row["n"]) if row else 0

"""What the views' paged reads share: a page and its opaque cursors, keyset conditions that
walk an index from the cursor on (no OFFSET), and the jurisdiction scope of the supervisors'
lists. Each view's own queries live beside its projection and page with these."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson

from xuke.projections.store import Row, ViewStore

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    total_count: int

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode()


def decode_cursor(
    cursor: str | None, size: int, kind: type[str] | type[int] = str
) -> list[Any] | None:
    """A cursor we did not make is refused, not half-understood: the right number of keys,
    each of the kind its column holds (text, unless said otherwise) or null. A key of another
    kind would reach the database as a comparison it cannot make (a 500 on PostgreSQL)."""
    if not cursor:
        return None
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        raise ValueError("invalid cursor") from None
    if not isinstance(values, list) or len(values) != size:
        raise ValueError("invalid cursor")
    if not all(v is None or (isinstance(v, kind) and not isinstance(v, bool)) for v in values):
        raise ValueError("invalid cursor")
    return values


def check_first(first: int) -> int:
    if not 1 <= first <= 100:
        raise ValueError("first must be between 1 and 100")
    return first


def keyset(columns: Sequence[str], descending: bool) -> str:
    """(a, b, c) > (%s, %s, %s), spelled out so both engines use the index."""
    op = "<" if descending else ">"
    clauses = []
    for i, column in enumerate(columns):
        equal = " AND ".join(f"{c} = %s" for c in columns[:i])
        clauses.append(f"({equal + ' AND ' if equal else ''}{column} {op} %s)")
    return "(" + " OR ".join(clauses) + ")"


def keyset_params(values: Sequence[Any]) -> list[Any]:
    params: list[Any] = []
    for i in range(len(values)):
        params.extend(values[: i + 1])
    return params


def page_by_key(
    store: ViewStore,
    table: str,
    key: str,
    condition: str,
    params: list[Any],
    first: int,
    after: str | None,
    total: Callable[[ViewStore], int] | None = None,
    key_kind: type[str] | type[int] = str,
) -> Page[Row]:
    """A page of ``table`` in ``key`` order, after the cursor's key; ``total`` counts the
    rows when a count of the condition would be slow."""
    first = check_first(first)
    cursor = decode_cursor(after, 1, key_kind)
    beyond = f" AND {key} > %s" if cursor else ""
    rows = store.fetchall(
        f"SELECT * FROM {table} WHERE {condition}{beyond} ORDER BY {key} LIMIT %s",
        [*params, *(cursor or []), first + 1],
    )
    page = rows[:first]
    cursors = [encode_cursor([r[key]]) for r in page]
    count = total(store) if total else store.count(table, condition, params)
    return Page(page, cursors, len(rows) > first, count)


def jurisdiction_prefix(jurisdiction_code: str) -> str:
    """440000 → "44", 440100 → "4401", 000000 → "" (the whole country)."""
    if jurisdiction_code == "000000":
        return ""
    prefix = jurisdiction_code
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def like_contains(text: str) -> str:
    """A LIKE pattern for "contains ``text``": its own ``%``, ``_`` and ``\\`` match only
    themselves (with ``ESCAPE '\\'``, the same on SQLite and PostgreSQL)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"

"""The offline ferry (光盘/网闸): integration events carried between networks that are not
connected, as a signed bundle file (docs/exchange-federation.md, "The bundle format").

A bundle is UTF-8 JSON lines. The first line is the header::

    {"format": "xuke-exchange-bundle", "version": 1, "manifest": {...}, "signature": "<b64>"}

and every further line one event, exactly as the feed publishes it (``position``, ``id``,
``type``, ``occurredAt``, ``jurisdictionCode``, ``caseNo``, ``certificateNo``, ``payload``),
in position order without a gap. The manifest names the exporter's public key
(``sourceKey``), ``afterPosition``, ``firstPosition``, ``lastPosition``, ``count``, the
counts per type, ``createdAt`` and ``chainHead``: the hash chain over the event lines,
h₀ = SHA-256("xuke-exchange-chain-v1"), hᵢ = SHA-256(hᵢ₋₁ ‖ bytes of line i without its
newline), hex. The signature is Ed25519 over ``SIGNING_PREFIX`` followed by the manifest as
canonical JSON (sorted keys, no spaces). So the signature vouches for the manifest, the
manifest for the chain head, and the chain for every byte of every event line and their order.

Import verifies as it applies, inside ONE transaction of the inbound store: any refusal
(``BundleRefused``, Chinese message) rolls everything back.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from xuke.application.exchange_keys import public_key_text
from xuke.projections.national import FERRY, InboundEvent, InboundRefused, record_stream
from xuke.projections.store import ViewStore

FORMAT, VERSION = "xuke-exchange-bundle", 1
SIGNING_PREFIX = b"xuke-exchange-bundle-v1\n"
CHAIN_SEED = hashlib.sha256(b"xuke-exchange-chain-v1").digest()
EXPORT_PAGE = 5000
IMPORT_CHUNK = 2000


class BundleRefused(Exception):
    """A bundle that may not be imported; its message says why, in Chinese."""


def canonical(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def chain_step(head: bytes, line: bytes) -> bytes:
    return hashlib.sha256(head + line).digest()


# --- export ---------------------------------------------------------------------------


def _exchange_rows(store: ViewStore, after: int, upto: int) -> Iterator[dict[str, Any]]:
    """The published events after ``after`` up to ``upto``, in position order, a page at a time."""
    while after < upto:
        rows = store.fetchall(
            "SELECT position, event_id, type, occurred_at, jurisdiction_code, case_no, "
            "certificate_no, payload FROM exchange_events WHERE position > %s "
            "AND position <= %s ORDER BY position LIMIT %s",
            (after, upto, EXPORT_PAGE),
        )
        if not rows:
            return
        yield from rows
        after = int(rows[-1]["position"])


def feed_object(row: dict[str, Any]) -> dict[str, Any]:
    """An ``exchange_events`` row as the feed publishes it."""
    return {
        "position": int(row["position"]), "id": row["event_id"], "type": row["type"],
        "occurredAt": row["occurred_at"], "jurisdictionCode": row["jurisdiction_code"],
        "caseNo": row["case_no"], "certificateNo": row["certificate_no"],
        "payload": orjson.loads(row["payload"]),
    }  # fmt: skip


def export_bundle(
    store: ViewStore, key: Ed25519PrivateKey, after: int, out: Path, upto: int | None = None
) -> dict[str, Any]:
    """Write the published events after ``after`` (up to ``upto``, default all) to ``out`` as a
    signed bundle; returns its manifest."""
    if upto is None:
        row = store.fetchone("SELECT MAX(position) AS last FROM exchange_events")
        upto = int(row["last"]) if row and row["last"] is not None else after
    return write_bundle(key, after, map(feed_object, _exchange_rows(store, after, upto)), out)


def write_bundle(
    key: Ed25519PrivateKey, after: int, events: Iterable[dict[str, Any]], out: Path
) -> dict[str, Any]:
    """A signed bundle of ``events`` (feed objects, written as given) at ``out``. The file
    appears whole or not at all: it is written beside ``out``, then renamed."""
    head, counts, first, last = CHAIN_SEED, collections.Counter[str](), None, after
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=out.parent) as body:
        for event in events:
            line = canonical(event)
            head = chain_step(head, line)
            body.write(line + b"\n")
            counts[event["type"]] += 1
            first = event["position"] if first is None else first
            last = event["position"]
        manifest = {
            "sourceKey": public_key_text(key.public_key()),
            "afterPosition": after,
            "firstPosition": first,
            "lastPosition": last,
            "count": sum(counts.values()),
            "countsByType": dict(sorted(counts.items())),
            "chainHead": head.hex(),
            "createdAt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        signature = key.sign(SIGNING_PREFIX + canonical(manifest))
        header = {"format": FORMAT, "version": VERSION, "manifest": manifest,
                  "signature": base64.b64encode(signature).decode()}  # fmt: skip
        partial = out.with_name(out.name + ".partial")
        with partial.open("wb") as f:
            f.write(canonical(header) + b"\n")
            body.seek(0)
            shutil.copyfileobj(body, f, 1 << 20)
            f.flush()
            os.fsync(f.fileno())
        partial.replace(out)
    return manifest


# --- verification ---------------------------------------------------------------------


def read_header(f: IO[bytes], trusted: dict[str, Ed25519PublicKey]) -> dict[str, Any]:
    """The bundle's manifest, once its signature is checked against a trusted key."""
    try:
        header = orjson.loads(f.readline())
        manifest, signature = header["manifest"], base64.b64decode(header["signature"])
        assert header["format"] == FORMAT and isinstance(manifest, dict)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AssertionError):
        raise BundleRefused("不是交换数据包：文件首行不是有效的数据包头") from None
    if header.get("version") != VERSION:
        raise BundleRefused(f"不支持的数据包版本：{header.get('version')!r}")
    source = manifest.get("sourceKey")
    if source not in trusted:
        raise BundleRefused(
            f"数据包来自不受信任的实例（公钥 {str(source)[:60]}），"
            "请核对后将其公钥加入 XUKE_EXCHANGE_TRUSTED_KEYS"
        )
    try:
        trusted[source].verify(signature, SIGNING_PREFIX + canonical(manifest))
    except InvalidSignature:
        raise BundleRefused("数据包签名无效：数据包头已被篡改，或不是由该公钥的实例签发") from None
    for name in ("afterPosition", "count", "lastPosition"):
        if not isinstance(manifest.get(name), int):
            raise BundleRefused(f"数据包头缺少 {name}")
    return manifest


def bundle_events(f: IO[bytes], manifest: dict[str, Any]) -> Iterator[InboundEvent]:
    """The bundle's events, each checked as it is read: its line in the hash chain, its
    position the next one. Raises ``BundleRefused`` at the first fault, or at the end when the
    chain head or the count differs from the manifest's (a truncated or altered bundle)."""
    head, expected, count = CHAIN_SEED, int(manifest["afterPosition"]) + 1, 0
    for number, raw in enumerate(f, start=2):
        if not raw.endswith(b"\n"):
            raise BundleRefused(f"数据包不完整：第 {number} 行被截断")
        line = raw[:-1]
        head = chain_step(head, line)
        if b"\\u0000" in line:
            raise BundleRefused(f"数据包第 {number} 行含有不允许的字符 U+0000")
        try:
            event = InboundEvent.from_feed(orjson.loads(line))
        except (orjson.JSONDecodeError, ValueError) as e:
            raise BundleRefused(f"数据包第 {number} 行不是有效的事件：{e}") from None
        if event.position < expected:
            raise BundleRefused(
                f"数据包中的事件顺序错乱：第 {number} 行的位置为 {event.position}，应为 {expected}"
            )
        if event.position > expected:
            raise BundleRefused(
                f"数据包中的事件不连续或顺序错乱：第 {number} 行的位置为 {event.position}，"
                f"应为 {expected}"
            )
        expected, count = expected + 1, count + 1
        yield event
    if count != manifest["count"] or (count and expected - 1 != manifest["lastPosition"]):
        raise BundleRefused(
            f"数据包不完整：清单记载 {manifest['count']} 个事件（至位置 "
            f"{manifest['lastPosition']}），实际只有 {count} 个"
        )
    if head.hex() != manifest.get("chainHead"):
        raise BundleRefused("数据包内容已被篡改：事件的哈希链与签名的清单不符")


def verify_bundle(path: Path, trusted: dict[str, Ed25519PublicKey]) -> dict[str, Any]:
    """Check a bundle completely without applying it; returns its manifest."""
    with _open(path) as f:
        manifest = read_header(f, trusted)
        for _ in bundle_events(f, manifest):
            pass
    return manifest


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as e:
        raise BundleRefused(f"无法读取数据包 {path}：{e.strerror}") from None


# --- import ---------------------------------------------------------------------------


def _chunks(events: Iterator[InboundEvent]) -> Iterator[list[InboundEvent]]:
    chunk: list[InboundEvent] = []
    for event in events:
        chunk.append(event)
        if len(chunk) >= IMPORT_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_bundle(
    store: ViewStore, path: Path, trusted: dict[str, Ed25519PublicKey]
) -> tuple[dict[str, Any], int]:
    """Verify and apply a bundle in one transaction of the inbound store, under its
    exporter's key as the source; returns the manifest and how many events were new (0: it
    was imported before). A bundle that does not continue what came before from the same
    exporter (a gap) is refused; one that overlaps it must agree with it."""
    with _open(path) as f:
        manifest = read_header(f, trusted)
        try:
            applied = record_stream(
                store, manifest["sourceKey"], FERRY,
                _chunks(bundle_events(f, manifest)), contiguous=True,
            )  # fmt: skip
        except InboundRefused as e:
            raise BundleRefused(f"数据包不能导入：{e}") from None
    return manifest, applied

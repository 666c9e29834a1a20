"""The blob store: files (uploaded materials, issued documents) kept content-addressed by
their SHA-256, so the same bytes are stored once and a hash names exactly one content. The
events record hashes only; the bytes never enter the event store.

Two stores, chosen by the composition root (``bootstrap.blob_store``), one index for both
(the ``blobs`` and ``blob_uploads`` tables, ``migrations/0019_blobs.sql``):

- ``FileBlobStore`` on the embedded default (SQLite): the bytes under
  ``XUKE_DATA_DIR/blobs/ab/cd/<sha256>``, written to a temporary file and renamed into place
  (a reader never sees half a file); the index in the same SQLite database as the events.
- ``PostgresBlobStore`` on PostgreSQL: the bytes in the ``blobs`` table (``BYTEA``), in the
  events' database: the same backups, the same transactions, nothing else to operate.

The scale-out path is an S3-compatible object store (MinIO, Ceph RGW, OSS, COS …), for when
the files outgrow the database or several hosts must serve them. It fits this protocol as
it stands: the object key is ``blobs/ab/cd/<sha256>`` (content-addressed, so a put is
idempotent and an object is never overwritten with other bytes: ``If-None-Match: *``); the
index stays in the ``blobs`` table with ``data`` NULL, written after the object; ``delete``
removes the index row first and the object after it (a crash leaves an orphan object, never
a row without its bytes); downloads may then be presigned, expiring GET URLs instead of
passing through the API. Only ``bootstrap.blob_store`` would change.

Who uploaded what is kept (``blob_uploads``): only an uploader may refer to a file
(``claim``), so another applicant cannot attach your file by its hash. A file a case refers
to is marked (``referenced_at``); uploads no case referred to within a day are swept
(``sweep_unreferenced``, run by the deadline watcher). Files the system makes itself
(``put`` without ``uploaded_by``: a generated document) are referenced from the start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .clock import Clock
from .materials import detect_content_type

UNREFERENCED_UPLOAD_TTL = dt.timedelta(days=1)  # uploads no case refers to are swept after this
SWEEP_BATCH = 1000  # blobs looked at per sweep (the watcher runs often)
_SHA256 = re.compile(r"[0-9a-f]{64}")


def is_sha256(value: str) -> bool:
    """A SHA-256 as this store names blobs: 64 lowercase hex digits."""
    return _SHA256.fullmatch(value) is not None


@dataclass(frozen=True)
class BlobInfo:
    sha256: str
    size: int
    content_type: str


class BlobNotFound(LookupError):
    """No blob with that hash (never stored, or swept)."""


class BlobStore(Protocol):
    def put(
        self, data: bytes, *, content_type: str | None = None, uploaded_by: str | None = None
    ) -> BlobInfo:
        """Store ``data`` (once, whoever stores it again) and answer its hash. ``content_type``
        defaults to what the bytes are (``materials.detect_content_type``);
        ``uploaded_by``: the user who uploaded it, or None for a file the system made, which
        is referenced from the start and never swept."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes, or ``BlobNotFound``."""
        ...

    def info(self, sha256: str) -> BlobInfo | None: ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str, *, unreferenced_before: dt.datetime | None = None) -> bool:
        """Remove the blob; with ``unreferenced_before``, only if no case refers to it and
        its latest upload is older than that (the sweeper's guard against a reference
        made meanwhile). True if it was removed."""
        ...

    def unreferenced_older_than(self, cutoff: dt.datetime) -> list[str]:
        """Hashes of uploads no case refers to, last uploaded before ``cutoff``."""
        ...

    def claim(self, sha256s: Iterable[str], uploaded_by: str) -> dict[str, BlobInfo]:
        """The blobs of ``sha256s`` that ``uploaded_by`` uploaded, marked as referenced (so
        the sweeper leaves them); the others are left out of the answer and unmarked."""
        ...

    def close(self) -> None: ...


def sweep_unreferenced(
    store: BlobStore, now: dt.datetime, max_age: dt.timedelta = UNREFERENCED_UPLOAD_TTL
) -> list[str]:
    """Delete the uploads no case referred to within ``max_age``; answers their hashes."""
    cutoff = now - max_age
    return [
        sha256
        for sha256 in store.unreferenced_older_than(cutoff)
        if store.delete(sha256, unreferenced_before=cutoff)
    ]


def _stamp(moment: dt.datetime) -> str:
    """UTC ISO text with microseconds: text order is time order on both engines."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _info(data: bytes, content_type: str | None) -> BlobInfo:
    return BlobInfo(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type=content_type or detect_content_type(data) or "application/octet-stream",
    )


# ---------------------------------------------------------------------------- in memory


class MemoryBlobStore:
    """For an application built without a database of files (tests, tools)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._blobs: dict[str, tuple[BlobInfo, bytes]] = {}
        self._uploaded_at: dict[str, dt.datetime] = {}
        self._uploaders: dict[str, set[str]] = {}
        self._referenced: set[str] = set()

    def put(
        self, data: bytes, *, content_type: str | None = None, uploaded_by: str | None = None
    ) -> BlobInfo:
        info, now = _info(data, content_type), self.clock.now()
        with self._lock:
            info = self._blobs.setdefault(info.sha256, (info, data))[0]
            self._uploaded_at[info.sha256] = max(now, self._uploaded_at.get(info.sha256, now))
            if uploaded_by is None:
                self._referenced.add(info.sha256)
            else:
                self._uploaders.setdefault(info.sha256, set()).add(uploaded_by)
        return info

    def get(self, sha256: str) -> bytes:
        with self._lock:
            if sha256 not in self._blobs:
                raise BlobNotFound(sha256)
            return self._blobs[sha256][1]

    def info(self, sha256: str) -> BlobInfo | None:
        with self._lock:
            found = self._blobs.get(sha256)
        return found[0] if found else None

    def exists(self, sha256: str) -> bool:
        return self.info(sha256) is not None

    def delete(self, sha256: str, *, unreferenced_before: dt.datetime | None = None) -> bool:
        with self._lock:
            if sha256 not in self._blobs:
                return False
            if unreferenced_before is not None and (
                sha256 in self._referenced or self._uploaded_at[sha256] >= unreferenced_before
            ):
                return False
            del self._blobs[sha256], self._uploaded_at[sha256]
            self._uploaders.pop(sha256, None)
            self._referenced.discard(sha256)
            return True

    def unreferenced_older_than(self, cutoff: dt.datetime) -> list[str]:
        with self._lock:
            return sorted(
                sha256
                for sha256, at in self._uploaded_at.items()
                if sha256 not in self._referenced and at < cutoff
            )[:SWEEP_BATCH]

    def claim(self, sha256s: Iterable[str], uploaded_by: str) -> dict[str, BlobInfo]:
        with self._lock:
            mine = {
                sha256: self._blobs[sha256][0]
                for sha256 in set(sha256s)
                if uploaded_by in self._uploaders.get(sha256, ())
            }
            self._referenced |= set(mine)
        return mine

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------- indexed in SQL


class SqlTransaction(Protocol):
    """What the index needs of a transaction: ``projections.store.Transaction`` (one SQL
    dialect, ``%s`` placeholders, on SQLite and PostgreSQL)."""

    @property
    def for_update(self) -> str: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...


class SqlDatabase(Protocol):
    def transaction(self, write: bool = True) -> AbstractContextManager[SqlTransaction]: ...

    def close(self) -> None: ...


class _IndexedBlobStore:
    """The index in SQL (``blobs``, ``blob_uploads``); where the bytes go is the subclass's.
    The database is opened on first use: most processes never touch a file."""

    def __init__(self, database: Callable[[], SqlDatabase], clock: Clock) -> None:
        self._open, self.clock = database, clock
        self._database: SqlDatabase | None = None
        self._opening = threading.Lock()

    @property
    def database(self) -> SqlDatabase:
        if self._database is None:
            with self._opening:
                if self._database is None:
                    self._database = self._open()
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None

    # the bytes: overridden ------------------------------------------------------------

    def _data_column(self, data: bytes) -> bytes | None:
        """What goes into ``blobs.data``."""
        raise NotImplementedError

    def _write(self, sha256: str, data: bytes) -> bool:
        """Keep the bytes outside the table (inside the index's transaction); True if this
        call created them."""
        return False

    def _unwrite(self, sha256: str) -> None:
        """Remove the bytes kept outside the table."""

    def _read(self, tx: SqlTransaction, sha256: str) -> bytes | None:
        raise NotImplementedError

    # the protocol ------------------------------------------------------------------------

    def put(
        self, data: bytes, *, content_type: str | None = None, uploaded_by: str | None = None
    ) -> BlobInfo:
        info, now = _info(data, content_type), _stamp(self.clock.now())
        created = False
        try:
            with self.database.transaction() as tx:
                row = tx.fetchone(
                    f"SELECT size, content_type FROM blobs WHERE sha256 = %s{tx.for_update}",
                    [info.sha256],
                )
                created = self._write(info.sha256, data)
                if row is None:
                    tx.execute(
                        "INSERT INTO blobs (sha256, size, content_type, data, uploaded_at,"
                        " uploaded_by, referenced_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                        " ON CONFLICT (sha256) DO NOTHING",
                        [info.sha256, info.size, info.content_type, self._data_column(data),
                         now, uploaded_by, None if uploaded_by else now],
                    )  # fmt: skip
                else:
                    info = BlobInfo(info.sha256, int(row["size"]), str(row["content_type"]))
                # A repeated upload restarts the day it has to be referenced in.
                tx.execute(
                    "UPDATE blobs SET uploaded_at = %s WHERE sha256 = %s AND uploaded_at < %s",
                    [now, info.sha256, now],
                )
                if uploaded_by is None:
                    tx.execute(
                        "UPDATE blobs SET referenced_at = %s"
                        " WHERE sha256 = %s AND referenced_at IS NULL",
                        [now, info.sha256],
                    )
                else:
                    tx.execute(
                        "INSERT INTO blob_uploads (sha256, uploaded_by, uploaded_at)"
                        " VALUES (%s, %s, %s) ON CONFLICT (sha256, uploaded_by) DO NOTHING",
                        [info.sha256, uploaded_by, now],
                    )
        except BaseException:
            if created:  # nothing stored on failure
                self._unwrite(info.sha256)
            raise
        return info

    def get(self, sha256: str) -> bytes:
        if not is_sha256(sha256):
            raise BlobNotFound(sha256)
        with self.database.transaction(write=False) as tx:
            data = self._read(tx, sha256)
        if data is None:
            raise BlobNotFound(sha256)
        return data

    def info(self, sha256: str) -> BlobInfo | None:
        if not is_sha256(sha256):
            return None
        with self.database.transaction(write=False) as tx:
            row = tx.fetchone("SELECT size, content_type FROM blobs WHERE sha256 = %s", [sha256])
        return BlobInfo(sha256, int(row["size"]), str(row["content_type"])) if row else None

    def exists(self, sha256: str) -> bool:
        return self.info(sha256) is not None

    def delete(self, sha256: str, *, unreferenced_before: dt.datetime | None = None) -> bool:
        if not is_sha256(sha256):
            return False
        with self.database.transaction() as tx:
            if unreferenced_before is None:
                deleted = tx.execute("DELETE FROM blobs WHERE sha256 = %s", [sha256])
            else:
                deleted = tx.execute(
                    "DELETE FROM blobs WHERE sha256 = %s AND referenced_at IS NULL"
                    " AND uploaded_at < %s",
                    [sha256, _stamp(unreferenced_before)],
                )
            if deleted:
                tx.execute("DELETE FROM blob_uploads WHERE sha256 = %s", [sha256])
                self._unwrite(sha256)  # under the index's lock: no put of it runs meanwhile
        return bool(deleted)

    def unreferenced_older_than(self, cutoff: dt.datetime) -> list[str]:
        with self.database.transaction(write=False) as tx:
            rows = tx.fetchall(
                "SELECT sha256 FROM blobs WHERE referenced_at IS NULL AND uploaded_at < %s"
                f" ORDER BY uploaded_at LIMIT {SWEEP_BATCH}",
                [_stamp(cutoff)],
            )
        return [str(r["sha256"]) for r in rows]

    def claim(self, sha256s: Iterable[str], uploaded_by: str) -> dict[str, BlobInfo]:
        wanted = sorted({s for s in sha256s if is_sha256(s)})
        if not wanted:
            return {}
        marks = ", ".join(["%s"] * len(wanted))
        with self.database.transaction() as tx:
            # Locked: a sweep deciding on these rows waits, then sees them referenced.
            rows = tx.fetchall(
                "SELECT b.sha256, b.size, b.content_type FROM blobs b"
                " JOIN blob_uploads u ON u.sha256 = b.sha256"
                f" WHERE u.uploaded_by = %s AND b.sha256 IN ({marks}){tx.for_update}",
                [uploaded_by, *wanted],
            )
            mine = {
                str(r["sha256"]): BlobInfo(str(r["sha256"]), int(r["size"]), str(r["content_type"]))
                for r in rows
            }
            if mine:
                tx.execute(
                    "UPDATE blobs SET referenced_at = %s WHERE referenced_at IS NULL"
                    f" AND sha256 IN ({', '.join(['%s'] * len(mine))})",
                    [_stamp(self.clock.now()), *sorted(mine)],
                )
        return mine


class PostgresBlobStore(_IndexedBlobStore):
    """The bytes in the ``blobs`` table, beside the events (same backups, same database)."""

    def _data_column(self, data: bytes) -> bytes | None:
        return data

    def _read(self, tx: SqlTransaction, sha256: str) -> bytes | None:
        row = tx.fetchone("SELECT data FROM blobs WHERE sha256 = %s", [sha256])
        return bytes(row["data"]) if row and row["data"] is not None else None


class FileBlobStore(_IndexedBlobStore):
    """The bytes under ``root/ab/cd/<sha256>`` (``root``: ``XUKE_DATA_DIR/blobs``); the index
    in the SQLite database, whose write lock serializes a put and a delete of one file."""

    def __init__(self, root: Path, database: Callable[[], SqlDatabase], clock: Clock) -> None:
        super().__init__(database, clock)
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _data_column(self, data: bytes) -> bytes | None:
        return None

    def _write(self, sha256: str, data: bytes) -> bool:
        target = self.path(sha256)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return True

    def _unwrite(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def _read(self, tx: SqlTransaction, sha256: str) -> bytes | None:
        if tx.fetchone("SELECT 1 AS found FROM blobs WHERE sha256 = %s", [sha256]) is None:
            return None
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

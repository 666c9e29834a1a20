"""This instance's Ed25519 key pair: it signs the ferry bundles the instance exports, and
``xuke exchange key`` prints its public half (``ed25519:<base64>``) for the receiving side's
``XUKE_EXCHANGE_TRUSTED_KEYS``.

Created on first use. On SQLite it is a PKCS#8 PEM file, ``exchange-ed25519.pem`` under
XUKE_DATA_DIR, created with mode 0600 (only the service's user reads it). On PostgreSQL,
whose processes may run on several machines without a shared directory, it is the one row of
``exchange_instance_key`` (migration 0024), readable by whoever reads the database. Two
processes creating it at once agree on one key: the file is created exclusively, the row is
inserted with ON CONFLICT DO NOTHING, and the loser reads the winner's key.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "exchange-ed25519.pem"
PREFIX = "ed25519:"


class KeyTable(Protocol):
    """What the PostgreSQL key store needs of the read-model database (a ``ViewStore``)."""

    def fetchone(self, sql: str, params: Any = ()) -> dict[str, Any] | None: ...
    def transaction(self, write: bool = True) -> Any: ...


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PREFIX + base64.b64encode(raw).decode()


def parse_public_key(text: str) -> Ed25519PublicKey:
    """``ed25519:<base64 of the 32 raw bytes>``; ``ValueError`` otherwise."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise ValueError(f"公钥应写作 ed25519:<base64>：{text[:40]!r}")
    try:
        raw = base64.b64decode(text.removeprefix(PREFIX), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ValueError(f"公钥无效：{text[:60]!r}") from None


def parse_trusted_keys(setting: str) -> dict[str, Ed25519PublicKey]:
    """XUKE_EXCHANGE_TRUSTED_KEYS: comma-separated public keys, by their text."""
    keys = {}
    for part in setting.split(","):
        if part.strip():
            keys[part.strip()] = parse_public_key(part)
    return keys


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the stored exchange key is not an Ed25519 key")
    return key


def key_from_file(data_dir: Path) -> Ed25519PrivateKey:
    """The key in ``data_dir/exchange-ed25519.pem``, created (0600) if there is none."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process made it first
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(_pem(Ed25519PrivateKey.generate()))
                f.flush()
                os.fsync(f.fileno())
    return _load(path.read_bytes())


def key_from_table(store: KeyTable) -> Ed25519PrivateKey:
    """The key in ``exchange_instance_key``, created if there is none."""
    row = store.fetchone("SELECT private_key FROM exchange_instance_key WHERE id = 1")
    if row is None:
        key = Ed25519PrivateKey.generate()
        with store.transaction() as tx:
            tx.execute(
                "INSERT INTO exchange_instance_key (id, private_key, public_key, created_at) "
                "VALUES (1, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                (_pem(key).decode(), public_key_text(key.public_key()),
                 dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )  # fmt: skip
        row = store.fetchone("SELECT private_key FROM exchange_instance_key WHERE id = 1")
    assert row is not None
    return _load(str(row["private_key"]).encode())


def instance_key(is_sqlite: bool, data_dir: Path, store: KeyTable) -> Ed25519PrivateKey:
    """This instance's key, where its engine keeps it."""
    return key_from_file(data_dir) if is_sqlite else key_from_table(store)

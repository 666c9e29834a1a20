"""Idempotency keys that survive restarts, stored with the command's own events.

The record is an aggregate whose id derives from (user, key). It is saved in the *same*
transaction as the case events, so either both exist or neither: a retry finds the record
and gets the first result back; a concurrent duplicate loses the insert race on the record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson

from xuke.domain.model import Actor, Aggregate


def fingerprint(command: str, inputs: dict[str, Any]) -> str:
    body = orjson.dumps(
        {"command": command, "inputs": inputs}, option=orjson.OPT_SORT_KEYS, default=str
    )
    return hashlib.sha256(body).hexdigest()


class IdempotencyRecord(Aggregate):
    user_id: str
    key: str
    command: str
    fingerprint: str
    case_id: UUID
    case_version: int

    def __init__(self) -> None:
        """State is set by ``Recorded.apply``."""

    @staticmethod
    def id_for(user_id: str, key: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"xuke:idempotency:{user_id}\x00{key}")

    class Recorded(Aggregate.Created):
        user_id: str
        key: str
        command: str
        fingerprint: str
        case_id: UUID
        case_version: int

        def apply(self, record: Any) -> None:
            for name in ("user_id", "key", "command", "fingerprint", "case_id", "case_version"):
                setattr(record, name, getattr(self, name))

    @classmethod
    def record(
        cls,
        actor: Actor,
        key: str,
        command: str,
        print_: str,
        case_id: UUID,
        case_version: int,
        at: dt.datetime,
    ) -> IdempotencyRecord:
        return cls._create(
            cls.Recorded,
            id=cls.id_for(actor.id, key),
            actor=actor,
            timestamp=at,
            idempotency_key=key,
            user_id=actor.id,
            key=key,
            command=command,
            fingerprint=print_,
            case_id=case_id,
            case_version=case_version,
        )

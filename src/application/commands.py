"""The command machinery every application service shares: authorization with its record of
denied attempts, idempotency keys, optimistic concurrency and one atomic save.

A command is an ``act``: given the moment, it loads what it changes, checks, and returns the
aggregates to save. ``CommandRunner.execute`` wraps it: a retried key replays the first
result, a version clash is a ``Conflict`` (or, for numbering, a silent retry), and nothing
partial is ever stored.
"""

from __future__ import annotations

import datetime as dt
import hmac
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Recording
from typing_extensions import TypeVar

from xuke.domain.case import LicenseCase
from xuke.domain.errors import Conflict, IdempotencyKeyReused, NotFound
from xuke.domain.model import Aggregate

from . import authorization as authz
from .clock import Clock
from .idempotency import IdempotencyRecord, fingerprint
from .principal import Principal

R = TypeVar("R")
# A case command's result unless said otherwise (``CommandResult[Licence]``).
T = TypeVar("T", bound=Aggregate, default=LicenseCase)


@dataclass(frozen=True)
class CommandResult(Generic[T]):
    case: T  # the aggregate the command was about: a LicenseCase, or a Licence
    notification_id: int | None  # the last position written; None for a replay
    query_code: str | None = None  # fileApplication only: shown once to the applicant
    replayed: bool = False


Act = Callable[[dt.datetime], tuple[T, Sequence[Aggregate]]]


class Store(Protocol):
    """What the machinery needs of the event-sourced application."""

    clock: Clock

    @property
    def repository(self) -> Any: ...

    def save(self, *objs: Any) -> list[Recording[UUID]]: ...


class Guard:
    """Authorization with a memory: every refusal is reported (for supervision) before it
    is raised, whichever service refused."""

    def __init__(self, on_forbidden: Callable[[authz.Forbidden], None]) -> None:
        self.on_forbidden = on_forbidden

    def deny(self, error: authz.Forbidden) -> None:
        self.on_forbidden(error)
        raise error

    def authorize(self, check: Callable[[], R]) -> R:
        """Run ``check``; a refusal is reported, then raised."""
        try:
            return check()
        except authz.Forbidden as e:
            self.deny(e)
            raise


class CommandRunner:
    def __init__(self, store: Store) -> None:
        self.store = store

    def execute(
        self,
        principal: Principal,
        command: str,
        inputs: dict[str, Any],
        key: str | None,
        act: Act[T],
        retries: int = 0,
        retry_if: Callable[[], bool] | None = None,
    ) -> CommandResult[T]:
        """Idempotency first, then the change, then one atomic save with the key's record."""
        print_ = fingerprint(command, inputs)
        for attempt in range(retries + 1):
            if key and (replay := self.replay(principal, key, print_)):
                return replay
            at = self.store.clock.now()
            case, others = act(at)
            record = None
            if key:
                actor = principal.acting_as(None)
                record = IdempotencyRecord.record(
                    actor, key, command, print_, case.id, case.version, at
                )
            try:
                recordings = self.store.save(case, *others, record)
            except IntegrityError:
                if key and (replay := self.replay(principal, key, print_)):
                    return replay
                if attempt < retries and (
                    retry_if is None or retry_if()
                ):  # jitter: let the winner finish
                    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                    continue
                raise Conflict("案件已被他人同时修改，请刷新后重试") from None
            return CommandResult(case=case, notification_id=recordings[-1].notification.id)
        raise AssertionError("unreachable")  # pragma: no cover

    def replay(self, principal: Principal, key: str, print_: str) -> CommandResult[Any] | None:
        """The first result of a retried key; the same key for another request is refused."""
        try:
            record: IdempotencyRecord = self.store.repository.get(
                IdempotencyRecord.id_for(principal.user_id, key)
            )
        except AggregateNotFoundError:
            return None
        if not hmac.compare_digest(record.fingerprint, print_):
            raise IdempotencyKeyReused(f"幂等键 {key!r} 已用于另一个请求 ({record.command})")
        subject = self.store.repository.get(record.case_id, version=record.case_version)
        return CommandResult(case=subject, notification_id=None, replayed=True)

    def load(self, aggregate_id: UUID, what: str) -> Any:
        try:
            return self.store.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{what} {aggregate_id} 不存在") from None

    def save(self, aggregate: Aggregate) -> None:
        """One aggregate changed outside a case command: a clash is a ``Conflict``."""
        try:
            self.store.save(aggregate)
        except IntegrityError:
            raise Conflict("已被他人同时修改，请刷新后重试") from None

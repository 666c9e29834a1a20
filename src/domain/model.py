"""Base classes: aggregates whose events are frozen pydantic models.

eventsourcing 9.5.6 ships dataclass events only; pydantic events give us validation of
every stored fact (``extra="forbid"``) and an explicit JSON shape. ``class_version`` plus
``upcast_vN_vN+1`` static methods let an event's shape change without rewriting history:
the mapper (``application.persistence``) runs the upcasters when an old record is read.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import typing
from typing import Any, ClassVar, Self
from uuid import UUID, uuid4

from eventsourcing.domain import (
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    CanSnapshotAggregate,
)
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel, ConfigDict, create_model

from xuke.domain.errors import ValidationFailed
from xuke.domain.roles import Role

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in Asia/Shanghai, where every legal period is counted."""
    return moment.astimezone(SHANGHAI).date()


# Text no store can keep: U+0000 (PostgreSQL text refuses it) and lone surrogates
# (U+D800-U+DFFF: not Unicode scalar values, so no UTF-8 encoding exists for them).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def refuse_unstorable(values: Any) -> None:
    """No fact may carry text a store cannot keep: the event could be stored (or not) but
    never shown in a view. Refused, like any invalid input, before the event exists —
    whichever way the text came in (GraphQL, the command line, an import)."""
    if holds_unstorable(values):
        raise ValidationFailed("文字中含有不允许的字符（U+0000 或孤立的代理码位）")


def holds_unstorable(value: Any) -> bool:
    """Does U+0000 or a lone surrogate stand anywhere in ``value`` (a string, a key, a list,
    a model)?"""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(holds_unstorable(k) or holds_unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(holds_unstorable(v) for v in value)
    if isinstance(value, BaseModel):
        return any(holds_unstorable(v) for v in value.__dict__.values())
    return False


class Immutable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Actor(Immutable):
    """Who acted, in which role, for which organisation (the audit trail's "on whose authority")."""

    id: str
    role: Role | None = None  # None for the system itself (e.g. deemed acceptance)
    org_code: str = ""

    @classmethod
    def system(cls) -> Actor:
        return cls(id="system", role=None, org_code="")


class DomainEvent(Immutable):
    """A stored fact. ``timestamp`` is when it occurred, on the application's clock."""

    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: dt.datetime
    actor: Actor
    idempotency_key: str | None = None

    @property
    def occurred_at(self) -> dt.datetime:
        return self.timestamp


_STATE_MODELS: dict[type[Any], type[BaseModel]] = {}


class Aggregate(BaseAggregate[UUID]):
    """Aggregate whose events are :class:`DomainEvent` models.

    Its state is the attributes annotated on the concrete class; snapshots dump and validate
    exactly those, through a model derived from the annotations (one declaration, no copy).
    """

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return uuid4()

    @classmethod
    def _create(cls, event_class: type[Any], **kwargs: Any) -> Self:
        refuse_unstorable(kwargs)
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        refuse_unstorable(kwargs)
        super().trigger_event(event_class, **kwargs)

    class Event(DomainEvent, CanMutateAggregate[UUID]):
        def apply(self, aggregate: Any) -> None:
            """Evolve the aggregate; overridden by each event. Never raises."""

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str

    @classmethod
    def state_model(cls) -> type[BaseModel]:
        model = _STATE_MODELS.get(cls)
        if model is None:
            hints = typing.get_type_hints(cls)
            own = _state_annotations(cls)
            # A default on the class lets snapshots taken before a field existed restore.
            fields: dict[str, Any] = {
                name: (hints[name], default)
                for name, default in own.items()
                if typing.get_origin(hints[name]) is not ClassVar
            }
            fields["created_on"] = (dt.datetime, ...)
            fields["modified_on"] = (dt.datetime, ...)
            model = create_model(f"{cls.__name__}State", __base__=Immutable, **fields)
            _STATE_MODELS[cls] = model
        return model

    def snapshot_state(self) -> dict[str, Any]:
        model = self.state_model()
        values = {name: getattr(self, name) for name in model.model_fields}
        return model(**values).model_dump(mode="json")

    @classmethod
    def restore(cls, state: dict[str, Any], id: UUID, version: int) -> Aggregate:
        values = dict(cls.state_model().model_validate(state))
        aggregate = object.__new__(cls)
        aggregate.__base_init__(id, version, values.pop("created_on"))
        aggregate.modified_on = values.pop("modified_on")
        for name, value in values.items():
            setattr(aggregate, name, value)
        return aggregate


def _state_annotations(cls: type[Aggregate]) -> dict[str, Any]:
    """The state fields: annotated on the class itself or on the plain mixins it is built
    from (a large aggregate keeps each phase in a module), with their class defaults."""
    fields: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if issubclass(klass, Aggregate) and klass is not cls:
            continue  # the aggregate bases hold no state of ours
        if klass.__module__.startswith(("builtins", "eventsourcing")):
            continue
        for name in inspect.get_annotations(klass):
            fields[name] = klass.__dict__.get(name, ...)
    return fields


class AggregateSnapshot(Immutable, CanSnapshotAggregate[UUID]):
    """A snapshot: the aggregate's annotated state as JSON, validated on the way back."""

    originator_id: UUID
    originator_version: int
    timestamp: dt.datetime
    topic: str
    state: dict[str, Any]

    @classmethod
    def take(cls, aggregate: Any) -> AggregateSnapshot:
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=dt.datetime.now(dt.UTC),
            topic=get_topic(type(aggregate)),
            state=aggregate.snapshot_state(),
        )

    def mutate(self, _: Any) -> Any:
        aggregate_class: type[Aggregate] = resolve_topic(self.topic)
        return aggregate_class.restore(self.state, self.originator_id, self.originator_version)

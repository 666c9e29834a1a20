"""系统管理维护 through the API: licence items and their versions, organisations, calendar
years — each change an ADMIN's command, recorded as an event (so it is in the audit trail).

The catalogue and the organisation tree live in one aggregate each
(``domain/administration.py``). This process keeps a snapshot of both, built from the
events. A command path (filing, the administration commands) asks ``fresh=True``: one
cheap look for newer events of the aggregate (as ``calendars.py`` does), so a change stored
by another process applies at once. Display paths take the snapshot if it was checked in
the last ``STALE_AFTER`` seconds. A change saved here replaces the snapshot at once.

Before ``xuke migrate`` has seeded an installation, reads fall back to the packaged seed
(``default_catalogue()``, ``default_organisations()``) and the commands refuse to run.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from xuke.domain.administration import (
    CATALOGUE_ID,
    ORGANISATIONS_ID,
    ItemDraft,
    LicenseItemRegistry,
    OrganisationDraft,
    OrganisationRegistry,
)
from xuke.domain.calendar import CALENDAR_ID, HolidayCalendar, YearSchedule
from xuke.domain.catalogue import Catalogue, default_catalogue, packaged_items
from xuke.domain.model import Aggregate
from xuke.domain.organisations import (
    OrganisationTree,
    default_organisations,
    packaged_organisations,
)

from . import authorization as authz
from .commands import CommandResult
from .principal import SYSTEM, Principal

STALE_AFTER = 1.0  # seconds a display read may trust the snapshot without looking
SEED_SOURCE = "xuke 安装包自带的初始数据（src/domain/data）"
RETRIES = 5  # two ADMINs changing the catalogue at once: the second is retried, not refused

V = TypeVar("V")
A = TypeVar("A", bound=Aggregate)


@dataclass
class _Cached(Generic[V]):
    version: int  # the aggregate's version the value was built from (0: not seeded yet)
    value: V
    checked: float  # time.monotonic() of the last look for newer events


class _Snapshot(Generic[A, V]):
    """One registry's value in this process, re-read when the store holds newer events."""

    def __init__(
        self, app: Any, aggregate_id: UUID, build: Callable[[A], V], fallback: Callable[[], V]
    ) -> None:
        self.app, self.aggregate_id, self.build, self.fallback = app, aggregate_id, build, fallback
        self._cached: _Cached[V] | None = None
        self._lock = threading.Lock()

    def get(self, *, fresh: bool) -> V:
        with self._lock:
            cached, now = self._cached, time.monotonic()
            if cached is not None and (not fresh and now - cached.checked < STALE_AFTER):
                return cached.value
            if cached is None or self._newer(cached.version):
                cached = self._read()
            cached.checked = now
            self._cached = cached
            return cached.value

    def put(self, aggregate: A) -> None:
        """This process saved ``aggregate``: its value is the one in force now."""
        with self._lock:
            if self._cached is None or self._cached.version < aggregate.version:
                self._cached = _Cached(aggregate.version, self.build(aggregate), time.monotonic())

    def _newer(self, version: int) -> bool:
        return any(True for _ in self.app.events.get(self.aggregate_id, gt=version, limit=1))

    def _read(self) -> _Cached[V]:
        try:
            aggregate: A = self.app.repository.get(self.aggregate_id)
        except AggregateNotFoundError:
            return _Cached(0, self.fallback(), 0.0)
        return _Cached(aggregate.version, self.build(aggregate), 0.0)


class Administration:
    def __init__(self, app: Any) -> None:
        self.app = app  # the licensing application: events, repository, save, guard, runner
        self._catalogue: _Snapshot[LicenseItemRegistry, Catalogue] = _Snapshot(
            app, CATALOGUE_ID, LicenseItemRegistry.catalogue, default_catalogue
        )
        self._organisations: _Snapshot[OrganisationRegistry, OrganisationTree] = _Snapshot(
            app, ORGANISATIONS_ID, OrganisationRegistry.tree, default_organisations
        )

    # ---------------------------------------------------------------- reads

    def catalogue(self, *, fresh: bool = True) -> Catalogue:
        return self._catalogue.get(fresh=fresh)

    def organisations(self, *, fresh: bool = True) -> OrganisationTree:
        return self._organisations.get(fresh=fresh)

    # ---------------------------------------------------------------- seed (xuke migrate)

    def seed(self) -> list[str]:
        """The packaged catalogue and organisation tree as the first events of a new
        installation; an installation already seeded is left alone. Returns what it seeded."""
        actor, at, seeded = SYSTEM.acting_as(None), self.app.clock.now(), []
        registries: list[tuple[UUID, str, Callable[[], Aggregate]]] = [
            (CATALOGUE_ID, "catalogue",
             lambda: LicenseItemRegistry.seed(packaged_items(), SEED_SOURCE, actor, at)),
            (ORGANISATIONS_ID, "organisations",
             lambda: OrganisationRegistry.seed(packaged_organisations(), SEED_SOURCE, actor, at)),
        ]  # fmt: skip
        for aggregate_id, name, make in registries:
            if any(True for _ in self.app.events.get(aggregate_id, limit=1)):
                continue
            try:
                self.app.save(make())
            except IntegrityError:
                continue  # another process seeded it first
            seeded.append(name)
        return seeded

    # ---------------------------------------------------------------- commands

    # Each answers the registry as saved (or, for a retried key, as it stood then).

    def define_item(
        self, principal: Principal, draft: ItemDraft, key: str | None = None
    ) -> CommandResult[LicenseItemRegistry]:
        role = self._admin(principal, "定义许可事项")

        def act(at: dt.datetime) -> tuple[LicenseItemRegistry, list[Aggregate]]:
            registry: LicenseItemRegistry = self._load(CATALOGUE_ID)
            registry.define(draft, principal.acting_as(role), at)
            return registry, []

        inputs = draft.model_dump(mode="json")
        result: CommandResult[LicenseItemRegistry]
        result = self.app.runner.execute(principal, "defineLicenseItem", inputs, key, act, RETRIES)
        self._catalogue.put(result.case)
        return result

    def retire_item(
        self, principal: Principal, code: str, key: str | None = None
    ) -> CommandResult[LicenseItemRegistry]:
        role = self._admin(principal, "停用许可事项")

        def act(at: dt.datetime) -> tuple[LicenseItemRegistry, list[Aggregate]]:
            registry: LicenseItemRegistry = self._load(CATALOGUE_ID)
            registry.retire(code, principal.acting_as(role), at)
            return registry, []

        result: CommandResult[LicenseItemRegistry]
        result = self.app.runner.execute(
            principal, "retireLicenseItem", {"code": code}, key, act, RETRIES
        )
        self._catalogue.put(result.case)
        return result

    def define_organisation(
        self, principal: Principal, draft: OrganisationDraft, key: str | None = None
    ) -> CommandResult[OrganisationRegistry]:
        role = self._admin(principal, "定义机构")

        def act(at: dt.datetime) -> tuple[OrganisationRegistry, list[Aggregate]]:
            registry: OrganisationRegistry = self._load(ORGANISATIONS_ID)
            registry.define(draft, principal.acting_as(role), at)
            return registry, []

        inputs = draft.model_dump(mode="json")
        result: CommandResult[OrganisationRegistry]
        result = self.app.runner.execute(principal, "defineOrganisation", inputs, key, act, RETRIES)
        self._organisations.put(result.case)
        return result

    def load_calendar_year(
        self, principal: Principal, schedule: YearSchedule, key: str | None = None
    ) -> CommandResult[HolidayCalendar]:
        """``xuke calendar load`` through the API: the same event (``YearScheduleLoaded``),
        so the views recompute every open deadline the same way; with an idempotency key."""
        role = self._admin(principal, "加载节假日安排")

        def act(at: dt.datetime) -> tuple[HolidayCalendar, list[Aggregate]]:
            calendar: HolidayCalendar = self._load(CALENDAR_ID)
            calendar.load_year(schedule, principal.acting_as(role), at)
            return calendar, []

        inputs = {
            "year": schedule.year, "source": schedule.source,
            "holidays": sorted(d.isoformat() for d in schedule.holidays),
            "workdays": sorted(d.isoformat() for d in schedule.workdays),
        }  # fmt: skip
        result: CommandResult[HolidayCalendar]
        result = self.app.runner.execute(principal, "loadCalendarYear", inputs, key, act, RETRIES)
        return result

    # ---------------------------------------------------------------- machinery

    def _admin(self, principal: Principal, action: str) -> Any:
        return self.app.guard.authorize(lambda: authz.require_admin(principal, action))

    def _load(self, aggregate_id: UUID) -> Any:
        try:
            return self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise RuntimeError("管理数据尚未初始化：请先运行 `xuke migrate`") from None

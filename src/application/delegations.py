"""委托代办 as the case commands see it: whose claimed tasks the caller may work today
(``domain/delegation.py``; the commands that grant and end a delegation are in ``tasks.py``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from xuke.domain.case import LicenseCase
from xuke.domain.delegation import Delegations
from xuke.domain.model import local_date
from xuke.domain.roles import STAFF_ROLES

from .principal import Principal


def delegations_of(repository: Any, delegate: str) -> Delegations | None:
    try:
        found: Delegations = repository.get(Delegations.id_for(delegate))
    except AggregateNotFoundError:
        return None
    return found


def delegated(
    repository: Any, principal: Principal, case: LicenseCase, at: dt.datetime
) -> Principal:
    """The caller, with the delegators whose task this is when one of them holds it (委托代办).
    Only looked up when the case's task is claimed by someone else."""
    held_by = case.task.assignee if case.task else None
    if held_by in (None, principal.user_id) or not principal.roles & STAFF_ROLES:
        return principal
    found = delegations_of(repository, principal.user_id)
    if found is None:
        return principal
    delegators = found.delegators_on(local_date(at), principal.org_code)
    return dataclasses.replace(principal, acting_for=frozenset(delegators))

"""Who is calling: the authenticated user with roles, organisation and jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xuke.domain.identifiers import division_covers
from xuke.domain.model import Actor
from xuke.domain.roles import Role


@dataclass(frozen=True)
class Principal:
    """``org_code`` is an authority's division code for staff; for an APPLICANT it is their
    own identity (enterprise credit code or ID number)."""

    user_id: str
    roles: frozenset[Role]
    org_code: str
    jurisdiction_code: str
    name: str = ""
    # Whose claimed tasks this user may work today (委托代办, ``domain/delegation.py``):
    # filled in by the application before a case command, never from the token.
    acting_for: frozenset[str] = frozenset()
    # When the token it came from expires (its ``exp``), if known: what lasts beyond one
    # request (a live subscription) ends then. Not part of who the caller is.
    expires_at: dt.datetime | None = field(default=None, compare=False)

    def has(self, role: Role) -> bool:
        return role in self.roles

    def covers(self, division: str) -> bool:
        return division_covers(self.jurisdiction_code, division)

    def acting_as(self, role: Role | None) -> Actor:
        return Actor(id=self.user_id, role=role, org_code=self.org_code)


SYSTEM = Principal(
    user_id="system", roles=frozenset(), org_code="", jurisdiction_code="000000", name="系统"
)

"""The organisation tree (keyed by GB/T 2260 division codes) and routing (调度):
which authority is competent for an application, and which group works each stage.

The tree lives in the event store (``domain/administration.py``: every organisation an
ADMIN defines is an event); ``data/organisations.json`` is the seed of a new installation
(``xuke migrate``), read by ``default_organisations()``."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from xuke.domain.catalogue import AuthorityLevel
from xuke.domain.errors import ValidationFailed
from xuke.domain.identifiers import require_division_code
from xuke.domain.model import Immutable
from xuke.domain.roles import Role
from xuke.domain.stages import STAGE_ROLE, Stage


class Organisation(Immutable):
    code: str
    name: str
    level: AuthorityLevel
    parent: str | None
    division: str | None = None  # the area it is competent for; the seed's is its code
    active: bool = True  # an inactive authority gets no new filings; its cases stay its own

    @property
    def division_code(self) -> str:
        return self.division or self.code


def _division_at_level(division: str, level: AuthorityLevel) -> str:
    """The division code of the unit at ``level`` that contains ``division``."""
    if level is AuthorityLevel.NATIONAL:
        return "000000"
    if level is AuthorityLevel.PROVINCIAL:
        return division[:2] + "0000"
    if level is AuthorityLevel.MUNICIPAL:
        return division[:4] + "00"
    return division


def division_fits_level(division: str, level: AuthorityLevel) -> bool:
    """A provincial division ends in 0000, a municipal one in 00 (not 0000), a county's
    does not end in 00; the nation is 000000."""
    if level is AuthorityLevel.COUNTY:
        return not division.endswith("00")
    if level is AuthorityLevel.MUNICIPAL and division.endswith("0000"):
        return False
    return _division_at_level(division, level) == division


class OrganisationTree(Immutable):
    organisations: tuple[Organisation, ...]

    def find(self, code: str) -> Organisation | None:
        return next((o for o in self.organisations if o.code == code), None)

    def children(self, code: str) -> tuple[Organisation, ...]:
        return tuple(o for o in self.organisations if o.parent == code)

    def competent_authority(self, level: AuthorityLevel, applicant_division: str) -> Organisation:
        """Route by jurisdiction (辖区) and authority level (权限): the applicant's division
        decides which active unit at the item's competent level handles the case."""
        require_division_code(applicant_division)
        division = _division_at_level(applicant_division, level)
        org = next(
            (
                o
                for o in self.organisations
                if o.division_code == division and o.level is level and o.active
            ),
            None,
        )
        if org is None:
            raise ValidationFailed(
                f"行政区划 {applicant_division} 没有{level.value}级的许可机关", "jurisdictionCode"
            )
        return org


_LEVEL_BELOW = {
    AuthorityLevel.NATIONAL: AuthorityLevel.PROVINCIAL,
    AuthorityLevel.PROVINCIAL: AuthorityLevel.MUNICIPAL,
    AuthorityLevel.MUNICIPAL: AuthorityLevel.COUNTY,
}
LEVEL_ABOVE = {below: above for above, below in _LEVEL_BELOW.items()}


def preliminary_level(level: AuthorityLevel) -> AuthorityLevel:
    """Law 43: the level below the deciding one reviews first."""
    if level not in _LEVEL_BELOW:
        raise ValidationFailed("县级许可事项没有下级初审机关", "itemCode")
    return _LEVEL_BELOW[level]


def candidate_group(authority_code: str, stage: Stage) -> str | None:
    """The group whose members may work a stage at an authority, e.g. ``"440100:HANDLER"``."""
    role: Role | None = STAGE_ROLE.get(stage)
    return f"{authority_code}:{role.value}" if role else None


def packaged_organisations() -> tuple[Organisation, ...]:
    raw = json.loads(files("xuke.domain.data").joinpath("organisations.json").read_text("utf-8"))
    return tuple(Organisation(**o) for o in raw["organisations"])


@cache
def default_organisations() -> OrganisationTree:
    """The packaged seed as a tree (a new installation's, before any ADMIN change)."""
    return OrganisationTree(organisations=packaged_organisations())

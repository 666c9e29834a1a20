"""The licence-item catalogue (许可事项目录): what can be applied for, on what legal basis,
with which time limits, materials and certificate validity.

The catalogue lives in the event store (``domain/administration.py``: every item version an
event, ADMIN-defined). ``data/catalogue.json`` is the seed a new installation starts from
(``xuke migrate``); ``default_catalogue()`` reads it, for the seed and for pure tests.
A ``Catalogue`` is a snapshot: the versions in force, every earlier version (a case keeps the
version it was filed under) and which items are retired (no new filings)."""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from importlib.resources import files

from pydantic import Field

from xuke.domain.errors import InvalidState, ValidationFailed
from xuke.domain.model import Immutable


class AuthorityLevel(StrEnum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    MUNICIPAL = "MUNICIPAL"
    COUNTY = "COUNTY"


# The v2 contract's spelling of the levels (LicenseItemInput.level) beside ours.
LEVEL_ALIASES = {"PROVINCE": AuthorityLevel.PROVINCIAL, "CITY": AuthorityLevel.MUNICIPAL}


def parse_level(text: str, field: str = "level") -> AuthorityLevel:
    """``NATIONAL | PROVINCIAL | MUNICIPAL | COUNTY`` (or the contract's PROVINCE, CITY)."""
    value = text.strip().upper()
    if value in LEVEL_ALIASES:
        return LEVEL_ALIASES[value]
    try:
        return AuthorityLevel(value)
    except ValueError:
        raise ValidationFailed(
            f"机关层级无效: {text!r}（应为 NATIONAL、PROVINCIAL/PROVINCE、MUNICIPAL/CITY 或 COUNTY）",
            field,
        ) from None


class Material(Immutable):
    code: str
    name: str
    required: bool
    copies: int = 1  # 份数
    original: bool = False  # 原件 (else a copy, 复印件)
    note: str | None = None


class ItemRetired(InvalidState):
    """A retired item (retireLicenseItem) takes no new filing nor renewal."""


class LicenseItem(Immutable):
    code: str
    abbreviation: str
    name: str
    legal_basis: str
    level: AuthorityLevel
    legal_time_limit_days: int
    legal_time_limit_source: str
    legal_time_limit_article: str = "《行政许可法》第四十二条"
    # Law 42: 10 working days once, "法律、法规另有规定的，依照其规定": None = no extension.
    extension_days: int | None = 10
    extension_source: str = "《行政许可法》第四十二条"
    # Law 43: a lower authority reviews first (20 working days from its acceptance) and sends
    # the whole file up; the upper level decides under the item's limit.
    preliminary_review: bool = False
    preliminary_review_source: str | None = None
    committed_time_limit_days: int | None = None
    committed_time_limit_source: str | None = None
    certificate_validity_years: int | None = None
    validity_source: str
    # Law 50: renew 30 days before validTo (working days, SAMR 77) unless a law or regulation
    # sets another term: then ``renewal_months_before`` calendar months (GYCP: 6).
    renewal_months_before: int | None = None
    renewal_working_days_before: int = 30
    renewal_source: str = (
        "《行政许可法》第五十条; 《市场监督管理行政许可程序暂行规定》第二十七条、第七十七条"
    )
    unconfirmed: tuple[str, ...] = ()
    materials: tuple[Material, ...]
    # Which version of the item this is (1: the seed, or the item's first definition).
    version: int = 1

    @property
    def required_material_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.materials if m.required)

    @property
    def material_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.materials)


class Catalogue(Immutable):
    """``items``: the versions in force of the items not retired (what may be filed);
    ``versions``: every version of every item, retired ones included; ``retired``: codes."""

    items: tuple[LicenseItem, ...]
    versions: tuple[LicenseItem, ...] = ()
    retired: frozenset[str] = Field(default_factory=frozenset)

    def get(self, code: str, version: int | None = None) -> LicenseItem:
        """The version in force (retired items included), or the given ``version``."""
        found = None
        for item in self.versions or self.items:
            wanted = item.code == code and (version is None or item.version == version)
            if wanted and (found is None or item.version > found.version):
                found = item
        if found is None:
            if version is not None and version > 1:
                raise ValidationFailed(f"许可事项 {code} 没有第 {version} 版", "itemCode")
            raise ValidationFailed(f"未知的许可事项: {code!r}", "itemCode")
        return found

    def knows(self, code: str) -> bool:
        return any(item.code == code for item in self.versions or self.items)

    def for_filing(self, code: str) -> LicenseItem:
        """The version a new filing takes; a retired item takes none."""
        item = self.get(code)
        if code in self.retired:
            raise ItemRetired(f"许可事项 {item.name}（{code}）已停用，不再受理申请", "itemCode")
        return item


def packaged_items() -> tuple[LicenseItem, ...]:
    """The seed: ``data/catalogue.json``, every limit with its cited source (the law's)."""
    raw = json.loads(files("xuke.domain.data").joinpath("catalogue.json").read_text("utf-8"))
    return tuple(LicenseItem(**item) for item in raw["items"])


@cache
def default_catalogue() -> Catalogue:
    """The packaged seed as a catalogue (a new installation's, before any ADMIN change)."""
    items = packaged_items()
    return Catalogue(items=items, versions=items)

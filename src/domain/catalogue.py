"""The licence-item catalogue (许可事项目录): what can be applied for, on what legal basis,
with which time limits, materials and certificate validity. Data lives in ``data/catalogue.json``."""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from importlib.resources import files

from xuke.domain.errors import ValidationFailed
from xuke.domain.model import Immutable


class AuthorityLevel(StrEnum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    MUNICIPAL = "MUNICIPAL"
    COUNTY = "COUNTY"


class Material(Immutable):
    code: str
    name: str
    required: bool


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

    @property
    def required_material_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.materials if m.required)

    @property
    def material_codes(self) -> frozenset[str]:
        return frozenset(m.code for m in self.materials)


class Catalogue(Immutable):
    items: tuple[LicenseItem, ...]

    def get(self, code: str) -> LicenseItem:
        for item in self.items:
            if item.code == code:
                return item
        raise ValidationFailed(f"未知的许可事项: {code!r}", "itemCode")


@cache
def default_catalogue() -> Catalogue:
    raw = json.loads(files("xuke.domain.data").joinpath("catalogue.json").read_text("utf-8"))
    return Catalogue(items=tuple(LicenseItem(**item) for item in raw["items"]))

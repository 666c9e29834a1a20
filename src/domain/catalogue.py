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
    committed_time_limit_days: int | None = None
    committed_time_limit_source: str | None = None
    certificate_validity_years: int | None = None
    validity_source: str
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

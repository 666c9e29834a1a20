"""System administration (系统管理维护) as event-sourced records: the licence-item catalogue
and the organisation tree, each one aggregate per installation, maintained by an ADMIN.

``xuke migrate`` seeds both from the packaged JSON (``data/*.json``) once; every later change
is an event of its own, so it is in the audit trail. The application reads them as
snapshots (``Catalogue``, ``OrganisationTree``) and hands those values to the rest of the
domain, which stays pure.

The rules a new item version must keep (Law = 《行政许可法》):

- structure: a code like ``GYCP-SCXK``; name and legal basis given; a level; limits in
  working days (Law 82) from 1 to 365; a committed limit (承诺时限) no longer than the legal
  one (Art. 42 lets an authority promise less, never more); a validity of 1 to 50 years;
  no preliminary review (Law 43) at county level (there is no level below); at least one
  material, codes unique;
- the law's facts: the legal time limit, its extension and the certificate's validity are
  the law's, not a setting. They must equal the values in force: the seed's (the packaged
  catalogue, each with its cited source), or for a new item Law 42's 20 working days and
  10 days' extension. A version that states other values — shorter *or* longer — is refused
  (``LegalLimitChanged``), unless it cites the law that sets them (``legal_source``): a
  new item under its own law, or a change in the law. The citation is stored on the
  version, so the audit trail shows who relied on which text.
- the citation (``_check_citation``): Art. 42 yields only to "法律、法规" (laws, and State
  Council or local regulations), so it must name one and its article, ``《…》第…条``. A
  title ending in 法 or 条例, a decision of the NPC (Standing Committee), or a citation
  naming a State Council decree (国务院令第…号) counts as one. Anything else — a 规章
  (…办法, …规定, …细则) or a normative document — may only *shorten*: a limit no longer,
  an extension no longer (none where the law in force has none), the validity unchanged.
- the extension: never longer than the limit itself, whatever the citation. Art. 42's own
  is half (10 of 20); an "extension" longer than the time to decide is another limit, and a
  statute that sets one is cited as the limit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from xuke.domain.catalogue import (
    AuthorityLevel,
    Catalogue,
    LicenseItem,
    Material,
)
from xuke.domain.errors import InvalidState, NotFound, ValidationFailed
from xuke.domain.identifiers import division_covers, is_valid_division_code
from xuke.domain.model import Actor, Aggregate, Immutable
from xuke.domain.organisations import (
    LEVEL_ABOVE,
    Organisation,
    OrganisationTree,
    division_fits_level,
)

CATALOGUE_ID = uuid5(NAMESPACE_URL, "xuke:administration:catalogue")
ORGANISATIONS_ID = uuid5(NAMESPACE_URL, "xuke:administration:organisations")

ARTICLE_42 = "《行政许可法》第四十二条"
LAW_42_LIMIT_DAYS = 20  # 二十日内作出行政许可决定
LAW_42_EXTENSION_DAYS = 10  # 经本行政机关负责人批准，可以延长十日
MAX_LIMIT_DAYS = 365
MAX_VALIDITY_YEARS = 50
MAX_NAME = 200
MAX_MATERIALS = 100

NATION = "000000"  # the national administration's code (GB/T 2260 has no such division)
ITEM_CODE = re.compile(r"[A-Z][A-Z0-9]{1,9}-[A-Z0-9]{2,10}")
MATERIAL_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,19}")


class LegalLimitChanged(ValidationFailed):
    """A version states a legal time limit, extension or validity other than the law's,
    without citing the law that sets it (``legal_source``)."""


# 《…》 then, within a short gap (an edition note, 第二章), 第…条: "《特种设备安全法》第十八条".
CITED_ARTICLE = re.compile(
    r"《([^《》]{2,100})》[^《》]{0,40}?第[0-9一二三四五六七八九十百千零〇两]+条"
)
RULE_TITLES = ("办法", "规定", "细则", "规则", "意见", "通知", "决定")
STATE_COUNCIL_DECREE = re.compile(r"国务院令\s*第?\s*[0-9一二三四五六七八九十百千零〇两]+\s*号")


def is_statute(title: str, citation: str = "") -> bool:
    """Is the cited text a 法律 or 法规 (Art. 42's "法律、法规另有规定"), not a 规章?"""
    name = re.sub(r"[（(][^（）()]*[）)]$", "", title.strip()).strip()
    if name.startswith("全国人民代表大会"):
        return True  # a law, or a decision of the NPC (Standing Committee)
    if name.endswith(RULE_TITLES):  # …办法 ends in 法 too: a 规章's title, not a law's
        return bool(STATE_COUNCIL_DECREE.search(citation))  # a State Council regulation
    return name.endswith(("法", "条例"))


class ItemDraft(Immutable):
    """What an ADMIN states for a new version of an item (``LicenseItemInput``)."""

    code: str
    name: str
    legal_basis: str
    level: AuthorityLevel
    legal_time_limit_days: int
    extension_days: int | None = None
    committed_time_limit_days: int | None = None
    certificate_validity_years: int | None = None
    preliminary_review: bool = False
    materials: tuple[Material, ...] = ()
    legal_source: str | None = None  # the law that sets the legal facts, when it is not Law 42


def _text(value: str, field: str, label: str, limit: int = MAX_NAME) -> str:
    value = value.strip()
    if not value:
        raise ValidationFailed(f"{label}不能为空", field)
    if len(value) > limit:
        raise ValidationFailed(f"{label}不能超过 {limit} 个字符", field)
    return value


def _days(value: int | None, field: str, label: str, *, optional: bool = True) -> None:
    if value is None:
        if not optional:
            raise ValidationFailed(f"{label}必填", field)
        return
    if not 1 <= value <= MAX_LIMIT_DAYS:
        raise ValidationFailed(f"{label}必须在 1 到 {MAX_LIMIT_DAYS} 个工作日之间", field)


def _check_structure(draft: ItemDraft) -> None:
    if not ITEM_CODE.fullmatch(draft.code):
        raise ValidationFailed(
            f"许可事项编码无效: {draft.code!r}（形如 GYCP-SCXK：大写字母或数字，以连字符分两段）",
            "code",
        )
    _text(draft.name, "name", "许可事项名称")
    _text(draft.legal_basis, "legalBasis", "设定依据", 2000)
    _days(draft.legal_time_limit_days, "legalTimeLimitDays", "法定期限", optional=False)
    _days(draft.extension_days, "extensionDays", "延长期限")
    _days(draft.committed_time_limit_days, "committedTimeLimitDays", "承诺期限")
    committed = draft.committed_time_limit_days
    if committed is not None and committed > draft.legal_time_limit_days:
        raise ValidationFailed(
            f"承诺期限 {committed} 个工作日不能长于法定期限 {draft.legal_time_limit_days} 个工作日",
            "committedTimeLimitDays",
        )
    validity = draft.certificate_validity_years
    if validity is not None and not 1 <= validity <= MAX_VALIDITY_YEARS:
        raise ValidationFailed(
            f"许可证有效期必须在 1 到 {MAX_VALIDITY_YEARS} 年之间", "certificateValidityYears"
        )
    if draft.preliminary_review and draft.level is AuthorityLevel.COUNTY:
        raise ValidationFailed("县级许可事项没有下级初审机关（第四十三条）", "preliminaryReview")
    if not draft.materials:
        raise ValidationFailed("至少应列出一项申请材料", "materials")
    if len(draft.materials) > MAX_MATERIALS:
        raise ValidationFailed(f"申请材料不能超过 {MAX_MATERIALS} 项", "materials")
    seen: set[str] = set()
    for material in draft.materials:
        if not MATERIAL_CODE.fullmatch(material.code):
            raise ValidationFailed(f"材料编码无效: {material.code!r}（大写字母开头）", "materials")
        if material.code in seen:
            raise ValidationFailed(f"材料编码重复: {material.code}", "materials")
        seen.add(material.code)
        _text(material.name, "materials", "材料名称")
        if not 1 <= material.copies <= 99:
            raise ValidationFailed("材料份数必须在 1 到 99 之间", "materials")
        if material.note is not None and len(material.note) > 500:
            raise ValidationFailed("材料说明不能超过 500 个字符", "materials")
    if draft.legal_source is not None:
        _text(draft.legal_source, "legalTimeLimitSource", "引用的法律依据", 2000)


def _law_facts(item: LicenseItem) -> tuple[int, int | None, int | None]:
    return item.legal_time_limit_days, item.extension_days, item.certificate_validity_years


def _in_force(
    draft: ItemDraft, previous: LicenseItem | None
) -> tuple[tuple[int, int | None, int | None], str]:
    """The law's limit, extension and validity in force, and where they come from."""
    if previous is None:
        return (
            LAW_42_LIMIT_DAYS,
            LAW_42_EXTENSION_DAYS,
            draft.certificate_validity_years,
        ), ARTICLE_42
    return _law_facts(previous), previous.legal_time_limit_source


def _check_citation(draft: ItemDraft, previous: LicenseItem | None, citation: str) -> bool:
    """A cited version: a law or regulation may set other values; a 规章 may only shorten.
    False when the citation is the Licensing Law itself: Art. 42 sets 20 and 10 days, so
    citing it changes nothing (the values must be the law's in force)."""
    field = "legalTimeLimitSource"
    cited = CITED_ARTICLE.findall(citation)
    if not cited:
        raise LegalLimitChanged(
            "引用的法律依据须写明法律或法规的名称和条款，形如《中华人民共和国特种设备安全法》"
            "第十八条（《行政许可法》第四十二条：法律、法规另有规定的，依照其规定）",
            field,
        )
    others = [t for t in cited if not _is_licensing_law(t)]
    if not others:
        return False
    if any(is_statute(title, citation) for title in others):
        return True
    (limit, extension, validity), source = _in_force(draft, previous)
    rule = "、".join(f"《{t}》" for t in dict.fromkeys(others))
    why = f"{rule}不是法律或法规，只能缩短期限（《行政许可法》第四十二条只允许法律、法规另作规定）"
    if draft.legal_time_limit_days > limit:
        raise LegalLimitChanged(
            f"{why}：法定期限 {draft.legal_time_limit_days} 个工作日长于现行的 {limit} 个工作日（{source}）",
            "legalTimeLimitDays",
        )
    stated = draft.extension_days
    if stated is not None and (extension is None or stated > extension):
        allowed = "不得延长" if extension is None else f"最多延长 {extension} 个工作日"
        raise LegalLimitChanged(f"{why}：现行规定{allowed}（{source}）", "extensionDays")
    if draft.certificate_validity_years != validity:
        raise LegalLimitChanged(f"{why}，不能改变许可证有效期", "certificateValidityYears")
    return True


def _is_licensing_law(title: str) -> bool:
    return title.strip().removeprefix("中华人民共和国") == "行政许可法"


def _check_law(draft: ItemDraft, previous: LicenseItem | None) -> None:
    """Without a citation, the legal limit, extension and validity must be the law's in force;
    with one, see ``_check_citation``. The extension is never longer than the limit."""
    extension_stated = draft.extension_days
    if extension_stated is not None and extension_stated > draft.legal_time_limit_days:
        raise LegalLimitChanged(
            f"延长期限 {extension_stated} 个工作日不能长于法定期限 {draft.legal_time_limit_days} 个工作日"
            "（延长只是法定期限的补充；更长的办理时间应作为法定期限引用其法律依据）",
            "extensionDays",
        )
    citation = (draft.legal_source or "").strip()
    if citation and _check_citation(draft, previous, citation):
        return  # the version states the law it relies on (stored with it)
    law, source = _in_force(draft, previous)
    limit, extension, validity = law
    stated = draft.legal_time_limit_days
    if stated < limit:
        raise LegalLimitChanged(
            f"法定期限 {stated} 个工作日短于法律规定的 {limit} 个工作日（{source}）；"
            "缩短办理时间请设定承诺期限，法律修改的请引用新的法律依据",
            "legalTimeLimitDays",
        )
    if stated > limit:
        raise LegalLimitChanged(
            f"法定期限 {stated} 个工作日超过法律规定的 {limit} 个工作日（{source}）",
            "legalTimeLimitDays",
        )
    if draft.extension_days != extension:
        allowed = "不得延长" if extension is None else f"可以延长 {extension} 个工作日"
        raise LegalLimitChanged(
            f"延长期限与法律规定不符：依法{allowed}（{source}）", "extensionDays"
        )
    if draft.certificate_validity_years != validity:
        term = "未规定有效期" if validity is None else f"有效期为 {validity} 年"
        raise LegalLimitChanged(
            f"许可证有效期与法律规定不符：依法{term}", "certificateValidityYears"
        )


def build_version(
    draft: ItemDraft, previous: LicenseItem | None, others: Iterable[LicenseItem]
) -> LicenseItem:
    """The next version of an item, checked (see the module's docstring); nothing is kept
    unless every rule holds."""
    _check_structure(draft)
    _check_law(draft, previous)
    if previous is None:
        abbreviation = draft.code.split("-", 1)[0]
        taken = next((o for o in others if o.abbreviation == abbreviation), None)
        if taken is not None:
            raise ValidationFailed(
                f"编码前缀 {abbreviation} 已是许可事项 {taken.code} 的简称（用于案件编号）", "code"
            )
        base: dict[str, Any] = {"abbreviation": abbreviation, "version": 1}
    else:
        base = previous.model_dump(exclude={"materials", "level"})
        base["version"] = previous.version + 1
    law = draft.legal_source.strip() if draft.legal_source and draft.legal_source.strip() else None
    if law is not None:
        base |= {
            "legal_time_limit_source": law, "legal_time_limit_article": law,
            "extension_source": law, "validity_source": law,
        }  # fmt: skip
    elif previous is None:
        base |= {
            "legal_time_limit_source": ARTICLE_42, "legal_time_limit_article": ARTICLE_42,
            "extension_source": ARTICLE_42, "validity_source": draft.legal_basis.strip(),
        }  # fmt: skip
    committed = draft.committed_time_limit_days
    if previous is None or committed != previous.committed_time_limit_days:
        base["committed_time_limit_source"] = (
            None
            if committed is None
            else f"许可机关的服务承诺（承诺时限），第 {base['version']} 版"
        )
    if draft.preliminary_review and (previous is None or not previous.preliminary_review):
        base["preliminary_review_source"] = f"《行政许可法》第四十三条; {draft.legal_basis.strip()}"
    base |= {
        "code": draft.code,
        "name": draft.name.strip(),
        "legal_basis": draft.legal_basis.strip(),
        "level": draft.level,
        "legal_time_limit_days": draft.legal_time_limit_days,
        "extension_days": draft.extension_days,
        "committed_time_limit_days": committed,
        "certificate_validity_years": draft.certificate_validity_years,
        "preliminary_review": draft.preliminary_review,
        "materials": draft.materials,
    }
    return LicenseItem(**base)


class LicenseItemRegistry(Aggregate):
    """The catalogue: every version of every item, and which are retired (id ``CATALOGUE_ID``)."""

    class Seeded(Aggregate.Created):
        """A new installation's catalogue, from the packaged seed (each item's version 1)."""

        items: tuple[LicenseItem, ...]
        source: str

        def apply(self, aggregate: Any) -> None:
            aggregate.items = {item.code: (item,) for item in self.items}
            aggregate.retired = frozenset()

    class ItemDefined(Aggregate.Event):
        """An ADMIN defined a new version of an item (or a new item); cases filed from now
        on take it. A retired item defined again is in force again."""

        item: LicenseItem

        def apply(self, aggregate: Any) -> None:
            versions = aggregate.items.get(self.item.code, ())
            aggregate.items = {**aggregate.items, self.item.code: (*versions, self.item)}
            aggregate.retired = aggregate.retired - {self.item.code}

    class ItemRetired(Aggregate.Event):
        """An ADMIN retired an item: no new filing; its cases and licences go on."""

        code: str

        def apply(self, aggregate: Any) -> None:
            aggregate.retired = aggregate.retired | {self.code}

    items: dict[str, tuple[LicenseItem, ...]]
    retired: frozenset[str]

    def __init__(self) -> None:
        """State is set by ``Seeded.apply``."""

    @classmethod
    def seed(
        cls, items: Sequence[LicenseItem], source: str, actor: Actor, at: dt.datetime
    ) -> LicenseItemRegistry:
        return cls._create(
            cls.Seeded, id=CATALOGUE_ID, items=tuple(items), source=source, actor=actor,
            timestamp=at,
        )  # fmt: skip

    def current(self, code: str) -> LicenseItem | None:
        versions = self.items.get(code)
        return versions[-1] if versions else None

    def define(self, draft: ItemDraft, actor: Actor, at: dt.datetime) -> LicenseItem:
        previous = self.current(draft.code)
        others = [v[-1] for code, v in self.items.items() if code != draft.code]
        item = build_version(draft, previous, others)
        self.trigger_event(self.ItemDefined, item=item, actor=actor, timestamp=at)
        return item

    def retire(self, code: str, actor: Actor, at: dt.datetime) -> LicenseItem:
        item = self.current(code)
        if item is None:
            raise NotFound(f"许可事项 {code} 不存在", "code")
        if code in self.retired:
            raise InvalidState(f"许可事项 {item.name}（{code}）已经停用", "code")
        self.trigger_event(self.ItemRetired, code=code, actor=actor, timestamp=at)
        return item

    def catalogue(self) -> Catalogue:
        in_force = tuple(
            versions[-1] for code, versions in self.items.items() if code not in self.retired
        )
        every = tuple(v for versions in self.items.values() for v in versions)
        return Catalogue(items=in_force, versions=every, retired=self.retired)


class OrganisationDraft(Immutable):
    """What an ADMIN states for an organisation (``OrganisationInput``)."""

    code: str
    name: str
    level: AuthorityLevel
    parent: str | None
    division: str
    active: bool = True


class OrganisationRegistry(Aggregate):
    """The organisation tree (id ``ORGANISATIONS_ID``); routing follows it at once."""

    class Seeded(Aggregate.Created):
        organisations: tuple[Organisation, ...]
        source: str

        def apply(self, aggregate: Any) -> None:
            aggregate.organisations = {o.code: o for o in self.organisations}

    class OrganisationDefined(Aggregate.Event):
        """An ADMIN added an organisation, or changed its name, parent or whether it is active."""

        organisation: Organisation

        def apply(self, aggregate: Any) -> None:
            org = self.organisation
            aggregate.organisations = {**aggregate.organisations, org.code: org}

    organisations: dict[str, Organisation]

    def __init__(self) -> None:
        """State is set by ``Seeded.apply``."""

    @classmethod
    def seed(
        cls, organisations: Sequence[Organisation], source: str, actor: Actor, at: dt.datetime
    ) -> OrganisationRegistry:
        return cls._create(
            cls.Seeded, id=ORGANISATIONS_ID, organisations=tuple(organisations), source=source,
            actor=actor, timestamp=at,
        )  # fmt: skip

    def define(self, draft: OrganisationDraft, actor: Actor, at: dt.datetime) -> Organisation:
        org = self.check(draft)
        self.trigger_event(self.OrganisationDefined, organisation=org, actor=actor, timestamp=at)
        return org

    def check(self, draft: OrganisationDraft) -> Organisation:
        if not (is_valid_division_code(draft.code) or draft.code == NATION):
            raise ValidationFailed(f"机构代码须为六位行政区划代码: {draft.code!r}", "code")
        if draft.division != draft.code:
            raise ValidationFailed(
                "机构代码须与其行政区划代码相同（案件编号与辖区检查都以此为准）", "divisionCode"
            )
        name = _text(draft.name, "name", "机构名称")
        if not division_fits_level(draft.division, draft.level):
            raise ValidationFailed(
                f"行政区划 {draft.division} 不是{draft.level.value}级区划", "level"
            )
        if draft.level is AuthorityLevel.NATIONAL:
            if draft.parent is not None:
                raise ValidationFailed("国家级机关没有上级机关", "parentCode")
        else:
            if draft.parent is None:
                raise ValidationFailed("须指定上级机关", "parentCode")
            parent = self.organisations.get(draft.parent)
            if parent is None:
                raise NotFound(f"上级机关 {draft.parent} 不存在", "parentCode")
            if parent.level is not LEVEL_ABOVE[draft.level]:
                raise ValidationFailed(
                    f"上级机关 {parent.code} 是{parent.level.value}级，"
                    f"{draft.level.value}级机关的上级应为{LEVEL_ABOVE[draft.level].value}级",
                    "parentCode",
                )
            if not division_covers(parent.division_code, draft.division):
                raise ValidationFailed(
                    f"行政区划 {draft.division} 不在上级机关 {parent.code} 的辖区内", "parentCode"
                )
        return Organisation(
            code=draft.code, name=name, level=draft.level, parent=draft.parent,
            division=draft.division, active=draft.active,
        )  # fmt: skip

    def tree(self) -> OrganisationTree:
        return OrganisationTree(
            organisations=tuple(self.organisations[code] for code in sorted(self.organisations))
        )

"""The administration rules, pure: item versions against the law's limits (Law 42, 43, 82),
organisations in the tree, routing by the tree, and retired items."""

from __future__ import annotations

import pytest

from tests.support import at
from xuke.domain.administration import (
    ItemDraft,
    LegalLimitChanged,
    LicenseItemRegistry,
    OrganisationDraft,
    OrganisationRegistry,
)
from xuke.domain.catalogue import (
    AuthorityLevel,
    ItemRetired,
    Material,
    default_catalogue,
    packaged_items,
    parse_level,
)
from xuke.domain.errors import ErrorCode, InvalidState, ValidationFailed
from xuke.domain.model import Actor
from xuke.domain.organisations import packaged_organisations

ADMIN = Actor(id="admin-1", org_code="000000")
WHEN = at(2026, 9, 28)


def catalogue() -> LicenseItemRegistry:
    """Seeded and saved (its seed event collected): what a command finds in the store."""
    registry = LicenseItemRegistry.seed(packaged_items(), "seed", Actor.system(), WHEN)
    registry.collect_events()
    return registry


def tree() -> OrganisationRegistry:
    registry = OrganisationRegistry.seed(packaged_organisations(), "seed", Actor.system(), WHEN)
    registry.collect_events()
    return registry


def tzsb(**changes: object) -> ItemDraft:
    """TZSB-SCXK as the seed has it: 20 working days and 10 days' extension (Law 42),
    committed 15, valid 4 years (TSG 07-2019)."""
    item = default_catalogue().get("TZSB-SCXK")
    fields: dict[str, object] = {
        "code": item.code, "name": item.name, "legal_basis": item.legal_basis,
        "level": item.level, "legal_time_limit_days": 20, "extension_days": 10,
        "committed_time_limit_days": 15, "certificate_validity_years": 4,
        "materials": item.materials,
    }  # fmt: skip
    return ItemDraft(**(fields | changes))


def new_item(**changes: object) -> ItemDraft:
    fields: dict[str, object] = {
        "code": "SPSC-XKZ", "name": "食品生产许可（示例）", "legal_basis": "《食品安全法》第三十五条",
        "level": AuthorityLevel.MUNICIPAL, "legal_time_limit_days": 20, "extension_days": 10,
        "materials": (Material(code="SQS", name="申请书", required=True),),
    }  # fmt: skip
    return ItemDraft(**(fields | changes))


def test_the_seed_is_every_items_version_one() -> None:
    registry = catalogue()
    assert {i.code for i in registry.catalogue().items} == {
        i.code for i in default_catalogue().items
    }
    assert all(i.version == 1 for i in registry.catalogue().items)


def test_a_new_version_keeps_the_earlier_one_for_the_cases_filed_under_it() -> None:
    registry = catalogue()
    item = registry.define(tzsb(committed_time_limit_days=10), ADMIN, WHEN)
    assert (item.version, item.committed_time_limit_days) == (2, 10)
    snapshot = registry.catalogue()
    assert snapshot.get("TZSB-SCXK").version == 2
    assert snapshot.get("TZSB-SCXK", 1).committed_time_limit_days == 15
    assert snapshot.get("TZSB-SCXK", 2).committed_time_limit_days == 10
    # The law's facts and their cited sources carry over unchanged.
    assert item.legal_time_limit_source == snapshot.get("TZSB-SCXK", 1).legal_time_limit_source


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"legal_time_limit_days": 15}, "legalTimeLimitDays"),  # shorter than Law 42's 20
        ({"legal_time_limit_days": 30}, "legalTimeLimitDays"),  # longer than the law allows
        ({"extension_days": 15}, "extensionDays"),  # Law 42: ten days, once
        ({"extension_days": None}, "extensionDays"),
        ({"certificate_validity_years": 5}, "certificateValidityYears"),  # TSG 07: 4 years
    ],
)
def test_the_laws_limits_cannot_be_changed_without_citing_the_law(
    changes: dict[str, object], field: str
) -> None:
    registry = catalogue()
    with pytest.raises(LegalLimitChanged) as refused:
        registry.define(tzsb(**changes), ADMIN, WHEN)
    assert refused.value.field == field and refused.value.code is ErrorCode.VALIDATION
    assert registry.version == 1 and not registry.collect_events()  # nothing to store


def test_gycp_keeps_its_regulations_sixty_days_and_no_extension() -> None:
    """条例: 60 days, no extension; Law 42's defaults do not apply to it."""
    gycp = default_catalogue().get("GYCP-SCXK")
    draft = ItemDraft(
        code=gycp.code, name=gycp.name, legal_basis=gycp.legal_basis, level=gycp.level,
        legal_time_limit_days=60, extension_days=None, committed_time_limit_days=20,
        certificate_validity_years=5, materials=gycp.materials,
    )  # fmt: skip
    assert catalogue().define(draft, ADMIN, WHEN).committed_time_limit_days == 20
    with pytest.raises(LegalLimitChanged, match="依法不得延长"):
        catalogue().define(draft.model_copy(update={"extension_days": 10}), ADMIN, WHEN)
    with pytest.raises(LegalLimitChanged, match="短于法律规定的 60"):
        catalogue().define(draft.model_copy(update={"legal_time_limit_days": 20}), ADMIN, WHEN)


def test_a_change_in_the_law_is_stated_with_its_citation() -> None:
    registry = catalogue()
    law = "《特种设备安全法》（示例修正）第十八条"
    item = registry.define(tzsb(legal_time_limit_days=15, legal_source=law), ADMIN, WHEN)
    assert (item.legal_time_limit_days, item.legal_time_limit_source) == (15, law)
    # From now on 15 is the law's: 20 without a new citation is refused.
    with pytest.raises(LegalLimitChanged, match="超过法律规定的 15"):
        registry.define(tzsb(legal_time_limit_days=20), ADMIN, WHEN)


def test_a_new_item_takes_law_42_unless_it_cites_its_own_law() -> None:
    item = catalogue().define(new_item(), ADMIN, WHEN)
    assert (item.version, item.abbreviation, item.legal_time_limit_source) == (
        1, "SPSC", "《行政许可法》第四十二条",
    )  # fmt: skip
    with pytest.raises(LegalLimitChanged):
        catalogue().define(new_item(legal_time_limit_days=30), ADMIN, WHEN)
    own = catalogue().define(
        new_item(legal_time_limit_days=30, extension_days=None, legal_source="《某条例》第十条"),
        ADMIN,
        WHEN,
    )
    assert own.legal_time_limit_days == 30 and own.extension_days is None


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (new_item(code="spsc xkz"), "code"),
        (new_item(code="GYCP-NEW"), "code"),  # GYCP is GYCP-SCXK's abbreviation
        (new_item(name="  "), "name"),
        (new_item(legal_time_limit_days=-5, legal_source="x"), "legalTimeLimitDays"),
        (new_item(legal_time_limit_days=0, legal_source="x"), "legalTimeLimitDays"),
        (new_item(committed_time_limit_days=25), "committedTimeLimitDays"),  # > legal 20
        (new_item(committed_time_limit_days=-1), "committedTimeLimitDays"),
        (new_item(certificate_validity_years=0), "certificateValidityYears"),
        (new_item(level=AuthorityLevel.COUNTY, preliminary_review=True), "preliminaryReview"),
        (new_item(materials=()), "materials"),
        (new_item(materials=(Material(code="A", name="x", required=True),) * 2), "materials"),
        (new_item(materials=(Material(code="A", name="x", required=True, copies=0),)), "materials"),
    ],
)
def test_bad_item_input_is_refused(draft: ItemDraft, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        catalogue().define(draft, ADMIN, WHEN)
    assert refused.value.field == field


def test_levels_take_both_spellings() -> None:
    assert parse_level("PROVINCE") is AuthorityLevel.PROVINCIAL
    assert parse_level("city") is AuthorityLevel.MUNICIPAL
    with pytest.raises(ValidationFailed):
        parse_level("TOWN")


def test_a_retired_item_takes_no_filing_until_defined_again() -> None:
    registry = catalogue()
    registry.retire("TZSB-SCXK", ADMIN, WHEN)
    snapshot = registry.catalogue()
    assert "TZSB-SCXK" not in {i.code for i in snapshot.items}
    assert snapshot.get("TZSB-SCXK").version == 1  # its cases still read it
    with pytest.raises(ItemRetired) as refused:
        snapshot.for_filing("TZSB-SCXK")
    assert refused.value.code is ErrorCode.INVALID_STATE
    with pytest.raises(InvalidState):  # already retired
        registry.retire("TZSB-SCXK", ADMIN, WHEN)
    registry.define(tzsb(), ADMIN, WHEN)
    assert registry.catalogue().for_filing("TZSB-SCXK").version == 2


def test_retiring_an_unknown_item_is_not_found() -> None:
    with pytest.raises(Exception) as refused:
        catalogue().retire("NONE-XX", ADMIN, WHEN)
    assert getattr(refused.value, "code", None) is ErrorCode.NOT_FOUND


def city(**changes: object) -> OrganisationDraft:
    fields: dict[str, object] = {
        "code": "440200", "name": "韶关市市场监督管理局", "level": AuthorityLevel.MUNICIPAL,
        "parent": "440000", "division": "440200",
    }  # fmt: skip
    return OrganisationDraft(**(fields | changes))


def test_a_new_city_authority_gets_the_filings_of_its_division() -> None:
    registry = tree()
    with pytest.raises(ValidationFailed):
        registry.tree().competent_authority(AuthorityLevel.MUNICIPAL, "440203")
    registry.define(city(), ADMIN, WHEN)
    found = registry.tree().competent_authority(AuthorityLevel.MUNICIPAL, "440203")
    assert found.code == "440200"
    registry.define(city(active=False), ADMIN, WHEN)
    with pytest.raises(ValidationFailed):  # inactive: no new filings
        registry.tree().competent_authority(AuthorityLevel.MUNICIPAL, "440203")


@pytest.mark.parametrize(
    ("draft", "code", "field"),
    [
        (city(parent="449900"), ErrorCode.NOT_FOUND, "parentCode"),
        (city(parent="440100"), ErrorCode.VALIDATION, "parentCode"),  # a city under a city
        (city(parent="000000"), ErrorCode.VALIDATION, "parentCode"),  # skips the province
        (city(code="450100", division="450100"), ErrorCode.VALIDATION, "parentCode"),  # 南宁
        (city(parent=None), ErrorCode.VALIDATION, "parentCode"),
        (city(code="44020", division="44020"), ErrorCode.VALIDATION, "code"),
        (city(division="440300"), ErrorCode.VALIDATION, "divisionCode"),
        (city(level=AuthorityLevel.COUNTY), ErrorCode.VALIDATION, "level"),
        (city(name=""), ErrorCode.VALIDATION, "name"),
    ],
)
def test_bad_organisations_are_refused(
    draft: OrganisationDraft, code: ErrorCode, field: str
) -> None:
    registry = tree()
    with pytest.raises(Exception) as refused:
        registry.define(draft, ADMIN, WHEN)
    assert (getattr(refused.value, "code", None), getattr(refused.value, "field", None)) == (
        code, field,
    )  # fmt: skip
    assert not registry.collect_events()


# ---------------------------------------------------------------- Law 42's citation (review)

RULE = "《市场监督管理行政许可程序规定》第三十条"  # a SAMR 规章, not a law or regulation


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # any text is not a citation: the review's 3 days with 300 days' extension
        ({"legal_time_limit_days": 3, "committed_time_limit_days": None, "extension_days": 300, "legal_source": "x"}, "extensionDays"),
        ({"legal_time_limit_days": 3, "committed_time_limit_days": None, "extension_days": 3, "legal_source": "x"},
         "legalTimeLimitSource"),
        ({"legal_time_limit_days": 30, "legal_source": "某条例第十条"}, "legalTimeLimitSource"),
        ({"legal_time_limit_days": 30, "legal_source": "《某条例》"}, "legalTimeLimitSource"),
        # a law cited, but an extension longer than the limit
        ({"legal_time_limit_days": 3, "committed_time_limit_days": None, "extension_days": 300,
          "legal_source": "《特种设备安全法》第十八条"}, "extensionDays"),
        ({"legal_time_limit_days": 3, "committed_time_limit_days": None, "extension_days": 4,
          "legal_source": "《特种设备安全法》第十八条"}, "extensionDays"),
        # the Licensing Law itself sets 20 and 10: citing it changes nothing
        ({"legal_time_limit_days": 30, "legal_source": "《中华人民共和国行政许可法》第四十二条"},
         "legalTimeLimitDays"),
        # a 规章 may shorten, never lengthen nor add an extension nor change the validity
        ({"legal_time_limit_days": 30, "legal_source": RULE}, "legalTimeLimitDays"),
        ({"extension_days": 15, "legal_source": RULE}, "extensionDays"),
        ({"certificate_validity_years": 6, "legal_source": RULE}, "certificateValidityYears"),
        ({"legal_time_limit_days": 30,
          "legal_source": "《工业产品生产许可证管理条例实施办法》第二十条"}, "legalTimeLimitDays"),
    ],
)  # fmt: skip
def test_a_citation_must_name_a_law_or_regulation_and_its_article(
    changes: dict[str, object], field: str
) -> None:
    registry = catalogue()
    with pytest.raises(LegalLimitChanged) as refused:
        registry.define(tzsb(**changes), ADMIN, WHEN)
    assert refused.value.field == field, refused.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert registry.version == 1 and not registry.collect_events()  # nothing to store


def test_a_law_or_regulation_may_set_other_limits_and_a_rule_only_shorter_ones() -> None:
    law = "《中华人民共和国特种设备安全法》（示例修正）第十八条"
    item = catalogue().define(
        tzsb(legal_time_limit_days=30, extension_days=15, legal_source=law), ADMIN, WHEN
    )
    assert (item.legal_time_limit_days, item.extension_days) == (30, 15)
    regulation = "《某省特种设备安全条例》第二十条"
    assert (
        catalogue()
        .define(
            tzsb(legal_time_limit_days=40, extension_days=None, legal_source=regulation),
            ADMIN,
            WHEN,
        )
        .extension_days
        is None
    )
    decree = "《某管理规定》第八条（国务院令第100号）"  # a State Council regulation titled 规定
    assert (
        catalogue()
        .define(tzsb(legal_time_limit_days=40, legal_source=decree), ADMIN, WHEN)
        .legal_time_limit_days
        == 40
    )
    shorter = catalogue().define(
        tzsb(legal_time_limit_days=15, extension_days=5, committed_time_limit_days=10,
             legal_source=RULE), ADMIN, WHEN,
    )  # fmt: skip
    assert (shorter.legal_time_limit_days, shorter.extension_days) == (15, 5)
    assert shorter.legal_time_limit_source == RULE
    # a committed limit shorter than the law's needs no citation at all
    assert (
        catalogue().define(tzsb(committed_time_limit_days=5), ADMIN, WHEN).committed_time_limit_days
        == 5
    )

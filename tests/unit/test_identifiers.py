"""GB 32100, GB 11643, GB/T 2260: the national identifiers, with their published examples and corrupted copies."""

from __future__ import annotations

import pytest

from xuke.domain.errors import ValidationFailed
from xuke.domain.identifiers import (
    division_covers,
    is_valid_credit_code,
    is_valid_division_code,
    is_valid_id_number,
    mask_id_number,
    mask_name,
    mask_phone,
    require_credit_code,
)

CREDIT_CODES = ["91350100M000100Y43", "914403001922038216", "91440300708461136T"]


@pytest.mark.parametrize("code", CREDIT_CODES)
def test_published_credit_codes_are_valid(code: str) -> None:
    assert is_valid_credit_code(code)


@pytest.mark.parametrize("code", CREDIT_CODES)
@pytest.mark.parametrize("position", range(18))
def test_a_credit_code_with_any_character_changed_is_invalid(code: str, position: int) -> None:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    replacement = alphabet[(alphabet.index(code[position]) + 7) % 31]
    assert not is_valid_credit_code(code[:position] + replacement + code[position + 1 :])


@pytest.mark.parametrize(
    "code",
    ["", "91350100M000100Y4", "91350100M000100Y433", "91350100M000100I43", "91350100m000100y43"],
)
def test_malformed_credit_codes_are_invalid(code: str) -> None:
    assert not is_valid_credit_code(code)


def test_require_credit_code_normalises_case_and_names_the_field() -> None:
    assert require_credit_code(" 91440300708461136t ") == "91440300708461136T"
    with pytest.raises(ValidationFailed) as error:
        require_credit_code("91440300708461136A", "applicant.creditCode")
    assert error.value.field == "applicant.creditCode"


def test_published_id_number_is_valid() -> None:
    assert is_valid_id_number("11010519491231002X")


@pytest.mark.parametrize("position", range(17))
def test_an_id_number_with_a_digit_changed_is_invalid(position: int) -> None:
    number = "11010519491231002X"
    digit = str((int(number[position]) + 1) % 10)
    assert not is_valid_id_number(number[:position] + digit + number[position + 1 :])


def test_an_id_number_must_carry_a_real_birth_date() -> None:
    from xuke.domain.identifiers import id_number_check_char

    first17 = "11010519490230002"  # 30 February
    assert not is_valid_id_number(first17 + id_number_check_char(first17))
    first17 = "11010520000229002"  # 29 February 2000 exists
    assert is_valid_id_number(first17 + id_number_check_char(first17))


@pytest.mark.parametrize(
    ("code", "valid"),
    [("440000", True), ("440106", True), ("44010", False), ("044000", False), ("4401a6", False)],
)
def test_division_codes(code: str, valid: bool) -> None:
    assert is_valid_division_code(code) is valid


@pytest.mark.parametrize(
    ("outer", "inner", "covers"),
    [
        ("000000", "440106", True),
        ("440000", "440106", True),
        ("440000", "450100", False),
        ("440100", "440106", True),
        ("440100", "440300", False),
        ("440106", "440106", True),
        ("440106", "440100", False),
    ],
)
def test_a_jurisdiction_covers_its_subdivisions(outer: str, inner: str, covers: bool) -> None:
    assert division_covers(outer, inner) is covers


def test_personal_data_is_masked() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳修") == "欧**"
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_phone("13800138000") == "138****8000"

"""Validation of the national identifiers xuke accepts (GB 32100-2015, GB 11643-1999, GB/T 2260), and their masking."""

from __future__ import annotations

import datetime as dt
import re

from xuke.domain.errors import ValidationFailed

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_DIVISION = re.compile(r"^[1-9]\d{5}$")
# 联系电话: a mobile number (1[3-9] + 9 digits), or a landline with its area code
# (010-12345678, 0571-1234567) and perhaps an extension (0571-1234567-801).
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0[1-9]\d{1,2}-\d{7,8}(-\d{1,6})?$")


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015: weights 3^(i-1) mod 31, check = alphabet[(31 - Σ mod 31) mod 31]."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(c) * w
        for c, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""
    if len(code) != 18 or any(c not in CREDIT_CODE_ALPHABET for c in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def id_number_check_char(first17: str) -> str:
    """GB 11643-1999: weighted sum mod 11 → (12 - Σ mod 11) mod 11, 10 written as X."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "0123456789X"[(12 - total % 11) % 11]


def id_number_birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def is_valid_id_number(number: str) -> bool:
    """公民身份号码 (GB 11643-1999): 17 digits, a real birth date, a check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if id_number_birth_date(number) is None:
        return False
    return id_number_check_char(number[:17]) == number[17]


def is_valid_division_code(code: str) -> bool:
    """行政区划代码 (GB/T 2260): 6 digits, province(2) city(2) county(2)."""
    return bool(_DIVISION.match(code))


def require_credit_code(code: str, field: str = "creditCode") -> str:
    code = code.strip().upper()
    if not is_valid_credit_code(code):
        raise ValidationFailed(f"统一社会信用代码无效: {code!r}", field)
    return code


def require_id_number(number: str, field: str = "idNumber") -> str:
    number = number.strip().upper()
    if not is_valid_id_number(number):
        raise ValidationFailed("公民身份号码无效", field)
    return number


def require_division_code(code: str, field: str = "jurisdictionCode") -> str:
    if not is_valid_division_code(code):
        raise ValidationFailed(f"行政区划代码无效: {code!r}", field)
    return code


def is_valid_phone(phone: str) -> bool:
    return bool(_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone))


def require_phone(phone: str, field: str = "contactPhone") -> str:
    phone = phone.strip()
    if not is_valid_phone(phone):
        raise ValidationFailed(
            "联系电话格式不正确：手机号为 11 位（1 开头，第二位 3-9），"
            "固定电话为“区号-号码”，如 010-12345678、0571-1234567，分机号可写在最后（-801）",
            field,
        )
    return phone


def division_covers(outer: str, inner: str) -> bool:
    """Does the division ``outer`` contain ``inner``? ``000000`` is the whole country;
    trailing ``00`` pairs mean "the whole unit" (440000 covers 4401xx and 440106)."""
    if outer == "000000":
        return True
    prefix = outer
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return inner.startswith(prefix)


def mask_name(name: str) -> str:
    """A person's name for public pages: 张三 → 张*, 欧阳修 → 欧**."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def mask_id_number(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:] if len(number) == 18 else "*" * len(number)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else "*" * len(digits)

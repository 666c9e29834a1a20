"""Free-form fields (an item's form, a stage's own fields on an opinion): any JSON object the
store can keep exactly — checked at the boundary, so a bad value is a VALIDATION error and never
an event that cannot be written or read back."""

from __future__ import annotations

import math
from typing import Any

from xuke.domain.errors import ValidationFailed

MAX_DEPTH = 6
MAX_ITEMS = 200
MAX_TEXT = 4000
SAFE_INTEGER = 2**53 - 1  # exact in every JSON reader, browsers included


def require_json_object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed(f"{field} 必须是对象", field)
    _check(value, field, 0, [0])
    return value


def _check(value: Any, field: str, depth: int, count: list[int]) -> None:
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_ITEMS:
        raise ValidationFailed(f"{field} 嵌套过深或内容过多", field)
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > SAFE_INTEGER:
            raise ValidationFailed(f"{field} 中的整数超出范围", field)
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationFailed(f"{field} 中的数值无效", field)
        return
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValidationFailed(f"{field} 中的文字过长", field)
        return
    if isinstance(value, list):
        for item in value:
            _check(item, field, depth + 1, count)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or len(key) > 100:
                raise ValidationFailed(f"{field} 的键必须是不超过 100 字的文字", field)
            _check(item, field, depth + 1, count)
        return
    raise ValidationFailed(f"{field} 含有无法保存的值", field)

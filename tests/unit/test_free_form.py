"""Free-form fields are kept only when the store can keep them exactly (found by the fuzzer:
an integer beyond 64 bits could not be written)."""

from __future__ import annotations

import pytest

from xuke.domain.errors import ValidationFailed
from xuke.domain.free_form import require_json_object


def test_ordinary_forms_pass() -> None:
    form = {
        "产品名称": "电线电缆",
        "规格": ["BV-2.5", "BV-4"],
        "产能": 12000.5,
        "同意电子送达": True,
        "备注": None,
    }
    assert require_json_object(form, "form") is form


@pytest.mark.parametrize(
    "bad",
    [
        [1, 2],
        {"n": -(2**63) - 1},
        {"n": 2**53},
        {"x": float("nan")},
        {"x": float("inf")},
        {"deep": {"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}},
        {"many": list(range(300))},
        {"long": "字" * 5000},
        {"obj": object()},
    ],
)
def test_what_cannot_be_kept_exactly_is_refused(bad: object) -> None:
    with pytest.raises(ValidationFailed):
        require_json_object(bad, "form")

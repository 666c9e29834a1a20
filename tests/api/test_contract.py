"""The served schema holds every element of the v1 and v2 contracts exactly (additions
allowed). Our copies of the contract live in ``tests/contract/``, checked against
``../shared`` when it is beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
)

from xuke.api.graphql.schema import sdl

HERE = Path(__file__).resolve().parent
CONTRACT = HERE.parent / "contract" / "schema.graphql"
CONTRACT_V2 = HERE.parent / "contract" / "schema-v2.graphql"  # `extend`s v1
SHARED = HERE.parents[2] / "shared" / "api"


@pytest.mark.parametrize("ours", [CONTRACT, CONTRACT_V2], ids=["v1", "v2"])
def test_our_copy_of_the_contract_is_the_shared_one(ours: Path) -> None:
    shared = SHARED / ours.name
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert ours.read_text("utf-8") == shared.read_text("utf-8")


def differences(contract: GraphQLSchema, served: GraphQLSchema) -> list[str]:
    found = []
    for name, expected in contract.type_map.items():
        if name.startswith("__"):
            continue
        actual = served.type_map.get(name)
        if actual is None or type(actual) is not type(expected):
            found.append(f"type {name} missing or of another kind")
            continue
        if isinstance(expected, GraphQLEnumType):
            missing = set(expected.values) - set(actual.values)  # type: ignore[attr-defined]
            found += [f"enum {name}.{v} missing" for v in sorted(missing)]
        if isinstance(expected, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in expected.fields.items():
                other = actual.fields.get(field_name)  # type: ignore[attr-defined]
                if other is None or str(other.type) != str(field.type):
                    found.append(
                        f"{name}.{field_name}: {field.type} expected, got {other.type if other else None}"
                    )
                    continue
                if getattr(field, "default_value", None) != getattr(other, "default_value", None):
                    found.append(f"{name}.{field_name} default {field.default_value!r} expected")
                for arg_name, arg in getattr(field, "args", {}).items():
                    got = other.args.get(arg_name)
                    if got is None or str(got.type) != str(arg.type):
                        found.append(f"{name}.{field_name}({arg_name}): {arg.type} expected")
                    elif arg.default_value != got.default_value:
                        found.append(
                            f"{name}.{field_name}({arg_name}) default {arg.default_value!r} expected"
                        )
                extra = set(getattr(other, "args", {})) - set(getattr(field, "args", {}))
                for arg_name in extra:
                    if (
                        str(other.args[arg_name].type).endswith("!")
                        and other.args[arg_name].default_value is None
                    ):
                        found.append(f"{name}.{field_name}({arg_name}) is a new required argument")
        if isinstance(expected, GraphQLScalarType) and not isinstance(actual, GraphQLScalarType):
            found.append(f"scalar {name} missing")
    return found


def test_every_element_of_the_contract_is_served_unchanged() -> None:
    assert differences(build_schema(CONTRACT.read_text("utf-8")), build_schema(sdl())) == []


def test_every_element_of_the_v2_contract_is_served_unchanged() -> None:
    both = CONTRACT.read_text("utf-8") + "\n" + CONTRACT_V2.read_text("utf-8")
    assert differences(build_schema(both), build_schema(sdl())) == []


def test_the_comparison_notices_a_change() -> None:
    contract = CONTRACT.read_text("utf-8")
    case_type = contract.index("type Case {")
    changed = contract[:case_type] + contract[case_type:].replace(
        "caseNo: String!", "caseNo: String", 1
    )
    assert differences(build_schema(contract), build_schema(changed)) == [
        "Case.caseNo: String! expected, got String"
    ]

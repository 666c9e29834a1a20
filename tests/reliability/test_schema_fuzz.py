"""Schemathesis against the running service over real HTTP: every query and mutation of the
served GraphQL schema with generated arguments, and every HTTP endpoint of its OpenAPI
description — never a 5xx, and every event the fuzzing got stored still decodes. Examples
per operation: XUKE_SCHEMA_FUZZ_EXAMPLES (8 here; a full run uses 200)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import Api
from tests.support import ENTERPRISE_CODE
from xuke.domain.roles import Role

EXAMPLES = int(os.environ.get("XUKE_SCHEMA_FUZZ_EXAMPLES", "8"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
MASKED = "Unexpected error."  # what MaskErrors shows of a fault
ROLES = (Role.APPLICANT, Role.CLERK, Role.HANDLER, Role.APPROVER, Role.SUPERVISOR, Role.ADMIN)


def fuzz_each_operation(schema: Any, call: Callable[[Any], Any]) -> int:
    """Hypothesis, per operation of the schema, with schemathesis' strategies for it."""
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @FUZZ
        def run(case: Any) -> None:
            call(case)

        run()
    return len(operations)


def every_stored_event_decodes(api: Api) -> None:
    app = api.services.app
    for notification in app.recorder.select_notifications(start=0, limit=10**6):
        app.mapper.to_domain_event(notification)  # raises on an invalid stored event


def test_graphql_operations_never_answer_5xx(api: Api) -> None:
    tokens = {  # an applicant's token carries its own identity (a credit code) as org
        role: api.token(
            f"fuzz-{role.value.lower()}", role, jurisdiction="440305",
            **({"org": ENTERPRISE_CODE} if role is Role.APPLICANT else {}),
        )
        for role in ROLES
    }  # fmt: skip

    def call(case: Any) -> None:
        role = ROLES[len(case.operation.label) % len(ROLES)]  # each operation under one role
        response = case.call(base_url=api.url, headers={"Authorization": f"Bearer {tokens[role]}"})
        assert response.status_code < 500, response.text
        masked = [e for e in response.json().get("errors") or [] if e["message"] == MASKED]
        assert masked == [], (case.body, response.text)  # a fault the service hid, not an answer

    schema = schemathesis.graphql.from_url(f"{api.url}/graphql")
    assert fuzz_each_operation(schema, call) >= 30  # every query and mutation
    every_stored_event_decodes(api)


def test_http_endpoints_never_answer_5xx(api: Api) -> None:
    def call(case: Any) -> None:
        response = case.call(base_url=api.url)
        assert response.status_code < 500, response.text

    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    assert fuzz_each_operation(schema, call) >= 3

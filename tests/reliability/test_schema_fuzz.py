"""Schemathesis against the running service over real HTTP: every query and mutation of the
served GraphQL schema with generated arguments, and every HTTP endpoint of its OpenAPI
description — never a 5xx, and every event the fuzzing got stored still decodes. Examples
per operation: XUKE_SCHEMA_FUZZ_EXAMPLES (8 here; a full run uses 200).

Each generated GraphQL request is also sent twice more with every string literal in it
replaced: by a lone surrogate (``"\\ud800"``, which no store can encode) and by a 20,000-
character string — hypothesis' own strings never hold the first and rarely the second. The
schema comes from the published SDL: outside demo mode the endpoint refuses introspection."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import Api
from tests.support import ENTERPRISE_CODE
from xuke.api.graphql.schema import sdl
from xuke.domain.roles import Role

EXAMPLES = int(os.environ.get("XUKE_SCHEMA_FUZZ_EXAMPLES", "8"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
MASKED = "Unexpected error."  # what MaskErrors shows of a fault
STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')
HOSTILE = ('"\\ud800"', '"' + "长" * 20_000 + '"')  # GraphQL source text of each
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

    hostile_sent: list[str] = []

    def call(case: Any) -> None:
        role = ROLES[len(case.operation.label) % len(ROLES)]  # each operation under one role
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        answered(case.call(base_url=api.url, headers=headers), case.body)
        query = case.body["query"] if isinstance(case.body, dict) else str(case.body)
        if STRING_LITERAL.search(query):
            hostile_sent.append(query)
            for hostile in HOSTILE:
                body = {"query": STRING_LITERAL.sub(lambda _, h=hostile: h, query)}
                answered(api.client.post("/graphql", json=body, headers=headers), body)

    def answered(response: Any, body: Any) -> None:
        assert response.status_code < 500, response.text
        masked = [e for e in response.json().get("errors") or [] if e["message"] == MASKED]
        assert masked == [], (body, response.text)  # a fault the service hid, not an answer

    schema = schemathesis.graphql.from_file(sdl())
    assert fuzz_each_operation(schema, call) >= 30  # every query and mutation
    assert len(hostile_sent) >= 30  # the hostile strings went out, in most operations
    every_stored_event_decodes(api)


def test_http_endpoints_never_answer_5xx(api: Api) -> None:
    def call(case: Any) -> None:
        response = case.call(base_url=api.url)
        assert response.status_code < 500, response.text

    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json")
    assert fuzz_each_operation(schema, call) >= 3

"""What a case mutation takes in: the filing's input types, and the limit on free text."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from xuke.api.graphql.common.errors import bad_input

MAX_TEXT = 2000  # a comment, a reason, a note


@strawberry.input
class ApplicantInput:
    kind: str
    name: str
    credit_code: str | None = None
    id_number: str | None = None
    contact_phone: str
    address: str


@strawberry.input
class FileApplicationInput:
    item_code: str
    applicant: ApplicantInput
    jurisdiction_code: str
    materials: list[str]
    form: JSON | None = None
    channel: str | None = "ONLINE"
    received_at: dt.datetime | None = None


def text(value: str, field: str) -> str:
    """Free text longer than ``MAX_TEXT`` is refused, not cut."""
    if len(value) > MAX_TEXT:
        raise bad_input(f"{field} is longer than {MAX_TEXT} characters")
    return value


def applicant_of(a: ApplicantInput) -> dict[str, str | None]:
    """The applicant as the filing command takes it, its free text checked."""
    return {
        "kind": a.kind, "name": text(a.name, "name"), "credit_code": a.credit_code,
        "id_number": a.id_number, "contact_phone": a.contact_phone,
        "address": text(a.address, "address"),
    }  # fmt: skip

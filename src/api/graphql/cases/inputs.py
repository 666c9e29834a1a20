"""What a case mutation takes in: the filing's input types, and the limit on free text."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from xuke.api.graphql.common.errors import bad_input
from xuke.api.graphql.common.types import ApplicationKind
from xuke.application.attachments import AttachmentFile

MAX_TEXT = 2000  # a comment, a reason, a note
MAX_RECORD = 50_000  # 听证笔录: longer than a comment, still bounded


@strawberry.input
class ApplicantInput:
    kind: str
    name: str
    credit_code: str | None = None
    id_number: str | None = None
    contact_phone: str
    address: str


@strawberry.input(
    description="A file uploaded first (POST /materials), named for one of the item's materials."
)
class AttachmentInput:
    material_code: str
    sha256: str
    file_name: str


@strawberry.input
class FileApplicationInput:
    item_code: str
    applicant: ApplicantInput
    jurisdiction_code: str
    materials: list[str]
    form: JSON | None = None
    channel: str | None = "ONLINE"
    received_at: dt.datetime | None = None
    kind: ApplicationKind | None = ApplicationKind.NEW
    certificate_no: str | None = strawberry.field(
        default=None,
        description="CHANGE, RENEWAL, CANCELLATION, REISSUE, CERTIFICATE_CORRECTION: the holder's own licence",
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, description="files uploaded first (POST /materials), referenced by hash"
    )


def text(value: str, field: str, limit: int = MAX_TEXT) -> str:
    """Free text longer than ``limit`` is refused, not cut."""
    if len(value) > limit:
        raise bad_input(f"{field} is longer than {limit} characters")
    return value


def attachment_files(attachments: list[AttachmentInput] | None) -> list[AttachmentFile]:
    """The files as the commands take them."""
    return [
        AttachmentFile(material_code=a.material_code, sha256=a.sha256, file_name=a.file_name)
        for a in attachments or ()
    ]


def applicant_of(a: ApplicantInput) -> dict[str, str | None]:
    """The applicant as the filing command takes it, its free text checked."""
    return {
        "kind": a.kind, "name": text(a.name, "name"), "credit_code": a.credit_code,
        "id_number": a.id_number, "contact_phone": a.contact_phone,
        "address": text(a.address, "address"),
    }  # fmt: skip

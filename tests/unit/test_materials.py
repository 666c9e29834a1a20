"""Materials as files, without a server: what the bytes are (never the name), the blob store's
content addressing, ownership and sweep, and the case's rules for attachments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.materials_files import JPEG, ofd, pdf, plain_zip, png
from tests.support import GYCP_ALL, at, enterprise
from xuke.application.blobs import MemoryBlobStore, is_sha256, sweep_unreferenced
from xuke.application.clock import SettableClock
from xuke.application.materials import JPEG as JPEG_TYPE
from xuke.application.materials import OFD, PDF, PNG, detect_content_type
from xuke.bootstrap import blob_root
from xuke.domain.case import LicenseCase
from xuke.domain.case.attachments import clean_file_name
from xuke.domain.case_records import ApplicantRecord, AttachmentRecord, CommandContext
from xuke.domain.catalogue import default_catalogue
from xuke.domain.errors import InvalidState, ValidationFailed
from xuke.domain.model import Actor, AggregateSnapshot
from xuke.domain.roles import Role
from xuke.domain.stages import CaseStatus
from xuke.settings import Settings

# ------------------------------------------------------------------ magic bytes


@pytest.mark.parametrize(
    ("data", "expected"),
    [(pdf(), PDF), (png(), PNG), (JPEG, JPEG_TYPE), (ofd(), OFD)],
    ids=["pdf", "png", "jpeg", "ofd"],
)
def test_each_accepted_type_is_known_by_its_bytes(data: bytes, expected: str) -> None:
    assert detect_content_type(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"just some text, saved as material.pdf",
        b" %PDF-1.4 not at the start",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"JUNK",  # the signature without its IHDR
        b"\xff\xd8",  # half a JPEG marker
        b"PK\x03\x04 not a zip at all",
        b"GIF89a\x01\x00\x01\x00",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
    ids=["empty", "text", "pdf-late", "png-no-ihdr", "jpeg-half", "broken-zip", "gif", "svg"],
)
def test_anything_else_is_refused(data: bytes) -> None:
    assert detect_content_type(data) is None


def test_a_zip_is_an_ofd_only_with_its_entry_file() -> None:
    assert detect_content_type(plain_zip()) is None  # a .docx, a .zip renamed .ofd …
    assert detect_content_type(ofd()[:40]) is None  # truncated: no central directory


# ------------------------------------------------------------------ the blob store


def test_the_same_bytes_are_stored_once_and_only_uploaders_may_claim_them() -> None:
    clock = SettableClock(at(2026, 9, 28, 9))
    store = MemoryBlobStore(clock)
    first = store.put(pdf(), uploaded_by="ent-1")
    again = store.put(pdf(), uploaded_by="ent-2")  # someone else with the very same file
    assert first == again and is_sha256(first.sha256) and first.content_type == PDF
    assert store.get(first.sha256) == pdf()
    assert store.claim([first.sha256], "ent-3") == {}  # knowing the hash is not enough
    assert set(store.claim([first.sha256], "ent-2")) == {first.sha256}


def test_the_sweep_deletes_unreferenced_uploads_after_a_day() -> None:
    clock = SettableClock(at(2026, 9, 28, 9))
    store = MemoryBlobStore(clock)
    kept, swept = store.put(png(1), uploaded_by="u"), store.put(png(2), uploaded_by="u")
    made = store.put(pdf("document"))  # made by the system: referenced from the start
    store.claim([kept.sha256], "u")
    clock.advance(hours=23)
    assert sweep_unreferenced(store, clock.now()) == []
    clock.advance(hours=2)
    assert sweep_unreferenced(store, clock.now()) == [swept.sha256]
    assert store.exists(kept.sha256) and store.exists(made.sha256)
    assert not store.exists(swept.sha256)


# ------------------------------------------------------------------ the case's rules


def ctx(moment: dt.datetime, role: Role = Role.APPLICANT) -> CommandContext:
    return CommandContext(actor=Actor(id="ent-1", role=role, org_code="440000"), at=moment)


def filed() -> LicenseCase:
    item = default_catalogue().get("GYCP-SCXK")
    return LicenseCase.file(
        ctx(at(2026, 9, 28)), case_no="440000-2026-GYCP-000001", item=item,
        applicant=ApplicantRecord(**enterprise()), applicant_division="440305",
        jurisdiction_code="440000", channel="ONLINE", materials=tuple(GYCP_ALL[:2]), form={},
        received_at=at(2026, 9, 28), query_code_hash="x",
    )  # fmt: skip


def record(code: str, sha: str = "a" * 64, name: str = "申请书.pdf") -> AttachmentRecord:
    return AttachmentRecord(
        material_code=code, file_name=name, sha256=sha, size=10, content_type=PDF,
        attached_at=at(2026, 9, 28),
    )  # fmt: skip


KNOWN = default_catalogue().get("GYCP-SCXK").material_codes


def test_files_are_recorded_and_missing_materials_show() -> None:
    case = filed()
    assert case.attachments == () and case.missing_files() == case.required_materials
    case.add_attachments(ctx(at(2026, 9, 28, 11)), KNOWN, [record("SQS"), record("YYZZ", "b" * 64)])
    case.add_attachments(ctx(at(2026, 9, 28, 12)), KNOWN, [record("SQS", name="申请书(新).pdf")])
    assert [(a.material_code, a.file_name) for a in case.attachments] == [
        ("SQS", "申请书(新).pdf"),
        ("YYZZ", "申请书.pdf"),
    ]
    assert set(case.missing_files()) == set(case.required_materials) - {"SQS", "YYZZ"}
    restored = AggregateSnapshot.take(case).mutate(None)
    assert restored.attachments == case.attachments


def test_unknown_materials_and_the_wrong_state_are_refused() -> None:
    case = filed()
    with pytest.raises(ValidationFailed) as refused:
        case.add_attachments(ctx(at(2026, 9, 28, 11)), KNOWN, [record("NOPE")])
    assert refused.value.field == "attachments" and "NOPE" in refused.value.message
    with pytest.raises(ValidationFailed):
        case.add_attachments(ctx(at(2026, 9, 28, 11)), KNOWN, [])
    case.status = CaseStatus.ACCEPTED  # once accepted the file is complete (Law 43)
    with pytest.raises(InvalidState):
        case.add_attachments(ctx(at(2026, 9, 28, 11)), KNOWN, [record("SQS")])


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("申请书.pdf", "申请书.pdf"),
        ("C:\\Users\\a\\营业执照.png", "营业执照.png"),
        ("../../x.pdf", "x.pdf"),
    ],
)
def test_file_names_lose_their_folders(given: str, kept: str) -> None:
    assert clean_file_name(given) == kept


@pytest.mark.parametrize("bad", ["", "   ", "a/", "x\x00.pdf", "n" * 256])
def test_file_names_that_cannot_be_shown_are_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        clean_file_name(bad)


def test_files_live_under_the_data_dir_or_beside_the_sqlite_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XUKE_DATA_DIR", raising=False)
    assert blob_root(Settings(data_dir=Path("/srv/xuke"))) == Path("/srv/xuke/blobs")
    assert blob_root(Settings(database_url="sqlite:////var/db/x.sqlite")) == Path("/var/db/blobs")
    both = Settings(data_dir=Path("/srv/xuke"), database_url="sqlite:////var/db/x.sqlite")
    assert blob_root(both) == Path("/srv/xuke/blobs")  # XUKE_DATA_DIR, when it is said

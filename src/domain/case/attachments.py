"""Materials as files: which uploaded file stands for which of the item's materials. The
event records hashes, sizes, types and names; the bytes stay in the blob store.

Files are handed in while the materials are still being gathered: before acceptance (the
applicant online or a clerk at the hall, SAMR 14) or while a correction is pending (Law 32);
once accepted, the file is complete (Law 43: the upper level may not ask for materials again).
A required material without a file shows by comparing ``attachments`` with the item's
required materials (``missing_files``), which is also what a correction notice lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from xuke.domain.case.core import CaseCore
from xuke.domain.case_records import AttachmentRecord, CommandContext
from xuke.domain.errors import ValidationFailed
from xuke.domain.model import Aggregate
from xuke.domain.stages import CaseStatus

ATTACHABLE = (CaseStatus.SUBMITTED, CaseStatus.AWAITING_CORRECTION)
MAX_ATTACHMENTS = 100  # per command
MAX_FILE_NAME = 255


class AttachmentsAdded(Aggregate.Event):
    """材料附件: files handed in for the item's materials (by hash)."""

    attachments: tuple[AttachmentRecord, ...]

    def apply(self, case: Any) -> None:
        """A file given again for the same material replaces its earlier entry (its name)."""
        kept = {(a.material_code, a.sha256): a for a in case.attachments}
        kept |= {(a.material_code, a.sha256): a for a in self.attachments}
        case.attachments = tuple(kept.values())


def clean_file_name(name: str) -> str:
    """The name as shown and offered for download: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or len(base) > MAX_FILE_NAME or any(ord(c) < 32 or ord(c) == 127 for c in base):
        raise ValidationFailed(
            f"文件名须为 1 到 {MAX_FILE_NAME} 个字符，且不含控制字符", "attachments"
        )
    return base


class Attachments(CaseCore):
    """材料附件."""

    def check_attachments(self, material_codes: Sequence[str], known: Iterable[str]) -> None:
        """Before the files are looked up: the case takes files now, for materials the
        item knows."""
        self._require_status(*ATTACHABLE, action="提交材料附件")
        if not material_codes:
            raise ValidationFailed("至少提交一个材料附件", "attachments")
        if len(material_codes) > MAX_ATTACHMENTS:
            raise ValidationFailed(f"一次最多提交 {MAX_ATTACHMENTS} 个附件", "attachments")
        unknown = set(material_codes) - set(known)
        if unknown:
            raise ValidationFailed(
                f"本事项没有这些申请材料: {', '.join(sorted(unknown))}", "attachments"
            )

    def add_attachments(
        self, ctx: CommandContext, known: Iterable[str], files: Sequence[AttachmentRecord]
    ) -> None:
        """Record the files (their blobs already found and claimed by the caller)."""
        known = frozenset(known)
        self.check_attachments([f.material_code for f in files], known)
        self._record(AttachmentsAdded, ctx, attachments=tuple(files))

    def missing_files(self) -> tuple[str, ...]:
        """The required materials no file stands for yet."""
        given = {a.material_code for a in self.attachments}
        return tuple(code for code in self.required_materials if code not in given)

"""Materials as files: ``addAttachments`` (and the attachments of a filing) record which
uploaded file stands for which material. The files were uploaded first (``POST /materials``,
``api/materials.py``) and are referred to by hash; only their uploader may refer to them
(a hash alone is no proof of having the file), and a file referred to is marked so that the
sweeper keeps it. The bytes stay in the blob store; the event holds hashes.

Who: the applicant for their own case, or a clerk of the accepting authority at the hall
(``require_applicant_or_clerk``); when: before acceptance or while a correction is pending
(the case's own rule, ``domain/case/attachments.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xuke.domain.case import LicenseCase
from xuke.domain.case.attachments import clean_file_name
from xuke.domain.case_records import AttachmentRecord, CommandContext
from xuke.domain.errors import ValidationFailed

from . import authorization as authz
from .blobs import is_sha256
from .case_commands import CaseCommands
from .commands import CommandResult
from .principal import Principal


@dataclass(frozen=True)
class AttachmentFile:
    """An uploaded file named for one of the item's materials (``AttachmentInput``)."""

    material_code: str
    sha256: str
    file_name: str


class AttachmentCommands(CaseCommands):
    def add_attachments(
        self,
        principal: Principal,
        case_no: str,
        attachments: Sequence[AttachmentFile],
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """材料附件: before acceptance, or while a correction is pending."""
        return self._case_command(
            principal, "addAttachments", case_no, {"attachments": list(attachments)},
            idempotency_key, authz.require_applicant_or_clerk,
            lambda case, ctx: self._attach(case, ctx, attachments),
        )  # fmt: skip

    def _attach(
        self, case: LicenseCase, ctx: CommandContext, files: Sequence[AttachmentFile]
    ) -> None:
        """Every rule first; then the files are claimed (found, the caller's own, marked
        referenced) and the event recorded. Should the save then fail (a concurrent change),
        the files stay marked: kept, never lost."""
        known = self.catalogue.get(case.item_code, case.item_version).material_codes
        case.check_attachments([f.material_code for f in files], known)
        names = [clean_file_name(f.file_name) for f in files]
        hashes = [f.sha256.strip().lower() for f in files]
        malformed = sorted({h for h in hashes if not is_sha256(h)})
        if malformed:
            raise ValidationFailed(
                f"sha256 须为 64 位十六进制: {', '.join(malformed)}", "attachments"
            )
        claimed = self.blobs.claim(hashes, ctx.actor.id)
        absent = sorted(set(hashes) - set(claimed))
        if absent:
            raise ValidationFailed(
                f"文件未上传，或不是由您上传的: {', '.join(absent)}（请先通过 POST /materials 上传）",
                "attachments",
            )
        records = [
            AttachmentRecord(
                material_code=f.material_code,
                file_name=name,
                sha256=h,
                size=claimed[h].size,
                content_type=claimed[h].content_type,
                attached_at=ctx.at,
            )
            for f, name, h in zip(files, names, hashes, strict=True)
        ]
        case.add_attachments(ctx, known, records)

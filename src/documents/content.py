"""What a legal document says, apart from how it looks: a frozen value object that the
builders (``kinds``) compute from an aggregate and the renderer (``render``) typesets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xuke.domain.documents import DocumentKind

SEAL_PLACEHOLDER = "（印章）"
"""Where the authority's seal goes: printed as a red ring with its name, not a seal."""


def chinese_date(day: dt.date) -> str:
    """GB/T 9704-2012 7.3.5.4: 成文日期 in Arabic numerals, year, month and day in full."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class CertificateDetails:
    """What a certificate (许可证书) shows besides the common fields."""

    holder: str
    holder_id_label: str  # 统一社会信用代码 / 身份证号码
    holder_id: str
    address: str
    item_name: str
    scope: tuple[tuple[str, str], ...]  # label → value, in order
    valid_from: dt.date
    valid_to: dt.date | None  # None: no term (长期有效)
    certificate_no: str
    verify_url: str  # the QR code's target: ``{verify_base}/verify/{certificate_no}``

    @property
    def validity(self) -> str:
        end = chinese_date(self.valid_to) if self.valid_to else "长期"
        return f"{chinese_date(self.valid_from)}至{end}"


@dataclass(frozen=True)
class DocumentContent:
    """One document's words. ``parties`` are (label, value) pairs in print order (申请人,
    统一社会信用代码, 许可事项 …); ``facts``, ``body`` and ``remedies`` are paragraphs;
    ``legal_basis`` lists the articles relied on; ``materials`` one material per line (a
    correction notice lists every missing one by name)."""

    kind: DocumentKind
    number: str  # 文号
    title: str
    authority: str
    issued_on: dt.date
    parties: tuple[tuple[str, str], ...] = ()
    addressee: str | None = None  # 主送: "深圳市华强电器有限公司："
    facts: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    materials_heading: str | None = None
    materials: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    remedies: tuple[str, ...] = ()
    seal_text: str = SEAL_PLACEHOLDER
    certificate: CertificateDetails | None = None

    @property
    def date_text(self) -> str:
        return chinese_date(self.issued_on)

    def party(self, label: str) -> str | None:
        return next((value for key, value in self.parties if key == label), None)

    def text(self) -> str:
        """Every word the document prints (tests; a plain-text fallback)."""
        lines = [self.title, self.number]
        lines += [f"{label}：{value}" for label, value in self.parties]
        lines += [self.addressee or "", *self.facts, *self.body]
        lines += [self.materials_heading or "", *self.materials, *self.legal_basis]
        lines += [*self.remedies, self.authority, self.date_text]
        if self.certificate:
            cert = self.certificate
            lines += [cert.holder, cert.holder_id, cert.address, cert.item_name, cert.validity]
            lines += [f"{label}：{value}" for label, value in cert.scope]
            lines += [cert.certificate_no, cert.verify_url]
        return "\n".join(line for line in lines if line)

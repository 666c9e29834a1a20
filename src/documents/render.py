"""``render(content) -> bytes``: a legal document as a PDF, typeset for signing.

A4 portrait (GB/T 9704-2012 proportions): the title centred in the bold face, the number (文号)
under it, the parties, the addressee, the paragraphs justified with a two-character first-line
indent and Chinese line-breaking rules (no line starts with a closing mark or ends with an
opening one), the materials one per line, the legal basis, the remedies; the authority's name
and the date at the bottom right, four characters in from the margin, under a seal placeholder
(a red ring with the authority's name); "— n —" page numbers once the text runs over a page.
The certificate is A4 landscape in a double border, with a QR code to its verification page.

Deterministic: the creation date is the issue date (00:00 Asia/Shanghai), fpdf2 writes no
random ids and names every subset font ``MPDFAA+…``, and fontTools subsets the same glyphs to
the same bytes — the same content gives the same bytes (for the same fpdf2, fontTools and
font file: a document's SHA-256 is recorded when it is issued, not recomputed later).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from xuke.documents.content import CertificateDetails, DocumentContent, chinese_date
from xuke.documents.fonts import document_fonts, glyph_source
from xuke.domain.model import SHANGHAI

FONT, BOLD = "song", "songbold"
INK = (0, 0, 0)
SEAL_RED = (200, 24, 24)
PT = 25.4 / 72  # millimetres per point

TITLE_PT, NUMBER_PT, BODY_PT, SMALL_PT = 22, 14, 15, 10.5
LINE = 8.2  # body line pitch in mm (15 pt text)
MARGIN_TOP, MARGIN_SIDE, MARGIN_BOTTOM = 30.0, 26.0, 28.0

# Chinese line breaking (禁则): never at the start of a line / never at its end.
NO_START = set("，。、；：！？）》」』】〉”’…—～%·,.;:!?)]}")
NO_END = set("（《「『【〈“‘([{")
_TOKENS = re.compile(r"[\x21-\x7e]+|\s|.", re.DOTALL)


class _Pdf(FPDF):
    """Numbers pages "— n —" (GB/T 9704 7.5) once a document runs over one page."""

    def __init__(self, orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.more_pages = False

    def add_page(self, *args: object, **kwargs: object) -> None:
        if self.page > 0:
            self.more_pages = True
        super().add_page(*args, **kwargs)  # type: ignore[arg-type]

    def footer(self) -> None:
        if not (self.more_pages or self.page > 1):
            return
        self.set_y(-18)
        self.set_font(FONT, size=NUMBER_PT)
        self.set_char_spacing(0)
        self.cell(0, 6, f"— {self.page_no()} —", align="C")


def render(content: DocumentContent) -> bytes:
    """The document as PDF bytes: the same content gives the same bytes."""
    certificate = content.certificate
    fonts = document_fonts()
    with tempfile.TemporaryDirectory(prefix="xuke-document-") as directory:
        regular, bold = Path(directory, "regular.ttf"), Path(directory, "bold.ttf")
        text = content.text() + content.seal_text + _RENDER_TEXT
        regular.write_bytes(glyph_source(fonts.regular).subset(text))
        bold.write_bytes(glyph_source(fonts.bold or fonts.regular).subset(content.title))
        pdf = _new_pdf(content, "L" if certificate else "P", regular, bold)
        if certificate is not None:
            _certificate(pdf, content, certificate)
        else:
            _document(pdf, content)
        return bytes(pdf.output())


_RENDER_TEXT = (
    "法律依据：；。— 0123456789. 扫码核验证书真伪 发证机关：发证日期：证书编号："
    "持证人 住所 许可事项 有效期"
)
"""What ``render`` prints besides the content's own words (their glyphs must be embedded)."""


def _new_pdf(content: DocumentContent, orientation: str, regular: Path, bold: Path) -> _Pdf:
    pdf = _Pdf(orientation)
    pdf.set_creation_date(dt.datetime.combine(content.issued_on, dt.time(), tzinfo=SHANGHAI))
    pdf.set_title(content.title)
    pdf.set_subject(content.number)
    pdf.set_author(content.authority)
    pdf.set_creator("xuke")
    pdf.set_lang("zh-CN")
    pdf.set_display_mode("fullpage")
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(BOLD, "", str(bold))
    pdf.set_margins(MARGIN_SIDE, MARGIN_TOP, MARGIN_SIDE)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    pdf.set_text_color(*INK)
    return pdf


# ---------------------------------------------------------------- text setting


def _wrap(pdf: FPDF, text: str, width: float, indent: float = 0.0) -> list[str]:
    """Lines of ``text`` in the current font within ``width`` mm (the first ``indent`` in):
    ASCII runs (numbers, codes, addresses) kept whole when they fit; a closing mark that does
    not fit hangs at the line's end (squeezed in by justification), an opening mark is carried
    to the next line."""
    tokens: list[str] = []
    for token in _TOKENS.findall(text):
        if len(token) > 1 and pdf.get_string_width(token) > width:
            tokens.extend(token)
        else:
            tokens.append(token)
    lines: list[str] = []
    line, used, available = "", 0.0, width - indent
    for token in tokens:
        w = pdf.get_string_width(token)
        if not line or used + w <= available + 1e-6:
            if not (token.isspace() and not line):
                line, used = line + token, used + w
            continue
        if token[0] in NO_START and len(token) == 1:
            lines.append(line + token)
            line, used, available = "", 0.0, width
            continue
        carried = ""
        while len(line) > 1 and line[-1] in NO_END:
            line, carried = line[:-1], line[-1] + carried
        lines.append(line.rstrip())
        line = (carried + token).lstrip()
        used, available = pdf.get_string_width(line), width
    if line:
        lines.append(line)
    return lines


def _justify(pdf: FPDF, line: str, width: float) -> float:
    """The character spacing (pt) that makes ``line`` fill ``width`` mm."""
    gaps = len(line) - 1
    if gaps <= 0:
        return 0.0
    return (width - pdf.get_string_width(line)) / PT / gaps


def _paragraph(
    pdf: FPDF,
    text: str,
    *,
    size: float = BODY_PT,
    indent_chars: float = 2,
    hanging: float = 0.0,
    line_height: float = LINE,
    justify: bool = True,
) -> None:
    """A paragraph, first line indented ``indent_chars`` characters (later lines ``hanging``
    mm in), justified except for its last line."""
    pdf.set_font(FONT, size=size)
    left = pdf.l_margin + hanging
    width = pdf.w - pdf.r_margin - left
    indent = indent_chars * size * PT
    lines = _wrap(pdf, text, width, indent)
    for number, line in enumerate(lines):
        x = left + (indent if number == 0 else 0.0)
        last = number == len(lines) - 1
        pdf.set_char_spacing(0)  # measured without the previous line's spacing
        spacing = 0.0 if last or not justify else _justify(pdf, line, width - (x - left))
        pdf.set_char_spacing(spacing)
        pdf.set_x(x)
        pdf.cell(0, line_height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_char_spacing(0)


def _centred(pdf: FPDF, text: str, size: float, height: float, *, bold: bool = False) -> None:
    pdf.set_font(BOLD if bold else FONT, size=size)
    pdf.set_char_spacing(0)
    pdf.set_x(pdf.l_margin)
    pdf.cell(0, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _spaced_title(title: str) -> str:
    """Short titles are letter-spaced, as printed forms are (送 达 回 证)."""
    return " ".join(title) if len(title) <= 4 else title


# ---------------------------------------------------------------- notices and decisions


def _document(pdf: _Pdf, content: DocumentContent) -> None:
    pdf.add_page()
    _centred(pdf, _spaced_title(content.title), TITLE_PT, 13, bold=True)
    _centred(pdf, content.number, NUMBER_PT, 9)
    pdf.ln(4)
    pdf.set_font(FONT, size=NUMBER_PT)
    label_width = max(
        (pdf.get_string_width(f"{label}：") for label, _ in content.parties), default=0.0
    )
    for label, value in content.parties:
        _party(pdf, label, value, label_width)
    if content.parties:
        pdf.ln(3)
    if content.addressee:
        _paragraph(pdf, content.addressee, indent_chars=0, justify=False)
    for text in content.facts:
        _paragraph(pdf, text)
    if content.materials:
        if content.materials_heading:
            _paragraph(pdf, content.materials_heading)
        for number, name in enumerate(content.materials, start=1):
            _paragraph(pdf, f"{number}. {name}", indent_chars=2)
    for text in content.body:
        _paragraph(pdf, text)
    if content.legal_basis:
        _paragraph(pdf, "法律依据：" + "；".join(content.legal_basis) + "。")
    for text in content.remedies:
        _paragraph(pdf, text)
    _signature(pdf, content)


def _party(pdf: FPDF, label: str, value: str, label_width: float) -> None:
    pdf.set_font(FONT, size=NUMBER_PT)
    left = pdf.l_margin
    lines = _wrap(pdf, value, pdf.w - pdf.r_margin - left - label_width)
    for number, line in enumerate(lines or [""]):
        pdf.set_x(left)
        pdf.cell(label_width, 7.5, f"{label}：" if number == 0 else "", align="R")
        pdf.cell(0, 7.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _signature(pdf: FPDF, content: DocumentContent) -> None:
    """发文机关署名 centred over 成文日期, the date four characters in from the right (GB/T 9704
    7.3.5.1), the seal placeholder over both."""
    # The seal may reach into the bottom margin (beside the page number); the gap above the
    # name shrinks before the block moves to a page of its own.
    block = 0.8 * LINE + 20.0  # from the name's top to the seal's bottom
    room = pdf.h - 10 - block - pdf.get_y()
    if room < 4:
        pdf.add_page()
        room = 16.0
    pdf.ln(min(16.0, room))
    pdf.set_font(FONT, size=BODY_PT)
    pdf.set_char_spacing(0)
    date = content.date_text
    date_right = pdf.w - pdf.r_margin - 4 * BODY_PT * PT
    centre = date_right - pdf.get_string_width(date) / 2
    name_width = pdf.get_string_width(content.authority)
    centre = min(centre, pdf.w - pdf.r_margin - name_width / 2)
    top = pdf.get_y()
    pdf.set_xy(centre - name_width / 2, top)
    pdf.cell(name_width, LINE, content.authority)
    date_width = pdf.get_string_width(date)
    pdf.set_xy(centre - date_width / 2, top + LINE)
    pdf.cell(date_width, LINE, date)
    _seal(pdf, centre, top + LINE * 0.8, 20.0, content.authority, content.seal_text)
    pdf.set_y(top + 2 * LINE)


def _seal(pdf: FPDF, cx: float, cy: float, radius: float, name: str, label: str) -> None:
    """The seal's place: a red ring, the authority's name along its upper arc, the placeholder
    text in the middle. Not a seal — the authority's own is applied over it."""
    pdf.set_draw_color(*SEAL_RED)
    pdf.set_text_color(*SEAL_RED)
    pdf.set_line_width(0.8)
    pdf.circle(cx, cy, radius, style="D")
    size = min(11.0, 200 / max(len(name), 1))
    pdf.set_font(FONT, size=size)
    pdf.set_char_spacing(0)
    arc = min(250.0, 20.0 * len(name))  # degrees the name spans
    ring = radius - 1.8 - size * PT * 0.5
    for position, char in enumerate(name):
        angle = -arc / 2 + arc * (position + 0.5) / len(name)
        x = cx + ring * math.sin(math.radians(angle))
        y = cy - ring * math.cos(math.radians(angle))
        w = pdf.get_string_width(char)
        with pdf.rotation(-angle, x, y):
            pdf.text(x - w / 2, y + size * PT * 0.36, char)
    pdf.set_font(FONT, size=SMALL_PT)
    pdf.text(cx - pdf.get_string_width(label) / 2, cy + radius * 0.62, label)
    pdf.set_draw_color(*INK)
    pdf.set_text_color(*INK)
    pdf.set_line_width(0.2)


# ---------------------------------------------------------------- the certificate


def _certificate(pdf: _Pdf, content: DocumentContent, cert: CertificateDetails) -> None:
    pdf.set_auto_page_break(False)
    pdf.add_page()
    w, h = pdf.w, pdf.h
    pdf.set_draw_color(150, 20, 20)
    pdf.set_line_width(1.4)
    pdf.rect(9, 9, w - 18, h - 18)
    pdf.set_line_width(0.35)
    pdf.rect(12.5, 12.5, w - 25, h - 25)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.2)

    pdf.set_y(22)
    _centred(pdf, " ".join(content.title), 30, 16, bold=True)
    _centred(pdf, cert.item_name, 16, 9)
    _centred(pdf, f"证书编号：{cert.certificate_no}", 12, 7)

    rows = [
        ("持 证 人", cert.holder),
        (cert.holder_id_label, cert.holder_id),
        ("住    所", cert.address),
        ("许可事项", cert.item_name),
        *cert.scope,
        ("有 效 期", cert.validity),
    ]
    left, label_w = 40.0, 44.0
    pdf.set_y(68)
    pdf.set_font(FONT, size=13)
    for label, value in rows:
        lines = _wrap(pdf, value, w - 40 - left - label_w)
        pdf.set_x(left)
        pdf.cell(label_w, 8.5, f"{label}：", align="R")
        for number, line in enumerate(lines or [""]):
            if number:
                pdf.set_x(left + label_w)
            pdf.cell(0, 8.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    size, qx, qy = 30.0, 28.0, h - 62.0
    _qr(pdf, cert.verify_url, qx, qy, size)
    pdf.set_font(FONT, size=9)
    caption = "扫码核验证书真伪"
    pdf.text(qx + size / 2 - pdf.get_string_width(caption) / 2, qy + size + 5, caption)
    pdf.set_font(FONT, size=8)
    pdf.text(qx, qy + size + 10, cert.verify_url)

    pdf.set_font(FONT, size=14)
    centre, top = w - 78.0, h - 52.0
    for offset, text in (
        (0.0, f"发证机关：{content.authority}"),
        (9.0, f"发证日期：{chinese_date(content.issued_on)}"),
    ):
        pdf.text(centre - pdf.get_string_width(text) / 2, top + offset, text)
    _seal(pdf, centre + 12, top + 2, 20.0, content.authority, content.seal_text)


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code (segno, error correction M) drawn as vector rectangles, one per run of dark
    modules in a row, inside its quiet zone."""
    code = segno.make(url, error="m", micro=False)
    matrix = code.matrix
    quiet = 2
    module = size / (len(matrix) + 2 * quiet)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row, start, length in _runs(matrix):
        pdf.rect(
            x + (quiet + start) * module, y + (quiet + row) * module, length * module, module,
            style="F",
        )  # fmt: skip


def _runs(matrix: tuple[bytearray, ...]) -> Iterator[tuple[int, int, int]]:
    for row, modules in enumerate(matrix):
        start = None
        for column, dark in enumerate((*modules, 0)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                yield row, start, column - start
                start = None

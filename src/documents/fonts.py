"""Which CJK font the documents are set in, and where it is on this machine.

Default: Noto Serif CJK SC (思源宋体), Regular for the text and Bold for titles, from the
Debian package ``fonts-noto-cjk`` (``scripts/test`` and ``scripts/run`` install it). Override
with ``XUKE_DOCUMENT_FONT`` (a .ttf, .otf or .ttc; a collection uses its Simplified Chinese
face) and optionally ``XUKE_DOCUMENT_FONT_BOLD`` (without it, titles use the same face).
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

FONT_SETTING = "XUKE_DOCUMENT_FONT"
BOLD_FONT_SETTING = "XUKE_DOCUMENT_FONT_BOLD"
FONT_PACKAGE = "fonts-noto-cjk"

_DIRECTORIES = (
    "/usr/share/fonts/opentype/noto",  # Debian, Ubuntu
    "/usr/share/fonts/noto-cjk",  # Arch
    "/usr/share/fonts/google-noto-serif-cjk-fonts",  # Fedora
    "/usr/share/fonts/opentype/noto-cjk",
)
_REGULAR, _BOLD = "NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc"
_EPOCH_2000 = 3_029_529_600  # 2000-01-01 in the font format's seconds since 1904: fixed bytes


class FontNotFound(RuntimeError):
    """No CJK font to set documents in: says what to install or set."""


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int = 0  # the face in a collection (.ttc)


@dataclass(frozen=True)
class DocumentFonts:
    regular: FontFace
    bold: FontFace | None


def document_fonts() -> DocumentFonts:
    """The fonts to use, found once per setting."""
    return _find(os.environ.get(FONT_SETTING) or None, os.environ.get(BOLD_FONT_SETTING) or None)


@lru_cache(maxsize=4)
def _find(regular: str | None, bold: str | None) -> DocumentFonts:
    if regular is not None:
        path = Path(regular)
        if not path.is_file():
            raise FontNotFound(f"{FONT_SETTING}={regular}: no such font file")
        bold_face = _face(Path(bold)) if bold and Path(bold).is_file() else None
        return DocumentFonts(_face(path), bold_face)
    for directory in map(Path, _DIRECTORIES):
        if (directory / _REGULAR).is_file():
            bold_path = directory / _BOLD
            bold_face = _face(bold_path) if bold_path.is_file() else None
            return DocumentFonts(_face(directory / _REGULAR), bold_face)
    raise FontNotFound(
        "No CJK font for legal documents: install the Debian package "
        f"{FONT_PACKAGE} (apt-get install {FONT_PACKAGE}) or set {FONT_SETTING} to a "
        "TrueType/OpenType font file with Chinese glyphs"
    )


def _face(path: Path) -> FontFace:
    """A collection's Simplified Chinese face (Noto's ``… CJK SC``), else its first."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return FontFace(path)
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            family = font["name"].getDebugName(1) or ""
            if family.endswith((" SC", " CN")):
                return FontFace(path, index)
    finally:
        collection.close()
    return FontFace(path)


# ---------------------------------------------------------------- the embedded subset


class GlyphSource:
    """One face, loaded once per process, from which each document's own small TrueType font
    is built: only the characters it prints, their cubic (CFF) outlines turned quadratic
    (cu2qu, within 1/1000 em), metrics copied. Why not hand fpdf2 the collection itself: a
    CFF font makes fpdf2 write a CID font with an embedded encoding CMap, which some readers
    (pypdf among them) cannot decode into text; a TrueType CIDFontType2 with Identity-H is the
    form every reader handles. And it is faster: no subsetting of a 65,000-glyph font per
    document, converted glyphs are kept."""

    def __init__(self, face: FontFace) -> None:
        from fontTools.ttLib import TTFont

        self.face = face
        self._font = TTFont(str(face.path), fontNumber=face.index, lazy=True, recalcTimestamp=False)
        self._cmap: dict[int, str] = self._font.getBestCmap()
        self._glyph_set = self._font.getGlyphSet()
        self._metrics = self._font["hmtx"].metrics
        self._glyphs: dict[str, Any] = {}
        self._lock = threading.Lock()
        name_table = self._font["name"]
        self.postscript_name = str(name_table.getDebugName(6) or "CJKFont").replace(" ", "")
        self.family_name = str(name_table.getDebugName(1) or "CJK Font")

    def _glyph(self, name: str) -> Any:
        glyph = self._glyphs.get(name)
        if glyph is None:
            from fontTools.pens.cu2quPen import Cu2QuPen
            from fontTools.pens.ttGlyphPen import TTGlyphPen

            pen = TTGlyphPen(None)
            self._glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
            glyph = self._glyphs[name] = pen.glyph()
        return glyph

    def subset(self, text: str) -> bytes:
        """A TrueType font with the glyphs of ``text`` (and ASCII): the same text gives the
        same bytes."""
        from fontTools.fontBuilder import FontBuilder

        codepoints = sorted({ord(c) for c in text} | set(range(0x20, 0x7F)))
        with self._lock:
            cmap = {cp: self._cmap[cp] for cp in codepoints if cp in self._cmap}
            names = [".notdef", *sorted(set(cmap.values()) - {".notdef"})]
            glyphs = {name: self._glyph(name) for name in names}
            advances = {name: self._metrics[name][0] for name in names}
            source = self._font
            upem = source["head"].unitsPerEm
            hhea, os2, post = source["hhea"], source["OS/2"], source["post"]
            builder = FontBuilder(unitsPerEm=upem, isTTF=True)
            builder.setupHead(unitsPerEm=upem, created=_EPOCH_2000, modified=_EPOCH_2000)
            builder.setupGlyphOrder(names)
            builder.setupCharacterMap(cmap)
            builder.setupGlyf(glyphs)
            glyf = builder.font["glyf"]
            builder.setupHorizontalMetrics(
                {name: (advances[name], getattr(glyf[name], "xMin", 0)) for name in names}
            )
            builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
            builder.setupNameTable(
                {"familyName": self.family_name, "styleName": "Regular",
                 "psName": self.postscript_name},
            )  # fmt: skip
            builder.setupOS2(
                sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
                sTypoLineGap=os2.sTypoLineGap, usWinAscent=os2.usWinAscent,
                usWinDescent=os2.usWinDescent, sxHeight=getattr(os2, "sxHeight", 0),
                sCapHeight=getattr(os2, "sCapHeight", 0), usWeightClass=os2.usWeightClass,
                fsType=os2.fsType, achVendID=os2.achVendID,
            )  # fmt: skip
            builder.setupPost(isFixedPitch=post.isFixedPitch, italicAngle=post.italicAngle)
            buffer = io.BytesIO()
            builder.save(buffer)
        return buffer.getvalue()


@lru_cache(maxsize=4)
def glyph_source(face: FontFace) -> GlyphSource:
    return GlyphSource(face)

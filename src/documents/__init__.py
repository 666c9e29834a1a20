"""Legal documents (文书; README "Documents"): what each says (``content``, built per kind from the
aggregate in ``kinds``) and how it looks (``render``: a PDF).

Library: **fpdf2** (LGPL-3.0, py-pdf organisation, released every few months). Pure Python —
no system libraries beyond the font — with precise placement for forms, seals and QR codes,
TrueType *and* OpenType/CFF fonts (including ``.ttc`` collections) embedded as subsets through
fontTools (CID-keyed Type0 fonts with a ToUnicode map, so text can be searched and extracted),
and byte-for-byte reproducible output once the creation date is fixed. Rejected: reportlab
(embeds TrueType outlines only, so not the CFF-based Noto CJK fonts; its open-source edition
moves slowly); WeasyPrint (HTML/CSS is pleasant, but it needs Pango, Cairo and HarfBuzz from the
system and its output is harder to pin down byte for byte).

Font: **Noto Serif CJK SC** (思源宋体; Regular for text, Bold for titles), Debian package
``fonts-noto-cjk`` — which ``scripts/test`` already installed for the browser tests. A Song/Ming
face is what Chinese official documents are set in; Noto's is drawn by Adobe and Google
professionals, covers GB 18030's ideographs (rare characters in names included), is under the
SIL Open Font License 1.1 (embedding allowed), and is maintained upstream and in Debian. The
alternatives are sans only (WenQuanYi Zen Hei/Micro Hei) or old and coarser (AR PL UMing).
``XUKE_DOCUMENT_FONT`` (and ``XUKE_DOCUMENT_FONT_BOLD``) point at another font (``fonts``).

Cost: loading and subsetting a 20 MB CFF collection dominates — a few hundred milliseconds per
document and face; see the measurements in ``tests/unit/test_documents_render.py``.
"""

from xuke.documents.content import CertificateDetails, DocumentContent, chinese_date
from xuke.documents.fonts import FontNotFound, document_fonts
from xuke.documents.kinds import BUILDERS, DocumentNotDue, build
from xuke.documents.render import render
from xuke.domain.documents import DocumentKind

__all__ = [
    "BUILDERS",
    "CertificateDetails",
    "DocumentContent",
    "DocumentKind",
    "DocumentNotDue",
    "FontNotFound",
    "build",
    "chinese_date",
    "document_fonts",
    "render",
]

"""Which files an applicant may hand in as materials, known by their bytes — never by the
name or the declared type, which the sender chooses: PDF, OFD (GB/T 33190, the national
format for electronic documents), JPEG and PNG."""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
OFD = "application/ofd"
JPEG = "image/jpeg"
PNG = "image/png"
ACCEPTED = (PDF, OFD, JPEG, PNG)
ACCEPTED_NAMES = "PDF、OFD、JPEG、PNG"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"
_OFD_ENTRY = "OFD.xml"  # GB/T 33190 §7.3: the package's entry file, at its root


def detect_content_type(data: bytes) -> str | None:
    """The accepted type the bytes are, or None.

    - PDF: the header ``%PDF-`` (ISO 32000-1 §7.5.2) at the start;
    - PNG: the 8-byte signature followed by the ``IHDR`` chunk (ISO/IEC 15948 §5.2, §11.2.2);
    - JPEG: SOI and the first marker, ``FF D8 FF`` (ISO/IEC 10918-1 Annex B);
    - OFD: a ZIP package (``PK\\3\\4``) whose central directory lists ``OFD.xml`` at its root.
      Only the directory is read, never an entry: a zip bomb costs nothing here.
    """
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(_ZIP_SIGNATURE) and _is_ofd_package(data):
        return OFD
    return None


def _is_ofd_package(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return _OFD_ENTRY in package.namelist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        return False

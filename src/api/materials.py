"""Materials as files over HTTP.

- ``POST /materials``: one file in the multipart field ``file``, read as it streams in and
  refused as soon as it passes ``XUKE_UPLOAD_MAX_BYTES``; accepted by what its bytes are (PDF,
  OFD, JPEG, PNG: ``application/materials.py``), never by its name or declared type; kept
  content-addressed in the blob store; answers ``{"sha256", "size", "contentType"}``. An
  APPLICANT or a CLERK, with a bearer token; the uploader is recorded, and only they may then
  refer to the file (``addAttachments`` / ``fileApplication(attachments:)``).
- ``GET /materials/{sha256}?case={caseNo}``: a file of that case, for whoever may see the
  case (its applicant, its authorities' staff: ``authorization.can_view``); 404 for anyone
  else, as for a file or case that does not exist.

Every refusal is a 4xx with ``{"detail": …}`` in Chinese, and nothing is stored: the file is
put into the store only once it is whole and accepted. ``Observe`` leaves the body cap of
``POST /materials`` to this route (``OWN_BODY_LIMITS``): its own is larger, and streamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from xuke.api.context import Services
from xuke.application import authorization as authz
from xuke.application.blobs import BlobNotFound, is_sha256
from xuke.application.materials import ACCEPTED_NAMES, detect_content_type
from xuke.application.principal import Principal
from xuke.domain.case_records import AttachmentRecord
from xuke.domain.errors import NotFound
from xuke.domain.roles import Role

UPLOAD_PATH = "/materials"
OWN_BODY_LIMITS = frozenset({UPLOAD_PATH})  # Observe: this route caps its body itself
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and small fields beside the file
FILE_FIELD = b"file"
UPLOADERS = (Role.APPLICANT, Role.CLERK)


class Refused(Exception):
    """An answer of 4xx with a Chinese ``detail``."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers

    def response(self) -> JSONResponse:
        return JSONResponse({"detail": self.detail}, self.status, headers=self.headers)


def router(services: Services) -> APIRouter:
    routes = APIRouter()

    @routes.post(UPLOAD_PATH)
    async def upload(request: Request) -> Response:
        try:
            principal = _caller(services, request)
            if not any(principal.has(role) for role in UPLOADERS):
                services.app.on_forbidden(
                    authz.Forbidden("上传材料需要 APPLICANT 或 CLERK 角色", principal, "上传材料")
                )
                raise Refused(403, "只有申请人或窗口工作人员可以上传材料")
            data = await _read_file(request, services.settings.upload_max_bytes)
        except Refused as e:
            return e.response()
        content_type = detect_content_type(data)
        if content_type is None:
            return Refused(
                415, f"只接受 {ACCEPTED_NAMES} 文件（按文件内容识别，与文件名和声明的类型无关）"
            ).response()
        info = await run_in_threadpool(
            lambda: services.app.blobs.put(
                data, content_type=content_type, uploaded_by=principal.user_id
            )
        )
        return JSONResponse(
            {"sha256": info.sha256, "size": info.size, "contentType": info.content_type}
        )

    @routes.get(UPLOAD_PATH + "/{sha256}")
    async def download(request: Request, sha256: str, case: str = "") -> Response:
        try:
            principal = _caller(services, request)
        except Refused as e:
            return e.response()
        found = None
        if is_sha256(sha256) and case:
            found = await run_in_threadpool(_case_file, services, principal, case, sha256)
        if found is None:
            return Refused(404, "文件不存在，或您无权查看").response()
        attachment, data = found
        return Response(
            data,
            media_type=attachment.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.file_name)}",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    return routes


def _caller(services: Services, request: Request) -> Principal:
    challenge = {"WWW-Authenticate": "Bearer"}
    try:
        principal = services.tokens.principal(request.headers.get("authorization"))
    except authz.Unauthenticated as e:
        raise Refused(401, f"令牌无效，请重新登录 ({e})", challenge) from None
    if principal is None:
        raise Refused(401, "请先登录（需要 Authorization: Bearer 令牌）", challenge)
    return principal


def _case_file(
    services: Services, principal: Principal, case_no: str, sha256: str
) -> tuple[AttachmentRecord, bytes] | None:
    """The case's file, if the caller may see the case; a refusal is recorded for the
    supervisors, and answered like an absent file."""
    app = services.app
    try:
        case = app.get_case(case_no)
    except NotFound:
        return None
    if not authz.can_view(principal, case):
        app.on_forbidden(authz.Forbidden("无权查看该案件的材料", principal, "下载材料", case_no))
        return None
    attachment = next((a for a in case.attachments if a.sha256 == sha256), None)
    if attachment is None:
        return None
    try:
        return attachment, app.blobs.get(sha256)
    except BlobNotFound:
        return None


async def _read_file(request: Request, limit: int) -> bytes:
    """The one file of a multipart body, read as it arrives and refused once too large."""
    media, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if media != b"multipart/form-data" or not boundary:
        raise Refused(415, "请以 multipart/form-data 上传，文件放在字段 file 中")
    declared = request.headers.get("content-length", "")
    body_limit = limit + MULTIPART_OVERHEAD
    if declared.isdigit() and int(declared) > body_limit:
        raise Refused(413, _too_large(limit))
    form = _Form(limit)
    try:
        parser = MultipartParser(boundary, form.callbacks())
    except (ValueError, MultipartParseError):
        raise Refused(400, "multipart 的 boundary 无效") from None
    read = 0
    try:
        async for chunk in request.stream():
            read += len(chunk)
            if read > body_limit:
                raise Refused(413, _too_large(limit))
            parser.write(chunk)
    except ClientDisconnect:
        raise Refused(400, "上传中断，请重新上传") from None
    except MultipartParseError:
        raise Refused(400, "multipart 格式错误，请重新上传") from None
    if not form.ended:
        raise Refused(400, "上传不完整（multipart 未正常结束），请重新上传")
    if form.file is None:
        raise Refused(400, "缺少文件：请把文件放在字段 file 中")
    if not form.file:
        raise Refused(400, "文件为空")
    return bytes(form.file)


def _too_large(limit: int) -> str:
    mib = f"（{limit / 1024 / 1024:g} MB）" if limit >= 1024 * 1024 else ""
    return f"文件过大：不能超过 {limit} 字节{mib}"


@dataclass
class _Form:
    """python-multipart's callbacks: keeps the part named ``file`` (only one), skips the
    others, refuses a file over ``limit`` the moment it gets there."""

    limit: int
    file: bytearray | None = None
    ended: bool = False
    _in_file: bool = False
    _headers: dict[bytes, bytes] = field(default_factory=dict)
    _name: bytes = b""
    _value: bytes = b""

    def callbacks(self) -> Any:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._headers, self._name, self._value, self._in_file = {}, b"", b"", False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._name.strip().lower()] = self._value.strip()
        self._name, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        if options.get(b"name") != FILE_FIELD:
            return
        if self.file is not None:
            raise Refused(400, "一次只能上传一个文件")
        self.file, self._in_file = bytearray(), True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_file or self.file is None:
            return
        if len(self.file) + (end - start) > self.limit:
            raise Refused(413, _too_large(self.limit))
        self.file += data[start:end]

    def _part_end(self) -> None:
        self._in_file = False

    def _end(self) -> None:
        self.ended = True


def download_url(case_no: str, sha256: str) -> str:
    """Where a case's file is downloaded (``Attachment.url``): authorised, never public."""
    return f"{UPLOAD_PATH}/{sha256}?case={quote(case_no, safe='')}"

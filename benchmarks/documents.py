"""Documents and materials: PDFs rendered per second on one core (certificate and denial
decision, p50/p99) beside a one-line Latin PDF from the same library, and the upload of a
10 MB file over HTTP (POST /materials, embedded default) beside a plain file copy, all in the
same run.

    .venv/bin/python benchmarks/documents.py [--renders 60] [--uploads 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import uvicorn
from fpdf import FPDF

from xuke.api.app import create_app
from xuke.application.calendar_seed import chinesecalendar_schedules
from xuke.bootstrap import build_services, migrate
from xuke.documents import render
from xuke.documents.kinds import certificate, denial_decision
from xuke.domain.calendar import WorkingCalendar
from xuke.domain.case import LicenseCase
from xuke.domain.case_records import ApplicantRecord, CommandContext
from xuke.domain.catalogue import default_catalogue
from xuke.domain.model import SHANGHAI, Actor
from xuke.domain.roles import Role
from xuke.domain.stages import Opinion
from xuke.settings import Settings

CODE = "914403001922038216"
ITEM = default_catalogue().get("GYCP-SCXK")


def ctx(day: int, role: Role) -> CommandContext:
    at = dt.datetime(2026, 10, day, 10, tzinfo=SHANGHAI)
    return CommandContext(
        actor=Actor(id=f"bench-{role.value}", role=role, org_code="440000"), at=at
    )


def decided(grant: bool) -> LicenseCase:
    """A case taken through the real commands to its decision (and certificate)."""
    applicant = ApplicantRecord.from_input(
        "ENTERPRISE",
        "基准测试电线电缆有限公司",
        "13800138000",
        "深圳市南山区科技园",
        credit_code=CODE,
    )
    case = LicenseCase.file(
        ctx(8, Role.APPLICANT), case_no="440000-2026-GYCP-000001", item=ITEM, applicant=applicant,
        applicant_division="440305", jurisdiction_code="440000", channel="ONLINE",
        materials=tuple(sorted(ITEM.required_material_codes)), form={}, received_at=ctx(8, Role.APPLICANT).at,
        query_code_hash="h",
    )  # fmt: skip
    calendar = WorkingCalendar({s.year: s for s in chinesecalendar_schedules()})
    case.accept(ctx(9, Role.CLERK), calendar)
    for day, role in ((12, Role.HANDLER), (13, Role.REVIEWER), (14, Role.APPROVER)):
        case.record_opinion(ctx(day, role), Opinion.AGREE, "符合条件", None)
    case.decide(ctx(15, Role.APPROVER), grant, "符合发证条件" if grant else "产品不符合国家标准")
    if grant:
        case.issue_certificate(ctx(16, Role.APPROVER))
    return case


def timed(n: int, work: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def row(name: str, samples: list[float]) -> None:
    p99 = sorted(samples)[max(0, int(len(samples) * 0.99) - 1)]
    rate = 1000 / statistics.mean(samples)
    print(f"{name:<34}{rate:>9.1f}/s{statistics.median(samples):>10.1f}{p99:>10.1f}")


def renders(n: int) -> None:
    granted, denied = decided(True), decided(False)
    day = dt.date(2026, 10, 16)
    cert = certificate(granted, item=ITEM, authority="广东省市场监督管理局", issued_on=day,
                       verify_base="https://xuke.example.gov.cn")  # fmt: skip
    denial = denial_decision(denied, item=ITEM, authority="广东省市场监督管理局",
                             number="440000-2026-GYCP-000001-BY-7", issued_on=day)  # fmt: skip
    render(cert)  # the first call loads and converts the font: not what a running service pays

    def baseline() -> bytes:
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(text="Licence 440000-2026-GYCP-000001")
        return bytes(pdf.output())

    print(f"{'rendering, one process':<34}{'docs/s':>11}{'p50 ms':>10}{'p99 ms':>10}")
    row("baseline: one-line Latin PDF", timed(n, baseline))
    row("certificate (QR, A4 landscape)", timed(n, lambda: render(cert)))
    row("denial decision (Law 38)", timed(n, lambda: render(denial)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def uploads(n: int) -> None:
    size = 10 * 1024 * 1024
    data = b"%PDF-1.7\n" + os.urandom(size - 9)  # a PDF by its magic bytes, 10 MB
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = root / "upload.pdf"
        source.write_bytes(data)
        copies = timed(n, lambda: shutil.copyfile(source, root / "copy.pdf"))
        settings = Settings(data_dir=root / "data", database_url="", secret_key="bench-secret-0123456789abcdef0123",
                            jwt_secret="bench-jwt-secret-0123456789abcdef0123", demo=True)  # fmt: skip
        migrate(settings).close()
        services = build_services(settings, with_projections=False)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port,
                                               log_config=None, access_log=False))  # fmt: skip
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.02)
        token = services.tokens.issue("bench-applicant", [Role.APPLICANT], CODE, "基准", "440305")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:

            def upload() -> None:
                body = data[:9] + os.urandom(16) + data[25:]  # new bytes: nothing deduplicated
                answer = client.post("/materials", files={"file": ("a.pdf", body, "application/pdf")},
                                     headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                assert answer.status_code == 200, answer.text

            posts = timed(n, upload)
        server.should_exit = True
        services.app.close()
        services.views.close()
    mb = size / 1024 / 1024
    print(f"\n{'10 MB file':<34}{'MB/s':>11}{'p50 ms':>10}{'p99 ms':>10}")
    for name, samples in (("baseline: file copy", copies), ("POST /materials (SQLite)", posts)):
        p99 = sorted(samples)[max(0, int(len(samples) * 0.99) - 1)]
        print(f"{name:<34}{mb * 1000 / statistics.mean(samples):>11.1f}"
              f"{statistics.median(samples):>10.1f}{p99:>10.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=60)
    parser.add_argument("--uploads", type=int, default=10)
    args = parser.parse_args()
    renders(args.renders)
    uploads(args.uploads)


if __name__ == "__main__":
    main()

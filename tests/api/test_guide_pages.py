"""The public pages on one layout, over real HTTP on SQLite and PostgreSQL: 办事指南 (/guide and
/guide/{itemCode}), the question form (the same use case and limit as askQuestion), HTML in
questions and answers escaped, and — in headless Chromium with every host but 127.0.0.1
unresolvable — the guide pages, the status page and the verification page each load with no
console error and no request beyond the server, a screenshot of each in test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from tests.api.browser import CHROMIUM, Browser
from tests.api.conftest import Api
from tests.api.test_consultation_api import board, people, settle
from tests.api.test_dashboard_pages import local_only
from tests.api.test_documents_api import issued
from xuke.application.clock import SettableClock
from xuke.application.consultation import ConsultationCommands
from xuke.application.principal import Principal
from xuke.application.rate_limits import DEFAULT_LIMITS, QUESTION, Limit, RateLimits
from xuke.domain.roles import Role

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
HOSTILE = '<script>alert("问")</script><img src=x onerror=alert(1)>'
LAYOUT = '<header class="site">'


def answered_publicly(api: Api, question: str, reply: str) -> None:
    """A question asked through the form, answered and published by the province's staff."""
    form = api.client.post(
        "/guide/GYCP-SCXK/questions", data={"question": question, "contact": "secret@例子.cn"}
    )
    assert form.status_code == 303, form.text
    settle(api)
    handler = Principal("h-1", frozenset({Role.HANDLER}), "440000", "440000")
    commands = ConsultationCommands(api.services.app)
    (row,) = board(api, people(api)["handler"], status="OPEN")["edges"]
    commands.answer(handler, UUID(row["node"]["id"]), reply)
    settle(api)


def test_the_guide_pages_share_the_layout_and_show_the_guide(api: Api) -> None:
    listing = api.client.get("/guide")
    assert listing.status_code == 200 and LAYOUT in listing.text and "办事指南" in listing.text
    for item in api.services.app.catalogue.items:
        assert f'href="/guide/{item.code}"' in listing.text and item.name in listing.text
    page = api.client.get("/guide/GYCP-SCXK")
    assert page.status_code == 200 and LAYOUT in page.text
    for text in ("工业产品生产许可证核发", "办理条件", "申请材料", "办理流程", "60 个工作日",
                 "30 个工作日", "收费标准", "办理窗口", "/guide/GYCP-SCXK/templates/SQS", "我要咨询"):  # fmt: skip
        assert text in page.text, text
    for path in ("/status", "/verify/XK440000-GYCP-2026-999999", "/guide", "/guide/GYCP-SCXK"):
        assert LAYOUT in api.client.get(path).text, path  # one layout for every public page
    missing = api.client.get("/guide/NO-SUCH")
    assert missing.status_code == 404 and "未找到许可事项" in missing.text
    hostile = api.client.get("/guide/%3Cscript%3Ex")
    assert hostile.status_code == 404 and "<script>x" not in hostile.text
    assert "&lt;script&gt;x" in hostile.text


def test_the_pages_carry_the_public_security_headers(api: Api) -> None:
    for path in ("/guide", "/guide/GYCP-SCXK", "/guide/NO-SUCH"):
        page = api.client.get(path)
        csp = page.headers["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp, path
        assert page.headers["x-frame-options"] == "DENY", path
        assert page.headers["referrer-policy"] == "no-referrer", path


def test_the_form_asks_like_askquestion_and_escapes_everything(api: Api) -> None:
    p = people(api)
    # every try counts against the limit, refused ones too: room for this test's tries
    api.services.rate_limits = RateLimits(
        api.services.views, {**DEFAULT_LIMITS, QUESTION: Limit(50, 600)}
    )
    before = board(api, p["handler"])["totalCount"]
    for question, contact, message in (
        ("", "13800138000", "咨询内容不能为空"),
        ("问" * 2001, "13800138000", "咨询内容最多 2000 字"),
        ("有效期多久？", "", "请留下联系方式"),
    ):
        refused = api.client.post(
            "/guide/GYCP-SCXK/questions", data={"question": question, "contact": contact}
        )
        assert refused.status_code == 400 and message in refused.text, refused.text[-800:]
        assert LAYOUT in refused.text
    unknown = api.client.post("/guide/NO-SUCH/questions", data={"question": "问", "contact": "x"})
    assert unknown.status_code == 404
    assert board(api, p["handler"])["totalCount"] == before  # nothing stored
    # a refused form keeps what was typed, escaped
    kept = api.client.post("/guide/GYCP-SCXK/questions", data={"question": "", "contact": HOSTILE})
    assert HOSTILE not in kept.text and "&lt;script&gt;" in kept.text
    answered_publicly(api, HOSTILE + " 需要什么材料？", "请见申请材料。" + HOSTILE)
    page = api.client.get("/guide/GYCP-SCXK")
    assert page.status_code == 200
    assert HOSTILE not in page.text and page.text.count("&lt;script&gt;alert(&#34;问&#34;)") == 2
    assert "secret@例子.cn" not in page.text  # the contact is never shown
    assert "咨询问答（1）" in page.text and "广东省市场监督管理局" in page.text
    # the form's question went the same way as askQuestion: to the province, channel PUBLIC
    node = board(api, p["handler"])["edges"][0]["node"]
    assert node["contact"] == "secret@例子.cn" and node["answerDue"] == "2026-10-10"
    after = api.client.get("/guide/GYCP-SCXK?asked=1")
    assert "您的咨询已提交" in after.text


def test_the_question_form_is_rate_limited_with_askquestion(api: Api) -> None:
    for n in range(5):
        sent = api.client.post(
            "/guide/JLQJ-XSPZ/questions", data={"question": f"问题{n}", "contact": "x"}
        )
        assert sent.status_code == 303
    over = api.client.post("/guide/JLQJ-XSPZ/questions", data={"question": "再问", "contact": "x"})
    assert over.status_code == 429 and "提交过于频繁" in over.text
    graphql = api.client.post(  # the same client's limit, whichever door it knocks on
        "/graphql",
        json={"query": "mutation { askQuestion(question: \"GraphQL 呢？\", contact: \"x\") "
              "{ errors { code } } }"},
    )  # fmt: skip
    assert graphql.status_code == 429
    assert graphql.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


@needs_chromium
def test_the_public_pages_in_a_real_browser(api: Api, clock: SettableClock) -> None:
    _, certificate = issued(api, clock)
    answered_publicly(api, HOSTILE + " 委托加工需要许可证吗？", "需要。" + HOSTILE)
    pages = {
        "guide-list": "/guide",
        "guide-item": "/guide/GYCP-SCXK",
        "status-form": "/status",
        "verify": f"/verify/{certificate}",
    }
    for width, suffix in ((1280, ""), (390, "-phone")):
        with Browser(width=width, height=900) as browser:
            for name, path in pages.items():
                browser.goto(api.url + path)
                browser.screenshot(ARTIFACTS / f"{name}{suffix}.png")
                assert browser.evaluate("!!document.querySelector('header.site nav')"), name
                assert browser.evaluate("document.querySelectorAll('script').length") == 0, name
                if width < 400:  # readable on a phone: nothing wider than the screen
                    assert browser.evaluate(
                        "document.documentElement.scrollWidth <= window.innerWidth + 1"
                    ), name
            text = browser.evaluate("document.body.innerText")
            assert "该许可证目前有效" in text  # the verify page, last
            browser.goto(api.url + "/guide/GYCP-SCXK")
            qa = browser.evaluate("document.querySelector('.qa').innerText")
            assert HOSTILE in qa  # shown as text, not run
            assert browser.evaluate("typeof window.alert === 'function'")
            assert browser.errors() == []
            assert local_only(api, browser.requests()) == []
    for name in pages:
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000
        assert (ARTIFACTS / f"{name}-phone.png").stat().st_size > 10_000

"""End to end in a real headless Chromium (Debian's `chromium`, driven by
Playwright with the system browser; no downloaded browser): a villager files
a request through the signed WeChat webhook, a staff member on a phone-sized
window signs in, finds it at the top of the queue, claims it, replies, and
closes it; the local fake WeChat API receives the reply.

Not skipped when the browser is missing: `.ci/run` (scripts/test) installs
it, and a missing browser fails here with a message saying how to install it.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import time

import pytest
from werkzeug.serving import make_server

from tests.conftest import Villager

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PASSWORD = "e2e-password-1"
INTAKE = ["我要告他，他欠钱不还", "同意", "张三丰", "13812345678", "和尚岭村", "6",
          "去年借给邻居王五两万块钱，写了借条，到现在不还", "王五", "1", "同村",
          "是", "2025年2月10日", "1", "1", "2025年10月1日", "没有", "4", "没有"]


def _require_browser():
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        pytest.fail("Playwright for Python is not installed: pip install -r requirements.txt "
                    "(never `playwright install`: the test uses Debian's chromium)")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(f"{CHROMIUM} not found: install Debian's browser with "
                    "`apt-get install -y chromium` (scripts/test does this when run as root)")


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def file_ticket_through_webhook(client, openid: str) -> str:
    v = Villager(client, openid)
    for text in INTAKE:
        v.say(text)
    done = v.say("确认")
    m = re.search(r"SF-\d{4}-\d{4}", done or "")
    assert m, f"no ticket number in the confirmation: {done!r}"
    return m.group(0)


def test_staff_answers_a_webhook_ticket_in_a_phone_sized_browser(app, client, live_server, fake_wechat):
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    openid = "o_e2e_villager"
    app.extensions["pufa_console"].staff.add("王所长", "town", PASSWORD)
    number = file_ticket_through_webhook(client, openid)
    queue = app.extensions["pufa"].services.queue
    assert queue.get(number).data["status"] == "new"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740}, locale="zh-CN")
            page.set_default_timeout(15000)
            started = time.monotonic()

            page.goto(f"{live_server}/console/")
            expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
            page.fill("#username", "王所长")
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="登录").click()

            # the queue: the request is at the top, masked, nothing wider than the phone
            first = page.locator(".ticket-row").first
            expect(first).to_contain_text(number)
            assert "13812345678" not in page.content()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            first.locator("a").click()

            expect(page.locator("h1")).to_contain_text(number)
            expect(page.locator(".fields")).to_contain_text("138****5678")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.get_by_role("button", name="认领：这件事我来办").click()
            expect(page.locator(".flash")).to_contain_text("已认领")

            # a canned reply goes into the box (the small static script), then the staff member's own words
            page.get_by_text("插入常用回复").click()
            page.locator("button[data-insert]").first.click()
            box = page.locator("#reply-text")
            expect(box).to_have_value(re.compile("已经收到"))
            box.fill("您好，请带上借条和身份证来司法所，我们帮您写起诉状。")
            page.get_by_role("button", name="发送回复").click()
            expect(page.locator(".flash")).to_contain_text("已发到村民微信")
            expect(page.locator(".deliveries")).to_contain_text("已发到村民微信")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360

            page.select_option("#outcome", "代写文书")
            page.get_by_role("button", name="办结", exact=True).click()
            expect(page.locator(".flash")).to_contain_text("已办结")
            elapsed = time.monotonic() - started

            page.get_by_role("button", name="显示完整姓名和手机号").click()
            expect(page.locator('a[href="tel:13812345678"]')).to_be_visible()
        finally:
            browser.close()

    assert fake_wechat.sent_to(openid)[-1] == (
        f"司法所回复您（{number}）：\n您好，请带上借条和身份证来司法所，我们帮您写起诉状。")
    d = queue.get(number).data
    assert d["status"] == "closed" and d["outcome"] == "代写文书" and d["assignee"] == "王所长"
    assert [h["what"] for h in queue.history(number)][-1] == "查看联系方式"
    assert elapsed < 60, f"finding, answering and closing took {elapsed:.0f}s"

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
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
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
            expect(page.locator(".timeline .tl-reply")).to_contain_text("已发到村民微信")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360

            page.select_option("#outcome", "代写文书")
            page.get_by_role("button", name="办结", exact=True).click()
            expect(page.locator(".flash")).to_contain_text("已办结")
            assert dialogs and "确定办结" in dialogs[-1] and "代写文书" in dialogs[-1]  # asked first
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


def _launch(pw):
    return pw.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM, args=ARGS)


def _sign_in(page, base, name):
    page.goto(f"{base}/console/")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_clerk_keeps_a_typed_reply_through_faq_search_and_an_expired_session(app, client, live_server,
                                                                            fake_wechat):
    """1280 px, a town clerk: the reply survives the FAQ search and a session that ends
    mid-reply; a lawsuit is offered no 调解成功; search by the phone's last 4 digits; one
    timeline in order; a new ticket announced by the queue page."""
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    app.config["CONSOLE_POLL_SECONDS"] = 1
    openid = "o_e2e_clerk"
    staff = app.extensions["pufa_console"].staff
    staff.add("王所长", "town", PASSWORD)
    number = file_ticket_through_webhook(client, openid)
    Villager(client, openid).say("王五昨天又说没钱")
    queue = app.extensions["pufa"].services.queue
    kb = app.extensions["pufa"].services.kb

    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.set_default_timeout(15000)
            page.on("dialog", lambda d: d.accept())
            _sign_in(page, live_server, "王所长")

            # search by the last 4 digits of the villager's phone: found, still masked
            page.get_by_text("筛选和搜索").click()
            page.fill("input[name=q]", "5678")
            page.get_by_role("button", name="查找").click()
            expect(page.locator(".ticket-row").first).to_contain_text(number)
            assert "13812345678" not in page.content() and "张三丰" not in page.content()
            assert "5678" not in page.url
            page.locator(".ticket-row a").first.click()
            expect(page.locator("h1")).to_contain_text(number)

            # the lawsuit's outcomes: no 调解成功
            options = page.locator("#outcome option").all_inner_texts()
            assert "协助网上立案" in options and "调解成功" not in options

            # a reply typed, the FAQ searched (no reload), an answer inserted: the text is still there
            box = page.locator("#reply-text")
            box.fill("您好，")
            page.evaluate("window.__same_page = 1")
            page.get_by_text("插入问答库答案").click()
            entry = kb.entries[0]
            page.fill("input[name=faq]", entry.question)
            page.locator("form.faq-search button").click()
            expect(page.locator(".faq-status")).to_contain_text("找到")
            expect(page.locator(".faq-results")).to_contain_text(entry.question)
            assert page.evaluate("window.__same_page") == 1  # no reload
            expect(box).to_have_value("您好，")
            page.locator(".faq-results button[data-insert]").first.click()
            expect(box).to_have_value(re.compile("^您好，\\n\\n"))
            typed = box.input_value()

            # the session ends while the clerk is typing; 发送回复 goes to the login page and back
            staff.revoke_all("王所长")
            page.get_by_role("button", name="发送回复").click()
            expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
            expect(page.locator(".flash")).to_contain_text("登录已过期")
            page.fill("#username", "王所长")
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            expect(page.locator("h1")).to_contain_text(number)
            expect(box).to_have_value(typed)
            expect(page.locator(".draft-note")).to_contain_text("已恢复")
            assert queue.deliveries(number) == []
            page.get_by_role("button", name="发送回复").click()
            expect(page.locator(".flash")).to_contain_text("已发到村民微信")
            expect(box).to_have_value("")  # sent: the draft is forgotten
            page.reload()
            expect(box).to_have_value("")

            # one timeline, in order
            items = page.locator(".timeline > li").all_inner_texts()
            whats = [("提交申请" in t, "王五昨天又说没钱" in t, "回复村民" in t) for t in items]
            assert [w.index(True) for w in whats if any(w)] == [0, 1, 2], items

            # the queue announces a new ticket without a reload
            page.goto(f"{live_server}/console/")
            page.evaluate("window.__same_page = 2")
            queue.create(kind="legal_aid", openid="o_e2e_new", fields={"village": "林庄村", "category": "labor",
                                                                        "story": "老板不给工钱"},
                         context=[], idempotency_key="e2e-new-ticket")
            expect(page.locator(".new-arrivals")).to_contain_text("有 1 件新申请")
            assert page.evaluate("window.__same_page") == 2
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        finally:
            browser.close()
    assert fake_wechat.sent_to(openid)[-1].startswith(f"司法所回复您（{number}）：\n您好，\n\n")


MEDIATION = ["邻居家盖房占了我家的地，想找人调解一下", "同意", "赵六", "13700001111", "林庄村", "8",
             "邻居盖房多占了我家半米地基", "邻居李七", "没有"]


def test_mediator_refers_on_a_phone_and_keeps_read_access(app, client, live_server):
    """360 px, a village mediator refers a case; the town sees it in 待处理 with the mark;
    the mediator keeps a read-only page and sees its progress."""
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    staff = app.extensions["pufa_console"].staff
    staff.add("王所长", "town", PASSWORD)
    staff.add("林调解", "village", PASSWORD, village="林庄村")
    v = Villager(client, "o_e2e_mediation")
    for text in MEDIATION:
        v.say(text)
    done = v.say("确认")
    m = re.search(r"SF-\d{4}-\d{4}", done or "")
    assert m, f"no ticket number in the confirmation: {done!r}"
    number = m.group(0)

    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()
            phone.set_default_timeout(15000)
            asked = []
            phone.on("dialog", lambda d: (asked.append(d.message), d.accept()))
            _sign_in(phone, live_server, "林调解")
            phone.locator(".ticket-row a").first.click()
            expect(phone.locator("h1")).to_contain_text(number)
            options = phone.locator("#outcome option").all_inner_texts()
            assert "调解成功" in options and "代写文书" not in options
            phone.get_by_role("button", name="调解不成，转镇司法所").click()
            expect(phone.locator(".flash").first).to_contain_text("已转到镇司法所")
            assert asked and "转到镇司法所" in asked[-1]
            expect(phone.locator(".readonly")).to_be_visible()
            assert phone.get_by_role("button", name="发送回复").count() == 0
            assert phone.get_by_role("button", name="认领：这件事我来办").count() == 0
            assert phone.locator("#outcome").count() == 0
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360

            desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
            desk.set_default_timeout(15000)
            _sign_in(desk, live_server, "王所长")
            desk.get_by_role("link", name=re.compile("^待处理")).click()
            row = desk.locator(".ticket-row", has_text=number)
            expect(row).to_contain_text("由林庄村调解员林调解转来")
            row.locator("a").click()
            desk.get_by_role("button", name="认领：这件事我来办").click()
            expect(desk.locator(".flash")).to_contain_text("已认领")

            phone.get_by_role("link", name="申请队列").click()
            phone.get_by_role("link", name=re.compile("^已转司法所")).click()
            row = phone.locator(".ticket-row", has_text=number)
            expect(row).to_contain_text("处理中")
            row.locator("a").click()
            expect(phone.locator(".summary")).to_contain_text("经办：王所长")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        finally:
            browser.close()

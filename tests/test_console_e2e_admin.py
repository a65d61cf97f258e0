"""In Debian's Chromium (Playwright with the system browser, as tests/test_console_e2e.py):
an admin adds a village mediator from the console at 1280 px and the temporary
password is shown once; the mediator signs in with it on a 360 px phone and must
change it; 停用 asks first; the statistics tables scroll sideways with a hint at
360 px; the gaps page's 看最近 N 条 control fits and works at 360 px."""
from __future__ import annotations

import re

from tests.test_console_e2e import PASSWORD, _launch, _require_browser, _sign_in, live_server  # noqa: F401

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}


def _fits(page, locator, width=360) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_admin_adds_a_mediator_who_signs_in_with_the_temporary_password(app, live_server):  # noqa: F811
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    staff = app.extensions["pufa_console"].staff
    staff.add("王所长", "town", PASSWORD, admin=True)
    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_page(viewport=DESK, locale="zh-CN")
            page.set_default_timeout(15000)
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
            _sign_in(page, live_server, "王所长")
            page.get_by_role("link", name="人员").click()
            page.get_by_text("添加人员").click()
            page.fill("#username", "林调解")
            page.get_by_role("radio", name="村调解员").check()
            page.select_option("#village", "林庄村")
            page.get_by_role("button", name="添加并生成临时密码").click()
            expect(page.locator(".flash").first).to_contain_text("已添加 林调解")
            temp = page.locator("#temp-password code").inner_text().strip()
            assert len(temp) >= 12
            page.reload()  # shown once: not on the page again
            expect(page.locator("h1")).to_have_text("人员管理")
            assert temp not in page.content() and page.locator("#temp-password").count() == 0
            card = page.locator("li.card", has_text="林调解")
            expect(card).to_contain_text("村调解员 · 林庄村")
            expect(card).to_contain_text("待改密码")

            phone = browser.new_page(viewport=PHONE, locale="zh-CN")
            phone.set_default_timeout(15000)
            phone.goto(f"{live_server}/console/")
            phone.fill("#username", "林调解")
            phone.fill("#password", temp)
            phone.get_by_role("button", name="登录").click()
            expect(phone.locator("h1")).to_have_text("修改密码")
            new = "林庄村调解室的新密码2026"
            phone.fill("#current", temp)
            phone.fill("#new", new)
            phone.fill("#confirm", new)
            phone.get_by_role("button", name="保存新密码").click()
            expect(phone.locator(".flash").first).to_contain_text("密码已修改")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360
            assert staff.verify("林调解", new) and not staff.get("林调解").must_change

            # 停用 asks first (static/confirm.js), then the mediator's phone is signed out
            page.reload()
            page.locator("li.card", has_text="林调解").get_by_role("button", name="停用").click()
            expect(page.locator(".flash").first).to_contain_text("已停用 林调解")
            assert dialogs and "确定停用 林调解" in dialogs[-1]
            phone.reload()
            expect(phone.get_by_role("heading", name="工作人员登录")).to_be_visible()
        finally:
            browser.close()
    assert staff.get("林调解").disabled


def test_statistics_tables_scroll_sideways_with_a_hint_on_a_phone(app, live_server):  # noqa: F811
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    app.extensions["pufa_console"].staff.add("王所长", "town", PASSWORD)
    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_page(viewport=PHONE, locale="zh-CN")
            page.set_default_timeout(15000)
            _sign_in(page, live_server, "王所长")
            page.goto(f"{live_server}/console/stats")
            expect(page.locator("h1")).to_contain_text("工作统计")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the page itself does not
            monthly = page.locator("section", has=page.get_by_role("heading", name="按月")).locator(".scroll")
            hint = page.locator("section", has=page.get_by_role("heading", name="按月")).locator(".scroll-hint")
            expect(hint).to_be_visible()
            expect(hint).to_contain_text("左右滑动")
            assert monthly.evaluate("b => b.scrollWidth > b.clientWidth")
            before = page.locator("section", has=page.get_by_role("heading", name="按月")).locator(
                "thead th").last.bounding_box()
            assert before["x"] > 360  # 合计 is off to the right …
            at_end = "b => b.scrollLeft + b.clientWidth >= b.scrollWidth - 1"
            for step in range(60):  # … until the table is scrolled sideways to its end (a wheel may scroll
                # smoothly, in steps, and headless Chromium now and then drops one: wheel again each second;
                # the page's CSP forbids wait_for_function's eval)
                if monthly.evaluate(at_end):
                    break
                if step % 10 == 0:
                    monthly.hover()
                    page.mouse.wheel(2000, 0)
                page.wait_for_timeout(100)
            assert monthly.evaluate(at_end), "the table did not scroll sideways"
            after = page.locator("section", has=page.get_by_role("heading", name="按月")).locator(
                "thead th").last.bounding_box()
            assert after["x"] + after["width"] <= 361
            monthly.focus()  # reachable with the keyboard too
            assert monthly.evaluate("b => document.activeElement === b")

            page.set_viewport_size(DESK)  # on a desk the narrow tables fit and say nothing
            outcomes = page.locator("section", has=page.get_by_role("heading", name=re.compile("办结结果")))
            expect(outcomes.locator(".scroll-hint")).to_be_hidden()
        finally:
            browser.close()


def test_gaps_control_is_usable_on_a_phone(app, live_server):  # noqa: F811
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    app.extensions["pufa_console"].staff.add("王所长", "town", PASSWORD)
    gaps = app.extensions["pufa"].services.gaps
    for i in range(3):
        gaps.record("羊跑到邻村被扣下了怎么要回来", 20.0, "俺家的羊，跑到邻村被人扣下了！咋要回来？")
    with sync_playwright() as pw:
        browser = _launch(pw)
        try:
            page = browser.new_page(viewport=PHONE, locale="zh-CN")
            page.set_default_timeout(15000)
            _sign_in(page, live_server, "王所长")
            page.goto(f"{live_server}/console/gaps")
            expect(page.locator("ol.gaps")).to_contain_text("俺家的羊，跑到邻村被人扣下了！咋要回来？")
            form = page.locator("form.inline-choice")
            select, unit, button = form.locator("select"), form.get_by_text("条", exact=True), \
                form.get_by_role("button", name="刷新")
            for part in (form.get_by_text("看最近"), select, unit, button):
                expect(part).to_be_visible()
                assert _fits(page, part), part
            s, u = select.bounding_box(), unit.bounding_box()
            assert abs((s["y"] + s["height"] / 2) - (u["y"] + u["height"] / 2)) < 12  # "N 条" on one line
            assert s["height"] >= 40 and button.bounding_box()["height"] >= 40  # big enough for a thumb
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.get_by_label("看最近").select_option("200")
            button.click()
            page.wait_for_url(re.compile(r"/console/gaps\?n=200$"))
            expect(page.locator("#gaps-n")).to_have_value("200")
            expect(page.locator(".hint").first).to_contain_text("最近 3 个")
        finally:
            browser.close()

"""End to end in a real headless Chromium (Debian's, as tests/test_console_e2e.py):
town staff on an office screen (1280 px) and on a phone (360 px) record a 普法 activity
in the console, see it in the list and in the statistics, and download the annual
report, which is a Word document carrying the activity's figures."""
from __future__ import annotations

import shutil

import docx
import pytest

from tests.test_console_e2e import ARGS, CHROMIUM, PASSWORD, _require_browser, live_server  # noqa: F401


@pytest.mark.parametrize("width,height", [(1280, 800), (360, 740)])
def test_record_an_activity_and_download_the_report(app, live_server, tmp_path, width, height):  # noqa: F811
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    app.extensions["pufa_console"].staff.add("王所长", "town", PASSWORD)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True)
            page.set_default_timeout(15000)
            page.goto(f"{live_server}/console/")
            page.fill("#username", "王所长")
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="登录").click()

            page.get_by_role("link", name="普法活动").click()
            expect(page.locator("h1")).to_contain_text("普法活动登记")
            page.get_by_role("link", name="登记一次普法活动").click()
            page.fill("#date", "2026-12-01")
            page.fill("#title", "宪法宣传周集中宣传")
            page.select_option("#village", "和尚岭村")
            page.select_option("#kind", "宣传周")
            page.get_by_label("派出所").check()
            page.get_by_label("消防站").check()
            page.fill("#boards", "-2")  # a mistake first: refused, nothing stored, the field says why
            page.fill("#leaflets", "800")
            page.fill("#books", "200")
            page.fill("#participants", "350")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.get_by_role("button", name="登记", exact=True).click()
            expect(page.locator(".flash.error")).to_contain_text("没有保存")
            expect(page.locator("p.error")).to_contain_text("宣传版面")
            assert app.extensions["pufa"].services.activities.list() == []
            page.fill("#boards", "12")
            page.get_by_role("button", name="登记", exact=True).click()

            expect(page.locator(".flash")).to_contain_text("已登记")
            row = page.locator(".activity").first
            expect(row).to_contain_text("宪法宣传周集中宣传")
            expect(row).to_contain_text("司法所、派出所、消防站")
            expect(row).to_contain_text("彩页 800 份")
            assert page.evaluate("document.documentElement.scrollWidth") <= width

            page.get_by_role("link", name="统计").click()
            page.goto(f"{live_server}/console/stats?year=2026")
            figures = page.locator(".figures")
            expect(figures).to_contain_text("普法活动（次）")
            expect(page.locator("#activities")).to_contain_text("800")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            with page.expect_download() as info:
                page.get_by_role("link", name="下载2026年度报告（Word）").click()
            download = info.value
            assert download.suggested_filename.endswith(".docx")
            path = tmp_path / "report.docx"
            download.save_as(path)
        finally:
            browser.close()

    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "开展各类普法活动1次，制作普法宣传版面12块，发放宣传彩页800份，发放法治书籍200本，参与群众350人次" in text
    assert "调处各类矛盾纠纷共0起" in text and "二、存在的不足" in text

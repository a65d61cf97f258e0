"""The console's own error pages, passwords, signing out with a stale page, login
lock-out that nobody can stretch, staff added by an admin, documents counted once,
knowledge gaps shown as asked, draft version conflicts, and the PDF's page numbers
and font (issue 15, items 4, 7, 9, 10). Redis is real (see conftest)."""
from __future__ import annotations

import io
import os
import re
import time

import pytest
from pypdf import PdfReader

from bot.console.stats import build_report
from bot.drafts import render_pdf as pdfmod
from bot.drafts.render_pdf import render_pdf
from tests.conftest import Villager
from tests.test_console import PW, add_staff, login, make_ticket, post, queue, staff, token

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


def _is_console_page(resp, title: str, status: int) -> None:
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, (resp.status_code, body[:300])
    assert resp.mimetype == "text/html"
    assert f"<h1>{title}</h1>" in body and "回到申请队列" in body and 'lang="zh-CN"' in body
    assert "Werkzeug" not in body and "Not Found" not in body and "Method Not Allowed" not in body
    for name in SECURITY_HEADERS:
        assert name in resp.headers, (name, status)
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["Cache-Control"] == "no-store"


def admin_client(app, client, name="王所长"):
    add_staff(app, name, admin=True)
    assert login(client, name).status_code == 302
    return client


# -- error pages ------------------------------------------------------------------------------------
def test_every_console_error_is_its_own_chinese_page_with_its_headers(app, client):
    _is_console_page(client.get("/console/nonexistent"), "没有找到", 404)
    _is_console_page(client.get("/console/nonexistent/deeper?x=1"), "没有找到", 404)
    gone = client.get("/console/logout")  # a POST-only route opened with GET (e.g. after a login redirect)
    _is_console_page(gone, "不能这样打开", 405)
    assert "POST" in gone.headers["Allow"]
    _is_console_page(client.post("/console/login", data={"username": "x", "password": "y"}), "页面已过期", 400)
    _is_console_page(client.post("/console/login", data={"csrf_token": token(client), "username": "x",
                                                         "password": "y" * 70000}), "内容太长", 413)
    add_staff(app, "李调解", "village", "和尚岭村")
    assert login(client, "李调解").status_code == 302
    _is_console_page(client.get("/console/stats"), "没有权限", 403)
    _is_console_page(client.get("/console/t/SF-2000-9999"), "没有找到", 404)
    _is_console_page(client.get("/console/tickets/SF-2000-9999/draft"), "没有找到", 404)  # the drafts blueprint
    _is_console_page(client.put("/console/tickets/SF-2000-9999/draft"), "不能这样打开", 405)


def test_a_crash_in_a_console_page_is_a_chinese_500_and_is_logged(make_app, monkeypatch, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    from bot.console import stats

    def boom(*a, **k):
        raise RuntimeError("database shape changed")

    monkeypatch.setattr(stats, "report_for", boom)
    c = app.test_client()
    add_staff(app)
    assert login(c).status_code == 302
    resp = c.get("/console/stats")
    _is_console_page(resp, "系统出错了", 500)
    assert "RuntimeError" not in resp.get_data(as_text=True) and "Traceback" not in resp.get_data(as_text=True)
    assert any("database shape changed" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_paths_outside_the_console_keep_their_own_errors(app, client):
    for resp in (client.get("/nonexistent"), client.put("/wechat")):
        body = resp.get_data(as_text=True)
        assert resp.status_code in (404, 405) and "回到申请队列" not in body
        assert "Content-Security-Policy" not in resp.headers


# -- passwords ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("password, message", [
    ("short-pw-1", "至少要 12 位"),
    ("password1234", "泄露过的常用密码"),  # in the shipped breached-password list
    ("QWERTY123456", "泄露过的常用密码"),  # the list is checked without case
    ("1q2w3e4r5t6y", "泄露过的常用密码"),
    ("abcabcabcabc", "太简单"),
    ("111111111111111", "太简单"),
])
def test_weak_passwords_are_refused_everywhere(app, runner, client, password, message):
    from bot.console.staff import StaffError

    with pytest.raises(StaffError, match=message):
        staff(app).add("赵四", "town", password)
    r = runner.invoke(args=["staff", "add", "赵四", "--role", "town"], input=password + "\n")
    assert r.exit_code != 0 and message in r.output
    assert staff(app).get("赵四") is None
    add_staff(app)
    assert login(client).status_code == 302
    r = post(client, "/console/password", {"current": PW, "new": password, "confirm": password})
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert staff(app).verify("王所长", PW)  # unchanged


def test_a_long_uncommon_password_is_accepted_on_the_password_page(app, client):
    add_staff(app)
    assert login(client).status_code == 302
    new = "晒谷场边的老槐树2026"
    assert post(client, "/console/password", {"current": PW, "new": new, "confirm": new}).status_code == 302
    assert staff(app).verify("王所长", new) and not staff(app).verify("王所长", PW)
    assert "至少12位" in client.get("/console/password").get_data(as_text=True)


def test_a_password_set_before_the_rules_must_be_changed_at_the_next_login(app, client):
    from werkzeug.security import generate_password_hash

    add_staff(app)
    pufa = app.extensions["pufa"]
    pufa.redis.hset(pufa.keys("staff", "王所长"), "pw", generate_password_hash("12345678"))  # the old 8-char rule
    r = login(client, password="12345678")
    assert r.status_code == 302 and r.headers["Location"].endswith("/console/password")
    assert staff(app).get("王所长").must_change
    page = client.get("/console/password").get_data(as_text=True)
    assert "不符合现在的要求" in page
    assert client.get("/console/").headers["Location"].endswith("/console/password")


def test_the_breached_list_ships_with_the_project():
    from bot.console.staff import BREACHED_LIST, breached_passwords

    assert BREACHED_LIST.is_file()
    common = breached_passwords()
    assert len(common) > 19000 and "123456" in common and "password" in common


# -- signing out ---------------------------------------------------------------------------------------
def test_logout_with_a_stale_token_still_ends_the_session(app, client):
    add_staff(app)
    assert login(client).status_code == 302
    cookie = client.get_cookie("session").value
    for stale in ({"csrf_token": "a-token-from-yesterday"}, {}):
        r = client.post("/console/logout", data=stale)
        assert r.status_code == 302 and r.headers["Location"].endswith("/console/login")
        assert client.get("/console/").status_code == 302  # signed out
        assert login(client).status_code == 302
        cookie = client.get_cookie("session").value
    replay = app.test_client()  # the old cookie of a session ended that way is dead server-side
    client.post("/console/logout", data={"csrf_token": "stale"})
    replay.set_cookie("session", cookie)
    assert replay.get("/console/").status_code == 302
    assert client.get("/console/logout").status_code == 405  # still POST only


# -- lock-out by name ------------------------------------------------------------------------------------
def _try(app, client, password, address, name="王所长"):
    return login(client, name, password, environ_base={"REMOTE_ADDR": address})


def test_guessing_from_many_addresses_only_delays_the_account_briefly(make_app):
    app = make_app(CONSOLE_LOGIN_DELAY_ACCOUNT="1 per 2 seconds")
    add_staff(app)
    attacker = app.test_client()
    for i in range(6):  # 30 guesses from six addresses
        for _ in range(5):
            assert _try(app, attacker, "wrong-password", f"10.9.0.{i}").status_code in (401, 429)
    assert _try(app, attacker, "wrong-password", "10.9.0.0").status_code == 429  # this address is done
    user = app.test_client()
    first = _try(app, user, PW, "10.1.1.1")
    if first.status_code == 429:  # the account's pace: seconds, not 15 minutes
        text = first.get_data(as_text=True)
        assert "秒后再试" in text and "分钟后再试" not in text
        wait = int(re.search(r"请 (\d+) 秒后再试", text).group(1))
        assert wait <= 2
        time.sleep(wait + 0.1)
        first = _try(app, user, PW, "10.1.1.1")
    assert first.status_code == 302
    assert user.get("/console/").status_code == 200


def test_a_browser_that_signed_in_before_is_not_slowed_by_an_attack(make_app):
    app = make_app(CONSOLE_LOGIN_DELAY_ACCOUNT="1 per 1 hour")
    add_staff(app)
    office = app.test_client()
    assert _try(app, office, PW, "10.1.1.1").status_code == 302
    assert office.get_cookie("pufa_device", path="/console/").http_only
    office.post("/console/logout", data={"csrf_token": token(office, "/console/")})
    attacker = app.test_client()
    for i in range(3):
        for _ in range(5):
            _try(app, attacker, "wrong-password", f"10.9.0.{i}")
    stranger = app.test_client()  # a browser that never signed in waits for the pace (here an hour)
    assert _try(app, stranger, PW, "10.2.2.2").status_code == 429
    assert _try(app, office, PW, "10.1.1.1").status_code == 302  # the office PC signs in at once
    forged = app.test_client()
    forged.set_cookie("pufa_device", "forged-value", path="/console/")
    assert _try(app, forged, PW, "10.3.3.3").status_code == 429


def test_one_address_is_locked_for_one_account_and_then_for_all(make_app):
    app = make_app(CONSOLE_LOGIN_LIMIT_ADDRESS="8 per 15 minutes")
    add_staff(app)
    add_staff(app, "钱会计")
    add_staff(app, "孙干事")
    c = app.test_client()
    for _ in range(5):
        assert _try(app, c, "wrong-password", "10.5.5.5").status_code == 401
    assert _try(app, c, PW, "10.5.5.5").status_code == 429  # that account, from that address
    assert _try(app, app.test_client(), PW, "10.6.6.6").status_code == 302  # elsewhere: fine
    for _ in range(3):
        assert _try(app, c, "wrong-password", "10.5.5.5", "钱会计").status_code == 401
    assert _try(app, c, PW, "10.5.5.5", "孙干事").status_code == 429  # the address is done for everyone


# -- staff added by an admin ---------------------------------------------------------------------------------
def test_an_admin_adds_staff_and_the_temporary_password_is_shown_once(app, client):
    admin = admin_client(app, client)
    page = admin.get("/console/staff").get_data(as_text=True)
    assert "添加人员" in page and 'id="temp-password"' not in page
    r = post(admin, "/console/staff/add", {"username": "林调解", "role": "village", "village": "林庄村"},
             page="/console/staff")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "已添加 林调解" in body and r.headers["Cache-Control"] == "no-store"
    temp = re.search(r'<code class="secret">([^<]+)</code>', body).group(1)
    assert len(temp) >= 12
    assert temp not in admin.get("/console/staff").get_data(as_text=True)  # only once
    user = staff(app).get("林调解")
    assert user.role == "village" and user.village == "林庄村" and user.must_change and not user.is_admin
    new = app.test_client()
    first = login(new, "林调解", temp)
    assert first.status_code == 302 and first.headers["Location"].endswith("/console/password")
    assert new.get("/console/").headers["Location"].endswith("/console/password")  # must change it first
    # a town colleague with the admin flag
    r = post(admin, "/console/staff/add", {"username": "钱会计", "role": "town", "admin": "y"}, page="/console/staff")
    assert r.status_code == 200 and staff(app).get("钱会计").is_admin


def test_adding_staff_refuses_bad_input_politely(app, client):
    admin = admin_client(app, client)
    for data, message in (
        ({"username": "王所长", "role": "town"}, "已经存在"),
        ({"username": "赵四", "role": "village"}, "村调解员要选所在村"),
        ({"username": "赵四", "role": "village", "village": "不存在村"}, "村调解员要选所在村"),
        ({"username": "赵四", "role": "village", "village": "林庄村", "admin": "y"}, "不能当管理员"),
        ({"username": "a b/c", "role": "town"}, "用户名要"),
        ({"username": "赵四", "role": "mayor"}, "请选择角色"),
    ):
        r = post(admin, "/console/staff/add", data, page="/console/staff")
        body = r.get_data(as_text=True)
        assert r.status_code == 400 and message in body and "temp-password" not in body, (data, body[-800:])
    assert staff(app).get("赵四") is None


def test_only_admins_manage_staff(app, client):
    add_staff(app, "李干事")  # town staff without the admin flag
    add_staff(app, "王所长", admin=True)
    assert login(client, "李干事").status_code == 302
    page = client.get("/console/staff").get_data(as_text=True)
    assert "添加人员" not in page and "重置密码</button>" not in page
    for path, data in (("/console/staff/add", {"username": "赵四", "role": "town", "admin": "y"}),
                       ("/console/staff/reset", {"username": "王所长", "confirm": "1"}),
                       ("/console/staff/disable", {"username": "王所长", "confirm": "1"})):
        r = post(client, path, data, page="/console/staff")
        assert r.status_code == 403 and "没有权限" in r.get_data(as_text=True), path
    assert staff(app).get("赵四") is None and staff(app).verify("王所长", PW)  # no way to take over the admin


def test_staff_cli_sets_the_admin_flag(app, runner):
    r = runner.invoke(args=["staff", "add", "王所长", "--role", "town", "--admin"], input=PW + "\n")
    assert r.exit_code == 0 and "管理员" in r.output and staff(app).get("王所长").is_admin
    r = runner.invoke(args=["staff", "add", "林调解", "--role", "village", "--village", "林庄村", "--admin"],
                      input=PW + "\n")
    assert r.exit_code != 0 and "town" in r.output and staff(app).get("林调解") is None
    add_staff(app, "李干事")
    assert runner.invoke(args=["staff", "admin", "李干事"]).exit_code == 0 and staff(app).get("李干事").is_admin
    assert "李干事\ttown(admin)" in runner.invoke(args=["staff", "list"]).output
    assert runner.invoke(args=["staff", "admin", "李干事", "--off"]).exit_code == 0
    assert not staff(app).get("李干事").is_admin
    assert runner.invoke(args=["staff", "admin", "nobody"]).exit_code != 0


# -- documents, not versions ---------------------------------------------------------------------------------
def test_a_draft_edited_three_times_counts_one_document(app):
    pufa = app.extensions["pufa"]
    svc = app.extensions["pufa_drafts"]
    t = make_ticket(app, village="温汤村")
    first = svc.create(t.number, "王所长")
    draft = first.draft
    for i, facts in enumerate(("第一次改的事实。", "第二次改的事实。", "第三次改的事实。"), start=1):
        draft = {**draft, "facts": facts}
        version, changed = svc.save(t.number, "王所长", draft, base=i)
        assert changed == ["facts"]
    assert svc.count(t.number) == 4 and queue(app).get(t.number).data["draft_versions"] == "4"
    year = time.localtime().tm_year
    report = build_report(queue(app).list(limit=10**9), pufa.services.usage, year, 1, 12, pufa.settings.villages)
    assert report.totals["drafted"] == 1 and report.by_village["温汤村"]["drafted"] == 1
    queue(app).close(t.number, "王所长", "代写文书")  # closed as 代写文书 as well: still one document
    report = build_report(queue(app).list(limit=10**9), pufa.services.usage, year, 1, 12, pufa.settings.villages)
    assert report.totals["drafted"] == 1
    # a ticket drafted before the fix kept its version count in `drafts`
    old = make_ticket(app, village="温汤村", key="old-draft")
    pufa.redis.hset(pufa.keys("ticket", old.number), mapping={"draft_status": "drafted", "drafts": "3"})
    report = build_report(queue(app).list(limit=10**9), pufa.services.usage, year, 1, 12, pufa.settings.villages)
    assert report.totals["drafted"] == 2


# -- draft conflicts ----------------------------------------------------------------------------------------
def test_a_section_saved_with_a_base_that_does_not_exist_is_a_conflict(app, client):
    svc = app.extensions["pufa_drafts"]
    t = make_ticket(app)
    add_staff(app)
    assert login(client).status_code == 302
    svc.create(t.number, "王所长")
    path = f"/console/tickets/{t.number}/draft/facts"
    csrf = token(client, path)
    for base in ({"base": "99"}, {"base": "0"}, {"base": "-1"}, {"base": "abc"}, {"base": ""}, {}):
        r = client.post(path, data={"csrf_token": csrf, "facts": "伪造的事实。", **base})
        body = r.get_data(as_text=True)
        assert r.status_code == 409 and "没有保存" in body and "伪造的事实。" in body, base
    assert svc.count(t.number) == 1 and svc.latest(t.number).draft["facts"] != "伪造的事实。"
    from bot.drafts.store import DraftConflict

    with pytest.raises(DraftConflict):
        svc.save(t.number, "王所长", {**svc.latest(t.number).draft, "facts": "x"}, base=7)
    ok = client.post(path, data={"csrf_token": csrf, "facts": "真实的事实。", "base": "1"})
    assert ok.status_code == 302 and svc.latest(t.number).draft["facts"] == "真实的事实。"


# -- knowledge gaps keep the question as asked ----------------------------------------------------------------
def test_gap_questions_keep_the_original_text_for_display(app, client):
    text = "俺家的羊，跑到邻村被人扣下了！咋要回来？？"
    decision = app.extensions["pufa"].services.kb.decide(text)
    assert decision.kind != "answer", "pick a question the knowledge base cannot answer for this test"
    Villager(client, "o_gap_asker").say(text)
    items = app.extensions["pufa"].services.gaps.recent(5)
    assert items and items[0]["orig"] == text and items[0]["text"] == decision.normalized
    gaps = app.extensions["pufa"].services.gaps
    gaps.record("电话13812345678问工伤", 20.0, "电话13812345678，问工伤！")
    assert gaps.recent(1)[0] == {"text": "电话138****问工伤", "orig": "电话138****，问工伤！", "score": 20.0,
                                 "ts": gaps.recent(1)[0]["ts"]}
    admin = admin_client(app, app.test_client())
    page = admin.get("/console/gaps").get_data(as_text=True)
    assert "俺家的羊，跑到邻村被人扣下了！咋要回来？？" in page and "13812345678" not in page


# -- the PDF ----------------------------------------------------------------------------------------------
def _long_draft(app):
    svc = app.extensions["pufa_drafts"]
    d = svc.build({"name": "张三", "phone": "13812345678", "village": "和尚岭村", "category": "debt",
                   "other_party": "王五", "story": "借给他两万块钱"})
    d["facts"] = "\n".join(f"第{i}段：2024年借给被告王五人民币两万元，约定一年内归还，至今未还。" for i in range(60))
    return d


def _pdf(body: bytes):
    reader = PdfReader(io.BytesIO(body))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            fonts[str(font.get("/BaseFont"))] = bool(desc and "/FontFile2" in desc.get_object())
    return reader, fonts


def test_pdf_pages_are_numbered(app, monkeypatch):
    monkeypatch.setenv("PUFA_PDF_FONT", "STSong-Light")
    reader, _ = _pdf(render_pdf(_long_draft(app)))
    n = len(reader.pages)
    assert n >= 2
    for i, page in enumerate(reader.pages, start=1):
        assert f"第 {i} 页 共 {n} 页" in page.extract_text(), i


def test_pdf_embeds_a_distribution_font_when_one_is_installed(app, monkeypatch):
    found = [p for p in pdfmod.SYSTEM_FONTS if os.path.isfile(p)]
    if not found:
        pytest.skip("no CJK TrueType font installed (apt-get install fonts-arphic-uming; scripts/test does)")
    monkeypatch.delenv("PUFA_PDF_FONT", raising=False)
    reader, fonts = _pdf(render_pdf(_long_draft(app)))
    embedded = [name for name, has_file in fonts.items() if has_file]
    assert embedded and all(re.match(r"/[A-Z]{6}\+", name) for name in embedded)  # subset, embedded
    text = reader.pages[0].extract_text()
    assert "民事起诉状" in text and "原告：张三" in text.replace("\n", "")  # the text is still extractable
    assert "第 1 页" in text


def test_pdf_falls_back_to_the_built_in_font(app, monkeypatch, tmp_path):
    monkeypatch.delenv("PUFA_PDF_FONT", raising=False)
    monkeypatch.setattr(pdfmod, "SYSTEM_FONTS", (str(tmp_path / "missing.ttc"),))
    monkeypatch.setattr(pdfmod.find_font, "__defaults__", (pdfmod.SYSTEM_FONTS,))
    _, fonts = _pdf(render_pdf(_long_draft(app)))
    assert "/STSong-Light" in fonts and not any(fonts.values())
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    monkeypatch.setenv("PUFA_PDF_FONT", str(broken))
    _, fonts = _pdf(render_pdf(_long_draft(app)))
    assert "/STSong-Light" in fonts and not any(fonts.values())

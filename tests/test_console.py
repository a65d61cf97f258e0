"""The staff web console: sign-in, permissions, CSRF, login limits, session
revocation, masking, statistics, knowledge gaps, and the `flask staff` /
`flask report` commands. Redis is real (see conftest)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import time

import pytest
import yaml

from bot.console import gaps as gapmod
from bot.console.stats import build_report
from bot.queue import TicketQueue
from knowledge.faq import _as_entry
from tests.conftest import Villager

PW = "correct-horse-9"
PHONE = "13812345678"
NAME = "张三丰"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# -- helpers ------------------------------------------------------------------------------
def staff(app):
    return app.extensions["pufa_console"].staff


def queue(app):
    return app.extensions["pufa"].services.queue


def add_staff(app, name="王所长", role="town", village="", password=PW, admin=False):
    return staff(app).add(name, role, password, village=village, admin=admin)


def token(client, path="/console/login") -> str:
    resp = client.get(path)
    m = CSRF_RE.search(resp.get_data(as_text=True))
    assert m, f"no CSRF token on {path} ({resp.status_code})"
    return m.group(1)


def login(client, name="王所长", password=PW, **env):
    return client.post("/console/login", data={"csrf_token": token(client), "username": name,
                                               "password": password}, **env)


def post(client, path, data=None, page="/console/password"):
    """A console POST with the CSRF token of this client's session."""
    return client.post(path, data={"csrf_token": token(client, page), **(data or {})})


def make_ticket(app, kind="litigation", village="和尚岭村", category="debt", urgent=False, key=None, clock=None,
                openid="o_console", story="去年借给邻居王五两万块钱，写了借条，到现在不还"):
    q = queue(app)
    if clock is not None:
        q = TicketQueue(q.r, q.k, q.settings, clock=clock)
        q.outbox = queue(app).outbox
    return q.create(kind=kind, openid=openid, fields={
        "name": NAME, "phone": PHONE, "village": village, "category": category, "story": story,
        "other_party": "王五", "urgent": urgent}, context=["他欠钱不还我要去法院告他", f"村民陈述：{story}"],
        idempotency_key=key or f"draft-{time.time_ns()}")


@pytest.fixture
def town(app, client):
    add_staff(app, admin=True)  # staff management needs the admin flag
    assert login(client).status_code == 302
    return client


def mediator_client(app, village="和尚岭村", name="李调解"):
    add_staff(app, name, "village", village)
    c = app.test_client()
    assert login(c, name).status_code == 302
    return c


# -- sign-in --------------------------------------------------------------------------------
def test_login_logout_and_wrong_password(app, client):
    add_staff(app)
    assert client.get("/console/").status_code == 302  # to the login page
    assert client.get("/").headers["Location"].endswith("/console/")
    bad = login(client, password="wrong-password")
    assert bad.status_code == 401 and "用户名或密码不对" in bad.get_data(as_text=True)
    ok = login(client)
    assert ok.status_code == 302 and ok.headers["Location"] == "/console/"
    assert "申请队列" in client.get("/console/").get_data(as_text=True)
    assert post(client, "/console/logout", page="/console/").status_code == 302
    assert client.get("/console/").status_code == 302


def test_login_next_is_only_a_console_path(app, client):
    add_staff(app)
    t = token(client)
    r = client.post("/console/login?next=https://evil.example/x", data={"csrf_token": t, "username": "王所长",
                                                                         "password": PW})
    assert r.headers["Location"] == "/console/"


def test_cookie_flags_in_production(make_app):
    app = make_app({"PUFA_ENV": "production"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    add_staff(app)
    c = app.test_client()
    r = login(c, base_url="https://localhost")
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_disabled_account_cannot_log_in(app, client):
    add_staff(app, "赵四", "village", "林庄村")
    staff(app).set_disabled("赵四", True)
    assert login(client, "赵四").status_code == 401


# -- CSRF -------------------------------------------------------------------------------------
def test_every_console_post_without_csrf_token_is_refused(app, town):
    t = make_ticket(app, kind="mediation")
    add_staff(app, "李调解", "village", "和尚岭村")
    # (logout is exempt on purpose: a stale page must still sign out; tests/test_console_admin.py)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("console.") and "POST" in r.methods
             and r.endpoint != "console.logout"]
    assert {r.endpoint.split(".", 1)[1] for r in rules} >= {
        "login", "password", "staff_add", "queue", "reveal", "claim", "reply", "note", "refer", "close", "reopen",
        "assign", "gap_draft", "staff_disable", "staff_enable", "staff_reset"}
    for rule in rules:
        path = rule.rule.replace("<number>", t.number)
        data = {"username": "李调解", "text": "你好", "outcome": "调解成功", "question": "q", "category": "debt",
                "password": PW, "current": PW, "new": "another-pass-1", "confirm": "1", "to": "王所长",
                "q": PHONE[-4:]}
        resp = town.post(path, data=data)
        assert resp.status_code == 400, (rule.rule, resp.status_code)
        assert "页面已过期" in resp.get_data(as_text=True)
        wrong = town.post(path, data={**data, "csrf_token": "not-a-token"})
        assert wrong.status_code == 400, rule.rule
    # nothing happened
    d = queue(app).get(t.number).data
    assert d["status"] == "new" and [h["what"] for h in queue(app).history(t.number)] == ["filed"]
    assert not staff(app).get("李调解").disabled
    assert staff(app).verify("王所长", PW)
    # logged out too: the login form itself needs the token
    fresh = app.test_client()
    assert fresh.post("/console/login", data={"username": "王所长", "password": PW}).status_code == 400


def test_webhook_is_not_subject_to_csrf(app, client):
    v = Villager(client, "o_csrf_free")
    assert v.say("你好") is not None


# -- permissions ------------------------------------------------------------------------------
def test_village_mediator_sees_only_their_village_mediation_queue(app):
    own = make_ticket(app, kind="mediation", village="和尚岭村")
    other_village = make_ticket(app, kind="mediation", village="林庄村")
    town_case = make_ticket(app, kind="litigation", village="和尚岭村")
    m = mediator_client(app)

    listing = m.get("/console/").get_data(as_text=True)
    assert own.number in listing and other_village.number not in listing and town_case.number not in listing
    assert m.get("/console/?queue=town").status_code == 403
    assert m.get("/console/?queue=village:林庄村").status_code == 403
    assert m.get("/console/?village=林庄村").status_code == 403
    assert m.get(f"/console/t/{own.number}").status_code == 200
    for number in (other_village.number, town_case.number):
        assert m.get(f"/console/t/{number}").status_code == 404
        for action in ("claim", "reveal", "refer"):
            assert post(m, f"/console/t/{number}/{action}", page="/console/").status_code == 404
        assert post(m, f"/console/t/{number}/reply", {"text": "x"}, page="/console/").status_code == 404
        assert post(m, f"/console/t/{number}/close", {"outcome": "其他"}, page="/console/").status_code == 404
    for page in ("/console/stats", "/console/stats.csv", "/console/gaps", "/console/staff"):
        assert m.get(page).status_code == 403, page
    assert post(m, "/console/staff/disable", {"username": "李调解"}, page="/console/").status_code == 403
    assert post(m, "/console/gaps/draft", {"question": "q", "category": "debt"}, page="/console/").status_code == 403
    assert queue(app).get(other_village.number).data["status"] == "new"


def test_mediator_refers_a_case_up_to_the_town(app):
    filed = time.time() - 30 * 3600  # filed 30 hours ago: its first SLA has nearly run out
    t = make_ticket(app, kind="mediation", village="和尚岭村", clock=lambda: filed)
    m = mediator_client(app)
    path = f"/console/t/{t.number}"
    assert post(m, f"{path}/claim", page="/console/").status_code == 302
    asked = post(m, f"{path}/refer", page="/console/")  # no confirm=1: the server asks first
    assert asked.status_code == 200 and "确定转司法所" in asked.get_data(as_text=True)
    assert queue(app).get(t.number).data["queue"] == "village:和尚岭村"
    r = post(m, f"{path}/refer", {"confirm": "1"}, page="/console/")
    assert r.status_code == 302 and r.headers["Location"] == path
    d = queue(app).get(t.number).data
    assert d["queue"] == "town" and d["status"] == "referred" and d["referred_by"] == "李调解"
    assert float(d["due"]) > time.time() + 23 * 3600  # a fresh SLA clock for the town

    # the town: in 待处理, marked with who referred it, no overdue badge
    town = app.test_client()
    add_staff(app)
    login(town)
    waiting = town.get("/console/?status=new").get_data(as_text=True)
    assert t.number in waiting and "由和尚岭村调解员李调解转来" in waiting and "超时" not in waiting
    assert post(town, f"{path}/claim", page=path).status_code == 302

    # the mediator: read-only, with the progress in the 已转司法所 tab
    page = m.get(path)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "您可以查看进度" in body and "处理中" in body and "经办：王所长" in body
    assert "发送回复" not in body and "认领：这件事我来办" not in body and 'name="outcome"' not in body
    assert "记下备注" not in body
    assert PHONE not in body and "显示完整姓名和手机号" not in body
    for action, data in (("claim", {}), ("reply", {"text": "x"}), ("note", {"text": "x"}), ("reveal", {}),
                         ("close", {"outcome": "调解成功", "confirm": "1"})):
        assert post(m, f"{path}/{action}", data, page="/console/").status_code == 404, action
    tabs = m.get("/console/").get_data(as_text=True)
    assert "已转司法所 <b>1</b>" in tabs and "未办结 <b>0</b>" in tabs and t.number not in tabs
    referred = m.get("/console/?status=referred").get_data(as_text=True)
    assert t.number in referred and "只能查看" in referred
    # another village's mediator sees nothing of it
    other = mediator_client(app, "林庄村", "赵调解")
    assert other.get(path).status_code == 404 and t.number not in other.get("/console/?status=referred").get_data(
        as_text=True)


def test_town_staff_see_every_queue_and_filters(app, town):
    a = make_ticket(app, kind="mediation", village="林庄村", category="land")
    b = make_ticket(app, kind="legal_aid", village="温汤村", category="labor", urgent=True,
                    story="在工地干了半年活老板不给工钱")
    c = make_ticket(app, kind="litigation", village="和尚岭村", category="debt")
    queue(app).close(c.number, "王所长", "代写文书")
    page = town.get("/console/").get_data(as_text=True)
    assert a.number in page and b.number in page and c.number not in page  # open ones by default
    assert page.index(b.number) < page.index(a.number)  # urgent first
    assert "加急" in page and "未办结 <b>2</b>" in page and "已办结 <b>1</b>" in page
    assert c.number in town.get("/console/?status=closed").get_data(as_text=True)
    assert c.number in town.get("/console/?status=all").get_data(as_text=True)
    only = town.get("/console/?kind=legal_aid").get_data(as_text=True)
    assert b.number in only and a.number not in only
    assert a.number in town.get("/console/?village=林庄村").get_data(as_text=True)
    assert b.number not in town.get("/console/?category=land").get_data(as_text=True)
    found = town.get("/console/?q=工地").get_data(as_text=True)
    assert b.number in found and a.number not in found
    assert a.number in town.get("/console/?queue=village:林庄村").get_data(as_text=True)


def test_overdue_ticket_has_a_red_badge(app, town):
    t = make_ticket(app, clock=lambda: time.time() - 40 * 3600)
    page = town.get("/console/").get_data(as_text=True)
    assert t.number in page and "sla-overdue" in page and "超时" in page


# -- the ticket page ------------------------------------------------------------------------------
def test_phone_and_name_masked_until_shown_and_showing_is_audited(app, town, caplog):
    t = make_ticket(app, story=f"他欠我钱，我叫{NAME}，电话 {PHONE}")
    page = town.get(f"/console/t/{t.number}").get_data(as_text=True)
    assert "138****5678" in page and "张**" in page
    assert PHONE not in page and NAME not in page
    assert PHONE not in town.get("/console/?status=all").get_data(as_text=True)
    caplog.set_level(logging.INFO)
    path = f"/console/t/{t.number}"
    shown = post(town, f"{path}/reveal", page=path)
    assert shown.status_code == 303 and shown.headers["Location"] == path  # nothing in the URL
    body = town.get(path).get_data(as_text=True)
    assert PHONE in body and NAME in body and f'href="tel:{PHONE}"' in body and "查看联系方式" in body
    history = queue(app).history(t.number)
    assert history[-1]["what"] == "查看联系方式" and history[-1]["who"] == "王所长"
    # the reveal sticks while the staff member works on the page (认领 reloads it): no second log entry
    post(town, f"{path}/claim", page=path)
    assert PHONE in town.get(path).get_data(as_text=True)
    post(town, f"{path}/reveal", page=path)
    assert [h["what"] for h in queue(app).history(t.number)].count("查看联系方式") == 1
    # only for this browser and this ticket, and only for a while
    other = make_ticket(app)
    assert PHONE not in town.get(f"/console/t/{other.number}").get_data(as_text=True)
    colleague = app.test_client()
    add_staff(app, "钱会计")
    login(colleague, "钱会计")
    assert PHONE not in colleague.get(path).get_data(as_text=True)
    with town.session_transaction() as sess:
        sess["revealed"] = {t.number: time.time() - 1}
    assert PHONE not in town.get(path).get_data(as_text=True)
    assert PHONE not in caplog.text and NAME not in caplog.text


def test_claim_reply_note_close_from_the_ticket_page(app, town, fake_wechat, caplog):
    caplog.set_level(logging.INFO)
    t = make_ticket(app, openid="o_console_reply")
    path = f"/console/t/{t.number}"
    page = town.get(path).get_data(as_text=True)
    assert "认领" in page and "插入常用回复" in page and "发送回复" in page
    assert post(town, f"{path}/claim", page=path).status_code == 302
    assert queue(app).get(t.number).data["assignee"] == "王所长"
    second = post(town, f"{path}/claim", page=path)
    assert "不能认领" in town.get(second.headers["Location"]).get_data(as_text=True)

    r = post(town, f"{path}/reply", {"text": "请带上借条和身份证来司法所。"}, page=path)
    assert r.status_code == 302
    assert fake_wechat.sent_to("o_console_reply") == [f"司法所回复您（{t.number}）：\n请带上借条和身份证来司法所。"]
    page = town.get(path).get_data(as_text=True)
    assert "已发到村民微信" in page and "请带上借条和身份证来司法所。" in page
    assert post(town, f"{path}/reply", {"text": "  "}, page=path).status_code == 400

    fake_wechat.fail(45015)
    post(town, f"{path}/reply", {"text": "第二条回复"}, page=path)
    assert "排队等待重发" in town.get(path).get_data(as_text=True)

    assert post(town, f"{path}/note", {"text": "已电话联系，周一来所"}, page=path).status_code == 302
    forged = post(town, f"{path}/close", {"outcome": "不存在的结果", "confirm": "1"}, page=path)
    assert forged.status_code == 400 and "办结结果不对" in forged.get_data(as_text=True)
    assert queue(app).get(t.number).data["status"] == "answered"
    asked = post(town, f"{path}/close", {"outcome": "代写文书"}, page=path)  # the confirm step first
    assert asked.status_code == 200 and "确定办结" in asked.get_data(as_text=True)
    assert 'name="confirm" value="1"' in asked.get_data(as_text=True)
    assert queue(app).get(t.number).data["status"] == "answered"
    assert post(town, f"{path}/close", {"outcome": "代写文书", "confirm": "1"}, page=path).status_code == 302
    d = queue(app).get(t.number).data
    assert d["status"] == "closed" and d["outcome"] == "代写文书"
    whats = [h["what"] for h in queue(app).history(t.number)]
    assert whats == ["filed", "认领", "答复", "答复", "note", "办结"]
    page = town.get(path).get_data(as_text=True)
    assert "已办结" in page and "发送回复" not in page
    assert PHONE not in caplog.text


def test_faq_answers_offered_for_insertion(app, town):
    t = make_ticket(app)
    kb = app.extensions["pufa"].services.kb
    page = town.get(f"/console/t/{t.number}").get_data(as_text=True)
    assert page.count('data-insert="') >= 5  # the canned replies at least
    assert len(kb)
    entry = kb.entries[0]
    found = town.get(f"/console/t/{t.number}?faq={entry.question}").get_data(as_text=True)
    assert entry.question in found  # the search without JavaScript (a reload)
    # the page's script searches without a reload: JSON, for signed-in staff only
    data = town.get("/console/faq.json", query_string={"q": entry.question}).get_json()
    assert data["results"][0] == {"question": entry.question, "text": entry.reply_text()}
    assert town.get("/console/faq.json?q=").get_json() == {"results": []}
    anonymous = app.test_client().get("/console/faq.json?q=欠钱")
    assert anonymous.status_code == 401 and anonymous.get_json() == {"error": "login"}


def test_unknown_ticket_is_404(town):
    assert town.get("/console/t/SF-2000-9999").status_code == 404


# -- login rate limit ------------------------------------------------------------------------------
def test_login_locked_per_account_after_repeated_failures(app, client):
    add_staff(app)
    add_staff(app, "钱会计", "town")
    for _ in range(5):
        assert login(client, password="wrong-password").status_code == 401
    locked = login(client)  # even the right password
    assert locked.status_code == 429
    text = locked.get_data(as_text=True)
    assert "锁定" in text and "分钟后再试" in text
    assert login(app.test_client(), "钱会计").status_code == 302  # another account from the same address
    keys = app.extensions["pufa"].redis.keys(app.extensions["pufa"].keys("ratelimit") + "*")
    assert keys  # in the app's own Redis, under its prefix


def test_login_locked_per_address(make_app):
    app = make_app(CONSOLE_LOGIN_LIMIT_ADDRESS="4 per 15 minutes")
    add_staff(app)
    c = app.test_client()
    for i in range(4):
        assert login(c, f"nobody{i}", "wrong-password").status_code == 401
    assert login(c).status_code == 429
    other = app.test_client()
    assert login(other, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302


def test_limiter_counters_are_per_app(make_app):
    first, second = make_app(), make_app()
    for a in (first, second):
        add_staff(a)
    c = first.test_client()
    for _ in range(5):
        login(c, password="wrong-password")
    assert login(c).status_code == 429
    assert login(second.test_client()).status_code == 302


# -- sessions end server-side -------------------------------------------------------------------------
def _session_cookie(client):
    return client.get_cookie("session").value


def test_logout_ends_the_session_server_side(app, client):
    add_staff(app)
    login(client)
    stolen = _session_cookie(client)
    post(client, "/console/logout", page="/console/")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/console/").status_code == 302


def test_password_change_ends_other_sessions(app):
    add_staff(app)
    phone, pc = app.test_client(), app.test_client()
    login(phone)
    login(pc)
    stolen = _session_cookie(pc)
    bad = post(pc, "/console/password", {"current": "wrong-password", "new": "new-secret-22", "confirm": "new-secret-22"})
    assert bad.status_code == 400 and "现在的密码不对" in bad.get_data(as_text=True)
    r = post(pc, "/console/password", {"current": PW, "new": "new-secret-22", "confirm": "new-secret-22"})
    assert r.status_code == 302
    assert pc.get("/console/").status_code == 200  # this browser carries on
    assert phone.get("/console/").status_code == 302  # the other one is signed out
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/console/").status_code == 302
    assert login(app.test_client(), password="new-secret-22").status_code == 302


def test_disabling_an_account_ends_its_sessions(app, town):
    m = mediator_client(app)
    assert m.get("/console/").status_code == 200
    asked = post(town, "/console/staff/disable", {"username": "李调解"}, page="/console/staff")
    assert asked.status_code == 200 and "确定停用" in asked.get_data(as_text=True)
    assert m.get("/console/").status_code == 200  # nothing happened without confirm=1
    r = post(town, "/console/staff/disable", {"username": "李调解", "confirm": "1"}, page="/console/staff")
    assert r.status_code == 302
    assert m.get("/console/").status_code == 302
    assert login(app.test_client(), "李调解").status_code == 401
    assert "已停用" in town.get("/console/staff").get_data(as_text=True)
    post(town, "/console/staff/enable", {"username": "李调解"}, page="/console/staff")
    assert login(app.test_client(), "李调解").status_code == 302
    # nobody disables themselves
    post(town, "/console/staff/disable", {"username": "王所长", "confirm": "1"}, page="/console/staff")
    assert not staff(app).get("王所长").disabled


def test_password_reset_by_town_staff_forces_a_change(app, town):
    m = mediator_client(app)
    asked = post(town, "/console/staff/reset", {"username": "李调解"}, page="/console/staff")
    assert "确定重置密码" in asked.get_data(as_text=True) and m.get("/console/").status_code == 200
    r = post(town, "/console/staff/reset", {"username": "李调解", "confirm": "1"}, page="/console/staff")
    temp = re.search(r'<code class="secret">(\w+)</code>', r.get_data(as_text=True)).group(1)
    assert m.get("/console/").status_code == 302  # signed out everywhere
    again = app.test_client()
    assert login(again, "李调解", temp).headers["Location"] == "/console/password"
    assert again.get("/console/").headers["Location"] == "/console/password"
    post(again, "/console/password", {"current": temp, "new": "mine-now-123", "confirm": "mine-now-123"})
    assert again.get("/console/").status_code == 200


def test_cli_passwd_ends_sessions(app, runner):
    add_staff(app)
    c = app.test_client()
    login(c)
    result = runner.invoke(args=["staff", "passwd", "王所长"], input="brand-new-pass\n")
    assert result.exit_code == 0, result.output
    assert c.get("/console/").status_code == 302
    assert staff(app).verify("王所长", "brand-new-pass")


# -- staff CLI ---------------------------------------------------------------------------------------
def test_staff_cli_add_list_disable(app, runner):
    r = runner.invoke(args=["staff", "add", "王所长", "--role", "town"], input=PW + "\n")
    assert r.exit_code == 0 and "已添加 王所长" in r.output
    r = runner.invoke(args=["staff", "add", "李调解", "--role", "village", "--village", "和尚岭村"], input=PW + "\n")
    assert r.exit_code == 0, r.output
    assert staff(app).get("李调解").village == "和尚岭村"
    assert app.extensions["pufa"].redis.hget(app.extensions["pufa"].keys("staff", "王所长"), "pw").startswith(
        ("scrypt:", "pbkdf2:"))
    for args, inp, message in (
        (["staff", "add", "王所长", "--role", "town"], PW, "已经存在"),
        (["staff", "add", "赵四", "--role", "village"], PW, "--village"),
        (["staff", "add", "赵四", "--role", "village", "--village", "不存在村"], PW, "没有这个村"),
        (["staff", "add", "赵四", "--role", "town"], "short", "至少要 12 位"),
        (["staff", "add", "赵四", "--role", "mayor"], PW, "Invalid value"),
    ):
        r = runner.invoke(args=args, input=inp + "\n")
        assert r.exit_code != 0 and message in r.output, (args, r.output)
    listing = runner.invoke(args=["staff", "list"]).output
    assert "王所长\ttown" in listing and "李调解\tvillage\t和尚岭村\t正常" in listing
    assert runner.invoke(args=["staff", "disable", "李调解"]).exit_code == 0
    assert "停用" in runner.invoke(args=["staff", "list"]).output
    assert staff(app).verify("李调解", PW) is None
    assert runner.invoke(args=["staff", "enable", "李调解"]).exit_code == 0
    assert staff(app).verify("李调解", PW)
    assert runner.invoke(args=["staff", "disable", "nobody"]).exit_code != 0


# -- statistics --------------------------------------------------------------------------------------
def _at(year, month, day=10):
    return dt.datetime(year, month, day, 10, 0).timestamp()


@pytest.fixture
def year_of_tickets(app):
    """Tickets filed and closed through the queue API at chosen times in 2025."""
    q = queue(app)

    def at(ts):
        tq = TicketQueue(q.r, q.k, q.settings, clock=lambda: ts)
        tq.outbox = None
        return tq

    plan = [  # kind, village, category, filed month, closed month, outcome
        ("mediation", "和尚岭村", "neighbor", 1, 2, "调解成功"),
        ("mediation", "和尚岭村", "land", 1, None, None),
        ("mediation", "林庄村", "neighbor", 3, 3, "当事人撤回"),
        ("legal_aid", "温汤村", "labor", 2, 2, "转法律援助中心"),
        ("legal_aid", "林庄村", "labor", 3, 4, "提供法律咨询"),
        ("litigation", "和尚岭村", "debt", 3, 3, "代写文书"),
        ("litigation", "温汤村", "debt", 4, 4, "协助网上立案"),
        ("litigation", "温汤村", "debt", 12, None, None),
    ]
    for i, (kind, village, category, filed, closed, outcome) in enumerate(plan):
        t = at(_at(2025, filed)).create(kind=kind, openid=f"o_stats_{i}", fields={
            "name": NAME, "phone": PHONE, "village": village, "category": category, "story": "x"},
            context=[], idempotency_key=f"stats-{i}")
        if closed:
            at(_at(2025, closed, 20)).close(t.number, "王所长", outcome)
    # a 2024 ticket closed in January 2025 counts its outcome in 2025
    old = at(_at(2024, 12)).create(kind="mediation", openid="o_stats_old", fields={
        "village": "林庄村", "category": "marriage", "story": "x"}, context=[], idempotency_key="stats-old")
    at(_at(2025, 1, 5)).close(old.number, "王所长", "调解成功")
    # court documents drafted for an open ticket (another module may set this field)
    q.r.hset(q.k("ticket", q.list(kind="litigation")[-1].number), "drafts", "2")
    usage = app.extensions["pufa"].services.usage
    for month, category, n in (("2025-01", "debt", 30), ("2025-03", "labor", 12), ("2025-03", "other", 3)):
        q.r.hset(usage.stats_key(month), category, n)
    return app


def test_statistics_figures_by_month_category_and_village(year_of_tickets):
    app = year_of_tickets
    pufa = app.extensions["pufa"]
    r = build_report(queue(app).list(limit=10**9), pufa.services.usage, 2025, 1, 12, pufa.settings.villages)
    t = r.totals
    assert t["received"] == 8 and t["mediation"] == 3 and t["legal_aid"] == 2 and t["litigation"] == 3
    assert t["mediated"] == 2 and t["aid_referred"] == 1 and t["consult_staff"] == 1 and t["filed_online"] == 1
    assert t["drafted"] == 3  # one closed as 代写文书 + two drafted for the December ticket
    assert t["answered"] == 45 and t["closed"] == 7
    assert r.by_month["mediated"][:2] == [1, 1]  # January (the 2024 case) and February
    assert r.by_month["received"] == [2, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert r.by_category["neighbor"]["mediation"] == 2 and r.by_category["debt"]["answered"] == 30
    assert r.by_category["other"]["answered"] == 3
    assert r.by_village["和尚岭村"] == {"received": 3, "mediation": 2, "mediated": 1, "legal_aid": 0, "drafted": 1}
    assert r.by_village["温汤村"]["drafted"] == 2
    assert r.aid_outcomes["转法律援助中心"] == 1 and r.aid_outcomes["提供法律咨询"] == 1
    q1 = build_report(queue(app).list(limit=10**9), pufa.services.usage, 2025, 1, 3)
    assert q1.months == ["2025-01", "2025-02", "2025-03"] and q1.totals["received"] == 6


def test_statistics_page_chart_and_csv(year_of_tickets, client):
    app = year_of_tickets
    add_staff(app)
    login(client)
    page = client.get("/console/stats?year=2025").get_data(as_text=True)
    assert page.count("<svg") >= 3 and "<rect" in page and "2025年1月至12月" in page
    assert "调解成功" in page and "代写法律文书" in page and "和尚岭村" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from a CDN
    resp = client.get("/console/stats.csv?year=2025&from=1&to=6")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    header = next(r for r in rows if r and r[0] == "项目")
    assert header[1:] == ["1月", "2月", "3月", "4月", "5月", "6月", "合计"]
    received = next(r for r in rows if r and r[0].startswith("收到求助申请"))
    assert received[1:] == ["2", "1", "3", "1", "0", "0", "7"]
    assert PHONE not in resp.get_data(as_text=True) and NAME not in resp.get_data(as_text=True)


def test_flask_report_prints_the_same_table(year_of_tickets, runner):
    result = runner.invoke(args=["report", "--year", "2025"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2025年1月至12月" in out and "调解成功（件）" in out and "按村（社区）" in out
    line = next(l for l in out.splitlines() if l.startswith("收到求助申请"))
    assert line.split()[1:] == ["2", "1", "3", "1", "0", "0", "0", "0", "0", "0", "0", "1", "8"]
    csv_out = runner.invoke(args=["report", "--year", "2025", "--from", "3", "--to", "3", "--csv"]).output
    assert "2025年3月 普法助手工作统计" in csv_out and "收到求助申请（件）,3,3" in csv_out


# -- knowledge gaps ------------------------------------------------------------------------------------
GAP_TEXTS = ["宅基地证丢了怎么补办", "宅基地证丢了怎么补办", "宅基地证书丢了咋补办", "宅基地证丢了咋办",
             "被狗咬了找谁赔", "被狗咬了找谁赔钱", "狗咬人谁赔", "无人机撒药飘到我家地里"]


def test_gaps_grouped_by_similarity():
    items = [{"text": t, "score": 20.0, "ts": 1000 + i} for i, t in enumerate(GAP_TEXTS)]
    groups = gapmod.group_gaps(items)
    assert [g.count for g in groups][:2] == [4, 3]
    assert groups[0].question == "宅基地证丢了怎么补办" and len(groups[0].examples) == 3
    assert "被狗咬了找谁赔" in groups[1].examples and "被狗咬了找谁赔钱" in groups[1].examples
    assert groups[-1].examples == ["无人机撒药飘到我家地里"] and groups[-1].count == 1
    assert gapmod.group_gaps([]) == []


def test_draft_faq_entry_is_in_the_knowledge_base_format(app):
    kb = app.extensions["pufa"].services.kb
    text = gapmod.draft_yaml(kb, "宅基地证丢了怎么补办", ["宅基地证丢了怎么补办", "宅基地证书丢了咋补办"], "land",
                             today=dt.date(2026, 3, 1))
    data = yaml.safe_load(text)
    assert isinstance(data, list) and len(data) == 1
    entry = _as_entry(data[0], "draft.yaml")
    assert entry.category == "land" and entry.question == "宅基地证丢了怎么补办？"
    assert re.fullmatch(r"land-\d{3}", entry.id) and entry.id not in kb.by_id
    assert len(entry.alternates) >= 3 and "宅基地证书丢了咋补办" in entry.alternates
    assert entry.escalate == "none" and entry.updated == dt.date(2026, 3, 1) and entry.citations
    assert "answer: |" in text and "待法律顾问填写" in entry.answer


def test_gaps_page_and_draft_action(app, town):
    gaps = app.extensions["pufa"].services.gaps
    for t in GAP_TEXTS:
        gaps.record(t, 25.0)
    page = town.get("/console/gaps").get_data(as_text=True)
    assert "宅基地证丢了怎么补办" in page and "4 次" in page and "起草问答条目" in page
    r = post(town, "/console/gaps/draft", {"question": "被狗咬了找谁赔", "examples": "被狗咬了找谁赔钱\n狗咬人谁赔",
                                            "category": "neighbor"}, page="/console/gaps")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "category: neighbor" in body and "狗咬人谁赔" in body
    dl = post(town, "/console/gaps/draft", {"question": "被狗咬了找谁赔", "examples": "狗咬人谁赔",
                                             "category": "neighbor", "download": "1"}, page="/console/gaps")
    assert "attachment" in dl.headers["Content-Disposition"]
    assert yaml.safe_load(dl.get_data(as_text=True))[0]["category"] == "neighbor"


# -- pages work on a phone without anything from outside --------------------------------------------
def test_pages_ship_their_own_assets(app, town):
    make_ticket(app)
    page = town.get("/console/").get_data(as_text=True)
    assert 'name="viewport"' in page and "/console/static/console.css" in page
    assert town.get("/console/static/console.css").status_code == 200
    assert town.get("/console/static/console.js").status_code == 200
    assert not re.search(r'(src|href)="(https?:)?//', page)
    resp = town.get("/console/")
    assert resp.headers["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in resp.headers[
        "Content-Security-Policy"]


# -- outcomes that fit the case ---------------------------------------------------------------------
def _options(page: str) -> list[str]:
    select = re.search(r'<select id="outcome".*?</select>', page, re.S).group(0)
    return [o for o in re.findall(r'<option value="([^"]*)"', select) if o]


def test_outcomes_offered_fit_the_kind_and_the_role(app, town):
    lawsuit = make_ticket(app, kind="litigation")
    aid = make_ticket(app, kind="legal_aid", category="labor")
    mediation = make_ticket(app, kind="mediation")
    offered = _options(town.get(f"/console/t/{lawsuit.number}").get_data(as_text=True))
    assert "调解成功" not in offered and {"协助网上立案", "代写文书", "建议自行起诉", "不予受理转其他部门",
                                          "当事人撤回"} <= set(offered)
    aid_offered = _options(town.get(f"/console/t/{aid.number}").get_data(as_text=True))
    assert {"转法律援助中心", "不符合条件已告知"} <= set(aid_offered) and "调解成功" not in aid_offered
    m = mediator_client(app)
    mine = _options(m.get(f"/console/t/{mediation.number}").get_data(as_text=True))
    assert "调解成功" in mine and "当事人撤回" in mine and "代写文书" not in mine and "转法律援助中心" not in mine
    assert "调解不成，转镇司法所" in m.get(f"/console/t/{mediation.number}").get_data(as_text=True)


def test_a_forged_outcome_is_refused_and_logged(app, town, caplog):
    caplog.set_level(logging.WARNING)
    lawsuit = make_ticket(app, kind="litigation")
    r = post(town, f"/console/t/{lawsuit.number}/close", {"outcome": "调解成功", "confirm": "1"},
             page=f"/console/t/{lawsuit.number}")
    assert r.status_code == 400 and "协助网上立案" in r.get_data(as_text=True)
    assert queue(app).get(lawsuit.number).data["status"] == "new"
    assert "outcome does not fit" in caplog.text
    mediation = make_ticket(app, kind="mediation")
    m = mediator_client(app)
    r = post(m, f"/console/t/{mediation.number}/close", {"outcome": "代写文书", "confirm": "1"}, page="/console/")
    assert r.status_code == 400 and queue(app).get(mediation.number).data["status"] == "new"
    # the queue refuses it too, whoever calls it
    from bot.queue import TicketError
    with pytest.raises(TicketError):
        queue(app).close(lawsuit.number, "王所长", "调解成功")
    with pytest.raises(TicketError):
        queue(app).close(mediation.number, "李调解", "代写文书", role="village")


def test_the_villager_reads_the_outcome_in_plain_words(app, client, town):
    v = Villager(client, "o_outcome")
    t = make_ticket(app, kind="mediation", openid="o_outcome")
    post(town, f"/console/t/{t.number}/close", {"outcome": "当事人撤回", "confirm": "1"}, page="/console/")
    assert queue(app).get(t.number).data["outcome"] == "当事人撤回"
    assert "已办结，您已撤回申请" in v.say("我的申请")
    done = make_ticket(app, kind="mediation", openid="o_outcome")
    queue(app).close(done.number, "李调解", "调解成功", role="village")
    assert "已办结，调解成功" in v.say("我的申请")


# -- a typed reply is never lost ------------------------------------------------------------------
def test_a_reply_posted_after_the_session_ended_comes_back_to_the_ticket(app, client):
    add_staff(app)
    login(client)
    t = make_ticket(app)
    path = f"/console/t/{t.number}"
    csrf = token(client, path)
    staff(app).revoke_all("王所长")  # the session ends (idle timeout, password changed elsewhere…)
    r = client.post(f"{path}/reply", data={"csrf_token": csrf, "text": "请带上借条来司法所。"})
    assert r.status_code == 302
    assert r.headers["Location"] == f"/console/login?next=/console/t/{t.number}"
    assert "请带上借条" not in r.headers["Location"]  # the text is not carried in the URL
    login_page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "登录已过期" in login_page
    back = client.post(r.headers["Location"], data={"csrf_token": token(client, r.headers["Location"]),
                                                    "username": "王所长", "password": PW})
    assert back.status_code == 302 and back.headers["Location"] == path
    assert client.get(path).status_code == 200
    assert queue(app).deliveries(t.number) == []  # nothing was sent behind the staff member's back
    # an action URL opened as a page goes to the ticket, never a 405
    for action in ("reply", "close", "claim", "refer", "reveal"):
        page = client.get(f"{path}/{action}")
        assert page.status_code == 302 and page.headers["Location"] == path, action


def test_a_sent_reply_tells_the_page_to_forget_its_draft(app, town, fake_wechat):
    t = make_ticket(app, openid="o_draft_sent")
    path = f"/console/t/{t.number}"
    page = town.get(path).get_data(as_text=True)
    assert 'data-sent-draft=""' in page and 'name="draft_id"' in page and "ticket.js" in page
    post(town, f"{path}/reply", {"text": "您好。", "draft_id": "d-42"}, page=path)
    assert 'data-sent-draft="d-42"' in town.get(path).get_data(as_text=True)
    assert 'data-sent-draft=""' in town.get(path).get_data(as_text=True)  # once only
    refused = post(town, f"{path}/reply", {"text": "  ", "draft_id": "d-43"}, page=path)
    assert refused.status_code == 400 and 'data-sent-draft=""' in refused.get_data(as_text=True)
    assert town.get("/console/static/ticket.js").status_code == 200
    assert town.get("/console/static/confirm.js").status_code == 200


# -- search by the villager -----------------------------------------------------------------------
def test_search_by_phone_or_name_is_masked_and_audited(app, town, caplog):
    caplog.set_level(logging.INFO)
    t = make_ticket(app)
    other = make_ticket(app, story="工地老板不给工钱")
    queue(app).r.hset(queue(app).k("ticket", other.number), mapping={"phone": "13900001111", "name": "李四"})
    for q in (PHONE[-4:], PHONE, NAME, NAME[:2]):
        r = town.post("/console/", data={"csrf_token": token(town, "/console/"), "q": q})
        body = r.get_data(as_text=True)
        assert r.status_code == 200 and t.number in body and other.number not in body, q
        assert PHONE not in body.replace(f'value="{PHONE}"', "") and NAME not in body.replace(f'value="{NAME}"', "")
    assert "/console/?" not in r.headers.get("Location", "")
    searches = [h for h in queue(app).history(t.number) if h["what"] == "按联系方式搜索"]
    assert [h["detail"] for h in searches] == ["按手机号搜索", "按手机号搜索", "按姓名搜索", "按姓名搜索"]
    assert searches[0]["who"] == "王所长"
    assert not [h for h in queue(app).history(other.number) if h["what"] == "按联系方式搜索"]
    assert "queue search matched personal data" in caplog.text
    assert PHONE not in caplog.text and PHONE[-4:] not in caplog.text and NAME not in caplog.text
    # a search in the URL (GET) never matches personal data
    assert t.number not in town.get(f"/console/?q={PHONE[-4:]}").get_data(as_text=True)
    # a mediator finds only their own queue's villagers
    mine = make_ticket(app, kind="mediation")
    elsewhere = make_ticket(app, kind="mediation", village="林庄村")
    m = mediator_client(app)
    body = m.post("/console/", data={"csrf_token": token(m, "/console/"), "q": PHONE[-4:]}).get_data(as_text=True)
    assert mine.number in body and elsewhere.number not in body and t.number not in body


# -- one timeline, assign, reopen, new-ticket indicator, queue rows ---------------------------------
def test_timeline_shows_everything_in_order(app, client, town, fake_wechat):
    openid = "o_timeline"
    t = make_ticket(app, openid=openid)
    v = Villager(client, openid)
    path = f"/console/t/{t.number}"
    v.say("王五今天又说没钱还")
    post(town, f"{path}/claim", page=path)
    post(town, f"{path}/reply", {"text": "请周一带借条来司法所。"}, page=path)
    v.say(f"补充 王五的电话是13911112222")
    post(town, f"{path}/note", {"text": "已约周一上午"}, page=path)
    v.say("好的，周一去")
    page = town.get(path).get_data(as_text=True)
    timeline = page[page.index('<ol class="timeline">'):]
    steps = ["提交申请", "王五今天又说没钱还", "认领", "已发到村民微信", "请周一带借条来司法所。", "补充情况",
             "139****2222", "已约周一上午", "好的，周一去"]
    at = [timeline.index(s) for s in steps]
    assert at == sorted(at), (list(zip(steps, at)), timeline[:3000])
    assert "13911112222" not in page and timeline.count("补充 王五") == 0  # the 补充 shows once, masked
    assert "提交前的对话" in timeline and "他欠钱不还我要去法院告他" in timeline
    for old in ("对话记录", "已发的回复", "办理记录"):
        assert f"<h2>{old}</h2>" not in page
    # after closing, the villager's messages no longer join this ticket
    queue(app).close(t.number, "王所长", "代写文书")
    v.say("谢谢司法所")
    assert [m["text"] for m in queue(app).messages(t.number)][-1] == "好的，周一去"
    # and the retention purge removes them with the rest of the personal data
    q = queue(app)
    q.clock = lambda: time.time() + 4 * 365 * 86400
    assert t.number in q.purge_personal(3 * 365 * 86400)
    assert q.messages(t.number) == []


def test_messages_during_a_dialog_are_not_recorded(app, client):
    openid = "o_dialog"
    t = make_ticket(app, openid=openid)
    v = Villager(client, openid)
    v.say("我要申请法律援助")  # starts an intake dialog: this one is recorded…
    v.say("同意")  # …the answers inside the dialog are not (names, phones of a new request)
    assert [m["text"] for m in queue(app).messages(t.number)] == ["我要申请法律援助"]


def test_assign_to_a_colleague(app, town):
    t = make_ticket(app)
    add_staff(app, "钱会计")
    add_staff(app, "孙离职")
    staff(app).set_disabled("孙离职", True)
    m_user = add_staff(app, "李调解", "village", "和尚岭村")
    path = f"/console/t/{t.number}"
    page = town.get(path).get_data(as_text=True)
    assert '<option value="钱会计">' in page and "孙离职" not in page and m_user.username not in page
    assert post(town, f"{path}/assign", {"to": "钱会计"}, page=path).status_code == 302
    d = queue(app).get(t.number).data
    assert d["assignee"] == "钱会计" and d["status"] == "claimed"
    h = queue(app).history(t.number)[-1]
    assert h["what"] == "转交" and h["who"] == "王所长" and h["detail"] == "交给 钱会计"
    for to in ("李调解", "孙离职", "nobody", ""):
        assert post(town, f"{path}/assign", {"to": to}, page=path).status_code == 400, to
    assert queue(app).get(t.number).data["assignee"] == "钱会计"
    mediation = make_ticket(app, kind="mediation")
    m = app.test_client()
    login(m, "李调解")
    assert "转交给同事" not in m.get(f"/console/t/{mediation.number}").get_data(as_text=True)
    assert post(m, f"/console/t/{mediation.number}/assign", {"to": "钱会计"}, page="/console/").status_code == 400


def test_reopen_is_audited_and_counted_closed_once(app, town):
    t = make_ticket(app)
    path = f"/console/t/{t.number}"
    queue(app).close(t.number, "王所长", "代写文书")
    page = town.get(path).get_data(as_text=True)
    assert "重新打开" in page and "发送回复" not in page
    assert post(town, f"{path}/reopen", {"reason": "村民又来电话"}, page=path).status_code == 302
    d = queue(app).get(t.number).data
    assert d["status"] == "claimed" and d["assignee"] == "王所长" and not d["outcome"] and not d["closed_at"]
    h = queue(app).history(t.number)[-1]
    assert h["what"] == "重新打开" and "代写文书" in h["detail"] and "村民又来电话" in h["detail"]
    assert "发送回复" in town.get(path).get_data(as_text=True)
    pufa = app.extensions["pufa"]
    year = dt.date.today().year
    assert build_report(queue(app).list(limit=10**9), pufa.services.usage, year).totals["closed"] == 0
    queue(app).close(t.number, "王所长", "协助网上立案")
    report = build_report(queue(app).list(limit=10**9), pufa.services.usage, year)
    assert report.totals["closed"] == 1 and report.totals["filed_online"] == 1
    assert report.outcomes["代写文书"] == 0 and report.outcomes["协助网上立案"] == 1
    assert post(town, f"{path}/reopen", page=path).status_code == 302
    assert post(town, f"{path}/reopen", page=path).status_code == 302  # not closed: refused, nothing changes
    assert [h["what"] for h in queue(app).history(t.number)].count("重新打开") == 2


def test_new_ticket_indicator_and_queue_rows(app, town):
    before = time.time()
    page = town.get("/console/").get_data(as_text=True)
    assert 'data-poll="/console/queue.json"' in page and "queue.js" in page
    assert town.get(f"/console/queue.json?since={before}").get_json() == {"arrived": 0}
    t = make_ticket(app, story=f"去年借给邻居王五两万块钱，我叫{NAME}，电话{PHONE}，到现在还不还")
    mediation = make_ticket(app, kind="mediation")
    assert town.get(f"/console/queue.json?since={before}").get_json() == {"arrived": 2}
    m = mediator_client(app)
    assert m.get(f"/console/queue.json?since={before}").get_json() == {"arrived": 1}
    after = time.time()
    queue(app).refer(mediation.number, "李调解")
    assert town.get(f"/console/queue.json?since={after}").get_json() == {"arrived": 1}  # a referral arrives
    assert m.get(f"/console/queue.json?since={after}").get_json() == {"arrived": 0}
    assert app.test_client().get("/console/queue.json?since=0").status_code == 401
    assert town.get("/console/queue.json").status_code == 400
    queue(app).claim(t.number, "王所长")
    rows = town.get("/console/").get_data(as_text=True)
    row = rows[rows.index(t.number):]
    row = row[:row.index("</li>")]
    assert "去年借给邻居王五两万块钱" in row and "经办：王所长" in row
    assert PHONE not in rows and NAME not in rows and "138****5678" in row

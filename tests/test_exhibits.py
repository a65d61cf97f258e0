"""法治文化游园 exhibits: a follower's SCAN and a new follower's subscribe-by-scan
answer with the exhibit (after the welcome), counted per exhibit per month; an
unknown code gets the menu or the welcome; `flask kb check` on exhibits;
`flask exhibits list --json` and `flask exhibits qrcode` against the fake WeChat."""
from __future__ import annotations

import datetime as dt
import io
import json
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from bot.exhibits_cli import PNG_SIGNATURE
from bot.outreach import month_of
from knowledge.exhibits import EXHIBITS_FILE, load_exhibits
from tests.conftest import Villager
from tests.test_webhook import signed

CST = ZoneInfo("Asia/Shanghai")
OATH = "heshangling-oath"
OATH_ARTICLE = "国家工作人员就职时应当依照法律规定公开进行宪法宣誓。"  # 宪法 第二十七条第三款
SAMPLE = Path(__file__).parent / "wechat" / "inbound" / "wechatpy_event_subscribe_scan_qrscene.xml"


def _event(v: Villager, event: str, key: str, offset: int) -> str:
    # Events are deduplicated on openid + CreateTime + Event + EventKey; a second apart keeps
    # the tests independent of that.
    return v.send(v.sim.event(event, key=key, create_time=int(time.time()) + offset))


def _scans(app):
    return app.extensions["pufa"].services.outreach.figures(dt.datetime.now(CST).year)["scans"]


def test_the_park_has_its_five_exhibits():
    exhibits = load_exhibits()
    titles = {e.title for e in exhibits.values() if e.village == "和尚岭村"}
    for name in ("宪法宣誓誓词", "普法亭", "学法长廊", "法治文化石盘", "以法律术语书写爱情"):
        assert any(name in t for t in titles), name
    oath = exhibits[OATH]
    assert OATH_ARTICLE in oath.text and "誓词全文刻在石上" in oath.text
    assert "全国人民代表大会常务委员会" in oath.text and "2015" in oath.text and "2018" in oath.text


def test_scan_answers_with_the_exhibit_and_its_faq_by_number(app, client):
    v = Villager(client, "o_scan")
    reply = _event(v, "SCAN", OATH, 0)
    assert "【和尚岭村法治文化游园·宪法宣誓誓词石刻】" in reply
    assert OATH_ARTICLE in reply and "法律依据：《宪法》第二十七条" in reply
    assert "1. 12月4日国家宪法日是啥日子？" in reply
    kb = app.extensions["pufa"].services.kb
    assert kb.by_id["admin-013"].reply_text()[:30] in v.say("1")


def test_two_exhibits_scanned_in_the_same_second_are_both_answered(app, client):
    v = Villager(client, "o_quick_scanner")
    now = int(time.time())
    first = v.send(v.sim.event("SCAN", key=OATH, create_time=now))
    second = v.send(v.sim.event("SCAN", key="heshangling-love", create_time=now))
    assert "宪法宣誓誓词" in first and "以法律术语书写爱情" in second
    assert v.send(v.sim.event("SCAN", key=OATH, create_time=now)) == first  # WeChat's retry: same reply


def test_subscribe_by_scan_welcomes_then_shows_the_exhibit(app, client):
    v = Villager(client, "o_new_follower")
    reply = _event(v, "subscribe", "qrscene_heshangling-love", 0)
    welcome, exhibit = reply.index("司法所的普法助手"), reply.index("“以法律术语书写爱情”拍照点")
    assert welcome < exhibit
    assert "结婚应当男女双方完全自愿" in reply


def test_the_real_subscribe_by_scan_sample_reaches_the_exhibit(app, client):
    body = SAMPLE.read_text(encoding="utf-8").replace("qrscene_123123", "qrscene_heshangling-pavilion")
    resp = client.post("/wechat", query_string=signed(), data=body.encode(), content_type="text/xml")
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "普法亭" in text and "人民调解委员会调解民间纠纷，不收取任何费用。" in text
    assert _scans(app)["by_exhibit"]["heshangling-pavilion"]["total"] == 1


def test_scans_are_counted_per_exhibit_per_month(app, client):
    v, w = Villager(client, "o_scan_a"), Villager(client, "o_scan_b")
    _event(v, "SCAN", OATH, 0)
    _event(v, "SCAN", OATH, 1)
    _event(w, "subscribe", "qrscene_" + OATH, 0)
    _event(w, "SCAN", "heshangling-corridor", 1)
    month = month_of(time.time())
    scans = _scans(app)
    assert scans["total"] == 4 and scans["by_month"] == {month: 4}
    oath = scans["by_exhibit"][OATH]
    assert oath == {"title": "宪法宣誓誓词石刻", "total": 3, "by_month": {month: 3}}
    assert scans["by_exhibit"]["heshangling-corridor"]["total"] == 1
    # Another month is its own bucket (China time).
    outreach = app.extensions["pufa"].services.outreach
    outreach.scan(OATH, dt.datetime(2026, 1, 31, 23, 30, tzinfo=CST).timestamp())
    by_month = outreach.figures(2026)["scans"]["by_exhibit"][OATH]["by_month"]
    assert by_month["2026-01"] == 1


def test_unknown_codes_get_the_menu_or_the_welcome_and_are_not_counted(app, client):
    v = Villager(client, "o_scan_unknown")
    assert "常见问题分类" in _event(v, "SCAN", "no-such-exhibit", 0)
    reply = _event(v, "subscribe", "qrscene_no-such-exhibit", 1)
    assert "司法所的普法助手" in reply and "法治文化游园" not in reply
    assert _scans(app)["total"] == 0


def test_kb_check_catches_a_duplicate_scene_and_a_misquote(runner, tmp_path, monkeypatch):
    import knowledge.exhibits

    text = EXHIBITS_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "exhibits.yaml"
    bad.write_text(text + "\n- scene: heshangling-oath\n  title: 又一块石刻\n  village: 和尚岭村\n"
                   "  text: 国家工作人员就职时应当宣誓。\n  explain: 说明。\n"
                   "  citations: [{law: 宪法, article: 27}, {law: 宪法, article: 999}]\n"
                   "  quotes: [{law: 宪法, article: 27, paragraph: 3}]\n  faq: [admin-999]\n", encoding="utf-8")
    monkeypatch.setattr(knowledge.exhibits, "EXHIBITS_FILE", bad)
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 1
    out = result.output
    assert "exhibits.yaml: heshangling-oath: duplicate scene" in out
    assert "heshangling-oath: 宪法 has no article 999" in out
    assert "heshangling-oath: text does not quote 宪法 article 27 paragraph 3 word for word" in out
    assert "heshangling-oath: no FAQ entry 'admin-999'" in out
    bad.write_text("- scene: 中文场景\n  title: t\n  village: v\n  text: x\n  explain: y\n"
                   "  citations: [{law: 宪法, article: 1}]\n", encoding="utf-8")
    assert "scene must be 1–64 ASCII" in runner.invoke(args=["kb", "check"]).output


def test_exhibits_list_json(runner):
    result = runner.invoke(args=["exhibits", "list", "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert [r["scene"] for r in rows] == list(load_exhibits())
    assert all(r["title"] and r["village"] for r in rows)
    assert {"scene": OATH, "title": "宪法宣誓誓词石刻", "village": "和尚岭村"}.items() <= rows[0].items()


def test_qrcode_from_the_fake_wechat_is_saved_as_png(runner, tmp_path, fake_wechat):
    out = tmp_path / "oath.png"
    result = runner.invoke(args=["exhibits", "qrcode", OATH, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert fake_wechat.qrcodes[-1] == {"action_name": "QR_LIMIT_STR_SCENE",
                                       "action_info": {"scene": {"scene_str": OATH}}}
    assert fake_wechat.qrcode_shown[-1] == f"fake-ticket-{OATH}"
    data = out.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (86, 86)


def test_qrcode_refuses_demo_credentials_without_a_request(make_app, tmp_path, fake_wechat):
    app = make_app({"WECHAT_APP_ID": "", "WECHAT_APP_SECRET": ""})
    before = (len(fake_wechat.qrcodes), fake_wechat.token_requests, len(fake_wechat.qrcode_shown))
    out = tmp_path / "demo.png"
    result = app.test_cli_runner().invoke(args=["exhibits", "qrcode", OATH, "--out", str(out)])
    assert result.exit_code == 2
    assert "真实凭据" in result.output and "WECHAT_APP_SECRET" in result.output
    assert not out.exists()
    assert (len(fake_wechat.qrcodes), fake_wechat.token_requests, len(fake_wechat.qrcode_shown)) == before


def test_qrcode_of_an_unknown_scene_is_refused(runner, tmp_path, fake_wechat):
    before = len(fake_wechat.qrcodes)
    result = runner.invoke(args=["exhibits", "qrcode", "no-such", "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 1 and "没有这个展项" in result.output
    assert len(fake_wechat.qrcodes) == before

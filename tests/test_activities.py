"""The 普法 activity register: one validation for the console and the CLI (bad dates,
unknown kinds, negative or non-numeric counts store nothing), the console's pages
with the town / village-mediator scopes, and edits and deletions in the audit.
Redis is real (see conftest)."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from bot.activities import ActivityError, parse_count, validate
from tests.test_console import CSRF_RE, add_staff, login, mediator_client, token

PLACES = ["下汤镇", "和尚岭村", "林庄村"]
GOOD = {"date": "2026-12-04", "title": "宪法宣传周集中宣传", "village": "和尚岭村", "organizers": "司法所,派出所",
        "kind": "宣传周", "boards": "12", "leaflets": "800", "books": "200", "participants": "350"}
CLI_GOOD = ["activities", "add", "--date", "2026-12-04", "--village", "和尚岭村", "--title", "宪法宣传周集中宣传",
            "--organizers", "司法所,国土资源所,应急办,消防站", "--boards", "12", "--leaflets", "800",
            "--books", "200", "--participants", "350", "--kind", "宣传周"]


def store(app):
    return app.extensions["pufa"].services.activities


def stored_keys(app) -> list[str]:
    pufa = app.extensions["pufa"]
    return [k for k in pufa.redis.scan_iter(match=pufa.keys("activity") + "*")]


def form_post(client, path, data, page=None):
    return client.post(path, data={"csrf_token": token(client, page or path), **data})


# -- validation (the one place) ---------------------------------------------------------------------
def test_counts_are_read_as_staff_type_them():
    assert parse_count("") == 0 and parse_count(None) == 0 and parse_count(7) == 7
    assert parse_count("1,200") == 1200 and parse_count("１２") == 12 and parse_count(" 2000份 ") == 2000
    assert parse_count("两千") == 2000 and parse_count("三十五人") == 35
    for bad in ("-3", "3.5", "十几", "abc", "12块3", True, -1, 10**7):
        with pytest.raises(ValueError):
            parse_count(bad)


@pytest.mark.parametrize("field,value,words", [
    ("date", "2026-02-30", "真实的日期"), ("date", "2026/12/04", "年-月-日"), ("date", "明天", "年-月-日"),
    ("date", "", "年-月-日"), ("date", "1999-12-04", "年-月-日"),
    ("kind", "联欢会", "活动形式"), ("boards", "-3", "0 到"), ("leaflets", "好多", "0 到"),
    ("participants", "3.5", "0 到"), ("village", "火星村", "不在名单里"), ("title", " ", "活动名称"),
    ("organizers", " , ", "组织单位"),
])
def test_bad_input_names_the_field(field, value, words):
    with pytest.raises(ActivityError) as exc:
        validate({**GOOD, field: value}, PLACES, today=dt.date(2026, 12, 3))
    assert list(exc.value.errors) == [field] and words in exc.value.errors[field]


def test_good_input_normalised():
    v = validate({**GOOD, "kind": "讲座", "organizers": ["司法所", "派出所、消防站", "司法所"], "date": "2026-1-5",
                  "books": ""}, PLACES, today=dt.date(2026, 12, 3))
    assert v["kind"] == "宣讲/讲座" and v["organizers"] == ["司法所", "派出所", "消防站"]
    assert v["date"] == "2026-01-05" and v["books"] == 0 and v["boards"] == 12
    assert validate({**GOOD, "kind": ""}, PLACES)["kind"] == "宣讲/讲座"  # the default kind


# -- the CLI ------------------------------------------------------------------------------------------
def test_cli_add_and_list(app, runner):
    result = runner.invoke(args=CLI_GOOD)
    assert result.exit_code == 0, result.output
    assert "已登记" in result.output and "版面12块" in result.output
    runner.invoke(args=[*CLI_GOOD[:3], "2025-06-01", *CLI_GOOD[4:]])
    rows = [json.loads(line) for line in runner.invoke(args=["activities", "list", "--year", "2026", "--json"])
            .output.splitlines()]
    assert len(rows) == 1
    assert rows[0]["organizers"] == ["司法所", "国土资源所", "应急办", "消防站"] and rows[0]["leaflets"] == 800
    assert rows[0]["kind"] == "宣传周" and rows[0]["created_by"] == "命令行"
    out = runner.invoke(args=["activities", "list"]).output
    assert "2025-06-01" in out and "合计：活动2次，版面24块，彩页1600份，书籍400本，参与700人次" in out


@pytest.mark.parametrize("option,value,words", [
    ("--date", "2026-13-01", "日期"), ("--date", "20261204x", "日期"), ("--boards", "-1", "宣传版面"),
    ("--books", "many", "法治书籍"), ("--kind", "联欢会", "活动形式"), ("--village", "不存在村", "不在名单里"),
])
def test_cli_refuses_bad_input_and_stores_nothing(app, runner, option, value, words):
    args = list(CLI_GOOD)
    args[args.index(option) + 1] = value
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "没有保存" in result.output and words in result.output and "Traceback" not in result.output
    assert stored_keys(app) == [] and store(app).list() == []


# -- the console --------------------------------------------------------------------------------------
@pytest.fixture
def town(app, client):
    add_staff(app)
    assert login(client).status_code == 302
    return client


def test_town_adds_edits_and_deletes_with_audit(app, town):
    resp = form_post(town, "/console/activities/new", {**GOOD, "organizers": ["司法所", "派出所"],
                                                       "other_organizers": "国土资源所、应急办"})
    assert resp.status_code == 302
    [a] = store(app).list(2026)
    assert a.data["organizers"] == ["司法所", "派出所", "国土资源所", "应急办"] and a.data["created_by"] == "王所长"
    page = town.get("/console/activities?year=2026").get_data(as_text=True)
    assert "宪法宣传周集中宣传" in page and "<b>800</b>宣传彩页" in page

    edit = f"/console/activities/{a.id}"
    assert 'value="800"' in town.get(edit).get_data(as_text=True)
    resp = form_post(town, edit, {**GOOD, "organizers": ["司法所", "派出所"],
                                  "other_organizers": "国土资源所、应急办", "leaflets": "1000", "note": "雨天改在村委会"})
    assert resp.status_code == 302
    assert store(app).get(a.id).data["leaflets"] == 1000
    page = town.get(edit).get_data(as_text=True)
    assert "宣传彩页（份）：800 → 1000" in page and "备注：（空） → 雨天改在村委会" in page and "王所长" in page

    # deleting asks first (without JavaScript: the server's own page), then keeps the record and its audit
    resp = form_post(town, f"{edit}/delete", {}, page=edit)
    assert resp.status_code == 200 and "确定删除" in resp.get_data(as_text=True)
    assert store(app).get(a.id) is not None
    resp = form_post(town, f"{edit}/delete", {"confirm": "1"}, page=edit)
    assert resp.status_code == 302
    assert store(app).get(a.id) is None and store(app).list(2026) == []
    assert store(app).get(a.id, deleted=True).data["leaflets"] == 1000
    assert [h["what"] for h in store(app).history(a.id)] == ["添加", "修改", "删除"]
    page = town.get("/console/activities?year=2026").get_data(as_text=True)
    assert "已删除的活动（1）" in page and "<b>0</b>宣传彩页" in page
    assert town.get(edit).status_code == 404


def test_console_refuses_bad_input_and_stores_nothing(app, town):
    for bad in ({"date": "2026-02-30"}, {"boards": "-5"}, {"leaflets": "好几百"}, {"kind": "联欢会"}):
        resp = form_post(town, "/console/activities/new", {**GOOD, **bad}, page="/console/activities/new")
        body = resp.get_data(as_text=True)
        assert resp.status_code == 400 and "没有保存" in body and 'role="alert"' in body
        assert "Traceback" not in body
    assert stored_keys(app) == []
    # a missing or wrong CSRF token: the console's "page expired" answer, nothing changed
    a = store(app).add(GOOD, "王所长")
    for path in ("/console/activities/new", f"/console/activities/{a.id}", f"/console/activities/{a.id}/delete"):
        for data in ({**GOOD, "boards": "99", "confirm": "1"}, {**GOOD, "boards": "99", "confirm": "1",
                                                               "csrf_token": "not-a-token"}):
            resp = town.post(path, data=data)
            assert resp.status_code == 400 and "页面已过期" in resp.get_data(as_text=True), path
    assert [x.data["boards"] for x in store(app).list()] == [12]
    assert [h["what"] for h in store(app).history(a.id)] == ["添加"]


def test_mediator_sees_and_records_only_their_village(app, client, town):
    store(app).add({**GOOD, "village": "林庄村", "title": "林庄村普法讲座"}, "王所长")
    other = store(app).list()[0]
    m = mediator_client(app, "和尚岭村")
    # recording: the village is theirs whatever the form says
    resp = form_post(m, "/console/activities/new", {**GOOD, "village": "林庄村", "title": "和尚岭村入户宣传"})
    assert resp.status_code == 302
    mine = next(a for a in store(app).list() if a.data["title"] == "和尚岭村入户宣传")
    assert mine.data["village"] == "和尚岭村" and mine.data["created_by"] == "李调解"
    page = m.get("/console/activities?year=2026&village=林庄村").get_data(as_text=True)
    assert "和尚岭村入户宣传" in page and "林庄村普法讲座" not in page
    assert m.get(f"/console/activities/{other.id}").status_code == 404
    assert form_post(m, f"/console/activities/{other.id}/delete", {"confirm": "1"},
                     page="/console/activities").status_code == 404
    assert store(app).get(other.id) is not None
    assert m.get(f"/console/activities/{mine.id}").status_code == 200
    # the statistics and the annual report are the town's
    assert m.get("/console/stats").status_code == 403
    assert m.get("/console/stats/report.docx?year=2026").status_code == 403
    # town staff see both
    page = town.get("/console/activities?year=2026").get_data(as_text=True)
    assert "和尚岭村入户宣传" in page and "林庄村普法讲座" in page


def test_nav_link_and_phone_friendly_form(app, town):
    page = town.get("/console/").get_data(as_text=True)
    assert 'href="/console/activities"' in page
    form = town.get("/console/activities/new").get_data(as_text=True)
    assert 'type="date"' in form and 'inputmode="numeric"' in form and CSRF_RE.search(form)
    assert "<script>" not in form and " style=" not in form and " onclick=" not in form
    assert re.search(r'<input[^>]*checked[^>]*value="司法所"|<input[^>]*value="司法所"[^>]*checked', form)

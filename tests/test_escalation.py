"""Escalation end to end: intake through the webhook, the ticket queue,
staff replies through WeChat's customer-service API or the outbox."""
from __future__ import annotations

import re
import time

import pytest

from bot.queue import TicketError
from handlers.intake import parse_date
from tests.conftest import Villager

INTAKE_ANSWERS = ["同意", "张三", "12345", "13812345678", "返回", "13812345678", "和上岭", "6",
                  "去年借给邻居王五两万块钱，写了借条，到现在不还", "王五", "1", "同村",
                  # what the complaint needs (knowledge/complaints.yaml, loan: ask)
                  "是", "2025年2月10日", "1", "1", "2025年10月1日", "没有",
                  "4", "没有"]


def file_ticket(v: Villager, opening="他欠钱不还我要去法院告他") -> str:
    """Files a ticket through the webhook; returns its number."""
    first = v.say(opening)
    assert "同意" in first and "个人信息保护法" in first
    replies = [v.say(a) for a in INTAKE_ANSWERS]
    assert "手机号好像不对" in replies[2]
    assert "手机号" in replies[4] and "村" not in replies[4]  # 返回 re-asks the phone
    summary = replies[-1]
    assert "和尚岭村" in summary and "13812345678" in summary and "借贷与担保" in summary
    confirm = v.sim.text("确认", msg_id=int(time.time() * 1000) + 99)
    done = [v.send(confirm) for _ in range(2)]  # WeChat's retry of the confirming message
    assert done[0] == done[1]
    number = re.search(r"SF-\d{4}-\d{4}", done[0]).group(0)
    assert "七日" in done[0] or "24小时" in done[0]
    queue = v.client.application.extensions["pufa"].services.queue
    before = len(queue.for_openid(v.openid))
    again = v.say("确认")  # the villager sends it twice: no second ticket
    assert "SF-" not in again and len(queue.for_openid(v.openid)) == before
    return number


def test_litigation_intake_to_staff_reply_delivered_once(app, client, runner, fake_wechat):
    v = Villager(client, "o_lit")
    number = file_ticket(v)
    q = app.extensions["pufa"].services.queue
    assert len(q.list()) == 1
    t = q.get(number)
    assert t.data["kind"] == "litigation" and t.data["queue"] == "town" and t.data["status"] == "new"
    assert t.data["village"] == "和尚岭村" and t.data["phone"] == "13812345678"
    assert any("告他" in line for line in q.context(number))

    result = runner.invoke(args=["tickets", "reply", number, "请带上借条和身份证来司法所，我们帮您写起诉状。"])
    assert result.exit_code == 0, result.output
    assert fake_wechat.sent_to("o_lit") == [f"司法所回复您（{number}）：\n请带上借条和身份证来司法所，我们帮您写起诉状。"]
    assert q.get(number).data["status"] == "answered"
    assert q.deliveries(number)[0]["state"] == "sent"

    listing = runner.invoke(args=["tickets", "list"])
    assert number in listing.output and "13812345678" not in listing.output
    shown = runner.invoke(args=["tickets", "show", number])
    assert "138****5678" in shown.output and "filed" in shown.output


def test_refused_reply_waits_in_outbox_and_prefixes_next_reply(app, client, runner, fake_wechat):
    v = Villager(client, "o_45015")
    number = file_ticket(v)
    fake_wechat.fail(45015)
    result = runner.invoke(args=["tickets", "reply", number, "您好，案子我们看过了。"])
    assert result.exit_code == 0 and "待发送" in result.output
    assert fake_wechat.sent_to("o_45015") == []
    reply = v.say("你好")
    assert reply.startswith(f"司法所回复您（{number}）：\n您好，案子我们看过了。")
    assert "司法所回复您" not in v.say("谢谢")  # delivered once
    outbox = app.extensions["pufa"].services.queue.outbox
    assert outbox.run_once() == 0 and fake_wechat.sent_to("o_45015") == []
    assert app.extensions["pufa"].services.queue.deliveries(number)[0]["state"] == "passive"


def test_outbox_worker_retries_until_delivered_exactly_once(app, client, fake_wechat):
    v = Villager(client, "o_retryout")
    number = file_ticket(v)
    q = app.extensions["pufa"].services.queue
    fake_wechat.fail(45047, 500, 45015)
    q.reply(number, "司法所", "第一次答复")
    outbox = q.outbox
    clock = [time.time()]
    outbox.clock = lambda: clock[0]
    for _ in range(6):
        clock[0] += 4000
        outbox.run_once()
    assert fake_wechat.sent_to("o_retryout") == [f"司法所回复您（{number}）：\n第一次答复"]
    assert outbox.depth() == 0


def test_mediation_goes_to_the_village_queue_and_can_be_referred(app, client):
    v = Villager(client, "o_med")
    first = v.say("邻居家盖房占了我家的地，想找人调解一下")
    assert "调解员" in first
    for a in ["同意", "赵六", "13700001111", "林庄村", "8", "邻居盖房多占了我家半米地基", "邻居李七", "没有"]:
        v.say(a)
    done = v.say("确认")
    number = re.search(r"SF-\d{4}-\d{4}", done).group(0)
    q = app.extensions["pufa"].services.queue
    t = q.get(number)
    assert t.data["kind"] == "mediation" and t.data["queue"] == "village:林庄村"
    assert [x.number for x in q.list(queue="village:林庄村")] == [number]
    assert q.list(queue="town") == []
    q.refer(number, "林庄村调解员")
    assert q.get(number).data["queue"] == "town" and q.get(number).data["status"] == "referred"
    with pytest.raises(TicketError):
        q.refer(number, "林庄村调解员")


def test_cancel_and_timeout_drop_the_draft(app, client):
    v = Villager(client, "o_cancel")
    v.say("我要申请法律援助")
    v.say("同意")
    assert "已取消" in v.say("取消")
    assert app.extensions["pufa"].services.queue.list() == []
    v.say("我要申请法律援助")
    pufa = app.extensions["pufa"]
    session = pufa.responder.context("o_cancel").session
    session["conv"]["touched"] -= 31 * 60
    pufa.responder._save_session("o_cancel", session)
    assert "超过30分钟" in v.say("同意")


def test_my_tickets_and_supplement(app, client):
    v = Villager(client, "o_mine")
    assert "还没有提交" in v.say("进度")
    number = file_ticket(v)
    status = v.say("我的申请")
    assert number in status and "待处理" in status
    assert number in v.say("补充 对方电话我找到了")
    assert any("对方电话" in line for line in app.extensions["pufa"].services.queue.context(number))


def test_urgent_deadline_marks_ticket_urgent(app, client):
    v = Villager(client, "o_urgent")
    v.say("我想申请法律援助，老板欠我工资")
    soon = time.strftime("%m月%d日", time.localtime(time.time() + 3 * 86400))
    for a in ["同意", "钱八", "13600002222", "温汤村", "5", "在工地干了三个月老板不给工资", "某建筑公司", "3", "不知道",
              "不知道", "不知道", "不知道", "钢筋工", "不知道", "不知道", "2", soon]:
        v.say(a)
    done = v.say("确认")
    assert "加急" in done
    number = re.search(r"SF-\d{4}-\d{4}", done).group(0)
    t = app.extensions["pufa"].services.queue.get(number)
    assert t.data["urgent"] == "1" and "第四十二条" in t.data["hardship"] and t.data["kind"] == "legal_aid"


def test_claim_race_one_wins(app, client):
    v = Villager(client, "o_claim")
    number = file_ticket(v)
    q = app.extensions["pufa"].services.queue
    q.claim(number, "甲")
    with pytest.raises(TicketError, match="处理中"):
        q.claim(number, "乙")
    history = [h["what"] for h in q.history(number)]
    assert history == ["filed", "认领"]


def test_new_ticket_stream_reclaims_unacked_entries(app, client):
    v = Villager(client, "o_stream")
    number = file_ticket(v)
    q = app.extensions["pufa"].services.queue
    got = q.read_new("worker-1", reclaim_idle_ms=0)
    assert [f["number"] for _, f in got] == [number]
    # worker-1 "crashes" before ack: the entry stays pending and another consumer reclaims it.
    again = q.read_new("worker-2", reclaim_idle_ms=0)
    assert [f["number"] for _, f in again] == [number]
    q.ack(again[0][0])
    assert q.read_new("worker-3", reclaim_idle_ms=0) == []


@pytest.mark.parametrize("text,expected", [("12月5日", (12, 5)), ("2026-12-05", (12, 5)), ("3天后", None)])
def test_parse_date(text, expected):
    import datetime as dt

    today = dt.date(2026, 11, 27)
    got = parse_date(text, today)
    if expected:
        assert (got.month, got.day) == expected
    else:
        assert got == today + dt.timedelta(days=3)


def test_human_handoff_consultation_goes_to_the_town(app, client):
    v = Villager(client, "o_consult")
    assert "您想办哪件事" in v.say("人工")
    assert "同意" in v.say("1")
    for a in ["同意", "孙九", "13500003333", "下汤社区", "13", "想问问村里低保评定不公开该找谁反映"]:
        v.say(a)
    done = v.say("确认")
    number = re.search(r"SF-\d{4}-\d{4}", done).group(0)
    t = app.extensions["pufa"].services.queue.get(number)
    assert t.data["kind"] == "consult" and t.data["queue"] == "town" and t.kind_name == "法律咨询"

"""What the intake asks a villager who wants to sue or asks for legal aid, so the
司法所 can draft the complaint without calling back (knowledge/case_facts.py,
the `ask:` fields of knowledge/complaints.yaml, handlers/intake.py)."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from bot.drafts import model
from knowledge.case_facts import NONE, parse_amount, parse_choice, parse_past_date, questions_for
from tests.conftest import Villager

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize("text, amount", [
    ("2万", "20000"), ("两万块", "20000"), ("5000", "5000"), ("5000元", "5000"), ("3.5万", "35000"),
    ("借了他一万二", "12000"), ("20,000块钱", "20000"), ("８０００", "8000"), ("3万6", "36000"),
    ("2万5千元", "25000"), ("5千", "5000"), ("大概一千五左右", "1500")])
def test_amounts_in_everyday_words(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["不少", "好多钱", ""])
def test_what_is_not_an_amount_is_asked_again(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text, date", [
    ("2024年3月5日", "2024年3月5日"), ("2024-3-5", "2024年3月5日"), ("2024.03.05", "2024年3月5日"),
    ("去年三月五号", "2025年3月5日"), ("前年腊月", "2024年农历腊月（公历2024年12月31日至2025年1月28日）"), ("2024年3月", "2024年3月"), ("3月5日", "2026年3月5日"),
    ("12月1日", "2025年12月1日"),  # said in November: last December
    ("2027年1月1日", None), ("2024年2月30日", None),
    ("上个星期", "2026年11月16日至11月22日期间"), ("下个星期", None)])
def test_past_dates_as_a_complaint_writes_them(text, date):
    assert parse_past_date(text, TODAY) == date


def test_loan_questions_come_from_the_template_and_other_matters_ask_none():
    keys = [q.key for q in questions_for("debt")]
    assert keys == ["principal", "loan_date", "pay_method", "iou", "due_date", "interest"]
    assert questions_for("neighbor") == () and questions_for(None) == ()
    pay = questions_for("debt")[2]
    assert parse_choice("3", pay.options) == "微信转账" and parse_choice("微信", pay.options) == "微信转账"
    assert parse_choice("9", pay.options) is None
    due = questions_for("debt")[4]
    assert due.parse("没有", TODAY) == NONE and due.parse("不知道", TODAY) == ""
    assert "没说好哪天还" in due.prompt() and "不知道" in due.prompt()


LOAN_START = ["我要起诉，借钱不还", "同意", "张三", "13812345678", "和尚岭村", "6",
              "前年借给邻居王五两万块钱，写了借条，一直不还", "邻居王五"]


def test_a_loan_lawsuit_collects_what_the_complaint_needs(app, client):
    v = Villager(client, "o_facts")
    replies = [v.say(t) for t in LOAN_START]
    assert "男的、女的，还是单位" in replies[-1]
    assert "对方住在哪里" in v.say("1")
    first = v.say("同村")
    assert "第1/6项" in first and "您刚才说的是 20000 元" in first
    assert "哪天借给对方的" in v.say("是")
    assert "没看懂这个日期" in v.say("好久以前")  # asked again, politely
    assert "怎么给对方的" in v.say("2024年3月5日")
    assert "借条" in v.say("1")  # 现金
    assert "哪天还钱" in v.say("1")  # 写了借条
    assert "第4/6项" in v.say("返回")  # 返回 steps back one question (借条 again)
    assert "第5/6项" in v.say("1")
    assert "利息" in v.say("2025年3月5日")
    assert "经济情况" in v.say("没有")
    v.say("4")
    summary = v.say("没有")
    assert "对方：邻居王五（男）" in summary and "对方住址：下汤镇和尚岭村" in summary
    assert "借款本金：20000元" in summary and "交付借款的方式：给的现金" in summary and "约定的利息：没有" in summary
    number = re.search(r"SF-\d{4}-\d{4}", v.say("确认")).group(0)
    d = app.extensions["pufa"].services.queue.get(number).data
    assert d["other_kind"] == "男" and d["other_address"] == "下汤镇和尚岭村"
    assert json.loads(d["facts"]) == {"principal": "20000", "loan_date": "2024年3月5日", "pay_method": "现金",
                                      "iou": "被告向原告出具了借条", "due_date": "2025年3月5日", "interest": NONE}


def test_the_villager_may_not_know_and_the_clerk_sees_what_is_missing(app, client):
    v = Villager(client, "o_facts_unknown")
    for t in [*LOAN_START, "1", "不知道", "不知道", "不知道", "1", "不知道", "不知道", "不知道", "4", "没有"]:
        v.say(t)
    number = re.search(r"SF-\d{4}-\d{4}", v.say("确认")).group(0)
    d = app.extensions["pufa"].services.queue.get(number).data
    assert d["other_address"] == "" and json.loads(d["facts"])["principal"] == ""
    text = model.plain_text(app.extensions["pufa_drafts"].build(d))
    assert "被告：王五，男，住【待补充】。" in text
    assert "判令被告偿还原告借款本金人民币20000元" in text  # the story's amount when the answer was 不知道
    assert "【待补充】，被告向原告借款" in text  # the loan date


def test_mediation_skips_the_complaint_questions(app, client):
    v = Villager(client, "o_facts_mediation")
    v.say("我想找调解员调解")
    for t in ["同意", "李四", "13812345678", "林庄村", "8", "邻居家的树挡了我家的光"]:
        v.say(t)
    assert "请核对" in v.say("邻居赵六")


LABOR_FACT_ANSWERS = ["3万6", "2025年3月到8月", "2025年3月1日", "钢筋工", "每月6000元", "平顶山市新华区某工地"]


def test_wage_arrears_legal_aid_asks_the_labour_facts(app, client):
    w = Villager(client, "o_facts_labor")
    w.say("我想申请法律援助，老板欠我工资")
    for t in ["同意", "钱八", "13600002222", "温汤村", "5", "在工地干了半年老板不给工资", "平顶山市某某建筑工程有限公司"]:
        w.say(t)
    assert "对方住在哪里" in w.say("3")
    assert "一共欠您多少工钱" in w.say("平顶山市新华区")
    replies = [w.say(t) for t in LABOR_FACT_ANSWERS]
    assert "法律援助要看经济情况" in replies[-1]
    w.say("2")
    summary = w.say("没有")
    assert "对方：平顶山市某某建筑工程有限公司（单位）" in summary and "拖欠的劳动报酬：36000元" in summary
    number = re.search(r"SF-\d{4}-\d{4}", w.say("确认")).group(0)
    d = app.extensions["pufa"].services.queue.get(number).data
    s = model.section_texts(app.extensions["pufa_drafts"].build(d))
    assert s["defendants"] == ["被告：平顶山市某某建筑工程有限公司，住所地：平顶山市新华区。"]
    assert s["claims"][1] == "1. 判令被告支付原告2025年3月到8月期间拖欠的劳动报酬人民币36000元；"
    assert s["facts"][1].startswith("原告于2025年3月1日到被告处工作，从事钢筋工工作，双方约定工资为每月6000元。")
    # what only the arbitration award can tell stays for the clerk: 仲裁 must come before a lawsuit
    assert "原告于【待补充】向【待补充】申请劳动争议仲裁" in s["facts"][2]


def test_console_shows_the_case_facts(app, client):
    from tests.test_console import add_staff, login

    v = Villager(client, "o_facts_console")
    for t in [*LOAN_START, "1", "同村", "是", "2024年3月5日", "3", "2", "没有", "月息1分", "4", "没有"]:
        v.say(t)
    number = re.search(r"SF-\d{4}-\d{4}", v.say("确认")).group(0)
    add_staff(app, "小李", "town")
    staff = app.test_client()
    login(staff, "小李")
    page = staff.get(f"/console/t/{number}").get_data(as_text=True)
    for text in ("对方住址", "下汤镇和尚岭村", "借款本金（元）", "20000", "微信转账", "没写", "约定的利息", "月息1分"):
        assert text in page, text

"""The intake answered as villagers answer (issue 12): option words, yes/no in their own
words, 不知道/没有, colloquial and lunar dates, amounts in mixed numerals — end to end over
the webhook, with no question asked twice — and the way out of a question the villager
cannot answer (【人工】 files the request as it is, marked incomplete; 【取消】 leaves).

The big table of single answers is tests/test_answers_table.py (written by someone else)."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from lunardate import LunarDate

from handlers import answers
from knowledge.case_facts import NONE
from tests.conftest import Villager

# What the bot says when it did not take an answer and asks again.
REFUSALS = ("没看懂", "没看清", "好像不对", "没找到", "需要您同意后", "请多说几句", "请说得具体一点", "您说的“")
WAY_OUT = "也可以回复【人工】，把已经填的内容直接交给工作人员；回复【取消】退出。"


def question_of(reply: str) -> str:
    """The question a reply asks: its first line, the "第i/n项" counter left out."""
    lines = [line for line in reply.splitlines() if line.strip() and not re.match(r"^（办理起诉需要的情况", line)]
    return lines[0]


def converse(v: Villager, opening: str, answers_said: list[str]) -> list[str]:
    """Says the opening and then each answer; asserts that every answer was taken (no refusal,
    no question asked a second time). Returns the replies (the opening's first)."""
    replies = [v.say(opening)]
    for said in answers_said:
        replies.append(v.say(said))
        refused = [r for r in REFUSALS if r in replies[-1]]
        assert not refused, (said, replies[-1])
    asked = [question_of(r) for r in replies[:-1]]  # the last reply is the ticket number
    assert len(asked) == len(set(asked)), asked
    return replies


def ticket_of(app, reply: str) -> dict:
    number = re.search(r"SF-\d{4}-\d{4}", reply).group(0)
    return app.extensions["pufa"].services.queue.get(number).data


def last_lunar_la_yue(today: dt.date) -> tuple[int, dt.date]:
    """The lunar year before this one, and the Gregorian day of its 腊月初一 (lunardate, as a check)."""
    year = LunarDate.from_solar_date(today.year, today.month, today.day).year - 1
    return year, LunarDate(year, 12, 1).to_solar_date()


def test_loan_lawsuit_answered_in_everyday_words(app, client):
    v = Villager(client, "o_words_loan")
    opening = "我要起诉，借钱不还"
    said = ["同意", "张三", "我的手机是13812345678", "和尚岭村", "是的",
            "借给同村王五的钱，要了好几次都不还", "王五", "对方是男的", "同村",
            "三万六", "去年腊月", "微信转的", "有借条", "没说哪天还", "没有利息",
            "家里困难", "不知道", "对"]
    replies = converse(v, opening, said)
    assert "借贷与担保】方面的事" in replies[4]  # the category the bot guessed, taken with 是的
    summary = replies[-2]
    assert "借款本金：36000元" in summary and "交付借款的方式：微信转账" in summary
    assert "约定的还款日期：没有" in summary and "约定的利息：没有" in summary
    assert "对方：王五（男）" in summary and "对方住址：下汤镇和尚岭村" in summary
    d = ticket_of(app, replies[-1])
    assert d["kind"] == "litigation" and d["category"] == "debt" and d["incomplete"] == "0"
    assert d["phone"] == "13812345678" and d["other_kind"] == "男" and d["hardship"] == "经济困难"
    assert d["deadline"] == "" and d["urgent"] == "0"
    facts = json.loads(d["facts"])
    year, first = last_lunar_la_yue(dt.date.today())
    assert facts.pop("loan_date").startswith(f"{year}年农历腊月（公历{first.year}年{first.month}月{first.day}日至")
    assert facts == {"principal": "36000", "pay_method": "微信转账", "iou": "被告向原告出具了借条",
                     "due_date": NONE, "interest": NONE}
    text = app.extensions["pufa_drafts"].build(d)
    from bot.drafts import model

    plain = model.plain_text(text)
    assert "判令被告偿还原告借款本金人民币36000元" in plain
    assert f"{year}年农历腊月" in plain and "原告以微信转账方式向被告交付了借款" in plain
    assert "双方未约定还款期限" in plain and "双方未约定利息" in plain


def test_wage_arrears_legal_aid_answered_in_everyday_words(app, client):
    w = Villager(client, "o_words_wage")
    today = dt.date.today()
    said = ["可以", "李四", "13600002222", "温汤村", "不是，是欠工资",
            "在工地干了半年，老板一直不给工钱", "平顶山市某某建筑工程有限公司", "是个公司", "不知道",
            "三万六", "去年三月到八月", "去年三月", "钢筋工", "一天200块", "平顶山市新华区某工地",
            "打工讨工资", "没有", "确认"]
    replies = converse(w, "我想申请法律援助，老板欠我工资", said)
    assert "看起来是【" in replies[4]  # a guess from 法律援助, refused in words, the right one taken from them
    assert "名字" not in replies[2] and "手机号" in replies[2]  # 李四 is a name (not 4 元)
    d = ticket_of(w.client.application, replies[-1])
    assert d["kind"] == "legal_aid" and d["category"] == "labor" and d["name"] == "李四" and d["other_kind"] == "单位"
    assert d["other_address"] == "" and "法律援助法第四十二条" in d["hardship"] and "讨薪" in d["hardship"]
    assert json.loads(d["facts"]) == {"amount": "36000", "period": "去年三月到八月",
                                      "entry_date": f"{today.year - 1}年3月", "job": "钢筋工",
                                      "wage": "一天200块", "workplace": "平顶山市新华区某工地"}


def test_neighbour_mediation_answered_in_everyday_words(app, client):
    v = Villager(client, "o_words_neighbour")
    said = ["同意的", "赵六", "13700001111", "林庄村", "邻里纠纷", "邻居盖房多占了我家半米宅基地", "邻居李七", "对的"]
    replies = converse(v, "邻居家盖房占了我家的地，想找人调解一下", said)
    assert "请核对" in replies[-2] and "邻里纠纷与损害赔偿" in replies[-2]
    d = ticket_of(app, replies[-1])
    assert d["kind"] == "mediation" and d["queue"] == "village:林庄村" and d["category"] == "neighbor"
    assert d["other_party"] == "邻居李七" and d["incomplete"] == "0"


LOAN_TO_PAY_METHOD = ["同意", "周十", "13812340000", "和尚岭村", "6", "借给邻居周五五千块钱不还", "周五", "男",
                      "同村", "是", "2024年3月5日"]


def test_nonsense_answers_offer_a_person_who_gets_the_request_as_it_is(app, client):
    from tests.test_console import add_staff, login

    v = Villager(client, "o_words_nonsense")
    v.say("我要告他，他欠钱不还")
    for said in LOAN_TO_PAY_METHOD:
        reply = v.say(said)
    assert "钱是怎么给对方的" in reply
    first, second, third = (v.say(t) for t in ("啊", "嗯嗯", "？"))
    assert "钱是怎么给对方的" in first and WAY_OUT not in first  # one refusal: asked again only
    assert "钱是怎么给对方的" in second and WAY_OUT in second  # two in a row: 【人工】 and 【取消】 offered
    assert "钱是怎么给对方的" in third and WAY_OUT in third
    done = v.say("人工")
    assert "交给了镇司法所" in done and "工作人员会在公众号里问您" in done
    d = ticket_of(app, done)
    assert d["incomplete"] == "1" and d["kind"] == "litigation" and d["name"] == "周十"
    assert json.loads(d["facts"]) == {"principal": "5000", "loan_date": "2024年3月5日"}
    assert "conv" not in app.extensions["pufa"].responder.context(v.openid).session  # the dialog is over

    add_staff(app, "小李", "town")
    staff = app.test_client()
    login(staff, "小李")
    assert "资料未填完" in staff.get(f"/console/t/{d['number']}").get_data(as_text=True)
    assert "资料未填完" in staff.get("/console/").get_data(as_text=True)


def test_nonsense_answers_then_cancel_files_nothing(app, client):
    v = Villager(client, "o_words_cancel")
    v.say("我要告他，他欠钱不还")
    for said in LOAN_TO_PAY_METHOD:
        v.say(said)
    assert WAY_OUT in [v.say(t) for t in ("啊", "嗯嗯")][-1]
    assert "已取消" in v.say("取消")
    assert app.extensions["pufa"].services.queue.for_openid(v.openid) == []


def test_a_good_answer_resets_the_count_and_ambiguity_names_both_options(app, client):
    v = Villager(client, "o_words_ambiguous")
    v.say("我要告他，他欠钱不还")
    for said in LOAN_TO_PAY_METHOD:
        v.say(said)
    asked = v.say("转账")
    assert "“2. 银行转账”" in asked and "“3. 微信转账”" in asked and WAY_OUT not in asked
    assert "借条" in v.say("微信")  # taken: the next question
    assert WAY_OUT not in v.say("啊")  # a new question starts a new count
    offered = v.say("人工")  # before the offer 人工 is an answer like any other: refused, then offered
    assert "借条" in offered and WAY_OUT in offered
    assert app.extensions["pufa"].services.queue.for_openid(v.openid) == []


def test_a_past_event_in_the_future_is_asked_again_with_the_reason(app, client):
    v = Villager(client, "o_words_future")
    v.say("我要告他，他欠钱不还")
    for said in LOAN_TO_PAY_METHOD[:-1]:
        v.say(said)
    next_year = dt.date.today().year + 1
    reply = v.say(f"{next_year}年3月5日")
    assert "还没到" in reply and "哪天借给对方的" in reply
    assert "怎么给对方的" in v.say("前年腊月")


def test_before_consent_the_way_out_is_the_office_itself(app, client):
    v = Villager(client, "o_words_consent")
    v.say("我要申请法律援助")
    v.say("啊")
    reply = v.say("嗯？啥")
    assert "12348" in reply and "【人工】" not in reply  # nothing is handed over without consent
    assert "需要您同意" in v.say("人工")
    assert app.extensions["pufa"].services.queue.for_openid(v.openid) == []
    assert "怎么称呼" in v.say("同意")


def test_menu_picks_in_words(app, client):
    v = Villager(client, "o_words_menu")
    v.say("菜单")
    listing = v.say("借贷")  # the category by its name
    assert "【借贷与担保】常见问题" in listing
    by_digit = v.say("1")
    v.say("菜单")
    assert v.say("借贷与担保") == listing
    assert v.say("第一个") == by_digit  # the question by its place in words
    assert "法律依据" in by_digit


def test_answers_are_pure_functions_of_the_text_and_today():
    today = dt.date(2026, 12, 3)
    assert answers.parse_date("去年腊月", today) == answers.DateAnswer(dt.date(2026, 1, 19), "month", lunar=True)
    assert answers.parse_amount("三万六") == answers.Amount(36000)
    assert answers.choose("微信转的", ["给的现金", "银行转账", "微信转账"]) == answers.Choice(2)


@pytest.mark.parametrize("said, expected", [
    ("上个星期", answers.DateAnswer(dt.date(2026, 11, 23), "week")),
    ("上礼拜借给他的", answers.DateAnswer(dt.date(2026, 11, 23), "week")),
    ("上上周", answers.DateAnswer(dt.date(2026, 11, 16), "week")),
    ("这周一", answers.DateAnswer(dt.date(2026, 11, 30), "day")),
    ("上周三", answers.DateAnswer(dt.date(2026, 11, 25), "day")),
    ("上个礼拜天", answers.DateAnswer(dt.date(2026, 11, 29), "day")),
])
def test_weeks_as_people_say_them(said, expected):
    """上个星期/上礼拜/上周三 (Thursday 2026-12-03): a week from its Monday, or the day named."""
    assert answers.parse_date(said, dt.date(2026, 12, 3)) == expected


def test_a_week_is_said_back_as_its_days_and_next_week_is_not_past():
    today = dt.date(2026, 12, 3)
    assert answers.describe(answers.parse_date("上个星期", today)) == "2026年11月23日至11月29日期间"
    assert answers.describe(answers.parse_date("上周", dt.date(2027, 1, 6))) == "2026年12月28日至2027年1月3日期间"
    assert "还没到" in answers.parse_date("下个星期", today).error
    assert answers.parse_date("下周二", today, past=False) == answers.DateAnswer(dt.date(2026, 12, 8), "day")

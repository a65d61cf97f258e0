"""普法答题 over the webhook: 答题 → five questions, each answered (by number, by the
option's words, once wrong) → feedback with its legal basis → the score and the
related FAQ entries; 取消, the timeout, voice and the QUIZ button; the round
counted in bot.outreach without the openid; `flask kb check` on quiz files."""
from __future__ import annotations

import datetime as dt
import random
import shutil
import time
import uuid
from zoneinfo import ZoneInfo

import pytest
import redis

from bot.outreach import Outreach, month_of
from handlers import quiz
from knowledge.quiz import QUIZ_DIR, TRUEFALSE, XIANFA, load_questions
from tests.conftest import Villager

CST = ZoneInfo("Asia/Shanghai")
BY_ID = {q.id: q for q in load_questions()}


@pytest.fixture
def not_constitution_week(monkeypatch):
    monkeypatch.setattr(quiz, "constitution_week", lambda now: False)


def _round(app, openid):
    session = app.extensions["pufa"].responder.context(openid).session
    return session.get("conv"), session


def _number_of(q, order, option_index):
    """What the villager types to pick option_index (0-based into q.options) as shown."""
    return str(order.index(option_index) + 1)


def _in_words(q):
    """The right answer in the villager's words: the option's text, or 是的/不对 for 对/错."""
    if q.kind == TRUEFALSE:
        return "是的" if q.right_option == "对" else "不对"
    return q.right_option


def _wrong(q, order):
    wrong = next(i for i in range(len(q.options)) if i != q.answer - 1)
    return _number_of(q, order, wrong)


def _check_feedback(reply, q, right):
    assert ("【答对了】" if right else "【答错了】") in reply
    assert "正确答案：" in reply and q.right_option in reply
    assert q.explain in reply
    assert f"依据：{q.basis()}" in reply
    assert all(c.label() in reply for c in q.citations)


def test_a_round_of_five_with_feedback_score_and_faq_offer(app, client, not_constitution_week):
    v = Villager(client, "o_quiz_round")
    first = v.say("答题")
    assert "【普法答题】一共5题" in first and "第1题（共5题）" in first and "宪法宣传周" not in first
    conv, _ = _round(app, v.openid)
    ids, orders = conv["data"]["ids"], conv["data"]["order"]
    questions = [BY_ID[i] for i in ids]
    assert len(set(ids)) == 5 and len({q.category for q in questions}) == 5
    # The first question as shown: its options in the stored order.
    q0 = questions[0]
    if q0.kind == TRUEFALSE:
        assert q0.question in first and "回复【对】或【错】" in first
    else:
        for n, k in enumerate(orders[0], 1):
            assert f"{n}. {q0.options[k]}" in first

    plan = ["digits", "words", "wrong", "digits", "digits"]
    replies = []
    for i, (q, order, how) in enumerate(zip(questions, orders, plan)):
        if how == "digits":
            text = _number_of(q, order, q.answer - 1)
        elif how == "words":
            text = _in_words(q)
        else:
            text = _wrong(q, order)
        reply = v.say(text)
        replies.append(reply)
        _check_feedback(reply, q, right=how != "wrong")
        if i < 4:
            assert f"第{i + 2}题（共5题）" in reply and questions[i + 1].question in reply
    end = replies[-1]
    assert "答题结束！5题答对4题" in end
    assert "回复数字看相关问答" in end and "想再来一轮，回复【答题】" in end
    conv, session = _round(app, v.openid)
    assert conv is None  # the round is over
    # The FAQ entry of the question answered wrong is offered first, and 1 reads it.
    wrong_faq = questions[2].faq
    kb = app.extensions["pufa"].services.kb
    assert session["pick"]["ids"][0] == wrong_faq
    assert f"1. {kb.by_id[wrong_faq].question}" in end
    assert kb.by_id[wrong_faq].reply_text()[:40] in v.say("1")

    figures = app.extensions["pufa"].services.outreach.figures(dt.datetime.now(CST).year)["quiz"]
    assert figures["rounds"] == 1 and figures["people"] == 1
    assert figures["mean_score"] == 4.0 and figures["total_questions"] == 5
    month = month_of(time.time())
    assert figures["by_month"][month] == {"rounds": 1, "people": 1, "mean_score": 4.0}


def test_an_unclear_or_ambiguous_answer_asks_again_without_moving_on(app, client, not_constitution_week):
    v = Villager(client, "o_quiz_unclear")
    v.say("普法答题")
    again = v.say("啊")
    assert "没看明白您选的是哪一个" in again and "第1题（共5题）" in again
    conv, _ = _round(app, v.openid)
    assert conv["state"] == "q:0" and conv["data"]["answers"] == [None] * 5


def test_cancel_mid_round_leaves_and_counts_nothing(app, client, not_constitution_week):
    v = Villager(client, "o_quiz_cancel")
    v.say("我要答题")
    conv, _ = _round(app, v.openid)
    q, order = BY_ID[conv["data"]["ids"][0]], conv["data"]["order"][0]
    assert "第2题" in v.say(_number_of(q, order, q.answer - 1))
    assert "已退出答题" in v.say("取消")
    assert _round(app, v.openid)[0] is None
    assert "第3题" not in (v.say("2") or "")  # a digit is no longer an answer
    figures = app.extensions["pufa"].services.outreach.figures(dt.datetime.now(CST).year)
    assert figures["quiz"]["rounds"] == 0 and figures["quiz"]["people"] == 0


def test_a_round_left_halfway_times_out(app, client, not_constitution_week):
    v = Villager(client, "o_quiz_idle")
    v.say("答题")
    pufa = app.extensions["pufa"]
    session = pufa.responder.context(v.openid).session
    session["conv"]["touched"] -= 31 * 60
    pufa.responder._save_session(v.openid, session)
    reply = v.say("1")
    assert "超过30分钟没有继续" in reply and "【答对了】" not in reply and "【答错了】" not in reply
    assert _round(app, v.openid)[0] is None


def test_voice_and_the_quiz_button_start_a_round(app, client, not_constitution_week):
    v = Villager(client, "o_quiz_voice")
    assert "第1题（共5题）" in v.send(v.sim.voice("我要答题。"))
    w = Villager(client, "o_quiz_click")
    first = w.send(w.sim.event("CLICK", key="QUIZ"))
    assert "【普法答题】" in first and "第1题（共5题）" in first
    ids = _round(app, w.openid)[0]["data"]["ids"]
    again = w.send(w.sim.event("CLICK", key="QUIZ", create_time=int(time.time()) + 1))
    assert "您正在答题，接着答" in again and "第1题（共5题）" in again
    assert _round(app, w.openid)[0]["data"]["ids"] == ids  # the same round, not a new draw


def test_the_quiz_button_does_not_throw_away_a_request_being_filled(app, client):
    v = Villager(client, "o_quiz_busy")
    v.say("我要申请法律援助")
    assert "没填完" in v.send(v.sim.event("CLICK", key="QUIZ"))
    assert _round(app, v.openid)[0]["name"] == "intake"


def test_constitution_week_round_has_two_constitution_questions(app, client, monkeypatch):
    monkeypatch.setattr(quiz, "constitution_week", lambda now: True)
    v = Villager(client, "o_quiz_week")
    first = v.say("答题")
    assert "宪法宣传周" in first
    ids = _round(app, v.openid)[0]["data"]["ids"]
    assert sum(BY_ID[i].category == XIANFA for i in ids) >= 2


@pytest.mark.parametrize("when, week", [
    ("2026-12-01 00:10", True), ("2026-12-04 12:00", True), ("2026-12-07 23:50", True),
    ("2026-11-30 23:50", False), ("2026-12-08 00:10", False), ("2027-06-04 12:00", False),
])
def test_constitution_week_is_december_1_to_7_china_time(when, week):
    ts = dt.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=CST).timestamp()
    assert quiz.constitution_week(ts) is week


def test_draw_never_repeats_and_spreads_over_categories():
    bank = load_questions()
    for seed in range(200):
        picked = quiz.draw(bank, random.Random(seed), week=False)
        assert len({q.id for q in picked}) == 5 and len({q.category for q in picked}) == 5
        week = quiz.draw(bank, random.Random(seed), week=True)
        assert len({q.id for q in week}) == 5 and sum(q.category == XIANFA for q in week) >= 2
        others = [q.category for q in week if q.category != XIANFA]
        assert len(set(others)) == len(others)
    # The same seed draws the same round (a retried message sees the same questions).
    assert quiz.draw(bank, random.Random("abc"), False) == quiz.draw(bank, random.Random("abc"), False)


def test_the_bank_covers_every_category_with_valid_questions():
    bank = load_questions()
    assert len(bank) >= 60
    from knowledge.quiz import QUIZ_CATEGORIES, check

    assert {q.category for q in bank} == set(QUIZ_CATEGORIES)
    count, problems = check()
    assert count == len(bank) and problems == []


def test_village_of_the_villagers_ticket_is_counted(app, client, not_constitution_week):
    pufa = app.extensions["pufa"]
    openid = "o_quiz_village"
    pufa.services.queue.create(kind="mediation", openid=openid, idempotency_key=uuid.uuid4().hex, context=[],
                               fields={"name": "张三", "phone": "13812345678", "village": "和尚岭村",
                                       "category": "neighbor", "story": "邻居家的树挡了光"})
    v = Villager(client, openid)
    v.say("答题")
    for i in range(5):
        conv, _ = _round(app, openid)
        q, order = BY_ID[conv["data"]["ids"][i]], conv["data"]["order"][i]
        v.say(_wrong(q, order))
    figures = pufa.services.outreach.figures(dt.datetime.now(CST).year)["quiz"]
    assert figures["by_village"] == {"和尚岭村": 1} and figures["mean_score"] == 0.0


def test_outreach_keeps_no_openid_and_counts_people_once(app):
    pufa = app.extensions["pufa"]
    o: Outreach = pufa.services.outreach
    when = dt.datetime(2026, 11, 15, 10, tzinfo=CST).timestamp()
    for openid, score in (("o_secret_1", 5), ("o_secret_1", 3), ("o_secret_2", 1)):
        o.quiz_round(openid, score, 5, None, when)
    figures = o.figures(2026)["quiz"]
    assert figures["rounds"] == 3 and figures["people"] == 2 and figures["mean_score"] == 3.0
    assert figures["by_month"] == {"2026-11": {"rounds": 3, "people": 2, "mean_score": 3.0}}
    assert o.figures(2025)["quiz"]["rounds"] == 0
    pool = pufa.redis.connection_pool
    raw = redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=pool.connection_class, **{**pool.connection_kwargs, "decode_responses": False}))
    keys = list(raw.scan_iter(match=(pufa.keys.prefix + "outreach*").encode()))
    assert keys
    for key in keys:
        kind = raw.type(key)
        blob = key + (b"".join(k + v for k, v in raw.hgetall(key).items()) if kind == b"hash" else raw.get(key))
        assert b"o_secret" not in blob


def test_kb_check_catches_a_bad_quiz_citation(runner, tmp_path, monkeypatch):
    for path in QUIZ_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    with open(tmp_path / "labor.yaml", "a", encoding="utf-8") as f:
        f.write("\n- id: quiz-labor-099\n  category: labor\n  question: 试用期最长多久？\n"
                "  options: [六个月, 十年, 一天]\n  answer: 4\n  explain: 见劳动合同法。\n"
                "  citations: [{law: 劳动合同法, article: 999}]\n  faq: labor-999\n"
                "\n- id: quiz-labor-001\n  category: labor\n  kind: truefalse\n  question: 重复的题号。\n"
                "  answer: 对\n  explain: 重复。\n  citations: [{law: 劳动合同法, article: 30}]\n")
    import knowledge.quiz

    monkeypatch.setattr(knowledge.quiz, "QUIZ_DIR", tmp_path)
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 1
    out = result.output
    assert "labor.yaml: quiz-labor-099: answer 4 is not one of the 3 options" in out
    assert "labor.yaml: quiz-labor-001: duplicate id" in out
    # With the answer fixed, the citation and the FAQ id are checked.
    text = (tmp_path / "labor.yaml").read_text(encoding="utf-8").replace("answer: 4", "answer: 1")
    (tmp_path / "labor.yaml").write_text(text, encoding="utf-8")
    out = runner.invoke(args=["kb", "check"]).output
    assert "quiz-labor-099: 劳动合同法 has no article 999" in out
    assert "quiz-labor-099: no FAQ entry 'labor-999'" in out


def test_a_real_question_mid_round_is_answered_and_the_round_goes_on(app, client, not_constitution_week,
                                                                     monkeypatch):
    """Whatever question is shown — even one whose option "可以不给" is inside the villager's
    "…不给怎么办？" — a real question is answered, not taken for a pick."""
    kb = app.extensions["pufa"].services.kb
    bank = load_questions()
    for first in bank:
        monkeypatch.setattr(quiz, "draw", lambda questions, rng, week, n=5, first=first:
                            [first] + [q for q in questions if q.id != first.id][:n - 1])
        v = Villager(client, f"o_quiz_asks_{first.id}")
        v.say("答题")
        reply = v.say("老板拖欠工资不给怎么办？")
        assert kb.by_id["labor-001"].reply_text()[:30] in reply, first.id
        assert "我们接着答题" in reply and "第1题（共5题）" in reply, first.id
        assert _round(app, v.openid)[0]["state"] == "q:0", first.id

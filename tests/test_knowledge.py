"""The knowledge base: validator, statutes, normalisation, matching quality,
and the villager-facing FAQ/menu/statute flows."""
from __future__ import annotations

import json
import textwrap

import pytest

from knowledge.evaluate import accuracy, load_heldout
from knowledge.normalize import normalize
from knowledge.search import load_knowledge_base
from knowledge.statutes import load_statutes, parse_reference
from knowledge.validate import check


def test_kb_check_passes_on_the_shipped_knowledge_base(runner):
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 0, result.output
    count, problems = check()
    assert problems == [] and count >= 300


def test_at_least_15_entries_per_category():
    kb = load_knowledge_base()
    assert all(len(entries) >= 15 for entries in kb.by_category.values()), \
        {c: len(e) for c, e in kb.by_category.items()}


def test_validator_reports_each_kind_of_problem(tmp_path):
    (tmp_path / "labor.yaml").write_text(textwrap.dedent("""\
        - id: labor-001
          category: labor
          question: 老板拖欠工资不给怎么办？
          alternates: [欠薪, 工钱不给, 老板跑了]
          answer: 去劳动监察投诉。
          citations: [{law: 劳动合同法, article: 30}]
          escalate: mediation
          updated: 2026-11-27
        - id: labor-001
          category: labor
          question: 老板拖欠工资不给怎么办
          alternates: [只有一个]
          answer: "%s"
          citations: [{law: 劳动合同法, article: 999}, {law: 不存在法, article: 1}]
          escalate: sometimes
          updated: 2026-11-27
        - id: farm-001
          category: farm
          question: 种地的事
          alternates: [a, b, c]
          answer: 说明
          citations: [{law: 民法典, article: 1079}]
          escalate: none
          updated: 2026-11-27
        """) % ("很长" * 700), encoding="utf-8")
    count, problems = check(tmp_path)
    text = "\n".join(problems)
    assert count == 3
    assert "labor.yaml: labor-001: duplicate id" in text
    assert "near-duplicate question of labor-001" in text or "duplicate question of labor-001" in text
    assert "劳动合同法 has no article 999" in text
    assert "unknown law '不存在法'" in text
    assert "over 2048" in text
    assert "needs at least 3 alternates" in text
    assert "escalate must be one of" in text
    assert "unknown category 'farm'" in text
    assert all(line.split(":")[0].endswith(".yaml") for line in problems)


def test_kb_check_exits_nonzero_with_problems(runner, tmp_path, monkeypatch):
    import knowledge.validate as v

    (tmp_path / "debt.yaml").write_text("- id: debt-001\n  category: debt\n", encoding="utf-8")
    monkeypatch.setattr(v, "FAQ_DIR", tmp_path)
    monkeypatch.setattr(v.check, "__defaults__", (tmp_path, None))
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 1 and "debt.yaml: debt-001" in result.output


def test_every_citation_quotes_an_existing_article():
    statutes = load_statutes()
    for entry in load_knowledge_base().entries:
        for c in entry.citations:
            assert statutes.get(c.law, c.article) is not None, (entry.id, c)


@pytest.mark.parametrize("text,expected", [
    ("民法典第1079条", ("民法典", 1079)), ("民法典1079", ("民法典", 1079)),
    ("法律援助法第三十一条", ("法律援助法", 31)), ("劳动合同法 82条", ("劳动合同法", 82)),
    ("《中华人民共和国劳动法》第五十条", ("劳动法", 50)), ("劳动法82条", ("劳动法", 82)),
    ("民法典怎么规定离婚", None), ("你好", None),
])
def test_parse_statute_reference(text, expected):
    assert parse_reference(text, load_statutes()) == expected


def test_normalize_handles_fullwidth_traditional_fillers_and_synonyms():
    assert normalize("請問，老闆拖欠工錢不給咋辦？") == normalize("老板欠工资不给怎么办")
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert "离婚" in normalize("俺们不想过了")


def test_heldout_accuracy_meets_targets():
    rows = load_heldout()
    assert len(rows) >= 250
    report = accuracy(load_knowledge_base(), rows)
    assert report.top1_rate >= 0.90, (report.top1_rate, report.misses[:10])
    assert report.top3_rate >= 0.97, report.top3_rate


@pytest.mark.parametrize("question,entry", [
    ("老板拖欠工钱不给咋办", "labor-001"), ("离昏孩子归谁", "marriage-007"), ("離婚後孩子歸誰", "marriage-007"),
    ("隔壁家的狗把我咬了", "neighbor-008"),
])
def test_villager_phrasings_with_typos_get_the_right_answer(villager, question, entry):
    kb = load_knowledge_base()
    reply = villager.say(question)
    assert kb.by_id[entry].answer.strip()[:30] in reply and "法律依据" in reply


def test_unrelated_question_is_answered_honestly(villager):
    reply = villager.say("今天天气怎么样")
    assert "没有把握" in reply and "人工" in reply and "婚姻家庭" in reply


def test_suggestions_then_digit_picks_one(villager, app):
    kb = load_knowledge_base()
    vague = [q for q in ("孩子", "赔偿", "合同", "房子", "土地", "工资", "老人", "钱") if kb.decide(q).kind == "suggest"]
    assert vague, "one-word questions should be vague enough to need a choice"
    reply = villager.say(vague[0])
    assert reply.startswith("您是不是想问：") and "\n1. " in reply
    first_q = reply.splitlines()[1][3:]
    answer = villager.say("1")
    entry = next(e for e in kb.entries if e.question == first_q)
    assert entry.answer.strip()[:20] in answer


def test_menu_category_question_answer(villager):
    menu = villager.say("菜单")
    assert "1. 婚姻家庭" in menu and "13. 行政村务与信访" in menu
    listing = villager.say("5")
    assert "劳动用工与工伤" in listing and "\n1. " in listing
    answer = villager.say("1")
    assert "法律依据" in answer
    assert "没有这个编号" in villager.say("99") or "请先回复" in villager.say("99")


def test_click_category_key(villager):
    reply = villager.send(villager.sim.event("CLICK", key="CAT_land"))
    assert "土地承包与宅基地" in reply


def test_statute_lookup_and_unknown_article(villager):
    assert "夫妻一方要求离婚的" in villager.say("民法典第1079条")
    assert "没有第" in villager.say("法律援助法第999条")


def test_daily_law_rotates_and_is_short(villager):
    reply = villager.say("今日普法")
    assert reply.startswith("【今日普法】") and len(reply.encode()) <= 2048


def test_gap_log_keeps_unanswered_questions_without_openid(app, villager):
    villager.say("我家的猫会说话怎么办")
    gaps = app.extensions["pufa"].services.gaps.recent()
    assert gaps and "猫" in gaps[0]["text"] and "o_villager" not in json.dumps(gaps)


def test_kb_ask_json(runner):
    result = runner.invoke(args=["kb", "ask", "--json", "老板拖欠工钱不给咋办"])
    data = json.loads(result.output.strip().splitlines()[-1])
    assert set(data) == {"question", "intent", "escalate", "category", "matches", "reply"}
    assert data["intent"] == "faq" and data["category"] == "labor" and data["matches"][0]["id"] == "labor-001"
    result = runner.invoke(args=["kb", "ask", "--json"], input="我要告他\n民法典1079\n")
    lines = [json.loads(x) for x in result.output.strip().splitlines()]
    assert lines[0]["intent"] == "litigation" and lines[0]["escalate"] is True
    assert lines[1]["intent"] == "statute"


def test_kb_stats(runner):
    result = runner.invoke(args=["kb", "stats"])
    assert result.exit_code == 0 and "labor" in result.output and "total" in result.output


def test_greetings_and_thanks_are_answered_kindly(villager):
    assert villager.say("你好").startswith("您好")
    assert "不客气" in villager.say("谢谢")

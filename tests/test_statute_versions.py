"""Statute texts say which version they are; superseded texts are announced as revised in the
look-up and reported by `flask kb check` wherever the FAQ cites or names them."""
from __future__ import annotations

import re

import pytest

from knowledge.statutes import Statutes, load_statutes
from knowledge.validate import notices

SUPERSEDED = {"治安管理处罚法", "婚姻登记条例", "村民委员会组织法"}


def test_every_law_text_names_its_version():
    s = load_statutes()
    for law in s.names:
        assert re.fullmatch(r"（\d{4}年\d{1,2}月\d{1,2}日.*版本）", s.version(law).label), law


@pytest.mark.parametrize("law, label", [
    ("治安管理处罚法", "（2012年10月26日修正版本）"),
    ("土地管理法", "（2019年8月26日修正版本）"),  # its info line is broken over two lines
    ("行政复议法", "（2023年9月1日修订版本）"),
    ("民法典", "（2020年5月28日通过版本）"),
    ("工伤保险条例", "（2010年12月20日版本）"),  # the info block stops at 2003; the file name is later
])
def test_version_read_from_the_text_itself(law, label):
    assert load_statutes().version(law).label == label


def test_the_three_texts_of_the_legal_review_are_marked_superseded():
    assert set(load_statutes().superseded_names()) == SUPERSEDED


def test_statute_lookup_names_the_version(villager):
    reply = villager.say("民法典第1079条")
    assert "《民法典》第一千零七十九条（2020年5月28日通过版本）" in reply
    assert "夫妻一方要求离婚的" in reply
    assert "注意" not in reply


def test_lookup_of_a_superseded_text_says_it_was_revised_and_where_to_read_it(villager):
    reply = villager.say("治安管理处罚法第21条")
    assert "（2012年10月26日修正版本）" in reply
    assert "新文本自2026年1月1日起施行" in reply and "可能已经变了" in reply
    assert "国家法律法规数据库" in reply
    reply = villager.say("婚姻登记条例第5条")
    assert "2025年5月10日起施行" in reply


def test_kb_check_reports_superseded_citations_and_reviews_without_failing(runner, tmp_path, monkeypatch):
    import knowledge.validate as v

    (tmp_path / "admin.yaml").write_text("""
- id: admin-001
  category: admin
  question: 村委会选举谁能投票？
  alternates: [村委会选举谁能投票, 选举投票资格, 在外打工能投票吗]
  answer: 按照《村民委员会组织法》，年满十八周岁的村民有选举权。
  citations: [{law: 村民委员会组织法, article: 13}]
  escalate: none
  updated: 2026-12-03
  review: 村民委员会组织法已修改，核对选举资格的规定
- id: admin-002
  category: admin
  question: 邻居打人怎么办？
  alternates: [邻居打人, 被人打了, 打架受伤]
  answer: 打人违反治安管理处罚法，可以报警。
  citations: [{law: 民法典, article: 1179}]
  escalate: none
  updated: 2026-12-03
""", encoding="utf-8")
    lines = notices(tmp_path)
    assert any("admin-001: cites 《村民委员会组织法》第十三条 of a superseded text" in x for x in lines)
    assert any(x.startswith("review: admin.yaml: admin-001: 村民委员会组织法已修改") for x in lines)
    assert any("admin-002: its answer names 治安管理处罚法" in x for x in lines)
    monkeypatch.setattr(v, "FAQ_DIR", tmp_path)
    monkeypatch.setattr(v.check, "__defaults__", (tmp_path, None))
    monkeypatch.setattr(v.notices, "__defaults__", (tmp_path, None))
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 0, result.output
    assert "review: admin.yaml: admin-001" in result.output


def test_a_versions_file_naming_a_missing_law_is_reported(tmp_path):
    law = tmp_path / "x"
    law.mkdir()
    (law / "某法(2020-01-01).md").write_text("# 某法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n第一条 内容。\n",
                                            encoding="utf-8")
    (tmp_path / "versions.yaml").write_text(
        "不存在法:\n  superseded: {revised: 已修订, in_force: 2026-01-01, note: 新法}\n", encoding="utf-8")
    s = Statutes(tmp_path)
    assert s.version("某法").label == "（2020年1月1日通过版本）"
    assert s.unknown_superseded == ["不存在法"]
    assert any("不存在法" in x for x in notices(tmp_path, s))

"""起草起诉状: templates and their citations, golden section texts per case
type, the .docx and the PDF, the console pages (permissions, forms, version
history, conflicts), `flask tickets draft`, bad input, and the clerk's whole
path from a loan ticket filed through the bot. Redis is real (see conftest)."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import time

import cn2an
import yaml
from docx import Document
from pypdf import PdfReader

from bot.drafts import court, model
from bot.drafts.forms import from_id_number, id_number_problem
from bot.drafts.render_docx import render_docx
from bot.drafts.render_pdf import render_pdf
from knowledge.categories import CATEGORIES
from knowledge.statutes import load_statutes
from tests.conftest import Villager
from tests.test_console import add_staff, login, make_ticket, mediator_client, token
from tests.test_console_e2e import ARGS, CHROMIUM, PASSWORD, _require_browser, file_ticket_through_webhook, live_server  # noqa: F401
from tests.test_escalation import file_ticket

TODAY = dt.date(2026, 11, 27)
VILLAGES = ("和尚岭村", "林庄村", "温汤村")
HEADINGS = ("民事起诉状", "诉讼请求：", "事实与理由：", "证据和证据来源，证人姓名和住所：", "此致", "具状人：")
ID_MALE = "410423196803050010"  # a made-up number with a valid check digit (1968-03-05, male)


def templates():
    return model.load_templates()


def courts():
    return court.load_courts("下汤镇", VILLAGES)


def build(ticket: dict, values: dict | None = None) -> dict:
    """A draft as the console makes it, with 案件要素 filled and the court hint applied."""
    T, cm = templates(), courts()
    home = court.home_of(cm)
    d = model.build_draft(ticket, T, town="下汤镇", home=home, today=TODAY)
    if values:
        d["values"].update(values)
        d = model.regenerate(d, T, ticket, town="下汤镇", home=home)
    hint = court.suggest(d, T.get(d["template"]), T.jurisdiction, cm)
    d["court"]["name"] = hint.court if hint.known else ""
    return d


def drafts_of(app):
    return app.extensions["pufa_drafts"]


def form_post(client, path, data, page=None):
    """POST a console form with the CSRF token and base version taken from its own page."""
    html = client.get(page or path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    base = re.search(r'name="base" value="(\d*)"', html)
    payload = {"csrf_token": csrf, **({"base": base.group(1)} if base else {}), **data}
    return client.post(path, data=payload)


# -- the templates are legal content: every citation must resolve --------------------------------
CITE_IN_TEXT = re.compile(r"(民法典|民事诉讼法|劳动争议调解仲裁法|农村土地承包法|老年人权益保障法|道路交通安全法|劳动合同法|劳动法)"
                          r"第([零〇一二两三四五六七八九十百千]+)条")


def test_every_template_citation_resolves_in_the_statutes():
    statutes = load_statutes()
    data = yaml.safe_load(model.TEMPLATES_FILE.read_text(encoding="utf-8"))
    T = templates()
    cited = []
    for t in T.templates:
        assert t.citations, t.id
        cited += [(t.id, c["law"], int(c["article"])) for c in t.citations]
        for m in CITE_IN_TEXT.finditer(t.notes):  # articles named in the staff notes too
            cited.append((t.id, m.group(1), cn2an.cn2an(m.group(2), "smart")))
    for rule, spec in data["jurisdiction"].items():
        cited += [(rule, c["law"], int(c["article"])) for c in spec["citations"]]
    for where, law, article in cited:
        assert statutes.get(law, article) is not None, f"{where}: {law} 第{article}条 not in knowledge/laws"


def test_citations_say_what_the_templates_rely_on():
    """Spot checks that each article is the one meant (numbers shift between revisions)."""
    s = load_statutes()
    expect = {
        ("民事诉讼法", 18): "基层人民法院管辖第一审民事案件", ("民事诉讼法", 22): "由被告住所地人民法院管辖",
        ("民事诉讼法", 24): "合同履行地", ("民事诉讼法", 29): "侵权行为地", ("民事诉讼法", 34): "不动产所在地",
        ("民事诉讼法", 122): "有明确的被告", ("民法典", 675): "按照约定的期限返还借款", ("民法典", 676): "逾期利息",
        ("民法典", 1079): "感情确已破裂", ("民法典", 1085): "抚养费", ("民法典", 1067): "赡养费",
        ("民法典", 1179): "误工减少的收入", ("民法典", 1213): "强制保险", ("道路交通安全法", 76): "强制保险",
        ("劳动争议调解仲裁法", 5): "对仲裁裁决不服", ("劳动争议调解仲裁法", 50): "十五日内向人民法院提起诉讼",
        ("劳动合同法", 30): "及时足额支付劳动报酬", ("老年人权益保障法", 19): "付给赡养费",
        ("农村土地承包法", 27): "不得收回承包地", ("农村土地承包法", 57): "返还财产",
    }
    for (law, article), phrase in expect.items():
        assert phrase in s.get(law, article).text, (law, article)


def test_templates_cover_the_categories_and_placeholders_are_known():
    T = templates()
    assert {c for t in T.templates for c in t.categories} <= set(CATEGORIES)
    by_category = {c: T.for_category(c).case_type for c in ("debt", "labor", "marriage", "elderly", "traffic", "land")}
    assert by_category == {"debt": "民间借贷纠纷", "labor": "追索劳动报酬纠纷", "marriage": "离婚纠纷",
                           "elderly": "赡养费纠纷", "traffic": "机动车交通事故责任纠纷", "land": "农村土地承包合同纠纷"}
    assert T.for_category("neighbor").id == T.for_category("").id == "generic"
    common = {"plaintiff", "defendant", "other_party", "village_address", "story", "citations", "damages_list",
              "damages_total"}
    for t in T.templates:
        fields = {f.key for f in t.fields}
        keys = fields | {f"{k}_next" for k in fields} | common
        for text in (*model.template_texts(t), *(d.get("name", "") for d in t.defendants)):
            for name in re.findall(r"\{(\w+)\}", text):
                assert name in keys, f"{t.id}: unknown placeholder {{{name}}}"
        for item in (*t.claims, *t.evidence_hints, *_parts(t.facts_outline)):
            if isinstance(item, dict):
                for key in model._keys(item.get("if")) + model._keys(item.get("unless")):
                    assert key in fields, f"{t.id}: condition on unknown field {key}"
        assert t.claims[-1] == "本案诉讼费用由被告负担。"
        assert t.jurisdiction["rule"] in ("domicile", "contract", "tort", "immovable")


def _parts(outline):
    if isinstance(outline, (list, tuple)):
        for item in outline:
            yield from _parts(item)
    elif isinstance(outline, dict):
        yield outline


def test_interest_and_labour_arbitration_wording():
    T = templates()
    interest = T.get("loan").claims[1]
    assert interest["if"] == "interest" and "约定利率超过合同成立时一年期贷款市场报价利率四倍的部分不主张" in interest["text"]
    notes = T.get("labor_pay").notes
    assert "先经劳动争议仲裁" in notes and "第五条、第五十条" in notes
    assert T.get("land_contract").jurisdiction["rule"] == "immovable"


# -- golden tests: a ticket in, the section texts out ---------------------------------------------
# What the bot's intake collects for a loan lawsuit (handlers/intake.py, knowledge/complaints.yaml `ask:`).
LOAN_FACTS = {"principal": "20000", "loan_date": "2025年3月5日", "pay_method": "微信转账",
              "iou": "被告向原告出具了借条", "due_date": "2025年12月31日", "interest": "无"}
LOAN_TICKET = {"name": "张三", "phone": "13812345678", "village": "和尚岭村", "category": "debt",
               "story": "去年借给邻居王五两万块钱，写了借条，到现在不还", "other_party": "邻居王五",
               "other_kind": "男", "other_address": "下汤镇和尚岭村", "facts": json.dumps(LOAN_FACTS, ensure_ascii=False)}
CITED = "根据《中华人民共和国民法典》第六百六十七条、第六百七十四条、第六百七十五条、第六百七十六条、第六百七十九条、第六百八十条的规定，"


def test_golden_loan_from_a_bot_ticket_leaves_only_the_id_card_fields():
    d = build(LOAN_TICKET)
    s = model.section_texts(d)
    # sex and birth date come from the ID number when staff type it; the 被告 needs name, sex and address only
    assert s["plaintiffs"] == ["原告：张三，【待补充】，住河南省鲁山县下汤镇和尚岭村，公民身份号码：【待补充】，联系电话：13812345678。"]
    assert s["defendants"] == ["被告：王五，男，住河南省鲁山县下汤镇和尚岭村。"]
    assert s["claims"] == [
        "诉讼请求：",
        "1. 判令被告偿还原告借款本金人民币20000元；",
        "2. 判令被告支付逾期利息，以20000元为基数，自2026年1月1日起至借款实际清偿之日止，按照同期一年期贷款市场报价利率计算；",
        "3. 本案诉讼费用由被告负担。"]
    assert s["facts"] == [
        "事实与理由：",
        "2025年3月5日，被告向原告借款人民币20000元，原告以微信转账方式向被告交付了借款，被告向原告出具了借条，"
        "双方约定于2025年12月31日前归还，双方未约定利息。",
        "借款到期后，经原告多次催要，被告至今未归还借款。",
        "原告认为，原、被告之间的借贷关系合法有效，被告应当返还借款，其拒不归还的行为侵害了原告的合法权益。为维护原告的合法权益，"
        + CITED + "特向贵院提起诉讼，请依法判如所请。"]
    assert s["evidence"][1] == "1. 借条（欠条）。证据来源：原告持有。证明目的：证明原、被告之间存在借贷关系及借款金额、期限。"
    assert s["witnesses"] == ["证人：无。"]
    assert s["court"] == ["此致", "鲁山县人民法院"]  # 合同履行地: the lender's village
    assert s["closing"] == ["附：1. 本起诉状副本1份；2. 证据材料3份。", "具状人：张三（签名）", "2026年11月27日"]
    assert model.document_missing(d) == 2


def test_golden_loan_with_agreed_interest_no_term_and_no_iou():
    facts = {**LOAN_FACTS, "iou": "无", "due_date": "无", "interest": "月利率1%"}
    s = model.section_texts(build({**LOAN_TICKET, "facts": json.dumps(facts, ensure_ascii=False)}))
    assert s["claims"][2] == ("2. 判令被告按照约定的利息（月利率1%）支付利息，以20000元为基数，自2025年3月5日起计算至借款实际清偿之日止"
                              "（约定利率超过合同成立时一年期贷款市场报价利率四倍的部分不主张）；")
    assert s["facts"][1] == ("2025年3月5日，被告向原告借款人民币20000元，原告以微信转账方式向被告交付了借款，被告未出具书面借条，"
                             "双方未约定还款期限，约定利息为月利率1%。")
    assert s["facts"][2] == "此后原告多次催要，被告至今未归还借款。"
    assert not any("借条（欠条）" in e for e in s["evidence"])
    no_interest = {**facts, "interest": "无"}
    s = model.section_texts(build({**LOAN_TICKET, "facts": json.dumps(no_interest, ensure_ascii=False)}))
    assert s["claims"][2] == ("2. 判令被告支付逾期利息，以20000元为基数，自起诉之日起至借款实际清偿之日止，"
                              "按照同期一年期贷款市场报价利率计算；")


def test_golden_loan_without_intake_facts_marks_them_for_staff():
    """A ticket from before the intake asked (or a villager who said 不知道): staff fill the 案件要素."""
    old = {k: v for k, v in LOAN_TICKET.items() if k not in ("facts", "other_kind", "other_address")}
    d = build(old)
    s = model.section_texts(d)
    assert s["defendants"] == ["被告：王五，【待补充】，住【待补充】。"]
    assert s["claims"][1] == "1. 判令被告偿还原告借款本金人民币20000元；"  # read from the villager's story
    assert "【待补充】起计算" in s["claims"][2]  # interest not known: the agreed-interest wording, marked
    d = build(old, {"loan_date": "2025-03-05", "pay_method": "微信转账", "iou": "被告向原告出具了借条",
                    "due_date": "2025年12月31日", "interest": "无"})
    d["defendants"][0].update(sex="男", address="河南省鲁山县下汤镇和尚岭村")
    assert model.section_texts(d)["facts"] == model.section_texts(build(LOAN_TICKET))["facts"]
    assert model.document_missing(d) == 2


def test_golden_labor_pay():
    d = build({"name": "李四", "phone": "13900001111", "village": "林庄村", "category": "labor",
               "story": "在平顶山某建筑公司干了半年，老板欠我工资3.6万元不给", "other_party": "平顶山市某某建筑工程有限公司"},
              {"period": "2025年3月至2025年8月", "entry_date": "2025年3月1日", "job": "钢筋工", "wage": "每月6000元",
               "arb_apply_date": "2025年10月8日", "arb_committee": "鲁山县劳动人事争议仲裁委员会",
               "award_no": "鲁劳人仲案字〔2025〕第88号", "award_date": "2025年11月10日", "receipt_date": "2025年11月14日",
               "workplace": "平顶山市新华区某工地"})
    s = model.section_texts(d)
    # a defendant organisation: name and address are required (民事诉讼法第一百二十四条), the rest when known
    assert s["defendants"] == ["被告：平顶山市某某建筑工程有限公司，住所地：【待补充】。"]
    assert s["claims"][1:] == ["1. 判令被告支付原告2025年3月至2025年8月期间拖欠的劳动报酬人民币36000元；",
                               "2. 本案诉讼费用由被告负担。"]
    assert s["facts"][1:] == [
        "原告于2025年3月1日到被告处工作，从事钢筋工工作，双方约定工资为每月6000元。2025年3月至2025年8月期间，"
        "被告拖欠原告劳动报酬共计人民币36000元，经原告多次催要，被告至今未支付。",
        "原告于2025年10月8日向鲁山县劳动人事争议仲裁委员会申请劳动争议仲裁，该委于2025年11月10日作出"
        "鲁劳人仲案字〔2025〕第88号仲裁裁决书。原告对该裁决不服，于2025年11月14日收到裁决书，现在法定期限内向贵院提起诉讼。",
        "原告认为，用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬，不得克扣或者无故拖欠劳动者的工资。"
        "被告拖欠原告劳动报酬，侵害了原告的合法权益。根据《中华人民共和国劳动争议调解仲裁法》第五条、第五十条，"
        "《中华人民共和国劳动合同法》第三十条，《中华人民共和国劳动法》第五十条的规定，特向贵院提起诉讼，请依法判如所请。"]
    assert s["evidence"][1].startswith("1. 仲裁裁决书及送达回证")
    assert s["court"] == ["此致", "平顶山市新华区人民法院"]  # 劳动合同履行地


def test_golden_divorce():
    d = build({"name": "王芳", "phone": "13700002222", "village": "温汤村", "category": "marriage",
               "story": "丈夫喝酒打人，想离婚", "other_party": "我丈夫赵强"},
              {"marriage_date": "2012-05-01", "children": "一子赵小明（2014年6月1日出生）", "child": "赵小明",
               "support": "1000元", "property": "温汤村房屋一处"})
    s = model.section_texts(d)
    assert s["defendants"][0].startswith("被告：赵强，")
    assert s["claims"][1:] == [
        "1. 判令原告与被告离婚；",
        "2. 婚生子女赵小明由原告直接抚养，被告自判决生效之次月起每月支付抚养费人民币1000元，至子女年满十八周岁时止；",
        "3. 依法分割原、被告的夫妻共同财产（温汤村房屋一处）；",
        "4. 本案诉讼费用由被告负担。"]
    assert s["facts"][1:] == [
        "原告与被告于2012年5月1日登记结婚，婚后育有一子赵小明（2014年6月1日出生）。",
        "【待补充】。原、被告夫妻感情确已破裂，已无和好的可能。",
        "为维护原告的合法权益，根据《中华人民共和国民法典》第一千零七十九条、第一千零八十四条、第一千零八十五条、"
        "第一千零八十七条的规定，特向贵院提起离婚诉讼，请依法判如所请。"]
    assert s["court"] == ["此致", "【待补充】人民法院"]  # the defendant's domicile is not known yet


def test_golden_support():
    d = build({"name": "刘大爷", "phone": "13600003333", "village": "林庄村", "category": "elderly",
               "story": "儿子不给养老钱，每月要500块", "other_party": "我儿子刘强"},
              {"start": "2026年12月", "pay_day": "10", "age": "78", "condition": "患有高血压，丧失劳动能力，无固定收入",
               "children": "共生育一子，被告系原告之子", "refusal": "自2024年起，被告不给原告生活费，也不照料原告"})
    s = model.section_texts(d)
    assert d["values"]["amount"] == "500"  # from the villager's words
    assert s["claims"][1:] == [
        "1. 判令被告自2026年12月起每月10日前支付原告赡养费人民币500元；",
        "2. 判令被告分担原告今后实际发生的医疗费用（凭医疗费票据据实分担）；",
        "3. 本案诉讼费用由被告负担。"]
    assert s["facts"][1] == "原告现年78岁，患有高血压，丧失劳动能力，无固定收入，生活困难。原告共生育一子，被告系原告之子。"
    assert s["facts"][-1].endswith("根据《中华人民共和国民法典》第一千零六十七条，《中华人民共和国老年人权益保障法》"
                                   "第十四条、第十五条、第十九条的规定，特向贵院提起诉讼，请依法判如所请。")


def test_golden_traffic():
    d = build({"name": "陈五", "phone": "13500004444", "village": "和尚岭村", "category": "traffic",
               "story": "骑电动车被小轿车撞了，腿骨折", "other_party": "孙六"},
              {"accident_date": "2026年8月3日", "accident_place": "鲁山县下汤镇311国道林庄村路段", "vehicle": "豫D·12345",
               "injuries": "左腿骨折", "responsibility": "被告孙六负事故全部责任",
               "insurer": "中国某某财产保险股份有限公司平顶山市中心支公司", "medical": "35000元", "nursing": "4000",
               "lost_income": "9000"})
    s = model.section_texts(d)
    assert s["defendants"][0].startswith("被告：孙六，")
    assert s["defendants"][1] == "被告：中国某某财产保险股份有限公司平顶山市中心支公司，住所地：【待补充】。"
    assert s["claims"][1:] == [
        "1. 判令被告赔偿原告因交通事故造成的各项损失共计人民币48000元（其中医疗费35000元、护理费4000元、误工费9000元）；",
        "2. 判令被告中国某某财产保险股份有限公司平顶山市中心支公司在机动车交通事故责任强制保险和商业第三者责任保险"
        "责任限额内直接承担赔偿责任；",
        "3. 本案诉讼费用由被告负担。"]
    assert s["facts"][1] == ("2026年8月3日，被告孙六驾驶豫D·12345号机动车行驶至鲁山县下汤镇311国道林庄村路段时，与原告发生交通事故，"
                             "造成原告左腿骨折。经公安机关交通管理部门认定，被告孙六负事故全部责任。")
    assert "《中华人民共和国道路交通安全法》第七十六条" in s["facts"][-1]
    assert s["court"] == ["此致", "鲁山县人民法院"]  # 事故发生地
    assert s["closing"][0] == "附：1. 本起诉状副本2份；2. 证据材料5份。"


def test_golden_land_contract():
    d = build({"name": "周七", "phone": "13400005555", "village": "和尚岭村", "category": "land",
               "story": "村里把我家的地收回去给别人种了", "other_party": "和尚岭村村民委员会"},
              {"plot": "南岗地，东至路、西至沟、南至周某地、北至河", "area": "2.5", "contract_no": "410423000000001",
               "dispute": "2025年3月，被告以重新分地为由收回原告的上述承包地，并发包给他人耕种", "loss": "3000"})
    s = model.section_texts(d)
    assert s["defendants"][0] == "被告：和尚岭村村民委员会，住所地：【待补充】。"
    assert s["claims"][1:] == [
        "1. 判令被告返还原告位于河南省鲁山县下汤镇和尚岭村的承包地（南岗地，东至路、西至沟、南至周某地、北至河）2.5亩，"
        "停止侵害、排除妨碍；",
        "2. 判令被告赔偿原告损失人民币3000元；",
        "3. 本案诉讼费用由被告负担。"]
    assert s["facts"][2] == "2025年3月，被告以重新分地为由收回原告的上述承包地，并发包给他人耕种。"
    assert "《中华人民共和国农村土地承包法》第二十三条、第二十七条、第二十八条、第五十五条、第五十七条" in s["facts"][3]
    assert s["court"] == ["此致", "鲁山县人民法院"]


def test_golden_generic_fallback_marks_what_is_missing():
    d = build({"name": "吴八", "phone": "13300006666", "village": "林庄村", "category": "neighbor",
               "story": "邻居盖房把我家墙弄裂了", "other_party": ""})
    s = model.section_texts(d)
    assert d["template"] == "generic" and d["case_type"] == "其他民事纠纷"
    assert s["defendants"] == ["被告：【待补充】，【待补充】，住【待补充】。"]
    assert s["claims"][1:] == ["1. 判令被告【待补充：写明具体请求，例如支付多少钱、返还什么、停止做什么】；", "2. 本案诉讼费用由被告负担。"]
    assert s["facts"][1] == "邻居盖房把我家墙弄裂了"
    assert s["facts"][2].startswith("【待补充：")
    assert s["court"] == ["此致", "【待补充】人民法院"]


# -- parts ------------------------------------------------------------------------------------------
def test_amounts_names_dates_and_id_numbers():
    assert model.extract_amount("去年借给邻居王五两万块钱") == "20000"
    assert model.extract_amount("欠我工资3.5万元") == "35000"
    assert model.extract_amount("他欠我1,500元，还了300元") == "1500"
    assert model.extract_amount("没有说钱") == ""
    assert model.guess_name("邻居王五") == "王五" and model.guess_name("王五，住林庄村") == "王五"
    assert model.guess_name("一个不认识的人开着车撞了我以后就跑了到现在也没找到是谁") == ""
    assert model.normalize_date("2025-3-5") == "2025年3月5日" and model.normalize_date("去年") == "去年"
    assert id_number_problem(ID_MALE) is None and id_number_problem("不详") is None
    assert "校验位" in id_number_problem(ID_MALE[:-1] + "9") and "18位" in id_number_problem("12345")
    assert from_id_number(ID_MALE) == ("男", "1968年3月5日")


def test_court_hint_from_places():
    cm = courts()
    assert cm.court_for("河南省鲁山县下汤镇和尚岭村") == "鲁山县人民法院"
    assert cm.court_for("林庄村三组") == "鲁山县人民法院"  # a village of the town
    assert cm.court_for("河南省宝丰县城关镇") == "宝丰县人民法院"
    assert cm.court_for("北京市朝阳区") is None and cm.court_for("") is None
    T = templates()
    d = build({"name": "甲", "village": "林庄村", "category": "marriage", "other_party": "乙"})
    d["defendants"][0]["address"] = "河南省宝丰县城关镇"
    hint = court.suggest(d, T.get("divorce"), T.jurisdiction, cm)
    assert hint.court == "宝丰县人民法院" and hint.citation_labels() == ["《民事诉讼法》第十八条", "《民事诉讼法》第二十二条"]
    land = build({"name": "甲", "village": "林庄村", "category": "land", "other_party": "乙"})
    land["defendants"][0]["address"] = "河南省宝丰县城关镇"  # 专属管辖: the defendant's domicile does not count
    land["values"]["land_location"] = "郑州市某区"
    hint = court.suggest(land, T.get("land_contract"), T.jurisdiction, cm)
    assert hint.court == "【待补充】人民法院" and not hint.known and "第三十四条" in hint.citation_labels()[1]


# -- the documents ----------------------------------------------------------------------------------
def _docx_text(body: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(body)).paragraphs]


def test_docx_opens_and_holds_every_section():
    d = build(LOAN_TICKET)
    paragraphs = _docx_text(render_docx(d))
    assert paragraphs == [b.text for b in model.document(d)]
    for heading in HEADINGS:
        assert any(p.startswith(heading) for p in paragraphs), heading
    assert any(p.startswith("原告：张三") for p in paragraphs) and any(p.startswith("被告：王五") for p in paragraphs)
    assert "鲁山县人民法院" in paragraphs and paragraphs[-1] == "2026年11月27日"
    doc = Document(io.BytesIO(render_docx(d)))
    run = doc.paragraphs[0].runs[0]
    assert run.bold and run._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"
    assert doc.core_properties.author == "司法所"


def test_pdf_renders_with_every_section():
    d = build(LOAN_TICKET)
    body = render_pdf(d)
    assert body.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).replace("\n", "")
    for heading in HEADINGS:
        assert heading in text, heading
    for piece in ("原告：张三", "被告：王五", "判令被告偿还原告借款本金人民币20000元", "鲁山县人民法院", "2026年11月27日"):
        assert piece in text, piece


def test_bad_text_is_cleaned_and_long_fields_capped():
    ticket = {"name": "张\x00三\x1b", "phone": "138\x0b1234\u202e5678", "village": "和尚岭村", "category": "debt",
              "story": "借给他\x07两万块钱\r\n" + "很长" * 20000, "other_party": "王\x08五"}
    d = build(ticket)
    d["facts"] = "事实\x01" + "甲" * 30000
    d["defendants"][0]["address"] = "地址" * 500
    blocks = model.document(d)
    text = "\n".join(b.text for b in blocks)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202e]", text)
    assert "原告：张三" in text and "被告：王五" in text and "联系电话：13812345678" in text
    assert model.TRUNCATED in text and len(text) < 20000
    for body in (render_docx(d), render_pdf(d)):  # neither renderer chokes
        assert body
    assert "事实甲" in _docx_text(render_docx(d))[[b.section for b in blocks].index("facts") + 1]


def test_missing_everything_still_makes_a_document():
    for ticket in ({}, {"category": "traffic"}, {"category": "nonsense", "other_party": "，，，"}):
        d = build(ticket)
        text = model.plain_text(d)
        assert "民事起诉状" in text and model.document_missing(d) > 5
        assert render_docx(d) and render_pdf(d)
    assert model.plain_text(model.normalize({"claims": "not a list", "court": None, "closing": [1]}))
    assert model.document({"defendants": [None, {"kind": "weird"}]})


# -- the console ------------------------------------------------------------------------------------
def _town(app, client, name="王所长"):
    add_staff(app, name)
    assert login(client, name).status_code == 302
    return client


def _start(client, number, template=None):
    page = f"/console/tickets/{number}/draft"
    html = client.get(page).get_data(as_text=True)
    assert "起草起诉状" in html
    data = {"template": template} if template else {}
    if not template:
        data["template"] = re.search(r'<option value="(\w+)" selected>', html).group(1)
    return form_post(client, page, data)


def test_permissions_town_ticket_is_not_for_a_village_mediator(app, client):
    t = make_ticket(app, kind="litigation", village="和尚岭村")
    assert client.get(f"/console/tickets/{t.number}/draft").status_code == 302  # not signed in: to the login page
    mediator = mediator_client(app, village="和尚岭村")
    for path in ("", "/preview", "/download.docx", "/download.pdf", "/claims", "/party/defendant/0"):
        assert mediator.get(f"/console/tickets/{t.number}/draft{path}").status_code == 404, path
    resp = mediator.post(f"/console/tickets/{t.number}/draft",
                         data={"csrf_token": token(mediator, "/console/"), "template": "loan"})
    assert resp.status_code == 404 and drafts_of(app).latest(t.number) is None

    # the mediator may draft for their own village's mediation case, not another village's
    own = make_ticket(app, kind="mediation", village="和尚岭村", key="own")
    other = make_ticket(app, kind="mediation", village="林庄村", key="other")
    assert "起草起诉状" not in mediator.get(f"/console/t/{own.number}").get_data(as_text=True)  # linked for court cases
    assert _start(mediator, own.number).status_code == 302
    assert drafts_of(app).latest(own.number).who == "李调解"
    assert mediator.get(f"/console/tickets/{other.number}/draft").status_code == 404

    town = _town(app, client)
    assert _start(town, t.number).status_code == 302
    assert town.get(f"/console/tickets/{t.number}/draft").status_code == 200


def test_posts_need_the_csrf_token(app, client):
    t = make_ticket(app)
    town = _town(app, client)
    assert _start(town, t.number).status_code == 302
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("drafts.") and "POST" in r.methods]
    assert len(rules) == 5
    for rule in rules:
        for section in ("facts", "claims", "court"):
            path = (rule.rule.replace("<number>", t.number).replace("<role>", "defendant")
                    .replace("<int:index>", "0").replace("<section>", section))
            for extra in ({}, {"csrf_token": "not-a-token"}):
                resp = town.post(path, data={"facts": "伪造", "base": "1", "template": "generic", **extra})
                assert resp.status_code == 400 and "页面已过期" in resp.get_data(as_text=True), path
    assert drafts_of(app).latest(t.number).version == 1


def test_sections_are_edited_by_forms_and_every_version_is_kept(app, client):
    t = make_ticket(app)  # debt, 和尚岭村, 对方 王五
    town = _town(app, client)
    assert _start(town, t.number).status_code == 302
    q = app.extensions["pufa"].services.queue
    assert q.get(t.number).data["draft_status"] == "drafted" and q.get(t.number).data["drafts"] == "1"
    base = f"/console/tickets/{t.number}/draft"
    overview = town.get(base).get_data(as_text=True)
    assert "民间借贷纠纷" in overview and 'class="missing"' in overview and "鲁山县人民法院" in overview

    resp = form_post(town, f"{base}/claims", {"claims-0": "1. 判令被告偿还借款本金人民币20000元；",
                                             "claims-1": "", "claims-2": "本案诉讼费用由被告负担。"})
    assert resp.status_code == 302
    resp = form_post(town, f"{base}/party/defendant/0", {
        "kind": "person", "name": "王五", "sex": "", "birth": "", "ethnicity": "汉", "id_number": ID_MALE,
        "address": "河南省鲁山县下汤镇林庄村", "phone": "13911112222", "rep_label": "法定代表人"})
    assert resp.status_code == 302
    resp = form_post(town, f"{base}/court", {"name": "鲁山县人民法院", "confirmed": "y"})
    assert resp.status_code == 302

    versions = drafts_of(app).versions(t.number)
    assert [v.version for v in versions] == [1, 2, 3, 4]
    assert [v.changed for v in versions[1:]] == [["claims"], ["defendants"], ["court"]]
    assert {v.who for v in versions} == {"王所长"}
    latest = versions[-1].draft
    assert latest["claims"] == ["判令被告偿还借款本金人民币20000元；", "本案诉讼费用由被告负担。"]
    assert latest["defendants"][0]["sex"] == "男" and latest["defendants"][0]["birth"] == "1968年3月5日"
    assert latest["defendants"][0]["ethnicity"] == "汉族" and latest["court"]["confirmed"]
    assert versions[1].draft["claims"] != latest["claims"] or versions[0].draft["claims"] != latest["claims"]
    assert versions[0].draft["defendants"][0]["id_number"] == ""  # old versions are untouched

    history = [h for h in q.history(t.number) if "起诉状" in h["what"]]
    assert [h["what"] for h in history if h["what"] != "查看起诉状"] == ["起草起诉状"] + ["修改起诉状"] * 3
    assert any(h["detail"] == "第3版：被告" for h in history)
    assert not any(ID_MALE in h.get("detail", "") or "13911112222" in h.get("detail", "") for h in q.history(t.number))
    page = town.get(base).get_data(as_text=True)
    assert "版本记录" in page and "改了：被告" in page and "第4版" in page
    old = town.get(f"{base}/preview?v=1").get_data(as_text=True)
    assert "不是最新版" in old and "诉讼请求" in old

    # an unchanged save makes no version
    assert form_post(town, f"{base}/facts", {"facts": latest["facts"]}).status_code == 302
    assert drafts_of(app).count(t.number) == 4


def test_a_stale_form_does_not_overwrite_a_newer_version(app, client):
    t = make_ticket(app)
    town = _town(app, client)
    _start(town, t.number)
    base = f"/console/tickets/{t.number}/draft"
    html = town.get(f"{base}/facts").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    other = app.test_client()
    _town(app, other, "李干事")
    assert form_post(other, f"{base}/facts", {"facts": "李干事写的事实。"}).status_code == 302
    resp = town.post(f"{base}/facts", data={"csrf_token": csrf, "base": "1", "facts": "王所长写的事实。"})
    assert resp.status_code == 409 and "别人已经存了新的第2版" in resp.get_data(as_text=True)
    assert "王所长写的事实。" in resp.get_data(as_text=True)  # nothing typed is lost
    assert drafts_of(app).latest(t.number).draft["facts"] == "李干事写的事实。"


def test_values_regenerate_claims_and_keep_hand_edits(app, client):
    t = make_ticket(app)
    town = _town(app, client)
    _start(town, t.number)
    base = f"/console/tickets/{t.number}/draft"
    resp = form_post(town, f"{base}/values", {"v_principal": "20000", "v_loan_date": "2025-03-05",
                                             "v_pay_method": "现金", "v_due_date": "2025年6月30日",
                                             "v_interest_start": "2025年3月5日", "regenerate": "y"})
    assert resp.status_code == 302
    d = drafts_of(app).latest(t.number).draft
    assert d["facts"].startswith("2025年3月5日，被告向原告借款人民币20000元，原告以现金方式")
    form_post(town, f"{base}/facts", {"facts": "工作人员改写的事实。"})
    page = town.get(f"{base}/values").get_data(as_text=True)
    assert "手动改过" in page
    form_post(town, f"{base}/values", {"v_principal": "30000", "v_loan_date": "2025-03-05"})  # not ticked
    d = drafts_of(app).latest(t.number).draft
    assert d["facts"] == "工作人员改写的事实。" and d["values"]["principal"] == "30000"


def test_downloads_are_recorded_and_carry_no_personal_data_in_the_url(app, client):
    t = make_ticket(app)
    town = _town(app, client)
    _start(town, t.number)
    page = town.get(f"/console/tickets/{t.number}/draft").get_data(as_text=True)
    for href in re.findall(r'href="([^"]+)"', page):
        assert "13812345678" not in href and "张三丰" not in href
    docx = town.get(f"/console/tickets/{t.number}/draft/download.docx")
    assert docx.status_code == 200 and docx.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in docx.headers["Content-Disposition"] and "13812345678" not in docx.headers["Content-Disposition"]
    assert any(p.startswith("原告：张三丰") for p in _docx_text(docx.data))
    pdf = town.get(f"/console/tickets/{t.number}/draft/download.pdf?v=1")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert town.get(f"/console/tickets/{t.number}/draft/download.pdf?v=9").status_code == 404
    assert town.get(f"/console/tickets/{t.number}/draft/download.txt").status_code == 404
    q = app.extensions["pufa"].services.queue
    assert [h["detail"] for h in q.history(t.number) if h["what"] == "下载起诉状"] == ["第1版 .docx", "第1版 .pdf"]


def test_bad_input_pages_never_fail(app, client):
    q = app.extensions["pufa"].services.queue
    t = q.create(kind="legal_aid", openid="o_bad", idempotency_key="bad-1", context=[], fields={
        "name": "", "phone": "", "village": "", "category": "", "story": "\x00\x1f" + "长" * 6000,
        "other_party": ""})
    town = _town(app, client)
    assert _start(town, t.number).status_code == 302
    base = f"/console/tickets/{t.number}/draft"
    for path in ("", "/preview", "/values", "/claims", "/facts", "/evidence", "/court", "/closing", "/template",
                 "/party/plaintiff/0", "/party/defendant/0", "/download.docx", "/download.pdf"):
        assert town.get(base + path).status_code == 200, path
    assert town.get(base + "/party/defendant/7").status_code == 404
    assert town.get(base + "/nonsense").status_code == 404
    resp = form_post(town, f"{base}/facts", {"facts": "事实\x00\x0b经过\r\n第二段"})
    assert resp.status_code == 302
    assert drafts_of(app).latest(t.number).draft["facts"] == "事实经过\n第二段"
    resp = form_post(town, f"{base}/party/plaintiff/0", {"kind": "person", "name": "某", "id_number": "12345"})
    assert resp.status_code == 400 and "18位" in resp.get_data(as_text=True)
    assert form_post(town, f"{base}/claims", {"claims-0": "很长" * 2000}).status_code == 400
    assert "没有这个页面" in town.get("/console/tickets/SF-1999-9999/draft").get_data(as_text=True)


def test_parties_can_be_added_and_removed_and_template_changed(app, client):
    t = make_ticket(app, category="traffic", story="被车撞了")
    town = _town(app, client)
    _start(town, t.number)
    base = f"/console/tickets/{t.number}/draft"
    d = drafts_of(app).latest(t.number).draft
    assert [p["kind"] for p in d["defendants"]] == ["person", "org"]  # driver and insurer
    resp = form_post(town, f"{base}/party/defendant/add", {"kind": "person"}, page=base)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/party/defendant/2")
    assert len(drafts_of(app).latest(t.number).draft["defendants"]) == 3
    assert form_post(town, f"{base}/party/defendant/2/remove", {}, page=base).status_code == 302
    assert len(drafts_of(app).latest(t.number).draft["defendants"]) == 2
    assert form_post(town, f"{base}/template", {"template": "generic"}).status_code == 302
    latest = drafts_of(app).latest(t.number)
    assert latest.draft["case_type"] == "其他民事纠纷" and latest.what == "更换起诉状模板"


# -- the terminal -------------------------------------------------------------------------------------
def test_cli_draft_writes_docx_and_pdf(app, runner, tmp_path):
    t = make_ticket(app)
    out = tmp_path / "起诉状.docx"
    result = runner.invoke(args=["tickets", "draft", t.number, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已起草第1版" in result.output and "待补充" in result.output
    assert any(p.startswith("原告：张三丰") for p in _docx_text(out.read_bytes()))
    pdf = tmp_path / "x.pdf"
    result = runner.invoke(args=["tickets", "draft", t.number.lower(), "--out", str(pdf), "--version", "1"])
    assert result.exit_code == 0, result.output
    assert "诉讼请求" in PdfReader(str(pdf)).pages[0].extract_text()
    assert drafts_of(app).count(t.number) == 1  # the second run used the existing draft
    printed = runner.invoke(args=["tickets", "draft", t.number])
    assert printed.exit_code == 0 and "民事起诉状" in printed.output
    assert runner.invoke(args=["tickets", "draft", t.number, "--out", str(tmp_path / "x.txt")]).exit_code != 0
    assert runner.invoke(args=["tickets", "draft", "SF-1999-0001", "--out", str(out)]).exit_code != 0
    assert runner.invoke(args=["tickets", "draft", t.number, "--version", "5"]).exit_code != 0


# -- the villager's side and the clerk's whole path ------------------------------------------------------
def test_clerk_drafts_a_loan_complaint_from_a_bot_ticket(app, client, tmp_path):
    v = Villager(client, "o_loan_clerk")
    number = file_ticket(v)
    clerk = app.test_client()
    _town(app, clerk, "新来的小李")
    ticket_page = clerk.get(f"/console/t/{number}").get_data(as_text=True)
    assert f'href="/console/tickets/{number}/draft">起草起诉状</a>' in ticket_page
    assert _start(clerk, number).status_code == 302
    base = f"/console/tickets/{number}/draft"
    page = clerk.get(base).get_data(as_text=True)
    first_missing = int(re.search(r'class="missing-count">(\d+)<', page).group(1))
    # the intake asked what the complaint needs: only the villager's ID card is left (number and 民族)
    assert first_missing == 2 and "民间借贷纠纷" in page and "20000" in page
    assert "被告：王五，男，住河南省鲁山县下汤镇和尚岭村。" in page and "鲁山县人民法院" in page

    form = clerk.get(f"{base}/party/plaintiff/0").get_data(as_text=True)
    assert 'value="张三"' in form and 'value="13812345678"' in form  # what the bot collected is already there
    form_post(clerk, f"{base}/party/plaintiff/0", {
        "kind": "person", "name": "张三", "id_number": "410423198001010016", "ethnicity": "汉族",
        "address": "河南省鲁山县下汤镇和尚岭村", "phone": "13812345678", "rep_label": "法定代表人"})
    form_post(clerk, f"{base}/court", {"name": "鲁山县人民法院", "confirmed": "y"})
    page = clerk.get(base).get_data(as_text=True)
    assert "没有【待补充】的地方了" in page, re.findall(r"[^>]{0,30}【待补充[^】]*】", page)
    assert "受诉法院还没有确认" not in page

    docx = clerk.get(f"{base}/download.docx")
    paragraphs = _docx_text(docx.data)
    assert paragraphs[1] == ("原告：张三，男，1980年1月1日出生，汉族，住河南省鲁山县下汤镇和尚岭村，"
                             "公民身份号码：410423198001010016，联系电话：13812345678。")
    assert not any("【待补充" in p for p in paragraphs)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(clerk.get(f"{base}/download.pdf").data)).pages)
    assert "判令被告偿还原告借款本金人民币20000元" in text.replace("\n", "")

    # the villager sees the status, and can ask how to file online and what it costs
    status = v.say("我的申请")
    assert "起诉状已起草，请到司法所核对签字" in status and "网上立案" in status
    online = v.say("网上立案怎么弄")
    assert "实名" in online and "起诉状" in online and "缓交" in online
    fees = v.say("诉讼费")
    assert "缓交、减交或免交" in fees


def test_version_json_shape(app):
    t = make_ticket(app)
    svc = drafts_of(app)
    svc.create(t.number, "王所长")
    raw = json.loads(svc.r.lindex(svc.key(t.number), 0))
    assert set(raw) == {"version", "who", "ts", "what", "changed_sections", "draft"}
    assert raw["version"] == 1 and raw["who"] == "王所长" and raw["draft"]["template"] == "loan"
    assert svc.key(t.number).endswith(f"ticket:{t.number}:drafts")


# -- in a real browser, as a new clerk would ---------------------------------------------------------------
def test_clerk_in_a_phone_sized_browser_drafts_and_downloads(app, client, live_server, tmp_path):
    """Open the loan ticket the bot filed, 起草起诉状, fill the two 【待补充】 fields (the
    plaintiff's ID number and 民族, from the ID card), confirm the court, preview, and
    download the .docx and the PDF."""
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    shots = os.environ.get("PUFA_SCREENSHOTS", "")
    app.extensions["pufa_console"].staff.add("小李", "town", PASSWORD)
    number = file_ticket_through_webhook(client, "o_e2e_draft")

    def shot(page, name):
        if shots:
            page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740}, locale="zh-CN", accept_downloads=True)
            page.set_default_timeout(15000)
            started = time.monotonic()
            page.goto(f"{live_server}/console/")
            page.fill("#username", "小李")
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.locator(".ticket-row a").first.click()
            expect(page.locator("h1")).to_contain_text(number)
            page.get_by_role("link", name="起草起诉状").click()
            shot(page, "1-start")
            page.get_by_role("button", name="起草起诉状").click()
            expect(page.locator(".flash")).to_contain_text("已起草第1版")
            expect(page.locator(".missing-count")).to_have_text("2")  # the ID card's number and 民族
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            shot(page, "2-overview")

            page.get_by_role("link", name="修改原告").click()
            page.fill("#id_number", "410423198001010016")
            page.fill("#ethnicity", "汉族")
            shot(page, "3-plaintiff")
            page.get_by_role("button", name="保存原告").click()
            expect(page.locator(".flash")).to_contain_text("已保存为第2版")

            page.get_by_role("link", name="核对并确认法院").click()
            expect(page.locator(".court-hint")).to_contain_text("鲁山县人民法院")
            page.check("input[name=confirmed]")
            page.get_by_role("button", name="保存").click()
            expect(page.locator(".draft-status")).to_contain_text("没有【待补充】的地方了")
            shot(page, "5-done")

            with page.expect_download() as docx_info:
                page.get_by_role("link", name="下载 Word（.docx）").click()
            with page.expect_download() as pdf_info:
                page.get_by_role("link", name="下载 PDF").click()
            elapsed = time.monotonic() - started
            page.get_by_role("link", name="预览和打印").click()
            expect(page.locator(".page")).to_contain_text("此致")
            shot(page, "6-preview")
            docx_path, pdf_path = tmp_path / "c.docx", tmp_path / "c.pdf"
            docx_info.value.save_as(docx_path)
            pdf_info.value.save_as(pdf_path)
        finally:
            browser.close()

    paragraphs = _docx_text(docx_path.read_bytes())
    assert paragraphs[1].startswith("原告：张三丰，男，1980年1月1日出生，汉族，住河南省鲁山县下汤镇和尚岭村")
    assert paragraphs[2] == "被告：王五，男，住河南省鲁山县下汤镇和尚岭村。"
    assert "1. 判令被告偿还原告借款本金人民币20000元；" in paragraphs
    assert not any("【待补充" in p for p in paragraphs)
    assert "鲁山县人民法院" in PdfReader(str(pdf_path)).pages[-1].extract_text()
    assert elapsed < 300, f"drafting took {elapsed:.0f}s"


def test_purge_after_the_retention_period_removes_the_drafts(app):
    t = make_ticket(app)
    svc, q = drafts_of(app), app.extensions["pufa"].services.queue
    svc.create(t.number, "王所长")
    q.close(t.number, "王所长", "代写文书")
    q.clock = lambda: time.time() + 4 * 365 * 86400
    assert q.purge_personal(3 * 365 * 86400) == [t.number]
    assert svc.count(t.number) == 0 and not svc.r.exists(svc.key(t.number))

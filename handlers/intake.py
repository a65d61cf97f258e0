"""The intake dialog that turns a villager's matter into a ticket for the
司法所 (litigation, legal aid, consultation) or the village mediators.

Declared as a state table (handlers.conversation): consent → name → phone →
village → category → story → other party → [who they are → where they live →
the case facts a complaint needs] → hardship → deadline → confirm, with
取消 / 返回 in every state and a 30-minute idle timeout. The bracketed steps
are for a lawsuit or legal aid only: what the 司法所 needs to draft the
民事起诉状 (the case-fact questions are data, in knowledge/complaints.yaml).

Every closed answer is read by handlers/answers.py (options by their words,
yes/no, 不知道/没有 in the villager's words, dates incl. lunar ones, amounts);
an answer that fits two options is asked back. After two refused answers in a
row, 【人工】 hands the request to staff as it is, marked incomplete.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid

from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

from knowledge.case_facts import NONE, answered, extract_amount, questions_for
from knowledge.categories import CATEGORIES, CATEGORY_CODES
from knowledge.normalize import basic

from . import answers
from .base import EVENT, TEXT, VOICE, Context, Incoming
from .conversation import END, WAY_OUT, Conversation, State, Step
from .intent import detect, wants_human
from .texts import TOO_MANY_OPEN

KIND_NAMES = {"litigation": "起诉/打官司", "legal_aid": "申请法律援助", "mediation": "请村调解员调解",
              "consult": "咨询司法所工作人员"}
KIND_ORDER = ["consult", "litigation", "legal_aid", "mediation"]
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
URGENT_DAYS = 7  # 法律援助法 Art. 44: under seven days before a deadline

CONSENT = (
    "为了把您的事转给{dest}，需要记下您的姓名、手机号、所在村和事情经过，"
    "只用于工作人员联系您、办理您的事，不会给无关的人看（《个人信息保护法》第十三条、第十七条）。\n"
    "同意请回复【同意】；不同意回复【取消】。办理中回复【返回】改上一项，回复【取消】随时退出。"
)
TIMEOUT = "您刚才填写的申请超过30分钟没有继续，草稿已经清除。需要的话回复【人工】重新开始。"
CANCELLED = "好的，已取消，您填的内容没有保存。有需要随时回复【人工】。"


def _data(ctx: Context) -> dict:
    return ctx.session["conv"]["data"]


def _dest(data: dict) -> str:
    return "村人民调解员" if data.get("kind") == "mediation" else "镇司法所"


# -- states: prompts -----------------------------------------------------------
def p_kind(ctx):
    lines = ["您想办哪件事？回复数字，或者直接说（比如“打官司”“调解”）："]
    lines += [f"{i}. {KIND_NAMES[k]}" for i, k in enumerate(KIND_ORDER, 1)]
    lines.append("（不确定就回复 1，工作人员会帮您看。）")
    return "\n".join(lines)


def p_consent(ctx):
    return CONSENT.format(dest=_dest(_data(ctx)))


def p_name(ctx):
    return "请问您怎么称呼？（回复您的姓名）"


def p_phone(ctx):
    return "请回复您的手机号，方便工作人员联系您。"


def p_village(ctx):
    return "您是哪个村（社区）的？回复村名，比如“和尚岭村”。"


def p_category(ctx):
    guess = _data(ctx).get("category")
    lines = ["这件事属于哪一类？回复数字，或者说类别的名字（比如“借贷”）："]
    lines += [f"{i}. {name}" for i, name in enumerate(CATEGORIES.values(), 1)]
    if guess in CATEGORIES:
        lines.insert(0, f"看起来是【{CATEGORIES[guess]}】方面的事，是的话回复【是】。")
    return "\n".join(lines)


def p_story(ctx):
    return "请简单说说发生了什么事（什么时候、什么人、什么事、您想要什么结果）。可以打字，也可以发语音。"


def p_other(ctx):
    if _drafting(_data(ctx)):
        return "对方叫什么名字？是单位的，说单位的名称。（不知道回复【不知道】）"
    return "对方是谁？（姓名或单位，知道的话说一下；不知道回复【没有】）"


OTHER_KINDS = [("男", "男"), ("女", "女"), ("单位（公司、厂子、合作社、村委会等）", "单位"), ("说不清", "")]


def p_other_kind(ctx):
    return "对方是男的、女的，还是单位？回复数字，或者直接说：\n" + _numbered(label for label, _ in OTHER_KINDS)


def _numbered(labels) -> str:
    return "\n".join(f"{i}. {label}" for i, label in enumerate(labels, 1))


def p_other_address(ctx):
    return ("对方住在哪里？是单位的，说单位在哪里。越具体越好，比如“下汤镇和尚岭村”“鲁山县城某某小区”；"
            "跟您同村的回复【同村】，不知道回复【不知道】。")


def _said_amount(d: dict, q) -> str:
    """For a question about money: the sum the villager's story already named (confirmed with 是)."""
    return extract_amount(d.get("story", "")) if q.answer == "amount" else ""


def _fact_index(ctx) -> int:
    arg = INTAKE.argument(ctx)
    return int(arg) if arg.isdigit() else 0


def p_fact(ctx):
    d = _data(ctx)
    questions = questions_for(d.get("category"))
    i = _fact_index(ctx)
    if i >= len(questions):
        return p_hardship(ctx)
    q = questions[i]
    lines = [f"（办理起诉需要的情况，第{i + 1}/{len(questions)}项）", q.prompt()]
    said = _said_amount(d, q)
    if said:
        lines.insert(2, f"（您刚才说的是 {said} 元，对的话回复【是】）")
    return "\n".join(lines)


# (what the villager is shown, what the ticket says)
HARDSHIP = [("家里经济困难（收入低、低保户、特困户等）", "经济困难"),
            ("外出打工讨要工资，或者工伤要赔偿（不用查经济困难）",
             "免审：进城务工人员讨薪或工伤赔偿（法律援助法第四十二条）"),
            ("老年人、残疾人、未成年人，没有固定收入的；或者是救助、优抚对象（不用查经济困难）",
             "免审：无固定收入的老年人、残疾人、未成年人或救助优抚对象（法律援助法第四十二条）"),
            ("不困难，或者说不清", "未说明经济困难")]


def p_hardship(ctx):
    return ("法律援助要看经济情况。您属于哪种？回复数字，或者直接说（比如“家里困难”“打工讨工资”）：\n"
            + _numbered(label for label, _ in HARDSHIP))


def p_deadline(ctx):
    return "有没有开庭日期，或者必须在哪天之前办的事（比如法院传票上的日期）？有就回复日期，比如“12月5日”；没有回复【没有】。"


def p_confirm(ctx):
    d = _data(ctx)
    lines = ["请核对您的申请：",
             f"事项：{KIND_NAMES.get(d.get('kind'), '')}",
             f"姓名：{d.get('name', '')}",
             f"手机：{d.get('phone', '')}",
             f"村（社区）：{d.get('village', '')}",
             f"类别：{CATEGORIES.get(d.get('category'), '')}",
             f"经过：{d.get('story', '')[:300]}"]
    if d.get("other_party"):
        lines.append(f"对方：{d['other_party']}" + (f"（{d['other_kind']}）" if d.get("other_kind") else ""))
    if d.get("other_address"):
        lines.append(f"对方住址：{d['other_address']}")
    for q, value in answered(d.get("category"), d.get("facts") or {}) if _drafting(d) else ():
        unit = "元" if q.answer == "amount" and value != NONE else ""
        lines.append(f"{q.label.replace('（元）', '')}：{q.shown(value)}{unit}")
    if d.get("hardship"):
        lines.append(f"经济情况：{d['hardship']}")
    if d.get("deadline"):
        lines.append(f"期限：{d['deadline']}" + ("（不足7天，加急）" if d.get("urgent") else ""))
    lines.append("没问题请回复【确认】提交；要改请回复【返回】；不办了回复【取消】。")
    return "\n".join(lines)


# -- states: answers -------------------------------------------------------------
def _which(text: str, labels: list[str], choice: answers.Choice, fallback: str) -> str:
    """The error of a choice not taken: the two (or more) options it fits, asked back; else the fallback."""
    return answers.which(text, labels, choice.ambiguous) if choice.ambiguous else fallback


def a_kind(text, ctx):
    labels = [KIND_NAMES[k] for k in KIND_ORDER]
    choice = answers.choose(text, labels)
    if choice.index is None and answers.is_unknown(text):
        choice = answers.Choice(0)  # 不确定: the staff will see (the prompt says so)
    if choice.index is None:
        return Step(error=_which(text, labels, choice, "没看懂您要办哪件事。"))
    _data(ctx)["kind"] = KIND_ORDER[choice.index]
    return Step("consent")


def a_consent(text, ctx):
    said = answers.yes_no(text)
    if said:
        _data(ctx)["consented_at"] = ctx.now
        return Step("name")
    if said is False:
        return Step(END, reply=CANCELLED)
    return Step(error="需要您同意后才能继续。同意请回复【同意】，不办了回复【取消】。")


def a_name(text, ctx):
    name = re.sub(r"\s+", "", text)
    name = re.sub(r"^(我叫|我是|俺叫|俺是|姓名|名字|叫)[:：]?", "", name).strip("。.!！,，")
    if (not 1 < len(name) <= 20 or re.search(r"\d", name) or answers.yes_no(name) is not None
            or answers.is_unknown(name)):
        return Step(error="没看清您的姓名。")
    _data(ctx)["name"] = name
    return Step("phone")


def a_phone(text, ctx):
    digits = re.sub(r"[\s\-－]", "", text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    found = PHONE_RE.findall(re.sub(r"^\+?86(?=1\d{10}$)", "", digits))
    if len(found) != 1:
        return Step(error="这个手机号好像不对，应该是1开头的11位数字。")
    _data(ctx)["phone"] = found[0]
    return Step("village")


def a_village(text, ctx):
    villages = ctx.services.villages
    d = _data(ctx)
    t = text.strip()
    if d.get("village_choices"):
        choices = d["village_choices"]
        n = answers.ordinal(t)
        if n is not None and 1 <= n <= len(choices):
            d["village"] = choices[n - 1]
            d.pop("village_choices", None)
            return Step("category")
    best = match_village(t, villages)
    if best:
        d["village"] = best
        d.pop("village_choices", None)
        return Step("category")
    d["village_choices"] = list(villages)
    listing = "\n".join(f"{i}. {v}" for i, v in enumerate(villages, 1))
    return Step(error=f"没找到“{t[:20]}”。请回复村名，或回复下面的数字：\n{listing}")


def _village_pinyin(text: str) -> str:
    return " ".join(lazy_pinyin(basic(text), style=Style.NORMAL))


def match_village(text: str, villages: list[str], cutoff: float = 80) -> str | None:
    """The village meant, tolerating typos and homophones (和上岭 → 和尚岭村)."""
    text = re.sub(r"^(我是|俺是|我在|俺在|住在|我住在?|家在|我家在|俺家在?)", "", basic(text))
    text = re.sub(r"(的人|的|人|那边|那里)$", "", text)
    if not villages or not text:
        return None
    chars = process.extractOne(text, villages, scorer=fuzz.WRatio, processor=basic)
    sounds = process.extractOne(_village_pinyin(text), [_village_pinyin(v) for v in villages], scorer=fuzz.ratio,
                                processor=None)
    best = max((chars[1], chars[2]), (sounds[1], sounds[2]))
    return villages[best[1]] if best[0] >= cutoff else None


def a_category(text, ctx):
    d = _data(ctx)
    names = list(CATEGORIES.values())
    said = answers.yes_no(text)
    if said and d.get("category") in CATEGORIES:
        return Step("story")
    choice = answers.choose(text, names)
    if choice.index is None and not choice.ambiguous and (said is None or len(basic(text)) > 3):
        # 离婚, 借钱, 不是，是欠工资: the category of the knowledge base's confident answer to these words
        decision = ctx.services.kb.decide(text) if len(basic(text)) >= 2 else None
        guessed = decision.best.entry.category if decision is not None and decision.kind == "answer" else None
        if guessed in CATEGORIES and not (said is False and guessed == d.get("category")):
            choice = answers.Choice(CATEGORY_CODES.index(guessed))
    if choice.index is None:
        if said is False:
            d["category"] = None  # not the guess: the list without it
            return Step(error="好的。那请回复下面的数字，或者说是哪方面的事。")
        return Step(error=_which(text, names, choice, f"请回复 1 到 {len(names)} 的数字，或者说类别的名字。"))
    d["category"] = CATEGORY_CODES[choice.index]
    return Step("story")


def a_story(text, ctx):
    if len(basic(text)) < 4:
        return Step(error="请多说几句，让工作人员能看明白。")
    d = _data(ctx)
    d["story"] = text.strip()[:2000]
    return Step("confirm" if d["kind"] == "consult" else "other")


def _drafting(d: dict) -> bool:
    """A lawsuit or legal aid: the 司法所 may have to write a complaint."""
    return d.get("kind") in ("litigation", "legal_aid")


def a_other(text, ctx):
    d = _data(ctx)
    unknown = answers.is_none(text) or answers.is_unknown(text)
    d["other_party"] = "" if unknown else text.strip()[:200]
    if d["kind"] == "mediation":
        return Step("confirm")
    if _drafting(d) and d["other_party"]:
        return Step("other_kind")
    return _after_other(d)


def _after_other(d: dict) -> Step:
    if _drafting(d) and questions_for(d.get("category")):
        return Step("fact:0")
    return Step("hardship")


def a_other_kind(text, ctx):
    labels = [label for label, _ in OTHER_KINDS]
    choice = answers.choose(text, labels)
    if choice.index is None and answers.is_unknown(text):
        choice = answers.Choice(len(OTHER_KINDS) - 1)
    if choice.index is None:
        return Step(error=_which(text, labels, choice, "没看懂。请回复 1 到 4 的数字，或者说“男的”“女的”“单位”。"))
    _data(ctx)["other_kind"] = OTHER_KINDS[choice.index][1]
    return Step("other_address")


SAME_VILLAGE = {"同村", "本村", "我们村", "俺村", "俺们村", "一个村", "一个村的", "同村的", "我们村的", "本村的"}


def full_address(text: str, ctx: Context) -> str:
    """Where the other party lives, as a complaint writes it: 同村 → 下汤镇和尚岭村;
    a village of this town (typos forgiven) gets the town's name in front."""
    d, town = _data(ctx), ctx.services.town
    t = re.sub(r"\s+", "", text.strip())[:200]
    if basic(t) in SAME_VILLAGE and d.get("village"):
        return f"{town}{d['village']}"
    if re.search(r"[省市县区镇乡]", t):
        return t
    village = match_village(t, ctx.services.villages)
    if not village:
        return t
    rest = t.split(village, 1)[1] if village in t else ""
    return f"{town}{village}{rest}"


def a_other_address(text, ctx):
    d = _data(ctx)
    if answers.is_unknown(text) or answers.is_none(text):
        d["other_address"] = ""
    elif len(basic(text)) < 2:
        return Step(error="请说得具体一点，比如“下汤镇和尚岭村”。")
    else:
        d["other_address"] = full_address(text, ctx)
    return _after_other(d)


FACT_ERRORS = {"amount": "没看懂这个数目，请回复钱数，比如“2万”“3万6”“5000元”。",
               "date": "没看懂这个日期，可以说“2024年3月5日”“去年三月”“前年腊月”。",
               "choice": "没看懂，请回复上面的数字，或者直接说。", "text": "请说得具体一点。"}


def a_fact(text, ctx):
    d = _data(ctx)
    questions = questions_for(d.get("category"))
    i = _fact_index(ctx)
    if i >= len(questions):
        return Step("hardship")
    q = questions[i]
    said = _said_amount(d, q)
    if said and answers.yes_no(text):
        value, error = said, ""
    else:
        value, error = q.understand(text, dt.date.fromtimestamp(ctx.now))
    if value is None:
        if error:
            return Step(error=error)
        return Step(error=FACT_ERRORS[q.answer] + ("没有的回复【没有】，" if q.none else "") + "记不清的回复【不知道】。")
    d.setdefault("facts", {})[q.key] = value
    return Step(f"fact:{i + 1}") if i + 1 < len(questions) else Step("hardship")


def a_hardship(text, ctx):
    labels = [label for label, _ in HARDSHIP]
    choice = answers.choose(text, labels)
    if choice.index is None:
        return Step(error=_which(text, labels, choice, "没看懂。请回复 1 到 4 的数字，或者直接说（比如“家里困难”）。"))
    _data(ctx)["hardship"] = HARDSHIP[choice.index][1]
    return Step("deadline")


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """A deadline (to come): 12月5日, 2026-12-05, 3天后, 下个月 (its first day); None if not understood."""
    return answers.parse_date(text, today, past=False).day


def a_deadline(text, ctx):
    d = _data(ctx)
    if answers.is_none(text) or answers.is_unknown(text) or answers.yes_no(text) is False:
        d["deadline"], d["urgent"] = "", False
        return Step("confirm")
    today = dt.date.fromtimestamp(ctx.now)
    date = answers.parse_date(text, today, past=False)
    if date.day is None:
        if date.error:
            return Step(error=date.error)
        if answers.yes_no(text):
            return Step(error="请说一下是哪一天，比如“12月5日”“下个月10号”。")
        return Step(error="没看懂这个日期，请按“12月5日”这样写，没有就回复【没有】。")
    d["deadline"] = date.day.isoformat()
    d["urgent"] = (date.day - today).days < URGENT_DAYS
    return Step("confirm")


NEXT_STEPS = {
    "legal_aid": ("司法所工作人员一般在24小时内通过公众号回复您，必要时打电话。符合条件的，司法所帮您向县法律援助中心提交申请；"
                  "法律援助机构收到申请后七日内决定是否给予法律援助（《法律援助法》第四十三条）。"
                  "请准备：身份证、经济困难证明或打工讨薪等免审材料、和这件事有关的证据。"),
    "litigation": ("司法所工作人员一般在24小时内通过公众号回复您，帮您梳理诉讼请求和证据，需要的话帮您写起诉状、在网上立案。"
                   "请准备：身份证，以及借条、转账记录、聊天记录、照片等证据。"),
    "mediation": ("已转给{village}的人民调解员，一般在24小时内联系您。人民调解不收费（《人民调解法》第四条），"
                  "调解不成的，调解员会帮您转到镇司法所。"),
    "consult": "司法所工作人员一般在24小时内通过公众号回复您。",
}


SPOOLED = ("您的申请已经安全保存。系统正在维护，恢复后会自动提交给司法所，不用再填一遍。"
           "过一会儿回复【进度】就能看到编号。着急的话可以拨打 12348 公共法律服务热线。")


INCOMPLETE = ("已经把您填好的内容交给了{dest}（编号 {number}），还没填的部分工作人员会在公众号里问您，"
              "或者打电话问您。回复【进度】查看办理情况；想补充情况，回复“补充”加上内容。")


def _file(ctx: Context, incomplete: bool = False) -> Step:
    """The ticket from what the villager said; incomplete: handed over before the last question."""
    d = _data(ctx)
    fields = {k: d.get(k, "") for k in ("name", "phone", "village", "category", "story", "other_party",
                                        "other_kind", "other_address", "hardship", "deadline", "urgent")}
    fields["category"] = fields["category"] or ""  # None until the category question is answered
    fields["facts"] = json.dumps(d["facts"], ensure_ascii=False) if d.get("facts") else ""
    fields["incomplete"] = incomplete
    context = [*d.get("context", []), f"村民陈述：{d.get('story', '')}"] if d.get("story") else list(d.get("context", []))
    ticket = ctx.services.queue.create(kind=d.get("kind") or "consult", openid=ctx.openid, fields=fields,
                                       context=context, idempotency_key=d["draft_id"])
    ctx.trace.update(ticket=ticket.number)
    if ticket.data.get("status") == "spooled":
        return Step(END, reply=SPOOLED)
    if incomplete:
        return Step(END, reply=INCOMPLETE.format(dest=_dest(d), number=ticket.number))
    lines = [f"已提交！您的编号是 {ticket.number}。",
             NEXT_STEPS[d["kind"]].format(village=d.get("village") or "村里")]
    if d.get("urgent"):
        lines.append("您的期限不足7天，已标为加急，会优先处理。")
    lines.append("回复【进度】查看办理情况；想补充情况，回复“补充”加上内容。")
    return Step(END, reply="\n".join(lines))


def a_confirm(text, ctx):
    said = answers.yes_no(text)
    if said:
        return _file(ctx)
    if said is False:
        return Step(error="要改哪一项，请回复【返回】一项一项往回改；不办了回复【取消】。")
    return Step(error="请回复【确认】提交，【返回】修改，或【取消】。")


NO_CONSENT = ("转给工作人员之前，需要您同意我们记下您的联系方式和事情经过。同意请回复【同意】；"
              "不方便在这里办的，可以直接到镇司法所，或者拨打 12348 公共法律服务热线。")


def way_out(ctx: Context) -> str:
    """What the re-ask offers after two refused answers: 【人工】, or before consent the office itself."""
    d = _data(ctx)
    if not d.get("kind"):
        return "也可以回复【人工】，直接找工作人员；回复【取消】退出。"
    if not d.get("consented_at"):
        return "不方便在这里办的，可以直接到镇司法所，或者拨打 12348 公共法律服务热线；回复【取消】退出。"
    return WAY_OUT


def hand_over(ctx: Context) -> Step:
    """【人工】 after refused answers: the request as it is goes to the staff, marked incomplete.
    Nothing is filed without the villager's consent to keep their details."""
    d = _data(ctx)
    if not d.get("kind"):
        d["kind"] = "consult"  # which kind of help: the staff will see
        return Step("consent")
    if not d.get("consented_at"):
        return Step(error=NO_CONSENT)
    return _file(ctx, incomplete=True)


def is_question(text: str, ctx: Context) -> bool:
    """Clearly a new question, not an answer to the current step."""
    t = text.strip()
    if len(t) < 5 or not re.search(r"[?？]|怎么|咋|吗|什么|啥|多少|能不能|可以不", t):
        return False
    return ctx.services.kb.decide(t).kind == "answer"


def answer_question(msg: Incoming, ctx: Context) -> str | None:
    decision = ctx.services.kb.decide(msg.text)
    return decision.best.entry.reply_text() if decision.kind == "answer" else None


INTAKE = Conversation(
    name="intake",
    first="consent",
    states={
        "kind": State(p_kind, a_kind),
        "consent": State(p_consent, a_consent),
        "name": State(p_name, a_name),
        "phone": State(p_phone, a_phone),
        "village": State(p_village, a_village),
        "category": State(p_category, a_category),
        "story": State(p_story, a_story, interruptible=False),
        "other": State(p_other, a_other, interruptible=False),
        "other_kind": State(p_other_kind, a_other_kind),
        "other_address": State(p_other_address, a_other_address, interruptible=False),
        "fact": State(p_fact, a_fact, interruptible=False),  # fact:0, fact:1 … one per question
        "hardship": State(p_hardship, a_hardship),
        "deadline": State(p_deadline, a_deadline),
        "confirm": State(p_confirm, a_confirm),
    },
    timeout=1800,
    timeout_text=TIMEOUT,
    cancel_text=CANCELLED,
    resume_text="（上面回答了您的问题，我们接着填申请）",
    is_question=is_question,
    answer_question=answer_question,
    hand_over=hand_over,
    way_out=way_out,
)

INTRO = {
    "litigation": "好的，我帮您把这件事转给镇司法所，工作人员会帮您看怎么起诉。",
    "legal_aid": "好的，我帮您申请法律援助：先把情况转给镇司法所，由工作人员帮您办理。",
    "mediation": "好的，我帮您把这件事转给村里的人民调解员。",
    "consult": "好的，我帮您把问题转给镇司法所的工作人员。",
}


def start_intake(ctx: Context, route: str | None, category: str | None = None, context: list[str] | None = None) -> str:
    open_tickets = ctx.services.queue.open_numbers(ctx.openid)
    if len(open_tickets) >= ctx.services.queue.max_open:
        ctx.trace.update(intent=route or "legal_aid", escalate=True)
        return TOO_MANY_OPEN.format(count=len(open_tickets), numbers="、".join(open_tickets))
    data = {"draft_id": uuid.uuid4().hex, "category": category, "context": list(context or ctx.session.get("recent", []))}
    ctx.trace.update(intent=route or "legal_aid", escalate=True)
    if route not in KIND_NAMES:
        return INTAKE.start(ctx, data, first="kind")
    data["kind"] = route
    return INTRO[route] + "\n\n" + INTAKE.start(ctx, data)


class HumanHandler:
    """【人工】 or the HUMAN menu button: choose what kind of help, then the intake."""

    name = "human"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        if msg.kind == EVENT:
            return msg.event == "click" and msg.event_key == "HUMAN"
        return msg.kind in (TEXT, VOICE) and wants_human(msg.text)

    def handle(self, msg: Incoming, ctx: Context) -> str:
        pick = ctx.session.pop("pick", None) or {}
        route = pick.get("route") if pick.get("type") == "offer" else detect(msg.text).route
        return start_intake(ctx, route, pick.get("category"))


class IntentHandler:
    """Litigation / legal-aid / mediation requests, before FAQ matching."""

    name = "intent"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind in (TEXT, VOICE) and detect(msg.text).route is not None

    def handle(self, msg: Incoming, ctx: Context) -> str:
        from .faq import FaqHandler, record_gap

        intent = detect(msg.text)
        decision = ctx.services.kb.decide(msg.text)
        category = decision.best.entry.category if decision.kind != "none" and decision.best else None
        if intent.explicit:
            return start_intake(ctx, intent.route, category, context=[*ctx.session.get("recent", []), msg.text])
        dest = "村调解员" if intent.route == "mediation" else "司法所"
        offer = f"回复 1 把您的事转给{dest}。"
        if decision.kind == "none":
            record_gap(decision, ctx)
            reply = f"这个问题我没有把握答准确，不想给您说错。\n{offer}工作人员会通过公众号回复您；也可以拨打 12348 公共法律服务热线。"
        else:
            reply = FaqHandler().respond(decision, ctx)
            pick = ctx.session.get("pick") or {}
            if pick.get("type") == "offer":
                return reply
            if pick.get("type") == "entry":  # suggestions shown: keep the digits for them
                return reply + "\n想直接找司法所的人帮忙，回复【人工】。"
            reply = f"{reply}\n\n{offer}"
        ctx.session["pick"] = {"type": "offer", "route": intent.route, "category": category}
        ctx.trace["escalate"] = True
        return reply

"""普法答题: 答题 (text or voice) or the QUIZ menu button starts a round of five
questions from knowledge/quiz/. Each answer (a number, the option's words, or
对/错/是/不是) gets 答对了/答错了, the right option, the explanation and its legal
basis, then the next question; the round ends with the score ("5题答对4题"), the
related FAQ entries offered by number, and one count in bot.outreach (no
personal data). 取消 leaves; a round left for 30 minutes times out.

Declared as a state table (handlers.conversation): one state "q" asked five
times ("q:0" … "q:4"). The round (question ids, the order each question's
options are shown in, the answers) lives in the session, drawn once with a seed
of its own, so a retried message sees the same round.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from zoneinfo import ZoneInfo

import redis

from knowledge.quiz import QUIZ_CATEGORIES, TRUEFALSE, XIANFA, load_questions

from .answers import choose, ordinal, share_in, yes_no
from .base import EVENT, TEXT, VOICE, Context, Incoming
from .conversation import END, Conversation, State, Step

WORDS = {"答题", "普法答题", "我要答题", "开始答题", "答题挑战", "普法知识答题", "我要普法答题"}
ROUND = 5
XIANFA_IN_WEEK = 2  # 宪法宣传周 (12-01..12-07, around 12月4日国家宪法日): at least two 宪法 questions
TZ = ZoneInfo("Asia/Shanghai")
# What a villager may say to a 对/错 question, for answers.choose (yes_no is asked first).
_TRUEFALSE_WORDS = ["对，正确", "错，错误"]
MAX_OFFERS = 3

INTRO = "【普法答题】一共{n}题，答完看看您能答对几题。"
WEEK_NOTE = "本周是宪法宣传周（12月4日是国家宪法日），这一轮有宪法题。"
TIMEOUT = "您的普法答题超过30分钟没有继续，这一轮已经结束。想再答，回复【答题】。"
CANCELLED = "好的，已退出答题，这一轮不计分。想再答，回复【答题】。"
EMPTY_BANK = "答题的题目还在准备中，请过几天再来。回复【菜单】看常见问题。"
BUSY = "您还有一份申请没填完，先接着填完；不想填了回复【取消】，再回复【答题】。"


def constitution_week(now: float) -> bool:
    day = dt.datetime.fromtimestamp(now, TZ).date()
    return day.month == 12 and 1 <= day.day <= 7


def draw(questions, rng: random.Random, week: bool, n: int = ROUND) -> list:
    """n different questions, from as many categories as possible; in 宪法宣传周 at least two 宪法."""
    by_category: dict[str, list] = {}
    for q in questions:
        by_category.setdefault(q.category, []).append(q)
    picked = []
    if week and XIANFA in by_category:
        picked += rng.sample(by_category[XIANFA], min(XIANFA_IN_WEEK, len(by_category[XIANFA]), n))
    categories = [c for c in by_category if not (week and c == XIANFA)]
    rng.shuffle(categories)
    for code in categories[:max(0, n - len(picked))]:
        picked.append(rng.choice(by_category[code]))
    rest = [q for q in questions if q not in picked]
    rng.shuffle(rest)
    picked += rest[:max(0, n - len(picked))]
    rng.shuffle(picked)
    return picked


def _data(ctx: Context) -> dict:
    return ctx.session["conv"]["data"]


def _round(ctx: Context) -> list:
    """The round's questions; one removed from the bank since the round began is replaced."""
    d = _data(ctx)
    bank = load_questions()
    by_id = {q.id: q for q in bank}
    out = []
    for i, qid in enumerate(d["ids"]):
        q = by_id.get(qid)
        if q is None:
            spare = [x for x in bank if x.id not in d["ids"]] or list(bank)
            q = random.Random(f"{d['seed']}:{i}").choice(spare)
            d["ids"][i], d["order"][i] = q.id, list(range(len(q.options)))
        out.append(q)
    return out


def _current(ctx: Context):
    i = int(QUIZ.argument(ctx) or 0)
    d = _data(ctx)
    q = _round(ctx)[i]
    order = d["order"][i]
    if sorted(order) != list(range(len(q.options))):  # the question's options changed meanwhile
        order = d["order"][i] = list(range(len(q.options)))
    return i, q, order


def _right_label(q, order: list[int]) -> str:
    if q.kind == TRUEFALSE:
        return q.right_option
    shown = order.index(q.answer - 1) + 1
    return f"{shown}. {q.right_option}"


def p_question(ctx: Context) -> str:
    i, q, order = _current(ctx)
    feedback = _data(ctx).pop("feedback", "")
    lines = [feedback, ""] if feedback else []
    lines.append(f"第{i + 1}题（共{len(_data(ctx)['ids'])}题）【{QUIZ_CATEGORIES.get(q.category, '')}】")
    if q.kind == TRUEFALSE:
        lines += [f"这句话对不对？{q.question}", "回复【对】或【错】。"]
    else:
        lines.append(q.question)
        lines += [f"{n}. {q.options[k]}" for n, k in enumerate(order, 1)]
        lines.append("回复数字，或者直接说选项。")
    lines.append("（回复【取消】退出答题）")
    return "\n".join(lines)


def understand(text: str, q, order: list[int]):
    """(the option meant, as an index into q.options, or None; the shown numbers when two options fit)."""
    if q.kind == TRUEFALSE:
        said = yes_no(text)
        if said is not None:
            return (0 if said else 1), ()
        choice = choose(text, _TRUEFALSE_WORDS)
        return choice.index, tuple(i + 1 for i in choice.ambiguous)
    shown = [q.options[k] for k in order]
    choice = choose(text, shown)
    if choice.index is not None:
        return order[choice.index], ()
    return None, tuple(i + 1 for i in choice.ambiguous)


def a_question(text: str, ctx: Context) -> Step:
    i, q, order = _current(ctx)
    meant, ambiguous = understand(text, q, order)
    if meant is None:
        if ambiguous:
            names = "还是".join(f"“{n}. {q.options[order[n - 1]]}”" for n in ambiguous)
            return Step(error=f"您选的是{names}？请回复数字。")
        hint = "请回复【对】或【错】。" if q.kind == TRUEFALSE else "请回复选项前面的数字，比如 1。"
        return Step(error=f"没看明白您选的是哪一个。{hint}")
    right = meant == q.answer - 1
    d = _data(ctx)
    d["answers"][i] = right
    verdict = "【答对了】" if right else "【答错了】"
    feedback = f"{verdict}正确答案：{_right_label(q, order)}\n{q.explain}\n依据：{q.basis()}"
    if i + 1 < len(d["ids"]):
        d["feedback"] = feedback
        return Step(f"q:{i + 1}")
    return Step(END, reply=f"{feedback}\n\n{finish(ctx)}")


def _village(ctx: Context) -> str | None:
    """The villager's village, when one of their tickets names a known one (for the per-village count)."""
    queue = ctx.services.queue
    if queue is None:
        return None
    try:
        tickets = queue.for_openid(ctx.openid)
    except redis.RedisError:
        return None
    for t in reversed(tickets):
        village = t.data.get("village")
        if village and village in ctx.services.villages:
            return village
    return None


def finish(ctx: Context) -> str:
    d = _data(ctx)
    questions = _round(ctx)
    total, score = len(questions), sum(1 for a in d["answers"] if a)
    ctx.trace.update(intent="quiz", quiz_score=score)
    if ctx.services.outreach is not None:
        ctx.write_later(ctx.services.outreach.quiz_round, ctx.openid, score, total, _village(ctx), ctx.now)
    if score == total:
        comment = "全部答对，真棒！"
    elif score * 2 > total:
        comment = "答得不错！"
    else:
        comment = "没关系，多学多问，下次一定更好。"
    lines = [f"答题结束！{total}题答对{score}题。{comment}"]
    # The FAQ entries of the questions answered wrong first, then the others.
    ranked = [q for q, a in zip(questions, d["answers"]) if not a] + [q for q, a in zip(questions, d["answers"]) if a]
    kb = ctx.services.kb
    offers = []
    for q in ranked:
        if q.faq and q.faq in kb.by_id and q.faq not in offers:
            offers.append(q.faq)
    offers = offers[:MAX_OFFERS]
    if offers:
        ctx.session["pick"] = {"type": "entry", "ids": offers}
        lines.append("想多了解一点，回复数字看相关问答：")
        lines += [f"{n}. {kb.by_id[fid].question}" for n, fid in enumerate(offers, 1)]
    else:
        ctx.session.pop("pick", None)
    lines.append("想再来一轮，回复【答题】。")
    return "\n".join(lines)


def on_start(ctx: Context) -> str:
    d = _data(ctx)
    intro = INTRO.format(n=len(d["ids"]))
    return f"{intro}\n{WEEK_NOTE}" if d.get("week") else intro


def is_question(text: str, ctx: Context) -> bool:
    """A real question typed mid-round (answered, then the round goes on) — never an answer."""
    from .intake import is_question as clearly_a_question

    if not clearly_a_question(text, ctx):
        return False
    _, q, order = _current(ctx)
    meant, ambiguous = understand(text, q, order)
    if meant is None and not ambiguous:
        return True
    # A question that merely holds an option's words ("老板拖欠工资不给怎么办？" ⊃ "可以不给")
    # is still a question: a pick is a number, or words mostly of one option.
    if ordinal(text) is not None:
        return False
    options = _TRUEFALSE_WORDS if q.kind == TRUEFALSE else q.options
    return max(share_in(text, option) for option in options) < 0.5


def answer_question(msg: Incoming, ctx: Context) -> str | None:
    from .intake import answer_question as answer

    return answer(msg, ctx)


QUIZ = Conversation(
    name="quiz",
    first="q:0",
    states={"q": State(p_question, a_question)},
    timeout=1800,
    timeout_text=TIMEOUT,
    cancel_text=CANCELLED,
    resume_text="（上面回答了您的问题，我们接着答题）",
    on_start=on_start,
    is_question=is_question,
    answer_question=answer_question,
)


def start_quiz(ctx: Context) -> str:
    ctx.trace.update(intent="quiz")
    conv = ctx.session.get("conv")
    if conv and QUIZ.active(ctx) and not QUIZ.expired(ctx):
        conv["touched"] = ctx.now
        return "您正在答题，接着答：\n\n" + p_question(ctx)
    if conv and not QUIZ.active(ctx):
        return BUSY
    bank = load_questions()
    if not bank:
        return EMPTY_BANK
    seed = uuid.uuid4().hex[:16]
    rng = random.Random(seed)
    week = constitution_week(ctx.now)
    picked = draw(bank, rng, week)
    order = []
    for q in picked:
        shown = list(range(len(q.options)))
        if q.kind != TRUEFALSE:
            rng.shuffle(shown)
        order.append(shown)
    ctx.session.pop("pick", None)
    data = {"seed": seed, "ids": [q.id for q in picked], "order": order, "answers": [None] * len(picked),
            "week": week}
    return QUIZ.start(ctx, data)


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text or "")


class QuizHandler:
    name = "quiz"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        if msg.kind == EVENT:
            return msg.event == "click" and msg.event_key == "QUIZ"
        return msg.kind in (TEXT, VOICE) and _plain(msg.text) in WORDS

    def handle(self, msg: Incoming, ctx: Context) -> str:
        return start_quiz(ctx)

"""Finding the question in a long message.

Real messages, and recognised voice even more, tell a story first and ask at
the end: "我家的房子出现山体滑坡……村委会不批宅基地，自己又买不起商品房怎么办？"
Matched as one bag of words, the facts drown the question. Here a message is
cut into clauses (at punctuation, spaces, and — for voice run-ons without any —
before connectives such as 但是/结果/现在/请问), a repeated tail is dropped
("…怎么办批宅基地自己又买不起商品房怎么办"), and each clause is marked as a
question (请问…, …怎么办, …吗, …能不能, 可以…吗, 该…, and always the last clause)
or as story.

`focus(text)` gives what the matcher scores next to the whole message: the
question clauses that say something on their own (one pointing back, "这份合同
能不认吗", takes the clause before it) and the key facts of the story (who and
what thing: 房子/工资/彩礼/宅基地/欠条…). A short or single-clause message, or
one whose only question is a bare "怎么办"/"这合理不" (the story is then the
question), has no focus (None) and is matched exactly as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .memo import per_message
from .normalize import basic, normalize

LONG_AT = 24  # normalised characters from which a message counts as long
RUN_ON_AT = 16  # a clause this long without punctuation may be a voice run-on
MIN_TAIL = 4  # shortest repeated tail that is dropped
SPECIFIC_AT = 6  # content characters (cue words aside) a question clause needs to be weighed on its own

_SPLIT = re.compile(r"[，,。．.？?！!；;…:：~～“”‘’\"「」『』（）()\s\n]+")
# Connectives that open a new clause in speech; a run-on is cut before them. They say how
# the story goes on, not what it is about: never a key fact of the story.
CONNECTIVES = ("但是", "可是", "结果", "后来", "然后", "所以", "因为", "如果", "现在", "那么", "当时",
               "之后", "以后", "于是", "而且", "并且", "或者", "还是", "虽然", "不过", "只是", "就是")
_OPENERS = re.compile(
    r"(?=请问|我想问|想问一下|想咨询|我想知道|但是|可是|结果|后来|然后|所以|因为|如果|现在|"
    r"这种情况|这种事|这样的话|那么|那我)")
_QUESTION = re.compile(
    r"请问|想问|问一下|咨询|想知道|请教|怎么|咋|如何|怎样|吗|嘛|么$|呢$|能不能|可不可以|能否|是否|是不是|"
    r"有没有|算不算|会不会|要不要|该|应当|需要|什么|啥|多少|多久|多长|几年|几个|哪|谁|合法|违法|犯法|"
    r"有效|无效|合理|行不行|管不管|有权|(能|会|得|管|行|赔|算|可以|要).{0,12}不$")
# Words that only say "this is a question": not what it is about.
_CUE_WORDS = re.compile(
    r"请问|我想问|想问|问一下|咨询|想知道|请教|怎么办|怎么|咋办|咋|如何|怎样|吗|嘛|么|呢|能不能|"
    r"可不可以|能否|是否|是不是|有没有|该|应该|应当|合法|违法|合理|这样|这种|情况|事|我|他|她|的|了|是|"
    r"可以|能|会|要|不")
# A question that points back at the story ("这份合同能不认吗") takes the clause before it.
_REFERS_BACK = re.compile(r"这|那|此|上述|以上")
# A story clause that opens with "if / because / but" right before a question is its condition
# ("但因为监控不全，事故怎么认定"; "如果离婚的话，孩子归谁"): it is weighed with the question.
_CONDITION = re.compile(r"^(如果|要是|假如|万一|因为|由于|既然|但是|但|可是|可)")
# Who and what thing: kept from the story when the question clause is weighed.
# Written in the normalised form (knowledge/synonyms.yaml maps 媳妇→老婆, 工钱→工资 …).
FACT_WORDS = (
    "老婆", "丈夫", "前妻", "前夫", "孩子", "儿子", "女儿", "儿媳", "女婿", "父母", "老人", "公婆",
    "爷爷", "奶奶", "兄弟", "姐妹", "继父", "继母", "邻居", "房东", "租客", "老板", "公司", "单位",
    "员工", "村委会", "村干部", "物业", "保险公司", "商家", "卖家", "对方", "司机",
    "房子", "房屋", "宅基地", "承包地", "土地", "耕地", "林地", "自建房", "商品房", "房产证",
    "工资", "加班费", "社保", "医保", "养老保险", "工伤", "劳动合同", "合同", "试用期", "辞退",
    "经济补偿", "彩礼", "嫁妆", "结婚", "离婚", "抚养费", "赡养费", "抚养权", "遗产", "遗嘱", "继承",
    "欠条", "借条", "欠款", "借款", "利息", "担保", "押金", "定金", "订金", "违约金", "房租",
    "车祸", "电动车", "摩托车", "驾驶证", "医疗费", "赔偿", "拆迁", "征收", "补偿款", "低保",
    "贷款", "转账", "打架", "受伤", "狗",
)


@dataclass(frozen=True)
class Clause:
    text: str  # the clause, simplified, without punctuation
    question: bool


@dataclass(frozen=True)
class Focus:
    questions: tuple[str, ...]  # each question (with its context) on its own, in order
    story: str  # the rest of the message, normalised
    facts: tuple[str, ...]  # FACT_WORDS the story names and the questions do not

    def text(self, more_facts=()) -> str:
        """What is scored: the story's key facts, then the questions."""
        return " ".join((*self.facts, *more_facts, *self.questions))


# A question ends at 吗: in a run-on, what follows it is a new clause ("…要付抚养费吗带过去的闺女算…").
_ASKED = re.compile(r"(?<=吗)(?!啡)")


def _run_on_split(piece: str) -> list[str]:
    if len(piece) < RUN_ON_AT:
        return [piece]
    parts = [p for part in _ASKED.split(piece) for p in _OPENERS.split(part) if p]
    out: list[str] = []
    for p in parts:  # a connective with too little after it stays with its clause
        if out and (len(p) < 4 or len(out[-1]) < 4):
            out[-1] += p
        else:
            out.append(p)
    return out


def _repeated_tail(joined: str) -> int:
    """How many characters at the end repeat text said before them (0: none)."""
    n = len(joined)
    for size in range(n // 2, MIN_TAIL - 1, -1):
        if joined[n - size:] in joined[:n - size]:
            return size
    return 0


def _drop_repeated_tail(pieces: list[str]) -> list[str]:
    """Drop the end of the message while it repeats text said just before
    (voice input and copy-paste double, or treble, the last words)."""
    while True:
        joined = "".join(pieces)
        size = _repeated_tail(joined)
        if not size:
            return pieces
        keep, cut = [], len(joined) - size
        for p in pieces:
            if cut <= 0:
                break
            keep.append(p[:cut])
            cut -= len(p)
        pieces = keep


@per_message
def without_repeated_tail(text: str) -> str:
    """The message with a repeated tail dropped (its clauses joined by "，"), or the
    message itself when it has none: what the whole message is matched as."""
    pieces = [p for p, _ in _raw_pieces(text)]
    kept = _drop_repeated_tail(pieces)
    if kept == pieces:
        return text
    return "，".join(p for p in kept if p)


def _is_question(piece: str, raw_end: str) -> bool:
    return raw_end in ("?", "？") or bool(_QUESTION.search(piece))


@per_message
def split(text: str) -> tuple[Clause, ...]:
    """The message's clauses, in order, repeated ones and a repeated tail dropped."""
    raw = [(p, m) for p, m in _raw_pieces(text)]
    pieces: list[str] = []
    ends: list[str] = []
    for piece, end in raw:
        sub = _run_on_split(piece)
        pieces += sub
        ends += [""] * (len(sub) - 1) + [end]
    kept = _drop_repeated_tail(pieces)
    ends = ends[:len(kept)]
    out: list[Clause] = []
    seen: set[str] = set()
    asking = False  # the clause before was a bare "请问"/"想问下": this one is the question
    for i, (piece, end) in enumerate(zip(kept, ends)):
        if not piece or piece in seen:
            continue
        seen.add(piece)
        last = i == len(kept) - 1
        question = last or asking or _is_question(piece, end)
        if question and not last and _content(piece) <= 1:
            asking = True  # an opener with nothing in it: not a clause of its own
            continue
        asking = False
        out.append(Clause(piece, question))
    return tuple(out)


def _raw_pieces(text: str):
    """(clause, the punctuation that ended it) in basic form (simplified, lower case)."""
    pos = 0
    for m in _SPLIT.finditer(text or ""):
        piece = basic(text[pos:m.start()])
        if piece:
            yield piece, m.group(0).strip()[:1]
        pos = m.end()
    tail = basic((text or "")[pos:])
    if tail:
        yield tail, ""


def _content(piece: str) -> int:
    return len(_CUE_WORDS.sub("", normalize(piece)))


@per_message
def focus(text: str) -> Focus | None:
    """What to weigh in a long message, or None: match the message as it is."""
    if len(normalize(text)) < LONG_AT:
        return None
    clauses = split(text)
    if len(clauses) < 2:
        return None
    questions: list[str] = []
    used: set[int] = set()
    for i, c in enumerate(clauses):
        if c.question and _content(c.text) >= SPECIFIC_AT:
            back = i and (_REFERS_BACK.search(c.text) or (
                _CONDITION.match(clauses[i - 1].text) and not clauses[i - 1].question))
            j = i - 1 if back and i - 1 not in used else i
            used.update(range(j, i + 1))  # "这份合同…"/"如果…": the clause before says which
            questions.append("".join(x.text for x in clauses[j:i + 1]))
    if not questions:
        return None  # only "怎么办"/"这合理不": the story is the question
    story = "".join(c.text for i, c in enumerate(clauses) if i not in used)
    if not story:
        return None  # all question: nothing to weigh down
    story_norm = normalize(story)
    asked = normalize("".join(questions))
    facts = tuple(w for w in FACT_WORDS if w in story_norm and w not in asked)
    return Focus(tuple(questions), story_norm, facts)

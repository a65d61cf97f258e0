"""What a villager's answer to a closed question means — the one place where
answers are understood, for every dialog step (the intake, the complaint facts
of knowledge/complaints.yaml, confirmations, menu and suggestion picks).

People answer in their own words, often through voice recognition:
    choose("微信转的", ["给的现金", "银行转账", "微信转账"])  -> Choice(2)
    choose("转账", …)                                        -> Choice(None, ambiguous=(1, 2))
    yes_no("是的") -> True, is_unknown("记不清了"), is_none("没说哪天还")
    parse_date("去年腊月", today)  -> the 初一 of last lunar year's 12th month
    parse_amount("3万6") -> Amount(36000), parse_amount("一天200块") -> Amount(200, "day"),
    parse_amount("李四") -> None

Everything here is pure (no Redis, no app, `today` is passed in) and fast.
Lunar dates are converted by the `lunardate` library; numerals by `cn2an`.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import cn2an
from lunardate import LunarDate
from opencc import OpenCC

from knowledge.normalize import basic, normalize

_t2s = OpenCC("t2s")


def _light(text: str) -> str:
    """NFKC (full-width → half-width), simplified, lower case, no spaces;
    keeps the dots and dashes of 1.5万 and 2024-3-5."""
    return re.sub(r"\s+", "", _t2s.convert(unicodedata.normalize("NFKC", text or "")).lower())


def _clauses(text: str) -> list[str]:
    """The answer's clauses, without punctuation: "对，是他借的" → ["对", "是他借的"]; a space
    (how voice input and phone keyboards often end a clause) separates too: "没错没错 就是"."""
    light = _t2s.convert(unicodedata.normalize("NFKC", text or "")).lower()
    return [c for c in re.split(r"[\W_]+", light) if c]


def _forms(text: str) -> list[str]:
    """The whole answer and its first clause (an answer often starts with the word and goes on)."""
    clauses = _clauses(text)
    if not clauses:
        return []
    whole = "".join(clauses)
    return [whole] if len(clauses) == 1 else [whole, clauses[0]]


_PARTICLES = "啊呀吧呢哦啦嘛哈嘞噢么哇哩咧"  # 哩/咧: the Henan 呢/的 (是哩, 中哩)


def _plain(word: str) -> str:
    """好的吧 → 好的, 对对对 → 对, 是的是的 → 是的, 我同意 → 同意, 好的谢谢 → 好的, 是哩 → 是, 对着哩 → 对."""
    w = re.sub(r"(谢谢(你|您|了)?|麻烦(你|您)?了?)$", "", word) or word
    w = re.sub(rf"(?<=.)着(?=[{_PARTICLES}]+$)", "", w)  # 对着哩, 好着呢, 中着哩
    w = re.sub(r"(.+?)\1+$", r"\1", w)  # repetition, particle and all: 对哩对哩, 是哩是哩
    w = w.rstrip(_PARTICLES) or w
    w = re.sub(r"(.+?)\1+$", r"\1", w)  # repetition: 对对对, 嗯嗯, 是的是的
    w = re.sub(r"^(我|俺|咱|那|那就|就)(?=.)", "", w)
    return w


# -- yes / no, unknown, none ---------------------------------------------------------
YES_WORDS = {"是", "是的", "是滴", "对", "对的", "对头", "对呀", "没错", "没错的", "嗯", "恩", "嗯呐", "好", "好的",
             "行", "行的", "中", "中的", "可以", "可以的", "同意", "同意的", "愿意", "确认", "确认提交", "提交",
             "确定", "没问题", "要", "需要", "有", "有的", "嗯那", "恩那", "恩呐", "ok", "okay", "yes", "y"}
NO_WORDS = {"不", "不是", "不是的", "没有", "没有的", "没", "不对", "不行", "不中", "不同意", "不愿意", "不要",
            "不用", "不需要", "不可以", "不确认", "否", "错了", "不对的", "无", "no", "n"}


def yes_no(text: str) -> bool | None:
    """True for 是/是的/对/嗯/好/行/中/可以/同意/确认…, False for 不/不是/没有/不对/不行/不同意… and
    没有借条-like answers; None for anything else, 不知道/不好说 included."""
    if is_unknown(text):
        return None
    if re.search(r"[?？]|啥|什么|吗|咋|怎么", text or ""):
        return None  # 嗯？啥: a question back, not a yes
    for form in _forms(text):
        word = _plain(form)
        if word in YES_WORDS:
            return True
        if word in NO_WORDS or is_none(word):
            return False
    return None


_WHO = ("(?:我|俺|咱|也|都|真|可|实在|确实|这个|那个|这|那|一下子|一下|一时半会儿?|现在|如今|"
        "具体|具体的|他|她|对方|人家|就|还|是|有点|有些|早|早就|太|一时|"
        "哪天|哪一天|几号|时间|日子|多少|名字|太长|太久|长了|久了|年头|太多|了)")
_UNKNOWN_RE = re.compile(
    rf"^{_WHO}*(?:不知道|不晓得|不晓|不清楚|不太清楚|不大清楚|不是很清楚|不是太清楚|搞不清|弄不清|记不清|记不太清|记不大清|记不得|记不住|不记得|不太记得|"
    r"不大记得|想不起来|想不起|记不起来|记不起|想不出来|忘了|搞忘了|忘记了|忘记|忘掉了|说不清|说不上来|说不好|不确定|不好说|没印象|没记住|没记清|"
    r"不知|不了解|不详|未知|不明|谁知道|跳过)"
    r"(?:了|楚)?(?:(?:他|她|对方)?(?:叫什么|叫啥|名字|住哪|住在哪|在哪|在哪里|是谁|多少|哪天|几号|什么时候|啥时候))?"
    rf"[{_PARTICLES}了]*$")


def is_unknown(text: str) -> bool:
    """不知道/不清楚/记不清/忘了/说不清/不晓得… (the whole answer, or its first clause)."""
    return any(_UNKNOWN_RE.match(form) for form in _forms(text))


_NONE_RE = re.compile(
    r"^(?:都|也|从来|一直|根本|啥也|啥都|什么也|什么都|当时|当时也|当时就|好像|应该|就|他|她|对方|我们|俺们|双方)*"
    r"(?:没有|没得|木有|没|无|未|不要|不收|不算|不给)"
    r"(?:说|讲|约定|约|定|写|谈|提|商量|签|打|立|要|收|算|给)?(?:好|过|清楚|清|了)?"
    r"(?:哪天还钱|哪天还|哪天|哪一天|什么时候还|啥时候还|几时还|什么时候|啥时候|几时|日子|时间|日期|期限|还款日期|"
    r"还钱的日子|还钱日期|利息|利钱|息|借条|欠条|条子|字据|合同|协议|开庭|传票|截止日期)?"
    r"(?:的|了|过|呀|啊|呢|哦|吧)*$")
_NONE_EXTRA = {"无息", "免息", "没息", "不要息", "零利息", "0利息", "一分利息也没有"}
_NOT_NONE = {"没问题", "没错", "没事", "没关系", "没看懂", "没听懂", "未成年"}


def is_none(text: str) -> bool:
    """没有/没/无/没说/没说好/没约定/没写/没定/没讲/没说哪天还/没有利息… (the whole answer or its first clause)."""
    for form in _forms(text):
        if form in _NOT_NONE:
            return False
        if form in _NONE_EXTRA or _NONE_RE.match(form):
            return True
    return False


# -- options -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    index: int | None  # 0-based index of the chosen option, None if none/unclear
    ambiguous: tuple[int, ...] = ()  # 0-based indexes when the answer fits two or more options


_ORDINAL_RE = re.compile(
    r"^(?:我选|我要|选择?|就选|要|就是|是)?第?(\d{1,2}|[一二两三四五六七八九十]{1,3})"
    r"(?:个|号|项|条|种|位|类|个吧)?[的吧啊呀哦呢]?$")
_NEGATION = ("没", "不", "无", "未")
_UNSURE_OPTION = re.compile(r"说不清|不知道|不清楚|不确定|不好说|记不清")
_PREFIX = re.compile(r"^(?:我选|选|就是|应该是|算是|属于|对方是|他是|她是|人家是|我是|俺是|我们是|俺们是|用的是|用的|用|"
                     r"通过|走的|拿的|是个|是一个|是|一个|个)")
_SUFFIX = re.compile(r"(?:的事情|的事|方面的|方面|那个|这个|那种|这种|的吧|的|了|吧|啊|呀|呢|哦|嘛|啦)$")


def ordinal(text: str) -> int | None:
    """The 1-based number in "3", "３", "第三个", "选3", "3号", "三"; None if the answer is not a number pick."""
    m = _ORDINAL_RE.match(basic(text))
    if not m:
        return None
    word = m.group(1)
    if word.isdigit():
        return int(word)
    try:
        return int(cn2an.cn2an(word, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _strip(t: str) -> str:
    """对方是男的 → 男, 用微信转的 → 微信转 (never down to nothing)."""
    while True:
        s = _SUFFIX.sub("", _PREFIX.sub("", t))
        if not s or s == t:
            return t
        t = s


def _aliases(option: str) -> list[str]:
    """An option's words and their alternatives: "单位（公司、厂子）" → ["单位", "公司", "厂子"].
    A bracketed remark that negates (（不用查经济困难）) is not an alternative."""
    main = re.split(r"[（(]", option, maxsplit=1)[0]
    extra = re.findall(r"[（(]([^）)]*)[）)]", option)
    parts = re.split(r"[、，,/／]|或者是|或者|或是|还是|或", main)
    for remark in extra:
        parts += [p for p in re.split(r"[、，,/／]|或者|或", remark) if not p.startswith(_NEGATION)]
    parts = [re.sub(r"等$", "", basic(p)) for p in parts]
    return [p for p in parts if p]


def _lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence of two short strings."""
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def _fit(t: str, alias: str) -> float:
    """How well the answer t fits one of an option's words: 1 when the word is said
    whole (男的 ⊃ 男), else the share of the answer's characters found in it, in order."""
    if not t or not alias:
        return 0.0
    if alias in t:
        return 1.0
    return _lcs(t, alias) / len(t)


def share_in(text: str, option: str) -> float:
    """The share of the answer's characters found, in order, in the option's words
    (0 for an empty answer): 可以不给 in 可以不给吧 → 0.8, in 老板拖欠工资不给怎么办 → 0.18."""
    t = basic(text)
    return max((_lcs(t, alias) / len(t) for alias in _aliases(option)), default=0.0) if t else 0.0


def _span(t: str, alias: str) -> tuple[int, int]:
    """The longest piece of the answer t found in alias: (length, where it starts in t)."""
    best = (0, 0)
    for i in range(len(t)):
        j = i + best[0] + 1
        while j <= len(t) and t[i:j] in alias:
            best = (j - i, i)
            j += 1
    return best


def _mentions(t: str, options: list[str], keep: list[int]) -> Choice:
    """The options the answer names: a piece of two or more characters of one of an option's
    words (银行卡上转的 → 银行转账), or a one-character word whole (男的 → 男). A piece inside a
    longer piece naming another option does not count (支付宝转账: not 银行转账). Several named
    by different pieces, or by the same piece (转账给他的), is ambiguous."""
    named = {}
    for i in keep:
        parts = _aliases(options[i])
        for part in parts:
            length, start = _span(t, part)
            if (length >= 2 or length == len(part)) and length > named.get(i, (0, 0, False))[0]:
                named[i] = (length, start, t == part)
    if not named:
        return Choice(None)
    inside = {i for i, (n, s, _) in named.items()
              if any(m > n and s2 <= s and s + n <= s2 + m for j, (m, s2, _) in named.items() if j != i)}
    left = [i for i in named if i not in inside]
    exact = [i for i in left if named[i][2]]
    if len(left) == 1 or len(exact) == 1:
        return Choice(exact[0] if len(exact) == 1 else left[0])
    return Choice(None, tuple(sorted(left)))


def _by_words(t: str, options: list[str], keep: list[int]) -> Choice:
    """The option the answer names (_mentions); failing that, the one whose words hold nearly all
    of the answer's characters in order (家经济困难 → 家里经济困难)."""
    named = _mentions(t, options, keep)
    if named.index is not None or named.ambiguous:
        return named
    scores = []
    for i in keep:
        parts = _aliases(options[i])
        scores.append((max((_fit(t, p) for p in parts), default=0.0), i))
    best = max((score for score, _ in scores), default=0.0)
    if best < 0.6 or len(t) < 3:
        return Choice(None)
    top = [i for score, i in scores if score >= best - 1e-9]
    return Choice(top[0]) if len(top) == 1 else Choice(None, tuple(sorted(top)))


def choose(text: str, options: list[str]) -> Choice:
    """Which option the answer means: its number (3, ３, 第三个, 选3, 3号, 三), its words or a clear
    part of them (微信转的 → 微信转账, 家里困难 → 家里经济困难, 男的 → 男), yes/no for a pair like
    写了/没写, 不知道 for an option like 说不清, words of knowledge/synonyms.yaml. An answer that fits
    two or more options (转账; 2微信, where the number and the word disagree) is ambiguous:
    index None, the options in `ambiguous`."""
    if not options or not basic(text):
        return Choice(None)
    n = ordinal(text)
    if n is not None:
        return Choice(n - 1 if 1 <= n <= len(options) else None)
    t = basic(text)
    for i, option in enumerate(options):
        if t == basic(option):
            return Choice(i)
    m = re.fullmatch(r"(\d{1,2})(\D{2,})", t)
    if m:  # 2微信: the number and the words must agree
        by_number = int(m.group(1)) - 1
        by_words = choose(m.group(2), options)
        if by_words.index is None or by_words.index == by_number:
            return Choice(by_number if 0 <= by_number < len(options) else None)
        if 0 <= by_number < len(options):
            return Choice(None, tuple(sorted({by_number, by_words.index})))
        return by_words
    negative = [i for i, o in enumerate(options) if basic(o).startswith(_NEGATION)]
    positive = [i for i in range(len(options)) if i not in negative]
    if is_unknown(text):
        unsure = [i for i, o in enumerate(options) if _UNSURE_OPTION.search(o)]
        return Choice(unsure[0] if len(unsure) == 1 else None)
    said_no = t.startswith(_NEGATION) and t not in YES_WORDS
    if len(options) == 2 and len(negative) == 1:  # 写了借条 / 没写
        answer = yes_no(text)
        if answer is not None or said_no:
            return Choice(positive[0] if answer else negative[0])
    keep = positive if negative and positive and not said_no else list(range(len(options)))
    choice = _by_words(_strip(t), options, keep)
    if choice.index is None and not choice.ambiguous and _strip(t) != t:  # 用工, 写了: the words as said
        choice = _by_words(t, options, keep)
    if choice.index is None and not choice.ambiguous:  # synonyms: 讨工钱 ~ 讨要工资, 车祸 ~ 交通事故
        synonym = _strip(normalize(text) or t)
        canonical = [normalize(o) or o for o in options]
        if synonym != _strip(t) or canonical != [basic(o) for o in options]:
            choice = _by_words(synonym, canonical, keep)
    return choice


def which(text: str, options: list[str], indexes: tuple[int, ...]) -> str:
    """Asking back when an answer fits several options: 您说的“转账”，是“2. 银行转账”还是“3. 微信转账”？"""
    named = [f"“{i + 1}. {re.split(r'[（(]', options[i], maxsplit=1)[0]}”" for i in indexes]
    said = re.sub(r"\s+", "", text)[:12]
    listing = "、".join(named[:-1]) + "还是" + named[-1] if len(named) > 1 else named[0]
    return f"您说的“{said}”，是{listing}？请回复数字，或者说清楚一点。"


# -- dates ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateAnswer:
    day: dt.date | None  # first day of the period for month/year precision; lunar month -> its 初一
    precision: str = ""  # "day" | "week" (from its Monday) | "month" | "year" | "" when not understood
    lunar: bool = False
    error: str = ""  # polite reason when understood but impossible (e.g. in the future for a past event)


LUNAR_MONTHS = ("正月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "冬月", "腊月")
LUNAR_DAYS = tuple(["初" + d for d in "一二三四五六七八九十"] + ["十" + d for d in "一二三四五六七八九"] + ["二十"]
                   + ["二十" + d for d in "一二三四五六七八九"] + ["三十"])
_REL_YEARS = {"大前年": -3, "前年": -2, "去年": -1, "上一年": -1, "上年": -1, "今年": 0, "本年": 0, "明年": 1, "后年": 2}
_REL_DAYS = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2,
             "大后天": 3}
# 上个月/下周: how many months or weeks from this one
_REL_SHIFT = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
# 周三/星期日/礼拜天/周7: days after Monday
_WEEKDAYS = {**{d: i for i, d in enumerate("一二三四五六日")}, "天": 6, **{str(i + 1): i for i in range(7)}}
_CN_NUM = "〇零一二两三四五六七八九十廿卅"
_NUM = rf"\d+|[{_CN_NUM}]+"
_DATE_RE = re.compile(
    r"^(?:(?P<year>\d{4}|\d{2}|[〇零一二三四五六七八九]{2,4})年|(?P<rel>大前年|前年|去年|上一年|上年|今年|本年|明年|后年))?"
    r"(?P<lunar1>农历|阴历|老历|旧历)?"
    r"(?:(?P<leap>闰)?(?P<month>正|腊|冬|\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?(?P<part>初(?![一二三四五六七八九十])|中旬|中|底|末|下旬|上旬)?)?"
    r"(?:(?P<day>初[一二三四五六七八九十]|\d{1,2}|[一二三四五六七八九十廿卅]{1,3})(?P<ri>日)?)?$")
_FILLER_HEAD = re.compile(r"^(?:大概|大约|差不多|好像|好像是|应该|应该是|可能|可能是|估计|约|就|是|在|那是|就是)+")
_FILLER_TAIL = re.compile(r"(?:左右|前后|上下|那会儿?|那时候?|的时候|时候|那天|那一天|的样子|吧|的|了|啊|呀|哦|借的|借给他的|给的|"
                          r"开始的|开始|还|还钱|还清)+$")


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    word = word.replace("廿", "二十").replace("卅", "三十").replace("初", "")
    if re.fullmatch(r"[〇零一二三四五六七八九]{2,4}", word):
        return int("".join(str("〇一二三四五六七八九".index(c) if c in "〇一二三四五六七八九" else 0) for c in word))
    try:
        return int(cn2an.cn2an(word, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _period_end(day: dt.date, precision: str, lunar: bool) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "week":
        return day + dt.timedelta(days=6)
    if precision == "month":
        if lunar:
            return day + dt.timedelta(days=lunar_month_days(day) - 1)
        return _shift_months(day, 1) - dt.timedelta(days=1)
    return day


def lunar_month_days(first: dt.date) -> int:
    """How many days (29 or 30) the lunar month that starts on `first` has."""
    lunar = LunarDate.from_solar_date(first.year, first.month, first.day)
    try:
        LunarDate(lunar.year, lunar.month, 30, lunar.is_leap_month).to_solar_date()
    except ValueError:
        return 29
    return 30


def _text_form(text: str) -> str:
    t = _light(text).strip("。.!！?？,，~～、")
    t = _FILLER_TAIL.sub("", _FILLER_HEAD.sub("", t)) or t
    t = t.replace("号", "日").replace("礼拜", "星期")
    t = re.sub(r"^(大前年|前年|去年|今年|明年|\d{2,4}年)的", r"\1", t)  # 去年的5月
    t = re.sub(r"^(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})$", r"\1年\2月\3日", t)
    t = re.sub(r"^(\d{2})[./\-](\d{1,2})[./\-](\d{1,2})$", r"\1年\2月\3日", t)
    t = re.sub(r"^(\d{4})(\d{2})(\d{2})$", r"\1年\2月\3日", t)
    t = re.sub(r"^(\d{4})[./\-](\d{1,2})$", r"\1年\2月", t)
    t = re.sub(r"^(\d{1,2})[./\-](\d{1,2})$", r"\1月\2日", t)
    t = re.sub(r"年(农历|阴历|老历|旧历)", r"年\1", t)
    t = re.sub(r"^(农历|阴历|老历|旧历)(\d{4}年|大前年|前年|去年|今年|明年)", r"\2\1", t)
    for word, month in (("底", "12月底"), ("末", "12月底"), ("初", "1月初")):
        t = t.replace(f"年年{word}", f"年{month}").replace(f"年{word}", f"年{month}")
    return t


def _relative(t: str, today: dt.date) -> DateAnswer | None:
    """今天/昨天/前天, 3天前/三天后, 上个月/这个月/下个月/两个月前, 三年前/半年前."""
    if t in _REL_DAYS:
        return DateAnswer(today + dt.timedelta(days=_REL_DAYS[t]), "day")
    m = re.fullmatch(rf"({_NUM}|半)(天|日|个?月|年|个?星期|周)(前|以前|之前|后|以后|之后|内|以内|之内)", t)
    if m:
        n = 0.5 if m.group(1) == "半" else _number(m.group(1))
        if n is None:
            return None
        sign = -1 if "前" in m.group(3) else 1
        unit = m.group(2)
        if unit in ("天", "日"):
            return DateAnswer(today + dt.timedelta(days=sign * int(n)), "day") if n == int(n) else None
        if unit in ("星期", "周", "个星期"):
            return DateAnswer(today + dt.timedelta(days=sign * int(n * 7)), "day")
        months = int(n * 12) if unit == "年" else int(n)
        if unit == "年" and n == int(n):
            return DateAnswer(dt.date(today.year + sign * int(n), 1, 1), "year")
        return DateAnswer(_shift_months(today.replace(day=1), sign * months), "month")
    m = re.fullmatch(r"(上上个?|上个?|这个?|本|下个?|下下个?)月", t)
    if m:
        shift = _REL_SHIFT[m.group(1).rstrip("个")]
        return DateAnswer(_shift_months(today.replace(day=1), shift), "month")
    m = re.fullmatch(r"(上上个?|上个?|这个?|本|下个?|下下个?)(?:星期|周)([一二三四五六日天1-7])?", t)
    if m:  # 上个星期 → that week (from its Monday); 上周三 → the day
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=_REL_SHIFT[m.group(1).rstrip("个")])
        if m.group(2) is None:
            return DateAnswer(monday, "week")
        return DateAnswer(monday + dt.timedelta(days=_WEEKDAYS[m.group(2)]), "day")
    return None


def _resolve(m: re.Match, today: dt.date, past: bool) -> DateAnswer:
    g = m.groupdict()
    month_word, day_word = g["month"], g["day"]
    lunar = bool(g["lunar1"] or g["leap"] or month_word in ("正", "腊", "冬")
                 or (day_word or "").startswith(("初", "廿", "卅")))
    month = {"正": 1, "冬": 11, "腊": 12}.get(month_word or "") or (_number(month_word) if month_word else None)
    day = _number(day_word) if day_word else None
    if (not lunar and month is not None and day is not None and not g["ri"]
            and not any(c.isdigit() for c in month_word + day_word)):
        # "八月十五" with neither 农历 nor 号/日: people say it of both calendars (中秋 …) — ask back.
        return DateAnswer(None, error=f"您说的“{month_word}月{day_word}”是农历还是公历（阳历）？"
                                      f"农历请说“农历{month_word}月{day_word}”，公历请说“{month}月{day}号”。")
    precision = "day" if day is not None else "month" if month is not None else "year"
    year_given = bool(g["year"] or g["rel"])
    today_lunar = LunarDate.from_solar_date(today.year, today.month, today.day)
    if g["year"]:
        year = _number(g["year"])
        if year is not None and year < 100:
            year += 2000 if 2000 + year <= today.year + 10 else 1900
    else:
        year = (today_lunar.year if lunar else today.year) + _REL_YEARS.get(g["rel"] or "", 0)
    if year is None or (month is None and day is not None and (lunar or year_given)):
        return DateAnswer(None)
    if month is not None and not 1 <= month <= 12:
        return DateAnswer(None, error=f"一年只有12个月，没有{month}月，请再看看。")
    if not 1900 <= year < 2099:
        return DateAnswer(None, error="这个年份不对，请再看看，比如“2024年3月”。")

    def build(y: int, mo: int | None, d: int | None) -> dt.date:
        if lunar:
            return LunarDate(y, mo or 1, d or 1, bool(g["leap"])).to_solar_date()
        return dt.date(y, mo or 1, d or 1)

    try:
        if month is None and day is None:  # 2024年, 去年
            first = build(year, 1, 1)
        elif month is None:  # 5号: this month's, or the nearest month's on the right side of today
            first = build(year, today.month, day)
            if past and first > today or not past and first < today - dt.timedelta(days=30):
                other = _shift_months(today.replace(day=1), -1 if past else 1)
                first = build(other.year, other.month, day)
        else:
            if not year_given:  # a bare month: the nearest one on the right side of today
                start = build(year, month, 1)
                if past and start > today:
                    year -= 1
                elif not past and _period_end(start, "month", lunar) < today - dt.timedelta(days=30):
                    year += 1
            first = build(year, month, day)
            if not year_given and past and first > today and day is not None:  # 11月30日 said on the 27th
                first = build(year - 1, month, day)
    except ValueError:
        if not lunar:
            return DateAnswer(None, error=f"{month}月没有{day}日，请再看看是哪一天。" if day else "这个日期不对，请再看看。")
        name = ("闰" if g["leap"] else "") + LUNAR_MONTHS[(month or 1) - 1]
        if day and 1 <= day <= 30:
            return DateAnswer(None, error=f"农历{year}年的{name}没有{LUNAR_DAYS[day - 1]}，请再看看。")
        return DateAnswer(None, error=f"农历{year}年没有{name}，请再看看。")
    return _checked(DateAnswer(first, precision, lunar), today, past)


def _checked(answer: DateAnswer, today: dt.date, past: bool) -> DateAnswer:
    """A date on the wrong side of today: not taken, with the reason."""
    if answer.day is None:
        return answer
    if past and answer.day > today:
        return DateAnswer(None, error=f"您说的是{describe(answer)}，那还没到呢。这件事是已经发生的，请再看看是哪一年哪一月。")
    if not past and _period_end(answer.day, answer.precision, answer.lunar) < today - dt.timedelta(days=30):
        return DateAnswer(None, error=f"您说的是{describe(answer)}，已经过去了。请说以后的日期，比如“12月5日”。")
    return answer


def parse_date(text: str, today: dt.date, past: bool = True) -> DateAnswer:
    """A date as people say it: 2024年3月5日, 2024.3.5, 2024-03-05, 24年3月, 三月五号, 3月份,
    去年三月, 前年, 大前年, 上个月, 3天前, 今年正月十五, 前年腊月, 农历三月初三 (lunar dates to
    the Gregorian day by `lunardate`). `past`: the event has happened (a loan), else it is to
    come (a court date). A bare month or day on the wrong side of today is last (next) year's;
    a date with its year on the wrong side is refused with the reason in `error`. A date inside a
    sentence is found too (就是今年正月借哩, 嗯就是去年那个三月份吧, 前年借给他哩), but never a bare
    number (三万, 老三)."""
    t = _text_form(text)
    if not t:
        return DateAnswer(None)
    answer = _date_of(t, today, past)
    if answer.day is None and not answer.error:
        answer = _inside(t, today, past)
    return answer


def _date_of(t: str, today: dt.date, past: bool) -> DateAnswer:
    """The answer t (in _text_form) as one date, or DateAnswer(None)."""
    relative = _relative(t, today)
    if relative is not None:
        return _checked(relative, today, past)
    m = _DATE_RE.match(t)
    if not m or not any(m.group(k) for k in ("year", "rel", "month", "day")):
        return DateAnswer(None)
    if not (m.group("month") or m.group("day")) and m.group("lunar1"):
        return DateAnswer(None)
    if m.group("day") and not m.group("month") and not t.endswith("日"):
        return DateAnswer(None)  # a bare "5" or "十五" is not a date
    return _resolve(m, today, past)


_DATE_HINT = re.compile(r"年|月|日|天|周|星期|初[一二三四五六七八九十]")
_SAID_NOT = re.compile(r"(?:不是|不在|没在)$")
_NUMERAL = re.compile(rf"[\d{_CN_NUM}百千万亿]")
_LONGEST_DATE = 20  # 2024年农历闰十二月二十九日 and the like


def _inside(t: str, today: dt.date, past: bool) -> DateAnswer:
    """The date said inside a sentence (去年腊月里, 上个月借哩, 嗯就是去年那个三月份吧): the longest
    piece of the answer that is a date by itself — the earliest of equally long ones — leaving out
    a piece cut from a longer number (3月50…) and one said not to be it (不是去年，是前年)."""
    t = re.sub(r"那个|这个|那会儿?|嗯|恩", "", t)
    t = re.sub(r"(?<=年)的(?=[\d农阴老旧闰正腊冬一二三四五六七八九十])", "", t)  # 去年的那个5月
    if not _DATE_HINT.search(t):
        return DateAnswer(None)
    for length in range(min(len(t), _LONGEST_DATE), 1, -1):
        for i in range(len(t) - length + 1):
            piece, before, after = t[i:i + length], t[:i], t[i + length:]
            if not _DATE_HINT.search(piece) or _SAID_NOT.search(before):
                continue
            if (before and _NUMERAL.match(piece) and _NUMERAL.match(before[-1])) or \
                    (after and re.match(rf"[\d{_CN_NUM}年月]", piece[-1]) and _NUMERAL.match(after)):
                continue  # 3月5|0块, 今年|七十了, 一月|三千: not the date the grammar would read
            answer = _date_of(piece, today, past)
            if answer.day is not None or answer.error:
                return answer
    return DateAnswer(None)


def describe(answer: DateAnswer) -> str:
    """The date as people say it back: 2024年3月5日, 2024年3月, 2024年, 2026年11月23日至11月29日期间 (a week),
    2025年农历腊月, 2026年3月3日（农历正月十五）."""
    day = answer.day
    if day is None:
        return ""
    if answer.precision == "year":
        return f"{day.year}年"
    if answer.lunar:
        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
        month = ("闰" if lunar.is_leap_month else "") + LUNAR_MONTHS[lunar.month - 1]
        if answer.precision == "month":
            end = _period_end(day, "month", True)
            return f"{lunar.year}年农历{month}（公历{day.year}年{day.month}月{day.day}日至{end.year}年{end.month}月{end.day}日）"
        return f"{day.year}年{day.month}月{day.day}日（农历{month}{LUNAR_DAYS[lunar.day - 1]}）"
    if answer.precision == "month":
        return f"{day.year}年{day.month}月"
    if answer.precision == "week":
        end = _period_end(day, "week", False)
        until = f"{end.year}年{end.month}月{end.day}日" if end.year != day.year else f"{end.month}月{end.day}日"
        return f"{day.year}年{day.month}月{day.day}日至{until}期间"
    return f"{day.year}年{day.month}月{day.day}日"


# -- amounts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Amount:
    yuan: int  # whole yuan (角/分 rounded half up)
    per: str | None = None  # None, "day", "month", "year" — for rates like 一天200块, 每月3000


_PER = (("day", r"每一?天|一天|每日|日薪|日工资|天工资|工钱一天|天天|按天|一日|/天|/日|每个工|一个工"),
        ("month", r"每一?个月|每月|一个月|月薪|月工资|按月|一月(?!份)|/月"),
        ("year", r"每一?年|一年|年薪|按年|/年"))
_RUN = re.compile(r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿点])+")
_MONEY_UNIT = re.compile(r"^(?:块钱|块|元钱|元|圆|rmb|毛|角)")
_OTHER_UNIT = re.compile(r"^(?:年|月|日|号|天|个|岁|斤|亩|次|人|点钟|小时|分钟|周|星期|楼|组|队|轮|口|家|层|间|栋|位|名|辆|头|"
                         r"只|条|套|台|部|米|公里|里|吨|袋|箱|车|趟|回|遍|倍|成|折|%|％)")
_MAGNITUDE = re.compile(r"[十百千万亿]")
# 大写 numerals as written on an 借条 (叁万元整, 贰仟伍佰元): a run with a 大写 digit that has a
# magnitude or a money unit, so that a lone 伍/陆 (a surname) or 拾 (to pick up) stays a word.
_FORMAL = re.compile(r"[零〇壹贰叁肆伍陆柒捌玖拾佰仟万亿]*[壹贰叁肆伍陆柒捌玖][零〇壹贰叁肆伍陆柒捌玖拾佰仟万亿]*")
_FORMAL_TO_PLAIN = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟", "一二三四五六七八九十百千")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_RANGE = re.compile(r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)(?:-|~|到|至|、|或者?)"
                    r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)(?=[十百千万亿块元圆]|$)")


def _plain_numerals(t: str) -> str:
    """叁万元整 → 三万元整, 贰仟伍佰 → 二千五百; 伍 (a surname) and 拾到 stay as they are."""
    def plain(m: re.Match) -> str:
        word, after = m.group(0), t[m.end():m.end() + 1]
        money = re.search("[拾佰仟万亿]", word) or (after and after in "元圆块")
        return word.translate(_FORMAL_TO_PLAIN) if money else word
    return _FORMAL.sub(plain, t)


def _ranges(t: str) -> list[tuple[int, int]]:
    """Where the answer gives a range, not a sum: 两三万, 三五千, 七八百块, 2-3万, 两到三万 —
    the bot asks again rather than pick one end."""
    spans = [m.span() for m in _RANGE.finditer(t)]
    for i in range(len(t) - 2):
        a, b = _CN_DIGITS.get(t[i]), _CN_DIGITS.get(t[i + 1])
        if a and b and a < b and re.match(r"[十百千万亿块元圆]", t[i + 2]):
            spans.append((i, i + 2))
    return spans


def _to_number(run: str) -> float | None:
    """3万6 → 36000, 两千五 → 2500, 1.5万 → 15000, 三点五万 → 35000 (cn2an), None if not a number."""
    m = re.fullmatch(r"(.+?)点(.+?)万", run)
    if m:
        head, tail = _to_number(m.group(1)), _to_number(f"0点{m.group(2)}".replace("0点", "零点"))
        return None if head is None or tail is None else (head + tail) * 10000
    try:
        return float(cn2an.cn2an(run, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def parse_amount(text: str) -> Amount | None:
    """A sum of money as people say it: 三万, 3万6, 两千五, 3w, 30000块, 3万块钱, 一万二, 1.5万, 五百,
    三块五, 大写 as on an 借条 (叁万元整, 贰仟伍佰元); a rate: 一天200块, 每个月三千, 200一天. Never a
    name or a word with a numeral in it (李四, 老三家, 三轮车, 第三个), nor a count of something else
    (3个月, 2024年), nor a range (两三万, 2-3万: None, so the bot asks again)."""
    t = _light(text)
    t = re.sub(r"(?<=\d)[,，](?=\d{3})", "", _plain_numerals(t)).replace("人民币", "")
    t = re.sub(r"(?<=\d)w", "万", t)
    t = re.sub(r"(?<=\d)k", "千", t)
    per = None
    for name, pattern in _PER:
        m = re.search(pattern, t)
        if m:
            per = name
            t = t[:m.start()] + "，" + t[m.end():]
            break
    ranges = _ranges(t)
    for m in _RUN.finditer(t):
        run, before, after = m.group(0), t[:m.start()], t[m.end():]
        if run.startswith("点") or before.endswith("第"):
            continue
        if any(start < m.end() and m.start() < end for start, end in ranges):
            continue  # 两三万: a range, asked again
        unit = _MONEY_UNIT.match(after)
        if not unit and _OTHER_UNIT.match(after):
            continue
        if not unit and not _MAGNITUDE.search(run) and not re.search(r"\d", run):
            continue  # 李四, 老三家, 三轮车: a numeral inside a word
        if not unit and not re.search(r"\d", run) and re.match(r"[\u4e00-\u9fff]", after) \
                and not re.match(r"[多来左上的了吧啊呀]", after):
            continue  # 十字路口, 万一他不还: a word that starts with a numeral
        value = None
        for start in range(len(run)):  # 王五两万块: the longest tail that is a number (两万)
            value = _to_number(run[start:])
            if value is not None:
                if start and not unit and not _MAGNITUDE.search(run[start:]):
                    value = None
                break
        if value is None:
            continue
        rest = after[unit.end():] if unit else after
        if unit and unit.group(0) in ("毛", "角"):
            value /= 10
        elif unit and (small := re.match(r"([一二两三四五六七八九\d])(?:毛|角)?", rest)) and value == int(value):
            value += _number(small.group(1).replace("两", "二")) / 10  # 三块五 = 3.5 元
        yuan = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if 0 < yuan <= 1_000_000_000:
            return Amount(yuan, per)
    return None

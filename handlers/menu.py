"""The menu: 菜单/帮助/0 → the 13 categories; a number → that category's
most-asked questions; a number → the answer. Menu CLICK events (keys
MENU, CAT_<code>, DAILY, HUMAN, MY_TICKETS; QUIZ: handlers/quiz.py) lead to the same places."""
from __future__ import annotations

from knowledge.categories import CATEGORIES, CATEGORY_CODES

from knowledge.normalize import basic

from . import answers
from .base import EVENT, Context, Incoming
from .faq import answer_entry, category_menu_lines, notes_of, suggestion_list
from .greeting import THANKS
from .texts import DIGIT_WITHOUT_LIST, PICK_UNKNOWN

MENU_WORDS = {"菜单", "帮助", "0", "menu", "help", "目录", "主菜单"}
TOP_QUESTIONS = 8
MENU_FOOTER = "\n直接打字或发语音提问也可以。回复【答题】做几道普法题。回复【人工】把您的事转给司法所。"


def show_menu(ctx: Context) -> str:
    ctx.trace.update(intent="menu")
    ctx.session["pick"] = {"type": "category"}
    return category_menu_lines() + MENU_FOOTER


def show_category(code: str, ctx: Context) -> str:
    ctx.trace.update(intent="menu", category=code)
    entries = ctx.services.kb.by_category.get(code, [])
    if ctx.services.usage is not None:
        entries = ctx.services.usage.most_asked(entries)
    top = entries[:TOP_QUESTIONS]
    return suggestion_list(top, ctx, f"【{CATEGORIES[code]}】常见问题：") + "\n回复【菜单】回到分类。"


def _digit(text: str) -> int | None:
    text = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(text) if text.isdigit() and len(text) <= 3 else None


class MenuHandler:
    name = "menu"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        if msg.kind == EVENT:
            return msg.event == "click" and (msg.event_key == "MENU" or msg.event_key.startswith("CAT_"))
        return msg.text.strip().lower() in MENU_WORDS

    def handle(self, msg: Incoming, ctx: Context) -> str:
        if msg.kind == EVENT and msg.event_key.startswith("CAT_"):
            code = msg.event_key[4:]
            if code in CATEGORIES:
                return show_category(code, ctx)
        return show_menu(ctx)


def _pick(text: str, pick: dict) -> int | None:
    """The 1-based pick an answer to the list shown last means (handlers/answers.py): 3, 第三个,
    选3, 三; a category by its name (交通事故, 借贷); 要/可以/是的 to "回复 1 转给司法所"."""
    n = _digit(text)
    if n is not None or not pick:
        return n
    n = answers.ordinal(text)
    if n is not None:
        return n
    kind = pick.get("type")
    if kind == "category" and len(basic(text)) <= 8:
        choice = answers.choose(text, list(CATEGORIES.values()))
        return None if choice.index is None else choice.index + 1
    if kind == "offer" and answers.yes_no(text) and basic(text) not in THANKS:  # 好的/嗯 is a thank-you
        return 1
    return None


class ChoiceHandler:
    """A pick from the list the bot showed last: a number in any form, or the option's words."""

    name = "choice"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind != EVENT and _pick(msg.text, ctx.session.get("pick") or {}) is not None

    def handle(self, msg: Incoming, ctx: Context) -> str:
        pick = ctx.session.get("pick") or {}
        n = _pick(msg.text, pick)
        kind = pick.get("type")
        if kind == "category":
            if 1 <= n <= len(CATEGORY_CODES):
                return show_category(CATEGORY_CODES[n - 1], ctx)
            return PICK_UNKNOWN
        if kind == "entry":
            ids = pick.get("ids", [])
            if 1 <= n <= len(ids) and ids[n - 1] in ctx.services.kb.by_id:
                return answer_entry(ctx.services.kb.by_id[ids[n - 1]], ctx, notes_of(pick, ids[n - 1]))
            return PICK_UNKNOWN
        if kind == "offer" and n == 2 and pick.get("also") in ctx.services.kb.by_id:  # "您还问到：2. …"
            return answer_entry(ctx.services.kb.by_id[pick["also"]], ctx, notes_of(pick, pick["also"]))
        if kind == "offer" and n == 1:
            from .intake import start_intake

            ctx.session.pop("pick", None)
            return start_intake(ctx, pick.get("route", "litigation"), pick.get("category"))
        return DIGIT_WITHOUT_LIST

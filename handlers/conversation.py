"""Multi-step dialogs declared as a state table, in the spirit of
python-telegram-bot's ConversationHandler: entry points start it, each state
asks one question and accepts (or rejects) the answer, fallbacks (取消 / 返回)
work in every state, and an idle dialog times out.

The dialog's position lives in ctx.session["conv"]:
    {"name", "state", "data", "history", "touched", "refused"}

A way out instead of a loop: "refused" counts the answers refused in a row
in the current state; from the second one the re-ask adds WAY_OUT, and then
【人工】 calls the dialog's hand_over (the intake files the partly filled
request, marked incomplete) — 取消 works as always.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .base import Context, Incoming
from .intent import wants_human

END = "__end__"
CANCEL_WORDS = {"取消", "不办了", "退出", "算了"}
BACK_WORDS = {"返回", "上一步", "回退"}
WAY_OUT = "也可以回复【人工】，把已经填的内容直接交给工作人员；回复【取消】退出。"
REFUSALS_BEFORE_WAY_OUT = 2


@dataclass
class Step:
    """What a state's accept() decided about an answer."""

    next: str | None = None  # the next state, END, or None to stay and re-ask
    error: str = ""  # said before re-asking when next is None
    reply: str = ""  # said when the dialog ends (next == END)


@dataclass
class State:
    prompt: Callable[[Context], str]
    accept: Callable[[str, Context], Step]
    # A question typed here that is clearly not an answer may be answered
    # and the dialog resumed (free-text states set this to False).
    interruptible: bool = True


@dataclass
class Conversation:
    name: str
    states: dict[str, State]
    first: str
    timeout: int = 1800
    timeout_text: str = ""
    cancel_text: str = ""
    resume_text: str = "（继续刚才的步骤）"
    on_start: Callable[[Context], str] = lambda ctx: ""
    is_question: Callable[[str, Context], bool] = lambda text, ctx: False
    answer_question: Callable[[Incoming, Context], str | None] = lambda msg, ctx: None
    # 【人工】 after refused answers: what to do with the dialog (None: no way out but 取消).
    hand_over: Callable[[Context], Step] | None = None
    way_out: Callable[[Context], str] = lambda ctx: WAY_OUT  # added to the re-ask

    # -- session helpers -------------------------------------------------
    def active(self, ctx: Context) -> bool:
        conv = ctx.session.get("conv")
        return bool(conv) and conv.get("name") == self.name

    def data(self, ctx: Context) -> dict:
        return ctx.session["conv"]["data"]

    def expired(self, ctx: Context) -> bool:
        return self.active(ctx) and ctx.now - ctx.session["conv"].get("touched", 0) > self.timeout

    def start(self, ctx: Context, data: dict | None = None, first: str | None = None) -> str:
        first = first or self.first
        ctx.session["conv"] = {
            "name": self.name, "state": first, "data": dict(data or {}),
            "history": [], "touched": ctx.now,
        }
        intro = self.on_start(ctx)
        prompt = self.state(first).prompt(ctx)
        return f"{intro}\n\n{prompt}" if intro else prompt

    def stop(self, ctx: Context) -> None:
        ctx.session.pop("conv", None)

    def state(self, name: str) -> State:
        """A state by name; "fact:2" is the state "fact" with its argument 2
        (one declared state asking a list of questions, 返回 stepping through them)."""
        return self.states[name.split(":", 1)[0]]

    @staticmethod
    def argument(ctx: Context) -> str:
        """The argument of the current state's name ("2" in "fact:2"), or ""."""
        return ctx.session["conv"]["state"].partition(":")[2]

    # -- one message ------------------------------------------------------
    def handle(self, msg: Incoming, ctx: Context) -> str | None:
        conv = ctx.session["conv"]
        conv["touched"] = ctx.now
        text = msg.text.strip()
        state = self.state(conv["state"])
        if text in CANCEL_WORDS:
            self.stop(ctx)
            return self.cancel_text
        if text in BACK_WORDS:
            conv.pop("refused", None)
            if conv["history"]:
                conv["state"] = conv["history"].pop()
            return self.state(conv["state"]).prompt(ctx)
        if self.hand_over and self.refusals(ctx) >= REFUSALS_BEFORE_WAY_OUT and wants_human(text):
            return self._go(self.hand_over(ctx), state, ctx)
        if state.interruptible and self.is_question(text, ctx):
            answer = self.answer_question(msg, ctx)
            if answer:
                return f"{answer}\n\n{self.resume_text}\n{state.prompt(ctx)}"
        return self._go(state.accept(text, ctx), state, ctx)

    def refusals(self, ctx: Context) -> int:
        """How many answers in a row the current state has refused."""
        conv = ctx.session["conv"]
        refused = conv.get("refused") or {}
        return refused.get("count", 0) if refused.get("state") == conv["state"] else 0

    def _go(self, step: Step, state: State, ctx: Context) -> str | None:
        conv = ctx.session["conv"]
        if step.next is None:
            count = self.refusals(ctx) + 1
            conv["refused"] = {"state": conv["state"], "count": count}
            prompt = state.prompt(ctx)
            reply = f"{step.error}\n{prompt}" if step.error else prompt
            if self.hand_over and count >= REFUSALS_BEFORE_WAY_OUT:
                reply = f"{reply}\n{self.way_out(ctx)}"
            return reply
        conv.pop("refused", None)
        if step.next == END:
            self.stop(ctx)
            return step.reply
        conv["history"].append(conv["state"])
        conv["state"] = step.next
        return self.state(step.next).prompt(ctx)


@dataclass
class Router:
    """Chooses the handler for a message: an active dialog first (unless it
    timed out), then the first handler whose match() takes the message."""

    handlers: list
    conversations: list[Conversation] = field(default_factory=list)

    def dispatch(self, msg: Incoming, ctx: Context) -> str | None:
        notice = ""
        for conv in self.conversations:
            if conv.expired(ctx):
                conv.stop(ctx)
                notice = conv.timeout_text
            elif conv.active(ctx) and msg.kind in ("text", "voice") and msg.text.strip():
                return conv.handle(msg, ctx)
        for handler in self.handlers:
            if handler.match(msg, ctx):
                reply = handler.handle(msg, ctx)
                if notice:
                    return f"{notice}\n\n{reply}" if reply else notice
                return reply
        return notice or None

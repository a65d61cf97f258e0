"""Multi-step dialogs declared as a state table, in the spirit of
python-telegram-bot's ConversationHandler: entry points start it, each state
asks one question and accepts (or rejects) the answer, fallbacks (取消 / 返回)
work in every state, and an idle dialog times out.

The dialog's position lives in ctx.session["conv"]:
    {"name", "state", "data", "history", "touched"}
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .base import Context, Incoming

END = "__end__"
CANCEL_WORDS = {"取消", "不办了", "退出", "算了"}
BACK_WORDS = {"返回", "上一步", "回退"}


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
            if conv["history"]:
                conv["state"] = conv["history"].pop()
            return self.state(conv["state"]).prompt(ctx)
        if state.interruptible and self.is_question(text, ctx):
            answer = self.answer_question(msg, ctx)
            if answer:
                return f"{answer}\n\n{self.resume_text}\n{state.prompt(ctx)}"
        step = state.accept(text, ctx)
        if step.next is None:
            prompt = state.prompt(ctx)
            return f"{step.error}\n{prompt}" if step.error else prompt
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

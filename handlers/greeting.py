"""Greetings and thanks get a short friendly answer, not an "I am not sure"."""
from __future__ import annotations

from knowledge.normalize import basic

from .base import TEXT, VOICE, Context, Incoming

GREETINGS = {"你好", "您好", "在吗", "在不在", "有人吗", "哈喽", "hello", "hi", "你好呀", "您好呀", "喂",
             "早上好", "下午好", "晚上好", "你好在吗", "您好在吗"}
THANKS = {"谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "好的谢谢", "好的", "知道了", "明白了", "好", "嗯", "行"}
HELLO = "您好！有什么法律上的事，直接打字或发语音告诉我，比如“老板不给工资怎么办”。回复【菜单】看常见问题。"
WELCOME_BACK = "不客气！还有别的事随时问我。回复【菜单】看常见问题，回复【人工】找司法所工作人员。"


class GreetingHandler:
    name = "greeting"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind in (TEXT, VOICE) and basic(msg.text) in GREETINGS | THANKS

    def handle(self, msg: Incoming, ctx: Context) -> str:
        ctx.trace.update(intent="faq", confidence="greeting")
        return HELLO if basic(msg.text) in GREETINGS else WELCOME_BACK

"""Non-text messages: subscribe / unsubscribe, unclear voice, and every
message type the bot does not understand."""
from __future__ import annotations

from .base import EVENT, OTHER, VOICE, Context, Incoming
from .texts import UNSUPPORTED, VOICE_UNCLEAR, WELCOME


class SubscribeHandler:
    name = "subscribe"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind == EVENT and msg.event in ("subscribe", "subscribe_scan")

    def handle(self, msg: Incoming, ctx: Context) -> str:
        ctx.trace["intent"] = "welcome"
        return WELCOME.format(town=ctx.services.town)


class UnsubscribeHandler:
    name = "unsubscribe"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind == EVENT and msg.event == "unsubscribe"

    def handle(self, msg: Incoming, ctx: Context) -> None:
        ctx.session.clear()
        return None


class UnclearVoiceHandler:
    name = "voice_unclear"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind == VOICE and not msg.text.strip()

    def handle(self, msg: Incoming, ctx: Context) -> str:
        return VOICE_UNCLEAR


class UnsupportedHandler:
    """Last resort: images, video, location, links, unknown events."""

    name = "unsupported"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind in (OTHER, EVENT)

    def handle(self, msg: Incoming, ctx: Context) -> str:
        return UNSUPPORTED

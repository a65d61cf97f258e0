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
        welcome = WELCOME.format(town=ctx.services.town)
        exhibit = scanned_exhibit(msg) if msg.event == "subscribe_scan" else None
        return f"{welcome}\n\n{exhibit_reply(exhibit, ctx)}" if exhibit else welcome


def scanned_exhibit(msg: Incoming):
    """The 法治文化游园 exhibit whose QR code was scanned (EventKey = scene, or qrscene_ + scene)."""
    from knowledge.exhibits import load_exhibits

    scene = msg.event_key.removeprefix("qrscene_")
    return load_exhibits().get(scene) if scene else None


def exhibit_reply(exhibit, ctx: Context) -> str:
    """The exhibit's text, its plain explanation and legal basis, its FAQ entries by number; one scan counted."""
    ctx.trace.update(intent="exhibit", exhibit=exhibit.scene)
    if ctx.services.outreach is not None:
        ctx.write_later(ctx.services.outreach.scan, exhibit.scene, ctx.now)
    lines = [f"【{exhibit.village}法治文化游园·{exhibit.title}】", exhibit.text, "", f"说一说：{exhibit.explain}"]
    if exhibit.citations:
        lines.append(f"法律依据：{exhibit.basis()}")
    entries = [ctx.services.kb.by_id[f] for f in exhibit.faq if f in ctx.services.kb.by_id]
    if entries:
        ctx.session["pick"] = {"type": "entry", "ids": [e.id for e in entries]}
        lines += ["", "相关问答（回复数字看答案）："] + [f"{n}. {e.question}" for n, e in enumerate(entries, 1)]
    lines.append("想考考自己，回复【答题】做几道普法题。")
    return "\n".join(lines)


class ScanHandler:
    """A follower scanned a parametric QR code (SCAN): the exhibit, or the menu for an unknown code."""

    name = "scan"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.kind == EVENT and msg.event == "scan"

    def handle(self, msg: Incoming, ctx: Context) -> str:
        from .menu import show_menu

        exhibit = scanned_exhibit(msg)
        return exhibit_reply(exhibit, ctx) if exhibit else show_menu(ctx)


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

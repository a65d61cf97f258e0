"""Replies longer than WeChat's 2048-byte limit are sent in pages; the rest
waits in the session until the villager replies 更多."""
from __future__ import annotations

from .base import Context, Incoming
from .texts import MORE_FOOTER, NO_MORE

REPLY_LIMIT = 2048  # bytes of UTF-8, WeChat's limit for a text reply
MORE_WORDS = {"更多", "下一段", "继续", "more"}


def _nbytes(text: str) -> int:
    return len(text.encode("utf-8"))


def split_pages(text: str, limit: int = REPLY_LIMIT) -> list[str]:
    """Split into pages that fit `limit` bytes with the footer, at line breaks when possible."""
    budget = limit - _nbytes(MORE_FOOTER)
    if _nbytes(text) <= limit:
        return [text]
    pages: list[str] = []
    rest = text
    while _nbytes(rest) > limit:
        cut = _fit(rest, budget)
        newline = rest.rfind("\n", 0, cut)
        if newline > cut // 2:
            cut = newline + 1
        pages.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    pages.append(rest)
    return [p for p in pages if p]


def _fit(text: str, budget: int) -> int:
    """Largest number of leading characters whose UTF-8 size is within budget."""
    size = 0
    for i, ch in enumerate(text):
        size += _nbytes(ch)
        if size > budget:
            return max(i, 1)
    return len(text)


def paginate(text: str | None, ctx: Context) -> str | None:
    """First page of the reply; later pages are stored for 更多."""
    if text is None:
        return None
    pages = split_pages(text)
    if len(pages) == 1:
        ctx.session.pop("more", None)
        return pages[0]
    ctx.session["more"] = pages[1:]
    return pages[0] + MORE_FOOTER


class MoreHandler:
    name = "more"

    def match(self, msg: Incoming, ctx: Context) -> bool:
        return msg.text.strip().lower() in MORE_WORDS

    def handle(self, msg: Incoming, ctx: Context) -> str:
        pages = ctx.session.pop("more", None)
        if not pages:
            return NO_MORE
        # Keep the remaining pages; paginate() re-splits and stores them again.
        return "\n".join(pages) if len(pages) > 1 else pages[0]

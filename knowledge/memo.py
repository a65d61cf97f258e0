"""Per-message memoisation: a pure function of the message text (its
normalisation, the intent check, the FAQ match) is computed once for the
message being answered and shared by every handler that asks, and never
reused for another message — the cost is paid per message, as in real traffic.

The router opens a scope with the message's Context.memo dict
(`with message_scope(ctx.memo): …`); outside a scope the functions simply run.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

_scope: ContextVar[dict | None] = ContextVar("pufa_message_memo", default=None)


@contextmanager
def message_scope(memo: dict):
    token = _scope.set(memo)
    try:
        yield memo
    finally:
        _scope.reset(token)


def per_message(fn):
    """fn(*args) memoised in the current message's scope (no scope: not memoised)."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @wraps(fn)
    def wrapper(*args):
        memo = _scope.get()
        if memo is None:
            return fn(*args)
        key = (name, *args)
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = fn(*args)
            return value

    return wrapper

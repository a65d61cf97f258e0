"""The confirmation step of the console's hard-to-undo actions (办结, 转司法所, 停用,
重置密码): the server acts only on a POST carrying confirm=1.

A form marked <form data-confirm="问题"> gets confirm=1 from static/confirm.js after
the browser's confirm(); without JavaScript the action's view answers with ask(): a
page repeating the question and the form's fields, with confirm=1 and its own button.
"""
from __future__ import annotations

from flask import render_template, request


def confirmed() -> bool:
    return request.form.get("confirm") == "1"


def ask(question: str, button: str, back: str, fields: dict | None = None):
    """The confirmation page for this POST (same URL, same fields, plus confirm=1)."""
    keep = {k: v for k, v in (fields if fields is not None else request.form).items()
            if k not in ("csrf_token", "confirm")}
    return render_template("console/confirm.html", question=question, button=button, back=back,
                           action=request.path, fields=keep)

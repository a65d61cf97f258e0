"""`flask tickets draft SF-2026-0042 --out 起诉状.docx` (or .pdf): the same
draft as the console's, from the terminal. Without a draft yet, one is made
from the ticket and kept as version 1."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..queue import TicketError


@click.command("draft")
@with_appcontext
@click.argument("number")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
              help="Write the complaint to FILE.docx or FILE.pdf (default: print its text).")
@click.option("--version", "version", type=int, default=None, help="An earlier version (default: the latest).")
@click.option("--template", "template_id", default=None,
              help="Case type for a new draft (loan, labor_pay, divorce, support, traffic, land_contract, generic).")
@click.option("--as", "who", default="司法所（终端）", show_default=True, help="Who drafts (for the ticket's history).")
def draft_command(number, out, version, template_id, who):
    """Draft the 民事起诉状 of a ticket and write it as .docx or .pdf."""
    from . import model
    from .render_docx import render_docx
    from .render_pdf import render_pdf

    svc = current_app.extensions["pufa_drafts"]
    fmt = None
    if out:
        fmt = Path(out).suffix.lower().lstrip(".")
        if fmt not in ("docx", "pdf"):
            raise click.UsageError("--out must end in .docx or .pdf")
    if template_id and template_id not in {t for t, _ in svc.templates.choices()}:
        raise click.UsageError("unknown --template; one of: " + ", ".join(t for t, _ in svc.templates.choices()))
    try:
        ticket = svc.ticket(number)
        latest = svc.latest(ticket.number)
        if latest is None:
            latest = svc.create(ticket.number, who, template_id)
            click.echo(f"{ticket.number}：已起草第1版（{latest.draft['case_type']}）。", err=True)
        chosen = svc.version(ticket.number, version) if version else latest
    except TicketError as exc:
        raise click.ClickException(str(exc))
    if chosen is None:
        raise click.ClickException(f"{ticket.number} 没有第{version}版（最新是第{latest.version}版）")
    missing = model.document_missing(chosen.draft)
    if out:
        body = render_docx(chosen.draft) if fmt == "docx" else render_pdf(chosen.draft)
        Path(out).write_bytes(body)
        svc.record_export(ticket.number, who, chosen.version, fmt)
        click.echo(f"{ticket.number} 第{chosen.version}版 → {out}"
                   + (f"（还有 {missing} 处【待补充】）" if missing else ""))
    else:
        click.echo(model.plain_text(chosen.draft))
        click.echo(f"\n第{chosen.version}版，{missing} 处【待补充】。", err=True)

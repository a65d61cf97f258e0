"""`flask activities add|list`: the 普法 activity register from the terminal (the same
checks as the console: bot.activities.validate)."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from ..activities import COUNTS, KINDS, ORGANIZERS, ActivityError, totals

activities_cli = AppGroup("activities", help="The 普法 activity register (普法活动登记).")


def _store():
    return current_app.extensions["pufa"].services.activities


@activities_cli.command("add")
@click.option("--date", required=True, help="YYYY-MM-DD, e.g. 2026-12-04.")
@click.option("--village", required=True, help="The village or community, or the town for a town-wide activity.")
@click.option("--title", required=True, help="e.g. 宪法宣传周集中宣传.")
@click.option("--organizers", required=True, help=f"Comma-separated, e.g. {','.join(ORGANIZERS[:3])}.")
@click.option("--kind", default="", help=f"One of {'、'.join(KINDS)} (default {KINDS[0]}).")
@click.option("--boards", default="0", help="Display boards made.")
@click.option("--leaflets", default="0", help="Leaflets handed out.")
@click.option("--books", default="0", help="Law books handed out.")
@click.option("--participants", default="0", help="People who took part.")
@click.option("--place", default="", help="Where, if more than the village (e.g. 和尚岭村法治文化游园).")
@click.option("--note", default="")
@click.option("--by", "who", default="命令行", show_default=True, help="Who records it (for the audit).")
def activities_add(who, **fields):
    """Record one activity; a bad date, kind, village or count stores nothing."""
    try:
        a = _store().add(fields, who)
    except ActivityError as exc:
        raise click.ClickException("没有保存：" + "；".join(exc.errors.values())) from None
    d = a.data
    click.echo(f"已登记 #{d['id']} {d['date']} {d['title']}（{d['village']}，{d['kind']}）："
               f"版面{d['boards']}块、彩页{d['leaflets']}份、书籍{d['books']}本、参与{d['participants']}人次")


@activities_cli.command("list")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Only this year's activities.")
@click.option("--village", default=None)
@click.option("--kind", type=click.Choice(KINDS), default=None)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def activities_list(year, village, kind, as_json):
    """The register, oldest first, then the totals."""
    items = _store().list(year, village=village, kind=kind)
    if as_json:
        for a in items:
            click.echo(json.dumps(a.public(), ensure_ascii=False))
        return
    if not items:
        click.echo("没有登记的普法活动。用 flask activities add 登记。")
        return
    for a in items:
        d = a.data
        click.echo(f"#{d['id']}\t{d['date']}\t{d['village']}\t{d['kind']}\t{d['title']}\t"
                   f"{'、'.join(d['organizers'])}\t" + "\t".join(str(d[k]) for k in COUNTS))
    t = totals(items)
    click.echo(f"合计：活动{t['events']}次，版面{t['boards']}块，彩页{t['leaflets']}份，书籍{t['books']}本，"
               f"参与{t['participants']}人次")

"""`flask staff add|list|disable|enable|passwd` and `flask report`."""
from __future__ import annotations

import datetime as dt
import sys
import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .staff import ROLES, StaffError

staff_cli = AppGroup("staff", help="Staff accounts of the web console.")


def _store():
    return current_app.extensions["pufa_console"].staff


def _read_password(confirm: bool = True) -> str:
    """From a prompt on a terminal; otherwise the first line of standard input
    (e.g. `printf '%s\\n' "$PW" | flask staff add …`)."""
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt("密码 / password", hide_input=True, confirmation_prompt=confirm)
    line = stdin.readline()
    if not line:
        raise click.ClickException("no password on standard input")
    return line.rstrip("\r\n")


@staff_cli.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), required=True,
              help="town: 司法所 staff (every queue); village: a village mediator (that village's mediation queue).")
@click.option("--village", default="", help="The mediator's village (required with --role village).")
def staff_add(name, role, village):
    """Create an account; the password comes from a prompt or standard input."""
    store = _store()
    if store.get(name.strip()):
        raise click.ClickException(f"用户 {name} 已经存在")
    if role == "village" and not village:
        raise click.ClickException("村调解员要用 --village 指定所在村")
    try:
        user = store.add(name, role, _read_password(), village=village)
    except StaffError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"已添加 {user.username}（{user.role_name}{'，' + user.village if user.village else ''}）")


@staff_cli.command("list")
def staff_list():
    """Accounts with role, village and state."""
    users = _store().all()
    if not users:
        click.echo("还没有账号。用 flask staff add 添加。")
    for u in users:
        last = dt.datetime.fromtimestamp(u.last_login).strftime("%Y-%m-%d %H:%M") if u.last_login else "从未登录"
        state = "停用" if u.disabled else ("需改密码" if u.must_change else "正常")
        click.echo(f"{u.username}\t{u.role}\t{u.village or '-'}\t{state}\t{last}")


@staff_cli.command("disable")
@click.argument("name")
def staff_disable(name):
    """Disable an account; its sessions end at once."""
    try:
        _store().set_disabled(name, True)
    except StaffError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"已停用 {name}，其登录已全部退出")


@staff_cli.command("enable")
@click.argument("name")
def staff_enable(name):
    """Enable a disabled account again."""
    try:
        _store().set_disabled(name, False)
    except StaffError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"已启用 {name}")


@staff_cli.command("passwd")
@click.argument("name")
def staff_passwd(name):
    """Set a new password (prompt or standard input); the account's sessions end."""
    store = _store()
    if not store.get(name):
        raise click.ClickException(f"没有用户 {name}")
    try:
        store.set_password(name, _read_password())
    except StaffError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"已修改 {name} 的密码，其登录已全部退出")


@click.command("report")
@click.option("--year", type=int, default=lambda: dt.date.today().year, show_default="this year")
@click.option("--from", "first", type=click.IntRange(1, 12), default=1, show_default=True, help="First month.")
@click.option("--to", "last", type=click.IntRange(1, 12), default=12, show_default=True, help="Last month.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (as the console's export) instead of a table.")
@with_appcontext
def report_command(year, first, last, as_csv):
    """The annual rule-of-law report figures: by month, category and village."""
    from . import stats

    report = stats.report_for(current_app.extensions["pufa"], year, first, last)
    text = stats.to_csv(report).lstrip("\ufeff") if as_csv else stats.to_text(report)
    click.echo(text, nl=False)


def init_cli(app) -> None:
    app.cli.add_command(staff_cli)
    app.cli.add_command(report_command)

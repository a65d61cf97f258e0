"""`flask staff add|list|disable|enable|passwd|admin`, `flask report` (table, --csv, --json,
--docx) and, from activities_cli, `flask activities add|list`."""
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
@click.option("--admin", is_flag=True, help="Town staff who may add and disable accounts and reset passwords "
                                            "in the console.")
def staff_add(name, role, village, admin):
    """Create an account; the password (at least 12 characters, not a common breached one)
    comes from a prompt or standard input."""
    store = _store()
    if store.get(name.strip()):
        raise click.ClickException(f"用户 {name} 已经存在")
    if role == "village" and not village:
        raise click.ClickException("村调解员要用 --village 指定所在村")
    if admin and role != "town":
        raise click.ClickException("只有司法所工作人员（--role town）可以当管理员")
    try:
        user = store.add(name, role, _read_password(), village=village, admin=admin)
    except StaffError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"已添加 {user.username}（{user.role_name}{'，' + user.village if user.village else ''}"
               f"{'，管理员' if user.is_admin else ''}）")


@staff_cli.command("list")
def staff_list():
    """Accounts with role, village and state."""
    users = _store().all()
    if not users:
        click.echo("还没有账号。用 flask staff add 添加。")
    for u in users:
        last = dt.datetime.fromtimestamp(u.last_login).strftime("%Y-%m-%d %H:%M") if u.last_login else "从未登录"
        state = "停用" if u.disabled else ("需改密码" if u.must_change else "正常")
        click.echo(f"{u.username}\t{u.role}{'(admin)' if u.is_admin else ''}\t{u.village or '-'}\t{state}\t{last}")


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


@staff_cli.command("admin")
@click.argument("name")
@click.option("--off", is_flag=True, help="Take the admin flag away instead.")
def staff_admin(name, off):
    """Give a town staff account the admin flag (or take it away with --off)."""
    try:
        _store().set_admin(name, not off)
    except StaffError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"已取消 {name} 的管理员" if off else f"已设 {name} 为管理员")


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
@click.option("--year", type=click.IntRange(2000, 2100), default=lambda: dt.date.today().year,
              show_default="this year")
@click.option("--from", "first", type=click.IntRange(1, 12), default=None, help="First month (default 1).")
@click.option("--to", "last", type=click.IntRange(1, 12), default=None, help="Last month (default 12).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (as the console's export) instead of a table.")
@click.option("--json", "as_json", is_flag=True, help="All of the year's figures as one JSON object.")
@click.option("--docx", "docx_path", type=click.Path(dir_okay=False, writable=True),
              help="Write the draft 年度法治政府建设工作报告 section (Word) to this file.")
@with_appcontext
def report_command(year, first, last, as_csv, as_json, docx_path):
    """The annual rule-of-law report figures: by month, category and village; the 普法
    activities, quiz and exhibit scans; --json all of them, --docx the report's draft."""
    from . import stats

    pufa = current_app.extensions["pufa"]
    if sum(map(bool, (as_csv, as_json, docx_path))) > 1:
        raise click.UsageError("choose one of --csv, --json and --docx")
    if (as_json or docx_path) and (first or last):
        raise click.UsageError("--json and --docx cover the whole year; --from/--to are for the table")
    if docx_path:
        from .report_docx import report_docx

        data = report_docx(pufa, year)
        try:
            with open(docx_path, "wb") as f:
                f.write(data)
        except OSError as exc:
            raise click.ClickException(f"cannot write {docx_path}: {exc.strerror}") from None
        click.echo(f"已写入 {docx_path}（{year}年度法治政府建设工作报告草稿，{len(data) // 1024} KB）")
        return
    if as_json:
        import json

        from .annual import figures

        click.echo(json.dumps(figures(pufa, year), ensure_ascii=False, indent=1))
        return
    report = stats.report_for(pufa, year, first or 1, last or 12)
    text = stats.to_csv(report).lstrip("\ufeff") if as_csv else stats.to_text(report)
    click.echo(text, nl=False)


def init_cli(app) -> None:
    from .activities_cli import activities_cli

    app.cli.add_command(staff_cli)
    app.cli.add_command(report_command)
    app.cli.add_command(activities_cli)

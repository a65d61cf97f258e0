"""Town-only pages: statistics (with charts and CSV), knowledge gaps, staff."""
from __future__ import annotations

import datetime as dt
import logging

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..privacy import mask_name
from . import charts, stats
from . import gaps as gapmod
from .base import admin_required, bp, console, pufa, town_required
from .confirm import ask, confirmed
from .forms import ActionForm, DraftForm
from .present import category_name
from .staff import StaffError

log = logging.getLogger(__name__)


# -- statistics ----------------------------------------------------------------------
def _period() -> tuple[int, int, int]:
    this_year = dt.date.today().year
    year = request.args.get("year", type=int) or this_year
    year = min(max(year, 2000), this_year + 1)
    first = request.args.get("from", type=int) or 1
    last = request.args.get("to", type=int) or 12
    return year, first, last


@bp.get("/stats")
@login_required
@town_required
def stats_page():
    year, first, last = _period()
    report = stats.report_for(pufa(), year, first, last)
    months = [m[5:].lstrip("0") + "月" for m in report.months]
    bm = report.by_month
    case_chart = charts.bar_chart(months, [("调解受理", bm["mediation"]), ("调解成功", bm["mediated"]),
                                           ("法律援助申请", bm["legal_aid"]), ("代写文书", bm["drafted"])],
                                  f"{report.period} 每月办件")
    answer_chart = charts.bar_chart(months, [("公众号解答", bm["answered"]), ("工作人员解答", bm["consult_staff"])],
                                    f"{report.period} 每月解答法律咨询")
    cat_items = sorted(((category_name(c), v["answered"] + v["received"]) for c, v in report.by_category.items()),
                       key=lambda x: -x[1])
    category_chart = charts.hbar_chart([x for x in cat_items if x[1]] or cat_items[:0],
                                       "按类别：咨询和申请合计")
    return render_template("console/stats.html", report=report, metrics=stats.METRICS, months=months,
                           names=stats.METRIC_NAMES, category_columns=stats.CATEGORY_COLUMNS,
                           village_columns=stats.VILLAGE_COLUMNS, case_chart=case_chart,
                           answer_chart=answer_chart, category_chart=category_chart,
                           years=list(range(dt.date.today().year + 1, 2023, -1)), year=year,
                           first=report.first, last=report.last)


@bp.get("/stats.csv")
@login_required
@town_required
def stats_csv():
    year, first, last = _period()
    report = stats.report_for(pufa(), year, first, last)
    name = f"pufa-stats-{year}-{report.first:02d}-{report.last:02d}.csv"
    return Response(stats.to_csv(report), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- knowledge gaps ------------------------------------------------------------------
@bp.get("/gaps")
@login_required
@town_required
def gaps():
    recent = request.args.get("n", type=int) or 1000
    recent = min(max(recent, 50), 20000)
    items = pufa().services.gaps.recent(recent)
    groups = gapmod.group_gaps(items)
    kb = pufa().services.kb
    shown = []
    for g in groups[:50]:
        form = DraftForm(formdata=None, question=g.question, examples="\n".join(g.examples[:20]),
                         category=gapmod.guess_category(kb, g.question))
        shown.append((g, form))
    return render_template("console/gaps.html", groups=shown, total=len(items), ngroups=len(groups), n=recent)



@bp.post("/gaps/draft")
@login_required
@town_required
def gap_draft():
    form = DraftForm()
    if not form.validate_on_submit():
        flash("草稿内容不完整。", "error")
        return redirect(url_for("console.gaps"))
    examples = [line.strip() for line in (form.examples.data or "").splitlines() if line.strip()]
    text = gapmod.draft_yaml(pufa().services.kb, form.question.data, examples, form.category.data)
    if request.form.get("download"):
        return Response(text, mimetype="text/yaml; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{form.category.data}-draft.yaml"'})
    return render_template("console/gap_draft.html", text=text, form=form)


# -- staff ------------------------------------------------------------------------------
@bp.get("/staff")
@login_required
@town_required
def staff_list():
    from .admin import staff_page

    return staff_page()


CONFIRM = {  # asked before acting (confirm.py): the page's data-confirm, or the server's own page
    "disable": ("确定停用 {username} 的账号吗？他（她）在所有设备上的登录会立即退出。", "确定停用"),
    "reset": ("确定重置 {username} 的密码吗？旧密码马上失效，他（她）要用临时密码重新登录。", "确定重置密码"),
}


def _staff_action(username: str, action: str):
    form = ActionForm()
    store = console().staff
    if not form.validate_on_submit():
        return redirect(url_for("console.staff_list"))
    user = store.get(username)
    if user is None:
        flash("没有这个用户。", "error")
        return redirect(url_for("console.staff_list"))
    if username == current_user.username and action != "enable":
        flash("不能停用或重置自己的账号；改自己的密码请用“改密码”。", "error")
        return redirect(url_for("console.staff_list"))
    if action in CONFIRM and not confirmed():
        question, button = CONFIRM[action]
        return ask(question.format(username=username), button, url_for("console.staff_list"))
    try:
        if action == "reset":
            temp = store.reset_password(username)
            log.info("console: staff password reset", extra={"staff": mask_name(username)})
            flash(f"已重置 {username} 的密码，他（她）在所有设备上的登录已退出。", "info")
            from .admin import staff_page

            return staff_page(temp=(username, temp))
        store.set_disabled(username, action == "disable")
    except StaffError as exc:
        flash(str(exc), "error")
    else:
        log.info(f"console: staff {action}d", extra={"staff": mask_name(username)})
        flash(f"已停用 {username}，他（她）的登录已全部退出。" if action == "disable" else f"已启用 {username}。", "info")
    return redirect(url_for("console.staff_list"))


@bp.post("/staff/disable")
@login_required
@admin_required
def staff_disable():
    return _staff_action(request.form.get("username", ""), "disable")


@bp.post("/staff/enable")
@login_required
@admin_required
def staff_enable():
    return _staff_action(request.form.get("username", ""), "enable")


@bp.post("/staff/reset")
@login_required
@admin_required
def staff_reset():
    return _staff_action(request.form.get("username", ""), "reset")

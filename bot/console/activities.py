"""The 普法 activity register's pages (list, add, edit, delete) and the annual report's
download (/console/stats/report.docx).

Who may do what: town staff see and edit every activity; a village mediator sees,
records, edits and deletes only their own village's (any other is a 404, as tickets
are). The checks on what is typed are bot.activities.validate, the same as
`flask activities add`. Deleting asks first (confirm.py) and keeps the record and
its audit.
"""
from __future__ import annotations

import datetime as dt
import io
import logging

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, widgets

from ..activities import COUNTS, KINDS, ORGANIZERS, ActivityError, figures
from ..privacy import mask_name
from .base import bp, pufa, town_required
from .confirm import ask, confirmed

log = logging.getLogger(__name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ActivityForm(FlaskForm):
    """The fields as typed; bot.activities.validate decides what is right (one place)."""

    date = StringField("日期", render_kw={"type": "date"})
    title = StringField("活动名称", render_kw={"placeholder": "例如：宪法宣传周集中宣传"})
    village = SelectField("村（社区）", validate_choice=False)
    place = StringField("地点（可不填）", render_kw={"placeholder": "例如：和尚岭村法治文化游园"})
    kind = SelectField("活动形式", choices=list(KINDS), validate_choice=False)
    organizers = CheckboxesField("组织单位", choices=list(ORGANIZERS), validate_choice=False)
    other_organizers = StringField("其他单位（多个用顿号隔开）")
    boards = StringField(COUNTS["boards"], render_kw={"inputmode": "numeric"})
    leaflets = StringField(COUNTS["leaflets"], render_kw={"inputmode": "numeric"})
    books = StringField(COUNTS["books"], render_kw={"inputmode": "numeric"})
    participants = StringField(COUNTS["participants"], render_kw={"inputmode": "numeric"})
    note = TextAreaField("备注（可不填）", render_kw={"rows": 2})

    def fields(self) -> dict:
        return {"date": self.date.data, "title": self.title.data, "village": self.village.data,
                "place": self.place.data, "kind": self.kind.data,
                "organizers": [*(self.organizers.data or []), self.other_organizers.data or ""],
                **{k: getattr(self, k).data for k in COUNTS}, "note": self.note.data}


def _store():
    return pufa().services.activities


def _places() -> list[str]:
    """The villages this staff member may record for (a mediator: their own)."""
    return list(_store().places) if current_user.is_town else [current_user.village]


def _form(activity=None) -> ActivityForm:
    if activity is None:
        own = [] if current_user.is_town else [current_user.village]
        form = ActivityForm(formdata=request.form if request.method == "POST" else None,
                            data=None if request.method == "POST" else {
                                "date": dt.date.today().isoformat(), "kind": KINDS[0],
                                "village": (own or _places())[0],
                                "organizers": ["司法所"] if current_user.is_town else ["村委会"]})
    else:
        d = activity.data
        form = ActivityForm(formdata=request.form if request.method == "POST" else None, data=None if
                            request.method == "POST" else {
                                **{k: d[k] for k in ("date", "title", "village", "place", "kind", "note")},
                                **{k: str(d[k]) for k in COUNTS},
                                "organizers": [o for o in d["organizers"] if o in ORGANIZERS],
                                "other_organizers": "、".join(o for o in d["organizers"] if o not in ORGANIZERS)})
    form.village.choices = _places()
    return form


def _fields(form: ActivityForm) -> dict:
    fields = form.fields()
    if not current_user.is_town:
        fields["village"] = current_user.village  # a mediator records their own village's only
    return fields


def _visible(activity_id: str):
    a = _store().get(activity_id)
    if a is None or not current_user.is_town and a.data["village"] != current_user.village:
        if a is not None:
            log.warning("console: activity outside the mediator's village", extra={"activity": activity_id})
        abort(404)
    return a


def _year() -> int:
    this_year = dt.date.today().year
    year = request.args.get("year", type=int) or this_year
    return min(max(year, 2000), this_year + 1)


@bp.get("/activities")
@login_required
def activities():
    year = _year()
    kind = request.args.get("kind") or None
    kind = kind if kind in KINDS else None
    village = (request.args.get("village") or None) if current_user.is_town else current_user.village
    store = _store()
    items = store.list(year, village=village, kind=kind)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    figs = figures(items, months)
    deleted = store.deleted(year, village=village)
    years = sorted({dt.date.today().year + 1, dt.date.today().year, year, *store.years()}, reverse=True)
    return render_template("console/activities.html", items=list(reversed(items)), figs=figs, year=year,
                           years=years, kind=kind or "", village=village or "", kinds=KINDS, places=_places(),
                           counts=COUNTS, deleted=[(a, store.history(a.id)) for a in deleted],
                           months=[(m, m[5:].lstrip("0") + "月") for m in months])


def _render_form(form, activity=None, errors=None, status=200):
    history = _store().history(activity.id) if activity else []
    return render_template("console/activities_form.html", form=form, activity=activity, errors=errors or {},
                           history=history), status


def _save(form, action, activity=None):
    """(the saved activity, None), or (None, the form again with what is wrong: 400)."""
    try:
        return action(_fields(form)), None
    except ActivityError as exc:
        log.info("console: activity not saved", extra={"fields": sorted(exc.errors)})
        flash("没有保存，请改正标红的地方。", "error")
        return None, _render_form(form, activity, exc.errors, 400)


@bp.route("/activities/new", methods=["GET", "POST"])
@login_required
def activity_new():
    form = _form()
    if request.method == "POST" and form.validate_on_submit():
        saved, refused = _save(form, lambda f: _store().add(f, current_user.username))
        if refused:
            return refused
        log.info("console: activity added", extra={"activity": saved.id, "staff": mask_name(current_user.username)})
        flash(f"已登记：{saved.data['date']} {saved.data['title']}。", "info")
        return redirect(url_for("console.activities", year=saved.year))
    return _render_form(form)


@bp.route("/activities/<activity_id>", methods=["GET", "POST"])
@login_required
def activity_edit(activity_id):
    activity = _visible(activity_id)
    form = _form(activity)
    if request.method == "POST" and form.validate_on_submit():
        saved, refused = _save(form, lambda f: _store().update(activity.id, f, current_user.username), activity)
        if refused:
            return refused
        log.info("console: activity changed", extra={"activity": saved.id,
                                                     "staff": mask_name(current_user.username)})
        flash("已保存修改（记入修改记录）。", "info")
        return redirect(url_for("console.activities", year=saved.year))
    return _render_form(form, activity)


@bp.post("/activities/<activity_id>/delete")
@login_required
def activity_delete(activity_id):
    activity = _visible(activity_id)
    d = activity.data
    if not confirmed():
        return ask(f"确定删除“{d['date']} {d['title']}”吗？删除后它不再计入统计，删除记录会保留。", "确定删除",
                   url_for("console.activity_edit", activity_id=activity.id))
    try:
        _store().delete(activity.id, current_user.username)
    except ActivityError as exc:
        flash(str(exc), "error")
    else:
        log.info("console: activity deleted", extra={"activity": activity.id,
                                                     "staff": mask_name(current_user.username)})
        flash(f"已删除：{d['date']} {d['title']}。", "info")
    return redirect(url_for("console.activities", year=activity.year))


# -- the annual report ---------------------------------------------------------------------------
@bp.context_processor
def _activity_names():
    """The activity figures' labels, for the statistics page's 普法活动 tables."""
    from .annual import ACTIVITY_NAMES

    return {"activity_names": ACTIVITY_NAMES}


@bp.get("/stats/report.docx")
@login_required
@town_required
def stats_report_docx():
    from .report_docx import filename, report_docx

    year = _year()
    data = report_docx(pufa(), year)
    log.info("console: annual report downloaded", extra={"year": year})
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=filename(pufa().settings.town, year))

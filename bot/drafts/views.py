"""The console's 起草起诉状 pages, under /console/tickets/<number>/draft….

The console's own hooks are attached to this blueprint, so they apply to
every page here exactly as on the console's: CSRF on each POST, the forced
password change, the security headers, the 403/404/expired pages and the
navigation. Who may draft: whoever may see the ticket in the console (town
staff any ticket; a village mediator only their village's queue) — anyone
else gets the console's 404, as for the ticket page itself.

Personal data stays out of URLs (every change is a POST) and out of logs.
"""
from __future__ import annotations

import logging
import re
import time

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape

from ..console import base as console_base
from ..console.views import visible_ticket
from . import forms, model
from .render_docx import render_docx
from .render_pdf import render_pdf
from .store import DraftConflict

log = logging.getLogger(__name__)

bp = Blueprint("drafts", __name__, template_folder="templates", static_folder="static",
               static_url_path="/draft-static")
SECTIONS = ("values", "claims", "facts", "evidence", "court", "closing", "template")
ROLES = {"plaintiff": ("plaintiffs", "原告"), "defendant": ("defendants", "被告")}
VIEW_AUDIT_TTL = 3600  # one "viewed the draft" audit entry per staff member and ticket per hour
BLANK_ROWS = 2

# The console's behaviour, by reference (a change there is a change here).
bp.before_request(console_base._protect)
bp.after_request(console_base._headers)
bp.context_processor(console_base._helpers)
bp.register_error_handler(CSRFError, console_base._csrf_error)
bp.register_error_handler(403, console_base._forbidden)
bp.register_error_handler(404, console_base._not_found)


def drafts():
    return current_app.extensions["pufa_drafts"]


def _latest_or_start(t):
    latest = drafts().latest(t.number)
    if latest is None:
        return None, redirect(url_for("drafts.edit", number=t.number))
    return latest, None


def _who() -> str:
    return current_user.username


def _audit_view(t) -> None:
    """The draft shows full names, phone and ID numbers: record (at most hourly) who looked."""
    svc = drafts()
    key = svc.k("draft-viewed", t.number, current_user.username)
    if svc.r.set(key, "1", nx=True, ex=VIEW_AUDIT_TTL):
        svc.q.audit(t.number, _who(), "查看起诉状", "打开起诉状草稿（含完整姓名、电话、身份证号）")


def _save(t, draft: dict, form, what: str = "修改起诉状"):
    """Save a new version; (version, None) or (None, an error message)."""
    try:
        version, changed = drafts().save(t.number, _who(), draft, base=form.base_version(), what=what)
    except DraftConflict as exc:
        form.base.data = str(exc.latest)
        return None, (f"保存前，别人已经存了新的第{exc.latest}版。您填的内容还在下面，没有保存；"
                      "请核对后再点一次保存（会以您填的为准）。")
    if changed:
        flash(f"已保存为第{version.version}版（改了：{'、'.join(model.SECTION_LABELS[k] for k in changed)}）。", "info")
    else:
        flash("没有改动，没有生成新版本。", "info")
    return version, None


def _back(t, anchor: str = ""):
    return redirect(url_for("drafts.edit", number=t.number) + (f"#{anchor}" if anchor else ""))


# -- the overview (and the start page) ----------------------------------------------------------
@bp.get("/<number>/draft")
@login_required
def edit(number):
    t = visible_ticket(number)
    svc = drafts()
    latest = svc.latest(t.number)
    if latest is None:
        form = forms.StartForm(formdata=None)
        form.template.choices = forms.choices(svc.templates.choices())
        form.template.data = svc.templates.for_category(t.data.get("category", "")).id
        return render_template("drafts/start.html", t=t, d=t.data, form=form)
    _audit_view(t)
    draft = latest.draft
    template = svc.template_of(draft)
    sections = model.section_texts(draft)
    return render_template(
        "drafts/edit.html", t=t, d=t.data, latest=latest, draft=draft, template=template, sections=sections,
        missing=model.document_missing(draft), hint=svc.hint(draft), versions=list(reversed(svc.versions(t.number))),
        action=forms.ActionForm(formdata=None, base=str(latest.version)),
        other_party=model.clean_line(t.data.get("other_party", "")), story=model.clean_text(t.data.get("story", "")),
        values=[(f, draft["values"].get(f.key, "")) for f in template.fields],
        party_texts={key: [model.party_text(label, p) for p in draft[key]] for key, label in ROLES.values()},
    )


@bp.post("/<number>/draft")
@login_required
def start(number):
    t = visible_ticket(number)
    svc = drafts()
    form = forms.StartForm()
    form.template.choices = forms.choices(svc.templates.choices())
    if not form.validate_on_submit():
        flash("请选择案由。", "error")
        return _back(t)
    existing = svc.latest(t.number)
    if existing is not None and request.form.get("again") != "1":
        flash(f"这件事已经有起诉状草稿（第{existing.version}版），已为您打开。", "info")
        return _back(t)
    version = svc.create(t.number, _who(), form.template.data)
    flash(f"已起草第{version.version}版：{version.draft['case_type']}。标着【待补充】的地方请补上。", "info")
    return _back(t)


# -- parties ------------------------------------------------------------------------------------
@bp.route("/<number>/draft/party/<role>/<int:index>", methods=["GET", "POST"])
@login_required
def party(number, role, index):
    if role not in ROLES:
        abort(404)
    t = visible_ticket(number)
    latest, redirect_ = _latest_or_start(t)
    if redirect_:
        return redirect_
    key, label = ROLES[role]
    parties = latest.draft[key]
    if not 0 <= index < len(parties):
        abort(404)
    error, status = None, 200
    if request.method == "POST":
        form = forms.PartyForm()
        if form.validate_on_submit():
            draft = model.normalize(latest.draft)
            draft[key][index] = model.normalize_party(form.party())
            old_signer = latest.draft["closing"]["signer"]
            if role == "plaintiff" and index == 0 and old_signer in ("", latest.draft["plaintiffs"][0]["name"]):
                draft["closing"]["signer"] = draft["plaintiffs"][0]["name"]  # the signer follows the plaintiff
            version, error = _save(t, draft, form)
            if version:
                return _back(t, role)
            status = 409
        else:
            status = 400
    else:
        form = forms.PartyForm(formdata=None, data={**parties[index], "base": str(latest.version)})
    number_label = f"{label}{index + 1}" if len(parties) > 1 else label
    return render_template("drafts/party.html", t=t, form=form, label=number_label, role=role, index=index,
                           error=error, other_party=model.clean_line(t.data.get("other_party", ""))), status


def _change_parties(number: str, role: str, change):
    """Add or remove a party block: change(parties, label) edits the list in
    place and returns an error to show, or None; saved as a new version."""
    if role not in ROLES:
        abort(404)
    t = visible_ticket(number)
    latest, redirect_ = _latest_or_start(t)
    if redirect_:
        return None, None, redirect_
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    key, label = ROLES[role]
    draft = model.normalize(latest.draft)
    error = change(draft[key], label)
    if not error:
        _, error = _save(t, draft, form)
    if error:
        flash(error, "error")
        return t, None, _back(t, role)
    return t, draft[key], None


@bp.post("/<number>/draft/party/<role>/add")
@login_required
def party_add(number, role):
    kind = "org" if request.form.get("kind") == "org" else "person"

    def add(parties, label):
        if len(parties) >= 10:
            return f"{label}最多10个。"
        parties.append(model.blank_party(kind))
        return None

    t, parties, response = _change_parties(number, role, add)
    if response is not None:
        return response
    return redirect(url_for("drafts.party", number=t.number, role=role, index=len(parties) - 1))


@bp.post("/<number>/draft/party/<role>/<int:index>/remove")
@login_required
def party_remove(number, role, index):
    def remove(parties, label):
        if len(parties) <= 1 or not 0 <= index < len(parties):
            return f"至少要有一个{label}。"
        del parties[index]
        return None

    t, _, response = _change_parties(number, role, remove)
    return response if response is not None else _back(t, role)


# -- the other sections ------------------------------------------------------------------------
def _rows(entries) -> list[dict]:
    out = []
    for entry in entries:
        row = {k: model.clean_line(v or "", 1000) for k, v in entry.data.items() if k != "csrf_token"}
        if any(row.values()):
            out.append(row)
    return out


def _section_form(section: str, draft: dict, template, version: int, post: bool):
    """The form for a section, from the request (post) or from the draft."""
    base = str(version)
    if section == "values":
        cls = forms.values_form_class(template)
        if post:
            return cls()
        data = {f"v_{f.key}": draft["values"].get(f.key, "") for f in template.fields}
        return cls(formdata=None, data={**data, "base": base})
    if section == "claims":
        if post:
            return forms.ClaimsForm()
        form = forms.ClaimsForm(formdata=None, data={"claims": draft["claims"] + [""] * BLANK_ROWS, "base": base})
        return form
    if section == "facts":
        return forms.FactsForm() if post else forms.FactsForm(formdata=None, data={"facts": draft["facts"],
                                                                                   "base": base})
    if section == "evidence":
        if post:
            return forms.EvidenceForm()
        blank_e = [{"name": "", "source": "", "purpose": ""}] * BLANK_ROWS
        blank_w = [{"name": "", "address": "", "purpose": ""}] * (BLANK_ROWS if not draft["witnesses"] else 1)
        return forms.EvidenceForm(formdata=None, data={"evidence": draft["evidence"] + blank_e,
                                                       "witnesses": draft["witnesses"] + blank_w, "base": base})
    if section == "court":
        return forms.CourtForm() if post else forms.CourtForm(formdata=None, data={**draft["court"], "base": base})
    if section == "closing":
        if post:
            return forms.ClosingForm()
        c = draft["closing"]
        return forms.ClosingForm(formdata=None, data={
            "signer": c["signer"], "date": c["date"], "copies": int(c["copies"]) if c["copies"] else None,
            "attachments": c["attachments"] + [""] * BLANK_ROWS, "base": base})
    form = forms.TemplateForm() if post else forms.TemplateForm(formdata=None, data={"template": draft["template"],
                                                                                     "base": base})
    form.template.choices = forms.choices(drafts().templates.choices())
    return form


def _apply(section: str, form, draft: dict, t, template) -> tuple[dict, str]:
    """The draft with the form's section applied (and what to call the change)."""
    svc = drafts()
    new = model.normalize(draft)
    what = "修改起诉状"
    if section == "values":
        edited = model.hand_edited(draft, svc.templates, t.data, town=svc.town, home=svc.home)
        new["values"] = {f.key: model.clean_line(getattr(form, f"v_{f.key}").data or "", 1000)
                         for f in template.fields}
        if form.regenerate.data or not edited:
            new = svc.regenerate(new, t.data)
        else:
            flash("诉讼请求或事实与理由手动改过，这次没有覆盖；需要按要素重新生成的，勾选“按要素重新生成”再保存。",
                  "warn")
    elif section == "claims":
        new["claims"] = [model.clean_line(c, 5000) for c in form.claims.data if model.clean_line(c)]
        new["claims"] = [re.sub(r"^\s*\d+\s*[.、．]\s*", "", c) for c in new["claims"]]  # numbering is automatic
    elif section == "facts":
        new["facts"] = model.clean_text(form.facts.data, model.STORE_LIMIT)
    elif section == "evidence":
        new["evidence"], new["witnesses"] = _rows(form.evidence.entries), _rows(form.witnesses.entries)
    elif section == "court":
        name = model.clean_line(form.name.data, 100)
        hint = svc.hint(new)
        new["court"] = {"name": name, "confirmed": bool(form.confirmed.data) and bool(name),
                        "manual": bool(name) and name != hint.court}
    elif section == "closing":
        new["closing"] = {"signer": model.clean_line(form.signer.data, 200),
                          "date": model.normalize_date(model.clean_line(form.date.data, 40)),
                          "copies": str(form.copies.data) if form.copies.data else "",
                          "attachments": [model.clean_line(a, 500) for a in form.attachments.data
                                          if model.clean_line(a)]}
    elif section == "template":
        if form.template.data != draft["template"]:
            new = svc.regenerate(new, t.data, template_id=form.template.data)
            what = "更换起诉状模板"
    return new, what


@bp.route("/<number>/draft/<section>", methods=["GET", "POST"])
@login_required
def section(number, section):
    if section not in SECTIONS:
        abort(404)
    t = visible_ticket(number)
    latest, redirect_ = _latest_or_start(t)
    if redirect_:
        return redirect_
    svc = drafts()
    draft = latest.draft
    template = svc.template_of(draft)
    post = request.method == "POST"
    form = _section_form(section, draft, template, latest.version, post)
    error, status = None, 200
    if post:
        if form.validate_on_submit():
            new, what = _apply(section, form, draft, t, template)
            version, error = _save(t, new, form, what)
            if version:
                return _back(t, section)
            status = 409
        else:
            status = 400
    edited = model.hand_edited(draft, svc.templates, t.data, town=svc.town, home=svc.home) \
        if section == "values" else []
    if section == "values" and not post:
        form.regenerate.data = not edited
    return render_template(
        "drafts/section.html", t=t, section=section, label=model.SECTION_LABELS[section], form=form, error=error,
        template=template, draft=draft, hint=svc.hint(draft), edited=edited,
        story=model.clean_text(t.data.get("story", "")),
    ), status


# -- preview and downloads ------------------------------------------------------------------------
def _version_arg(t, latest):
    raw = request.args.get("v", "")
    if not raw:
        return latest
    if not raw.isdigit():
        abort(404)
    version = drafts().version(t.number, int(raw))
    if version is None:
        abort(404)
    return version


@bp.get("/<number>/draft/preview")
@login_required
def preview(number):
    t = visible_ticket(number)
    latest, redirect_ = _latest_or_start(t)
    if redirect_:
        return redirect_
    version = _version_arg(t, latest)
    _audit_view(t)
    return render_template("drafts/preview.html", t=t, version=version, latest=latest,
                           blocks=model.document(version.draft), missing=model.document_missing(version.draft))


FORMATS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_docx),
    "pdf": ("application/pdf", render_pdf),
}


@bp.get("/<number>/draft/download.<fmt>")
@login_required
def download(number, fmt):
    if fmt not in FORMATS:
        abort(404)
    t = visible_ticket(number)
    latest, redirect_ = _latest_or_start(t)
    if redirect_:
        return redirect_
    version = _version_arg(t, latest)
    mimetype, render = FORMATS[fmt]
    started = time.monotonic()
    body = render(version.draft)
    drafts().record_export(t.number, _who(), version.version, fmt)
    log.info("complaint rendered", extra={"ticket": t.number, "format": fmt,
                                           "ms": int((time.monotonic() - started) * 1000)})
    filename = f"{t.number}-qisuzhuang-v{version.version}.{fmt}"
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"{filename}\"; "
                                           f"filename*=UTF-8''{t.number}-%E8%B5%B7%E8%AF%89%E7%8A%B6-v{version.version}.{fmt}")
    return resp


# -- template helpers ----------------------------------------------------------------------------
@bp.app_template_filter("mark_missing")
def mark_missing(text) -> Markup:
    """Escape, then highlight each 【待补充…】 so staff see it at once."""
    out, last = [], 0
    text = str(text or "")
    for m in model.MISSING_RE.finditer(text):
        out.append(escape(text[last:m.start()]))
        out.append(Markup('<mark class="missing">') + escape(m.group(0)) + Markup("</mark>"))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@bp.app_template_global("draft_time")
def draft_time(ts) -> str:
    from ..console import present

    return present.fmt_time(ts, with_year=True)

"""Adding a staff account from the console (town staff with the admin flag): the
account gets a temporary password, shown once on the answer page (as for a
reset), which must be changed at the first login."""
from __future__ import annotations

import logging

from flask import flash, render_template
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..privacy import mask_name
from .base import admin_required, bp, console, pufa
from .forms import ActionForm
from .staff import ROLES, StaffError

log = logging.getLogger(__name__)


class StaffAddForm(FlaskForm):
    username = StringField("用户名（登录用，一般写姓名）", validators=[DataRequired(message="请填写用户名"), Length(max=32)])
    role = RadioField("角色", choices=[SelectChoice(k, v) for k, v in ROLES.items()], default="village",
                      validate_choice=False, validators=[DataRequired(message="请选择角色")])
    village = SelectField("所在村（村调解员）", validate_choice=False)
    admin = BooleanField("管理员（可以添加、停用账号，重置密码；只限司法所工作人员）")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.role.data not in ROLES:
            self.role.errors = ["请选择角色：司法所工作人员或村调解员"]
            return False
        if self.role.data == "village" and self.village.data not in [c.value for c in self.village.choices if c.value]:
            self.village.errors = [*self.village.errors, "村调解员要选所在村"]
            ok = False
        if self.role.data == "village" and self.admin.data:
            self.admin.errors = [*self.admin.errors, "村调解员不能当管理员"]
            ok = False
        return ok


def add_form(post: bool = False) -> StaffAddForm:
    form = StaffAddForm() if post else StaffAddForm(formdata=None)
    form.village.choices = [SelectChoice("", "（司法所工作人员不用选）")] + [
        SelectChoice(v, v) for v in pufa().settings.villages]
    return form


def staff_page(status: int = 200, temp=None, form=None):
    """The staff list (pages.staff_list shows the same template)."""
    return render_template("console/staff.html", users=console().staff.all(), roles=ROLES,
                           form=ActionForm(formdata=None), temp=temp,
                           add=form or (add_form() if current_user.is_admin else None)), status


@bp.post("/staff/add")
@login_required
@admin_required
def staff_add():
    form = add_form(post=True)
    if not form.validate_on_submit():
        return staff_page(400, form=form)
    store = console().staff
    username, role = form.username.data.strip(), form.role.data
    try:
        user, temp = store.add_with_temporary(username, role, village=form.village.data if role == "village" else "",
                                              admin=bool(form.admin.data) and role == "town")
    except StaffError as exc:
        form.username.errors.append(str(exc))
        return staff_page(400, form=form)
    log.info("console: staff added", extra={"staff": mask_name(user.username), "role": user.role,
                                             "admin": user.is_admin, "by": mask_name(current_user.username)})
    flash(f"已添加 {user.username}（{user.role_name}{'·' + user.village if user.village else ''}"
          f"{'，管理员' if user.is_admin else ''}）。", "info")
    return staff_page(temp=(user.username, temp))

"""One form per section of the complaint (Flask-WTF: each carries its CSRF
token and the version it was opened on, so a save never silently overwrites
someone else's newer version)."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField, SelectChoice,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from .model import REP_LABELS, clean_line

UNKNOWN_WORDS = {"不详", "无", "未知", "不知道"}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE_RE = re.compile(r"^[0-9+\-\s()（）转]{5,30}$")


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def id_number_problem(value: str) -> str | None:
    """Why an 18-digit 公民身份号码 is wrong (None when it is right, empty or 不详)."""
    value = (value or "").strip().upper()
    if not value or value in UNKNOWN_WORDS:
        return None
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "公民身份号码应是18位（最后一位可以是X）；不知道的留空或写“不详”"
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != value[17]:
        return "公民身份号码的校验位不对，请再核对一遍"
    return None


def from_id_number(value: str) -> tuple[str, str]:
    """(sex, birth date) read from a valid 18-digit ID number."""
    value = (value or "").strip().upper()
    if id_number_problem(value) is not None or len(value) != 18:
        return "", ""
    y, m, d = int(value[6:10]), int(value[10:12]), int(value[12:14])
    return ("男" if int(value[16]) % 2 else "女"), f"{y}年{m}月{d}日"


class Versioned(FlaskForm):
    base = HiddenField()

    def base_version(self) -> int:
        """The version this edit started from; a missing or garbled one is -1, a version
        that does not exist, so the save is refused as a conflict (never saved unchecked)."""
        try:
            return int((self.base.data or "").strip())
        except (TypeError, ValueError, AttributeError):
            return -1


class PartyForm(Versioned):
    kind = RadioField("类型", choices=choices([("person", "自然人"), ("org", "单位（公司、村委会等）")]), default="person")
    name = StringField("姓名或单位名称", validators=[Length(max=200)])
    sex = SelectField("性别", choices=choices([("", "（未填）"), ("男", "男"), ("女", "女")]), validate_choice=False)
    birth = StringField("出生日期", validators=[Length(max=40)])
    ethnicity = StringField("民族", validators=[Length(max=20)])
    work = StringField("工作单位和职务或职业（可不填）", validators=[Length(max=200)])
    address = StringField("住所（户籍地址或经常居住地）", validators=[Length(max=300)])
    id_number = StringField("公民身份号码 / 统一社会信用代码", validators=[Length(max=40)])
    phone = StringField("联系电话", validators=[Length(max=40)])
    rep_label = SelectField("代表人", choices=choices((r, r) for r in REP_LABELS), validate_choice=False)
    rep_name = StringField("法定代表人或主要负责人姓名", validators=[Length(max=100)])
    rep_title = StringField("职务", validators=[Length(max=100)])

    def validate_id_number(self, field):
        if self.kind.data == "person":
            problem = id_number_problem(field.data)
            if problem:
                raise ValidationError(problem)
        elif field.data and field.data.strip() not in UNKNOWN_WORDS and not re.fullmatch(
                r"[0-9A-Za-z]{15,18}", field.data.strip()):
            raise ValidationError("统一社会信用代码一般是18位数字和字母；不知道的留空或写“不详”")

    def validate_phone(self, field):
        value = (field.data or "").strip()
        if value and value not in UNKNOWN_WORDS and not _PHONE_RE.fullmatch(value):
            raise ValidationError("电话号码只能有数字、空格、-、括号；不知道的留空或写“不详”")

    def party(self) -> dict:
        data = {k: clean_line(getattr(self, k).data or "", 300) for k in
                ("kind", "name", "sex", "birth", "ethnicity", "work", "address", "id_number", "phone",
                 "rep_label", "rep_name", "rep_title")}
        data["id_number"] = data["id_number"].upper() if data["kind"] == "person" else data["id_number"]
        if data["kind"] == "person":
            sex, birth = from_id_number(data["id_number"])
            data["sex"] = data["sex"] or sex
            data["birth"] = data["birth"] or birth
        return data


class ClaimsForm(Versioned):
    claims = FieldList(TextAreaField("诉讼请求", validators=[Length(max=2000)]), min_entries=1, max_entries=20)


class FactsForm(Versioned):
    facts = TextAreaField("事实与理由", validators=[Length(max=30000)])


class EvidenceRow(Form):
    name = StringField("证据名称", validators=[Length(max=300)])
    source = StringField("证据来源", validators=[Length(max=300)])
    purpose = StringField("证明什么", validators=[Length(max=500)])


class WitnessRow(Form):
    name = StringField("证人姓名", validators=[Length(max=100)])
    address = StringField("证人住所", validators=[Length(max=300)])
    purpose = StringField("证明什么", validators=[Length(max=500)])


class EvidenceForm(Versioned):
    evidence = FieldList(FormField(EvidenceRow), min_entries=1, max_entries=30)
    witnesses = FieldList(FormField(WitnessRow), min_entries=1, max_entries=10)


class CourtForm(Versioned):
    name = StringField("受诉法院", validators=[Length(max=100)])
    confirmed = BooleanField("已核对管辖，确认向这个法院起诉")


class ClosingForm(Versioned):
    signer = StringField("具状人", validators=[Length(max=200)])
    date = StringField("日期", validators=[Length(max=40)])
    copies = IntegerField("起诉状副本份数（空着就按被告人数）", validators=[Optional(), NumberRange(min=1, max=50)])
    attachments = FieldList(StringField("其他附件", validators=[Length(max=300)]), min_entries=1, max_entries=10)


class TemplateForm(Versioned):
    template = SelectField("案由（模板）", validate_choice=True)


class StartForm(FlaskForm):
    template = SelectField("案由（模板）", validate_choice=True)


class ActionForm(Versioned):
    """A button that needs only the CSRF token and the version (add or remove a party)."""


def values_form_class(template):
    """The 案件要素 form of one template: a text field per placeholder."""

    class ValuesForm(Versioned):
        regenerate = BooleanField("按要素重新生成诉讼请求和事实与理由")

    for f in template.fields:
        setattr(ValuesForm, f"v_{f.key}", StringField(f.label, description=f.hint, validators=[Length(max=1000)]))
    return ValuesForm

"""The console's forms (Flask-WTF: each carries its CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from knowledge.categories import CATEGORIES


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(message="请填写用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(message="请填写密码"), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField("现在的密码", validators=[DataRequired(message="请填写现在的密码")])
    new = PasswordField("新密码（至少12位，不要用常见密码）",
                        validators=[DataRequired(message="请填写新密码"), Length(max=200)])
    confirm = PasswordField("再输一遍新密码", validators=[EqualTo("new", message="两次输入的新密码不一样")])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (claim, refer, show, logout, …)."""


class ReplyForm(FlaskForm):
    text = TextAreaField("回复村民", validators=[DataRequired(message="回复内容是空的"), Length(max=1800)])


class NoteForm(FlaskForm):
    text = TextAreaField("内部备注（村民看不到）", validators=[DataRequired(message="备注是空的"), Length(max=2000)])


class DraftForm(FlaskForm):
    question = StringField("问题", validators=[DataRequired(), Length(max=300)])
    examples = TextAreaField("村民的问法", validators=[Length(max=5000)])
    category = SelectField("类别", choices=[SelectChoice(code, name) for code, name in CATEGORIES.items()])

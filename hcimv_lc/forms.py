"""Validators and fields shared by the forms of several areas."""

import unicodedata
from datetime import date
from urllib.parse import urlsplit

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import FileField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

CONTROL_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}


class Form(FlaskForm):
    """The base of the app's forms: they read the posted fields and their own files."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            # Flask-WTF would also take a JSON body, which need not be an object, and
            # hands every upload to a field of its name, text fields too.
            if formdata is not _Auto:
                return formdata
            if not form.is_submitted():
                return None

            uploads = {field.name for field in form if isinstance(field, FileField)}
            files = MultiDict(
                (name, upload)
                for name, upload in request.files.items(multi=True)
                if name in uploads
            )
            return CombinedMultiDict((files, request.form)) if files else request.form


def no_control_characters(form, field) -> None:
    """Refuse NUL and other control characters that no person types in a line."""
    value = field.data or ""
    allowed = {"\n", "\r", "\t"} if isinstance(field, TextAreaField) else set()
    if any(
        unicodedata.category(char) in CONTROL_CATEGORIES and char not in allowed
        for char in value
    ):
        raise ValidationError(_l("Dit veld bevat tekens die niet zijn toegestaan."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def required(message=None):
    return DataRequired(message=message or _l("Vul dit veld in."))


def max_length(n: int):
    return Length(max=n, message=_l("Hoogstens %(max)d tekens.", max=n))


def text_line(label, n: int, optional: bool = False, **kwargs) -> StringField:
    """Return a one-line text field with a length limit and clean input."""
    first = Optional() if optional else required()
    return StringField(
        label,
        validators=[first, max_length(n), no_control_characters],
        filters=[strip],
        **kwargs,
    )


def not_blank(message):
    """Refuse a text of only white space, with the message given."""

    def check(form, field) -> None:
        if not (field.data or "").strip():
            raise StopValidation(message)

    return check


def markdown_text(label, n: int = 20000, required=None, **kwargs) -> TextAreaField:
    """Return a Markdown text area with a length limit; `required` is its message."""
    first = not_blank(required) if required else Optional()
    return TextAreaField(
        label, validators=[first, max_length(n), no_control_characters], **kwargs
    )


def web_address(form, field) -> None:
    """Accept only full http(s) addresses, so no javascript: link reaches a page."""
    if not field.data:
        return

    try:
        parts = urlsplit(field.data)
    except ValueError:
        # urlsplit refuses some addresses outright, such as "http://[::1".
        parts = None
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.netloc
        or " " in field.data
    ):
        raise ValidationError(
            _l("Vul een volledig webadres in, beginnend met https://.")
        )


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def plausible_date(form, field) -> None:
    """Refuse dates no sprint or activity can have, before they overflow date sums."""
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))


class RuleError(ValueError):
    """A rule of an area's service was broken; the message is for the user.

    `field` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def show_rule_error(form, error: RuleError) -> None:
    """Put the message beside its field, or beside the form's first field."""
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = [*field.errors, str(error)]


def valid_or(field, empty):
    """Return a filter's value, or `empty` when it is missing or failed validation."""
    return empty if field.errors else field.data or empty

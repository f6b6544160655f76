"""Forms of the discussion."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional

from hcimv_lc.forms import Form, markdown_text, text_line


class ThreadForm(Form):
    title = text_line(_l("Onderwerp"), 160)
    body = markdown_text(_l("Bericht"), 10000)
    sprint = IntegerField(
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
        widget=HiddenField.widget,
    )
    challenge = IntegerField(
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
        widget=HiddenField.widget,
    )
    submit = SubmitField(_l("Plaatsen"))


class ReplyForm(Form):
    body = markdown_text(_l("Reactie"), 10000, required=_l("Schrijf een reactie."))
    submit = SubmitField(_l("Reageren"))

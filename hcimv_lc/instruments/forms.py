"""Forms of the instruments area."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from hcimv_lc.forms import Form, no_control_characters, required, text_line
from hcimv_lc.instruments.models import SCALE

MOMENT_LABELS = {"start": _l("Start"), "middle": _l("Halverwege"), "end": _l("Eind")}


class InstrumentForm(Form):
    title = text_line(_l("Titel van de vragenlijst"), 160)
    is_anonymous = BooleanField(
        _l("Anoniem: niemand ziet losse antwoorden, uitkomsten pas vanaf vijf mensen")
    )
    items = TextAreaField(
        _l("Vragen, één per regel: dimensie | vraag"),
        validators=[
            required(),
            Length(max=30000, message=_l("Hoogstens %(max)d tekens.", max=30000)),
            no_control_characters,
        ],
    )
    submit = SubmitField(_l("Opslaan"))


class OpenMomentForm(Form):
    instrument = SelectField(_l("Vragenlijst"), coerce=int)
    moment = SelectField(_l("Moment"), choices=list(MOMENT_LABELS.items()))
    submit = SubmitField(_l("Moment starten"))


def response_form_class(items) -> type[Form]:
    """Return a form with one five-point question per item of an instrument."""
    fields = {
        f"item_{item.id}": RadioField(
            item.text,
            coerce=int,
            choices=[(value, str(value)) for value in SCALE],
            validators=[InputRequired(message=_l("Kies een antwoord."))],
        )
        for item in items
    }
    fields["submit"] = SubmitField(_l("Antwoorden opslaan"))
    return type("ResponseForm", (Form,), fields)

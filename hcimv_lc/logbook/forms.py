"""Forms of the logbook: the quick log, the filters of my log, comments, prompts."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from hcimv_lc.challenges.forms import CheckboxListField
from hcimv_lc.forms import Form, markdown_text, plausible_date, text_line
from hcimv_lc.logbook.models import Kind, Subtype, Visibility

KIND_LABELS = {
    Kind.INFORMAL: _l("Informeel"),
    Kind.NON_FORMAL: _l("Niet-formeel"),
    Kind.FORMAL: _l("Formeel"),
}
SUBTYPE_LABELS = {
    Subtype.ON_THE_JOB: _l("Op de werkplek"),
    Subtype.PEER: _l("Van collega's"),
    Subtype.COURSE: _l("Cursus of training"),
    Subtype.COACHING: _l("Coaching"),
    Subtype.SELF_STUDY: _l("Zelfstudie"),
    Subtype.OTHER: _l("Anders"),
}
VISIBILITY_LABELS = {
    Visibility.PRIVATE: _l("Alleen ik"),
    Visibility.FACILITATORS: _l("Ik en de facilitatoren"),
    Visibility.COMMUNITY: _l("De hele leergemeenschap"),
}
MINUTE_CHOICES = [(15, "15 min"), (30, "30 min"), (60, _l("1 uur")), (120, _l("2 uur"))]
MAX_MINUTES = 24 * 60


def choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


class LogEntryForm(Form):
    what = text_line(
        _l("Wat heb je gedaan?"),
        200,
        render_kw={"placeholder": _l("Bijvoorbeeld: warmtepomp ingeregeld met Lotte")},
    )
    kind = RadioField(
        _l("Soort leren"),
        choices=choices(KIND_LABELS),
        default=Kind.INFORMAL.value,
        validators=[Optional()],
    )
    subtype = SelectField(
        _l("Hoe?"),
        choices=choices(SUBTYPE_LABELS),
        default=Subtype.ON_THE_JOB.value,
        validators=[Optional()],
    )
    quick_minutes = RadioField(
        _l("Hoe lang?"),
        choices=MINUTE_CHOICES,
        coerce=int,
        default=30,
        validators=[Optional()],
    )
    minutes = IntegerField(
        _l("Of vul het aantal minuten in"),
        validators=[
            Optional(),
            NumberRange(
                min=1, max=MAX_MINUTES, message=_l("Tussen 1 en 1440 minuten.")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    # Left out, these fall back to today, the first community and its default.
    date = DateField(_l("Datum"), validators=[Optional(), plausible_date])
    community = SelectField(_l("Leergemeenschap"), coerce=int, validators=[Optional()])
    challenge = SelectField(
        _l("Uitdaging"), coerce=int, default=0, validators=[Optional()]
    )
    skills = CheckboxListField(_l("Vaardigheden"), coerce=int)
    reflection = markdown_text(_l("Wat heb je geleerd? (reflectie)"), 10000)
    visibility = RadioField(
        _l("Wie mag dit zien?"),
        choices=choices(VISIBILITY_LABELS),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Opslaan"))

    def chosen_minutes(self) -> int | None:
        return self.minutes.data or self.quick_minutes.data

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.chosen_minutes():
            self.minutes.errors = [_l("Kies hoe lang het duurde.")]
            return False
        return valid


class LogFilterForm(Form):
    class Meta:
        csrf = False

    sprint = SelectField(_l("Sprint"), coerce=int, default=0)
    kind = SelectField(
        _l("Soort"),
        choices=[("", _l("Alle soorten"))] + choices(KIND_LABELS),
        default="",
    )
    week = IntegerField(
        _l("Week van de sprint"), validators=[Optional(), NumberRange(min=1, max=20)]
    )


class CommentForm(Form):
    body = markdown_text(
        _l("Jouw feedback"), 5000, required=_l("Schrijf eerst je feedback.")
    )
    submit = SubmitField(_l("Reageren"))


class PromptForm(Form):
    week = IntegerField(
        _l("Week"),
        validators=[
            InputRequired(message=_l("Kies een week.")),
            NumberRange(min=1, max=20),
        ],
    )
    text = text_line(_l("Vraag voor die week"), 500)
    submit = SubmitField(_l("Opslaan"))


class DefaultPromptForm(Form):
    default_prompt = text_line(_l("Vaste vraag van de sprint"), 500, optional=True)
    submit = SubmitField(_l("Opslaan"))

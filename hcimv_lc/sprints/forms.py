"""Forms of the sprints area."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TimeField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from hcimv_lc.forms import (
    Form,
    markdown_text,
    max_length,
    no_control_characters,
    plausible_date,
    strip,
    text_line,
    web_address,
)
from hcimv_lc.sprints.models import MAX_WEEKS, MIN_WEEKS, LessonVisibility

WEEKS_MESSAGE = _l("Een sprint duurt 10 tot en met 20 hele weken.")

WEEKDAY_CHOICES = [
    (0, _l("maandag")),
    (1, _l("dinsdag")),
    (2, _l("woensdag")),
    (3, _l("donderdag")),
    (4, _l("vrijdag")),
    (5, _l("zaterdag")),
    (6, _l("zondag")),
]
INTERVAL_CHOICES = [(1, _l("elke week")), (2, _l("elke twee weken"))]
LESSON_VISIBILITY_CHOICES = [
    (LessonVisibility.SIGNED_IN.value, _l("Iedereen met een account")),
    (LessonVisibility.PUBLIC.value, _l("Iedereen, ook zonder account")),
]
STATUS_LABELS = {
    "draft": _l("Concept"),
    "active": _l("Actief"),
    "closed": _l("Afgerond"),
}


def date_field(label) -> DateField:
    return DateField(
        label,
        validators=[InputRequired(message=_l("Kies een datum.")), plausible_date],
    )


def time_field(label) -> TimeField:
    return TimeField(label, validators=[InputRequired(message=_l("Kies een tijd."))])


def online_link_field() -> StringField:
    return StringField(
        _l("Online link"),
        validators=[Optional(), max_length(500), no_control_characters, web_address],
        filters=[strip],
    )


class SprintForm(Form):
    title = text_line(_l("Titel"), 160)
    goal = markdown_text(
        _l("Doel"), description=_l("Wat wil de sprint bereiken? Markdown mag.")
    )
    start_date = date_field(_l("Startdatum"))
    weeks = IntegerField(
        _l("Aantal weken"),
        default=12,
        validators=[
            InputRequired(message=WEEKS_MESSAGE),
            NumberRange(min=MIN_WEEKS, max=MAX_WEEKS, message=WEEKS_MESSAGE),
        ],
        render_kw={"min": MIN_WEEKS, "max": MAX_WEEKS, "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Opslaan"))


class CopySprintForm(Form):
    community = SelectField(_l("In leergemeenschap"), coerce=int)
    title = text_line(_l("Titel van de nieuwe sprint"), 160)
    start_date = date_field(_l("Startdatum"))
    submit = SubmitField(_l("Sprint maken"))


class MeetingForm(Form):
    date = date_field(_l("Datum"))
    start_time = time_field(_l("Begintijd"))
    end_time = time_field(_l("Eindtijd"))
    place = text_line(_l("Plaats"), 200, optional=True)
    online_url = online_link_field()
    agenda = markdown_text(_l("Agenda"))
    submit = SubmitField(_l("Opslaan"))


class SeriesForm(Form):
    weekday = SelectField(_l("Dag"), coerce=int, choices=WEEKDAY_CHOICES, default=1)
    interval = SelectField(
        _l("Hoe vaak"), coerce=int, choices=INTERVAL_CHOICES, default=1
    )
    start_time = time_field(_l("Begintijd"))
    end_time = time_field(_l("Eindtijd"))
    place = text_line(_l("Plaats"), 200, optional=True)
    online_url = online_link_field()
    agenda = markdown_text(_l("Agenda"))
    submit = SubmitField(_l("Bijeenkomsten maken"))


WRITE_SOMETHING = _l("Schrijf hier een paar zinnen.")


class CloseSprintForm(Form):
    worked = markdown_text(_l("Wat werkte?"), required=WRITE_SOMETHING)
    did_not_work = markdown_text(_l("Wat werkte niet?"), required=WRITE_SOMETHING)
    advice = markdown_text(
        _l("Wat zouden we een andere regio vertellen?"), required=WRITE_SOMETHING
    )
    visibility = SelectField(
        _l("Wie mag de les lezen?"), choices=LESSON_VISIBILITY_CHOICES
    )
    submit = SubmitField(_l("Sprint afronden en les publiceren"))

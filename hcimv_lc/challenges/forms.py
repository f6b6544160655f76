"""Forms of the challenges area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from hcimv_lc.challenges.models import ChallengeStatus
from hcimv_lc.forms import markdown_text, text_line

STATUS_LABELS = {
    ChallengeStatus.OPEN: _l("Open"),
    ChallengeStatus.IN_PROGRESS: _l("Bezig"),
    ChallengeStatus.DONE: _l("Klaar"),
}
STATUS_CHOICES = [(status.value, label) for status, label in STATUS_LABELS.items()]


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes, easier to tap than a list box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChallengeForm(FlaskForm):
    title = text_line(_l("Titel"), 160)
    description = markdown_text(_l("Beschrijving"))
    organisation = SelectField(_l("Eigenaar (organisatie)"), coerce=int)
    site = text_line(_l("Locatie of project"), 200, optional=True)
    learning_goals = markdown_text(_l("Leerdoelen"), 5000)
    success_criteria = markdown_text(_l("Wanneer is het gelukt?"), 5000)
    team = CheckboxListField(_l("Team"), coerce=int)
    needed_skills = CheckboxListField(_l("Welke vaardigheden vraagt dit?"), coerce=int)
    submit = SubmitField(_l("Opslaan"))


class MoveForm(FlaskForm):
    status = SelectField(_l("Kolom"), choices=STATUS_CHOICES)
    position = IntegerField(
        _l("Plaats"), validators=[Optional(), NumberRange(min=0, max=10_000)]
    )
    submit = SubmitField(_l("Verplaatsen"))


class ScheduleForm(FlaskForm):
    sprint = SelectField(_l("Sprint"), coerce=int)
    submit = SubmitField(_l("Verplaatsen"))

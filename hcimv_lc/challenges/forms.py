"""Forms of the challenges area."""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import IntegerField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, html_params

from hcimv_lc.challenges.models import ChallengeStatus
from hcimv_lc.forms import Form, markdown_text, text_line
from hcimv_lc.web import plain_choice

STATUS_LABELS = {
    ChallengeStatus.OPEN: _l("Open"),
    ChallengeStatus.IN_PROGRESS: _l("Bezig"),
    ChallengeStatus.DONE: _l("Klaar"),
}
STATUS_CHOICES = [(status.value, label) for status, label in STATUS_LABELS.items()]


class CheckboxList:
    """Render a multiple choice as a list of checkboxes, straight from its choices.

    The HTML is that of ListWidget with CheckboxInput, attributes in the same order,
    but without a subfield and html_params() per choice: those made a long list,
    such as the skills of the quick log, slow to render. A field that is not a
    plain choice (`web.plain_choice`) gets WTForms' own widget.
    """

    def __call__(self, field, **kwargs):
        if not plain_choice(field):
            return ListWidget(prefix_label=False)(field, **kwargs)
        kwargs.setdefault("id", field.id)
        required = " required" if field.flags.required else ""
        name = escape(field.name)
        html = [f"<ul {html_params(**kwargs)}>"]
        for index, choice in enumerate(field.iter_choices()):
            option_id = escape(f"{field.id}-{index}")
            value = escape(str(choice.value))
            checked = "checked " if choice.selected else ""
            attributes = (
                f'{checked}id="{option_id}" name="{name}"{required} '
                f'type="checkbox" value="{value}"'
            )
            label = f'<label for="{option_id}">{escape(choice.label or choice.value)}'
            html.append(f"<li><input {attributes}> {label}</label></li>")
        html.append("</ul>")
        # Every value and label above went through escape().
        return Markup("".join(html))  # nosec B704


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes, easier to tap than a list box."""

    widget = CheckboxList()
    option_widget = CheckboxInput()


class ChallengeForm(Form):
    title = text_line(_l("Titel"), 160)
    description = markdown_text(_l("Beschrijving"))
    organisation = SelectField(_l("Eigenaar (organisatie)"), coerce=int)
    site = text_line(_l("Locatie of project"), 200, optional=True)
    learning_goals = markdown_text(_l("Leerdoelen"), 5000)
    success_criteria = markdown_text(_l("Wanneer is het gelukt?"), 5000)
    team = CheckboxListField(_l("Team"), coerce=int)
    needed_skills = CheckboxListField(_l("Welke vaardigheden vraagt dit?"), coerce=int)
    submit = SubmitField(_l("Opslaan"))


class MoveForm(Form):
    status = SelectField(_l("Kolom"), choices=STATUS_CHOICES)
    position = IntegerField(
        _l("Plaats"), validators=[Optional(), NumberRange(min=0, max=10_000)]
    )
    submit = SubmitField(_l("Verplaatsen"))


class ScheduleForm(Form):
    sprint = SelectField(_l("Sprint"), coerce=int)
    submit = SubmitField(_l("Verplaatsen"))

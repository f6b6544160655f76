"""Forms of the toolbox."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from hcimv_lc.challenges.forms import CheckboxListField
from hcimv_lc.communities.forms import THEME_CHOICES
from hcimv_lc.forms import (
    markdown_text,
    max_length,
    no_control_characters,
    strip,
    text_line,
    web_address,
)
from hcimv_lc.toolbox.models import ToolKind, ToolLevel, ToolStatus, ToolVisibility

KIND_LABELS = {
    ToolKind.SCAN: _l("Scan"),
    ToolKind.CHECKLIST: _l("Checklist"),
    ToolKind.GAME: _l("Spel"),
    ToolKind.METHOD: _l("Methode"),
    ToolKind.TRAINING: _l("Training"),
    ToolKind.GUIDELINE: _l("Handreiking"),
    ToolKind.INSTRUMENT: _l("Vragenlijst of instrument"),
}
LEVEL_LABELS = {
    ToolLevel.INDIVIDUAL: _l("Individu"),
    ToolLevel.COMPANY: _l("Bedrijf"),
    ToolLevel.NETWORK: _l("Netwerk of regio"),
}
STATUS_LABELS = {
    ToolStatus.DRAFT: _l("Concept"),
    ToolStatus.PUBLISHED: _l("Gepubliceerd"),
}
VISIBILITY_LABELS = {
    ToolVisibility.PUBLIC: _l("Iedereen"),
    ToolVisibility.SIGNED_IN: _l("Alleen wie is ingelogd"),
}


def choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


class ToolForm(FlaskForm):
    title = text_line(_l("Titel"), 160)
    summary = TextAreaField(
        _l("Samenvatting"),
        validators=[Optional(), max_length(500), no_control_characters],
        filters=[strip],
    )
    body = markdown_text(_l("Beschrijving"), 50000)
    kind = SelectField(_l("Soort"), choices=choices(KIND_LABELS))
    level = SelectField(_l("Niveau"), choices=choices(LEVEL_LABELS))
    themes = CheckboxListField(_l("Thema's"), choices=THEME_CHOICES)
    organisation = SelectField(_l("Herkomst (organisatie)"), coerce=int)
    authors = text_line(_l("Auteurs"), 300, optional=True)
    licence = text_line(_l("Licentie"), 100, optional=True)
    url = StringField(
        _l("Externe link"),
        validators=[Optional(), max_length(500), no_control_characters, web_address],
        filters=[strip],
    )
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS))
    visibility = SelectField(
        _l("Wie mag het zien?"), choices=choices(VISIBILITY_LABELS)
    )
    note = text_line(_l("Wat is er veranderd?"), 300)
    submit = SubmitField(_l("Opslaan"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(
        _l("Zoeken"),
        validators=[Optional(), max_length(200), no_control_characters],
        filters=[strip],
    )
    only = SelectField(
        _l("In"),
        choices=[
            ("", _l("Instrumenten en lessen")),
            ("tool", _l("Instrumenten")),
            ("lesson", _l("Lessen")),
        ],
        default="",
    )
    kind = SelectField(
        _l("Soort"),
        choices=[("", _l("Alle soorten"))] + choices(KIND_LABELS),
        default="",
    )
    level = SelectField(
        _l("Niveau"),
        choices=[("", _l("Alle niveaus"))] + choices(LEVEL_LABELS),
        default="",
    )
    theme = SelectField(
        _l("Thema"), choices=[("", _l("Alle thema's"))] + THEME_CHOICES, default=""
    )

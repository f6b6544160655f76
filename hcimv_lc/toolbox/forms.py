"""Forms of the toolbox."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from hcimv_lc.challenges.forms import CheckboxListField
from hcimv_lc.communities.forms import THEME_CHOICES
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
from hcimv_lc.toolbox.models import (
    CompanySize,
    ToolKind,
    ToolLevel,
    ToolStatus,
    ToolVisibility,
)

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


class ToolForm(Form):
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


class SearchForm(Form):
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
    region = SelectField(
        _l("Toegepast in regio"),
        coerce=lambda value: int(value) if value else 0,
        default=0,
    )
    min_rating = SelectField(
        _l("Beoordeling"),
        coerce=lambda value: int(value) if value else 0,
        choices=[(0, _l("Alle"))] + [(n, f"≥ {n}") for n in range(2, 6)],
        default=0,
    )


COMPANY_SIZE_LABELS = {
    CompanySize.MICRO: _l("Minder dan 10 medewerkers"),
    CompanySize.SMALL: _l("10 tot 50 medewerkers"),
    CompanySize.MEDIUM: _l("50 tot 250 medewerkers"),
    CompanySize.LARGE: _l("250 of meer medewerkers"),
}
RATING_CHOICES = [(number, str(number)) for number in range(1, 6)]


def long_text(label, required_message=None):
    return markdown_text(label, 5000, required=required_message)


class ApplicationForm(Form):
    sprint = SelectField(_l("In sprint"), coerce=int)
    applied_on = DateField(
        _l("Datum"),
        validators=[InputRequired(message=_l("Kies een datum.")), plausible_date],
    )
    adaptation = long_text(_l("Hoe hebben jullie het aangepast?"))
    sector = text_line(_l("Sector"), 120, optional=True)
    company_size = SelectField(
        _l("Grootte van de bedrijven"), choices=choices(COMPANY_SIZE_LABELS)
    )
    region = SelectField(_l("Regio"), coerce=int)
    background = long_text(_l("Achtergrond van de deelnemers"))
    mechanism = long_text(
        _l("Mechanisme: wat in het instrument zette mensen aan tot ander gedrag?"),
        _l("Beschrijf het mechanisme."),
    )
    outcome = long_text(
        _l("Uitkomst: wat veranderde er, en hoe weet je dat?"),
        _l("Beschrijf de uitkomst."),
    )
    evidence = CheckboxListField(_l("Bewijs uit het logboek"), coerce=int)
    administration = SelectField(_l("Bewijs uit een meting"), coerce=int, default=0)
    rating = RadioField(_l("Beoordeling (1 tot 5)"), coerce=int, choices=RATING_CHOICES)
    would_use_again = BooleanField(_l("We zouden het opnieuw gebruiken"), default=True)
    submit = SubmitField(_l("Opslaan"))


class CompareForm(Form):
    class Meta:
        csrf = False

    sector = SearchField(
        _l("Sector"),
        validators=[Optional(), max_length(120), no_control_characters],
        filters=[strip],
    )
    company_size = SelectField(
        _l("Grootte"),
        choices=[("", _l("Alle groottes"))] + choices(COMPANY_SIZE_LABELS),
        default="",
    )
    region = SelectField(
        _l("Regio"), coerce=lambda value: int(value) if value else 0, default=0
    )
    theme = SelectField(
        _l("Thema"), choices=[("", _l("Alle thema's"))] + THEME_CHOICES, default=""
    )

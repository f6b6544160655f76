"""Forms of the communities area."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SearchField, SelectField, SubmitField
from wtforms.validators import Email, Optional

from hcimv_lc.communities.models import Role, Theme
from hcimv_lc.forms import (
    Form,
    markdown_text,
    max_length,
    no_control_characters,
    required,
    strip,
    text_line,
)

THEME_LABELS = {
    Theme.INDIVIDUALS: _l("Responsieve individuen"),
    Theme.COMPANIES: _l("Responsieve (mkb-)bedrijven"),
    Theme.NETWORKS: _l("Responsieve netwerken en regio's"),
    Theme.DIGITALISATION: _l("Digitalisering en dashboards"),
}

ROLE_LABELS = {
    Role.FACILITATOR: _l("Facilitator"),
    Role.PARTICIPANT: _l("Deelnemer"),
    Role.RESEARCHER: _l("Onderzoeker"),
    Role.OBSERVER: _l("Toehoorder"),
}

ROLE_PLURALS = {
    Role.FACILITATOR: _l("Facilitatoren"),
    Role.PARTICIPANT: _l("Deelnemers"),
    Role.RESEARCHER: _l("Onderzoekers"),
    Role.OBSERVER: _l("Toehoorders"),
}

THEME_CHOICES = [(theme.value, label) for theme, label in THEME_LABELS.items()]
ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]


class CommunityFilterForm(Form):
    """The filters above the list of communities; read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Zoek op naam"),
        validators=[Optional(), max_length(100), no_control_characters],
        filters=[strip],
    )
    theme = SelectField(
        _l("Thema"), choices=[("", _l("Alle thema's"))] + THEME_CHOICES, default=""
    )
    region = SelectField(
        _l("Regio"), coerce=lambda value: int(value) if value else 0, default=0
    )


class CommunityForm(Form):
    name = text_line(_l("Naam"), 120)
    theme = SelectField(_l("Thema"), choices=THEME_CHOICES)
    region = SelectField(_l("Thuisregio"), coerce=int)
    organisation = SelectField(_l("Trekker (organisatie)"), coerce=int)
    description = markdown_text(
        _l("Beschrijving"),
        description=_l("Markdown: **vet**, *schuin*, lijstjes en links."),
    )
    default_visibility = SelectField(
        _l("Wie ziet een nieuwe leeractiviteit, tenzij de auteur iets anders kiest?"),
        choices=[
            ("private", _l("Alleen de auteur")),
            ("facilitators", _l("De auteur en de facilitatoren")),
            ("community", _l("De hele leergemeenschap")),
        ],
        default="facilitators",
    )
    is_open = BooleanField(
        _l("Open: iedereen met een account kan lid worden"), default=True
    )
    submit = SubmitField(_l("Opslaan"))


class InvitationForm(Form):
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            required(),
            max_length(254),
            Email(
                message=_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")
            ),
        ],
        filters=[strip],
    )
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, default=Role.PARTICIPANT.value)
    submit = SubmitField(_l("Uitnodiging sturen"))


class RoleForm(Form):
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES)
    submit = SubmitField(_l("Rol wijzigen"))


class ConfirmForm(Form):
    """A form with nothing but its CSRF token, for one-button actions."""

    submit = SubmitField(_l("Bevestigen"))

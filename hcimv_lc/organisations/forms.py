"""Forms for administrators: regions and organisations."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Optional

from hcimv_lc.forms import (
    Form,
    max_length,
    no_control_characters,
    strip,
    text_line,
    web_address,
)
from hcimv_lc.organisations.models import OrganisationKind

ORGANISATION_KIND_LABELS = {
    OrganisationKind.LECTORATE: _l("Lectoraat"),
    OrganisationKind.UNIVERSITY: _l("Hogeschool of universiteit"),
    OrganisationKind.VOCATIONAL_COLLEGE: _l("Mbo-school (ROC)"),
    OrganisationKind.SME: _l("Mkb-bedrijf"),
    OrganisationKind.COMPANY: _l("Ander bedrijf"),
    OrganisationKind.SECTOR_FUND: _l("Sectorfonds"),
    OrganisationKind.EMPLOYER_ASSOCIATION: _l("Werkgeversorganisatie"),
    OrganisationKind.UNION: _l("Vakbond"),
    OrganisationKind.MUNICIPALITY: _l("Gemeente"),
    OrganisationKind.REGIONAL_BODY: _l("Regionaal samenwerkingsverband"),
    OrganisationKind.KNOWLEDGE_INSTITUTE: _l("Kennisinstituut"),
}


class RegionForm(Form):
    name = text_line(_l("Naam"), 120)
    submit = SubmitField(_l("Opslaan"))


class OrganisationForm(Form):
    name = text_line(_l("Naam"), 200)
    kind = SelectField(
        _l("Soort"),
        choices=[
            (kind.value, label) for kind, label in ORGANISATION_KIND_LABELS.items()
        ],
    )
    region = SelectField(_l("Regio"), coerce=int)
    parent = SelectField(_l("Onderdeel van"), coerce=int)
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            max_length(300),
            no_control_characters,
            web_address,
        ],
        filters=[strip],
    )
    submit = SubmitField(_l("Opslaan"))

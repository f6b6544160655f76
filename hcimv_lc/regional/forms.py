"""Forms of the regional view: the intake of a company visit and the filters."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    MonthField,
    RadioField,
    SelectField,
    SubmitField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from hcimv_lc.challenges.forms import CheckboxListField
from hcimv_lc.forms import Form, plausible_date, text_line
from hcimv_lc.regional.models import Sector
from hcimv_lc.toolbox.forms import COMPANY_SIZE_LABELS

SECTOR_LABELS = {
    Sector.INSTALLATION: _l("Installatietechniek"),
    Sector.CONSTRUCTION: _l("Bouw"),
    Sector.ELECTRICAL: _l("Elektrotechniek"),
    Sector.METAL: _l("Metaal"),
    Sector.CARE: _l("Zorg"),
    Sector.LOGISTICS: _l("Logistiek"),
    Sector.RETAIL: _l("Detailhandel"),
    Sector.HOSPITALITY: _l("Horeca"),
    Sector.AGRIFOOD: _l("Agrifood"),
    Sector.ICT: _l("ICT"),
    Sector.OTHER: _l("Overig"),
}
MAX_SKILLS = 10
MAX_VACANCIES = 999
CULTURE_CHOICES = [(number, str(number)) for number in range(1, 6)]
# A visit written down just after midnight may still carry the visitor's date.
DATE_SLACK = timedelta(days=1)


def choices(labels: dict) -> list[tuple[str, str]]:
    return [(key.value, label) for key, label in labels.items()]


def at_most(number: int):
    """Refuse more than `number` different choices."""

    def check(form, field) -> None:
        if len(set(field.data or [])) > number:
            raise ValidationError(
                _l("Kies hoogstens %(num)d vaardigheden.", num=number)
            )

    return check


def not_in_future(form, field) -> None:
    if field.data and field.data > date.today() + DATE_SLACK:
        raise ValidationError(_l("Een bezoek ligt niet in de toekomst."))


def culture_field(label):
    return RadioField(
        label, coerce=int, choices=CULTURE_CHOICES, validators=[Optional()]
    )


def skills_field(label):
    return CheckboxListField(
        label,
        coerce=int,
        validators=[at_most(MAX_SKILLS)],
        description=_l("Kies er hoogstens %(num)d.", num=MAX_SKILLS),
    )


class VisitForm(Form):
    organisation = SelectField(
        _l("Bedrijf uit de lijst"), coerce=int, default=0, validators=[Optional()]
    )
    company_name = text_line(
        _l("Of typ de naam van het bedrijf"),
        200,
        optional=True,
        render_kw={"autocomplete": "organization"},
    )
    sector = RadioField(
        _l("Sector"),
        choices=choices(SECTOR_LABELS),
        validators=[InputRequired(message=_l("Kies een sector."))],
    )
    company_size = RadioField(
        _l("Grootte"),
        choices=choices(COMPANY_SIZE_LABELS),
        validators=[InputRequired(message=_l("Kies de grootte van het bedrijf."))],
    )
    # Left at 0, the region follows the company, else the visitor's community.
    region = SelectField(_l("Regio"), coerce=int, default=0)
    visited_on = DateField(
        _l("Datum van het bezoek"),
        default=date.today,
        validators=[Optional(), plausible_date, not_in_future],
    )
    skills_now = skills_field(_l("Welke vaardigheden zijn nu nodig?"))
    skills_later = skills_field(_l("Welke vaardigheden zijn over twee jaar nodig?"))
    time_to_learn = culture_field(
        _l("Krijgen medewerkers tijd om te leren tijdens het werk?")
    )
    learns_from_mistakes = culture_field(_l("Leert het bedrijf van fouten?"))
    shares_knowledge = culture_field(_l("Delen medewerkers hun kennis met elkaar?"))
    open_vacancies = IntegerField(
        _l("Open vacatures"),
        default=0,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_VACANCIES,
                message=_l("Vul een aantal tussen 0 en 999 in."),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    vacancy_note = text_line(
        _l("Welke vacatures? (kort)"),
        300,
        optional=True,
        render_kw={"placeholder": _l("Bijvoorbeeld: twee monteurs warmtepompen")},
    )
    submit = SubmitField(_l("Bezoek opslaan"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.organisation.errors or self.company_name.errors:
            return False

        chosen, typed = self.organisation.data, self.company_name.data
        if not chosen and not typed:
            self.company_name.errors = [
                _l("Kies een bedrijf uit de lijst of typ de naam.")
            ]
            return False
        if chosen and typed:
            self.company_name.errors = [
                _l("Kies een bedrijf uit de lijst óf typ een naam, niet allebei.")
            ]
            return False
        return valid


# The tables of the regional view, as named in the ?table= of their CSV download.
TABLE_CHOICES = [
    ("overview", _l("Overzicht per regio")),
    ("now", _l("Nu nodig")),
    ("later", _l("Over twee jaar nodig")),
    ("gap", _l("Vraag en aanbod")),
    ("sectors", _l("Per sector")),
    ("trend", _l("Per kwartaal")),
    ("regions", _l("Regio's vergeleken")),
]


def whole_number(value) -> int:
    return int(value) if value else 0


class RegionalFilterForm(Form):
    class Meta:
        csrf = False

    region = SelectField(_l("Regio"), coerce=whole_number, default=0)
    sector = SelectField(
        _l("Sector"),
        choices=[("", _l("Alle sectoren"))] + choices(SECTOR_LABELS),
        default="",
    )
    start = MonthField(_l("Vanaf maand"), validators=[Optional(), plausible_date])
    end = MonthField(_l("Tot en met maand"), validators=[Optional(), plausible_date])
    table = SelectField(_l("Tabel"), choices=[("", "")] + TABLE_CHOICES, default="")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.start.data, self.end.data
        if valid and start and end and end < start:
            self.end.errors = [_l("Kies een maand na de beginmaand.")]
            return False
        return valid

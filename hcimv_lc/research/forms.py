"""Forms for research consent and for pseudonymised research exports."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    RadioField,
    SelectField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from hcimv_lc.forms import Form, no_control_characters, plausible_date, strip
from hcimv_lc.research.service import MIN_KEY_LENGTH, Dataset, FileFormat

MAX_KEY_LENGTH = 200

DATASET_LABELS = {
    Dataset.ENTRIES: _l("Leeractiviteiten uit het logboek"),
    Dataset.ANSWERS: _l("Antwoorden op vragenlijsten"),
    Dataset.APPLICATIONS: _l("Toepassingen en evaluaties van tools"),
    Dataset.ALL: _l("Alles"),
}
FORMAT_LABELS = {
    FileFormat.CSV: _l("CSV (een ZIP met een bestand per onderdeel)"),
    FileFormat.XLSX: _l("Excel (XLSX, een tabblad per onderdeel)"),
}


class ConsentForm(Form):
    community = SelectField(_l("Leergemeenschap"), coerce=int)
    given = BooleanField(_l("Mijn gegevens mogen gebruikt worden voor onderzoek"))
    include_reflections = BooleanField(
        _l("Ook mijn reflecties"),
        description=_l("Telt alleen als je ook toestemming geeft voor je gegevens."),
    )
    submit = SubmitField(_l("Keuze opslaan"))


class ExportForm(Form):
    dataset = RadioField(
        _l("Wat wil je exporteren?"),
        choices=list(DATASET_LABELS.items()),
        default=Dataset.ALL,
        validators=[InputRequired(message=_l("Kies wat je wilt exporteren."))],
    )
    file_format = RadioField(
        _l("Bestandsvorm"),
        choices=list(FORMAT_LABELS.items()),
        default=FileFormat.CSV,
        validators=[InputRequired(message=_l("Kies CSV of Excel."))],
    )
    key = PasswordField(
        _l("Pseudoniemsleutel"),
        description=_l(
            "Minstens %(min)d tekens. Dezelfde sleutel geeft dezelfde pseudoniemen, "
            "zodat je exports kunt koppelen. Het platform bewaart de sleutel niet: "
            "bewaar hem zelf.",
            min=MIN_KEY_LENGTH,
        ),
        validators=[
            InputRequired(message=_l("Vul een pseudoniemsleutel in.")),
            Length(
                min=MIN_KEY_LENGTH,
                max=MAX_KEY_LENGTH,
                message=_l(
                    "De sleutel heeft %(min)d tot %(max)d tekens.",
                    min=MIN_KEY_LENGTH,
                    max=MAX_KEY_LENGTH,
                ),
            ),
            no_control_characters,
        ],
        filters=[strip],
        render_kw={"autocomplete": "off"},
    )
    start = DateField(_l("Vanaf (optioneel)"), validators=[Optional(), plausible_date])
    end = DateField(
        _l("Tot en met (optioneel)"), validators=[Optional(), plausible_date]
    )
    submit = SubmitField(_l("Export maken"))

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("De einddatum ligt voor de begindatum."))

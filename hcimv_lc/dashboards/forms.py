"""The filters of the dashboards; they arrive in the query string."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional, Regexp, ValidationError

from hcimv_lc.challenges.forms import CheckboxListField
from hcimv_lc.forms import Form, plausible_date


class DashboardFilterForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("Vanaf"), validators=[Optional(), plausible_date])
    end = DateField(_l("Tot en met"), validators=[Optional(), plausible_date])
    # A CSV download of one table: its name, as the page links it.
    table = StringField(validators=[Optional(), Regexp(r"^[a-z0-9-]{1,40}$")])

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("Kies een einddatum na de begindatum."))


class RegionFilterForm(DashboardFilterForm):
    theme = SelectField(_l("Thema"), default="", validators=[Optional()])
    regions = CheckboxListField(_l("Regio's"), coerce=int, validators=[Optional()])

"""Forms for skill claims and their evidence, reviews, share links and matching."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from hcimv_lc.challenges.forms import CheckboxListField
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
from hcimv_lc.skills.models import ClaimStatus, ClaimStep, Level

LEVEL_LABELS = {
    Level.AWARE: _l("1 · Ik weet wat het is"),
    Level.WITH_HELP: _l("2 · Ik kan het met hulp"),
    Level.INDEPENDENT: _l("3 · Ik kan het zelfstandig"),
    Level.TEACHES: _l("4 · Ik kan het anderen leren"),
}
STATUS_LABELS = {
    ClaimStatus.SUBMITTED: _l("Wacht op validatie"),
    ClaimStatus.MORE_ASKED: _l("Meer bewijs gevraagd"),
    ClaimStatus.VALIDATED: _l("Gevalideerd"),
    ClaimStatus.WITHDRAWN: _l("Ingetrokken"),
}
STEP_LABELS = {
    ClaimStep.SUBMITTED: _l("ingediend"),
    ClaimStep.EVIDENCE_ADDED: _l("bewijs toegevoegd"),
    ClaimStep.EVIDENCE_REMOVED: _l("bewijs verwijderd"),
    ClaimStep.MORE_ASKED: _l("meer bewijs gevraagd"),
    ClaimStep.RESUBMITTED: _l("opnieuw ingediend"),
    ClaimStep.VALIDATED: _l("gevalideerd"),
    ClaimStep.WITHDRAWN: _l("ingetrokken"),
    ClaimStep.BADGE_ISSUED: _l("badge uitgegeven"),
    ClaimStep.BADGE_REVOKED: _l("badge ingetrokken"),
}
LONGEST_SHARE = timedelta(days=366)


def level_field(label):
    return RadioField(
        label,
        coerce=int,
        choices=[(int(level), text) for level, text in LEVEL_LABELS.items()],
        validators=[InputRequired(message=_l("Kies een niveau."))],
    )


class EvidenceFields:
    """The kinds of evidence a claim can carry besides its narrative."""

    entries = CheckboxListField(
        _l("Leeractiviteiten uit je log"),
        coerce=int,
        description=_l("Alleen activiteiten die de facilitator mag zien."),
    )
    link_url = StringField(
        _l("Link naar je werk"),
        validators=[Optional(), max_length(500), web_address],
        filters=[strip],
        render_kw={"inputmode": "url", "placeholder": "https://"},
    )
    link_title = text_line(_l("Titel van de link"), 160, optional=True)
    file = FileField(
        _l("Foto of PDF"),
        description=_l("JPEG, PNG, WebP, HEIC of PDF, hoogstens 10 MB."),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/heic,.pdf"},
    )


class ClaimForm(Form, EvidenceFields):
    skill = SelectField(_l("Vaardigheid"), coerce=int)
    community = SelectField(
        _l("Leergemeenschap"),
        coerce=int,
        description=_l("Een facilitator van deze leergemeenschap valideert je claim."),
    )
    level = level_field(_l("Op welk niveau?"))
    narrative = markdown_text(
        _l("Wat heb je gedaan dat dit laat zien?"),
        5000,
        description=_l("Beschrijf een situatie op het werk. Markdown mag."),
    )
    submit = SubmitField(_l("Claim indienen"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        has_evidence = (
            (self.narrative.data or "").strip()
            or self.entries.data
            or self.link_url.data
            or self.file.data
        )
        if valid and not has_evidence:
            self.narrative.errors = [
                _l("Geef bewijs: een beschrijving, activiteit, link of bestand.")
            ]
            return False
        return valid


class EvidenceForm(Form, EvidenceFields):
    submit = SubmitField(_l("Bewijs toevoegen"))


class ResubmitForm(Form):
    comment = markdown_text(_l("Wat heb je toegevoegd?"), 2000)
    submit = SubmitField(_l("Opnieuw indienen"))


class ReviewForm(Form):
    decision = RadioField(
        _l("Besluit"),
        choices=[
            ("validate", _l("Valideren")),
            ("more", _l("Meer bewijs vragen")),
        ],
        validators=[InputRequired(message=_l("Kies valideren of meer bewijs vragen."))],
    )
    level = level_field(_l("Gevalideerd niveau"))
    comment = markdown_text(
        _l("Toelichting voor de deelnemer"),
        2000,
        description=_l("Verplicht als je meer bewijs vraagt."),
    )
    submit = SubmitField(_l("Opslaan"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.decision.data == "more" and not self.comment.data.strip():
            self.comment.errors = [_l("Schrijf welk bewijs nog ontbreekt.")]
            return False
        return valid


def future_date(form, field) -> None:
    if field.data and field.data <= date.today():
        raise ValidationError(_l("Kies een datum na vandaag."))
    if field.data and field.data > date.today() + LONGEST_SHARE:
        raise ValidationError(_l("Een link geldt hoogstens een jaar."))


class ShareLinkForm(Form):
    label = text_line(
        _l("Voor wie is de link?"),
        120,
        description=_l(
            "Alleen voor jezelf, bijvoorbeeld ‘Sollicitatie De Vries Installatie’."
        ),
    )
    expires_on = DateField(
        _l("Geldig tot en met"),
        validators=[
            InputRequired(message=_l("Kies een datum.")),
            plausible_date,
            future_date,
        ],
    )
    skills = CheckboxListField(
        _l("Welke gevalideerde vaardigheden toon je?"),
        coerce=int,
        # The service refuses any skill not validated, with a message that says so.
        validate_choice=False,
        validators=[InputRequired(message=_l("Kies minstens één vaardigheid."))],
    )
    submit = SubmitField(_l("Link maken"))


class RevokeForm(Form):
    reason = StringField(
        _l("Reden"),
        validators=[Optional(), max_length(200), no_control_characters],
        filters=[strip],
    )
    submit = SubmitField(_l("Intrekken"))


class MatchingForm(Form):
    findable = BooleanField(
        _l("Facilitators in mijn regio mogen mij vinden voor uitdagingen"),
        description=_l(
            "Zij zien dan je naam en je gevalideerde vaardigheden, niets anders."
        ),
    )
    goals = CheckboxListField(_l("Wat wil je leren?"), coerce=int)
    submit = SubmitField(_l("Opslaan"))


class CatalogueForm(Form):
    class Meta:
        csrf = False

    q = StringField(
        _l("Zoek een vaardigheid"),
        validators=[Optional(), max_length(100), no_control_characters],
        filters=[strip],
    )
    category = SelectField(_l("Categorie"), default="", validators=[Optional()])


class EscoImportForm(Form):
    file = FileField(
        _l("CSV-bestand van ESCO"),
        description=_l("Bijvoorbeeld skills_nl.csv uit de ESCO-download."),
        render_kw={"accept": ".csv,text/csv"},
    )
    language = RadioField(
        _l("Taal van het bestand"),
        choices=[("nl", _l("Nederlands")), ("en", _l("Engels"))],
        default="nl",
    )
    version = text_line(_l("ESCO-versie"), 20, render_kw={"placeholder": "1.2.0"})
    add_new = BooleanField(
        _l("Ook vaardigheden toevoegen die nog niet in de catalogus staan")
    )
    submit = SubmitField(_l("Importeren"))

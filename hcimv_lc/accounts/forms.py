"""Forms of the accounts area."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from hcimv_lc.accounts.service import PASSWORD_MAX_LENGTH, password_problem
from hcimv_lc.forms import Form, max_length, required, strip, text_line

LANGUAGE_CHOICES = [("nl", "Nederlands"), ("en", "English")]


def email_field(label=None) -> EmailField:
    return EmailField(
        label or _l("E-mailadres"),
        validators=[
            required(),
            max_length(254),
            Email(
                message=_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")
            ),
        ],
        filters=[strip],
        render_kw={"autocomplete": "email"},
    )


def acceptable_password(form, field) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def new_password_field(label=None) -> PasswordField:
    return PasswordField(
        label or _l("Wachtwoord"),
        validators=[required(), acceptable_password],
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field() -> PasswordField:
    return PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[
            required(),
            EqualTo("password", message=_l("De twee wachtwoorden zijn niet gelijk.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(Form):
    email = email_field()
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[
            required(),
            Length(max=PASSWORD_MAX_LENGTH, message=_l("Dit wachtwoord is te lang.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ingelogd blijven op dit apparaat"))
    submit = SubmitField(_l("Inloggen"))


class RegisterForm(Form):
    name = text_line(_l("Naam"), 120, render_kw={"autocomplete": "name"})
    email = email_field()
    password = new_password_field()
    confirm = confirm_field()
    submit = SubmitField(_l("Account maken"))


class ForgotPasswordForm(Form):
    email = email_field()
    submit = SubmitField(_l("Stuur een link"))


class ResetPasswordForm(Form):
    password = new_password_field(_l("Nieuw wachtwoord"))
    confirm = confirm_field()
    submit = SubmitField(_l("Wachtwoord opslaan"))


class PasswordChangeForm(Form):
    current = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[required(), max_length(PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("Nieuw wachtwoord"))
    confirm = confirm_field()
    submit = SubmitField(_l("Wachtwoord wijzigen"))


class ProfileForm(Form):
    name = text_line(_l("Naam"), 120, render_kw={"autocomplete": "name"})
    organisation = SelectField(_l("Organisatie"), coerce=int, validate_choice=True)
    locale = SelectField(_l("Taal"), choices=LANGUAGE_CHOICES)
    email_prompts = BooleanField(_l("Mail mij de vraag van de week en herinneringen"))
    email_feedback = BooleanField(_l("Mail mij als iemand reageert op mijn log"))
    submit = SubmitField(_l("Opslaan"))


class LanguageForm(Form):
    locale = SelectField(_l("Taal"), choices=LANGUAGE_CHOICES, validators=[required()])
    next = HiddenField()
    submit = SubmitField(_l("Taal kiezen"))


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Je wachtwoord"),
        validators=[required(), max_length(PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    posts = RadioField(
        _l("Wat gebeurt er met je berichten in discussies?"),
        choices=[
            ("delete", _l("Verwijderen")),
            ("keep", _l("Laten staan, als van een voormalig lid")),
        ],
        validators=[InputRequired(message=_l("Kies wat er met je berichten gebeurt."))],
    )
    submit = SubmitField(_l("Account definitief verwijderen"))

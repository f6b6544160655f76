"""Log-in, registration, password reset, profile and language."""

import logging
import secrets
from datetime import date
from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import bindparam, select

from hcimv_lc.accounts import personal_data, service, sessions
from hcimv_lc.accounts.forms import (
    DeleteAccountForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from hcimv_lc.accounts.models import User
from hcimv_lc.extensions import db, limiter, login_manager
from hcimv_lc.notifications.service import remember_unread, unread_count_of
from hcimv_lc.organisations.service import organisation_choices
from hcimv_lc.policy import authorize, remember_memberships, with_memberships
from hcimv_lc.web import json_response, render_page

logger = logging.getLogger(__name__)

bp = Blueprint("accounts", __name__)

LOGIN_LIMIT = "10 per 15 minutes"
# Session keys that survive the fresh session of a log-in: a log entry typed while
# the old session ended waits under this key (see logbook.views).
CARRIED_OVER_LOGIN = ("pending_entry",)


@cache
def session_person():
    """Return the statement of what every page asks about the signed-in person.

    One statement: the account, its memberships for the access policy and the count
    of unread notifications. It is built once, as building it costs more than
    running it.
    """
    query = select(User, unread_count_of(User.id))
    return with_memberships(query.where(User.id == bindparam("user_id")))


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Return the account of a session, or None when its token was replaced."""
    user_id, _sep, token = identity.partition(":")
    if not user_id.isdigit() or not token:
        return None

    rows = db.session.execute(session_person(), {"user_id": int(user_id)}).all()
    if not rows:
        return None
    user, unread = rows[0][0], rows[0][1]
    if not user.is_enabled or not secrets.compare_digest(user.session_token, token):
        return None

    memberships = [(row[2], row[3]) for row in rows if row[2] is not None]
    remember_memberships(user, memberships)
    remember_unread(user, unread)
    return user


def login_attempt_account() -> str:
    # The limiter runs before the view, so it reads the raw field to find the account.
    return "login:" + service.normalise_email(request.form.get("email", ""))[:254]


def login_failed(response) -> bool:
    return response.status_code != 303


def safe_next(target: str | None) -> str:
    """Return a local path to continue to after log-in, never another site."""
    if not target or "\\" in target:
        return url_for("core.home")

    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("core.home")

    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=login_failed)
@limiter.limit(
    LOGIN_LIMIT,
    methods=["POST"],
    key_func=login_attempt_account,
    deduct_when=login_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")), 303)

    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            carried = {
                key: session[key] for key in CARRIED_OVER_LOGIN if key in session
            }
            session.clear()
            session.update(carried)
            sessions.start(user, remember=form.remember.data)
            session["locale"] = user.locale
            # One commit for the log-in and what its listeners saved (a kept entry).
            db.session.commit()
            logger.info("User %s logged in", user.id)
            return redirect(safe_next(request.args.get("next")), 303)

        form.password.errors.append(
            _("Dit e-mailadres en wachtwoord horen niet bij elkaar.")
        )

    return render_page("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    user = db.session.get(User, current_user.id)
    service.end_sessions(user)
    db.session.commit()
    logout_user()
    session.clear()
    logger.info("User %s logged out", user.id)
    flash(_("Je bent uitgelogd."), "info")
    return redirect(url_for("core.home"), 303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"), 303)

    form = RegisterForm()
    if form.validate_on_submit():
        if service.email_taken(form.email.data):
            form.email.errors.append(
                _(
                    "Er is al een account met dit e-mailadres. "
                    "Log in of kies een nieuw wachtwoord."
                )
            )
        else:
            user = service.create_user(
                form.email.data,
                form.name.data,
                form.password.data,
                locale=session.get("locale", "nl"),
            )
            db.session.commit()
            sessions.start(user)
            flash(_("Welkom! Je account is klaar."), "success")
            return redirect(safe_next(request.args.get("next")), 303)

    return render_page("accounts/register.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.send_password_reset(form.email.data)
        flash(
            _("Als er een account met dit adres is, staat er een link in je mail."),
            "info",
        )
        return redirect(url_for("accounts.login"), 303)

    return render_page("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token:token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = service.user_from_reset_token(token)
    if user is None:
        return render_page("accounts/reset_expired.html"), 410

    form = ResetPasswordForm()
    if form.validate_on_submit():
        service.change_password(user, form.password.data)
        db.session.commit()
        flash(
            _("Je nieuwe wachtwoord is opgeslagen. Log in om verder te gaan."),
            "success",
        )
        return redirect(url_for("accounts.login"), 303)

    return render_page("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
def profile():
    authorize("account.use")

    user = db.session.get(User, current_user.id)
    form = ProfileForm(obj=user)
    form.organisation.choices = [(0, _("Geen organisatie"))] + organisation_choices()
    if request.method == "GET":
        form.organisation.data = user.organisation_id or 0

    if form.validate_on_submit():
        user.name = form.name.data
        user.organisation_id = form.organisation.data or None
        user.locale = form.locale.data
        user.email_prompts = form.email_prompts.data
        user.email_feedback = form.email_feedback.data
        session["locale"] = user.locale
        db.session.commit()
        logger.info("Profile of user %s updated", user.id)
        flash(_("Je profiel is opgeslagen."), "success")
        return redirect(url_for("accounts.profile"), 303)

    return render_page("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    authorize("account.use")

    user = db.session.get(User, current_user.id)
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if service.authenticate(user.email, form.current.data) is None:
            form.current.errors.append(_("Dit is niet je huidige wachtwoord."))
        else:
            service.change_password(user, form.password.data)
            db.session.commit()
            sessions.start(user)
            flash(
                _("Je wachtwoord is gewijzigd. Andere apparaten zijn uitgelogd."),
                "success",
            )
            return redirect(url_for("accounts.profile"), 303)

    return render_page("accounts/change_password.html", form=form)


@bp.get("/account/data.json")
def personal_data_download():
    authorize("account.use")

    user = db.session.get(User, current_user.id)
    document = personal_data.export(user)
    name = f"mijn-gegevens-{date.today().isoformat()}.json"
    response = json_response(document, download=name)
    response.headers["Cache-Control"] = "private, no-store"
    logger.info("Personal data of user %s downloaded", user.id)
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"], deduct_when=login_failed)
def delete_account():
    authorize("account.use")

    user = db.session.get(User, current_user.id)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not service.password_matches(user, form.password.data):
            form.password.errors.append(_("Dit is niet je wachtwoord."))
        else:
            try:
                stored_names = personal_data.erase(user, form.posts.data == "keep")
            except personal_data.ErasureRefused:
                # Nothing was written; the page below says what to do first.
                db.session.rollback()
            else:
                db.session.commit()
                personal_data.remove_files(stored_names)
                logout_user()
                session.clear()
                flash(_("Je account en al je gegevens zijn verwijderd."), "success")
                return redirect(url_for("core.home"), 303)

    blockers = personal_data.erasure_blockers(user)
    return render_page("accounts/delete_account.html", form=form, blockers=blockers)


@bp.post("/language")
def choose_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            db.session.get(User, current_user.id).locale = form.locale.data
            db.session.commit()

    return redirect(safe_next(form.next.data), 303)

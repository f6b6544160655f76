"""Account rules: registration, passwords, sessions and password resets."""

import hashlib
import logging
from functools import cache
from pathlib import Path

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func
from werkzeug.security import check_password_hash, generate_password_hash

from hcimv_lc.accounts.models import User, new_session_token
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.mail import send_mail

logger = logging.getLogger(__name__)

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of passwords too common to accept."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Return why a password is refused, or None when it is acceptable."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return _(
            "Kies een wachtwoord van minstens %(n)d tekens.", n=PASSWORD_MIN_LENGTH
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        return _(
            "Een wachtwoord mag hoogstens %(n)d tekens zijn.", n=PASSWORD_MAX_LENGTH
        )
    if password.strip().lower() in common_passwords():
        return _(
            "Dit wachtwoord komt te vaak voor en is makkelijk te raden. Kies een ander."
        )

    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def find_by_email(email: str) -> User | None:
    return db.session.scalar(
        db.select(User).where(User.email == normalise_email(email))
    )


def email_taken(email: str) -> bool:
    query = db.select(func.count()).where(User.email == normalise_email(email))
    return db.session.scalar(query.select_from(User)) > 0


def create_user(
    email: str, name: str, password: str, locale: str = "nl", is_admin: bool = False
) -> User:
    """Create an account; the caller has checked the email and the password."""
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        locale=locale,
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.flush()
    logger.info("User %s created%s", user.id, " as administrator" if is_admin else "")
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the enabled account with this email and password, or None."""
    user = find_by_email(email)
    if user is None:
        # Spend the same time as a real check, so timing does not reveal accounts.
        check_password_hash(dummy_hash(), password)
        return None

    stored_hash = user.password_hash
    # A hash check takes a quarter of a second. End the transaction first: on SQLite
    # a request that changes state holds the one write lock for as long as it lasts.
    db.session.commit()
    if not check_password_hash(stored_hash, password) or not user.is_enabled:
        logger.info("Failed log-in for user %s", user.id)
        return None

    user.last_login_at = utcnow()
    return user


def password_matches(user: User, password: str) -> bool:
    """Return whether the password is the account's, without counting a log-in."""
    return check_password_hash(user.password_hash, password)


@cache
def dummy_hash() -> str:
    return generate_password_hash("not a real password")


def end_sessions(user: User) -> None:
    """Replace the token in the identity, so every copied cookie stops working."""
    user.session_token = new_session_token()


def change_password(user: User, password: str) -> None:
    """Set a new password and end the account's other sessions."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    logger.info("Password changed for user %s", user.id)


def disable_user(user: User) -> None:
    """Disable the account; its sessions end at their next request."""
    user.is_enabled = False
    end_sessions(user)
    logger.info("User %s disabled", user.id)


def reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="password-reset"
    )


def password_fingerprint(user: User) -> str:
    # Part of the reset token: once the password changes, old links stop working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return reset_serializer().dumps({"user": user.id, "pw": password_fingerprint(user)})


def user_from_reset_token(token: str) -> User | None:
    """Return the account a valid, unexpired and unused reset token belongs to."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = reset_serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None

    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None

    user = db.session.get(User, data["user"])
    if (
        user is None
        or not user.is_enabled
        or data.get("pw") != password_fingerprint(user)
    ):
        return None

    return user


def send_password_reset(email: str) -> None:
    """Mail a reset link if an enabled account has this email; say nothing else."""
    user = find_by_email(email)
    if user is None or not user.is_enabled:
        return

    link = url_for(
        "accounts.reset_password", token=make_reset_token(user), _external=True
    )
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with force_locale(user.locale):
        subject = _("Nieuw wachtwoord kiezen")
        body = _(
            "Hallo %(name)s,\n\nKies een nieuw wachtwoord via deze link (%(minutes)d "
            "minuten geldig):\n\n%(link)s\n\nHeb je dit niet gevraagd? Dan kun je deze "
            "mail negeren.",
            name=user.name,
            minutes=minutes,
            link=link,
        )
    send_mail(user.email, subject, body)
    logger.info("Password reset requested for user %s", user.id)

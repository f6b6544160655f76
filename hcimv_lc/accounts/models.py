"""People with an account on the platform."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db
from hcimv_lc.organisations.models import Organisation

LOCALES = ("nl", "en")


def new_session_token() -> str:
    """Return a fresh random token that ties session cookies to this account."""
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person: participant, facilitator, researcher or administrator."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Secret part of the personal calendar feed's URL; the person can replace it.
    calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    email_prompts: Mapped[bool] = mapped_column(default=True)
    email_feedback: Mapped[bool] = mapped_column(default=True)
    # Whether facilitators may find the person for challenges that need their skills.
    findable: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.id}>"

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    def get_id(self) -> str:
        # The token in the cookie's identity lets us end every copy of a session.
        return f"{self.id}:{self.session_token}"

    @property
    def initials(self) -> str:
        parts = [part for part in self.name.split() if part[:1].isalpha()]
        if not parts:
            return "?"
        return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()

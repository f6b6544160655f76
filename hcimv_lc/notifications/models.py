"""In-app notifications: what someone should look at, and whether they did."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.accounts.models import User
from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db


class NotificationKind(StrEnum):
    FEEDBACK = "feedback"
    REPLY = "reply"
    REMINDER = "reminder"
    INVITATION = "invitation"
    SKILL_CLAIM = "skill_claim"


class Notification(db.Model):
    """A note for one person; it holds a title and a link, never personal text."""

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    def __repr__(self) -> str:
        return f"<Notification {self.id} for {self.user_id}>"

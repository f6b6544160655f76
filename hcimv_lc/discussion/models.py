"""A community's discussion: threads and their replies."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community
from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db
from hcimv_lc.sprints.models import Sprint


class Thread(db.Model):
    """A conversation in a community, optionally about a sprint or a challenge."""

    __table_args__ = (
        Index(
            "ix_thread_community_activity", "community_id", "pinned", "last_activity_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    sprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL")
    )
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenge.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    reply_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship()
    author: Mapped[User | None] = relationship()
    sprint: Mapped[Sprint | None] = relationship()
    challenge: Mapped[Challenge | None] = relationship()

    def __repr__(self) -> str:
        return f"<Thread {self.id} in community {self.community_id}>"


class Reply(db.Model):
    """A reply in a thread."""

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
    thread: Mapped[Thread] = relationship()

    def __repr__(self) -> str:
        return f"<Reply {self.id} in thread {self.thread_id}>"

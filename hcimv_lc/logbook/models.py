"""Log entries of learning activities, their reflections and the feedback on them."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community
from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db
from hcimv_lc.skills.models import Skill
from hcimv_lc.sprints.models import Sprint


class Kind(StrEnum):
    FORMAL = "formal"
    NON_FORMAL = "non_formal"
    INFORMAL = "informal"


class Subtype(StrEnum):
    ON_THE_JOB = "on_the_job"
    PEER = "peer"
    COURSE = "course"
    COACHING = "coaching"
    SELF_STUDY = "self_study"
    OTHER = "other"


class Visibility(StrEnum):
    PRIVATE = "private"
    FACILITATORS = "facilitators"
    COMMUNITY = "community"


log_entry_skill = Table(
    "log_entry_skill",
    db.metadata,
    Column(
        "entry_id", ForeignKey("log_entry.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("skill_id", ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True),
)


class LogEntry(db.Model):
    """What someone did and learned on a day, with an optional reflection."""

    __table_args__ = (
        Index("ix_log_entry_author_date", "author_id", "date"),
        Index("ix_log_entry_sprint_date", "sprint_id", "date"),
        Index("ix_log_entry_community_created", "community_id", "created_at"),
        # Dashboards sum a community's entries over a period of dates.
        Index("ix_log_entry_community_date", "community_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE")
    )
    sprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL")
    )
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenge.id", ondelete="SET NULL")
    )
    date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    subtype: Mapped[str] = mapped_column(String(12))
    what: Mapped[str] = mapped_column(String(200))
    reflection: Mapped[str] = mapped_column(Text, default="")
    reflection_html: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    community: Mapped[Community] = relationship()
    sprint: Mapped[Sprint | None] = relationship()
    challenge: Mapped[Challenge | None] = relationship()
    skills: Mapped[list[Skill]] = relationship(
        secondary=log_entry_skill, order_by=Skill.name_nl
    )

    def __repr__(self) -> str:
        return f"<LogEntry {self.id} by {self.author_id}>"

    @property
    def has_reflection(self) -> bool:
        return bool(self.reflection.strip())


class Comment(db.Model):
    """Feedback or a reply on a log entry."""

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("log_entry.id", ondelete="CASCADE"), index=True
    )
    # Empty once the author erased their account and kept their posts.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
    entry: Mapped[LogEntry] = relationship()

    def __repr__(self) -> str:
        return f"<Comment {self.id} on entry {self.entry_id}>"


class WeeklyPrompt(db.Model):
    """The reflection question a facilitator set for one week of a sprint."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprint.id", ondelete="CASCADE"))
    week: Mapped[int]
    text: Mapped[str] = mapped_column(String(500))

    __table_args__ = (
        Index("uq_weekly_prompt_sprint_week", "sprint_id", "week", unique=True),
    )

    def __repr__(self) -> str:
        return f"<WeeklyPrompt sprint {self.sprint_id} week {self.week}>"


class PendingEntry(db.Model):
    """A log entry posted after the session ended, saved once its author logs in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Whose session ended: only that person's next log-in may save it.
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PendingEntry {self.id}>"

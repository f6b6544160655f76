"""Sprints of 10 to 20 weeks, their meetings and the lesson written at the end."""

import secrets
import uuid
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.communities.models import Community
from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db

MIN_WEEKS = 10
MAX_WEEKS = 20


class SprintStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"


class LessonVisibility(StrEnum):
    SIGNED_IN = "signed_in"
    PUBLIC = "public"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class Sprint(db.Model):
    """A period of whole weeks in which a community works on its challenges."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    goal: Mapped[str] = mapped_column(Text, default="")
    goal_html: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=SprintStatus.DRAFT)
    # The meeting pattern last used for a series; copied when the sprint is a template.
    meeting_weekday: Mapped[int | None]
    meeting_interval: Mapped[int | None]
    meeting_start: Mapped[time | None] = mapped_column(Time)
    meeting_end: Mapped[time | None] = mapped_column(Time)
    meeting_place: Mapped[str | None] = mapped_column(String(200))
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    default_prompt: Mapped[str] = mapped_column(String(500), default="")
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL")
    )
    calendar_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_feed_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship()

    def __repr__(self) -> str:
        return f"<Sprint {self.id} of community {self.community_id}>"

    @property
    def end_date(self) -> date:
        """Return the last day of the sprint's last week."""
        return self.start_date + timedelta(weeks=self.weeks, days=-1)

    def week_of(self, day: date) -> int | None:
        """Return the sprint week (1-based) a day falls in, or None outside it."""
        if not self.start_date <= day <= self.end_date:
            return None
        return (day - self.start_date).days // 7 + 1

    def week_start(self, week: int) -> date:
        return self.start_date + timedelta(weeks=week - 1)


class Meeting(db.Model):
    """A session of a sprint at a place or online, in Europe/Amsterdam time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(
        ForeignKey("sprint.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: uuid.uuid4().hex
    )
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    agenda_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.PLANNED)
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sprint: Mapped[Sprint] = relationship()

    def __repr__(self) -> str:
        return f"<Meeting {self.id} of sprint {self.sprint_id} on {self.date}>"

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class Lesson(db.Model):
    """The retrospective of a closed sprint, published for other regions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(
        ForeignKey("sprint.id", ondelete="CASCADE"), unique=True
    )
    worked: Mapped[str] = mapped_column(Text)
    did_not_work: Mapped[str] = mapped_column(Text)
    advice: Mapped[str] = mapped_column(Text)
    worked_html: Mapped[str] = mapped_column(Text)
    did_not_work_html: Mapped[str] = mapped_column(Text)
    advice_html: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(
        String(10), default=LessonVisibility.SIGNED_IN
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sprint: Mapped[Sprint] = relationship()

    def __repr__(self) -> str:
        return f"<Lesson {self.id} of sprint {self.sprint_id}>"

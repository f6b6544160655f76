"""A weekly roll-up of the logbook, kept current on every write, for dashboards."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from hcimv_lc.extensions import db


class ActivityWeek(db.Model):
    """What one person logged in one community in one week (Monday to Sunday).

    The region and community dashboards read these rows instead of every log entry:
    a person logs a few times a week, so there are several times fewer of them,
    and they are narrow.
    """

    __table_args__ = (
        Index("ix_activity_week_community_week", "community_id", "week_start"),
    )

    author_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)
    reflections: Mapped[int] = mapped_column(default=0)
    minutes_formal: Mapped[int] = mapped_column(default=0)
    minutes_non_formal: Mapped[int] = mapped_column(default=0)
    minutes_informal: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return (
            f"<ActivityWeek {self.author_id} in {self.community_id} "
            f"from {self.week_start}>"
        )

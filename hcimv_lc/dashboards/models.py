"""A weekly roll-up of the logbook, kept current on every write, for dashboards."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String
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


class ActivityPerson(db.Model):
    """What one person logged in one community over all weeks.

    The sum of that pair's ActivityWeek rows: a region is recounted from these
    instead of every week, and a community's figures are read from them directly.
    """

    __table_args__ = (Index("ix_activity_person_community", "community_id"),)

    author_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), primary_key=True
    )
    entries: Mapped[int] = mapped_column(default=0)
    reflections: Mapped[int] = mapped_column(default=0)
    minutes_formal: Mapped[int] = mapped_column(default=0)
    minutes_non_formal: Mapped[int] = mapped_column(default=0)
    minutes_informal: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ActivityPerson {self.author_id} in {self.community_id}>"


# The theme of an ActivityRegion row that counts the communities of every theme.
ALL_THEMES = ""


class ActivityRegion(db.Model):
    """The people and minutes of a region's communities of one theme, over all weeks.

    Distinct people cannot be summed over communities (a person may be in two), so
    every change of a person's ActivityPerson row adds its difference here, and
    counts the person once per row: for one theme and for ALL_THEMES. A group
    without active people has no row.
    """

    region_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(20), primary_key=True)
    active: Mapped[int] = mapped_column(default=0)
    reflected: Mapped[int] = mapped_column(default=0)
    entries: Mapped[int] = mapped_column(default=0)
    minutes_formal: Mapped[int] = mapped_column(default=0)
    minutes_non_formal: Mapped[int] = mapped_column(default=0)
    minutes_informal: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ActivityRegion {self.region_id} {self.theme or 'all themes'}>"

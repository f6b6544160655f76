"""Keep ActivityWeek current: every flush that touches log entries refreshes them.

A listener on the session sees each log entry that is added, changed or deleted,
including where it was before a change, and recomputes the few weeks involved
from the entries themselves. Writes that bypass the ORM (bulk inserts of the
benchmark data) call `rebuild()` afterwards.
"""

import hashlib
import logging
from datetime import date, timedelta

from sqlalchemy import case, delete, event, func, insert, inspect, literal, select, text
from sqlalchemy.orm import Session

from hcimv_lc.dashboards.models import ActivityWeek
from hcimv_lc.logbook.models import Kind, LogEntry

logger = logging.getLogger(__name__)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def keys_of(entry: LogEntry) -> set[tuple[int, int, date]]:
    """Return the (author, community, week) the entry counts in, now and before."""
    state = inspect(entry)
    authors = {entry.author_id} | set(state.attrs.author_id.history.deleted or ())
    communities = {entry.community_id} | set(
        state.attrs.community_id.history.deleted or ()
    )
    days = {entry.date} | set(state.attrs.date.history.deleted or ())
    return {
        (author, community, monday(day))
        for author in authors
        for community in communities
        for day in days
        if author is not None and community is not None and day is not None
    }


def minutes(kind: str):
    return func.coalesce(
        func.sum(case((LogEntry.kind == kind, LogEntry.minutes), else_=0)), 0
    )


def lock_key(author_id: int, community_id: int, week_start: date) -> int:
    digest = hashlib.sha256(f"{author_id}:{community_id}:{week_start}".encode())
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def refresh(connection, keys: set[tuple[int, int, date]]) -> None:
    """Recompute the roll-up rows of these keys from the log entries.

    On PostgreSQL two writers of the same week would both delete and insert its
    row; a lock per key, held until commit, makes the second wait and then count
    the first one's entry too. SQLite writes one transaction at a time already.
    """
    postgresql = connection.dialect.name == "postgresql"
    for author_id, community_id, week_start in sorted(keys):
        if postgresql:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": lock_key(author_id, community_id, week_start)},
            )
        connection.execute(
            delete(ActivityWeek).where(
                ActivityWeek.author_id == author_id,
                ActivityWeek.community_id == community_id,
                ActivityWeek.week_start == week_start,
            )
        )
        totals = (
            select(
                literal(author_id),
                literal(community_id),
                literal(week_start),
                func.count(LogEntry.id),
                func.coalesce(
                    func.sum(case((LogEntry.reflection != "", 1), else_=0)), 0
                ),
                minutes(Kind.FORMAL),
                minutes(Kind.NON_FORMAL),
                minutes(Kind.INFORMAL),
            )
            .where(
                LogEntry.author_id == author_id,
                LogEntry.community_id == community_id,
                LogEntry.date >= week_start,
                LogEntry.date < week_start + timedelta(days=7),
            )
            .having(func.count(LogEntry.id) > 0)
        )
        connection.execute(
            insert(ActivityWeek).from_select(
                [
                    "author_id",
                    "community_id",
                    "week_start",
                    "entries",
                    "reflections",
                    "minutes_formal",
                    "minutes_non_formal",
                    "minutes_informal",
                ],
                totals,
            )
        )


def apply(session: Session, _context) -> None:
    """Refresh the weeks of the entries this flush wrote.

    After the flush the foreign keys are filled in, while the attributes still
    remember their values from before it.
    """
    keys = set()
    for entry in (*session.new, *session.dirty, *session.deleted):
        if isinstance(entry, LogEntry):
            keys |= keys_of(entry)
    if keys:
        refresh(session.connection(), keys)


def install() -> None:
    """Listen to every session; safe to call more than once."""
    if not event.contains(Session, "after_flush", apply):
        event.listen(Session, "after_flush", apply)


WEEK_START = {
    "sqlite": "date(date, '-' || ((CAST(strftime('%w', date) AS INTEGER) + 6) % 7) "
    "|| ' days')",
    "postgresql": "CAST(date_trunc('week', date) AS DATE)",
}


def rebuild(connection) -> int:
    """Recompute the whole roll-up from the log entries, after a bulk load."""
    week = WEEK_START[connection.dialect.name]
    connection.execute(delete(ActivityWeek))
    connection.execute(
        text(
            "INSERT INTO activity_week (author_id, community_id, week_start, entries, "
            "reflections, minutes_formal, minutes_non_formal, minutes_informal) "
            f"SELECT author_id, community_id, {week}, count(*), "
            "sum(CASE WHEN reflection <> '' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN kind = 'formal' THEN minutes ELSE 0 END), "
            "sum(CASE WHEN kind = 'non_formal' THEN minutes ELSE 0 END), "
            "sum(CASE WHEN kind = 'informal' THEN minutes ELSE 0 END) "
            f"FROM log_entry GROUP BY author_id, community_id, {week}"
        )
    )
    rows = connection.execute(select(func.count()).select_from(ActivityWeek)).scalar()
    logger.info("Activity roll-up rebuilt: %s rows", rows)
    return rows

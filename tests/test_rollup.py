"""The weekly roll-up that the dashboards read stays equal to the log entries."""

from datetime import timedelta

from sqlalchemy import select

from hcimv_lc.dashboards import rollup
from hcimv_lc.dashboards.models import ActivityWeek
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry


def snapshot(app):
    """Return the roll-up rows as the app kept them."""
    with app.app_context():
        return snapshot_in_session()


def rebuilt(app):
    """Return the roll-up rows recomputed from scratch, leaving the table as it was."""
    with app.app_context():
        rollup.rebuild(db.session.connection())
        rows = snapshot_in_session()
        db.session.rollback()
        return rows


def snapshot_in_session():
    return sorted(
        (
            row.author_id,
            row.community_id,
            row.week_start,
            row.entries,
            row.reflections,
            row.minutes_formal,
            row.minutes_non_formal,
            row.minutes_informal,
        )
        for row in db.session.scalars(select(ActivityWeek))
    )


def test_roll_up_follows_entries_logged_moved_and_deleted(app, as_persona, world):
    client = as_persona("participant")
    client.post("/log", data={"what": "Nieuw", "quick_minutes": "60", "kind": "formal"})
    assert snapshot(app) == rebuilt(app)

    with app.app_context():
        entry = db.session.get(LogEntry, world.ids["community_entry"])
        entry.date = entry.date - timedelta(weeks=3)
        entry.kind = "informal"
        entry.reflection = "Nu met reflectie"
        db.session.commit()
    assert snapshot(app) == rebuilt(app)

    with app.app_context():
        db.session.delete(db.session.get(LogEntry, world.ids["facilitators_entry"]))
        db.session.commit()
    assert snapshot(app) == rebuilt(app)
    assert snapshot(app), "the world's entries are rolled up"


def test_roll_up_counts_a_week_from_monday_to_sunday(app, world):
    with app.app_context():
        entry = db.session.get(LogEntry, world.ids["community_entry"])
        rows = db.session.scalars(
            select(ActivityWeek).where(ActivityWeek.author_id == entry.author_id)
        ).all()

    assert rows
    assert all(row.week_start.weekday() == 0 for row in rows)

"""The weekly roll-up that the dashboards read stays equal to the log entries."""

from datetime import timedelta

import pytest
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
    logged = client.post(
        "/log/new", data={"what": "Nieuw", "quick_minutes": "60", "kind": "formal"}
    )
    assert logged.status_code == 303
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


def test_two_writers_of_the_same_week_both_count(app, world):
    """Two devices log at once for one person and week: both entries count.

    Only PostgreSQL lets the two transactions overlap; SQLite takes its write lock
    at the start of each one.
    """
    import threading
    import time

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite runs one writing transaction at a time")

    with app.app_context():
        template = db.session.get(LogEntry, world.ids["community_entry"])
        fields = {
            "author_id": template.author_id,
            "community_id": template.community_id,
            "date": template.date,
            "minutes": 15,
            "kind": "informal",
            "subtype": "peer",
            "what": "Tegelijk",
            "visibility": "community",
        }
    first_flushed = threading.Event()
    errors = []

    def write(first: bool):
        try:
            with app.app_context():
                if not first:
                    first_flushed.wait(timeout=5)
                db.session.add(LogEntry(**fields))
                db.session.flush()
                if first:
                    first_flushed.set()
                    # Keep the transaction open while the other one writes.
                    time.sleep(0.5)
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - any failure fails the test
            errors.append(repr(error))

    threads = [threading.Thread(target=write, args=(n == 0,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert snapshot(app) == rebuilt(app)


def test_rebuild_command_recomputes_the_roll_up(app, world):
    with app.app_context():
        db.session.execute(ActivityWeek.__table__.delete())
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["rebuild-rollup"])

    assert result.exit_code == 0, result.output
    assert "Roll-up rebuilt" in result.output
    assert snapshot(app) == rebuilt(app) != []

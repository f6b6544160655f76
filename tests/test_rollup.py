"""The roll-ups that the dashboards read stay equal to the log entries."""

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hcimv_lc.communities.models import Community
from hcimv_lc.dashboards import rollup
from hcimv_lc.dashboards.models import (
    ALL_THEMES,
    ActivityPerson,
    ActivityRegion,
    ActivityWeek,
)
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from tests.conftest import TEST_PASSWORD


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
    return {
        model.__name__: sorted(
            tuple(getattr(row, column.key) for column in model.__table__.columns)
            for row in db.session.scalars(select(model))
        )
        for model in (ActivityWeek, ActivityPerson, ActivityRegion)
    }


def region_row(app, region_id, theme=ALL_THEMES):
    with app.app_context():
        row = db.session.get(ActivityRegion, (region_id, theme))
        return row and (row.active, row.entries)


def people_counted(app, region_id, theme=ALL_THEMES):
    """Return the active and reflecting people of a group, (0, 0) without a row."""
    with app.app_context():
        row = db.session.get(ActivityRegion, (region_id, theme))
        return (row.active, row.reflected) if row else (0, 0)


def figures(app, region_id, theme=ALL_THEMES):
    """Return the active people, reflecting people and entries of a group."""
    with app.app_context():
        row = db.session.get(ActivityRegion, (region_id, theme))
        return (row.active, row.reflected, row.entries) if row else (0, 0, 0)


def community_id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Community.id).filter_by(slug=slug))


def log(app, author_id, community, reflection=""):
    """Save a log entry of 30 minutes and return its id."""
    with app.app_context():
        entry = LogEntry(
            author_id=author_id,
            community_id=community,
            date=date.today(),
            minutes=30,
            kind="informal",
            subtype="peer",
            what="Samen ingeregeld",
            reflection=reflection,
            visibility="community",
        )
        db.session.add(entry)
        db.session.commit()
        return entry.id


def change_entry(app, entry_id, **fields):
    with app.app_context():
        entry = db.session.get(LogEntry, entry_id)
        for name, value in fields.items():
            setattr(entry, name, value)
        db.session.commit()


def delete_entry(app, entry_id):
    with app.app_context():
        db.session.delete(db.session.get(LogEntry, entry_id))
        db.session.commit()


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
    assert all(snapshot(app).values()), "the world's entries are rolled up"


def test_roll_up_counts_a_week_from_monday_to_sunday(app, world):
    with app.app_context():
        entry = db.session.get(LogEntry, world.ids["community_entry"])
        rows = db.session.scalars(
            select(ActivityWeek).where(ActivityWeek.author_id == entry.author_id)
        ).all()

    assert rows
    assert all(row.week_start.weekday() == 0 for row in rows)


def write_at_once(app, first_fields, second_fields):
    """Save two log entries in overlapping transactions; return their errors.

    The first transaction flushes and stays open for half a second while the
    second one flushes and commits. Only PostgreSQL lets the two overlap; SQLite
    takes its write lock at the start of each one.
    """
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite runs one writing transaction at a time")

    first_flushed = threading.Event()
    errors = []

    def write(fields, first: bool):
        try:
            with app.app_context():
                if not first:
                    first_flushed.wait(timeout=5)
                db.session.add(LogEntry(**fields))
                db.session.flush()
                if first:
                    first_flushed.set()
                    time.sleep(0.5)
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - any failure fails the test
            errors.append(repr(error))

    threads = [
        threading.Thread(target=write, args=(first_fields, True)),
        threading.Thread(target=write, args=(second_fields, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def entry_fields(author_id, community):
    return {
        "author_id": author_id,
        "community_id": community,
        "date": date.today(),
        "minutes": 15,
        "kind": "informal",
        "subtype": "peer",
        "what": "Tegelijk",
        "visibility": "community",
    }


def test_two_writers_of_the_same_week_both_count(app, world):
    """Two devices log at once for one person and week: both entries count."""
    with app.app_context():
        template = db.session.get(LogEntry, world.ids["community_entry"])
        fields = entry_fields(template.author_id, template.community_id)
        fields["date"] = template.date

    errors = write_at_once(app, fields, fields)

    assert errors == []
    assert snapshot(app) == rebuilt(app)


def test_one_person_writing_in_two_communities_at_once_counts_once(
    app, world, make_user
):
    """Neither transaction may miss the other's row when it decides who is new."""
    newcomer = make_user("tegelijk@example.org")
    twente = world.region_ids["twente"]
    before = people_counted(app, twente)

    errors = write_at_once(
        app,
        entry_fields(newcomer.id, community_id(app, world.open)),
        entry_fields(newcomer.id, community_id(app, world.closed)),
    )

    assert errors == []
    assert people_counted(app, twente)[0] == before[0] + 1
    assert snapshot(app) == rebuilt(app)


def test_two_people_of_one_region_writing_at_once_both_count(app, world, make_user):
    first = make_user("eerste@example.org")
    second = make_user("tweede@example.org")
    twente = world.region_ids["twente"]
    before = region_row(app, twente)

    errors = write_at_once(
        app,
        entry_fields(first.id, community_id(app, world.open)),
        entry_fields(second.id, community_id(app, world.closed)),
    )

    assert errors == []
    assert region_row(app, twente) == (before[0] + 2, before[1] + 2)
    assert snapshot(app) == rebuilt(app)


def test_rebuild_command_recomputes_the_roll_up(app, world):
    with app.app_context():
        db.session.execute(ActivityWeek.__table__.delete())
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["rebuild-rollup"])

    assert result.exit_code == 0, result.output
    assert "Roll-up rebuilt" in result.output
    assert snapshot(app) == rebuilt(app)
    assert all(snapshot(app).values())


def test_a_person_in_two_communities_of_a_region_counts_once(app, world):
    before = region_row(app, world.region_ids["twente"])
    with app.app_context():
        entry = db.session.get(LogEntry, world.ids["community_entry"])
        open_community = db.session.scalar(
            select(Community.id).filter_by(slug=world.open)
        )
        db.session.add(
            LogEntry(
                author_id=entry.author_id,
                community_id=open_community,
                date=entry.date,
                minutes=30,
                kind="formal",
                subtype="course",
                what="Ook in de open kring",
                visibility="community",
            )
        )
        db.session.commit()

    active, entries = region_row(app, world.region_ids["twente"])
    assert (active, entries) == (before[0], before[1] + 1)
    assert snapshot(app) == rebuilt(app)


def test_region_counts_follow_a_community_to_another_region_and_theme(app, world):
    with app.app_context():
        community = db.session.scalar(select(Community).filter_by(slug=world.closed))
        community.region_id = world.region_ids["groningen"]
        community.theme = "skills"
        db.session.commit()

    assert region_row(app, world.region_ids["groningen"], "skills") is not None
    assert region_row(app, world.region_ids["twente"], "skills") is None
    assert snapshot(app) == rebuilt(app)


def test_an_erased_person_leaves_the_region_counts(app, as_persona, world):
    twente = world.region_ids["twente"]
    before = region_row(app, twente)

    erased = as_persona("participant").post(
        "/account/delete", data={"password": TEST_PASSWORD, "posts": "delete"}
    )

    assert erased.status_code == 303
    after = region_row(app, twente)
    assert after is None or after[0] == before[0] - 1
    assert snapshot(app) == rebuilt(app)


def test_a_person_counts_in_a_region_until_both_communities_lose_their_entries(
    app, world, make_user
):
    newcomer = make_user("twee-kringen@example.org")
    twente = world.region_ids["twente"]
    before = people_counted(app, twente)

    in_open = log(app, newcomer.id, community_id(app, world.open))
    in_closed = log(app, newcomer.id, community_id(app, world.closed))
    both = people_counted(app, twente)
    delete_entry(app, in_open)
    one = people_counted(app, twente)
    delete_entry(app, in_closed)

    assert both[0] == before[0] + 1
    assert one[0] == before[0] + 1
    assert people_counted(app, twente) == before
    assert snapshot(app) == rebuilt(app)


def test_a_person_stops_reflecting_only_when_no_entry_of_the_region_reflects(
    app, world, make_user
):
    newcomer = make_user("reflecteert@example.org")
    twente = world.region_ids["twente"]
    before = people_counted(app, twente)

    in_closed = log(app, newcomer.id, community_id(app, world.closed))
    silent = people_counted(app, twente)
    change_entry(app, in_closed, reflection="Eerst meten, dan regelen")
    reflecting = people_counted(app, twente)
    in_open = log(app, newcomer.id, community_id(app, world.open), "Ook hier")
    change_entry(app, in_closed, reflection="")
    still = people_counted(app, twente)
    delete_entry(app, in_open)

    assert silent == (before[0] + 1, before[1])
    assert reflecting == (before[0] + 1, before[1] + 1)
    assert still == (before[0] + 1, before[1] + 1)
    assert people_counted(app, twente) == (before[0] + 1, before[1])
    assert snapshot(app) == rebuilt(app)


def test_an_entry_moved_to_another_region_and_theme_moves_its_counts(
    app, world, make_user
):
    with app.app_context():
        other = db.session.scalar(select(Community).filter_by(slug=world.other))
        other.theme = "skills"
        db.session.commit()
    newcomer = make_user("verhuist@example.org")
    twente, groningen = world.region_ids["twente"], world.region_ids["groningen"]
    entry_id = log(app, newcomer.id, community_id(app, world.open), "Geleerd")
    groups = [(twente, ALL_THEMES), (twente, "companies")]
    groups += [(groningen, ALL_THEMES), (groningen, "skills")]
    before = {group: figures(app, *group) for group in groups}

    change_entry(app, entry_id, community_id=community_id(app, world.other))

    after = {group: figures(app, *group) for group in groups}
    for group in groups:
        step = 1 if group[0] == groningen else -1
        assert after[group] == tuple(value + step for value in before[group])
    assert snapshot(app) == rebuilt(app)


def test_a_group_without_activity_left_has_no_row(app, world, make_user):
    with app.app_context():
        other = db.session.scalar(select(Community).filter_by(slug=world.other))
        other.theme = "skills"
        db.session.commit()
    groningen = world.region_ids["groningen"]
    newcomer = make_user("eenmalig@example.org")
    entry_id = log(app, newcomer.id, community_id(app, world.other))
    logged = region_row(app, groningen, "skills")

    delete_entry(app, entry_id)

    assert logged == (1, 1)
    assert region_row(app, groningen, "skills") is None
    assert snapshot(app) == rebuilt(app)

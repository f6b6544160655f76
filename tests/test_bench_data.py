"""Synthetic benchmark data: the sizes asked for, the same for one seed, usable."""

from sqlalchemy import func, select

from hcimv_lc import bench_data
from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community
from hcimv_lc.dashboards import rollup
from hcimv_lc.dashboards.models import ActivityWeek
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.seed import DEMO_PASSWORD
from hcimv_lc.sprints.models import Sprint
from hcimv_lc.toolbox.models import Application, Tool
from tests.conftest import empty_database, login


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def fingerprint() -> list:
    rows = db.session.execute(
        select(LogEntry.author_id, LogEntry.date, LogEntry.minutes, LogEntry.kind)
        .order_by(LogEntry.id)
        .limit(200)
    )
    return [tuple(row) for row in rows]


def test_bench_data_has_the_reference_sizes_times_the_scale(app):
    with app.app_context():
        counts = bench_data.load(0.1, seed=7)
        db.session.commit()

        assert counts == bench_data.counts_at(0.1)
        assert (
            count(Community),
            count(User),
            count(Sprint),
            count(LogEntry),
            count(Tool),
            count(Application),
        ) == (2, 50, 4, 1000, 100, 200)


def test_the_same_seed_gives_the_same_data(app):
    with app.app_context():
        bench_data.load(0.05, seed=3)
        db.session.commit()
        first = fingerprint()
    empty_database(app)

    with app.app_context():
        bench_data.load(0.05, seed=3)
        db.session.commit()
        assert fingerprint() == first


def test_bench_data_is_usable_by_the_app(app, client):
    with app.app_context():
        bench_data.load(0.05, seed=1)
        db.session.commit()
        rows = sorted(
            (row.author_id, row.community_id, row.week_start, row.entries)
            for row in db.session.scalars(select(ActivityWeek))
        )
        rollup.rebuild(db.session.connection())
        again = sorted(
            (row.author_id, row.community_id, row.week_start, row.entries)
            for row in db.session.scalars(select(ActivityWeek))
        )
        db.session.rollback()

    assert rows == again != []
    login(client, bench_data.PERSONAS["facilitator"], DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    found = client.get("/toolbox?q=warmtepomp").get_data(as_text=True)
    assert "bench-tool-" in found
    # New rows after the bulk load get ids of their own, on PostgreSQL too.
    logged = client.post(
        "/log/new",
        data={"what": "Na de bulk", "quick_minutes": "30", "kind": "informal"},
    )
    assert logged.status_code == 303
    with app.app_context():
        assert db.session.scalar(
            select(func.count()).where(LogEntry.what == "Na de bulk")
        )


def test_bench_data_refuses_a_database_with_people(app, world):
    result = app.test_cli_runner().invoke(args=["bench-data", "--scale", "0.01"])

    assert result.exit_code == 1
    assert "empty database" in result.output

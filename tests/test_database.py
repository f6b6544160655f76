"""The schema comes from the migrations, and SQLite is set up for concurrent writers."""

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from hcimv_lc.database import configure_engine, include_in_migrations
from hcimv_lc.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": include_in_migrations},
        )
        differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        journal = db.session.execute(text("PRAGMA journal_mode")).scalar()
        foreign_keys = db.session.execute(text("PRAGMA foreign_keys")).scalar()
        timeout = db.session.execute(text("PRAGMA busy_timeout")).scalar()

    assert (journal, foreign_keys) == ("wal", 1)
    assert timeout >= 5000


def test_concurrent_read_then_write_transactions_do_not_lock(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'locks.sqlite'}")
    configure_engine(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    errors = []

    def bump():
        for _ in range(25):
            try:
                with engine.begin() as connection:
                    n = connection.execute(text("SELECT n FROM counter")).scalar()
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            except Exception as error:  # noqa: BLE001 - the test counts every failure
                errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with engine.connect() as connection:
        total = connection.execute(
            select(text("n")).select_from(text("counter"))
        ).scalar()
    assert errors == []
    assert total == 8 * 25

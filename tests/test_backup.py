"""The backup and restore commands, on SQLite and PostgreSQL."""

import logging
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from hcimv_lc import create_app
from hcimv_lc.backup import backup_sqlite, libpq
from hcimv_lc.communities.models import Community
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from tests.conftest import empty_database

FIRST_MIGRATION = "84011e83a3a3"
UNKNOWN_MIGRATION = "ffffffffffff"


def engine_of(app) -> str:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def entry_texts(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(LogEntry.what)))


def community_names(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Community.name)))


def execute(app, sql: str, **values) -> None:
    with app.app_context():
        db.session.execute(text(sql), values)
        db.session.commit()


def change_the_data(app) -> None:
    """Delete a log entry, rename a community and add one, as a bad day would."""
    with app.app_context():
        db.session.delete(db.session.scalars(select(LogEntry)).first())
        community = db.session.scalar(
            select(Community).where(Community.slug == "installateurs")
        )
        community.name = "Hernoemd"
        db.session.add(
            Community(
                slug="na-de-backup",
                name="Na de backup",
                theme="companies",
                region_id=community.region_id,
                is_open=True,
            )
        )
        db.session.commit()


@pytest.fixture
def backup_file(app, world, tmp_path) -> Path:
    """A backup of the world, taken with the command."""
    path = tmp_path / ("world.sqlite" if engine_of(app) == "sqlite" else "world.dump")
    result = run(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def head_migration(app):
    """Put the live database back at the code's migration after the test."""
    with app.app_context():
        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    yield head

    execute(app, "UPDATE alembic_version SET version_num = :head", head=head)


def backup_at_migration(app, path: Path, revision: str, head: str) -> Path:
    """Take a backup that claims another migration than the code's."""
    execute(
        app, "UPDATE alembic_version SET version_num = :revision", revision=revision
    )
    result = run(app, "backup", str(path))
    execute(app, "UPDATE alembic_version SET version_num = :head", head=head)
    assert result.exit_code == 0, result.output
    return path


def test_backup_reports_the_file_and_its_size(app, world, tmp_path):
    path = tmp_path / "backup"

    result = run(app, "backup", str(path))

    assert result.exit_code == 0, result.output
    assert str(path) in result.output
    assert f"{path.stat().st_size:,} bytes" in result.output
    assert path.stat().st_size > 10_000


def test_restore_brings_back_the_rows_as_they_were_at_the_backup(app, backup_file):
    entries, names = entry_texts(app), community_names(app)
    change_the_data(app)

    result = run(app, "restore", "--force", str(backup_file))

    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    assert entry_texts(app) == entries
    assert community_names(app) == names
    assert "Hernoemd" not in community_names(app)


def test_a_postgresql_restore_analyses_the_tables_it_wrote(app, backup_file):
    if engine_of(app) != "postgresql":
        pytest.skip("SQLite's file carries its statistics along")
    change_the_data(app)

    result = run(app, "restore", "--force", str(backup_file))

    # Only ANALYZE fills pg_stats; the bulk load of a restore leaves it empty.
    with app.app_context():
        columns = db.session.scalar(
            text("SELECT count(*) FROM pg_stats WHERE tablename = 'log_entry'")
        )
    assert result.exit_code == 0, result.output
    assert columns > 0


def test_restore_into_an_empty_database_needs_no_force(app, backup_file):
    entries = entry_texts(app)
    empty_database(app)

    result = run(app, "restore", str(backup_file))

    assert result.exit_code == 0, result.output
    assert entry_texts(app) == entries


def test_restore_on_a_new_server_creates_the_sqlite_file(app, backup_file, tmp_path):
    if engine_of(app) != "sqlite":
        pytest.skip("a PostgreSQL database is created by its administrator")
    entries = entry_texts(app)
    new_server = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}"}
    )

    result = run(new_server, "restore", str(backup_file))

    assert result.exit_code == 0, result.output
    assert entry_texts(new_server) == entries
    with new_server.app_context():
        db.engine.dispose()


def test_backup_refuses_to_write_over_the_live_database(app, world):
    if engine_of(app) != "sqlite":
        pytest.skip("a PostgreSQL backup is always a separate file")
    live = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    entries = entry_texts(app)

    result = run(app, "backup", "--force", live)

    assert result.exit_code == 1
    assert "is the live database itself" in result.output
    assert entry_texts(app) == entries


def test_restore_refuses_a_database_that_holds_data_without_force(app, backup_file):
    change_the_data(app)
    changed = community_names(app)

    result = run(app, "restore", str(backup_file))

    assert result.exit_code == 1
    assert "holds data already" in result.output
    assert "--force" in result.output
    assert community_names(app) == changed


def test_backup_does_not_overwrite_a_file_without_force(app, world, tmp_path):
    path = tmp_path / "existing"
    path.write_text("keep me")

    refused = run(app, "backup", str(path))
    kept = path.read_text()
    forced = run(app, "backup", "--force", str(path))

    assert refused.exit_code == 1
    assert "exists already" in refused.output
    assert kept == "keep me"
    assert forced.exit_code == 0, forced.output
    assert path.read_bytes()[:5] in (b"SQLit", b"PGDMP")


def test_backup_into_a_missing_folder_is_refused(app, tmp_path):
    result = run(app, "backup", str(tmp_path / "nowhere" / "backup"))

    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_restore_of_a_missing_file_says_so(app, world, tmp_path):
    result = run(app, "restore", str(tmp_path / "missing.sqlite"))

    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_restore_of_a_file_that_is_no_backup_says_so(app, world, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Boodschappen: melk, brood\n")
    entries = entry_texts(app)

    result = run(app, "restore", "--force", str(path))

    assert result.exit_code == 1
    assert "is not a backup" in result.output
    assert entry_texts(app) == entries


def test_restore_of_a_backup_of_the_other_engine_is_refused(app, world, tmp_path):
    path = tmp_path / "other-engine"
    if engine_of(app) == "sqlite":
        # The first bytes of a pg_dump archive; the command judges by them.
        path.write_bytes(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01" + b"\x00" * 64)
        other = "PostgreSQL"
    else:
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        other = "SQLite"
    entries = entry_texts(app)

    result = run(app, "restore", "--force", str(path))

    assert result.exit_code == 1
    assert f"is a backup of a {other} database" in result.output
    assert entry_texts(app) == entries


def test_restore_of_a_database_of_another_app_is_refused(app, world, tmp_path):
    path = tmp_path / "other-app"
    if engine_of(app) == "sqlite":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE recipe (name TEXT)")
    else:
        url, environment = libpq(make_url(app.config["SQLALCHEMY_DATABASE_URI"]))
        subprocess.run(
            ["pg_dump", "--format=custom", "--exclude-table=alembic_version"]
            + [f"--file={path}", url],
            env=environment,
            check=True,
        )
    entries = entry_texts(app)

    result = run(app, "restore", "--force", str(path))

    assert result.exit_code == 1
    assert "not a backup of this app" in result.output
    assert entry_texts(app) == entries


def test_restore_of_a_damaged_backup_leaves_the_data_in_place(app, backup_file):
    backup_file.write_bytes(backup_file.read_bytes()[: backup_file.stat().st_size // 2])
    change_the_data(app)
    changed = entry_texts(app), community_names(app)

    result = run(app, "restore", "--force", str(backup_file))

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (entry_texts(app), community_names(app)) == changed


def test_restore_refuses_a_backup_made_by_newer_code(
    app, world, tmp_path, head_migration
):
    path = backup_at_migration(
        app, tmp_path / "newer", UNKNOWN_MIGRATION, head_migration
    )
    change_the_data(app)
    changed = entry_texts(app)

    result = run(app, "restore", "--force", str(path))

    assert result.exit_code == 1
    assert "made by newer code" in result.output
    assert UNKNOWN_MIGRATION in result.output
    assert entry_texts(app) == changed


def test_restore_of_an_older_backup_asks_to_upgrade(
    app, world, tmp_path, head_migration
):
    path = backup_at_migration(app, tmp_path / "older", FIRST_MIGRATION, head_migration)

    result = run(app, "restore", "--force", str(path))

    assert result.exit_code == 0, result.output
    assert "older than this code" in result.output
    assert "db upgrade" in result.output


def table_names(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_an_older_backup_restores_without_newer_tables_and_then_upgrades(
    app, world, tmp_path, head_migration
):
    # The backup is taken one migration back, as if by the previous release.
    with app.app_context():
        downgrade(revision="-1")
    try:
        path = tmp_path / "older"
        taken = run(app, "backup", str(path))
        older_tables = table_names(app)
        with app.app_context():
            upgrade()
        added = table_names(app) - older_tables
        entries = entry_texts(app)
        change_the_data(app)

        restored = run(app, "restore", "--force", str(path))
        left = table_names(app)
        with app.app_context():
            upgrade()
    finally:
        with app.app_context():
            upgrade()

    assert taken.exit_code == 0, taken.output
    assert restored.exit_code == 0, restored.output
    assert "older than this code" in restored.output
    assert added and not added & left
    assert table_names(app) == older_tables | added
    assert entry_texts(app) == entries


def test_a_restore_that_fails_halfway_changes_nothing(app, backup_file):
    if engine_of(app) == "sqlite":
        pytest.skip("SQLite copies a checked backup in one step; there is no halfway")
    change_the_data(app)
    changed = entry_texts(app), community_names(app)
    # The backup does not know this view, so dropping the table under it fails late.
    execute(app, "CREATE VIEW h9_entry_count AS SELECT count(*) FROM log_entry")

    try:
        result = run(app, "restore", "--force", str(backup_file))
        after = entry_texts(app), community_names(app)
    finally:
        execute(app, "DROP VIEW IF EXISTS h9_entry_count")

    assert result.exit_code == 1
    assert "nothing changed" in result.output
    assert after == changed


def test_backup_without_pg_dump_says_what_to_install(app, world, tmp_path, monkeypatch):
    if engine_of(app) == "sqlite":
        pytest.skip("SQLite backups need no client program")
    monkeypatch.setenv("PATH", str(tmp_path))

    result = run(app, "backup", str(tmp_path / "backup.dump"))

    assert result.exit_code == 1
    assert "pg_dump was not found" in result.output
    assert not (tmp_path / "backup.dump").exists()


def test_the_password_reaches_pg_dump_through_the_environment_only():
    url = make_url("postgresql+psycopg://lc:s3cret@db.example:5433/lc?sslmode=require")

    uri, environment = libpq(url)

    assert uri == "postgresql://lc@db.example:5433/lc?sslmode=require"
    assert environment["PGPASSWORD"] == "s3cret"


def test_the_log_names_the_engine_and_database_not_the_url(
    app, world, tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="hcimv_lc.backup")
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])

    run(app, "backup", str(tmp_path / "backup"))

    name = Path(url.database).name if engine_of(app) == "sqlite" else url.database
    assert f"Backup of {engine_of(app)} database {name} written to" in caplog.text
    assert "://" not in caplog.text


def test_backup_is_consistent_while_another_connection_writes(app, world, tmp_path):
    if engine_of(app) != "sqlite":
        pytest.skip("pg_dump reads one snapshot by design; this is SQLite's case")
    live = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE community SET name = 'Niet bevestigd'")
    path = tmp_path / "during-write.sqlite"

    result = run(app, "backup", str(path))
    writer.execute("COMMIT")
    writer.close()

    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as copy:
        names = {row[0] for row in copy.execute("SELECT name FROM community")}
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert "Installateurs Oost" in names
    assert "Niet bevestigd" not in names
    assert community_names(app) == {"Niet bevestigd"}


def test_backup_copies_one_moment_while_a_writer_keeps_committing(tmp_path):
    live, target = tmp_path / "live.sqlite", tmp_path / "copy.sqlite"
    with sqlite3.connect(live) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE filler (data BLOB)")
        setup.execute("CREATE TABLE tick (at REAL)")
        # Enough pages that the copy takes a while, so the writer overlaps it.
        setup.executemany("INSERT INTO filler VALUES (randomblob(8192))", [()] * 4000)
    stop, commits = threading.Event(), []

    def write():
        connection = sqlite3.connect(live, isolation_level=None, timeout=10)
        while not stop.is_set():
            connection.execute("INSERT INTO tick VALUES (?)", (time.perf_counter(),))
            commits.append(time.perf_counter())
        connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.05)
    started = time.perf_counter()
    backup_sqlite(live, target)
    finished = time.perf_counter()
    stop.set()
    thread.join()

    with sqlite3.connect(target) as copy:
        copied = copy.execute("SELECT count(*) FROM tick").fetchone()[0]
        filler = copy.execute("SELECT count(*) FROM filler").fetchone()[0]
    assert [at for at in commits if started < at < finished], "no write overlapped"
    assert filler == 4000
    assert len([at for at in commits if at < started]) <= copied <= len(commits)

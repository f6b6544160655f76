"""Engine set-up per database, and small column helpers shared by the models."""

import fcntl
import logging
import os
import sqlite3
import time
from datetime import UTC, datetime

from flask import g, has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import scoped_session
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def utcnow() -> datetime:
    """Return the current time in UTC, aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned aware, on both engines."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def configure_sqlite(engine: Engine) -> None:
    """Give SQLite WAL, foreign keys, a busy timeout and IMMEDIATE write transactions.

    pysqlite starts transactions lazily and as DEFERRED, so a transaction that reads
    and then writes can fail with "database is locked" without waiting. We take over
    BEGIN ourselves: requests that change state, and everything outside a request,
    begin IMMEDIATE and so wait for the write lock up front; reads stay DEFERRED.
    """

    turns = WriteTurns(engine.url.database)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A read that must write (a view counter) says so with g.write_on_read.
        reading = has_request_context() and request.method in READ_METHODS
        if reading and not g.get("write_on_read"):
            connection.exec_driver_sql("BEGIN")
        else:
            turns.take(connection.connection.info)
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    for name in ("commit", "rollback"):
        event.listen(engine, name, lambda connection: turns.give(connection.info))
    for name in ("reset", "checkin", "close", "invalidate"):
        event.listen(engine.pool, name, lambda *args: turns.give(args[1].info))


# How long a writer waits for SQLite's write lock: under gunicorn's 30 s timeout.
BUSY_TIMEOUT_MS = 25_000


class WriteTurns:
    """Let the writers of one SQLite file take turns promptly, through a file lock.

    SQLite's own busy handler sleeps up to 100 ms between tries, so under many
    writers some of them keep missing the moment the lock is free and wait past any
    timeout while others write again and again. Here a writer first takes an
    exclusive lock on a file beside the database, trying every millisecond; BEGIN
    IMMEDIATE then finds the database free. The lock is given back at commit or
    rollback, and whenever the pool takes the connection back.
    """

    def __init__(self, database: str | None):
        in_memory = not database or database == ":memory:"
        self.path = None if in_memory else f"{database}.writers"

    def take(self, info: dict) -> None:
        if self.path is None or info.get("turn"):
            return
        if "turn_file" not in info:
            info["turn_file"] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                fcntl.flock(info["turn_file"], fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError(
                        "database is locked (no turn to write)"
                    ) from None
                time.sleep(0.001)
            else:
                info["turn"] = True
                return

    def give(self, info: dict) -> None:
        if info.pop("turn", False):
            fcntl.flock(info["turn_file"], fcntl.LOCK_UN)


def configure_engine(engine: Engine) -> None:
    """Apply the per-engine settings that the app relies on."""
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)


def end_session(session: scoped_session) -> None:
    """Close the request's session; a connection the server dropped is let go.

    Flask-SQLAlchemy closes it after each request as well, but its ROLLBACK on a
    connection that the server closed mid-request raises after the answer was made,
    and the visitor would get the WSGI server's bare 500 instead. Registered after
    Flask-SQLAlchemy, this runs first and leaves it nothing to close.
    """
    try:
        session.remove()
    except DBAPIError as error:
        logger.warning(
            "Database connection lost at the end of a request: %s",
            type(error.orig).__name__,
        )
        session.registry.clear()


def render_migration_item(type_, obj, autogen_context):
    """Write our column types into migrations as plain SQLAlchemy types."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Engine-specific search indexes that the migrations make and the models leave out.
SEARCH_INDEX_OBJECTS = {"search_tsv", "ix_search_document_tsv"}


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """Leave the engine-specific full-text objects out of model comparisons."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    return name not in SEARCH_INDEX_OBJECTS

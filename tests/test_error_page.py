"""The production error page gives nothing away and can be traced in the log."""

import logging

import pytest
from sqlalchemy import text

from hcimv_lc import create_app
from hcimv_lc.extensions import db

SECRET = "a-real-production-secret-that-must-stay-hidden-42"
EXCEPTION_TEXT = "the vault combination is 4-8-15"


@pytest.fixture
def production_app(app, monkeypatch):
    """A production app on the test's database, with two routes that fail."""
    monkeypatch.setenv("HCIMV_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    production = create_app()

    @production.get("/test-only/raises")
    def raises():
        raise RuntimeError(EXCEPTION_TEXT)

    @production.get("/test-only/bad-sql")
    def bad_sql():
        db.session.execute(text("SELECT secret_column FROM no_such_table"))
        return "unreachable"

    yield production

    with production.app_context():
        db.engine.dispose()


def assert_generic_page(page: str) -> None:
    assert "Er ging iets mis" in page
    assert "Er ging bij ons iets mis. Probeer het later nog eens" in page
    assert "Traceback" not in page
    assert 'File "' not in page
    assert SECRET not in page


def test_a_crash_in_production_shows_the_generic_page_only(production_app):
    response = production_app.test_client().get("/test-only/raises")

    page = response.get_data(as_text=True)
    assert production_app.config["ENV_NAME"] == "production"
    assert response.status_code == 500
    assert_generic_page(page)
    assert EXCEPTION_TEXT not in page
    assert "RuntimeError" not in page


def test_the_crash_is_logged_with_the_request_id_of_the_response(
    production_app, caplog
):
    caplog.set_level(logging.ERROR, logger="hcimv_lc")

    response = production_app.test_client().get("/test-only/raises")

    request_id = response.headers["X-Request-ID"]
    crashes = [record for record in caplog.records if record.exc_info]
    assert len(request_id) >= 8
    assert request_id in response.get_data(as_text=True)
    assert crashes
    assert {record.request_id for record in crashes} == {request_id}
    assert EXCEPTION_TEXT in str(crashes[0].exc_info[1])


def test_a_database_error_shows_no_sql(production_app, caplog):
    caplog.set_level(logging.ERROR, logger="hcimv_lc")

    response = production_app.test_client().get("/test-only/bad-sql")

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert_generic_page(page)
    assert "no_such_table" not in page
    assert "SELECT" not in page
    assert "no_such_table" in caplog.text


def test_when_the_error_page_fails_too_a_bare_page_still_says_what_happened(
    production_app, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from hcimv_lc import errors

    def database_down(*args, **kwargs):
        # The layout asks who is signed in; with the database down that fails too.
        raise OperationalError("SELECT user.id FROM user", {}, Exception("down"))

    monkeypatch.setattr(errors, "render_page", database_down)

    response = production_app.test_client().get("/test-only/raises")

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in page
    assert response.headers["X-Request-ID"] in page
    assert "SELECT" not in page
    assert "Traceback" not in page


UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test",
    "sqlite": "sqlite:////proc/no-such-folder/hcimv.sqlite",
}


@pytest.mark.parametrize("engine", UNREACHABLE)
@pytest.mark.parametrize("path", ["/", "/toolbox?q=scan", "/communities"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed in"])
def test_an_unreachable_database_answers_503_with_a_page_that_says_so(
    monkeypatch, caplog, engine, path, signed_in
):
    from hcimv_lc.accounts import sessions

    monkeypatch.setenv("HCIMV_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE[engine])
    caplog.set_level(logging.WARNING, logger="hcimv_lc")
    down = create_app()
    client = down.test_client()
    if signed_in:
        # The layout of a signed-in page asks the database who it is: a bare page.
        now = sessions.clock()
        with client.session_transaction() as cookie:
            cookie.update(
                {
                    "_user_id": "1:token",
                    sessions.STARTED: now,
                    sessions.SEEN: now,
                    sessions.REMEMBERED: False,
                }
            )

    response = client.get(path)

    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Even niet bereikbaar" in page
    assert response.headers["X-Request-ID"] in page
    assert "Traceback" not in page and "127.0.0.1" not in page and "proc" not in page
    # One warning per request, without a traceback, that names the request.
    records = [r for r in caplog.records if r.name.startswith("hcimv_lc")]
    assert not any(record.exc_info for record in records)
    assert any(
        "Database unavailable on GET" in record.getMessage() for record in records
    )
    assert ("the bare page was shown" in caplog.text) == signed_in


def test_a_connection_lost_while_the_request_ends_still_delivers_the_answer(
    production_app, monkeypatch, caplog
):
    armed = []

    @production_app.get("/test-only/reads")
    def reads():
        db.session.execute(text("SELECT 1"))
        # The server goes away now: the ROLLBACK that ends the request fails.
        armed.append(True)
        return "read"

    with production_app.app_context():
        dialect = db.engine.dialect
    rollback = dialect.do_rollback

    def server_went_away(connection):
        if armed:
            armed.clear()
            raise dialect.loaded_dbapi.OperationalError("server closed the connection")
        rollback(connection)

    monkeypatch.setattr(dialect, "do_rollback", server_went_away)
    caplog.set_level(logging.WARNING, logger="hcimv_lc")

    response = production_app.test_client().get("/test-only/reads")

    assert (response.status_code, response.get_data(as_text=True)) == (200, "read")
    assert "Database connection lost at the end of a request" in caplog.text

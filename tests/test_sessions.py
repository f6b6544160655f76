"""How long a session lasts: 8 idle hours, or 30 days with "remember me"."""

import pytest

from hcimv_lc.accounts import sessions
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from tests.conftest import TEST_PASSWORD

HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def clock(monkeypatch):
    """A clock that stands still until the test moves it."""

    class Clock:
        now = 1_800_000_000.0

        def advance(self, seconds: float) -> None:
            self.now += seconds

    frozen = Clock()
    monkeypatch.setattr(sessions, "clock", lambda: frozen.now)
    return frozen


def signed_in(app, world, remember=False):
    client = app.test_client()
    data = {"email": world.person("participant").email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 303
    return client


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_session_ends_after_eight_idle_hours(app, world, clock):
    client = signed_in(app, world)

    clock.advance(8 * HOUR + 60)

    assert not is_signed_in(client)
    assert client.get("/account").headers["Location"].startswith("/login")


def test_each_request_restarts_the_idle_time(app, world, clock):
    client = signed_in(app, world)

    for _ in range(4):
        clock.advance(7 * HOUR)
        assert is_signed_in(client)


def test_an_ended_session_stays_ended_when_its_cookie_is_replayed(app, world, clock):
    client = signed_in(app, world)
    copied = client.get_cookie("session").value
    clock.advance(9 * HOUR)
    assert not is_signed_in(client)

    client.set_cookie("session", copied)

    assert not is_signed_in(client)


def test_remembered_session_survives_idle_days_but_not_thirty_days(app, world, clock):
    client = signed_in(app, world, remember=True)

    clock.advance(3 * DAY)
    assert is_signed_in(client)
    clock.advance(26 * DAY)
    assert is_signed_in(client)
    clock.advance(DAY + 60)

    assert not is_signed_in(client)


def test_even_an_active_session_ends_thirty_days_after_log_in(app, world, clock):
    client = signed_in(app, world)

    for _ in range(30 * 4 - 1):
        clock.advance(6 * HOUR)
        assert is_signed_in(client)
    clock.advance(6 * HOUR + 60)

    assert not is_signed_in(client)


def test_only_a_remembered_session_keeps_its_cookie_after_the_browser_closes(
    app, world, clock
):
    remembered = signed_in(app, world, remember=True)
    forgotten = signed_in(app, world)

    assert remembered.get_cookie("session").expires is not None
    assert forgotten.get_cookie("session").expires is None


def test_text_typed_while_the_session_idled_out_is_saved_after_log_in(
    app, world, clock
):
    client = signed_in(app, world)
    clock.advance(9 * HOUR)

    client.post(
        "/log/new",
        data={"what": "Na een lange pauze", "quick_minutes": "30", "kind": "informal"},
    )
    client.post(
        "/login",
        data={"email": world.person("participant").email, "password": TEST_PASSWORD},
    )

    with app.app_context():
        assert db.session.scalar(
            db.select(db.func.count()).where(LogEntry.what == "Na een lange pauze")
        )

"""Discussion threads, and mail through a real SMTP server."""

import socket
import time

import pytest
from sqlalchemy import select

from hcimv_lc.discussion.models import Thread
from hcimv_lc.extensions import db
from hcimv_lc.notifications.models import Notification


def test_member_starts_a_thread_about_a_sprint(app, as_persona, world):
    client = as_persona("researcher")

    response = client.post(
        f"/communities/{world.closed}/discussion/new",
        data={
            "title": "Hoe meten we effect?",
            "body": "Ideeën **welkom**",
            "sprint": world.ids["sprint"],
        },
    )

    with app.app_context():
        thread = db.session.scalar(
            select(Thread).where(Thread.title == "Hoe meten we effect?")
        )
        assert thread.sprint_id == world.ids["sprint"]
    assert response.status_code == 303
    sprint_page = client.get(f"/sprints/{world.ids['sprint']}").get_data(as_text=True)
    assert "Hoe meten we effect?" in sprint_page


def test_thread_cannot_point_at_another_communitys_sprint(app, as_persona, world):
    as_persona("researcher").post(
        f"/communities/{world.closed}/discussion/new",
        data={"title": "Stiekem", "body": "", "sprint": world.ids["other_sprint"]},
    )

    with app.app_context():
        thread = db.session.scalar(select(Thread).where(Thread.title == "Stiekem"))
        assert thread.sprint_id is None


def test_reply_moves_the_thread_up_and_notifies_its_starter(app, as_persona, world):
    client = as_persona("facilitator")
    client.post(
        f"/communities/{world.closed}/discussion/new",
        data={"title": "Nieuwer onderwerp", "body": ""},
    )

    client.post(
        f"/threads/{world.ids['thread']}", data={"body": "Probeer de stooklijn"}
    )

    page = client.get(f"/communities/{world.closed}/discussion").get_data(as_text=True)
    assert page.index("hybride warmtepompen") < page.index("Nieuwer onderwerp")
    with app.app_context():
        notification = db.session.scalar(
            select(Notification).where(Notification.kind == "reply")
        )
        assert notification.user_id == world.person("participant").id


def test_pinned_thread_stays_on_top(app, as_persona, world):
    client = as_persona("facilitator")
    client.post(
        f"/communities/{world.closed}/discussion/new",
        data={"title": "Nieuwer onderwerp", "body": ""},
    )

    client.post(f"/threads/{world.ids['thread']}/pin")
    client.post(
        f"/communities/{world.closed}/discussion/new",
        data={"title": "Nog nieuwer", "body": ""},
    )

    page = client.get(f"/communities/{world.closed}/discussion").get_data(as_text=True)
    assert page.index("hybride warmtepompen") < page.index("Nog nieuwer")
    assert "Vastgezet" in page


def test_empty_reply_is_refused_beside_the_field(as_persona, world):
    response = as_persona("participant").post(
        f"/threads/{world.ids['thread']}", data={"body": "   "}
    )

    assert "Schrijf een reactie." in response.get_data(as_text=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(app):
    """A real SMTP server on loopback that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    handler = Keep()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {
        key: app.config[key]
        for key in ("MAIL_BACKEND", "SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS")
    }
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False
    )
    yield handler.messages

    app.config.update(saved)
    controller.stop()


def test_feedback_mail_goes_out_over_smtp(as_persona, world, smtp_sink):
    as_persona("facilitator").post(
        f"/entries/{world.ids['facilitators_entry']}/comments", data={"body": "Sterk!"}
    )

    for _ in range(50):
        if smtp_sink:
            break
        time.sleep(0.05)
    (message,) = smtp_sink
    body = message.content.decode()
    assert message.rcpt_tos == ["participant@example.org"]
    assert "reageerde op je leeractiviteit" in body
    assert "/entries/" in body

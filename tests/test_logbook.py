"""Logging learning, my log, privacy, feedback, prompts, reminders, kept entries."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.notifications.models import Notification
from tests.conftest import TEST_PASSWORD, login

MONDAY = date.today() - timedelta(days=date.today().weekday())


def quick(**fields):
    data = {"what": "Warmtepomp ingeregeld", "quick_minutes": "60", "kind": "informal"}
    data.update(fields)
    return data


def entries(app, **criteria):
    with app.app_context():
        return db.session.scalars(select(LogEntry).filter_by(**criteria)).all()


def community_id(app, slug):
    from hcimv_lc.communities.models import Community

    with app.app_context():
        return db.session.scalar(select(Community.id).where(Community.slug == slug))


def full_form(app, world, **fields):
    data = quick(
        date=date.today().isoformat(),
        subtype="on_the_job",
        community=community_id(app, world.closed),
        challenge="0",
        visibility="facilitators",
        reflection="",
    )
    data.update(fields)
    return data


def test_quick_log_from_home_takes_what_minutes_and_one_tap(app, as_persona, world):
    client = as_persona("participant")
    home = client.get("/").get_data(as_text=True)

    response = client.post("/log/new", data=quick())

    (entry,) = entries(app, what="Warmtepomp ingeregeld")
    assert 'action="/log/new"' in home
    assert response.status_code == 303
    assert (entry.minutes, entry.kind, entry.date) == (60, "informal", date.today())
    assert entry.sprint_id == world.ids["sprint"]
    assert entry.visibility == "facilitators"


def test_free_number_of_minutes_wins_over_the_quick_choice(app, as_persona, world):
    as_persona("participant").post("/log/new", data=quick(minutes="45"))

    assert entries(app, what="Warmtepomp ingeregeld")[0].minutes == 45


@pytest.mark.parametrize("minutes", ["0", "2000", "-5", "veel"])
def test_impossible_minutes_are_refused_and_the_text_kept(
    app, as_persona, world, minutes
):
    response = as_persona("participant").post(
        "/log/new", data=quick(quick_minutes="", minutes=minutes, reflection="Mijn les")
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="field-error"' in page
    assert "Mijn les" in page and 'value="Warmtepomp ingeregeld"' in page
    assert entries(app, what="Warmtepomp ingeregeld") == []


def test_entry_without_a_minutes_choice_counts_the_preselected_half_hour(
    app, as_persona, world
):
    as_persona("participant").post("/log/new", data=quick(quick_minutes=""))

    assert entries(app, what="Warmtepomp ingeregeld")[0].minutes == 30


def test_outsider_cannot_log_without_a_community(as_persona, world):
    assert as_persona("outsider").post("/log/new", data=quick()).status_code == 403


def test_challenge_of_another_community_is_refused(app, as_persona, world):
    response = as_persona("participant").post(
        "/log/new", data=full_form(app, world, challenge=world.ids["other_challenge"])
    )

    assert response.status_code == 200
    assert entries(app, what="Warmtepomp ingeregeld") == []


def test_entry_at_a_challenge_belongs_to_its_sprint(app, as_persona, world):
    as_persona("participant").post(
        "/log/new", data=full_form(app, world, challenge=world.ids["challenge"])
    )

    (entry,) = entries(app, what="Warmtepomp ingeregeld")
    assert (entry.challenge_id, entry.sprint_id) == (
        world.ids["challenge"],
        world.ids["sprint"],
    )


XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[klik](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
]


def assert_inert(page: str) -> None:
    assert "<script>alert" not in page
    assert "onerror=" not in page and "onload=" not in page
    assert "javascript:" not in page
    assert "<iframe" not in page and "<svg" not in page


@pytest.mark.parametrize("payload", XSS)
def test_script_in_a_reflection_comment_or_thread_renders_inert(
    app, as_persona, world, payload
):
    participant = as_persona("participant")
    participant.post(
        "/log/new",
        data=full_form(app, world, reflection=payload, visibility="community"),
    )
    (entry,) = entries(app, what="Warmtepomp ingeregeld")
    participant.post(f"/entries/{entry.id}/comments", data={"body": payload})
    participant.post(f"/threads/{world.ids['thread']}", data={"body": payload})

    facilitator = as_persona("facilitator")
    for path in (
        f"/entries/{entry.id}",
        f"/threads/{world.ids['thread']}",
        f"/communities/{world.closed}/log",
        "/log",
    ):
        assert_inert(facilitator.get(path).get_data(as_text=True))
        assert_inert(participant.get(path).get_data(as_text=True))


def test_links_in_a_reflection_get_nofollow_noopener(app, as_persona, world):
    client = as_persona("participant")
    client.post(
        "/log/new", data=full_form(app, world, reflection="[ISSO](https://isso.nl)")
    )
    (entry,) = entries(app, what="Warmtepomp ingeregeld")

    page = client.get(f"/entries/{entry.id}").get_data(as_text=True)

    assert '<a href="https://isso.nl" rel="nofollow noopener">ISSO</a>' in page


@pytest.mark.parametrize(
    "persona", ["facilitator", "researcher", "admin", "other_facilitator"]
)
def test_private_entry_text_reaches_nobody_else(as_persona, world, persona):
    client = as_persona(persona)

    pages = [
        client.get(f"/entries/{world.ids['private_entry']}"),
        client.get(f"/communities/{world.closed}/log"),
        client.get(f"/sprints/{world.ids['sprint']}/participation"),
        client.get("/"),
        client.get("/notifications"),
    ]

    for response in pages:
        assert "Mijn private reflectie" not in response.get_data(as_text=True)
        assert "Geleerd (private)" not in response.get_data(as_text=True)


def test_community_log_shows_what_each_reader_may_see(as_persona, world):
    facilitator = as_persona("facilitator").get(f"/communities/{world.closed}/log")
    researcher = as_persona("researcher").get(f"/communities/{world.closed}/log")

    assert "Geleerd (facilitators)" in facilitator.get_data(as_text=True)
    assert "Geleerd (community)" in facilitator.get_data(as_text=True)
    assert "Geleerd (facilitators)" not in researcher.get_data(as_text=True)
    assert "Geleerd (community)" in researcher.get_data(as_text=True)


def test_week_grid_counts_entries_and_reflections_without_text(as_persona, world):
    page = as_persona("facilitator").get(
        f"/sprints/{world.ids['sprint']}/participation"
    )

    text = page.get_data(as_text=True)
    row = re.search(r"Piet Deelnemer</th>(.*?)</tr>", text, re.S).group(1)
    assert "3/3" in row
    assert "reflectie" not in row


def test_author_edits_and_deletes_an_entry_after_confirming(app, as_persona, world):
    client = as_persona("participant")
    entry_id = world.ids["community_entry"]

    client.post(
        f"/entries/{entry_id}/edit", data=full_form(app, world, what="Aangepast")
    )
    confirm = client.get(f"/entries/{entry_id}/delete")
    still_there = entries(app, id=entry_id)
    client.post(f"/entries/{entry_id}/delete")

    assert still_there[0].what == "Aangepast"
    assert "verwijderen?" in confirm.get_data(as_text=True)
    assert entries(app, id=entry_id) == []


def test_my_log_filters_and_totals_minutes_per_week_and_kind(app, as_persona, world):
    client = as_persona("participant")
    client.post("/log/new", data=full_form(app, world, kind="formal", minutes="90"))

    everything = client.get("/log").get_data(as_text=True)
    formal = client.get("/log?kind=formal").get_data(as_text=True)
    week_one = client.get(f"/log?sprint={world.ids['sprint']}&week=1").get_data(
        as_text=True
    )

    assert "Totaal 180 minuten" in everything
    assert "Totaal 90 minuten" in formal and "Geleerd (community)" not in formal
    assert "Geleerd (community)" not in week_one


def test_feedback_notifies_and_mails_the_author(app, as_persona, world, mail):
    response = as_persona("facilitator").post(
        f"/entries/{world.ids['facilitators_entry']}/comments",
        data={"body": "Mooi gedaan!"},
    )

    participant = as_persona("participant")
    nav = participant.get("/log").get_data(as_text=True)
    assert response.status_code == 303
    assert mail[-1]["To"] == "participant@example.org"
    assert "/entries/" in mail[-1].get_content()
    assert '<span class="badge"' in nav
    assert "Mooi gedaan!" in participant.get(
        f"/entries/{world.ids['facilitators_entry']}"
    ).get_data(as_text=True)


def test_feedback_mail_can_be_switched_off(app, as_persona, world, mail):
    participant = as_persona("participant")
    participant.post(
        "/account",
        data={
            "name": "Piet",
            "organisation": "0",
            "locale": "nl",
            "email_prompts": "y",
        },
    )

    as_persona("facilitator").post(
        f"/entries/{world.ids['facilitators_entry']}/comments", data={"body": "Top"}
    )

    assert mail == []


def test_member_may_not_comment_on_an_entry_meant_for_facilitators(as_persona, world):
    response = as_persona("researcher").post(
        f"/entries/{world.ids['facilitators_entry']}/comments", data={"body": "Hoi"}
    )

    assert response.status_code == 404


def test_reminder_reaches_only_participants_who_did_not_log(
    app, as_persona, world, make_user
):
    from hcimv_lc.communities.models import Membership

    quiet = make_user("stil@example.org", "Stille Deelnemer")
    with app.app_context():
        db.session.add(
            Membership(
                user_id=quiet.id,
                community_id=community_id(app, world.closed),
                role="participant",
            )
        )
        db.session.commit()

    as_persona("facilitator").post(f"/sprints/{world.ids['sprint']}/remind")

    with app.app_context():
        reminded = db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "reminder")
        ).all()
    assert reminded == [quiet.id]


def test_prompt_of_the_week_appears_above_the_reflection(app, as_persona, world):
    facilitator = as_persona("facilitator")
    facilitator.post(
        f"/sprints/{world.ids['sprint']}/prompts",
        data={"week": "2", "text": "Wat deed je anders dan vorige week?"},
    )

    form = as_persona("participant").get("/log/new").get_data(as_text=True)

    assert form.index("Wat deed je anders dan vorige week?") < form.index(
        'id="reflection"'
    )


def test_default_prompt_fills_weeks_without_their_own(app, as_persona, world):
    as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/prompts",
        data={"default_prompt": "Wat leerde je?"},
    )

    assert "Wat leerde je?" in as_persona("participant").get("/").get_data(as_text=True)


def test_prompt_for_a_week_past_the_sprint_is_refused(as_persona, world):
    response = as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/prompts",
        data={"week": "15", "text": "Te laat"},
    )

    assert "12 weken" in response.get_data(as_text=True)


def test_entry_typed_while_the_session_ended_is_saved_after_log_in(app, world):
    client = app.test_client()
    login(client, "participant@example.org")
    other_device = app.test_client()
    login(other_device, "participant@example.org")
    other_device.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "password": "een nieuw wachtwoord!",
            "confirm": "een nieuw wachtwoord!",
        },
    )

    response = client.post("/log/new", data=quick(reflection="Niet kwijtraken"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert entries(app, what="Warmtepomp ingeregeld") == []
    login(client, "participant@example.org", "een nieuw wachtwoord!")

    (entry,) = entries(app, what="Warmtepomp ingeregeld")
    assert entry.reflection == "Niet kwijtraken"
    with app.app_context():
        from hcimv_lc.logbook.models import PendingEntry

        assert db.session.scalar(select(func.count()).select_from(PendingEntry)) == 0


def test_opening_a_notification_marks_it_read(app, as_persona, world):
    client = as_persona("participant")

    response = client.post(f"/notifications/{world.ids['notification']}/open")

    with app.app_context():
        notification = db.session.get(Notification, world.ids["notification"])
        assert notification.read_at is not None
    assert response.headers["Location"] == f"/entries/{world.ids['community_entry']}"
    assert '<span class="badge"' not in client.get("/log").get_data(as_text=True)


def test_weekly_prompts_are_mailed_to_participants(app, as_persona, world, mail):
    as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/prompts",
        data={"default_prompt": "Wat leerde je?"},
    )

    result = app.test_cli_runner().invoke(args=["send-prompts"])

    assert result.exit_code == 0, result.output
    assert [message["To"] for message in mail] == ["participant@example.org"]
    assert "Wat leerde je?" in mail[0].get_content()

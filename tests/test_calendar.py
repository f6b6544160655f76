"""iCalendar feeds: valid RFC 5545, stable UIDs, sequences, cancellations, DST."""

from datetime import UTC, date, datetime, time

from icalendar import Calendar
from sqlalchemy import select

from hcimv_lc.accounts.models import User
from hcimv_lc.extensions import db
from hcimv_lc.sprints.models import Meeting, Sprint


def feed(client, path) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.data)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def test_sprint_feed_is_valid_with_the_amsterdam_time_zone(client, world):
    calendar = feed(client, f"/calendar/sprints/{world.ids['sprint_token']}.ics")

    (event,) = events(calendar)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(calendar["VERSION"]) == "2.0"
    assert str(zone["TZID"]) == "Europe/Amsterdam"
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert str(event["SUMMARY"]) == "Warmtepompen"
    assert str(event["LOCATION"]) == "Hengelo"


def test_uid_stays_and_sequence_rises_when_a_meeting_changes(
    app, as_persona, client, world
):
    path = f"/calendar/sprints/{world.ids['sprint_token']}.ics"
    (before,) = events(feed(client, path))
    meeting_date = before.decoded("DTSTART").date().isoformat()

    as_persona("facilitator").post(
        f"/meetings/{world.ids['meeting']}/edit",
        data={
            "date": meeting_date,
            "start_time": "16:00",
            "end_time": "18:00",
            "place": "Almelo",
            "online_url": "",
            "agenda": "",
        },
    )
    (after,) = events(feed(client, path))

    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART").time() == time(16, 0)


def test_cancelled_meeting_appears_as_cancelled(as_persona, client, world):
    as_persona("facilitator").post(f"/meetings/{world.ids['meeting']}/cancel")

    (event,) = events(
        feed(client, f"/calendar/sprints/{world.ids['sprint_token']}.ics")
    )

    assert str(event["STATUS"]) == "CANCELLED"


def add_meeting(app, sprint_id, day, start):
    with app.app_context():
        db.session.add(
            Meeting(
                sprint_id=sprint_id, date=day, start_time=start, end_time=time(11, 0)
            )
        )
        db.session.commit()


def test_meetings_keep_their_local_time_across_the_autumn_clock_change(
    app, client, world
):
    with app.app_context():
        sprint = db.session.get(Sprint, world.ids["sprint"])
        sprint.start_date = date(2026, 10, 5)
        db.session.execute(db.delete(Meeting))
        db.session.commit()
    add_meeting(app, world.ids["sprint"], date(2026, 10, 20), time(9, 0))
    add_meeting(app, world.ids["sprint"], date(2026, 10, 27), time(9, 0))

    found = events(feed(client, f"/calendar/sprints/{world.ids['sprint_token']}.ics"))

    instants = sorted(event.decoded("DTSTART").astimezone(UTC) for event in found)
    assert instants == [
        datetime(2026, 10, 20, 7, 0, tzinfo=UTC),
        datetime(2026, 10, 27, 8, 0, tzinfo=UTC),
    ]


def test_personal_feed_holds_the_meetings_of_ones_own_sprints_only(app, client, world):
    with app.app_context():
        other_sprint = db.session.get(Sprint, world.ids["other_sprint"])
        db.session.add(
            Meeting(
                sprint_id=other_sprint.id,
                date=other_sprint.start_date,
                start_time=time(9),
                end_time=time(10),
                place="Groningen",
            )
        )
        draft = db.session.get(Sprint, world.ids["draft"])
        db.session.add(
            Meeting(
                sprint_id=draft.id,
                date=draft.start_date,
                start_time=time(9),
                end_time=time(10),
                place="Geheim concept",
            )
        )
        db.session.commit()

    found = events(feed(client, f"/calendar/people/{world.ids['person_token']}.ics"))

    assert [str(event["LOCATION"]) for event in found] == ["Hengelo"]


def test_replacing_the_personal_link_stops_the_old_one(app, as_persona, client, world):
    old = f"/calendar/people/{world.ids['person_token']}.ics"

    as_persona("participant").post("/calendar/link")

    with app.app_context():
        token = db.session.scalar(
            select(User.calendar_token).where(User.email == "participant@example.org")
        )
    assert client.get(old).status_code == 404
    assert client.get(f"/calendar/people/{token}.ics").status_code == 200


def test_replacing_the_sprint_link_stops_the_old_one(as_persona, client, world):
    old = f"/calendar/sprints/{world.ids['sprint_token']}.ics"

    as_persona("facilitator").post(f"/sprints/{world.ids['sprint']}/calendar-link")

    assert client.get(old).status_code == 404


def test_calendar_page_shows_the_personal_link(as_persona, world):
    page = as_persona("participant").get("/calendar").get_data(as_text=True)

    assert f"/calendar/people/{world.ids['person_token']}.ics" in page
    assert "Warmtepompen" in page

"""Planning sprints, their meetings and series, templates, closing and lessons."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hcimv_lc.challenges.models import Challenge
from hcimv_lc.extensions import db
from hcimv_lc.sprints.models import Lesson, Meeting, Sprint

MONDAY = date.today() - timedelta(days=date.today().weekday())


def sprint_form(**fields):
    data = {
        "title": "Slimme installaties",
        "goal": "We leren **samen**",
        "start_date": MONDAY.isoformat(),
        "weeks": "12",
    }
    data.update(fields)
    return data


def get(app, model, **criteria):
    with app.app_context():
        return db.session.scalar(select(model).filter_by(**criteria))


def count(app, model, **criteria):
    with app.app_context():
        query = select(func.count()).select_from(model).filter_by(**criteria)
        return db.session.scalar(query)


def test_facilitator_plans_a_twelve_week_sprint_with_a_derived_end(
    app, as_persona, world
):
    client = as_persona("facilitator")

    response = client.post(
        f"/communities/{world.closed}/sprints/new", data=sprint_form()
    )

    sprint = get(app, Sprint, title="Slimme installaties")
    assert response.status_code == 303
    assert sprint.status == "draft"
    assert sprint.end_date == MONDAY + timedelta(days=83)
    page = client.get(f"/sprints/{sprint.id}").get_data(as_text=True)
    assert "<strong>samen</strong>" in page
    assert page.count('class="timeline"') == 1
    assert page.count("<li class=") >= 12


@pytest.mark.parametrize("weeks", ["9", "21", "0", "-3", "twaalf", ""])
def test_sprint_length_outside_10_to_20_weeks_is_refused(app, as_persona, world, weeks):
    response = as_persona("facilitator").post(
        f"/communities/{world.closed}/sprints/new", data=sprint_form(weeks=weeks)
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "10 tot en met 20" in page
    assert 'value="Slimme installaties"' in page
    assert get(app, Sprint, title="Slimme installaties") is None


@pytest.mark.parametrize("weeks", ["10", "20"])
def test_sprint_of_10_or_20_weeks_is_accepted(app, as_persona, world, weeks):
    response = as_persona("facilitator").post(
        f"/communities/{world.closed}/sprints/new", data=sprint_form(weeks=weeks)
    )

    assert response.status_code == 303


def test_participant_does_not_see_a_draft_sprint(as_persona, world):
    participant = as_persona("participant")
    facilitator = as_persona("facilitator")

    hidden = participant.get(f"/sprints/{world.ids['draft']}")
    listing = participant.get(f"/communities/{world.closed}").get_data(as_text=True)

    assert hidden.status_code == 404
    assert "Concept voor later" not in listing
    assert "Concept voor later" in facilitator.get(
        f"/communities/{world.closed}"
    ).get_data(as_text=True)


def test_started_sprint_becomes_visible_to_participants(as_persona, world):
    as_persona("facilitator").post(f"/sprints/{world.ids['draft']}/activate")

    assert (
        as_persona("participant").get(f"/sprints/{world.ids['draft']}").status_code
        == 200
    )


def test_community_page_lists_sprints_by_status(as_persona, world):
    page = (
        as_persona("facilitator")
        .get(f"/communities/{world.closed}")
        .get_data(as_text=True)
    )

    assert page.index("Actief") < page.index("Warmtepompen")
    assert page.index("Concept") < page.index("Concept voor later")


def test_sprint_page_marks_the_current_week(as_persona, world):
    page = (
        as_persona("participant")
        .get(f"/sprints/{world.ids['sprint']}")
        .get_data(as_text=True)
    )

    assert page.count('aria-current="step"') == 1
    assert "week 2 van 12" in page


def meeting_form(**fields):
    data = {
        "date": (MONDAY + timedelta(days=3)).isoformat(),
        "start_time": "15:00",
        "end_time": "17:00",
        "place": "Hengelo",
        "online_url": "",
        "agenda": "Rondje langs de bouwplaatsen",
    }
    data.update(fields)
    return data


def test_facilitator_adds_a_meeting(app, as_persona, world):
    response = as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/meetings/new", data=meeting_form()
    )

    assert response.status_code == 303
    assert count(app, Meeting, sprint_id=world.ids["sprint"]) == 2


def test_meeting_outside_the_sprint_is_refused(app, as_persona, world):
    too_late = (MONDAY + timedelta(weeks=20)).isoformat()

    response = as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/meetings/new", data=meeting_form(date=too_late)
    )

    page = response.get_data(as_text=True)
    assert "valt buiten de sprint" in page
    assert "Rondje langs de bouwplaatsen" in page
    assert count(app, Meeting, sprint_id=world.ids["sprint"]) == 1


def test_meeting_that_ends_before_it_starts_is_refused(app, as_persona, world):
    response = as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/meetings/new",
        data=meeting_form(start_time="17:00", end_time="15:00"),
    )

    assert "eindtijd ligt na de begintijd" in response.get_data(as_text=True)


@pytest.mark.parametrize(("interval", "expected"), [("1", 12), ("2", 6)])
def test_series_fills_the_sprint_every_one_or_two_weeks(
    app, as_persona, world, interval, expected
):
    client = as_persona("facilitator")
    series = {
        "weekday": "3",
        "interval": interval,
        "start_time": "09:00",
        "end_time": "10:30",
        "place": "Enschede",
        "online_url": "",
        "agenda": "",
    }

    client.post(f"/sprints/{world.ids['draft']}/meetings/series", data=series)
    client.post(f"/sprints/{world.ids['draft']}/meetings/series", data=series)

    with app.app_context():
        days = db.session.scalars(
            select(Meeting.date).where(Meeting.sprint_id == world.ids["draft"])
        ).all()
    assert len(days) == expected
    assert {day.weekday() for day in days} == {3}


def test_editing_a_meeting_raises_its_sequence(app, as_persona, world):
    as_persona("facilitator").post(
        f"/meetings/{world.ids['meeting']}/edit", data=meeting_form(place="Almelo")
    )

    meeting = get(app, Meeting, id=world.ids["meeting"])
    assert (meeting.place, meeting.sequence) == ("Almelo", 1)


def test_cancelled_meeting_stays_listed_as_cancelled(app, as_persona, world):
    client = as_persona("facilitator")

    client.post(f"/meetings/{world.ids['meeting']}/cancel")

    meeting = get(app, Meeting, id=world.ids["meeting"])
    assert (meeting.status, meeting.sequence) == ("cancelled", 1)
    assert "Geannuleerd" in client.get(f"/sprints/{world.ids['sprint']}").get_data(
        as_text=True
    )


def test_shortening_a_sprint_past_its_meetings_is_refused(app, as_persona, world):
    client = as_persona("facilitator")
    late = (MONDAY + timedelta(weeks=9)).isoformat()
    client.post(
        f"/sprints/{world.ids['sprint']}/meetings/new", data=meeting_form(date=late)
    )

    response = client.post(
        f"/sprints/{world.ids['sprint']}/edit",
        data=sprint_form(
            start_date=(MONDAY - timedelta(weeks=1)).isoformat(), weeks="10"
        ),
    )

    assert "buiten deze weken" in response.get_data(as_text=True)
    assert get(app, Sprint, id=world.ids["sprint"]).weeks == 12


def test_sprint_copied_into_another_community_shifts_its_dates(app, as_persona, world):
    client = as_persona("facilitator")
    with app.app_context():
        from hcimv_lc.communities.models import Community

        target = db.session.scalar(
            select(Community).where(Community.slug == world.open)
        )
        target_id = target.id
    new_start = MONDAY + timedelta(weeks=30)

    response = client.post(
        f"/sprints/{world.ids['sprint']}/copy",
        data={
            "community": target_id,
            "title": "Warmtepompen 2",
            "start_date": new_start,
        },
    )

    copy = get(app, Sprint, title="Warmtepompen 2")
    assert response.status_code == 303
    assert (copy.community_id, copy.weeks, copy.status) == (target_id, 12, "draft")
    meeting = get(app, Meeting, sprint_id=copy.id)
    assert meeting.date == MONDAY + timedelta(days=1) + (
        new_start - copy_source_start()
    )
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).filter_by(sprint_id=copy.id))
        assert (challenge.title, challenge.status, challenge.team) == (
            "Inregelen",
            "open",
            [],
        )


def copy_source_start():
    return MONDAY - timedelta(weeks=1)


def test_sprint_cannot_be_copied_into_a_community_someone_does_not_lead(
    app, as_persona, world
):
    with app.app_context():
        from hcimv_lc.communities.models import Community

        other = db.session.scalar(
            select(Community).where(Community.slug == world.other)
        )
        other_id = other.id

    response = as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/copy",
        data={"community": other_id, "title": "Stiekem", "start_date": MONDAY},
    )

    assert response.status_code == 200
    assert get(app, Sprint, title="Stiekem") is None


def close_form(**fields):
    data = {
        "worked": "Elke week samen op de **bouwplaats**.",
        "did_not_work": "Te lange bijeenkomsten.",
        "advice": "Begin met één bedrijf.",
        "visibility": "public",
    }
    data.update(fields)
    return data


def test_closing_publishes_the_retrospective_as_a_lesson(
    app, as_persona, client, world
):
    response = as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/close", data=close_form()
    )

    lesson = get(app, Lesson, sprint_id=world.ids["sprint"])
    assert response.status_code == 303
    assert get(app, Sprint, id=world.ids["sprint"]).status == "closed"
    page = client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "<strong>bouwplaats</strong>" in page


def test_closing_needs_all_three_answers(app, as_persona, world):
    response = as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/close", data=close_form(advice="  ")
    )

    assert "Schrijf hier een paar zinnen." in response.get_data(as_text=True)
    assert get(app, Sprint, id=world.ids["sprint"]).status == "active"


def test_lesson_for_signed_in_readers_sends_visitors_to_log_in(
    app, as_persona, client, world
):
    as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/close", data=close_form(visibility="signed_in")
    )
    lesson = get(app, Lesson, sprint_id=world.ids["sprint"])

    assert client.get(f"/lessons/{lesson.id}").status_code == 302
    assert (
        as_persona("other_researcher").get(f"/lessons/{lesson.id}").status_code == 200
    )

"""Questionnaires: defining, answering at moments, anonymity and the effect size."""

import pytest
from sqlalchemy import select

from hcimv_lc.extensions import db
from hcimv_lc.instruments.models import Administration, Instrument, Item


def items(app, world):
    with app.app_context():
        return db.session.scalars(select(Item.id).order_by(Item.id)).all()


def answers(app, world, value_one, value_two=None):
    first, second = items(app, world)
    return {f"item_{first}": value_one, f"item_{second}": value_two or value_one}


def test_researcher_gives_a_tool_its_questionnaire(app, as_persona, world):
    response = as_persona("researcher").post(
        "/tools/concept-scan/instrument",
        data={
            "title": "Conceptscan",
            "items": "Feedback | Ik hoor hoe het ging\n"
            "Feedback | Ik vraag om tips\nRuimte | Ik mag iets proberen",
        },
    )

    with app.app_context():
        instrument = db.session.scalar(
            select(Instrument).where(Instrument.title == "Conceptscan")
        )
        assert [(d.name, len(d.items)) for d in instrument.dimensions] == [
            ("Feedback", 2),
            ("Ruimte", 1),
        ]
    assert response.status_code == 303


def test_a_line_without_dimension_is_refused_with_its_number(as_persona, world):
    response = as_persona("researcher").post(
        "/tools/concept-scan/instrument",
        data={"title": "Conceptscan", "items": "Feedback | Goed\nZomaar een zin"},
    )

    assert "Regel 2" in response.get_data(as_text=True)


def test_participant_answers_and_may_change_until_the_moment_closes(
    app, as_persona, world
):
    client = as_persona("participant")
    path = f"/administrations/{world.ids['administration']}"

    first = client.post(path, data=answers(app, world, "2"))
    second = client.post(path, data=answers(app, world, "4"))
    as_persona("facilitator").post(f"{path}/close")
    late = client.post(path, data=answers(app, world, "5"))

    results = as_persona("facilitator").get(f"{path}/results").get_data(as_text=True)
    assert (first.status_code, second.status_code) == (303, 303)
    assert "gesloten" in late.get_data(as_text=True)
    assert "<td>4</td>" in results or "<td>4.0</td>" in results


def test_every_question_needs_an_answer(app, as_persona, world):
    first, _second = items(app, world)

    response = as_persona("participant").post(
        f"/administrations/{world.ids['administration']}", data={f"item_{first}": "3"}
    )

    assert "Kies een antwoord." in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["0", "6", "x", ""])
def test_answers_outside_the_scale_are_refused(app, as_persona, world, value):
    response = as_persona("participant").post(
        f"/administrations/{world.ids['administration']}",
        data=answers(app, world, value),
    )

    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)


def add_members(app, world, make_user, count):
    from hcimv_lc.communities.models import Community, Membership

    people = []
    with app.app_context():
        community_id = db.session.scalar(
            select(Community.id).where(Community.slug == world.closed)
        )
    for number in range(count):
        person = make_user(f"extra{number}@example.org", f"Extra {number}")
        with app.app_context():
            db.session.add(
                Membership(
                    user_id=person.id, community_id=community_id, role="participant"
                )
            )
            db.session.commit()
        people.append(person)
    return people


def make_anonymous(app):
    with app.app_context():
        instrument = db.session.scalar(select(Instrument))
        instrument.is_anonymous = True
        db.session.commit()


def test_anonymous_results_appear_only_from_five_respondents(
    app, as_persona, world, make_user
):
    from tests.conftest import clients_for

    make_anonymous(app)
    path = f"/administrations/{world.ids['administration']}"
    extra = add_members(app, world, make_user, 2)
    personas = ["participant", "facilitator", "researcher"]
    for persona in personas:
        as_persona(persona).post(path, data=answers(app, world, "3"))
    world.people["extra0"], world.people["extra1"] = extra
    clients_for(app, world)("extra0").post(path, data=answers(app, world, "1"))

    four = as_persona("facilitator").get(f"{path}/results").get_data(as_text=True)
    clients_for(app, world)("extra1").post(path, data=answers(app, world, "4"))
    five_open = as_persona("facilitator").get(f"{path}/results").get_data(as_text=True)
    as_persona("facilitator").post(f"{path}/close")
    five = as_persona("facilitator").get(f"{path}/results").get_data(as_text=True)

    assert "vanaf vijf mensen" in four
    assert "<td>1</td>" not in four and "2.8" not in four
    assert "2.8" not in five_open
    assert "<td>2.8</td>" in five


def test_anonymous_difference_needs_the_same_group_at_both_moments(
    app, as_persona, world, make_user
):
    from hcimv_lc.instruments import service
    from hcimv_lc.instruments.models import Administration

    make_anonymous(app)
    with app.app_context():
        start = db.session.get(Administration, world.ids["administration"])
        end = Administration(
            sprint_id=start.sprint_id, instrument_id=start.instrument_id, moment="end"
        )
        db.session.add(end)
        db.session.commit()
        start_id, end_id = start.id, end.id
    extra = add_members(app, world, make_user, 3)
    for number, person in enumerate(extra):
        world.people[f"extra{number}"] = person
    everyone = [
        "participant",
        "facilitator",
        "researcher",
        "extra0",
        "extra1",
        "extra2",
    ]
    from tests.conftest import clients_for

    for persona in everyone:
        clients_for(app, world)(persona).post(
            f"/administrations/{start_id}", data=answers(app, world, "3")
        )
    for persona in everyone[:5]:
        clients_for(app, world)(persona).post(
            f"/administrations/{end_id}", data=answers(app, world, "4")
        )
    with app.app_context():
        for item in db.session.scalars(db.select(Administration)):
            service.close_moment(item)
        db.session.commit()
        start, end = (
            db.session.get(Administration, start_id),
            db.session.get(Administration, end_id),
        )
        effects, hidden = service.effect(start, end)

    assert hidden and effects == []


def test_effect_size_matches_a_worked_example(app, as_persona, world):
    """Start 2, 3, 4 and end 4, 4, 5: differences 2, 1, 1.

    Mean difference 4/3 = 1.33; sd of the differences sqrt(1/3) = 0.577;
    Cohen's d for paired samples = 1.333 / 0.577 = 2.31, n = 3.
    """
    path = f"/administrations/{world.ids['administration']}"
    people = ["participant", "facilitator", "researcher"]
    for persona, value in zip(people, ["2", "3", "4"], strict=True):
        as_persona(persona).post(path, data=answers(app, world, value))
    facilitator = as_persona("facilitator")
    facilitator.post(f"{path}/close")
    with app.app_context():
        start = db.session.get(Administration, world.ids["administration"])
        instrument_id = start.instrument_id
    facilitator.post(
        f"/sprints/{world.ids['sprint']}/instruments",
        data={"instrument": instrument_id, "moment": "end"},
    )
    with app.app_context():
        end = db.session.scalar(
            select(Administration).where(Administration.moment == "end")
        )
        end_path = f"/administrations/{end.id}"
    for persona, value in zip(people, ["4", "4", "5"], strict=True):
        as_persona(persona).post(end_path, data=answers(app, world, value))

    page = facilitator.get(f"{end_path}/results").get_data(as_text=True)

    row = page[page.index("Start tegenover eind") :]
    assert "<td>3</td>" in row
    assert "<td>1.33</td>" in row
    assert "<td>2.31</td>" in row


def test_a_moment_cannot_be_started_twice(app, as_persona, world):
    with app.app_context():
        instrument_id = db.session.scalar(select(Instrument.id))

    response = as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/instruments",
        data={"instrument": instrument_id, "moment": "start"},
    )

    assert "al gestart" in response.get_data(as_text=True)


def test_weak_dimension_links_to_tools_that_address_it(
    app, as_persona, world, make_user
):
    path = f"/administrations/{world.ids['administration']}"
    as_persona("participant").post(path, data=answers(app, world, "1"))

    page = as_persona("facilitator").get(f"{path}/results").get_data(as_text=True)

    assert "Zwakke punten" in page and "Samenwerken" in page

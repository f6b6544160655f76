"""Challenges: the backlog, the team, scheduling into sprints and the board."""

from sqlalchemy import select

from hcimv_lc.challenges.models import Challenge
from hcimv_lc.extensions import db


def challenge(app, challenge_id):
    with app.app_context():
        item = db.session.get(Challenge, challenge_id)
        return {
            "status": item.status,
            "sprint_id": item.sprint_id,
            "position": item.position,
            "team": [person.email for person in item.team],
        }


def challenge_form(world, **fields):
    data = {
        "title": "Thuisbatterij plaatsen",
        "description": "Klanten vragen erom",
        "organisation": world.organisation_id,
        "site": "Doetinchem",
        "learning_goals": "Regels kennen",
        "success_criteria": "Twee monteurs gecertificeerd",
        "team": [world.person("participant").id, world.person("researcher").id],
    }
    data.update(fields)
    return data


def test_facilitator_adds_a_challenge_to_the_backlog_with_a_team(
    app, as_persona, world
):
    client = as_persona("facilitator")

    response = client.post(
        f"/communities/{world.closed}/challenges/new", data=challenge_form(world)
    )

    with app.app_context():
        item = db.session.scalar(
            select(Challenge).where(Challenge.title == "Thuisbatterij plaatsen")
        )
        team = [person.email for person in item.team]
        assert item.sprint_id is None
    assert response.status_code == 303
    assert team == ["participant@example.org", "researcher@example.org"]
    backlog = client.get(f"/communities/{world.closed}/challenges").get_data(
        as_text=True
    )
    assert "Thuisbatterij plaatsen" in backlog


def test_team_can_only_hold_members_of_the_community(app, as_persona, world):
    response = as_persona("facilitator").post(
        f"/communities/{world.closed}/challenges/new",
        data=challenge_form(world, team=[world.person("outsider").id]),
    )

    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_challenge_without_title_keeps_the_input(as_persona, world):
    response = as_persona("facilitator").post(
        f"/communities/{world.closed}/challenges/new",
        data=challenge_form(world, title=""),
    )

    page = response.get_data(as_text=True)
    assert "Vul dit veld in." in page
    assert "Klanten vragen erom" in page


def test_facilitator_moves_a_challenge_into_a_sprint_and_back(app, as_persona, world):
    client = as_persona("facilitator")
    backlog = world.ids["backlog"]

    client.post(f"/challenges/{backlog}/schedule", data={"sprint": world.ids["sprint"]})
    in_sprint = challenge(app, backlog)["sprint_id"]
    client.post(f"/challenges/{backlog}/schedule", data={"sprint": "0"})

    assert in_sprint == world.ids["sprint"]
    assert challenge(app, backlog)["sprint_id"] is None


def test_challenge_cannot_go_into_another_communitys_sprint(app, as_persona, world):
    as_persona("facilitator").post(
        f"/challenges/{world.ids['backlog']}/schedule",
        data={"sprint": world.ids["other_sprint"]},
    )

    assert challenge(app, world.ids["backlog"])["sprint_id"] is None


def test_team_member_moves_their_card_across_the_board(app, as_persona, world):
    response = as_persona("participant").post(
        f"/challenges/{world.ids['challenge']}/move", data={"status": "in_progress"}
    )

    assert response.status_code == 303
    assert challenge(app, world.ids["challenge"])["status"] == "in_progress"


def test_member_outside_the_team_cannot_move_a_card(app, as_persona, world):
    response = as_persona("researcher").post(
        f"/challenges/{world.ids['challenge']}/move", data={"status": "done"}
    )

    assert response.status_code == 403
    assert challenge(app, world.ids["challenge"])["status"] == "open"


def test_htmx_move_swaps_back_the_board(as_persona, world):
    response = as_persona("facilitator").post(
        f"/challenges/{world.ids['challenge']}/move",
        data={"status": "done"},
        headers={"HX-Request": "true"},
    )

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="board"')
    assert page.index("Klaar") < page.index("Inregelen")


def test_order_within_a_column_is_kept(app, as_persona, world):
    client = as_persona("facilitator")
    ids = [world.ids["challenge"]]
    for title in ("Tweede", "Derde"):
        client.post(
            f"/communities/{world.closed}/challenges/new",
            data=challenge_form(world, title=title, team=[]),
        )
        with app.app_context():
            item = db.session.scalar(select(Challenge).where(Challenge.title == title))
            ids.append(item.id)
        client.post(
            f"/challenges/{item.id}/schedule", data={"sprint": world.ids["sprint"]}
        )

    client.post(f"/challenges/{ids[2]}/move", data={"status": "open", "position": "0"})

    with app.app_context():
        order = db.session.scalars(
            select(Challenge.title)
            .where(Challenge.sprint_id == world.ids["sprint"])
            .order_by(Challenge.position)
        ).all()
    assert order == ["Derde", "Inregelen", "Tweede"]


def test_move_with_an_unknown_column_is_refused(app, as_persona, world):
    response = as_persona("facilitator").post(
        f"/challenges/{world.ids['challenge']}/move", data={"status": "somewhere"}
    )

    assert response.status_code == 400
    assert challenge(app, world.ids["challenge"])["status"] == "open"


def test_challenge_page_shows_goals_team_and_controls(as_persona, world):
    page = (
        as_persona("facilitator")
        .get(f"/challenges/{world.ids['challenge']}")
        .get_data(as_text=True)
    )

    assert "Piet Deelnemer" in page
    assert "Bewerken" in page

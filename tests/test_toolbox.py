"""The toolbox: tools, revisions and their differences, families, and search."""

import pytest
from sqlalchemy import select

from hcimv_lc.extensions import db
from hcimv_lc.toolbox.models import Tool, ToolRevision


def tool_form(world, **fields):
    data = {
        "title": "Leercultuurscan Twente",
        "summary": "Een korte scan voor installatiebedrijven",
        "body": "Stel **twaalf** vragen aan het team.",
        "kind": "scan",
        "level": "company",
        "themes": ["companies"],
        "organisation": world.organisation_id,
        "authors": "Lectoraat Employability Transition",
        "licence": "CC BY-SA 4.0",
        "url": "",
        "status": "published",
        "visibility": "public",
        "note": "Eerste versie",
    }
    data.update(fields)
    return data


def tool(app, **criteria):
    with app.app_context():
        return db.session.scalar(select(Tool).filter_by(**criteria))


def test_researcher_publishes_a_tool_with_a_first_revision(
    app, as_persona, client, world
):
    response = as_persona("researcher").post("/tools/new", data=tool_form(world))

    item = tool(app, title="Leercultuurscan Twente")
    assert response.status_code == 303
    assert (item.kind, item.status, item.organisation_id) == (
        "scan",
        "published",
        world.organisation_id,
    )
    page = client.get(f"/tools/{item.slug}").get_data(as_text=True)
    assert "<strong>twaalf</strong>" in page
    assert "Versie 1" in page


def test_participant_may_not_publish_a_tool(as_persona, world):
    assert (
        as_persona("participant").post("/tools/new", data=tool_form(world)).status_code
        == 403
    )


def test_every_edit_is_a_revision_and_the_difference_can_be_seen(
    app, as_persona, world
):
    client = as_persona("researcher")
    client.post("/tools/new", data=tool_form(world))
    slug = tool(app, title="Leercultuurscan Twente").slug

    client.post(
        f"/tools/{slug}/edit",
        data=tool_form(world, body="Stel **tien** vragen aan het team.", note="Korter"),
    )
    page = client.get(f"/tools/{slug}/history?from=1&to=2").get_data(as_text=True)

    with app.app_context():
        notes = db.session.scalars(
            select(ToolRevision.note).order_by(ToolRevision.number)
        )
        assert list(notes) == ["Eerste versie", "Korter"]
    assert '<span class="removed">- Stel **twaalf** vragen aan het team.</span>' in page
    assert '<span class="added">+ Stel **tien** vragen aan het team.</span>' in page


def test_an_edit_needs_a_note(app, as_persona, world):
    client = as_persona("researcher")
    client.post("/tools/new", data=tool_form(world))
    slug = tool(app, title="Leercultuurscan Twente").slug

    response = client.post(f"/tools/{slug}/edit", data=tool_form(world, note=""))

    assert "Vul dit veld in." in response.get_data(as_text=True)


def test_adapted_tool_shows_its_family(app, as_persona, client, world):
    researcher = as_persona("researcher")
    researcher.post("/tools/new", data=tool_form(world))
    origin = tool(app, title="Leercultuurscan Twente").slug

    as_persona("other_researcher").post(
        f"/tools/new?adapt={origin}",
        data=tool_form(world, title="Leercultuurscan Noord"),
    )

    copy = tool(app, title="Leercultuurscan Noord")
    assert copy.adapted_from_id == tool(app, slug=origin).id
    assert "Leercultuurscan Noord" in client.get(f"/tools/{origin}").get_data(
        as_text=True
    )
    assert "Aangepast van" in client.get(f"/tools/{copy.slug}").get_data(as_text=True)


def test_draft_tool_is_hidden_from_others_and_from_search(
    app, as_persona, client, world
):
    as_persona("researcher").post(
        "/tools/new", data=tool_form(world, status="draft", title="Geheim concept")
    )
    slug = tool(app, title="Geheim concept").slug

    assert as_persona("other_researcher").get(f"/tools/{slug}").status_code == 404
    assert as_persona("researcher").get(f"/tools/{slug}").status_code == 200
    assert "Geheim concept" not in client.get("/toolbox?q=geheim").get_data(
        as_text=True
    )


def test_tool_for_signed_in_users_is_out_of_the_public_search(
    app, as_persona, client, world
):
    as_persona("researcher").post(
        "/tools/new", data=tool_form(world, visibility="signed_in", title="Binnenkant")
    )

    assert "Binnenkant" not in client.get("/toolbox?q=binnenkant").get_data(
        as_text=True
    )
    assert "Binnenkant" in as_persona("outsider").get("/toolbox?q=binnenkant").get_data(
        as_text=True
    )
    slug = tool(app, title="Binnenkant").slug
    assert client.get(f"/tools/{slug}").status_code == 302


@pytest.fixture
def demo(app, world):
    result = app.test_cli_runner().invoke(args=["seed", "--no-demo-accounts"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("krachtscan", "Krachtscan voor de krachtige leerwerkomgeving"),
        ("ontwerp", "Ontwerpspel krachtige leerwerkomgeving"),
        ("skills paspoort", "Digitaal Skills Paspoort voor vakmensen"),
        ("matching", "Matching en Carrière Tool"),
        ("eigen regie", "Routekaart eigen regie"),
        ("netwerk", "Lerend netwerk eigen regie"),
        ("leerc", "Interventieset voor een proactieve leercultuur"),
    ],
)
def test_search_gives_the_same_best_result_on_both_engines(
    as_persona, demo, world, query, first
):
    page = as_persona("outsider").get(f"/toolbox?q={query}").get_data(as_text=True)

    titles = [line.split(">")[-1] for line in page.split("</a></h2>")[:-1]]
    assert titles[0] == first


def test_a_broad_search_says_more_than_and_puts_title_matches_first(
    as_persona, demo, world, monkeypatch
):
    from hcimv_lc.toolbox import search

    monkeypatch.setattr(search, "MOST_COUNTED", 3)

    page = as_persona("outsider").get("/toolbox?q=eigen").get_data(as_text=True)

    titles = [line.split(">")[-1] for line in page.split("</a></h2>")[:-1]]
    assert "Meer dan 3 resultaten" in page
    assert len(titles) == 3
    assert titles == sorted(titles, key=lambda title: "eigen" not in title.lower())
    assert "eigen" in titles[0].lower()


def test_search_filters_by_kind_level_and_theme(client, demo, world):
    games = client.get("/toolbox?kind=game").get_data(as_text=True)
    networks = client.get("/toolbox?level=network&theme=networks").get_data(
        as_text=True
    )

    assert "Ontwerpspel krachtige leerwerkomgeving" in games
    assert "Leercultuurscan voor het mkb" not in games
    assert "Leercultuurscan voor het mkb" not in networks


def test_search_updates_while_typing_through_htmx(client, demo, world):
    response = client.get("/toolbox?q=krachtscan", headers={"HX-Request": "true"})

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="results"')
    assert "Krachtscan" in page


@pytest.mark.parametrize(
    "query", ['"', "*", "AND OR NOT", "a:*", "(((", "%00", "x" * 300]
)
def test_odd_search_input_never_fails(client, demo, world, query):
    assert client.get("/toolbox", query_string={"q": query}).status_code == 200


def test_published_lesson_is_found_next_to_tools(app, as_persona, client, world):
    as_persona("facilitator").post(
        f"/sprints/{world.ids['sprint']}/close",
        data={
            "worked": "De warmtepompcoach op de bouwplaats",
            "did_not_work": "Avonden",
            "advice": "Plan overdag",
            "visibility": "public",
        },
    )

    page = client.get("/toolbox?q=warmtepompcoach").get_data(as_text=True)

    assert "Les: Warmtepompen" in page


def application_form(world, **fields):
    data = {
        "sprint": world.ids["sprint"],
        "applied_on": "2026-11-10",
        "adaptation": "Korter gemaakt",
        "sector": "Installatietechniek",
        "company_size": "micro",
        "region": world.region_ids["twente"],
        "background": "Monteurs en mbo-studenten",
        "mechanism": "Samen scoren maakte verschillen bespreekbaar",
        "outcome": "Twee bedrijven plannen nu leertijd in",
        "evidence": [world.ids["community_entry"]],
        "rating": "5",
        "would_use_again": "y",
    }
    data.update(fields)
    return data


def test_facilitator_records_an_application_with_evidence(app, as_persona, world):
    client = as_persona("facilitator")

    response = client.post(
        f"/tools/{world.ids['tool']}/applications/new", data=application_form(world)
    )

    from hcimv_lc.toolbox.models import Application

    with app.app_context():
        item = db.session.scalar(select(Application).where(Application.rating == 5))
        evidence = [entry.id for entry in item.evidence]
    assert response.status_code == 303
    assert evidence == [world.ids["community_entry"]]
    page = client.get(f"/tools/{world.ids['tool']}").get_data(as_text=True)
    assert "Twee bedrijven plannen nu leertijd in" in page


def test_application_needs_a_mechanism_and_an_outcome(as_persona, world):
    response = as_persona("researcher").post(
        f"/tools/{world.ids['tool']}/applications/new",
        data=application_form(world, mechanism="", outcome="  "),
    )

    page = response.get_data(as_text=True)
    assert "Beschrijf het mechanisme." in page and "Beschrijf de uitkomst." in page


def test_application_in_a_sprint_of_another_community_is_refused(
    app, as_persona, world
):
    response = as_persona("facilitator").post(
        f"/tools/{world.ids['tool']}/applications/new",
        data=application_form(world, sprint=world.ids["other_sprint"]),
    )

    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_comparison_shows_count_average_and_outcomes_per_context(
    as_persona, client, world
):
    as_persona("facilitator").post(
        f"/tools/{world.ids['tool']}/applications/new", data=application_form(world)
    )

    twente = client.get(f"/toolbox/compare?region={world.region_ids['twente']}")
    groningen = client.get(f"/toolbox/compare?region={world.region_ids['groningen']}")
    micro = client.get("/toolbox/compare?company_size=micro")

    assert "2×" in twente.get_data(as_text=True)
    assert "4.5" in twente.get_data(as_text=True)
    assert "Werkplekscan" not in groningen.get_data(as_text=True)
    assert "1×" in micro.get_data(as_text=True)


def test_search_filters_on_region_applied_and_rating(client, world):
    twente = client.get(f"/toolbox?region={world.region_ids['twente']}").get_data(
        as_text=True
    )
    high = client.get("/toolbox?min_rating=5").get_data(as_text=True)
    good = client.get("/toolbox?min_rating=4").get_data(as_text=True)

    assert "Werkplekscan" in twente
    assert "Werkplekscan" not in high
    assert "Werkplekscan" in good


def test_a_private_entry_cannot_serve_as_evidence(as_persona, world):
    response = as_persona("facilitator").post(
        f"/tools/{world.ids['tool']}/applications/new",
        data=application_form(world, evidence=[world.ids["private_entry"]]),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Geleerd (private)" not in page


def test_a_measurement_of_the_sprint_can_be_the_evidence(app, as_persona, world):
    client = as_persona("facilitator")

    client.post(
        f"/tools/{world.ids['tool']}/applications/new",
        data=application_form(world, administration=world.ids["administration"]),
    )

    from hcimv_lc.toolbox.models import Application

    with app.app_context():
        item = db.session.scalar(select(Application).where(Application.rating == 5))
        application_id = item.id
    page = client.get(f"/applications/{application_id}").get_data(as_text=True)
    assert f"/administrations/{world.ids['administration']}/results" in page

"""The number of SQL statements of a page does not grow with its data."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community, Membership
from hcimv_lc.discussion.models import Thread
from hcimv_lc.extensions import db
from hcimv_lc.instruments.models import Dimension, Instrument, Item
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.sprints.models import Meeting, Sprint
from hcimv_lc.toolbox.models import Application, Tool

# SQLite's driver sends BEGIN through the cursor and psycopg does not: not counted.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def count_statements(app, transaction_control=False):
    """Collect the SQL statements that run inside the block, but transaction control."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if transaction_control or not statement.lstrip().upper().startswith(
            TRANSACTION_CONTROL
        ):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def grow(app, world, number):
    """Add members, challenges with teams, and meetings to the closed community."""
    with app.app_context():
        community = db.session.scalar(db.select(Community).filter_by(slug=world.closed))
        sprint = db.session.get(Sprint, world.ids["sprint"])
        tool_id = db.session.scalar(
            db.select(Tool.id).filter_by(slug=world.ids["tool"])
        )
        instrument_id = db.session.scalar(
            db.select(Instrument.id).filter_by(tool_id=tool_id)
        )
        for index in range(number):
            user = User(
                email=f"extra{index}@example.org",
                name=f"Extra {index}",
                password_hash="x",
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Membership(
                    user_id=user.id, community_id=community.id, role="participant"
                )
            )
            challenge = Challenge(
                community_id=community.id,
                sprint_id=sprint.id,
                title=f"Uitdaging {index}",
                position=index + 1,
            )
            challenge.team = [user]
            db.session.add(challenge)
            db.session.add(
                Challenge(community_id=community.id, title=f"Backlog {index}")
            )
            db.session.add(
                LogEntry(
                    author_id=user.id,
                    community_id=community.id,
                    sprint_id=sprint.id,
                    date=sprint.start_date,
                    minutes=30,
                    kind="informal",
                    subtype="peer",
                    what=f"Geleerd {index}",
                    visibility="community",
                )
            )
            db.session.add(
                Thread(
                    community_id=community.id, author_id=user.id, title=f"Vraag {index}"
                )
            )
            db.session.add(
                Dimension(
                    instrument_id=instrument_id,
                    position=index + 1,
                    name=f"Dimensie {index}",
                    items=[Item(position=0, text=f"Vraag {index}")],
                )
            )
            db.session.add(
                Application(
                    tool_id=tool_id,
                    sprint_id=sprint.id,
                    applied_on=sprint.start_date,
                    company_size="small",
                    region_id=community.region_id,
                    mechanism="m",
                    outcome=f"Uitkomst {index}",
                    rating=3,
                )
            )
            db.session.add(
                Meeting(
                    sprint_id=sprint.id,
                    date=sprint.start_date,
                    start_time=sprint_time(),
                    end_time=sprint_time(11),
                )
            )
        db.session.commit()


def sprint_time(hour=9):
    from datetime import time

    return time(hour)


PAGES = [
    "/",
    "/communities",
    "/communities/{closed}",
    "/communities/{closed}/members",
    "/communities/{closed}/challenges",
    "/sprints/{sprint}",
    "/challenges/{challenge}",
    "/calendar",
    "/calendar/sprints/{sprint_token}.ics",
    "/log",
    "/communities/{closed}/log",
    "/communities/{closed}/discussion",
    "/sprints/{sprint}/participation",
    "/toolbox",
    "/toolbox?q=werkplekscan",
    "/toolbox/compare",
    "/tools/{tool}",
    "/administrations/{administration}/results",
    "/administrations/{administration}",
]


@pytest.mark.parametrize("template", PAGES)
def test_page_statement_count_does_not_grow_with_the_data(
    app, as_persona, world, template
):
    client = as_persona("facilitator")
    path = template.format(closed=world.closed, **world.ids)
    client.get(path)

    with count_statements(app) as small:
        assert client.get(path).status_code == 200
    grow(app, world, 15)
    with count_statements(app) as large:
        assert client.get(path).status_code == 200

    assert len(large) == len(small)
    # The signed-in home assembles the quick log and the week of every sprint led.
    assert len(small) <= (8 if template == "/" else 12)
    assert len(set(small)) == len(small), "a statement runs twice"


MAIN_PAGES = [
    ("participant", "/"),
    ("facilitator", "/"),
    ("participant", "/communities/{closed}"),
    ("facilitator", "/sprints/{sprint}"),
    ("participant", "/log"),
    ("facilitator", "/sprints/{sprint}/participation"),
    ("participant", "/toolbox?q=werkplekscan"),
    ("facilitator", "/sprints/{sprint}/dashboard"),
    ("researcher", "/dashboards/regions"),
]


@pytest.mark.parametrize(("persona", "template"), MAIN_PAGES)
def test_main_page_needs_at_most_eight_statements_whatever_the_data(
    app, as_persona, world, persona, template
):
    client = as_persona(persona)
    path = template.format(closed=world.closed, **world.ids)
    grow_skills(app, world, 2)

    def grow_both():
        grow(app, world, 15)
        grow_skills(app, world, 15)

    small, large = statements_before_and_after(app, client, path, grow_both)

    assert_flat(small, large, most=8)


def test_facilitator_home_shows_who_logged_what_was_shared_and_what_stands_still(
    app, as_persona, world
):
    from datetime import timedelta

    from hcimv_lc.database import utcnow

    with app.app_context():
        challenge = db.session.get(Challenge, world.ids["challenge"])
        challenge.moved_at = utcnow() - timedelta(weeks=3)
        db.session.commit()
    client = as_persona("facilitator")

    page = client.get("/").get_data(as_text=True)

    assert "Warmtepompen" in page
    assert "week 2 van 12" in page
    assert 'title="Piet Deelnemer: gelogd"' in page
    # The entries for the facilitators and for the community, not the private one.
    assert "2 gedeelde activiteiten deze week" in page
    assert "Al twee weken stil:" in page
    assert f'href="/challenges/{world.ids["challenge"]}">Inregelen</a>' in page


def test_participant_home_shows_their_challenge_and_the_quick_log_choices(
    app, as_persona, world
):
    client = as_persona("participant")

    page = client.get("/").get_data(as_text=True)

    assert "Jouw uitdaging" in page
    assert f'<option value="{world.ids["challenge"]}">Inregelen</option>' in page
    assert "Al twee weken stil:" not in page


def statements_before_and_after(app, client, path, grow_data):
    """Return the statements of the page with its data, and after grow_data()."""
    client.get(path)
    with count_statements(app) as small:
        assert client.get(path).status_code == 200
    grow_data()
    with count_statements(app) as large:
        assert client.get(path).status_code == 200
    return small, large


def assert_flat(small, large, most=12) -> None:
    assert len(large) == len(small), (small, large)
    assert len(small) <= most
    assert len(set(small)) == len(small), "a statement runs twice"


def grow_skills(app, world, number):
    """Add claims with evidence, share links and findable people who fit a challenge."""
    from hcimv_lc.skills.models import (
        ClaimEvent,
        EvidenceLink,
        ShareLink,
        Skill,
        SkillClaim,
    )

    with app.app_context():
        participant_id = world.person("participant").id
        community = db.session.scalar(db.select(Community).filter_by(slug=world.closed))
        challenge = db.session.get(Challenge, world.ids["challenge"])
        entry = db.session.get(LogEntry, world.ids["community_entry"])
        start = db.session.scalar(db.select(db.func.count(Skill.id)))
        for index in range(start, start + number):
            skill = Skill(slug=f"skill-{index}", name_nl=f"Vak {index}", name_en="x")
            challenge.needed_skills.append(skill)
            person = User(
                email=f"skilled{index}@example.org",
                name=f"Vakmens {index}",
                password_hash="x",
                findable=True,
            )
            db.session.add(person)
            db.session.flush()
            db.session.add(
                Membership(
                    user_id=person.id, community_id=community.id, role="participant"
                )
            )
            for owner_id in (participant_id, person.id):
                claim = SkillClaim(
                    user_id=owner_id,
                    community_id=community.id,
                    skill=skill,
                    level=3,
                    status="validated" if index % 2 else "submitted",
                    validated_at=db.func.now(),
                    validated_by_id=world.person("facilitator").id,
                )
                claim.links.append(EvidenceLink(url="https://example.org", title="w"))
                claim.events.append(ClaimEvent(actor_id=owner_id, step="submitted"))
                if owner_id == participant_id:
                    claim.entries.append(entry)
                db.session.add(claim)
            db.session.add(
                ShareLink(
                    user_id=participant_id,
                    token_hash=f"{index:064d}",
                    label=f"Link {index}",
                    expires_on=entry.date.replace(year=entry.date.year + 1),
                    skills=[skill],
                )
            )
        db.session.commit()


SKILL_PAGES = [
    ("participant", "/passport"),
    ("participant", "/passport.json"),
    ("participant", "/passport/shares"),
    ("participant", "/passport/matching"),
    ("participant", "/claims/new"),
    ("participant", "/claims/{claim}"),
    ("participant", "/s/{share_token}"),
    ("participant", "/skills"),
    ("participant", "/badges/{credential}"),
    ("facilitator", "/claims/review"),
    ("facilitator", "/claims/{claim}"),
    ("facilitator", "/challenges/{challenge}/suggestions"),
]


@pytest.mark.parametrize(("persona", "template"), SKILL_PAGES)
def test_skill_page_statement_count_does_not_grow_with_the_data(
    app, as_persona, world, persona, template
):
    client = as_persona(persona)
    path = template.format(**world.ids)
    grow_skills(app, world, 2)

    small, large = statements_before_and_after(
        app, client, path, lambda: grow_skills(app, world, 15)
    )

    assert_flat(small, large)


DASHBOARDS = [
    "/sprints/{sprint}/dashboard",
    "/communities/{closed}/dashboard",
    "/dashboards/regions",
]


@pytest.mark.parametrize("template", DASHBOARDS)
def test_dashboard_statement_count_does_not_grow_with_the_data(
    app, as_persona, world, template
):
    client = as_persona("researcher")
    path = template.format(closed=world.closed, **world.ids)
    grow_skills(app, world, 2)

    def grow_both():
        grow(app, world, 15)
        grow_skills(app, world, 15)

    small, large = statements_before_and_after(app, client, path, grow_both)

    assert_flat(small, large)


def grow_visits(app, world, number):
    """Add company visits in both regions, with needs now and later, and claims."""
    from datetime import timedelta

    from sqlalchemy import insert

    from hcimv_lc.regional.models import CompanyVisit, company_visit_skill
    from hcimv_lc.skills.models import Skill, SkillClaim

    with app.app_context():
        community = db.session.scalar(db.select(Community).filter_by(slug=world.closed))
        later = db.session.scalar(
            db.select(Skill.id).filter_by(slug=world.ids["skill"])
        )
        start = db.session.scalar(db.select(db.func.count(Skill.id)))
        for index in range(start, start + number):
            skill = Skill(slug=f"need-{index}", name_nl=f"Vraag {index}", name_en="x")
            db.session.add(skill)
            db.session.flush()
            for region, sector in (("twente", "bouw"), ("groningen", "zorg")):
                visit = CompanyVisit(
                    recorded_by_id=world.person("participant").id,
                    company_name=f"Bedrijf {index} {region}",
                    sector=sector,
                    company_size="small",
                    region_id=world.region_ids[region],
                    visited_on=community.created_at.date() - timedelta(days=index * 40),
                    time_to_learn=3,
                )
                db.session.add(visit)
                db.session.flush()
                needs = [(skill.id, "now"), (later, "two_years")]
                db.session.execute(
                    insert(company_visit_skill),
                    [
                        {"visit_id": visit.id, "skill_id": need, "horizon": horizon}
                        for need, horizon in needs
                    ],
                )
            db.session.add(
                SkillClaim(
                    user_id=world.person("participant").id,
                    community_id=community.id,
                    skill_id=skill.id,
                    level=3,
                    status="validated",
                )
            )
        db.session.commit()


REGIONAL_PAGES = [
    ("researcher", "/regional"),
    ("researcher", "/regional?region={twente}&sector=bouw&start=2020-01"),
    ("researcher", "/regional.csv?table=trend"),
    ("researcher", "/regional.csv?table=gap&region={twente}"),
    ("participant", "/regional/visits"),
    ("participant", "/regional/visits/new"),
    ("participant", "/regional/visits/{visit}"),
    ("facilitator", "/communities/{closed}/sprints/new"),
]


@pytest.mark.parametrize(("persona", "template"), REGIONAL_PAGES)
def test_regional_page_statement_count_does_not_grow_with_the_data(
    app, as_persona, world, persona, template
):
    client = as_persona(persona)
    path = template.format(
        twente=world.region_ids["twente"], closed=world.closed, **world.ids
    )
    grow_visits(app, world, 2)

    small, large = statements_before_and_after(
        app, client, path, lambda: grow_visits(app, world, 15)
    )

    assert_flat(small, large)

"""Fixtures: the app on each database, a CSRF-aware client, personas and a world."""

import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

os.environ["HCIMV_ENV"] = "testing"
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from hcimv_lc import create_app  # noqa: E402
from hcimv_lc.badges.keys import create_key  # noqa: E402
from hcimv_lc.extensions import db, limiter  # noqa: E402
from hcimv_lc.mail import outbox  # noqa: E402

BACKENDS = ["sqlite"]
if os.environ.get("TEST_DATABASE_URL"):
    BACKENDS.append("postgresql")

CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"')
TEST_PASSWORD = "a long test password"


class CSRFClient(FlaskClient):
    """A test client that sends the page's CSRF token with every state change.

    Pass `csrf=False` to send none, as a forged request would.
    """

    def open(self, *args, csrf: bool = True, **kwargs):
        method = kwargs.get("method", "GET").upper()
        if csrf and method not in {"GET", "HEAD", "OPTIONS"}:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = super().open("/", method="GET")
        match = CSRF_IN_PAGE.search(page.get_data(as_text=True))
        assert match, "the home page carries no CSRF token"
        return match.group(1)


def worker_database(url: str) -> str:
    """Return the database of this pytest-xdist worker: its own, beside the one named.

    `make test` runs the suite in one process per core; each empties its database
    after every test, so they cannot share one.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    named = make_url(url)
    own = f"{named.database}_{worker}"
    engine = create_engine(named, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        query = text("SELECT 1 FROM pg_database WHERE datname = :name")
        if connection.scalar(query, {"name": own}) is None:
            connection.execute(text(f'CREATE DATABASE "{own}"'))
    engine.dispose()
    return named.set(database=own).render_as_string(hide_password=False)


def reset_postgresql(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    """The app with a database built by the migrations, once per engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    else:
        url = worker_database(os.environ["TEST_DATABASE_URL"])
        reset_postgresql(url)

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_BACKEND": "memory",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_STORAGE_URI": "memory://",
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "BADGE_KEY_PATH": str(tmp_path_factory.mktemp("keys") / "badge.pem"),
        }
    )
    create_key(Path(app.config["BADGE_KEY_PATH"]))
    app.test_client_class = CSRFClient
    with app.app_context():
        upgrade()
    yield app

    with app.app_context():
        db.engine.dispose()


def empty_database(app) -> None:
    """Empty every table, and forget rate limits and mail."""
    with app.app_context():
        db.session.remove()
        tables = db.metadata.sorted_tables
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                db.session.execute(table.delete())
        db.session.commit()
        limiter.reset()
        outbox().clear()


@pytest.fixture(autouse=True)
def clean_database(request, app):
    """Empty the database after each test, unless it reads a shared world."""
    yield

    if not request.node.get_closest_marker("reads_shared_world"):
        empty_database(app)


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def mail(app):
    """The messages sent during the test."""
    with app.app_context():
        return outbox()


def login(client: CSRFClient, email: str, password: str = TEST_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@dataclass
class Person:
    id: int
    email: str
    name: str


@dataclass
class World:
    """Two regions, three communities and people with stated access.

    - `open`: an open community in Twente; `closed`: a closed one in Twente.
      Both have `facilitator`, `participant` and `researcher` as members.
    - `other`: a closed community in Groningen with `other_facilitator` and
      `other_researcher`; nobody from Twente is a member.
    - `outsider`: an account without memberships; `admin`: an administrator.
    """

    people: dict[str, Person | None]
    open: str
    closed: str
    other: str
    region_ids: dict[str, int]
    organisation_id: int
    membership_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    ids: dict[str, int | str] = field(default_factory=dict)

    def person(self, persona: str) -> Person | None:
        return self.people[persona]


PERSONAS = [
    "anonymous",
    "outsider",
    "participant",
    "facilitator",
    "other_facilitator",
    "researcher",
    "other_researcher",
    "admin",
]


def create_person(app, email: str, name: str = "Test Persoon", admin=False) -> Person:
    from hcimv_lc.accounts.service import create_user

    with app.app_context():
        user = create_user(email, name, TEST_PASSWORD, is_admin=admin)
        db.session.commit()
        return Person(user.id, user.email, user.name)


@pytest.fixture
def make_user(app):
    """Return a factory that creates an account and returns it as a Person."""

    def make(email: str, name: str = "Test Persoon", admin: bool = False) -> Person:
        return create_person(app, email, name, admin)

    return make


@pytest.fixture
def world(app) -> World:
    return build_world(app)


@pytest.fixture(scope="module")
def shared_world(app):
    """One world for the read-only tests of a module (mark them reads_shared_world)."""
    world = build_world(app)
    yield world

    empty_database(app)


def build_world(app) -> World:
    make_user = partial(create_person, app)
    from hcimv_lc.communities.models import Community, Membership
    from hcimv_lc.organisations.models import Organisation, Region

    people = {
        "anonymous": None,
        "outsider": make_user("outsider@example.org", "Olga Buiten"),
        "participant": make_user("participant@example.org", "Piet Deelnemer"),
        "facilitator": make_user("facilitator@example.org", "Fatima Facilitator"),
        "other_facilitator": make_user("facilitator2@example.org", "Frank Elders"),
        "researcher": make_user("researcher@example.org", "Rosa Onderzoek"),
        "other_researcher": make_user("researcher2@example.org", "Ruben Elders"),
        "admin": make_user("admin@example.org", "Anna Beheer", admin=True),
    }

    with app.app_context():
        twente = Region(slug="twente", name="Twente")
        groningen = Region(slug="groningen", name="Groningen")
        db.session.add_all([twente, groningen])
        db.session.flush()
        organisation = Organisation(
            slug="saxion", name="Saxion", kind="university", region_id=twente.id
        )
        db.session.add(organisation)

        def community(slug, name, region, is_open):
            item = Community(
                slug=slug,
                name=name,
                theme="companies",
                region_id=region.id,
                is_open=is_open,
                description="Over **ons**",
                description_html="<p>Over <strong>ons</strong></p>",
            )
            db.session.add(item)
            db.session.flush()
            return item

        communities = {
            "open": community("installateurs", "Installateurs Oost", twente, True),
            "closed": community("besloten-kring", "Besloten Kring", twente, False),
            "other": community("noorden", "Netwerk Noorden", groningen, False),
        }
        roles = {
            "open": {
                "facilitator": "facilitator",
                "participant": "participant",
                "researcher": "researcher",
            },
            "closed": {
                "facilitator": "facilitator",
                "participant": "participant",
                "researcher": "researcher",
            },
            "other": {
                "other_facilitator": "facilitator",
                "other_researcher": "researcher",
            },
        }
        memberships = {}
        for key, members in roles.items():
            for persona, role in members.items():
                membership = Membership(
                    user_id=people[persona].id,
                    community_id=communities[key].id,
                    role=role,
                )
                db.session.add(membership)
                db.session.flush()
                memberships[(key, persona)] = membership.id
        ids = add_community_objects(communities, people)
        ids.update(add_skill_objects(app, communities, people, ids))
        ids.update(add_visit_objects(communities, people))
        db.session.commit()

        return World(
            people=people,
            open="installateurs",
            closed="besloten-kring",
            other="noorden",
            region_ids={"twente": twente.id, "groningen": groningen.id},
            organisation_id=organisation.id,
            membership_ids=memberships,
            ids=ids,
        )


def add_community_objects(communities, people) -> dict[str, int | str]:
    """Give the communities sprints, a meeting, challenges and an invitation.

    - `sprint`: active, in `closed`, started last week, 12 weeks, one meeting;
      `challenge` is on its board with `participant` on the team.
    - `draft`: a draft sprint in `closed`; `backlog`: a challenge of `closed` in no
      sprint; `other_sprint` and `other_challenge` belong to `other`.
    - `lesson`: the lesson of a closed sprint of `open`, for signed-in readers.
    - `invitation`: a pending invitation into `closed`.
    - `private_entry`, `facilitators_entry`, `community_entry`: log entries of
      `participant` in `closed` with those visibilities; `comment` on the last.
    - `thread`: a discussion thread in `closed`; `notification`: one for
      `participant`; `tool` and `draft_tool`: tools of `researcher`.
    """
    from datetime import date, time, timedelta

    from hcimv_lc.accounts.models import User
    from hcimv_lc.challenges.models import Challenge
    from hcimv_lc.communities.models import Invitation
    from hcimv_lc.database import utcnow
    from hcimv_lc.discussion.models import Thread
    from hcimv_lc.instruments.models import Administration, Dimension, Instrument, Item
    from hcimv_lc.logbook.models import Comment, LogEntry
    from hcimv_lc.notifications.models import Notification
    from hcimv_lc.sprints.models import Lesson, Meeting, Sprint
    from hcimv_lc.toolbox import search
    from hcimv_lc.toolbox.models import Application, Tool

    monday = date.today() - timedelta(days=date.today().weekday())

    def sprint(key, title, status, start=monday - timedelta(weeks=1)):
        item = Sprint(
            community_id=communities[key].id,
            title=title,
            start_date=start,
            weeks=12,
            status=status,
        )
        db.session.add(item)
        db.session.flush()
        return item

    active = sprint("closed", "Warmtepompen", "active")
    draft = sprint(
        "closed", "Concept voor later", "draft", monday + timedelta(weeks=20)
    )
    other = sprint("other", "Noordelijke sprint", "active")
    finished = sprint(
        "open", "Afgeronde sprint", "closed", monday - timedelta(weeks=30)
    )
    meeting = Meeting(
        sprint_id=active.id,
        date=monday + timedelta(days=1),
        start_time=time(15, 0),
        end_time=time(17, 0),
        place="Hengelo",
    )
    lesson = Lesson(
        sprint_id=finished.id,
        worked="Samen op de bouwplaats",
        did_not_work="Te lange bijeenkomsten",
        advice="Begin klein",
        worked_html="<p>Samen op de bouwplaats</p>",
        did_not_work_html="<p>Te lange bijeenkomsten</p>",
        advice_html="<p>Begin klein</p>",
    )

    def challenge(key, title, sprint_item=None, team=()):
        item = Challenge(
            community_id=communities[key].id,
            sprint_id=sprint_item.id if sprint_item else None,
            title=title,
        )
        item.team = [db.session.get(User, people[name].id) for name in team]
        db.session.add(item)
        return item

    on_board = challenge("closed", "Inregelen", active, team=["participant"])
    backlog = challenge("closed", "Thuisbatterij")
    other_challenge = challenge("other", "Noordelijke vraag", other)
    invitation = Invitation(
        community_id=communities["closed"].id,
        email="invitee@example.org",
        role="participant",
        token_hash="0" * 64,
        expires_at=utcnow() + timedelta(days=14),
    )
    participant = db.session.get(User, people["participant"].id)
    participant.calendar_token = "personal-calendar-token"
    db.session.add_all([meeting, lesson, invitation])
    db.session.flush()

    def entry(visibility):
        item = LogEntry(
            author_id=people["participant"].id,
            community_id=communities["closed"].id,
            sprint_id=active.id,
            date=monday,
            minutes=30,
            kind="informal",
            subtype="on_the_job",
            what=f"Geleerd ({visibility})",
            reflection=f"Mijn {visibility} reflectie",
            reflection_html=f"<p>Mijn {visibility} reflectie</p>",
            visibility=visibility,
        )
        db.session.add(item)
        db.session.flush()
        return item

    private, for_facilitators, shared = (
        entry("private"),
        entry("facilitators"),
        entry("community"),
    )
    comment = Comment(
        entry_id=shared.id,
        author_id=people["facilitator"].id,
        body="Goed bezig",
        body_html="<p>Goed bezig</p>",
    )
    thread = Thread(
        community_id=communities["closed"].id,
        author_id=people["participant"].id,
        title="Wie heeft ervaring met hybride warmtepompen?",
        body="Graag tips",
        body_html="<p>Graag tips</p>",
    )
    notification = Notification(
        user_id=people["participant"].id,
        kind="feedback",
        subject="Fatima reageerde",
        link=f"/entries/{shared.id}",
    )
    db.session.add_all([comment, thread, notification])
    db.session.flush()

    def tool(slug, status):
        item = Tool(
            slug=slug,
            title=slug.title(),
            kind="scan",
            level="company",
            status=status,
            visibility="public",
            created_by_id=people["researcher"].id,
        )
        db.session.add(item)
        db.session.flush()
        return item

    published, draft_tool = (
        tool("werkplekscan", "published"),
        tool("concept-scan", "draft"),
    )
    search.upsert(
        "tool",
        published.id,
        title="Werkplekscan",
        body="Een scan",
        is_public=True,
        tool_kind="scan",
        tool_level="company",
        themes=",",
    )
    application = Application(
        tool_id=published.id,
        sprint_id=active.id,
        recorded_by_id=people["facilitator"].id,
        applied_on=monday,
        sector="Installatietechniek",
        company_size="small",
        region_id=communities["closed"].region_id,
        mechanism="Het team zag zijn eigen zwakke plekken",
        outcome="Vaker samen werkvoorbereiding gedaan",
        rating=4,
    )
    application.evidence = [shared]
    db.session.add(application)
    instrument = Instrument(
        tool_id=published.id,
        title="Werkplekscan",
        dimensions=[
            Dimension(
                position=0,
                name="Samenwerken",
                items=[
                    Item(position=0, text="We helpen elkaar"),
                    Item(position=1, text="We delen wat we leren"),
                ],
            )
        ],
    )
    db.session.add(instrument)
    db.session.flush()
    administration = Administration(
        sprint_id=active.id, instrument_id=instrument.id, moment="start"
    )
    db.session.add(administration)
    db.session.flush()
    return {
        "sprint": active.id,
        "draft": draft.id,
        "other_sprint": other.id,
        "meeting": meeting.id,
        "challenge": on_board.id,
        "backlog": backlog.id,
        "other_challenge": other_challenge.id,
        "lesson": lesson.id,
        "invitation": invitation.id,
        "private_entry": private.id,
        "facilitators_entry": for_facilitators.id,
        "community_entry": shared.id,
        "comment": comment.id,
        "thread": thread.id,
        "notification": notification.id,
        "tool": published.slug,
        "draft_tool": draft_tool.slug,
        "application": application.id,
        "administration": administration.id,
        "sprint_token": active.calendar_token,
        "person_token": participant.calendar_token,
    }


def sign_in(app, client: CSRFClient, person: Person | None) -> None:
    """Put the person's identity in the client's session, as a log-in would."""
    if person is None:
        return

    from hcimv_lc.accounts.models import User

    with app.app_context():
        user = db.session.get(User, person.id)
        identity = user.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = identity
        session["_fresh"] = True


def clients_for(app, world):
    def make(persona: str) -> CSRFClient:
        client = app.test_client()
        sign_in(app, client, world.person(persona))
        return client

    return make


@pytest.fixture
def as_persona(app, world):
    """Return a factory of clients signed in as one of the world's personas."""
    return clients_for(app, world)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def add_skill_objects(app, communities, people, ids) -> dict[str, int | str]:
    """Give the participant skill claims, a share link and a badge.

    - `claim`: submitted in `closed`, with `facilitators_entry`, `claim_link` and
      `claim_file` as evidence; `other_claim`: submitted by `other_researcher` in
      `other`.
    - `validated_claim`: validated in `closed` by `facilitator`, with a badge
      `credential`; `share_token` opens a live link to it, `expired_token` one
      that expired, `share_link` is the live link's id.
    """
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from hcimv_lc.accounts.models import User
    from hcimv_lc.badges import service as badges
    from hcimv_lc.database import utcnow
    from hcimv_lc.logbook.models import LogEntry
    from hcimv_lc.skills import storage
    from hcimv_lc.skills.models import (
        ClaimStatus,
        EvidenceFile,
        EvidenceLink,
        ShareLink,
        Skill,
        SkillClaim,
    )
    from hcimv_lc.skills.service import hash_token, record

    heat_pump = Skill(
        slug="warmtepomp-inregelen",
        name_nl="Warmtepomp inregelen",
        name_en="Commissioning a heat pump",
        category="energietransitie",
        esco_uri="http://data.europa.eu/esco/skill/test-heat-pump",
        esco_version="1.2.0",
    )
    safety = Skill(
        slug="veilig-werken",
        name_nl="Veilig werken op hoogte",
        name_en="Working safely at height",
        category="veiligheid",
    )
    db.session.add_all([heat_pump, safety])
    participant = db.session.get(User, people["participant"].id)

    def claim(person_key, community_key, skill, status=ClaimStatus.SUBMITTED):
        item = SkillClaim(
            user_id=people[person_key].id,
            community_id=communities[community_key].id,
            skill=skill,
            level=3,
            narrative="Ik heb zelf een warmtepomp ingeregeld.",
            narrative_html="<p>Ik heb zelf een warmtepomp ingeregeld.</p>",
            status=status,
        )
        db.session.add(item)
        return item

    submitted = claim("participant", "closed", heat_pump)
    submitted.entries.append(db.session.get(LogEntry, ids["facilitators_entry"]))
    stored = storage.save(FileStorage(BytesIO(PNG), filename="foto.png"))
    evidence_file = EvidenceFile(
        stored_name=stored.stored_name,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )
    evidence_link = EvidenceLink(url="https://example.org/werk", title="Mijn werk")
    submitted.files.append(evidence_file)
    submitted.links.append(evidence_link)
    record(submitted, participant, "submitted", level=3)
    other = claim("other_researcher", "other", heat_pump)

    validated = claim("participant", "closed", safety, ClaimStatus.VALIDATED)
    validated.validated_at = utcnow()
    validated.validated_by_id = people["facilitator"].id
    db.session.flush()

    with app.test_request_context():
        credential = badges.issue(validated, participant)

    live = ShareLink(
        user=participant,
        token_hash=hash_token("live-share-token"),
        label="Werkgever",
        expires_on=date.today() + timedelta(days=30),
        skills=[safety],
    )
    expired = ShareLink(
        user=participant,
        token_hash=hash_token("expired-share-token"),
        label="Oud",
        expires_on=date.today() - timedelta(days=1),
        skills=[safety],
    )
    db.session.add_all([live, expired])
    db.session.flush()
    return {
        "skill": heat_pump.slug,
        "claim": submitted.id,
        "claim_file": evidence_file.id,
        "claim_link": evidence_link.id,
        "other_claim": other.id,
        "validated_claim": validated.id,
        "credential": credential.uuid,
        "share_link": live.id,
        "share_token": "live-share-token",
        "expired_token": "expired-share-token",
    }


def add_visit_objects(communities, people) -> dict[str, int]:
    """`visit`: recorded today by `participant` in Twente; it needs heat pumps now."""
    from sqlalchemy import insert, select

    from hcimv_lc.regional.models import CompanyVisit, company_visit_skill
    from hcimv_lc.skills.models import Skill

    visit = CompanyVisit(
        recorded_by_id=people["participant"].id,
        company_name="Installatiebedrijf De Vries",
        sector="installatietechniek",
        company_size="small",
        region_id=communities["closed"].region_id,
        visited_on=date.today(),
    )
    db.session.add(visit)
    db.session.flush()
    heat_pump = db.session.scalar(
        select(Skill.id).where(Skill.slug == "warmtepomp-inregelen")
    )
    db.session.execute(
        insert(company_visit_skill),
        [{"visit_id": visit.id, "skill_id": heat_pump, "horizon": "now"}],
    )
    return {"visit": visit.id}

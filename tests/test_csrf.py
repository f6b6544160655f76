"""Every state change refuses a missing, wrong or foreign CSRF token: nothing changes.

The forged requests all share one world: a refused request leaves it as it was, and
each test checks exactly that by comparing every table before and after.
"""

import logging
from datetime import date, timedelta
from functools import cache
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from sqlalchemy import inspect, select, text

from hcimv_lc.communities.models import Community
from hcimv_lc.extensions import db
from hcimv_lc.instruments.models import Dimension, Instrument, Item
from hcimv_lc.skills.models import Skill
from hcimv_lc.sprints.models import Sprint
from hcimv_lc.toolbox.models import Tool
from tests.access_table import ROUTES
from tests.conftest import PERSONAS, TEST_PASSWORD, clients_for
from tests.test_access import fill

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
ERROR_TITLE = "Dat ging niet goed"
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
NEXT_MONTH = (date.today() + timedelta(days=30)).isoformat()
TODAY = date.today().isoformat()
ESCO_CSV = (
    "conceptUri,preferredLabel\n"
    "http://data.europa.eu/esco/skill/test-new,Nieuwe vaardigheid\n"
)

# What a person who may act would send: with the right token, each of these changes
# the database, so a route that skipped the check would show up as a changed table.
# Values in braces come from the world (see `form_values`).
BODIES = {
    "accounts.login": {"email": "participant@example.org", "password": TEST_PASSWORD},
    "accounts.register": {
        "name": "Nieuwe Persoon",
        "email": "nieuw@example.org",
        "password": "another long password",
        "confirm": "another long password",
    },
    "accounts.forgot_password": {"email": "participant@example.org"},
    "accounts.reset_password": {
        "password": "another long password",
        "confirm": "another long password",
    },
    "accounts.profile": {
        "name": "Olga Nieuw",
        "organisation": "{organisation}",
        "locale": "nl",
        "email_prompts": "y",
    },
    "accounts.change_password": {
        "current": TEST_PASSWORD,
        "password": "another long password",
        "confirm": "another long password",
    },
    "accounts.delete_account": {"password": TEST_PASSWORD, "posts": "keep"},
    "accounts.choose_language": {"locale": "en", "next": "/"},
    "communities.create": {
        "name": "Nieuwe Kring",
        "theme": "companies",
        "region": "{region}",
        "organisation": "{organisation}",
        "description": "Over ons",
        "default_visibility": "community",
        "is_open": "y",
    },
    "communities.edit": {
        "name": "Besloten Kring Nieuw",
        "theme": "networks",
        "region": "{region}",
        "organisation": "{organisation}",
        "description": "Over ons",
        "default_visibility": "community",
    },
    "communities.members": {"email": "nieuw@example.org", "role": "participant"},
    "communities.change_role": {"role": "researcher"},
    "organisations.edit_region": {"name": "Drenthe"},
    "organisations.edit_organisation": {
        "name": "Nieuwe Organisatie",
        "kind": "company",
        "region": "{region}",
        "parent": "0",
    },
    "sprints.plan": {
        "title": "Nieuwe sprint",
        "goal": "Samen leren",
        "start_date": TOMORROW,
        "weeks": "12",
    },
    "sprints.edit": {
        "title": "Warmtepompen anders",
        "goal": "Samen leren",
        "start_date": "{sprint_start}",
        "weeks": "10",
    },
    "sprints.close": {
        "worked": "Samen",
        "did_not_work": "Alleen",
        "advice": "Klein beginnen",
        "visibility": "public",
    },
    "sprints.copy": {
        "community": "{closed_id}",
        "title": "Kopie",
        "start_date": NEXT_MONTH,
    },
    "sprints.add_meeting": {
        "date": TOMORROW,
        "start_time": "15:00",
        "end_time": "17:00",
        "place": "Enschede",
    },
    "sprints.series": {
        "weekday": "2",
        "interval": "1",
        "start_time": "15:00",
        "end_time": "17:00",
    },
    "sprints.edit_meeting": {
        "date": TOMORROW,
        "start_time": "16:00",
        "end_time": "18:00",
        "place": "Enschede",
    },
    "challenges.create": {"title": "Nieuwe vraag", "organisation": "{organisation}"},
    "challenges.edit": {"title": "Inregelen anders", "organisation": "{organisation}"},
    "challenges.move": {"status": "in_progress", "position": "0"},
    "challenges.schedule": {"sprint": "{sprint}"},
    "logbook.create": {
        "what": "Geleerd",
        "kind": "informal",
        "subtype": "on_the_job",
        "quick_minutes": "30",
        "date": TODAY,
        "community": "{closed_id}",
        "visibility": "community",
    },
    "logbook.comment": {"body": "Mooi gedaan"},
    "logbook.edit": {
        "what": "Anders geleerd",
        "kind": "informal",
        "subtype": "on_the_job",
        "quick_minutes": "60",
        "date": TODAY,
        "community": "{closed_id}",
        "visibility": "community",
    },
    "logbook.prompts": {"week": "2", "text": "Wat leerde je van een collega?"},
    "discussion.start": {"title": "Een vraag", "body": "Wie weet het?"},
    "discussion.thread": {"body": "Ik weet het"},
    "toolbox.create": {
        "title": "Nieuwe scan",
        "summary": "Een scan",
        "kind": "scan",
        "level": "company",
        "organisation": "0",
        "status": "published",
        "visibility": "public",
        "note": "Eerste versie",
    },
    "toolbox.edit": {
        "title": "Werkplekscan",
        "summary": "Een betere scan",
        "kind": "scan",
        "level": "company",
        "organisation": "0",
        "status": "published",
        "visibility": "public",
        "note": "Samenvatting herschreven",
    },
    "toolbox.record_application": {
        "sprint": "{sprint}",
        "applied_on": TODAY,
        "company_size": "small",
        "region": "{region}",
        "mechanism": "Het team keek naar zichzelf",
        "outcome": "Meer overleg",
        "rating": "4",
        "administration": "0",
    },
    "instruments.define": {"title": "Werkplekscan", "items": "Samenwerken | Wij delen"},
    "instruments.sprint_moments": {"instrument": "{instrument_id}", "moment": "end"},
    "instruments.respond": {"{item_field}": "4", "{other_item_field}": "5"},
    "skills.import_esco": {
        "file": lambda: (BytesIO(ESCO_CSV.encode()), "esco.csv"),
        "language": "nl",
        "version": "1.2.0",
        "add_new": "y",
    },
    "skills.new_claim": {
        "skill": "{heat_pump_id}",
        "community": "{open_id}",
        "level": "2",
        "narrative": "Ik heb het gedaan.",
    },
    "skills.add_evidence": {
        "link_url": "https://example.org/meer",
        "link_title": "Meer werk",
    },
    "skills.resubmit": {"comment": "Een foto erbij"},
    "skills.review": {"decision": "validate", "level": "3", "comment": "Goed"},
    "skills.shares": {
        "label": "Nieuwe werkgever",
        "expires_on": NEXT_MONTH,
        "skills": ["{safety_id}"],
    },
    "skills.matching": {"findable": "y", "goals": ["{heat_pump_id}"]},
    "badges.revoke": {"reason": "Ten onrechte uitgegeven"},
    "regional.new_visit": {
        "company_name": "Bouwbedrijf Jansen",
        "sector": "installatietechniek",
        "company_size": "small",
        "region": "0",
        "visited_on": TODAY,
    },
    "research.consent": {"community": "{closed_id}", "given": "y"},
    "research.export": {
        "dataset": "all",
        "file_format": "csv",
        "key": "a long pseudonym key of ours",
    },
}


def is_success(status: int) -> bool:
    # 302 is the way to log in, not an action that was allowed.
    return 200 <= status < 300 or status == 303


# The first persona the table allows has nothing these routes could change.
ACTORS = {
    "notifications.read_all": "participant",
    "skills.shares": "participant",
    "research.consent": "participant",
}


def acting_persona(endpoint: str, answers: tuple[int, ...]) -> str:
    """Return the first persona the table lets act on the route."""
    if endpoint in ACTORS:
        return ACTORS[endpoint]

    for persona, status in zip(PERSONAS, answers, strict=True):
        if is_success(status):
            return persona
    # Allowed, but the empty form or the dead token is refused by the view itself.
    for persona, status in zip(PERSONAS, answers, strict=True):
        if status in (400, 410):
            return persona
    return PERSONAS[1]


ACTIONS = [
    (endpoint, method, template, acting_persona(endpoint, answers))
    for endpoint, entries in ROUTES.items()
    for method, template, answers in entries
    if method not in READ_METHODS
]


def tampered(token: str) -> str:
    """Return the token with a character of its signature changed, as a guess would be.

    Not the last character: of its six bits base64 leaves two unused, so changing
    it from "B", "C" or "D" to "A" gives the same signature, and a valid token."""
    value, _dot, signature = token.rpartition(".")
    return f"{value}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


FORGERIES = {
    "missing": lambda own, foreign: None,
    "wrong": lambda own, foreign: tampered(own),
    "of another session": lambda own, foreign: foreign,
}


@pytest.fixture(scope="module")
def form_values(app, shared_world) -> dict[str, str]:
    return values_of(app, shared_world)


def values_of(app, world) -> dict[str, str]:
    """Return the world's values that forms name by id, beside the URL values."""
    with app.app_context():
        community_ids = dict(
            db.session.execute(select(Community.slug, Community.id)).all()
        )
        instrument_id = db.session.scalar(
            select(Instrument.id).join(Tool).filter(Tool.slug == world.ids["tool"])
        )
        items = db.session.scalars(
            select(Item.id)
            .join(Dimension)
            .filter(Dimension.instrument_id == instrument_id)
            .order_by(Item.position)
        ).all()
        skills = dict(db.session.execute(select(Skill.slug, Skill.id)).all())
        sprint = db.session.get(Sprint, world.ids["sprint"])
        return {
            "region": str(world.region_ids["twente"]),
            "organisation": str(world.organisation_id),
            "sprint": str(world.ids["sprint"]),
            "sprint_start": sprint.start_date.isoformat(),
            "closed_id": str(community_ids[world.closed]),
            "open_id": str(community_ids[world.open]),
            "instrument_id": str(instrument_id),
            "item_field": f"item_{items[0]}",
            "other_item_field": f"item_{items[1]}",
            "heat_pump_id": str(skills["warmtepomp-inregelen"]),
            "safety_id": str(skills["veilig-werken"]),
        }


def body_for(endpoint: str, values: dict[str, str]) -> dict:
    """Return a fresh form body for the route, filled from the world."""

    def filled(value):
        if callable(value):
            return value()
        if isinstance(value, list):
            return [item.format(**values) for item in value]
        return value.format(**values)

    return {
        key.format(**values): filled(value)
        for key, value in BODIES.get(endpoint, {}).items()
    }


@pytest.fixture(scope="module")
def signed_in(app, shared_world):
    """Return a client per persona, each with the CSRF token of its own session."""
    clients = {}

    def client_of(persona: str):
        if persona not in clients:
            client = clients_for(app, shared_world)(persona)
            clients[persona] = (client, client.csrf_token())
        return clients[persona]

    return client_of


@pytest.fixture(scope="module")
def foreign_token(app) -> str:
    """Return a valid token, but of somebody else's session."""
    return app.test_client().csrf_token()


@cache
def table_names(app) -> tuple[str, ...]:
    with app.app_context():
        return tuple(sorted(inspect(db.engine).get_table_names()))


def database_contents(app) -> dict[str, object]:
    """Return the contents of every table, the migrations' own tables included."""
    names = table_names(app)
    with app.app_context(), db.engine.connect() as connection:
        quote = db.engine.dialect.identifier_preparer.quote
        if connection.dialect.name == "postgresql":
            # One round trip for a digest of each table keeps the many checks fast.
            digests = ", ".join(
                f"(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
                f" FROM {quote(name)} AS t)"
                for name in names
            )
            row = connection.execute(text(f"SELECT {digests}")).one()
            return dict(zip(names, row, strict=True))

        return {
            name: sorted(
                repr(tuple(row))
                for row in connection.execute(text(f"SELECT * FROM {quote(name)}"))
            )
            for name in names
        }


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def send_forged(client, method, url, body, token, htmx):
    headers = {}
    if htmx:
        # As htmx sends it: the token rides in the header that base.html sets.
        headers["HX-Request"] = "true"
        if token is not None:
            headers["X-CSRFToken"] = token
    elif token is not None:
        body["csrf_token"] = token
    return client.open(url, method=method, data=body, headers=headers, csrf=False)


@pytest.mark.reads_shared_world
@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize(
    ("endpoint", "method", "template", "persona"),
    [pytest.param(*action, id=f"{action[1]} {action[2]}") for action in ACTIONS],
)
def test_state_change_with_a_forged_token_is_refused_and_changes_nothing(
    app,
    shared_world,
    signed_in,
    foreign_token,
    form_values,
    caplog,
    endpoint,
    method,
    template,
    persona,
    htmx,
    forgery,
):
    client, own_token = signed_in(persona)
    token = FORGERIES[forgery](own_token, foreign_token)
    url = fill(template, shared_world)
    body = body_for(endpoint, form_values)
    before = database_contents(app)

    with caplog.at_level(logging.INFO, logger="hcimv_lc.errors"):
        response = send_forged(client, method, url, body, token, htmx)

    assert response.status_code == 400
    assert not changed_tables(before, database_contents(app))
    # The view may answer 400 itself for a bad form; only the check logs this line.
    assert f"CSRF check failed on {method} {urlsplit(url).path}" in caplog.messages
    page = response.get_data(as_text=True)
    assert '<article class="error-page">' in page
    assert ERROR_TITLE in page
    assert "Bad Request" not in page
    if htmx:
        # htmx gets the message alone, to be shown in the page's main element.
        assert not page.lstrip().lower().startswith("<!doctype html>")
        assert "HX-Request" in response.vary
        assert response.headers["HX-Retarget"] == "#main"
        assert response.headers["HX-Reswap"] == "innerHTML"


@pytest.mark.reads_shared_world
def test_every_state_changing_route_is_forged_against(app, shared_world):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for _endpoint, method, template, _persona in ACTIONS:
        path = urlsplit(fill(template, shared_world)).path
        rule, _arguments = adapter.match(path, method, return_rule=True)
        covered.add((rule.rule, method))

    uncovered = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - READ_METHODS
        if (rule.rule, method) not in covered
    }

    assert not uncovered, f"state changes without a CSRF test: {uncovered}"

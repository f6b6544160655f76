"""Synthetic data at a multiple of a reference size, for the benchmarks.

The reference (scale 1) is 20 communities, 500 people, 40 sprints, 10,000 log
entries, 1,000 tools and 2,000 applications. Rows go in with bulk inserts and
explicit ids, so 100 times that loads in minutes; the same seed gives the same
data on the same day.
"""

import json
import logging
import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, insert, select, text

from hcimv_lc.accounts.models import User
from hcimv_lc.accounts.service import hash_password
from hcimv_lc.challenges.models import Challenge, challenge_member
from hcimv_lc.communities.models import Community, Membership
from hcimv_lc.dashboards import rollup
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.organisations.models import Organisation, Region
from hcimv_lc.seed import DEMO_PASSWORD, SEED_DIR
from hcimv_lc.skills.models import Skill
from hcimv_lc.sprints.models import Sprint
from hcimv_lc.toolbox.models import Application, SearchDocument, Tool

logger = logging.getLogger(__name__)

REFERENCE = {
    "communities": 20,
    "people": 500,
    "sprints": 40,
    "log_entries": 10_000,
    "tools": 1_000,
    "applications": 2_000,
}
BATCH = 10_000
# People the benchmark signs in as; all have the demo password.
PERSONAS = {
    "facilitator": "bench-facilitator@example.org",
    "researcher": "bench-researcher@example.org",
    "participant": "bench-participant@example.org",
}
REGIONS = ["Twente", "Achterhoek", "Groningen", "Drenthe", "Friesland", "Zwolle"]
THEMES = ["individuals", "companies", "networks", "digitalisation"]
WORDS = [
    "warmtepomp",
    "werkplekscan",
    "leercultuur",
    "inregelen",
    "ventilatie",
    "zonnepanelen",
    "samenwerken",
    "mentor",
    "reflectie",
    "vakmanschap",
    "storing",
    "isolatie",
    "klantgesprek",
    "planning",
    "veiligheid",
    "digitaal",
]
KINDS = ["formal", "non_formal", "informal"]
SUBTYPES = ["on_the_job", "peer", "course", "coaching", "self_study"]


class NotEmpty(Exception):
    """The database has people already; benchmark data goes into an empty one."""


@dataclass
class Counts:
    communities: int
    people: int
    sprints: int
    log_entries: int
    tools: int
    applications: int


def counts_at(scale: float) -> Counts:
    return Counts(**{name: max(1, round(n * scale)) for name, n in REFERENCE.items()})


def bulk(model_or_table, rows: list[dict]) -> None:
    table = getattr(model_or_table, "__table__", model_or_table)
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def load(scale: float, seed: int = 1, today: date | None = None) -> Counts:
    """Fill an empty database; return how many of each were made."""
    if db.session.scalar(select(func.count(User.id))):
        raise NotEmpty("The database already has accounts.")

    counts = counts_at(scale)
    rnd = random.Random(seed)
    today = today or date.today()
    monday = today - timedelta(days=today.weekday())

    bulk(
        Region,
        [
            {"id": i + 1, "slug": f"bench-{n.lower()}", "name": n}
            for i, n in enumerate(REGIONS)
        ],
    )
    organisations = max(2, counts.communities)
    bulk(
        Organisation,
        [
            {
                "id": i + 1,
                "slug": f"bench-org-{i + 1}",
                "name": f"Bedrijf {i + 1}",
                "kind": "sme" if i % 3 else "vocational_college",
                "region_id": i % len(REGIONS) + 1,
            }
            for i in range(organisations)
        ],
    )
    bulk(
        Community,
        [
            {
                "id": c + 1,
                "slug": f"bench-community-{c + 1}",
                "name": f"Leergemeenschap {c + 1}",
                "theme": THEMES[c % len(THEMES)],
                "region_id": c % len(REGIONS) + 1,
                "organisation_id": c % organisations + 1,
                "description": "",
                "description_html": "",
                "is_open": c % 2 == 0,
                "default_visibility": "community",
            }
            for c in range(counts.communities)
        ],
    )

    password_hash = hash_password(DEMO_PASSWORD)
    emails = list(PERSONAS.values())
    people = []
    for i in range(counts.people):
        email = emails[i] if i < len(emails) else f"bench{i + 1}@example.org"
        people.append(
            {
                "id": i + 1,
                "email": email,
                "name": f"Deelnemer {i + 1}",
                "password_hash": password_hash,
                "organisation_id": i % organisations + 1,
            }
        )
    bulk(User, people)

    # People are spread over the communities; the first of each leads it and the
    # second studies it. The personas are those three of the first community.
    members: dict[int, list[int]] = {c + 1: [] for c in range(counts.communities)}
    memberships = []
    for i in range(counts.people):
        community = 1 if i < len(PERSONAS) else i % counts.communities + 1
        position = len(members[community])
        role = ["facilitator", "researcher", "participant"][min(position, 2)]
        members[community].append(i + 1)
        memberships.append(
            {"id": i + 1, "user_id": i + 1, "community_id": community, "role": role}
        )
    bulk(Membership, memberships)

    sprints = []
    for s in range(counts.sprints):
        community = s % counts.communities + 1
        active = s < counts.communities
        start = monday - timedelta(weeks=4 if active else 30 + s % 10)
        sprints.append(
            {
                "id": s + 1,
                "community_id": community,
                "title": f"Sprint {s + 1}",
                "goal": "",
                "goal_html": "",
                "start_date": start,
                "weeks": 16,
                "status": "active" if active else "closed",
            }
        )
    bulk(Sprint, sprints)

    challenges, teams = [], []
    for s in sprints:
        for n, status in enumerate(["open", "in_progress", "done"]):
            number = len(challenges) + 1
            challenges.append(
                {
                    "id": number,
                    "community_id": s["community_id"],
                    "sprint_id": s["id"],
                    "title": f"Uitdaging {number}",
                    "description": "",
                    "description_html": "",
                    "status": status,
                    "position": n,
                }
            )
            team = members[s["community_id"]]
            if team:
                teams.append({"challenge_id": number, "user_id": rnd.choice(team)})
    bulk(Challenge, challenges)
    bulk(challenge_member, teams)

    skills = json.loads((SEED_DIR / "skills.json").read_text(encoding="utf-8"))
    bulk(Skill, [{"id": i + 1, **skill} for i, skill in enumerate(skills)])

    entries = []
    for e in range(counts.log_entries):
        sprint = sprints[rnd.randrange(len(sprints))]
        team = members[sprint["community_id"]] or [1]
        last = min(today, sprint["start_date"] + timedelta(weeks=16, days=-1))
        span = max(0, (last - sprint["start_date"]).days)
        reflected = rnd.random() < 0.4
        entries.append(
            {
                "id": e + 1,
                "author_id": rnd.choice(team),
                "community_id": sprint["community_id"],
                "sprint_id": sprint["id"],
                "date": sprint["start_date"] + timedelta(days=rnd.randint(0, span)),
                "minutes": rnd.choice([15, 30, 60, 120]),
                "kind": rnd.choice(KINDS),
                "subtype": rnd.choice(SUBTYPES),
                "what": " ".join(rnd.sample(WORDS, 3)).capitalize(),
                "reflection": "Geleerd: " + rnd.choice(WORDS) if reflected else "",
                "reflection_html": "",
                "visibility": rnd.choice(["private", "facilitators", "community"]),
            }
        )
    bulk(LogEntry, entries)

    tools, documents = [], []
    for t in range(counts.tools):
        title = " ".join(rnd.sample(WORDS, 2)).capitalize() + f" {t + 1}"
        body = " ".join(rnd.choices(WORDS, k=40))
        kind = rnd.choice(["scan", "checklist", "game", "method", "guideline"])
        level = rnd.choice(["individual", "company", "network"])
        tools.append(
            {
                "id": t + 1,
                "slug": f"bench-tool-{t + 1}",
                "title": title,
                "summary": body[:120],
                "body": body,
                "body_html": f"<p>{body}</p>",
                "kind": kind,
                "level": level,
                "status": "published",
                "visibility": "public",
            }
        )
        documents.append(
            {
                "id": t + 1,
                "kind": "tool",
                "ref_id": t + 1,
                "title": title,
                "body": body,
                "is_public": True,
                "tool_kind": kind,
                "tool_level": level,
                "themes": ",",
            }
        )
    bulk(Tool, tools)
    bulk(SearchDocument, documents)

    applications = []
    for a in range(counts.applications):
        sprint = sprints[rnd.randrange(len(sprints))]
        applications.append(
            {
                "id": a + 1,
                "tool_id": rnd.randrange(counts.tools) + 1,
                "sprint_id": sprint["id"],
                "applied_on": sprint["start_date"],
                "company_size": rnd.choice(["micro", "small", "medium", "large"]),
                "region_id": (sprint["community_id"] - 1) % len(REGIONS) + 1,
                "mechanism": "Het team zag zijn eigen werk anders",
                "outcome": "Vaker samen voorbereid",
                "rating": rnd.randint(1, 5),
            }
        )
    bulk(Application, applications)

    rollup.rebuild(db.session.connection())
    if db.engine.dialect.name == "postgresql":
        restart_sequences()
        # Bulk rows leave the planner without statistics until autovacuum comes by:
        # a search over 100,000 tools then takes 170 ms instead of 2.
        db.session.execute(text("ANALYZE"))
    logger.info("Benchmark data loaded at scale %s", scale)
    return counts


def restart_sequences() -> None:
    """Point PostgreSQL's id sequences past the ids written explicitly."""
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.autoincrement:
            continue
        # The names come from the app's own metadata, never from input.
        statement = (
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # nosec
            f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
        )
        db.session.execute(text(statement))

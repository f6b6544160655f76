"""Load the demo data in `seed/` idempotently: rows are updated, never doubled."""

import json
import logging
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from hcimv_lc.accounts import service as accounts
from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community, Membership
from hcimv_lc.database import utcnow
from hcimv_lc.discussion.models import Reply, Thread
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import Comment, LogEntry
from hcimv_lc.markup import render_markdown
from hcimv_lc.organisations.models import Organisation, Region
from hcimv_lc.regional import service as regional
from hcimv_lc.regional.models import CompanyVisit
from hcimv_lc.skills import service as claim_service
from hcimv_lc.skills.models import ClaimStatus, ClaimStep, Skill, SkillClaim
from hcimv_lc.sprints import service as sprints
from hcimv_lc.sprints.models import Sprint
from hcimv_lc.toolbox import service as toolbox
from hcimv_lc.toolbox.models import Tool

logger = logging.getLogger(__name__)

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
DEMO_PASSWORD = "learning-together"


def read(name: str) -> list[dict]:
    return json.loads((SEED_DIR / name).read_text(encoding="utf-8"))


def by_slug(model) -> dict:
    return {row.slug: row for row in db.session.scalars(select(model))}


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(Region)) == 0


def load_regions() -> dict[str, Region]:
    regions = by_slug(Region)
    for item in read("regions.json"):
        region = regions.get(item["slug"]) or Region(slug=item["slug"])
        region.name = item["name"]
        db.session.add(region)
        regions[region.slug] = region
    db.session.flush()
    return regions


def load_organisations(regions: dict[str, Region]) -> dict[str, Organisation]:
    organisations = by_slug(Organisation)
    items = read("organisations.json")
    for item in items:
        organisation = organisations.get(item["slug"]) or Organisation(
            slug=item["slug"]
        )
        organisation.name = item["name"]
        organisation.kind = item["kind"]
        organisation.region = regions[item["region"]]
        organisation.website = item.get("website")
        db.session.add(organisation)
        organisations[organisation.slug] = organisation
    db.session.flush()

    for item in items:
        parent = item.get("parent")
        organisations[item["slug"]].parent = organisations[parent] if parent else None
    db.session.flush()
    return organisations


def load_communities(regions, organisations) -> dict[str, Community]:
    communities = by_slug(Community)
    for item in read("communities.json"):
        community = communities.get(item["slug"]) or Community(slug=item["slug"])
        community.name = item["name"]
        community.theme = item["theme"]
        community.region = regions[item["region"]]
        community.organisation = organisations.get(item.get("organisation"))
        community.description = item["description"]
        community.description_html = render_markdown(item["description"])
        community.is_open = item["is_open"]
        db.session.add(community)
        communities[community.slug] = community
    db.session.flush()
    return communities


def load_users(organisations, communities) -> int:
    users = {user.email: user for user in db.session.scalars(select(User))}
    created = 0
    for item in read("users.json"):
        user = users.get(item["email"])
        if user is None:
            user = accounts.create_user(
                item["email"],
                item["name"],
                DEMO_PASSWORD,
                locale=item.get("locale", "nl"),
            )
            created += 1
        else:
            # Rights go only to accounts the seed makes itself: on a real platform
            # somebody may have registered a demo address.
            continue

        user.is_admin = item.get("is_admin", False)
        user.organisation = organisations.get(item.get("organisation"))
        for entry in item.get("memberships", []):
            community = communities[entry["community"]]
            db.session.add(
                Membership(
                    user_id=user.id, community_id=community.id, role=entry["role"]
                )
            )
    db.session.flush()
    return created


def this_monday() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday())


def add_challenge(community, organisations, users, item, sprint=None, position=0):
    skills = by_slug(Skill)
    challenge = Challenge(
        community_id=community.id,
        sprint_id=sprint.id if sprint else None,
        status=item.get("status", "open"),
        position=position,
        title=item["title"],
        description=item.get("description", ""),
        description_html=render_markdown(item.get("description", "")),
        organisation=organisations.get(item.get("organisation")),
        site=item.get("site", ""),
        learning_goals=item.get("learning_goals", ""),
        success_criteria=item.get("success_criteria", ""),
    )
    challenge.team = [users[email] for email in item.get("team", []) if email in users]
    challenge.needed_skills = [skills[slug] for slug in item.get("skills", [])]
    db.session.add(challenge)


def load_sprints(communities, organisations) -> int:
    """Add the demo sprints, dated around this week, unless they exist already."""
    users = {user.email: user for user in db.session.scalars(select(User))}
    existing = {
        (sprint.community_id, sprint.title)
        for sprint in db.session.scalars(select(Sprint))
    }
    created = 0
    for item in read("sprints.json"):
        community = communities[item["community"]]
        if (community.id, item["title"]) in existing:
            continue

        start = this_monday() + timedelta(weeks=item["start_offset_weeks"])
        sprint = Sprint(
            community_id=community.id,
            title=item["title"],
            goal=item["goal"],
            goal_html=render_markdown(item["goal"]),
            start_date=start,
            weeks=item["weeks"],
            status=item["status"],
        )
        db.session.add(sprint)
        db.session.flush()
        series = item.get("series")
        if series:
            sprints.generate_series(
                sprint,
                series["weekday"],
                series["interval"],
                start_time=time.fromisoformat(series["start"]),
                end_time=time.fromisoformat(series["end"]),
                place=series.get("place", ""),
                agenda=series.get("agenda", ""),
            )
        for position, challenge in enumerate(item.get("challenges", [])):
            add_challenge(community, organisations, users, challenge, sprint, position)
        created += 1

    titles = {
        (challenge.community_id, challenge.title)
        for challenge in db.session.scalars(select(Challenge))
    }
    for position, item in enumerate(read("challenges.json")):
        community = communities[item["community"]]
        if (community.id, item["title"]) not in titles:
            add_challenge(community, organisations, users, item, position=position)
    db.session.flush()
    return created


def load_skills() -> dict[str, Skill]:
    skills = by_slug(Skill)
    for item in read("skills.json"):
        skill = skills.get(item["slug"]) or Skill(slug=item["slug"])
        for name in ("name_nl", "name_en", "category"):
            setattr(skill, name, item.get(name) or "")
        # Keep what an ESCO import filled in; the demo data only adds to it.
        skill.description = item.get("description") or skill.description or ""
        if item.get("esco_uri"):
            skill.esco_uri = item["esco_uri"]
            skill.esco_version = item.get("esco_version")
        db.session.add(skill)
        skills[skill.slug] = skill
    db.session.flush()
    return skills


def load_logbook(communities, skills) -> int:
    """Add demo log entries, feedback and discussions, dated around today."""
    data = read("logbook.json")
    users = {user.email: user for user in db.session.scalars(select(User))}
    challenges = {item.title: item for item in db.session.scalars(select(Challenge))}
    existing = set(db.session.execute(select(LogEntry.author_id, LogEntry.what)).all())
    created = 0
    for item in data["entries"]:
        author = users.get(item["author"])
        if author is None or (author.id, item["what"]) in existing:
            continue
        challenge = challenges.get(item.get("challenge"))
        community = (
            challenge.community if challenge else communities["installateurs-oost"]
        )
        entry = LogEntry(
            author_id=author.id,
            community_id=community.id,
            sprint_id=challenge.sprint_id if challenge else None,
            challenge_id=challenge.id if challenge else None,
            date=date.today() - timedelta(days=item["days_ago"]),
            minutes=item["minutes"],
            kind=item["kind"],
            subtype=item["subtype"],
            what=item["what"],
            reflection=item["reflection"],
            reflection_html=render_markdown(item["reflection"]),
            visibility=item["visibility"],
        )
        entry.skills = [skills[slug] for slug in item.get("skills", [])]
        if entry.sprint_id is None:
            entry.sprint_id = db.session.scalar(
                select(Sprint.id).where(
                    Sprint.community_id == community.id, Sprint.status == "active"
                )
            )
        db.session.add(entry)
        db.session.flush()
        for comment in item.get("comments", []):
            if comment["author"] not in users:
                continue
            db.session.add(
                Comment(
                    entry_id=entry.id,
                    author_id=users[comment["author"]].id,
                    body=comment["body"],
                    body_html=render_markdown(comment["body"]),
                )
            )
        created += 1

    titles = set(db.session.scalars(select(Thread.title)))
    for item in data["threads"]:
        author = users.get(item["author"])
        if author is None or item["title"] in titles:
            continue
        thread = Thread(
            community_id=communities[item["community"]].id,
            author_id=author.id,
            title=item["title"],
            body=item["body"],
            body_html=render_markdown(item["body"]),
            pinned=item["pinned"],
            reply_count=sum(reply["author"] in users for reply in item["replies"]),
        )
        db.session.add(thread)
        db.session.flush()
        for reply in item["replies"]:
            if reply["author"] not in users:
                continue
            db.session.add(
                Reply(
                    thread_id=thread.id,
                    author_id=users[reply["author"]].id,
                    body=reply["body"],
                    body_html=render_markdown(reply["body"]),
                )
            )
    db.session.flush()
    return created


def load_tools(organisations) -> int:
    """Add the tools of the source document that are not there yet."""
    existing = set(db.session.scalars(select(Tool.slug)))
    items = [item for item in read("tools.json") if item["slug"] not in existing]
    for item in items:
        tool = Tool(
            slug=item["slug"],
            title=item["title"],
            summary=item["summary"],
            body=item["body"],
            body_html=render_markdown(item["body"]),
            kind=item["kind"],
            level=item["level"],
            organisation=organisations.get(item.get("organisation")),
            authors=item.get("authors", ""),
            licence=item.get("licence", ""),
            url=item.get("url"),
            status=item["status"],
            visibility=item["visibility"],
        )
        db.session.add(tool)
        db.session.flush()
        toolbox.set_themes(tool, item["themes"])
        toolbox.add_revision(tool, None, "Eerste versie")
        toolbox.reindex(tool, item["themes"])

    tools = by_slug(Tool)
    for item in items:
        if item.get("adapted_from"):
            tools[item["slug"]].adapted_from = tools[item["adapted_from"]]
    db.session.flush()
    return len(items)


def load_instruments() -> int:
    """Give the demo tools their questionnaires, once."""
    from hcimv_lc.instruments import service as instruments

    tools = by_slug(Tool)
    created = 0
    for item in read("instruments.json"):
        tool = tools.get(item["tool"])
        if tool is None or instruments.instrument_of(tool) is not None:
            continue
        lines = "\n".join(
            f"{dimension['name']} | {question}"
            for dimension in item["dimensions"]
            for question in dimension["items"]
        )
        instruments.define(tool, item["title"], item["anonymous"], lines)
        created += 1
    return created


def load_claims(communities, skills) -> int:
    """Add demo skill claims, validated or waiting, unless the person has claims."""
    users = {user.email: user for user in db.session.scalars(select(User))}
    claimed = set(db.session.scalars(select(SkillClaim.user_id).distinct()))
    created = 0
    for item in read("claims.json"):
        person = users.get(item["person"])
        if person is None or person.id in claimed:
            continue

        person.findable = item.get("findable", False)
        community = communities[item["community"]]
        entries = db.session.scalars(
            select(LogEntry).where(
                LogEntry.author_id == person.id,
                LogEntry.what.in_(item.get("entries", [])),
            )
        )
        claim = SkillClaim(
            user=person,
            community=community,
            skill=skills[item["skill"]],
            level=item["level"],
            narrative=item["narrative"],
            narrative_html=render_markdown(item["narrative"]),
            status=ClaimStatus.SUBMITTED,
            entries=list(entries),
        )
        db.session.add(claim)
        claim_service.record(claim, person, ClaimStep.SUBMITTED, level=claim.level)
        validator = users.get(item.get("validated_by", ""))
        if validator is not None:
            claim.status = ClaimStatus.VALIDATED
            claim.validated_at = utcnow()
            claim.validated_by = validator
            claim_service.record(
                claim,
                validator,
                ClaimStep.VALIDATED,
                comment=item.get("comment", ""),
                level=claim.level,
            )
        created += 1
    db.session.flush()
    return created


def load_company_visits(regions, organisations, skills) -> int:
    """Add demo company visits, dated around today, unless the visitor has visits."""
    users = {user.email: user for user in db.session.scalars(select(User))}
    visited = set(db.session.scalars(select(CompanyVisit.recorded_by_id).distinct()))
    created = 0
    for item in read("company_visits.json"):
        visitor = users.get(item["recorded_by"])
        if visitor is None or visitor.id in visited:
            continue

        organisation = organisations.get(item.get("organisation"))
        region = regions.get(item.get("region"))
        regional.record_visit(
            visitor,
            organisation_id=organisation.id if organisation else None,
            company_name=item.get("company", ""),
            sector=item["sector"],
            company_size=item["size"],
            region_id=region.id if region else None,
            visited_on=date.today() - timedelta(days=item["days_ago"]),
            skills_now=[skills[slug].id for slug in item["now"]],
            skills_later=[skills[slug].id for slug in item["two_years"]],
            time_to_learn=item.get("time_to_learn"),
            learns_from_mistakes=item.get("learns_from_mistakes"),
            shares_knowledge=item.get("shares_knowledge"),
            open_vacancies=item.get("open_vacancies", 0),
            vacancy_note=item.get("vacancy_note", ""),
        )
        created += 1
    db.session.flush()
    return created


def load(demo_accounts: bool) -> dict[str, int]:
    """Load every seed file; demo accounts only when asked. Returns counts."""
    regions = load_regions()
    organisations = load_organisations(regions)
    communities = load_communities(regions, organisations)
    created = load_users(organisations, communities) if demo_accounts else 0
    skills = load_skills()
    new_sprints = load_sprints(communities, organisations)
    new_entries = load_logbook(communities, skills)
    new_claims = load_claims(communities, skills) if demo_accounts else 0
    new_visits = (
        load_company_visits(regions, organisations, skills) if demo_accounts else 0
    )
    new_tools = load_tools(organisations)
    new_instruments = load_instruments()
    db.session.commit()

    counts = {
        "regions": len(regions),
        "organisations": len(organisations),
        "communities": len(communities),
        "new_accounts": created,
        "new_sprints": new_sprints,
        "skills": len(skills),
        "new_log_entries": new_entries,
        "new_skill_claims": new_claims,
        "new_company_visits": new_visits,
        "new_tools": new_tools,
        "new_instruments": new_instruments,
    }
    logger.info("Seed loaded: %s", counts)
    return counts

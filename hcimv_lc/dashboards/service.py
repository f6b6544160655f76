"""Aggregates for the sprint, community and region dashboards, read in SQL."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import joinedload

from hcimv_lc.challenges.models import Challenge, ChallengeStatus
from hcimv_lc.communities.models import Community, Membership, Role
from hcimv_lc.dashboards.models import ActivityWeek
from hcimv_lc.dashboards.rollup import minutes, monday
from hcimv_lc.extensions import db
from hcimv_lc.instruments import service as instruments
from hcimv_lc.instruments.models import Administration, Dimension, Instrument
from hcimv_lc.logbook.models import Kind, LogEntry
from hcimv_lc.organisations.models import Region
from hcimv_lc.skills.models import ClaimStatus, Skill, SkillClaim
from hcimv_lc.sprints.models import Sprint, SprintStatus

KINDS = [Kind.FORMAL, Kind.NON_FORMAL, Kind.INFORMAL]


def activity_columns():
    """Return the measures every dashboard shows, as SQL aggregates over entries."""
    return (
        func.count(distinct(LogEntry.author_id)).label("active"),
        func.count(
            distinct(case((LogEntry.reflection != "", LogEntry.author_id)))
        ).label("reflected"),
        func.count(LogEntry.id).label("entries"),
        *(minutes(kind).label(f"minutes_{kind}") for kind in KINDS),
    )


@dataclass
class Activity:
    """Who logged and reflected, and minutes by kind of learning, for one group."""

    active: int = 0
    reflected: int = 0
    entries: int = 0
    minutes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @classmethod
    def from_row(cls, row) -> "Activity":
        return cls(
            active=row.active,
            reflected=row.reflected,
            entries=row.entries,
            minutes={kind: int(getattr(row, f"minutes_{kind}")) for kind in KINDS},
        )

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes.values())

    def reflected_share(self, people: int) -> float | None:
        """Return the share of the people who reflected, in percent."""
        return round(100 * self.reflected / people, 1) if people else None


def week_number(sprint: Sprint):
    """Return the sprint week of an entry's date as a portable SQL expression.

    A CASE over the sprint's week boundaries works the same on SQLite and
    PostgreSQL, whose date arithmetic differs.
    """
    return case(
        *(
            (LogEntry.date < sprint.start_date + timedelta(weeks=week), week)
            for week in range(1, sprint.weeks + 1)
        ),
        else_=sprint.weeks,
    )


def participant_count(community_id: int) -> int:
    query = select(func.count(Membership.id)).where(
        Membership.community_id == community_id, Membership.role == Role.PARTICIPANT
    )
    return db.session.scalar(query)


@dataclass
class SprintDashboard:
    sprint: Sprint
    participants: int
    weeks: list[tuple[int, date, Activity]]
    challenges: dict[str, int]
    effects: list[tuple[Instrument, list, bool]]
    skills: list[tuple[Skill, int]]

    @property
    def validated_total(self) -> int:
        return sum(count for _skill, count in self.skills)


def sprint_dashboard(sprint: Sprint) -> SprintDashboard:
    """Return the sprint's measures, each from one aggregate query."""
    week = week_number(sprint).label("week")
    rows = db.session.execute(
        select(week, *activity_columns())
        .where(
            LogEntry.sprint_id == sprint.id,
            LogEntry.date >= sprint.start_date,
            LogEntry.date <= sprint.end_date,
        )
        .group_by(week)
    )
    by_week = {row.week: Activity.from_row(row) for row in rows}
    weeks = [
        (number, sprint.week_start(number), by_week.get(number, Activity()))
        for number in range(1, sprint.weeks + 1)
    ]

    challenges = dict.fromkeys(ChallengeStatus, 0)
    for status, count in db.session.execute(
        select(Challenge.status, func.count(Challenge.id))
        .where(Challenge.sprint_id == sprint.id)
        .group_by(Challenge.status)
    ):
        challenges[status] = count

    return SprintDashboard(
        sprint=sprint,
        participants=participant_count(sprint.community_id),
        weeks=weeks,
        challenges=challenges,
        effects=instrument_effects(sprint),
        skills=validated_skills(
            [sprint.community_id], sprint.start_date, sprint.end_date
        ),
    )


def instrument_effects(sprint: Sprint) -> list[tuple[Instrument, list, bool]]:
    """Return start against end for every instrument given at both moments."""
    questions = (
        select(Administration)
        .where(Administration.sprint_id == sprint.id)
        .options(
            joinedload(Administration.instrument)
            .selectinload(Instrument.dimensions)
            .selectinload(Dimension.items)
        )
        .order_by(Administration.opened_at)
    )
    moments: dict[int, dict[str, Administration]] = {}
    for administration in db.session.scalars(questions):
        moments.setdefault(administration.instrument_id, {})[administration.moment] = (
            administration
        )

    found = []
    for pair in moments.values():
        if "start" in pair and "end" in pair:
            effects, hidden = instruments.effect(pair["start"], pair["end"])
            found.append((pair["start"].instrument, effects, hidden))
    return found


def validated_skills(community_ids, start: date | None, end: date | None, limit=10):
    """Return the skills validated most in the communities, in the period."""
    if not community_ids:
        return []
    query = (
        select(Skill, func.count(SkillClaim.id).label("count"))
        .join(SkillClaim, SkillClaim.skill_id == Skill.id)
        .where(
            SkillClaim.community_id.in_(community_ids),
            SkillClaim.status == ClaimStatus.VALIDATED,
        )
        .group_by(Skill.id)
        .order_by(func.count(SkillClaim.id).desc(), Skill.name_nl)
        .limit(limit)
    )
    query = query.where(between(func.date(SkillClaim.validated_at), start, end))
    return [(skill, count) for skill, count in db.session.execute(query)]


def rollup_columns():
    """Return the same measures as activity_columns, read from the weekly roll-up."""
    return (
        func.count(distinct(ActivityWeek.author_id)).label("active"),
        func.count(
            distinct(case((ActivityWeek.reflections > 0, ActivityWeek.author_id)))
        ).label("reflected"),
        func.coalesce(func.sum(ActivityWeek.entries), 0).label("entries"),
        *(
            func.coalesce(func.sum(getattr(ActivityWeek, f"minutes_{kind}")), 0).label(
                f"minutes_{kind}"
            )
            for kind in KINDS
        ),
    )


def between(column, start: date | None, end: date | None):
    """Return the condition that the column lies in the period; open ends allowed."""
    conditions = []
    if start:
        conditions.append(column >= start)
    if end:
        conditions.append(column <= end)
    return and_(True, *conditions)


def weeks_filter(start: date | None, end: date | None):
    """Select the roll-up weeks of a period, which counts in whole weeks."""
    return between(ActivityWeek.week_start, start and monday(start), end)


def period_filter(start: date | None, end: date | None):
    return between(LogEntry.date, start, end)


@dataclass
class SprintRow:
    sprint: Sprint
    activity: Activity
    challenges_done: int
    challenges: int


def community_dashboard(community: Community, start=None, end=None, drafts=False):
    """Return the measures per sprint of the community, and its validated skills.

    Draft sprints are listed only for those who plan them (`drafts`).
    """
    query = select(Sprint).where(Sprint.community_id == community.id)
    if not drafts:
        query = query.where(Sprint.status != SprintStatus.DRAFT)
    sprints = list(db.session.scalars(query.order_by(Sprint.start_date.desc())))
    rows = db.session.execute(
        select(LogEntry.sprint_id, *activity_columns())
        .where(LogEntry.community_id == community.id, period_filter(start, end))
        .group_by(LogEntry.sprint_id)
    )
    by_sprint = {row.sprint_id: Activity.from_row(row) for row in rows}
    done = case((Challenge.status == ChallengeStatus.DONE, 1), else_=0)
    counts = {
        sprint_id: (int(finished), total)
        for sprint_id, finished, total in db.session.execute(
            select(
                Challenge.sprint_id,
                func.coalesce(func.sum(done), 0),
                func.count(Challenge.id),
            )
            .where(Challenge.community_id == community.id)
            .group_by(Challenge.sprint_id)
        )
    }
    per_sprint = [
        SprintRow(
            sprint,
            by_sprint.get(sprint.id, Activity()),
            *counts.get(sprint.id, (0, 0)),
        )
        for sprint in sprints
    ]
    return {
        "participants": participant_count(community.id),
        "sprints": per_sprint,
        "outside_sprints": by_sprint.get(None, Activity()),
        "skills": validated_skills([community.id], start, end),
    }


@dataclass
class RegionRow:
    region: Region
    communities: int
    activity: Activity
    validated: int
    hidden: bool = False


@dataclass
class CommunityRow:
    community: Community
    activity: Activity
    validated: int


# Below this many active people a region's numbers could point at one person.
SMALLEST_GROUP = 5


def region_dashboard(
    theme: str = "", region_ids=(), start=None, end=None, studied=None
):
    """Return the measures of every region and community, with the filters applied.

    Both come from the same two grouped queries: per community, summed per region.
    `studied` limits the communities listed one by one to those the reader follows
    (None: all, for administrators); regions count every community, but show their
    numbers to such readers only from SMALLEST_GROUP active people.
    """
    communities = select(Community.id, Community.region_id)
    if theme:
        communities = communities.where(Community.theme == theme)
    if region_ids:
        communities = communities.where(Community.region_id.in_(region_ids))
    communities = communities.subquery()

    per_community = {
        row.id: Activity.from_row(row)
        for row in db.session.execute(
            select(communities.c.id, *rollup_columns())
            .join(communities, communities.c.id == ActivityWeek.community_id)
            .where(weeks_filter(start, end))
            .group_by(communities.c.id)
        )
    }
    claim_filters = [
        SkillClaim.status == ClaimStatus.VALIDATED,
        between(func.date(SkillClaim.validated_at), start, end),
    ]
    validated = dict(
        db.session.execute(
            select(SkillClaim.community_id, func.count(SkillClaim.id))
            .join(communities, communities.c.id == SkillClaim.community_id)
            .where(*claim_filters)
            .group_by(SkillClaim.community_id)
        ).all()
    )
    listed = list(
        db.session.scalars(
            select(Community)
            .join(communities, communities.c.id == Community.id)
            .options(joinedload(Community.region))
            .order_by(Community.name)
        )
    )

    # Distinct people cannot be summed over communities: count them per region.
    people = {
        row.region_id: Activity.from_row(row)
        for row in db.session.execute(
            select(communities.c.region_id, *rollup_columns())
            .join(communities, communities.c.id == ActivityWeek.community_id)
            .where(weeks_filter(start, end))
            .group_by(communities.c.region_id)
        )
    }
    regions: dict[int, RegionRow] = {}
    for community in listed:
        row = regions.setdefault(
            community.region_id,
            RegionRow(
                community.region, 0, people.get(community.region_id, Activity()), 0
            ),
        )
        row.communities += 1
        row.validated += validated.get(community.id, 0)
    community_rows = [
        CommunityRow(
            community,
            per_community.get(community.id, Activity()),
            validated.get(community.id, 0),
        )
        for community in listed
        if studied is None or community.id in studied
    ]
    if studied is not None:
        for row in regions.values():
            row.hidden = row.activity.active < SMALLEST_GROUP
    return sorted(regions.values(), key=lambda row: row.region.name), community_rows

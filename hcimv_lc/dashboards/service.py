"""Aggregates for the sprint, community and region dashboards, read in SQL."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import joinedload

from hcimv_lc.challenges.models import Challenge, ChallengeStatus
from hcimv_lc.communities.models import Community, Membership, Role
from hcimv_lc.dashboards.models import (
    ALL_THEMES,
    ActivityPerson,
    ActivityRegion,
    ActivityWeek,
)
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
        """Return the measures of a result row; an outer join's missing row is 0."""
        return cls(
            active=row.active or 0,
            reflected=row.reflected or 0,
            entries=row.entries or 0,
            minutes={kind: int(getattr(row, f"minutes_{kind}") or 0) for kind in KINDS},
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


def participants(community_id: int):
    """Return the query that counts the community's participants."""
    return select(func.count(Membership.id)).where(
        Membership.community_id == community_id, Membership.role == Role.PARTICIPANT
    )


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

    # One row, even without challenges: the counts and the community's size.
    counts = db.session.execute(
        select(
            participants(sprint.community_id).scalar_subquery().label("participants"),
            *(
                func.count(case((Challenge.status == status, 1))).label(status)
                for status in ChallengeStatus
            ),
        ).where(Challenge.sprint_id == sprint.id)
    ).one()
    challenges = {status: getattr(counts, status) for status in ChallengeStatus}

    return SprintDashboard(
        sprint=sprint,
        participants=counts.participants,
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
    activity = (
        select(LogEntry.sprint_id, *activity_columns())
        .where(
            LogEntry.community_id == community.id,
            LogEntry.sprint_id.is_not(None),
            period_filter(start, end),
        )
        .group_by(LogEntry.sprint_id)
        .subquery()
    )
    done = case((Challenge.status == ChallengeStatus.DONE, 1), else_=0)
    challenges = (
        select(
            Challenge.sprint_id,
            func.sum(done).label("done"),
            func.count(Challenge.id).label("total"),
        )
        .where(Challenge.community_id == community.id)
        .group_by(Challenge.sprint_id)
        .subquery()
    )
    query = (
        select(Sprint, *measures_of(activity), challenges.c.done, challenges.c.total)
        .outerjoin(activity, activity.c.sprint_id == Sprint.id)
        .outerjoin(challenges, challenges.c.sprint_id == Sprint.id)
        .where(Sprint.community_id == community.id)
        .order_by(Sprint.start_date.desc())
    )
    if not drafts:
        query = query.where(Sprint.status != SprintStatus.DRAFT)
    per_sprint = [
        SprintRow(row.Sprint, Activity.from_row(row), row.done or 0, row.total or 0)
        for row in db.session.execute(query)
    ]

    return {
        "participants": db.session.scalar(participants(community.id)),
        "sprints": per_sprint,
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

    Without a period the figures come from the totals kept per person and per
    region; a period sums its weeks. `studied` limits the communities listed one
    by one to those the reader follows (None: all, for administrators); regions
    count every community, but show their numbers to such readers only from
    SMALLEST_GROUP active people.
    """
    communities = select(Community.id, Community.region_id)
    if theme:
        communities = communities.where(Community.theme == theme)
    if region_ids:
        communities = communities.where(Community.region_id.in_(region_ids))
    communities = communities.subquery()
    listed = select(communities.c.id)
    if studied is not None:
        listed = listed.where(communities.c.id.in_(studied))

    if start or end:
        people = (
            select(communities.c.region_id, *rollup_columns())
            .join(communities, communities.c.id == ActivityWeek.community_id)
            .where(weeks_filter(start, end))
            .group_by(communities.c.region_id)
        )
        per_community = (
            select(ActivityWeek.community_id, *rollup_columns())
            .where(ActivityWeek.community_id.in_(listed), weeks_filter(start, end))
            .group_by(ActivityWeek.community_id)
        )
    else:
        people = select(
            ActivityRegion.region_id,
            *(getattr(ActivityRegion, name).label(name) for name in MEASURES),
        ).where(ActivityRegion.theme == (theme or ALL_THEMES))
        per_community = (
            select(ActivityPerson.community_id, *person_columns())
            .where(ActivityPerson.community_id.in_(listed))
            .group_by(ActivityPerson.community_id)
        )
    people = people.subquery()
    per_community = per_community.subquery()

    validated: dict[int, int] = {}
    validated_in_region: dict[int, int] = {}
    for region_id, community_id, count in db.session.execute(
        select(communities.c.region_id, SkillClaim.community_id, func.count())
        .join(communities, communities.c.id == SkillClaim.community_id)
        .where(
            SkillClaim.status == ClaimStatus.VALIDATED,
            between(func.date(SkillClaim.validated_at), start, end),
        )
        .group_by(communities.c.region_id, SkillClaim.community_id)
    ):
        validated[community_id] = count
        validated_in_region[region_id] = validated_in_region.get(region_id, 0) + count

    counts = (
        select(communities.c.region_id, func.count().label("communities"))
        .group_by(communities.c.region_id)
        .subquery()
    )
    regions = [
        RegionRow(
            row.Region,
            row.communities,
            Activity.from_row(row),
            validated_in_region.get(row.Region.id, 0),
        )
        for row in db.session.execute(
            select(Region, counts.c.communities, *measures_of(people))
            .join(counts, counts.c.region_id == Region.id)
            .outerjoin(people, people.c.region_id == Region.id)
            .order_by(Region.name)
        )
    ]
    community_rows = [
        CommunityRow(
            row.Community, Activity.from_row(row), validated.get(row.Community.id, 0)
        )
        for row in db.session.execute(
            select(Community, *measures_of(per_community))
            .where(Community.id.in_(listed))
            .outerjoin(per_community, per_community.c.community_id == Community.id)
            .options(joinedload(Community.region))
            .order_by(Community.name)
        )
    ]
    if studied is not None:
        for row in regions:
            row.hidden = row.activity.active < SMALLEST_GROUP
    return regions, community_rows


MEASURES = (
    "active",
    "reflected",
    "entries",
    *(f"minutes_{kind}" for kind in KINDS),
)


def measures_of(subquery):
    """Return the measure columns of a subquery, ready for Activity.from_row."""
    return [subquery.c[name] for name in MEASURES]


def person_columns():
    """Return the measures of rolled-up totals, one row per person and community."""
    return (
        func.count().label("active"),
        func.count(case((ActivityPerson.reflections > 0, 1))).label("reflected"),
        func.sum(ActivityPerson.entries).label("entries"),
        *(
            func.sum(getattr(ActivityPerson, f"minutes_{kind}")).label(
                f"minutes_{kind}"
            )
            for kind in KINDS
        ),
    )

"""What a person sees first: the data of the participant's and facilitator's home.

The statements of the home page are built once, with named parameters: building
and keying a statement costs SQLAlchemy several times what running it costs.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func, or_, select

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge, ChallengeStatus, challenge_member
from hcimv_lc.communities.models import Membership, Role
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.logbook import service as logbook
from hcimv_lc.logbook.models import LogEntry, Visibility
from hcimv_lc.policy import roles_of
from hcimv_lc.sprints.models import Meeting, MeetingStatus, Sprint, SprintStatus

STALE_AFTER = timedelta(weeks=2)
OVERVIEW_LIMIT = 5


@cache
def active_sprints_query():
    next_meeting = (
        select(Meeting.id)
        .where(
            Meeting.sprint_id == Sprint.id,
            Meeting.date >= bindparam("today"),
            Meeting.status == MeetingStatus.PLANNED,
        )
        .order_by(Meeting.date, Meeting.start_time, Meeting.id)
        .limit(1)
        .correlate(Sprint)
        .scalar_subquery()
    )
    # The log form's sprints, in the same order, each with its next meeting.
    return (
        logbook.active_sprints_query()
        .add_columns(Meeting)
        .outerjoin(Meeting, Meeting.id == next_meeting)
    )


def active_sprints(user: User, today: date) -> list[tuple[Sprint, Meeting | None]]:
    """Return the active sprints of the person's communities, newest first.

    Each comes with its next planned meeting, if any.
    """
    rows = db.session.execute(
        active_sprints_query(), {"user_id": user.id, "today": today}
    )
    return [(sprint, meeting) for sprint, meeting in rows]


@dataclass
class ChallengeLine:
    id: int
    title: str
    sprint_id: int
    status: str
    on_team: bool
    stale: bool


@cache
def sprint_challenges_query():
    on_team = (
        select(challenge_member.c.user_id)
        .where(
            challenge_member.c.challenge_id == Challenge.id,
            challenge_member.c.user_id == bindparam("user_id"),
        )
        .exists()
    )
    stale = (Challenge.status != ChallengeStatus.DONE) & (
        Challenge.moved_at < bindparam("still_since")
    )
    return (
        select(
            Challenge.id,
            Challenge.title,
            Challenge.sprint_id,
            Challenge.status,
            on_team,
            stale,
        )
        .join(Sprint, Challenge.sprint_id == Sprint.id)
        .join(Membership, Membership.community_id == Sprint.community_id)
        .where(
            Membership.user_id == bindparam("user_id"),
            Sprint.status == SprintStatus.ACTIVE,
        )
        .order_by(Challenge.title, Challenge.id)
    )


def sprint_challenges(user: User) -> list[ChallengeLine]:
    """Return the challenges of the person's active sprints, by title.

    Each says whether the person is on its team and whether it stood still for
    two weeks while not done.
    """
    parameters = {"user_id": user.id, "still_since": utcnow() - STALE_AFTER}
    return [
        ChallengeLine(*row[:4], on_team=bool(row[4]), stale=bool(row[5]))
        for row in db.session.execute(sprint_challenges_query(), parameters)
    ]


def my_challenges(challenges: list[ChallengeLine]) -> list[ChallengeLine]:
    """Return the open challenges the person is on the team of, at most five."""
    mine = [
        challenge
        for challenge in challenges
        if challenge.on_team and challenge.status != ChallengeStatus.DONE
    ]
    return mine[:5]


@dataclass
class SprintOverview:
    sprint: Sprint
    week: int | None
    people: list[tuple[User, bool]]
    next_meeting: Meeting | None
    shared_this_week: int
    stale_challenges: list[ChallengeLine]


@cache
def participants_query():
    return (
        select(Sprint.id, User)
        .join(Membership, Membership.community_id == Sprint.community_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Sprint.id.in_(bindparam("sprint_ids", expanding=True)),
            Membership.role == Role.PARTICIPANT,
        )
        .order_by(User.name, User.id)
    )


def facilitator_overview(
    user: User,
    today: date,
    sprints: list[tuple[Sprint, Meeting | None]],
    challenges: list[ChallengeLine],
) -> list[SprintOverview]:
    """Return, per active sprint the person leads, how this week is going.

    `sprints` and `challenges` are those of all the person's active sprints.
    """
    roles = roles_of(user)
    led = [
        (sprint, meeting)
        for sprint, meeting in sprints
        if roles.get(sprint.community_id) == Role.FACILITATOR
    ][:OVERVIEW_LIMIT]
    if not led:
        return []

    ids = [sprint.id for sprint, _meeting in led]
    people_rows = db.session.execute(participants_query(), {"sprint_ids": ids}).all()
    logged, shared = activity_this_week(ids, today)

    overviews = []
    for sprint, meeting in led:
        people = [
            (person, (sprint_id, person.id) in logged)
            for sprint_id, person in people_rows
            if sprint_id == sprint.id
        ]
        overviews.append(
            SprintOverview(
                sprint=sprint,
                week=sprint.week_of(today),
                people=people,
                next_meeting=meeting,
                shared_this_week=shared.get(sprint.id, 0),
                stale_challenges=[
                    challenge
                    for challenge in challenges
                    if challenge.sprint_id == sprint.id and challenge.stale
                ],
            )
        )
    return overviews


@cache
def activity_query():
    monday, week_ago = bindparam("monday"), bindparam("week_ago")
    this_week = func.sum(case((LogEntry.date >= monday, 1), else_=0))
    shared = func.sum(
        case(
            (
                (LogEntry.created_at >= week_ago)
                & (LogEntry.visibility != Visibility.PRIVATE),
                1,
            ),
            else_=0,
        )
    )
    return (
        select(LogEntry.sprint_id, LogEntry.author_id, this_week, shared)
        .where(
            LogEntry.sprint_id.in_(bindparam("sprint_ids", expanding=True)),
            or_(LogEntry.date >= monday, LogEntry.created_at >= week_ago),
        )
        .group_by(LogEntry.sprint_id, LogEntry.author_id)
    )


def activity_this_week(
    sprint_ids: list[int], today: date
) -> tuple[set[tuple[int, int]], dict[int, int]]:
    """Return who logged in each sprint this week, and what was shared in seven days.

    The first is a set of (sprint id, author id), the second a count per sprint id.
    """
    parameters = {
        "sprint_ids": sprint_ids,
        "monday": logbook.week_start(today),
        "week_ago": utcnow() - timedelta(days=7),
    }
    logged: set[tuple[int, int]] = set()
    shared_per_sprint: dict[int, int] = {}
    for sprint_id, author_id, entries_this_week, shared_entries in db.session.execute(
        activity_query(), parameters
    ):
        if entries_this_week:
            logged.add((sprint_id, author_id))
        shared_per_sprint[sprint_id] = shared_per_sprint.get(sprint_id, 0) + int(
            shared_entries or 0
        )
    return logged, shared_per_sprint

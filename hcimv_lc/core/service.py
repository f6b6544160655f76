"""What a person sees first: the data of the participant's and facilitator's home."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge, ChallengeStatus, challenge_member
from hcimv_lc.communities.models import Membership, Role
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry, Visibility
from hcimv_lc.logbook.service import week_start
from hcimv_lc.sprints.models import Meeting, MeetingStatus, Sprint, SprintStatus

STALE_AFTER = timedelta(weeks=2)


def next_meetings(sprint_ids: list[int], today: date) -> dict[int, Meeting]:
    """Return the next planned meeting of each sprint."""
    if not sprint_ids:
        return {}
    query = (
        select(Meeting)
        .where(
            Meeting.sprint_id.in_(sprint_ids),
            Meeting.date >= today,
            Meeting.status == MeetingStatus.PLANNED,
        )
        .order_by(Meeting.date, Meeting.start_time)
    )
    found: dict[int, Meeting] = {}
    for meeting in db.session.scalars(query):
        found.setdefault(meeting.sprint_id, meeting)
    return found


def my_challenges(user: User) -> list[Challenge]:
    """Return the open challenges of active sprints the person is on the team of."""
    query = (
        select(Challenge)
        .join(challenge_member, challenge_member.c.challenge_id == Challenge.id)
        .join(Sprint, Challenge.sprint_id == Sprint.id)
        .join(
            Membership,
            (Membership.community_id == Sprint.community_id)
            & (Membership.user_id == user.id),
        )
        .where(
            challenge_member.c.user_id == user.id,
            Sprint.status == SprintStatus.ACTIVE,
            Challenge.status != ChallengeStatus.DONE,
        )
        .order_by(Challenge.title)
        .limit(5)
    )
    return list(db.session.scalars(query))


@dataclass
class SprintOverview:
    sprint: Sprint
    week: int | None
    people: list[tuple[User, bool]]
    next_meeting: Meeting | None
    shared_this_week: int
    stale_challenges: list[Challenge]


def facilitator_overview(
    user: User, today: date, meetings: dict[int, Meeting]
) -> list[SprintOverview]:
    """Return, per active sprint the person leads, how this week is going.

    `meetings` holds the next meeting of each of the person's active sprints.
    """
    sprints = list(
        db.session.scalars(
            select(Sprint)
            .join(Membership, Membership.community_id == Sprint.community_id)
            .where(
                Membership.user_id == user.id,
                Membership.role == Role.FACILITATOR,
                Sprint.status == SprintStatus.ACTIVE,
            )
            .order_by(Sprint.start_date.desc())
            .limit(5)
        )
    )
    if not sprints:
        return []

    ids = [sprint.id for sprint in sprints]
    monday = week_start(today)
    people_rows = db.session.execute(
        select(Sprint.id, User)
        .join(Membership, Membership.community_id == Sprint.community_id)
        .join(User, User.id == Membership.user_id)
        .where(Sprint.id.in_(ids), Membership.role == Role.PARTICIPANT)
        .order_by(User.name)
    ).all()
    logged = set(
        db.session.execute(
            select(LogEntry.sprint_id, LogEntry.author_id)
            .where(LogEntry.sprint_id.in_(ids), LogEntry.date >= monday)
            .distinct()
        ).all()
    )
    shared = dict(
        db.session.execute(
            select(LogEntry.sprint_id, func.count())
            .where(
                LogEntry.sprint_id.in_(ids),
                LogEntry.created_at >= utcnow() - timedelta(days=7),
                LogEntry.visibility != Visibility.PRIVATE,
            )
            .group_by(LogEntry.sprint_id)
        ).all()
    )
    stale: dict[int, list[Challenge]] = {}
    for challenge in db.session.scalars(
        select(Challenge).where(
            Challenge.sprint_id.in_(ids),
            Challenge.status != ChallengeStatus.DONE,
            Challenge.moved_at < utcnow() - STALE_AFTER,
        )
    ):
        stale.setdefault(challenge.sprint_id, []).append(challenge)

    overviews = []
    for sprint in sprints:
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
                next_meeting=meetings.get(sprint.id),
                shared_this_week=shared.get(sprint.id, 0),
                stale_challenges=stale.get(sprint.id, []),
            )
        )
    return overviews

"""Rules of challenges: the backlog, the board, moving cards and their teams."""

import logging
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge, ChallengeStatus
from hcimv_lc.communities.models import Community, Membership
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.markup import render_markdown
from hcimv_lc.skills.models import Skill
from hcimv_lc.sprints.models import Sprint, SprintStatus

logger = logging.getLogger(__name__)

COLUMNS = (ChallengeStatus.OPEN, ChallengeStatus.IN_PROGRESS, ChallengeStatus.DONE)


def challenge_by_id(challenge_id: int) -> Challenge | None:
    query = select(Challenge).where(Challenge.id == challenge_id)
    options = (
        joinedload(Challenge.community),
        joinedload(Challenge.sprint),
        joinedload(Challenge.organisation),
        selectinload(Challenge.team),
        selectinload(Challenge.needed_skills),
    )
    return db.session.scalar(query.options(*options))


def with_cards(query):
    return query.options(
        joinedload(Challenge.organisation), selectinload(Challenge.team)
    ).order_by(Challenge.position, Challenge.id)


def backlog(community: Community) -> list[Challenge]:
    """Return the community's challenges that are not in a sprint."""
    query = select(Challenge).where(
        Challenge.community_id == community.id, Challenge.sprint_id.is_(None)
    )
    return list(db.session.scalars(with_cards(query)))


@cache
def board_query():
    # Built once: building and keying a statement costs more than running it.
    return with_cards(
        select(Challenge).where(Challenge.sprint_id == bindparam("sprint_id"))
    )


def board(sprint: Sprint) -> dict[str, list[Challenge]]:
    """Return the sprint's challenges per status column, each column in its order."""
    columns: dict[str, list[Challenge]] = {status.value: [] for status in COLUMNS}
    parameters = {"sprint_id": sprint.id}
    for challenge in db.session.scalars(board_query(), parameters):
        columns.setdefault(challenge.status, []).append(challenge)
    return columns


def member_choices(community: Community) -> list[tuple[int, str]]:
    """Return (id, name) of the community's members, for picking a team."""
    query = (
        select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id)
        .order_by(User.name)
    )
    return [(user_id, name) for user_id, name in db.session.execute(query)]


def sprint_choices(community: Community) -> list[tuple[int, str]]:
    """Return (id, title) of the community's sprints that are not closed."""
    query = (
        select(Sprint.id, Sprint.title)
        .where(
            Sprint.community_id == community.id, Sprint.status != SprintStatus.CLOSED
        )
        .order_by(Sprint.start_date.desc())
    )
    return [(sprint_id, title) for sprint_id, title in db.session.execute(query)]


def next_position(sprint_id: int | None, community_id: int, status: str) -> int:
    query = select(func.max(Challenge.position)).where(
        Challenge.community_id == community_id,
        Challenge.status == status,
        Challenge.sprint_id.is_(None)
        if sprint_id is None
        else Challenge.sprint_id == sprint_id,
    )
    highest = db.session.scalar(query)
    return 0 if highest is None else highest + 1


def apply_fields(challenge: Challenge, fields: dict) -> None:
    challenge.title = fields["title"]
    challenge.description = fields.get("description") or ""
    challenge.description_html = render_markdown(challenge.description)
    challenge.organisation_id = fields.get("organisation_id") or None
    challenge.site = fields.get("site") or ""
    challenge.learning_goals = fields.get("learning_goals") or ""
    challenge.success_criteria = fields.get("success_criteria") or ""
    if "needed_skill_ids" in fields:
        wanted = fields["needed_skill_ids"]
        challenge.needed_skills = list(
            db.session.scalars(select(Skill).where(Skill.id.in_(wanted)))
        )


def set_team(challenge: Challenge, user_ids: list[int]) -> None:
    """Make the team the given members of the challenge's community."""
    allowed = {user_id for user_id, _ in member_choices(challenge.community)}
    wanted = [user_id for user_id in user_ids if user_id in allowed]
    challenge.team = list(db.session.scalars(select(User).where(User.id.in_(wanted))))


def create_challenge(community: Community, author: User, team: list[int], **fields):
    """Add a challenge to the community's backlog."""
    challenge = Challenge(
        community_id=community.id,
        community=community,
        status=ChallengeStatus.OPEN,
        position=next_position(None, community.id, ChallengeStatus.OPEN),
    )
    apply_fields(challenge, fields)
    db.session.add(challenge)
    set_team(challenge, team)
    db.session.flush()
    logger.info("Challenge %s added by user %s", challenge.id, author.id)
    return challenge


def update_challenge(challenge: Challenge, team: list[int], **fields) -> None:
    apply_fields(challenge, fields)
    set_team(challenge, team)
    logger.info("Challenge %s updated", challenge.id)


def column_of(challenge: Challenge, status: str) -> list[Challenge]:
    query = select(Challenge).where(
        Challenge.community_id == challenge.community_id,
        Challenge.status == status,
        Challenge.id != challenge.id,
    )
    if challenge.sprint_id is None:
        query = query.where(Challenge.sprint_id.is_(None))
    else:
        query = query.where(Challenge.sprint_id == challenge.sprint_id)
    return list(db.session.scalars(query.order_by(Challenge.position, Challenge.id)))


def move(challenge: Challenge, status: str, position: int | None) -> None:
    """Put a card at a place in a column (None: at the end); the rest keep order."""
    column = column_of(challenge, status)
    index = len(column) if position is None else max(0, min(position, len(column)))
    column.insert(index, challenge)
    for number, card in enumerate(column):
        card.position = number

    if challenge.status != status:
        challenge.moved_at = utcnow()
    challenge.status = status
    logger.info("Challenge %s moved to %s at %s", challenge.id, status, index)


def schedule(challenge: Challenge, sprint: Sprint | None) -> None:
    """Move a challenge into a sprint, or back to the backlog when sprint is None."""
    challenge.sprint_id = sprint.id if sprint else None
    challenge.sprint = sprint
    challenge.position = next_position(
        challenge.sprint_id, challenge.community_id, challenge.status
    )
    challenge.moved_at = utcnow()
    where = f"sprint {sprint.id}" if sprint else "the backlog"
    logger.info("Challenge %s moved to %s", challenge.id, where)


def copy_outlines(source: Sprint, target: Sprint) -> None:
    """Copy the outlines of a sprint's challenges into another sprint, all open."""
    query = select(Challenge).where(Challenge.sprint_id == source.id)
    for position, original in enumerate(
        db.session.scalars(query.order_by(Challenge.id))
    ):
        copy = Challenge(
            community_id=target.community_id,
            sprint_id=target.id,
            status=ChallengeStatus.OPEN,
            position=position,
        )
        apply_fields(
            copy,
            {
                "title": original.title,
                "description": original.description,
                "organisation_id": original.organisation_id,
                "site": original.site,
                "learning_goals": original.learning_goals,
                "success_criteria": original.success_criteria,
            },
        )
        copy.needed_skills = list(original.needed_skills)
        db.session.add(copy)


def progress(columns: dict[str, list[Challenge]]) -> tuple[int, int]:
    """Return (done, total) of a board."""
    total = sum(len(cards) for cards in columns.values())
    return len(columns.get(ChallengeStatus.DONE, [])), total

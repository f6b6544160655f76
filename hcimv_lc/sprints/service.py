"""Rules of sprints, meetings and lessons: planning, series, templates, closing."""

import logging
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community, Membership, Role
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.markup import render_markdown
from hcimv_lc.policy import can
from hcimv_lc.sprints.models import (
    Lesson,
    Meeting,
    MeetingStatus,
    Sprint,
    SprintStatus,
    new_feed_token,
)
from hcimv_lc.toolbox.service import index_lesson

logger = logging.getLogger(__name__)

STATUS_ORDER = (SprintStatus.ACTIVE, SprintStatus.DRAFT, SprintStatus.CLOSED)


class SprintError(RuleError):
    """A sprint rule was broken."""


@dataclass
class Week:
    number: int
    start: date
    end: date
    is_current: bool
    is_past: bool
    meetings: int


# The statements of the sprint pages are built once, with named parameters:
# building and keying a statement costs SQLAlchemy more than running it.
@cache
def sprint_by_id_query():
    return (
        select(Sprint)
        .where(Sprint.id == bindparam("sprint_id"))
        .options(joinedload(Sprint.community))
    )


def sprint_by_id(sprint_id: int) -> Sprint | None:
    return db.session.scalar(sprint_by_id_query(), {"sprint_id": sprint_id})


@cache
def sprints_of_community_query():
    return (
        select(Sprint)
        .where(Sprint.community_id == bindparam("community_id"))
        .order_by(Sprint.start_date.desc(), Sprint.id.desc())
    )


def sprints_by_status(community: Community, user) -> dict[str, list[Sprint]]:
    """Return the sprints of a community the person may see, grouped by status."""
    groups: dict[str, list[Sprint]] = {status.value: [] for status in STATUS_ORDER}
    may_see_drafts = can(user, "sprint.plan", community)
    parameters = {"community_id": community.id}
    for sprint in db.session.scalars(sprints_of_community_query(), parameters):
        sprint.community = community
        if sprint.status == SprintStatus.DRAFT and not may_see_drafts:
            continue
        groups[sprint.status].append(sprint)
    return groups


def plan_sprint(community: Community, author: User, **fields) -> Sprint:
    """Plan a new sprint as a draft."""
    sprint = Sprint(community_id=community.id, status=SprintStatus.DRAFT)
    apply_fields(sprint, fields)
    db.session.add(sprint)
    db.session.flush()
    logger.info(
        "Sprint %s planned by user %s in community %r",
        sprint.id,
        author.id,
        community.slug,
    )
    return sprint


def apply_fields(sprint: Sprint, fields: dict) -> None:
    sprint.title = fields["title"]
    sprint.goal = fields.get("goal") or ""
    sprint.goal_html = render_markdown(sprint.goal)
    sprint.start_date = fields["start_date"]
    sprint.weeks = fields["weeks"]


def update_sprint(sprint: Sprint, **fields) -> None:
    """Change a sprint; its meetings must still fall inside its weeks."""
    start, weeks = fields["start_date"], fields["weeks"]
    end = start + timedelta(weeks=weeks, days=-1)
    outside = db.session.scalar(
        select(Meeting.id).where(
            Meeting.sprint_id == sprint.id,
            Meeting.status == MeetingStatus.PLANNED,
            (Meeting.date < start) | (Meeting.date > end),
        )
    )
    if outside is not None:
        raise SprintError(
            _(
                "Er staan bijeenkomsten buiten deze weken. "
                "Verplaats of annuleer ze eerst."
            ),
            field="weeks",
        )

    apply_fields(sprint, fields)
    logger.info("Sprint %s updated", sprint.id)


def activate(sprint: Sprint) -> None:
    sprint.status = SprintStatus.ACTIVE
    logger.info("Sprint %s started", sprint.id)


def close(
    sprint: Sprint,
    author: User,
    worked: str,
    did_not_work: str,
    advice: str,
    visibility: str,
) -> Lesson:
    """Close the sprint and publish its retrospective as a lesson."""
    lesson = db.session.scalar(select(Lesson).where(Lesson.sprint_id == sprint.id))
    if lesson is None:
        lesson = Lesson(sprint_id=sprint.id)
        db.session.add(lesson)
    lesson.worked, lesson.did_not_work, lesson.advice = worked, did_not_work, advice
    lesson.worked_html = render_markdown(worked)
    lesson.did_not_work_html = render_markdown(did_not_work)
    lesson.advice_html = render_markdown(advice)
    lesson.visibility = visibility
    lesson.author_id = author.id
    lesson.published_at = utcnow()

    sprint.status = SprintStatus.CLOSED
    sprint.closed_at = utcnow()
    db.session.flush()
    index_lesson(lesson, sprint)
    logger.info("Sprint %s closed; lesson %s published", sprint.id, lesson.id)
    return lesson


@cache
def lesson_of_query():
    return select(Lesson).where(Lesson.sprint_id == bindparam("sprint_id"))


def lesson_of(sprint: Sprint) -> Lesson | None:
    return db.session.scalar(lesson_of_query(), {"sprint_id": sprint.id})


def lesson_by_id(lesson_id: int) -> Lesson | None:
    query = select(Lesson).where(Lesson.id == lesson_id)
    options = joinedload(Lesson.sprint).joinedload(Sprint.community)
    return db.session.scalar(query.options(options))


@cache
def meetings_of_query():
    return (
        select(Meeting)
        .where(Meeting.sprint_id == bindparam("sprint_id"))
        .order_by(Meeting.date, Meeting.start_time, Meeting.id)
    )


def meetings_of(sprint: Sprint) -> list[Meeting]:
    return list(db.session.scalars(meetings_of_query(), {"sprint_id": sprint.id}))


def meeting_by_id(meeting_id: int) -> Meeting | None:
    query = select(Meeting).where(Meeting.id == meeting_id)
    options = joinedload(Meeting.sprint).joinedload(Sprint.community)
    return db.session.scalar(query.options(options))


def check_meeting(sprint: Sprint, day: date, start: time, end: time) -> None:
    if not sprint.start_date <= day <= sprint.end_date:
        raise SprintError(
            _(
                "Deze datum valt buiten de sprint (%(start)s tot en met %(end)s).",
                start=sprint.start_date.strftime("%d-%m-%Y"),
                end=sprint.end_date.strftime("%d-%m-%Y"),
            ),
            field="date",
        )
    if end <= start:
        raise SprintError(_("De eindtijd ligt na de begintijd."), field="end_time")


def apply_meeting_fields(meeting: Meeting, fields: dict) -> None:
    meeting.date = fields["date"]
    meeting.start_time = fields["start_time"]
    meeting.end_time = fields["end_time"]
    meeting.place = fields.get("place") or ""
    meeting.online_url = fields.get("online_url") or ""
    meeting.agenda = fields.get("agenda") or ""
    meeting.agenda_html = render_markdown(meeting.agenda)


def add_meeting(sprint: Sprint, **fields) -> Meeting:
    """Add one meeting inside the sprint's weeks."""
    check_meeting(sprint, fields["date"], fields["start_time"], fields["end_time"])
    meeting = Meeting(sprint_id=sprint.id)
    apply_meeting_fields(meeting, fields)
    db.session.add(meeting)
    db.session.flush()
    logger.info("Meeting %s added to sprint %s", meeting.id, sprint.id)
    return meeting


def update_meeting(meeting: Meeting, **fields) -> None:
    """Change a meeting; calendars see a higher SEQUENCE."""
    check_meeting(
        meeting.sprint, fields["date"], fields["start_time"], fields["end_time"]
    )
    apply_meeting_fields(meeting, fields)
    meeting.status = MeetingStatus.PLANNED
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    logger.info("Meeting %s updated", meeting.id)


def cancel_meeting(meeting: Meeting) -> None:
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    logger.info("Meeting %s cancelled", meeting.id)


def series_dates(sprint: Sprint, weekday: int, interval: int) -> list[date]:
    """Return the dates on the weekday, every `interval` weeks, within the sprint."""
    first = sprint.start_date + timedelta(
        days=(weekday - sprint.start_date.weekday()) % 7
    )
    dates = []
    day = first
    while day <= sprint.end_date:
        dates.append(day)
        day += timedelta(weeks=interval)
    return dates


def generate_series(
    sprint: Sprint, weekday: int, interval: int, **fields
) -> list[Meeting]:
    """Add a meeting on a weekday every one or two weeks; existing ones are kept."""
    if fields["end_time"] <= fields["start_time"]:
        raise SprintError(_("De eindtijd ligt na de begintijd."), field="end_time")

    taken = {
        (meeting.date, meeting.start_time)
        for meeting in meetings_of(sprint)
        if not meeting.is_cancelled
    }
    created = []
    for day in series_dates(sprint, weekday, interval):
        if (day, fields["start_time"]) in taken:
            continue
        meeting = Meeting(sprint_id=sprint.id)
        apply_meeting_fields(meeting, {**fields, "date": day})
        db.session.add(meeting)
        created.append(meeting)

    sprint.meeting_weekday, sprint.meeting_interval = weekday, interval
    sprint.meeting_start, sprint.meeting_end = fields["start_time"], fields["end_time"]
    sprint.meeting_place = fields.get("place") or None
    sprint.meeting_url = fields.get("online_url") or None
    db.session.flush()
    logger.info("Series of %s meetings added to sprint %s", len(created), sprint.id)
    return created


def copy_sprint(
    source: Sprint, community: Community, author: User, title: str, start_date: date
) -> Sprint:
    """Start a new draft sprint from an earlier one, with dates shifted."""
    from hcimv_lc.challenges.service import copy_outlines

    sprint = plan_sprint(
        community,
        author,
        title=title,
        goal=source.goal,
        start_date=start_date,
        weeks=source.weeks,
    )
    sprint.copied_from_id = source.id
    for name in ("weekday", "interval", "start", "end", "place", "url"):
        setattr(sprint, f"meeting_{name}", getattr(source, f"meeting_{name}"))

    shift = start_date - source.start_date
    for meeting in meetings_of(source):
        if meeting.is_cancelled:
            continue
        copy = Meeting(sprint_id=sprint.id)
        apply_meeting_fields(
            copy,
            {
                "date": meeting.date + shift,
                "start_time": meeting.start_time,
                "end_time": meeting.end_time,
                "place": meeting.place,
                "online_url": meeting.online_url,
                "agenda": meeting.agenda,
            },
        )
        db.session.add(copy)

    copy_outlines(source, sprint)
    db.session.flush()
    logger.info("Sprint %s copied from sprint %s", sprint.id, source.id)
    return sprint


def timeline(sprint: Sprint, meetings: list[Meeting], today: date) -> list[Week]:
    """Return the sprint's weeks with the current one marked."""
    per_week: dict[int, int] = {}
    for meeting in meetings:
        week = sprint.week_of(meeting.date)
        if week and not meeting.is_cancelled:
            per_week[week] = per_week.get(week, 0) + 1

    current = sprint.week_of(today)
    weeks = []
    for number in range(1, sprint.weeks + 1):
        start = sprint.week_start(number)
        weeks.append(
            Week(
                number=number,
                start=start,
                end=start + timedelta(days=6),
                is_current=number == current,
                is_past=start + timedelta(days=6) < today,
                meetings=per_week.get(number, 0),
            )
        )
    return weeks


def communities_led_by(user: User) -> list[Community]:
    """Return the communities in which the person is a facilitator, by name."""
    query = select(Community).order_by(Community.name)
    if not user.is_admin:
        query = query.join(Membership).where(
            Membership.user_id == user.id, Membership.role == Role.FACILITATOR
        )
    return list(db.session.scalars(query))


def replace_sprint_feed_token(sprint: Sprint) -> None:
    sprint.calendar_token = new_feed_token()
    logger.info("Calendar link of sprint %s replaced", sprint.id)


def replace_personal_feed_token(user: User) -> None:
    user.calendar_token = new_feed_token()
    logger.info("Personal calendar link of user %s replaced", user.id)


def sprint_by_feed_token(token: str) -> Sprint | None:
    return db.session.scalar(select(Sprint).where(Sprint.calendar_token == token))


def user_by_feed_token(token: str) -> User | None:
    return db.session.scalar(select(User).where(User.calendar_token == token))


def personal_meetings(user: User) -> list[Meeting]:
    """Return the meetings of every visible sprint in the person's communities."""
    query = (
        select(Meeting)
        .join(Sprint, Meeting.sprint_id == Sprint.id)
        .join(Membership, Membership.community_id == Sprint.community_id)
        .where(Membership.user_id == user.id)
        .where(
            (Sprint.status != SprintStatus.DRAFT)
            | (Membership.role == Role.FACILITATOR)
        )
        .options(joinedload(Meeting.sprint))
        .order_by(Meeting.date, Meeting.start_time)
    )
    return list(db.session.scalars(query).unique())

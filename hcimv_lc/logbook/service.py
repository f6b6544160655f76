"""Rules and queries of the logbook: logging, my log, feedback, the week grid."""

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community, Membership, Role
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.logbook.models import (
    Comment,
    LogEntry,
    PendingEntry,
    Visibility,
    WeeklyPrompt,
)
from hcimv_lc.markup import render_markdown
from hcimv_lc.notifications import service as notifications
from hcimv_lc.notifications.models import NotificationKind
from hcimv_lc.policy import is_facilitator, memberships_of
from hcimv_lc.skills.models import Skill
from hcimv_lc.sprints.models import Sprint, SprintStatus

logger = logging.getLogger(__name__)

PER_PAGE = 25
PENDING_MAX_AGE = timedelta(days=2)


class LogbookError(RuleError):
    """A logbook rule was broken."""


def communities_of(user: User) -> list[Community]:
    """Return the communities the person is a member of, by name."""
    return [community for community, _role in memberships_of(user)]


# The statements of the logbook's main pages are built once, with named parameters:
# building and keying a statement costs SQLAlchemy more than running it.
@cache
def active_sprints_query():
    return (
        select(Sprint)
        .join(Membership, Membership.community_id == Sprint.community_id)
        .where(
            Membership.user_id == bindparam("user_id"),
            Sprint.status == SprintStatus.ACTIVE,
        )
        .options(joinedload(Sprint.community))
        .order_by(Sprint.start_date.desc(), Sprint.id.desc())
    )


def active_sprints_of(user: User) -> list[Sprint]:
    """Return the active sprints of the person's communities, newest first."""
    return list(db.session.scalars(active_sprints_query(), {"user_id": user.id}))


def challenge_choices(user: User) -> list[tuple[int, str]]:
    """Return (id, title) of the challenges in the person's active sprints."""
    query = (
        select(Challenge.id, Challenge.title)
        .join(Sprint, Challenge.sprint_id == Sprint.id)
        .join(Membership, Membership.community_id == Sprint.community_id)
        .where(Membership.user_id == user.id, Sprint.status == SprintStatus.ACTIVE)
        .order_by(Challenge.title)
    )
    return [(challenge_id, title) for challenge_id, title in db.session.execute(query)]


@cache
def prompt_query():
    return select(WeeklyPrompt.text).where(
        WeeklyPrompt.sprint_id == bindparam("sprint_id"),
        WeeklyPrompt.week == bindparam("week"),
    )


def prompt_for(sprint: Sprint, day: date) -> str:
    """Return the reflection question of the sprint for the week of the day."""
    week = sprint.week_of(day)
    if week is not None:
        parameters = {"sprint_id": sprint.id, "week": week}
        text = db.session.scalar(prompt_query(), parameters)
        if text:
            return text
    return sprint.default_prompt or ""


def prompts_of(sprint: Sprint) -> dict[int, str]:
    query = select(WeeklyPrompt.week, WeeklyPrompt.text).where(
        WeeklyPrompt.sprint_id == sprint.id
    )
    return dict(db.session.execute(query).all())


def set_prompt(sprint: Sprint, week: int, text: str) -> None:
    """Set the question of one week of the sprint."""
    if week > sprint.weeks:
        raise LogbookError(
            _("Deze sprint heeft %(n)d weken.", n=sprint.weeks), field="week"
        )
    prompt = db.session.scalar(
        select(WeeklyPrompt).where(
            WeeklyPrompt.sprint_id == sprint.id, WeeklyPrompt.week == week
        )
    )
    if prompt is None:
        prompt = WeeklyPrompt(sprint_id=sprint.id, week=week)
        db.session.add(prompt)
    prompt.text = text
    logger.info("Prompt for week %s of sprint %s set", week, sprint.id)


def default_community_id(user: User) -> int | None:
    """Return the community of the person's newest active sprint, else their first."""
    sprints = active_sprints_of(user)
    if sprints:
        return sprints[0].community_id
    communities = communities_of(user)
    return communities[0].id if communities else None


def resolve_context(author: User, fields: dict) -> tuple[int, int | None, int | None]:
    """Return (community, sprint, challenge) ids of an entry, checking membership."""
    member_of = {community.id for community in communities_of(author)}
    challenge_id = fields.get("challenge_id") or None
    if challenge_id:
        challenge = db.session.get(Challenge, challenge_id)
        if challenge is None or challenge.community_id not in member_of:
            raise LogbookError(
                _("Kies een uitdaging uit je eigen sprints."), "challenge"
            )
        return challenge.community_id, challenge.sprint_id, challenge.id

    community_id = fields.get("community_id") or default_community_id(author)
    if community_id not in member_of:
        raise LogbookError(
            _("Kies een leergemeenschap waar je lid van bent."), "community"
        )

    sprint_id = db.session.scalar(
        select(Sprint.id)
        .where(
            Sprint.community_id == community_id, Sprint.status == SprintStatus.ACTIVE
        )
        .where(Sprint.start_date <= fields["date"])
        .order_by(Sprint.start_date.desc())
    )
    return community_id, sprint_id, None


def apply_fields(entry: LogEntry, author: User, fields: dict) -> None:
    entry.community_id, entry.sprint_id, entry.challenge_id = resolve_context(
        author, fields
    )
    entry.date = fields["date"]
    entry.minutes = fields["minutes"]
    entry.kind = fields["kind"]
    entry.subtype = fields["subtype"]
    entry.what = fields["what"]
    entry.reflection = fields.get("reflection") or ""
    entry.reflection_html = render_markdown(entry.reflection)
    entry.visibility = fields.get("visibility") or db.session.scalar(
        select(Community.default_visibility).where(Community.id == entry.community_id)
    )
    wanted = fields.get("skill_ids") or []
    entry.skills = list(db.session.scalars(select(Skill).where(Skill.id.in_(wanted))))


def create_entry(author: User, **fields) -> LogEntry:
    """Log a learning activity."""
    entry = LogEntry(author_id=author.id)
    apply_fields(entry, author, fields)
    db.session.add(entry)
    db.session.flush()
    logger.info("Log entry %s by user %s", entry.id, author.id)
    return entry


def update_entry(entry: LogEntry, author: User, **fields) -> None:
    apply_fields(entry, author, fields)
    entry.updated_at = utcnow()
    logger.info("Log entry %s updated", entry.id)


def delete_entry(entry: LogEntry) -> None:
    db.session.delete(entry)
    logger.info("Log entry %s deleted", entry.id)


def entry_by_id(entry_id: int) -> LogEntry | None:
    query = select(LogEntry).where(LogEntry.id == entry_id)
    options = (
        joinedload(LogEntry.author),
        joinedload(LogEntry.community),
        joinedload(LogEntry.challenge),
        selectinload(LogEntry.skills),
    )
    return db.session.scalar(query.options(*options))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class MyLog:
    entries: list[LogEntry]
    per_week: list[tuple[date, int]]
    per_kind: dict[str, int]
    total: int = 0


@cache
def my_log_queries(by_sprint: bool, by_week: bool, by_kind: bool):
    """Return the statements of my log's entries and totals, for the filters used."""
    query = select(LogEntry).where(LogEntry.author_id == bindparam("user_id"))
    if by_sprint:
        query = query.where(LogEntry.sprint_id == bindparam("sprint_id"))
    if by_week:
        query = query.where(LogEntry.date.between(bindparam("start"), bindparam("end")))
    if by_kind:
        query = query.where(LogEntry.kind == bindparam("kind"))

    entries = (
        query.options(selectinload(LogEntry.skills))
        .order_by(LogEntry.date.desc(), LogEntry.id.desc())
        .limit(200)
    )
    totals = (
        select(LogEntry.date, LogEntry.kind, func.sum(LogEntry.minutes))
        .where(LogEntry.id.in_(query.with_only_columns(LogEntry.id).scalar_subquery()))
        .group_by(LogEntry.date, LogEntry.kind)
    )
    return entries, totals


def my_log(user: User, sprint: Sprint | None, kind: str, week: int | None) -> MyLog:
    """Return the person's filtered entries with their minutes per week and kind."""
    parameters = {"user_id": user.id, "kind": kind}
    if sprint is not None:
        parameters["sprint_id"] = sprint.id
        if week:
            parameters["start"] = sprint.week_start(week)
            parameters["end"] = parameters["start"] + timedelta(days=6)
    entries_query, totals_query = my_log_queries(
        sprint is not None, "start" in parameters, bool(kind)
    )

    entries = list(db.session.scalars(entries_query, parameters))
    per_week: dict[date, int] = {}
    per_kind: dict[str, int] = {}
    for day, entry_kind, minutes in db.session.execute(totals_query, parameters):
        per_week[week_start(day)] = per_week.get(week_start(day), 0) + minutes
        per_kind[entry_kind] = per_kind.get(entry_kind, 0) + minutes
    return MyLog(
        entries=entries,
        per_week=sorted(per_week.items(), reverse=True),
        per_kind=per_kind,
        total=sum(per_kind.values()),
    )


@dataclass
class WeekAtAGlance:
    minutes_this_week: int
    minutes_last_week: int
    prompt: str


@cache
def week_at_a_glance_query():
    monday = bindparam("monday")

    def minutes(condition):
        return (
            select(func.coalesce(func.sum(case((condition, LogEntry.minutes))), 0))
            .where(
                LogEntry.author_id == bindparam("user_id"),
                LogEntry.date >= bindparam("last_monday"),
            )
            .scalar_subquery()
        )

    return select(
        minutes(LogEntry.date >= monday),
        minutes(LogEntry.date < monday),
        prompt_query().scalar_subquery(),
    )


def week_at_a_glance(user: User, sprint: Sprint | None, today: date) -> WeekAtAGlance:
    """Return the person's minutes this and last week, and the sprint's question.

    One statement, as the home page shows them side by side.
    """
    this_monday = week_start(today)
    parameters = {
        "user_id": user.id,
        "monday": this_monday,
        "last_monday": this_monday - timedelta(weeks=1),
        "sprint_id": sprint.id if sprint else None,
        "week": sprint.week_of(today) if sprint else None,
    }
    this_week, last_week, text = db.session.execute(
        week_at_a_glance_query(), parameters
    ).one()
    prompt = text or (sprint.default_prompt if sprint else "") or ""
    return WeekAtAGlance(int(this_week), int(last_week), prompt)


def visible_entries(community: Community, viewer: User):
    """Return a query of the community's entries the viewer may read, newest first."""
    allowed = [
        LogEntry.visibility == Visibility.COMMUNITY,
        LogEntry.author_id == viewer.id,
    ]
    if is_facilitator(viewer, community):
        allowed.append(LogEntry.visibility == Visibility.FACILITATORS)
    return (
        select(LogEntry)
        .where(LogEntry.community_id == community.id, or_(*allowed))
        .options(joinedload(LogEntry.author), selectinload(LogEntry.skills))
        .order_by(LogEntry.created_at.desc(), LogEntry.id.desc())
    )


def comments_of(entry: LogEntry) -> list[Comment]:
    query = (
        select(Comment)
        .where(Comment.entry_id == entry.id)
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    return list(db.session.scalars(query))


def add_comment(entry: LogEntry, author: User, body: str) -> Comment:
    """Add feedback to an entry and let its author know."""
    comment = Comment(
        entry_id=entry.id,
        author_id=author.id,
        body=body,
        body_html=render_markdown(body),
    )
    db.session.add(comment)
    db.session.flush()
    logger.info(
        "Comment %s on log entry %s by user %s", comment.id, entry.id, author.id
    )

    if entry.author_id != author.id:
        link = url_for("logbook.entry", entry_id=entry.id)
        recipient = entry.author
        with force_locale(recipient.locale):
            subject = _("%(name)s reageerde op je leeractiviteit", name=author.name)
        notifications.notify(
            recipient, NotificationKind.FEEDBACK, subject, link, author
        )
        if recipient.email_feedback:
            notifications.mail_about(recipient, subject, [entry.what], link)
    return comment


@dataclass
class GridRow:
    name: str
    cells: list[tuple[int, int]]


@cache
def grid_members_query():
    return (
        select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.community_id == bindparam("community_id"),
            Membership.role.in_([Role.PARTICIPANT, Role.FACILITATOR, Role.RESEARCHER]),
        )
        .order_by(User.name, User.id)
    )


@cache
def grid_counts_query():
    reflected = func.sum(case((func.length(LogEntry.reflection) > 0, 1), else_=0))
    return (
        select(LogEntry.author_id, LogEntry.date, func.count(), reflected)
        .where(
            LogEntry.sprint_id == bindparam("sprint_id"),
            LogEntry.date.between(bindparam("start"), bindparam("end")),
        )
        .group_by(LogEntry.author_id, LogEntry.date)
    )


def participation_grid(sprint: Sprint) -> list[GridRow]:
    """Return per member and week how many entries and reflections there are."""
    start, weeks = sprint.start_date, sprint.weeks
    members = db.session.execute(
        grid_members_query(), {"community_id": sprint.community_id}
    ).all()
    parameters = {"sprint_id": sprint.id, "start": start, "end": sprint.end_date}
    counts: dict[int, list[list[int]]] = {}
    for author_id, day, logged, reflections in db.session.execute(
        grid_counts_query(), parameters
    ):
        if author_id not in counts:
            counts[author_id] = [[0, 0] for _week in range(weeks)]
        cell = counts[author_id][sprint.week_of(day) - 1]
        cell[0] += logged
        cell[1] += int(reflections or 0)

    empty = [(0, 0)] * weeks
    return [
        GridRow(
            name=name,
            cells=[tuple(cell) for cell in counts[user_id]]
            if user_id in counts
            else empty,
        )
        for user_id, name in members
    ]


def remind_missing(sprint: Sprint, actor: User, today: date) -> int:
    """Remind participants without an entry this week; return how many."""
    start = week_start(today)
    logged = select(LogEntry.author_id).where(
        LogEntry.sprint_id == sprint.id, LogEntry.date >= start
    )
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.community_id == sprint.community_id,
            Membership.role == Role.PARTICIPANT,
            User.id.not_in(logged),
            User.is_enabled,
        )
    )
    link = url_for("core.home")
    reminded = 0
    for person in db.session.scalars(query):
        with force_locale(person.locale):
            subject = _(
                "Wat heb je deze week geleerd in %(title)s?", title=sprint.title
            )
        notifications.notify(person, NotificationKind.REMINDER, subject, link, actor)
        if person.email_prompts:
            notifications.mail_about(person, subject, [prompt_for(sprint, today)], link)
        reminded += 1
    logger.info("Reminded %s participants of sprint %s", reminded, sprint.id)
    return reminded


def send_weekly_prompts(today: date) -> int:
    """Mail this week's question to the participants of every active sprint."""
    sprints = db.session.scalars(
        select(Sprint)
        .where(Sprint.status == SprintStatus.ACTIVE)
        .options(joinedload(Sprint.community))
    ).all()
    sent = 0
    for sprint in sprints:
        prompt = prompt_for(sprint, today)
        if not prompt or sprint.week_of(today) is None:
            continue
        people = db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.community_id == sprint.community_id,
                Membership.role == Role.PARTICIPANT,
                User.email_prompts,
                User.is_enabled,
            )
        )
        for person in people:
            with force_locale(person.locale):
                subject = _("De vraag van deze week: %(title)s", title=sprint.title)
            notifications.mail_about(person, subject, [prompt], url_for("core.home"))
            sent += 1
    logger.info("Weekly prompts mailed: %s", sent)
    return sent


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def keep_pending(payload: dict, owner_id: int) -> str:
    """Keep what someone typed after their session ended; return the key to it."""
    cutoff = utcnow() - PENDING_MAX_AGE
    db.session.execute(
        PendingEntry.__table__.delete().where(PendingEntry.created_at < cutoff)
    )
    key = secrets.token_urlsafe(24)
    db.session.add(
        PendingEntry(
            key_hash=hash_key(key), owner_id=owner_id, payload=json.dumps(payload)
        )
    )
    logger.info("Log entry of user %s kept while the session was gone", owner_id)
    return key


def peek_pending(key: str, owner_id: int) -> dict | None:
    """Return what was kept under the key for this person, leaving it in place."""
    pending = db.session.scalar(
        select(PendingEntry).where(PendingEntry.key_hash == hash_key(key))
    )
    if pending is None or pending.owner_id != owner_id:
        return None
    return json.loads(pending.payload)


def forget_pending(key: str) -> None:
    db.session.execute(
        PendingEntry.__table__.delete().where(PendingEntry.key_hash == hash_key(key))
    )

"""A person's own data: all of it as one JSON document, and the erasure of it."""

import json
import logging
from collections import defaultdict
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased, joinedload, selectinload

from hcimv_lc.accounts.models import User
from hcimv_lc.badges.models import Credential
from hcimv_lc.challenges.models import Challenge, challenge_member
from hcimv_lc.communities.models import Community, Invitation, Membership, Role
from hcimv_lc.dashboards import rollup
from hcimv_lc.dashboards.models import ActivityPerson, ActivityWeek
from hcimv_lc.database import utcnow
from hcimv_lc.discussion.models import Reply, Thread
from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.instruments.models import (
    Administration,
    Answer,
    Dimension,
    Instrument,
    Item,
    Response,
)
from hcimv_lc.logbook.models import Comment, LogEntry, PendingEntry
from hcimv_lc.notifications.models import Notification
from hcimv_lc.policy import forget_roles
from hcimv_lc.regional.models import CompanyVisit, company_visit_skill
from hcimv_lc.research.models import ConsentEvent, ExportLog, ResearchConsent
from hcimv_lc.skills import storage
from hcimv_lc.skills.models import (
    ClaimEvent,
    EvidenceFile,
    ShareLink,
    Skill,
    SkillClaim,
    skill_goal,
)
from hcimv_lc.skills.service import claims_of, credentials_by_claim, history_of, iso
from hcimv_lc.sprints.models import Lesson, Sprint
from hcimv_lc.toolbox.models import Application, Tool, ToolRevision

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reference:
    """How the rows behind one foreign key to a person are exported and erased.

    `section` is the dotted key of the export that holds them, or None when the rows
    belong to someone else. `erasure` is one of: "cascade" (the database deletes
    them with the person), "set null" (they stay without the person), "deleted"
    (erasure deletes them itself) and "by choice" (deleted or kept as former member).
    """

    section: str | None
    erasure: str


# Every foreign key to user.id. A test compares this with the schema, so a new table
# that refers to people cannot be added without deciding how it is exported and erased.
REFERENCES: dict[tuple[str, str], Reference] = {
    ("membership", "user_id"): Reference("memberships", "cascade"),
    ("log_entry", "author_id"): Reference("log_entries", "cascade"),
    ("activity_week", "author_id"): Reference("activity_weeks", "cascade"),
    ("activity_person", "author_id"): Reference("activity_totals", "cascade"),
    ("comment", "author_id"): Reference("comments", "by choice"),
    ("thread", "author_id"): Reference("discussion.threads", "by choice"),
    ("reply", "author_id"): Reference("discussion.replies", "by choice"),
    ("notification", "user_id"): Reference("notifications", "cascade"),
    # Notes to other people about what this person did; their subjects name them.
    ("notification", "actor_id"): Reference(None, "deleted"),
    ("pending_entry", "owner_id"): Reference("pending_entries", "cascade"),
    ("challenge_member", "user_id"): Reference("challenge_teams", "cascade"),
    ("skill_claim", "user_id"): Reference("skills.claims", "cascade"),
    ("skill_claim", "validated_by_id"): Reference("reviews.claim_steps", "set null"),
    ("claim_event", "actor_id"): Reference("reviews.claim_steps", "set null"),
    ("credential", "revoked_by_id"): Reference("reviews.badges_revoked", "set null"),
    ("share_link", "user_id"): Reference("skills.share_links", "cascade"),
    ("skill_goal", "user_id"): Reference("skills.goals", "cascade"),
    ("research_consent", "user_id"): Reference("research.consents", "cascade"),
    ("consent_event", "user_id"): Reference("research.consent_history", "cascade"),
    ("export_log", "user_id"): Reference("research.exports", "set null"),
    ("response", "respondent_id"): Reference("instrument_answers", "cascade"),
    ("company_visit", "recorded_by_id"): Reference("company_visits", "set null"),
    ("tool", "created_by_id"): Reference("toolbox.tools", "set null"),
    ("tool_revision", "author_id"): Reference("toolbox.revisions", "set null"),
    ("application", "recorded_by_id"): Reference("toolbox.applications", "set null"),
    ("lesson", "author_id"): Reference("lessons", "set null"),
    ("invitation", "invited_by_id"): Reference("invitations.sent", "set null"),
}


# The download


def export(user: User) -> dict:
    """Return everything the platform holds about the person, as plain data."""
    locale = user.locale
    return {
        "generated_at": iso(utcnow()),
        "profile": profile_of(user),
        "memberships": memberships_of(user),
        "challenge_teams": teams_of(user),
        "log_entries": entries_of(user, locale),
        "activity_weeks": weeks_of(user),
        "activity_totals": totals_of(user),
        "pending_entries": pending_of(user),
        "comments": comments_of(user),
        "discussion": discussion_of(user),
        "notifications": notifications_of(user),
        "skills": skills_of(user, locale),
        "reviews": reviews_by(user),
        "research": research_of(user),
        "instrument_answers": answers_of(user),
        "company_visits": visits_of(user, locale),
        "toolbox": toolbox_of(user),
        "lessons": lessons_of(user),
        "invitations": invitations_of(user),
    }


def profile_of(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "locale": user.locale,
        "organisation": user.organisation.name if user.organisation else None,
        "is_admin": user.is_admin,
        "settings": {
            "email_prompts": user.email_prompts,
            "email_feedback": user.email_feedback,
            "findable": user.findable,
        },
        "created_at": iso(user.created_at),
        "last_login_at": iso(user.last_login_at),
    }


def memberships_of(user: User) -> list[dict]:
    query = (
        select(Membership)
        .where(Membership.user_id == user.id)
        .options(joinedload(Membership.community))
        .order_by(Membership.joined_at, Membership.id)
    )
    return [
        {
            "community": membership.community.name,
            "community_slug": membership.community.slug,
            "role": membership.role,
            "joined_at": iso(membership.joined_at),
        }
        for membership in db.session.scalars(query)
    ]


def teams_of(user: User) -> list[dict]:
    query = (
        select(Challenge.id, Challenge.title, Community.name)
        .join(challenge_member, challenge_member.c.challenge_id == Challenge.id)
        .join(Community, Community.id == Challenge.community_id)
        .where(challenge_member.c.user_id == user.id)
        .order_by(Challenge.id)
    )
    return [
        {"challenge_id": challenge_id, "challenge": title, "community": community}
        for challenge_id, title, community in db.session.execute(query)
    ]


def entries_of(user: User, locale: str) -> list[dict]:
    query = (
        select(LogEntry)
        .where(LogEntry.author_id == user.id)
        .options(
            joinedload(LogEntry.community),
            joinedload(LogEntry.sprint),
            joinedload(LogEntry.challenge),
            selectinload(LogEntry.skills),
        )
        .order_by(LogEntry.date, LogEntry.id)
    )
    return [
        {
            "id": entry.id,
            "community": entry.community.name,
            "sprint": entry.sprint.title if entry.sprint else None,
            "challenge": entry.challenge.title if entry.challenge else None,
            "date": iso(entry.date),
            "minutes": entry.minutes,
            "kind": entry.kind,
            "subtype": entry.subtype,
            "what": entry.what,
            "reflection": entry.reflection,
            "visibility": entry.visibility,
            "skills": [skill.name(locale) for skill in entry.skills],
            "created_at": iso(entry.created_at),
            "updated_at": iso(entry.updated_at),
        }
        for entry in db.session.scalars(query)
    ]


def totals_of(user: User) -> list[dict]:
    # The dashboards' totals of the person's log per community, summed from the weeks.
    query = (
        select(ActivityPerson, Community.name)
        .join(Community, Community.id == ActivityPerson.community_id)
        .where(ActivityPerson.author_id == user.id)
        .order_by(Community.name)
    )
    return [
        {
            "community": community,
            "entries": total.entries,
            "reflections": total.reflections,
            "minutes_formal": total.minutes_formal,
            "minutes_non_formal": total.minutes_non_formal,
            "minutes_informal": total.minutes_informal,
        }
        for total, community in db.session.execute(query)
    ]


def weeks_of(user: User) -> list[dict]:
    # The dashboards' weekly counts of the person's log, derived from the entries.
    query = (
        select(ActivityWeek, Community.name)
        .join(Community, Community.id == ActivityWeek.community_id)
        .where(ActivityWeek.author_id == user.id)
        .order_by(ActivityWeek.week_start, Community.name)
    )
    return [
        {
            "community": community,
            "week_start": iso(week.week_start),
            "entries": week.entries,
            "reflections": week.reflections,
            "minutes_formal": week.minutes_formal,
            "minutes_non_formal": week.minutes_non_formal,
            "minutes_informal": week.minutes_informal,
        }
        for week, community in db.session.execute(query)
    ]


def pending_of(user: User) -> list[dict]:
    query = (
        select(PendingEntry)
        .where(PendingEntry.owner_id == user.id)
        .order_by(PendingEntry.id)
    )
    return [
        {"created_at": iso(pending.created_at), "typed": json.loads(pending.payload)}
        for pending in db.session.scalars(query)
    ]


def comments_of(user: User) -> list[dict]:
    query = (
        select(Comment)
        .where(Comment.author_id == user.id)
        .order_by(Comment.created_at, Comment.id)
    )
    return [
        {
            "log_entry_id": comment.entry_id,
            "body": comment.body,
            "created_at": iso(comment.created_at),
        }
        for comment in db.session.scalars(query)
    ]


def discussion_of(user: User) -> dict:
    threads = (
        select(Thread)
        .where(Thread.author_id == user.id)
        .options(joinedload(Thread.community))
        .order_by(Thread.created_at, Thread.id)
    )
    replies = (
        select(Reply)
        .where(Reply.author_id == user.id)
        .options(joinedload(Reply.thread))
        .order_by(Reply.created_at, Reply.id)
    )
    return {
        "threads": [
            {
                "id": thread.id,
                "community": thread.community.name,
                "title": thread.title,
                "body": thread.body,
                "created_at": iso(thread.created_at),
            }
            for thread in db.session.scalars(threads)
        ],
        "replies": [
            {
                "thread_id": item.thread_id,
                "thread": item.thread.title,
                "body": item.body,
                "created_at": iso(item.created_at),
            }
            for item in db.session.scalars(replies)
        ],
    }


def notifications_of(user: User) -> list[dict]:
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at, Notification.id)
    )
    return [
        {
            "kind": note.kind,
            "subject": note.subject,
            "link": note.link,
            "created_at": iso(note.created_at),
            "read_at": iso(note.read_at),
        }
        for note in db.session.scalars(query)
    ]


def skills_of(user: User, locale: str) -> dict:
    # All claims, withdrawn ones included: the passport leaves those out.
    claims = claims_of(user)
    claim_ids = [claim.id for claim in claims]
    credentials = credentials_by_claim(claim_ids)
    history = history_of(claim_ids)
    links = (
        select(ShareLink)
        .where(ShareLink.user_id == user.id)
        .options(selectinload(ShareLink.skills))
        .order_by(ShareLink.created_at, ShareLink.id)
    )
    goals = (
        select(Skill)
        .join(skill_goal, skill_goal.c.skill_id == Skill.id)
        .where(skill_goal.c.user_id == user.id)
        .order_by(Skill.slug)
    )
    return {
        "claims": [
            claim_data(claim, history[claim.id], credentials[claim.id], locale)
            for claim in claims
        ],
        # Never the token or its digest: a link is shown to its owner once.
        "share_links": [
            {
                "label": link.label,
                "skills": [skill.name(locale) for skill in link.skills],
                "created_at": iso(link.created_at),
                "expires_on": iso(link.expires_on),
                "revoked_at": iso(link.revoked_at),
                "views": link.views,
                "last_viewed_at": iso(link.last_viewed_at),
            }
            for link in db.session.scalars(links)
        ],
        "goals": [skill.name(locale) for skill in db.session.scalars(goals)],
        "findable": user.findable,
    }


def claim_data(claim, events, credentials, locale: str) -> dict:
    return {
        "id": claim.id,
        "skill": claim.skill.name(locale),
        "esco_uri": claim.skill.esco_uri,
        "community": claim.community.name,
        "level": claim.level,
        "status": claim.status,
        "narrative": claim.narrative,
        "created_at": iso(claim.created_at),
        "validated_at": iso(claim.validated_at),
        "validated_by": claim.validated_by.name if claim.validated_by else None,
        "evidence": {
            "log_entry_ids": [entry.id for entry in claim.entries],
            "links": [{"url": link.url, "title": link.title} for link in claim.links],
            "files": [
                {
                    "filename": item.filename,
                    "content_type": item.content_type,
                    "size": item.size,
                    "sha256": item.sha256,
                    "uploaded_at": iso(item.uploaded_at),
                }
                for item in claim.files
            ],
        },
        "history": [
            {
                "step": event.step,
                "by": event.actor.name if event.actor else None,
                "level": event.level,
                "comment": event.comment,
                "at": iso(event.created_at),
            }
            for event in events
        ],
        "badges": [
            {
                "id": f"urn:uuid:{credential.uuid}",
                "verify": url_for(
                    "badges.verify", uuid=credential.uuid, _external=True
                ),
                "issued_at": iso(credential.issued_at),
                "revoked_at": iso(credential.revoked_at),
            }
            for credential in credentials
        ],
    }


def reviews_by(user: User) -> dict:
    """Return what the person did to other people's claims and badges."""
    steps = (
        select(ClaimEvent)
        .join(SkillClaim, SkillClaim.id == ClaimEvent.claim_id)
        .where(ClaimEvent.actor_id == user.id, SkillClaim.user_id != user.id)
        .order_by(ClaimEvent.id)
    )
    revoked = (
        select(Credential)
        .join(SkillClaim, SkillClaim.id == Credential.claim_id)
        .where(Credential.revoked_by_id == user.id, SkillClaim.user_id != user.id)
        .order_by(Credential.revoked_at)
    )
    return {
        "claim_steps": [
            {
                "claim_id": event.claim_id,
                "step": event.step,
                "level": event.level,
                "comment": event.comment,
                "at": iso(event.created_at),
            }
            for event in db.session.scalars(steps)
        ],
        "badges_revoked": [
            {
                "id": f"urn:uuid:{credential.uuid}",
                "revoked_at": iso(credential.revoked_at),
                "reason": credential.revocation_reason,
            }
            for credential in db.session.scalars(revoked)
        ],
    }


def research_of(user: User) -> dict:
    consents = (
        select(ResearchConsent, Community.name)
        .join(Community, Community.id == ResearchConsent.community_id)
        .where(ResearchConsent.user_id == user.id)
        .order_by(Community.name)
    )
    history = (
        select(ConsentEvent, Community.name)
        .join(Community, Community.id == ConsentEvent.community_id)
        .where(ConsentEvent.user_id == user.id)
        .order_by(ConsentEvent.at, ConsentEvent.id)
    )
    exports = (
        select(ExportLog, Community.name)
        .outerjoin(Community, Community.id == ExportLog.community_id)
        .where(ExportLog.user_id == user.id)
        .order_by(ExportLog.created_at, ExportLog.id)
    )
    return {
        "consents": [
            {
                "community": community,
                "given": consent.given,
                "include_reflections": consent.include_reflections,
                "changed_at": iso(consent.changed_at),
            }
            for consent, community in db.session.execute(consents)
        ],
        "consent_history": [
            {
                "community": community,
                "given": event.given,
                "include_reflections": event.include_reflections,
                "at": iso(event.at),
            }
            for event, community in db.session.execute(history)
        ],
        "exports": [
            {
                "community": community,
                "dataset": item.dataset,
                "file_format": item.file_format,
                "rows": item.rows,
                "created_at": iso(item.created_at),
            }
            for item, community in db.session.execute(exports)
        ],
    }


def answers_of(user: User) -> list[dict]:
    responses = (
        select(Response, Administration.moment, Instrument.title, Sprint.title)
        .join(Administration, Administration.id == Response.administration_id)
        .join(Instrument, Instrument.id == Administration.instrument_id)
        .join(Sprint, Sprint.id == Administration.sprint_id)
        .where(Response.respondent_id == user.id)
        .order_by(Response.submitted_at, Response.id)
    )
    answers = (
        select(Answer.response_id, Dimension.name, Item.text, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .join(Item, Item.id == Answer.item_id)
        .join(Dimension, Dimension.id == Item.dimension_id)
        .where(Response.respondent_id == user.id)
        .order_by(Dimension.position, Item.position)
    )
    by_response = defaultdict(list)
    for response_id, dimension, item, value in db.session.execute(answers):
        by_response[response_id].append(
            {"dimension": dimension, "item": item, "value": value}
        )
    return [
        {
            "instrument": instrument,
            "sprint": sprint,
            "moment": moment,
            "submitted_at": iso(response.submitted_at),
            "answers": by_response[response.id],
        }
        for response, moment, instrument, sprint in db.session.execute(responses)
    ]


def visits_of(user: User, locale: str) -> list[dict]:
    visits = (
        select(CompanyVisit)
        .where(CompanyVisit.recorded_by_id == user.id)
        .options(joinedload(CompanyVisit.region), joinedload(CompanyVisit.organisation))
        .order_by(CompanyVisit.visited_on, CompanyVisit.id)
    )
    skills = (
        select(company_visit_skill.c.visit_id, Skill, company_visit_skill.c.horizon)
        .join(Skill, Skill.id == company_visit_skill.c.skill_id)
        .join(CompanyVisit, CompanyVisit.id == company_visit_skill.c.visit_id)
        .where(CompanyVisit.recorded_by_id == user.id)
        .order_by(Skill.slug)
    )
    by_visit = defaultdict(list)
    for visit_id, skill, horizon in db.session.execute(skills):
        by_visit[visit_id].append({"skill": skill.name(locale), "horizon": horizon})
    return [
        {
            "company_name": visit.company_name,
            "organisation": visit.organisation.name if visit.organisation else None,
            "sector": visit.sector,
            "company_size": visit.company_size,
            "region": visit.region.name,
            "visited_on": iso(visit.visited_on),
            "time_to_learn": visit.time_to_learn,
            "learns_from_mistakes": visit.learns_from_mistakes,
            "shares_knowledge": visit.shares_knowledge,
            "open_vacancies": visit.open_vacancies,
            "vacancy_note": visit.vacancy_note,
            "skills": by_visit[visit.id],
            "created_at": iso(visit.created_at),
        }
        for visit in db.session.scalars(visits)
    ]


def toolbox_of(user: User) -> dict:
    tools = select(Tool).where(Tool.created_by_id == user.id).order_by(Tool.created_at)
    revised = aliased(Tool)
    revisions = (
        select(ToolRevision, revised.slug)
        .join(revised, revised.id == ToolRevision.tool_id)
        .where(ToolRevision.author_id == user.id)
        .order_by(ToolRevision.created_at, ToolRevision.id)
    )
    applications = (
        select(Application)
        .where(Application.recorded_by_id == user.id)
        .options(joinedload(Application.tool), joinedload(Application.sprint))
        .order_by(Application.created_at, Application.id)
    )
    return {
        "tools": [
            {
                "slug": tool.slug,
                "title": tool.title,
                "status": tool.status,
                "created_at": iso(tool.created_at),
            }
            for tool in db.session.scalars(tools)
        ],
        "revisions": [
            {
                "tool": slug,
                "number": revision.number,
                "note": revision.note,
                "created_at": iso(revision.created_at),
            }
            for revision, slug in db.session.execute(revisions)
        ],
        "applications": [
            {
                "tool": item.tool.slug,
                "sprint": item.sprint.title,
                "applied_on": iso(item.applied_on),
                "adaptation": item.adaptation,
                "sector": item.sector,
                "company_size": item.company_size,
                "background": item.background,
                "mechanism": item.mechanism,
                "outcome": item.outcome,
                "rating": item.rating,
                "would_use_again": item.would_use_again,
                "created_at": iso(item.created_at),
            }
            for item in db.session.scalars(applications)
        ],
    }


def lessons_of(user: User) -> list[dict]:
    query = (
        select(Lesson, Sprint.title)
        .join(Sprint, Sprint.id == Lesson.sprint_id)
        .where(Lesson.author_id == user.id)
        .order_by(Lesson.published_at)
    )
    return [
        {
            "sprint": sprint,
            "worked": lesson.worked,
            "did_not_work": lesson.did_not_work,
            "advice": lesson.advice,
            "published_at": iso(lesson.published_at),
        }
        for lesson, sprint in db.session.execute(query)
    ]


def invitations_of(user: User) -> dict:
    # Sent invitations go without the invitee's address: that is their data.
    query = (
        select(Invitation, Community.name)
        .join(Community, Community.id == Invitation.community_id)
        .where((Invitation.invited_by_id == user.id) | (Invitation.email == user.email))
        .order_by(Invitation.created_at, Invitation.id)
    )
    sent, received = [], []
    for invitation, community in db.session.execute(query):
        item = {
            "community": community,
            "role": invitation.role,
            "created_at": iso(invitation.created_at),
            "accepted_at": iso(invitation.accepted_at),
        }
        if invitation.email == user.email:
            received.append(item)
        if invitation.invited_by_id == user.id:
            sent.append(item)
    return {"sent": sent, "received": received}


# The erasure


class ErasureRefused(RuleError):
    """The account cannot be erased yet; the message says what to do first."""


def erasure_blockers(user: User, lock: bool = False) -> list[str]:
    """Return why the account cannot go now: last facilitator, last administrator."""
    led = select(Membership.community_id).where(
        Membership.user_id == user.id, Membership.role == Role.FACILITATOR
    )
    if lock:
        # Two facilitators of one community leaving at once must not both succeed;
        # rows are locked in id order, so two erasures cannot wait on each other.
        db.session.execute(
            select(Community.id)
            .where(Community.id.in_(led))
            .order_by(Community.id)
            .with_for_update()
        )
    facilitators = (
        select(func.count())
        .where(
            Membership.community_id == Community.id,
            Membership.role == Role.FACILITATOR,
        )
        .scalar_subquery()
    )
    alone = db.session.scalars(
        select(Community.name)
        .where(Community.id.in_(led), facilitators <= 1)
        .order_by(Community.name)
    ).all()

    reasons = []
    if alone:
        reasons.append(
            _(
                "Je bent de enige facilitator van %(names)s. Maak daar eerst iemand "
                "anders facilitator.",
                names=", ".join(alone),
            )
        )
    if user.is_admin:
        admins = select(User.id).where(User.is_admin, User.is_enabled).order_by(User.id)
        if lock:
            admins = admins.with_for_update()
        if set(db.session.scalars(admins)) <= {user.id}:
            reasons.append(
                _(
                    "Je bent de enige beheerder. Maak eerst iemand anders beheerder "
                    "voordat je je account verwijdert."
                )
            )
    return reasons


def erase(user: User, keep_posts: bool) -> list[str]:
    """Erase the person and what is theirs; return the evidence files to remove.

    The caller commits, and removes the files only after the commit, so a rollback
    never leaves claims whose files are gone.
    """
    reasons = erasure_blockers(user, lock=True)
    if reasons:
        raise ErasureRefused(" ".join(reasons))

    user_id, email = user.id, user.email
    stored_names = list(
        db.session.scalars(
            select(EvidenceFile.stored_name)
            .join(SkillClaim, SkillClaim.id == EvidenceFile.claim_id)
            .where(SkillClaim.user_id == user_id)
        )
    )
    if not keep_posts:
        remove_posts(user_id)

    db.session.execute(delete(Notification).where(Notification.actor_id == user_id))
    db.session.execute(delete(Invitation).where(Invitation.email == email))
    # Visits and tools stay as shared knowledge; the notes beside them were personal.
    db.session.execute(
        update(CompanyVisit)
        .where(CompanyVisit.recorded_by_id == user_id)
        .values(vacancy_note="")
    )
    db.session.execute(
        update(ToolRevision).where(ToolRevision.author_id == user_id).values(note="")
    )
    # The foreign keys do the rest: CASCADE deletes, SET NULL leaves a former member.
    with rollup.recounting_regions(db.session.connection()):
        db.session.execute(
            delete(User)
            .where(User.id == user_id)
            .execution_options(synchronize_session=False)
        )
    forget_roles()
    logger.info("Account %s erased", user_id)
    return stored_names


def remove_posts(user_id: int) -> None:
    """Delete the person's threads, with their replies, and their replies elsewhere."""
    mine = select(func.count()).where(
        Reply.thread_id == Thread.id, Reply.author_id == user_id
    )
    db.session.execute(
        update(Thread)
        .where(Thread.id.in_(select(Reply.thread_id).where(Reply.author_id == user_id)))
        .values(reply_count=Thread.reply_count - mine.scalar_subquery())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(Reply).where(Reply.author_id == user_id))
    db.session.execute(delete(Thread).where(Thread.author_id == user_id))
    db.session.execute(delete(Comment).where(Comment.author_id == user_id))


def remove_files(stored_names: list[str]) -> None:
    """Remove erased evidence files from disk; a failure is logged for an operator."""
    for stored_name in stored_names:
        try:
            storage.delete(stored_name)
        except OSError:
            logger.exception(
                "Evidence file %s of an erased account not removed", stored_name
            )

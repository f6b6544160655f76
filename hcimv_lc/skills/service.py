"""Skill claims with evidence and validation, the passport, share links, matching."""

import hashlib
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage

from hcimv_lc.accounts.models import User
from hcimv_lc.badges.models import Credential
from hcimv_lc.challenges.models import (
    Challenge,
    ChallengeStatus,
    challenge_member,
    challenge_skill,
)
from hcimv_lc.communities.models import Community, Membership, Role
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.logbook.models import LogEntry, Visibility
from hcimv_lc.logbook.service import communities_of
from hcimv_lc.markup import render_markdown
from hcimv_lc.notifications import service as notifications
from hcimv_lc.notifications.models import NotificationKind
from hcimv_lc.skills import storage
from hcimv_lc.skills.models import (
    ClaimEvent,
    ClaimStatus,
    ClaimStep,
    EvidenceFile,
    EvidenceLink,
    ShareLink,
    Skill,
    SkillClaim,
    skill_goal,
)
from hcimv_lc.sprints.models import Sprint, SprintStatus

logger = logging.getLogger(__name__)

ENTRY_CHOICES = 200


class ClaimError(RuleError):
    """A rule of skill claims or share links was broken."""


# The catalogue


def skill_choices(locale: str) -> list[tuple[int, str]]:
    column = Skill.name_en if locale == "en" else Skill.name_nl
    rows = db.session.execute(select(Skill.id, column).order_by(column))
    return [(skill_id, name) for skill_id, name in rows]


def skill_by_slug(slug: str) -> Skill | None:
    return db.session.scalar(select(Skill).where(Skill.slug == slug))


def categories() -> list[str]:
    query = select(Skill.category).distinct().where(Skill.category != "")
    return sorted(db.session.scalars(query))


def catalogue(q: str, category: str, locale: str, limit: int, offset: int):
    """Return one page of skills matching the words and category, and the total."""
    name = Skill.name_en if locale == "en" else Skill.name_nl
    query = select(Skill)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Skill.name_nl).like(pattern),
                func.lower(Skill.name_en).like(pattern),
                func.lower(Skill.description).like(pattern),
            )
        )
    if category:
        query = query.where(Skill.category == category)

    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    skills = db.session.scalars(query.order_by(name).limit(limit).offset(offset))
    return list(skills), total


# Claims and their evidence


def evidence_entry_choices(user: User) -> list[tuple[int, str]]:
    """Return the person's recent log entries that a facilitator may see."""
    query = (
        select(LogEntry.id, LogEntry.date, LogEntry.what)
        .where(
            LogEntry.author_id == user.id,
            LogEntry.visibility != Visibility.PRIVATE,
        )
        .order_by(LogEntry.date.desc(), LogEntry.id.desc())
        .limit(ENTRY_CHOICES)
    )
    return [
        (entry_id, f"{day.isoformat()} · {what}")
        for entry_id, day, what in db.session.execute(query)
    ]


def claim_by_id(claim_id: int, lock: bool = False) -> SkillClaim | None:
    """Return the claim with what its page shows; `lock` holds its row until commit.

    Changes of state lock the row first, so that a withdrawal and a validation
    arriving together are applied one after the other, each seeing the other.
    """
    if lock:
        locked = select(SkillClaim).where(SkillClaim.id == claim_id).with_for_update()
        if db.session.scalar(locked) is None:
            return None
    query = (
        select(SkillClaim)
        .where(SkillClaim.id == claim_id)
        .options(
            joinedload(SkillClaim.user),
            joinedload(SkillClaim.skill),
            joinedload(SkillClaim.community),
            joinedload(SkillClaim.validated_by),
            selectinload(SkillClaim.entries),
            selectinload(SkillClaim.files),
            selectinload(SkillClaim.links),
            selectinload(SkillClaim.events).joinedload(ClaimEvent.actor),
        )
    )
    return db.session.scalar(query)


def record(claim, actor, step, comment="", level=None) -> ClaimEvent:
    """Keep one step in the claim's history."""
    event = ClaimEvent(
        claim=claim,
        actor_id=actor.id if actor else None,
        step=step,
        comment=comment or "",
        level=level,
    )
    db.session.add(event)
    claim.updated_at = utcnow()
    return event


def attach_evidence(
    claim: SkillClaim,
    user: User,
    entry_ids: list[int],
    link_url: str | None,
    link_title: str | None,
    upload: FileStorage | None,
) -> list[str]:
    """Add the evidence to the claim and return what was added, for its history.

    Only the claimant's own entries of the claim's community that a facilitator may
    see can be linked, else ClaimError; an upload is checked by its content and
    raises storage.WrongFileType or storage.FileTooLarge before anything is kept.
    """
    added = []
    linked = {entry.id for entry in claim.entries}
    wanted = {entry_id for entry_id in entry_ids if entry_id not in linked}
    entries = list(
        db.session.scalars(
            select(LogEntry).where(
                LogEntry.id.in_(wanted),
                LogEntry.author_id == user.id,
                LogEntry.community_id == claim.community.id,
                LogEntry.visibility != Visibility.PRIVATE,
            )
        )
    )
    if len(entries) != len(wanted):
        raise ClaimError(
            _(
                "Kies activiteiten uit deze leergemeenschap die de facilitator "
                "mag zien."
            ),
            field="entries",
        )

    stored = storage.save(upload) if upload else None
    for entry in entries:
        claim.entries.append(entry)
        added.append(_("activiteit %(what)s", what=entry.what))

    if link_url:
        claim.links.append(EvidenceLink(url=link_url, title=link_title or ""))
        added.append(_("link %(url)s", url=link_url))

    if stored:
        claim.files.append(
            EvidenceFile(
                stored_name=stored.stored_name,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
            )
        )
        added.append(_("bestand %(name)s", name=stored.filename))
    return added


def open_claim_for(user: User, skill_id: int, community_id: int) -> SkillClaim | None:
    query = select(SkillClaim).where(
        SkillClaim.user_id == user.id,
        SkillClaim.skill_id == skill_id,
        SkillClaim.community_id == community_id,
        SkillClaim.status.in_([ClaimStatus.SUBMITTED, ClaimStatus.MORE_ASKED]),
    )
    return db.session.scalar(query.limit(1))


def create_claim(
    user: User,
    skill_id: int,
    community_id: int,
    level: int,
    narrative: str,
    entry_ids: list[int],
    link_url: str | None = None,
    link_title: str | None = None,
    upload: FileStorage | None = None,
) -> SkillClaim:
    """Submit a claim with its evidence and tell the community's facilitators."""
    skill = db.session.get(Skill, skill_id)
    if skill is None:
        raise ClaimError(_("Kies een vaardigheid uit de lijst."), field="skill")
    community = db.session.get(Community, community_id)
    # A claim is validated by the facilitators of one of the person's communities.
    if community is None or community not in communities_of(user):
        raise ClaimError(
            _("Kies een leergemeenschap waar je lid van bent."), field="community"
        )
    if open_claim_for(user, skill_id, community_id):
        raise ClaimError(
            _("Je hebt al een open claim voor deze vaardigheid in deze gemeenschap."),
            field="skill",
        )

    try:
        # A savepoint, so that a refused claim leaves the session usable.
        with db.session.begin_nested():
            claim = SkillClaim(
                user=user,
                skill=skill,
                community=community,
                level=level,
                narrative=narrative or "",
                narrative_html=render_markdown(narrative or ""),
                status=ClaimStatus.SUBMITTED,
            )
            db.session.add(claim)
            attach_evidence(claim, user, entry_ids, link_url, link_title, upload)
            record(claim, user, ClaimStep.SUBMITTED, level=level)
    except IntegrityError:
        # The same claim, submitted twice at once: the first one stands.
        raise ClaimError(
            _("Je hebt al een open claim voor deze vaardigheid in deze gemeenschap."),
            field="skill",
        ) from None

    tell_facilitators(claim, user)
    logger.info(
        "Skill claim %s submitted by %s in community %s",
        claim.id,
        user.id,
        community.id,
    )
    return claim


def claim_link(claim: SkillClaim) -> str:
    return url_for("skills.claim", claim_id=claim.id)


def tell_facilitators(claim: SkillClaim, actor: User) -> None:
    """Notify the community's facilitators of a claim waiting for them."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.community_id == claim.community_id,
            Membership.role == Role.FACILITATOR,
            User.id != actor.id,
            User.is_enabled.is_(True),
        )
    )
    for facilitator in db.session.scalars(query):
        with force_locale(facilitator.locale):
            subject = _(
                "%(name)s vraagt validatie van %(skill)s",
                name=actor.name,
                skill=claim.skill.name(facilitator.locale),
            )
        notifications.notify(
            facilitator, NotificationKind.SKILL_CLAIM, subject, claim_link(claim), actor
        )


def tell_claimant(claim: SkillClaim, actor: User, validated: bool) -> None:
    person = claim.user
    with force_locale(person.locale):
        skill = claim.skill.name(person.locale)
        if validated:
            subject = _("Je vaardigheid %(skill)s is gevalideerd", skill=skill)
        else:
            subject = _("Er is meer bewijs gevraagd voor %(skill)s", skill=skill)
    link = claim_link(claim)
    notifications.notify(person, NotificationKind.SKILL_CLAIM, subject, link, actor)
    if person.email_feedback:
        notifications.mail_about(person, subject, [], link)


def add_evidence(claim: SkillClaim, user: User, **evidence) -> bool:
    """Add evidence to an open claim; return whether anything was added."""
    added = attach_evidence(claim, user, **evidence)
    if added:
        record(claim, user, ClaimStep.EVIDENCE_ADDED, comment="; ".join(added))
    return bool(added)


def remove_file(claim: SkillClaim, item: EvidenceFile, user: User) -> str:
    """Remove the file from the claim; return its stored name to delete after commit.

    Deleting the stored file only once the row is gone means a failed commit
    leaves an orphan file, never a row pointing at nothing.
    """
    record(claim, user, ClaimStep.EVIDENCE_REMOVED, comment=item.filename)
    claim.files.remove(item)
    return item.stored_name


def remove_link(claim: SkillClaim, item: EvidenceLink, user: User) -> None:
    record(claim, user, ClaimStep.EVIDENCE_REMOVED, comment=item.url)
    claim.links.remove(item)


def unlink_entry(claim: SkillClaim, entry: LogEntry, user: User) -> None:
    record(claim, user, ClaimStep.EVIDENCE_REMOVED, comment=entry.what)
    claim.entries.remove(entry)


def resubmit(claim: SkillClaim, user: User, comment: str) -> None:
    """Offer the claim again after more evidence was asked."""
    if claim.status != ClaimStatus.MORE_ASKED:
        raise ClaimError(_("Deze claim wacht al op validatie."))

    claim.status = ClaimStatus.SUBMITTED
    record(claim, user, ClaimStep.RESUBMITTED, comment=comment)
    tell_facilitators(claim, user)
    logger.info("Skill claim %s resubmitted", claim.id)


def review(
    claim: SkillClaim, reviewer: User, decision: str, level: int, comment: str
) -> None:
    """Validate the claim at a level, or ask for more evidence with a comment."""
    if decision == "validate":
        claim.status = ClaimStatus.VALIDATED
        claim.level = level
        claim.validated_at = utcnow()
        claim.validated_by = reviewer
        record(claim, reviewer, ClaimStep.VALIDATED, comment=comment, level=level)
    else:
        claim.status = ClaimStatus.MORE_ASKED
        record(claim, reviewer, ClaimStep.MORE_ASKED, comment=comment)

    tell_claimant(claim, reviewer, validated=decision == "validate")
    logger.info("Skill claim %s reviewed (%s) by %s", claim.id, decision, reviewer.id)


def withdraw(claim: SkillClaim, user: User) -> None:
    claim.status = ClaimStatus.WITHDRAWN
    record(claim, user, ClaimStep.WITHDRAWN)
    logger.info("Skill claim %s withdrawn", claim.id)


def review_queue(user: User) -> list[SkillClaim]:
    """Return the open claims that the person may validate, oldest first."""
    led = select(Membership.community_id).where(
        Membership.user_id == user.id, Membership.role == Role.FACILITATOR
    )
    query = (
        select(SkillClaim)
        .where(
            SkillClaim.community_id.in_(led),
            SkillClaim.status == ClaimStatus.SUBMITTED,
            SkillClaim.user_id != user.id,
        )
        .options(
            joinedload(SkillClaim.user),
            joinedload(SkillClaim.skill),
            joinedload(SkillClaim.community),
        )
        .order_by(SkillClaim.updated_at)
    )
    return list(db.session.scalars(query))


# The passport


@dataclass
class PassportSkill:
    skill: Skill
    claims: list[SkillClaim] = field(default_factory=list)

    @property
    def validated(self) -> SkillClaim | None:
        """Return the claim validated at the highest level, the latest on a tie."""
        done = [c for c in self.claims if c.status == ClaimStatus.VALIDATED]
        return max(done, key=lambda c: (c.level, c.validated_at), default=None)


def claims_of(user: User) -> list[SkillClaim]:
    query = (
        select(SkillClaim)
        .where(SkillClaim.user_id == user.id)
        .options(
            joinedload(SkillClaim.skill),
            joinedload(SkillClaim.community),
            joinedload(SkillClaim.validated_by),
            selectinload(SkillClaim.entries),
            selectinload(SkillClaim.files),
            selectinload(SkillClaim.links),
        )
        .order_by(SkillClaim.created_at.desc())
    )
    return list(db.session.scalars(query).unique())


def passport(user: User, locale: str) -> list[PassportSkill]:
    """Return the person's skills with their claims, validated ones first."""
    rows: dict[int, PassportSkill] = {}
    for claim in claims_of(user):
        if claim.status == ClaimStatus.WITHDRAWN:
            continue
        rows.setdefault(claim.skill_id, PassportSkill(claim.skill)).claims.append(claim)

    return sorted(
        rows.values(),
        key=lambda row: (
            row.validated is None,
            -(row.validated.level if row.validated else 0),
            row.skill.name(locale).lower(),
        ),
    )


def credentials_by_claim(claim_ids: list[int]) -> dict[int, list[Credential]]:
    found = defaultdict(list)
    if claim_ids:
        query = (
            select(Credential)
            .where(Credential.claim_id.in_(claim_ids))
            .order_by(Credential.issued_at)
        )
        for credential in db.session.scalars(query):
            found[credential.claim_id].append(credential)
    return found


def history_of(claim_ids: list[int]) -> dict[int, list[ClaimEvent]]:
    found = defaultdict(list)
    if claim_ids:
        query = (
            select(ClaimEvent)
            .where(ClaimEvent.claim_id.in_(claim_ids))
            .options(joinedload(ClaimEvent.actor))
            .order_by(ClaimEvent.id)
        )
        for event in db.session.scalars(query):
            found[event.claim_id].append(event)
    return found


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def passport_document(user: User, locale: str) -> dict:
    """Return the whole passport as plain data, for the person's JSON download."""
    rows = passport(user, locale)
    claim_ids = [claim.id for row in rows for claim in row.claims]
    credentials = credentials_by_claim(claim_ids)
    history = history_of(claim_ids)

    def claim_data(claim: SkillClaim) -> dict:
        return {
            "id": claim.id,
            "community": claim.community.name,
            "level": claim.level,
            "status": claim.status,
            "narrative": claim.narrative,
            "submitted_at": iso(claim.created_at),
            "validated_at": iso(claim.validated_at),
            "validated_by": claim.validated_by.name if claim.validated_by else None,
            "evidence": {
                "log_entries": [
                    {"date": iso(e.date), "what": e.what, "minutes": e.minutes}
                    for e in claim.entries
                ],
                "links": [{"url": li.url, "title": li.title} for li in claim.links],
                "files": [
                    {
                        "filename": f.filename,
                        "content_type": f.content_type,
                        "size": f.size,
                        "sha256": f.sha256,
                    }
                    for f in claim.files
                ],
            },
            "history": [
                {
                    "step": event.step,
                    "by": event.actor.name if event.actor else None,
                    "at": iso(event.created_at),
                    "level": event.level,
                    "comment": event.comment,
                }
                for event in history[claim.id]
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
                for credential in credentials[claim.id]
            ],
        }

    return {
        "person": {"name": user.name, "email": user.email},
        "generated_at": iso(utcnow()),
        "skills": [
            {
                "slug": row.skill.slug,
                "name_nl": row.skill.name_nl,
                "name_en": row.skill.name_en,
                "esco_uri": row.skill.esco_uri,
                "validated_level": row.validated.level if row.validated else None,
                "claims": [claim_data(claim) for claim in row.claims],
            }
            for row in rows
        ],
    }


# Share links


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validated_skill_choices(user: User, locale: str) -> list[tuple[int, str]]:
    name = Skill.name_en if locale == "en" else Skill.name_nl
    query = (
        select(Skill.id, name)
        .join(SkillClaim, SkillClaim.skill_id == Skill.id)
        .where(
            SkillClaim.user_id == user.id,
            SkillClaim.status == ClaimStatus.VALIDATED,
        )
        .distinct()
        .order_by(name)
    )
    return [(skill_id, label) for skill_id, label in db.session.execute(query)]


def create_share_link(
    user: User, label: str, expires_on: date, skill_ids: list[int]
) -> tuple[ShareLink, str]:
    """Make a link to the picked validated skills; return it and its secret token."""
    allowed = {skill_id for skill_id, _label in validated_skill_choices(user, "nl")}
    picked = set(skill_ids)
    if not picked or not picked <= allowed:
        raise ClaimError(
            _("Kies alleen vaardigheden die gevalideerd zijn."), field="skills"
        )

    token = secrets.token_urlsafe(24)
    link = ShareLink(
        user=user,
        token_hash=hash_token(token),
        label=label,
        expires_on=expires_on,
        skills=list(db.session.scalars(select(Skill).where(Skill.id.in_(picked)))),
    )
    db.session.add(link)
    db.session.flush()
    logger.info("Share link %s made by %s", link.id, user.id)
    return link, token


def share_links_of(user: User) -> list[ShareLink]:
    query = (
        select(ShareLink)
        .where(ShareLink.user_id == user.id)
        .options(selectinload(ShareLink.skills))
        .order_by(ShareLink.created_at.desc())
    )
    return list(db.session.scalars(query))


def revoke_share_link(link: ShareLink) -> None:
    link.revoked_at = utcnow()
    logger.info("Share link %s revoked", link.id)


def share_link_by_token(token: str) -> ShareLink | None:
    query = (
        select(ShareLink)
        .where(ShareLink.token_hash == hash_token(token))
        .options(joinedload(ShareLink.user), selectinload(ShareLink.skills))
    )
    return db.session.scalar(query)


def count_view(link: ShareLink) -> None:
    """Count one view in the database itself, so that parallel views all count."""
    db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == link.id)
        .values(views=ShareLink.views + 1, last_viewed_at=utcnow())
    )


def shared_claims(link: ShareLink) -> list[SkillClaim]:
    """Return the best validated claim of each picked skill: nothing else is shown."""
    picked = [skill.id for skill in link.skills]
    if not picked:
        return []

    query = (
        select(SkillClaim)
        .where(
            SkillClaim.user_id == link.user_id,
            SkillClaim.skill_id.in_(picked),
            SkillClaim.status == ClaimStatus.VALIDATED,
        )
        .options(
            joinedload(SkillClaim.skill),
            joinedload(SkillClaim.community),
            selectinload(SkillClaim.links),
        )
    )
    best: dict[int, SkillClaim] = {}
    for claim in db.session.scalars(query):
        held = best.get(claim.skill_id)
        if held is None or (claim.level, claim.validated_at) > (
            held.level,
            held.validated_at,
        ):
            best[claim.skill_id] = claim
    return sorted(best.values(), key=lambda claim: (-claim.level, claim.skill.name_nl))


# Matching


def goal_ids(user: User) -> list[int]:
    query = select(skill_goal.c.skill_id).where(skill_goal.c.user_id == user.id)
    return list(db.session.scalars(query))


def set_matching(user: User, findable: bool, goals: list[int]) -> None:
    """Store whether the person can be found, and the skills they want to learn."""
    user.findable = findable
    db.session.execute(delete(skill_goal).where(skill_goal.c.user_id == user.id))
    known = set(db.session.scalars(select(Skill.id).where(Skill.id.in_(goals))))
    if known:
        db.session.execute(
            insert(skill_goal),
            [{"user_id": user.id, "skill_id": skill_id} for skill_id in known],
        )
    logger.info("Matching settings of %s changed (findable=%s)", user.id, findable)


def validated_skill_ids(user: User) -> set[int]:
    query = select(SkillClaim.skill_id).where(
        SkillClaim.user_id == user.id, SkillClaim.status == ClaimStatus.VALIDATED
    )
    return set(db.session.scalars(query))


def regions_of(user: User) -> set[int]:
    """Return the regions of the person's communities and of their organisation."""
    query = (
        select(Community.region_id)
        .join(Membership, Membership.community_id == Community.id)
        .where(Membership.user_id == user.id)
    )
    regions = set(db.session.scalars(query))
    if user.organisation is not None:
        regions.add(user.organisation.region_id)
    return regions


@dataclass
class PersonMatch:
    person: User
    skills: list[Skill]
    needed: int

    def reason(self) -> str:
        return _(
            "%(matched)d van %(needed)d vaardigheden gevalideerd",
            matched=len(self.skills),
            needed=self.needed,
        )


def suggestions_for_challenge(challenge: Challenge, limit: int = 10):
    """Return findable people in the challenge's region whose skills fit it."""
    needed = {skill.id: skill for skill in challenge.needed_skills}
    if not needed:
        return []

    in_region = (
        select(Membership.user_id)
        .join(Community, Community.id == Membership.community_id)
        .where(Community.region_id == challenge.community.region_id)
    )
    in_team = select(challenge_member.c.user_id).where(
        challenge_member.c.challenge_id == challenge.id
    )
    query = (
        select(SkillClaim.user_id, SkillClaim.skill_id)
        .join(User, User.id == SkillClaim.user_id)
        .where(
            SkillClaim.status == ClaimStatus.VALIDATED,
            SkillClaim.skill_id.in_(needed),
            User.findable.is_(True),
            User.is_enabled.is_(True),
            User.id.in_(in_region),
            User.id.not_in(in_team),
        )
        .distinct()
    )
    matched: dict[int, set[int]] = defaultdict(set)
    for user_id, skill_id in db.session.execute(query):
        matched[user_id].add(skill_id)
    if not matched:
        return []

    people = db.session.scalars(select(User).where(User.id.in_(matched)))
    found = [
        PersonMatch(
            person,
            sorted((needed[i] for i in matched[person.id]), key=lambda s: s.name_nl),
            len(needed),
        )
        for person in people
    ]
    found.sort(key=lambda match: (-len(match.skills), match.person.name))
    return found[:limit]


@dataclass
class ChallengeMatch:
    challenge: Challenge
    validated: int
    goals: int
    needed: int

    def reason(self) -> str:
        parts = []
        if self.validated:
            parts.append(
                _(
                    "je hebt %(matched)d van %(needed)d gevraagde vaardigheden",
                    matched=self.validated,
                    needed=self.needed,
                )
            )
        if self.goals:
            parts.append(
                ngettext(
                    "%(num)d past bij wat je wilt leren",
                    "%(num)d passen bij wat je wilt leren",
                    self.goals,
                )
            )
        return "; ".join(parts)


def suggestions_for_person(user: User, goals: set[int], limit: int = 10):
    """Return open challenges and open communities of the person's regions that fit.

    A challenge fits when it needs a skill the person has validated or wants to
    learn; a community fits when one of its open challenges does.
    """
    mine = validated_skill_ids(user)
    regions = regions_of(user)

    member_of = select(Membership.community_id).where(Membership.user_id == user.id)
    in_team = select(challenge_member.c.challenge_id).where(
        challenge_member.c.user_id == user.id
    )
    query = (
        select(Challenge.id, challenge_skill.c.skill_id)
        .join(challenge_skill, challenge_skill.c.challenge_id == Challenge.id)
        .join(Community, Community.id == Challenge.community_id)
        .outerjoin(Sprint, Sprint.id == Challenge.sprint_id)
        .where(
            Challenge.status == ChallengeStatus.OPEN,
            Community.region_id.in_(regions),
            or_(Community.is_open.is_(True), Community.id.in_(member_of)),
            or_(Sprint.id.is_(None), Sprint.status != SprintStatus.DRAFT),
            Challenge.id.not_in(in_team),
        )
    )
    needs: dict[int, set[int]] = defaultdict(set)
    for challenge_id, skill_id in db.session.execute(query):
        needs[challenge_id].add(skill_id)
    fitting = {cid: skills for cid, skills in needs.items() if skills & (mine | goals)}

    challenges = db.session.scalars(
        select(Challenge)
        .where(Challenge.id.in_(fitting))
        .options(joinedload(Challenge.community), joinedload(Challenge.organisation))
    )
    matches = [
        ChallengeMatch(
            challenge,
            validated=len(fitting[challenge.id] & mine),
            goals=len((fitting[challenge.id] & goals) - mine),
            needed=len(fitting[challenge.id]),
        )
        for challenge in challenges
    ]
    matches.sort(key=lambda m: (-m.validated, -m.goals, m.challenge.title))

    joined = set(db.session.scalars(member_of))
    communities: dict[int, list] = {}
    for match in matches:
        community = match.challenge.community
        if community.id not in joined and community.is_open:
            communities.setdefault(community.id, [community, 0])[1] += 1
    open_communities = sorted(communities.values(), key=lambda item: -item[1])
    return matches[:limit], open_communities[:limit]

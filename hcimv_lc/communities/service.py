"""Rules and queries of communities, memberships and invitations."""

import hashlib
import logging
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community, Invitation, Membership, Role
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.mail import send_mail
from hcimv_lc.markup import render_markdown
from hcimv_lc.notifications import service as notifications
from hcimv_lc.notifications.models import NotificationKind
from hcimv_lc.organisations.models import Region
from hcimv_lc.policy import forget_roles, memberships_of, roles_of
from hcimv_lc.slugs import unique_slug

logger = logging.getLogger(__name__)


class CommunityError(RuleError):
    """A community rule was broken."""


def visible_communities(user):
    """Return a query of the communities the person may see."""
    query = select(Community)
    if user.is_authenticated and user.is_admin:
        return query

    member_of = list(roles_of(user))
    return query.where(or_(Community.is_open, Community.id.in_(member_of)))


def search_communities(user, q: str = "", theme: str = "", region_id: int = 0):
    """Return the visible communities that match the filters, by name."""
    query = visible_communities(user).options(joinedload(Community.region))
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Community.name.ilike(f"%{escaped}%", escape="\\"))
    if theme:
        query = query.where(Community.theme == theme)
    if region_id:
        query = query.where(Community.region_id == region_id)

    return query.order_by(Community.name, Community.id)


def my_communities(user) -> list[tuple[Community, str]]:
    """Return the person's communities with their role, by name."""
    return memberships_of(user)


def open_communities_by_region(limit: int) -> list[tuple[str, list[Community]]]:
    """Return open communities grouped by region name, regions in alphabetical order."""
    query = (
        select(Community, Region.name)
        .join(Region, Community.region_id == Region.id)
        .where(Community.is_open)
        .order_by(Region.name, Community.name)
        .limit(limit)
    )
    groups: dict[str, list[Community]] = {}
    for community, region_name in db.session.execute(query):
        groups.setdefault(region_name, []).append(community)
    return list(groups.items())


@cache
def community_by_slug_query():
    return (
        select(Community)
        .where(Community.slug == bindparam("slug"))
        .options(joinedload(Community.region), joinedload(Community.organisation))
    )


def community_by_slug(slug: str) -> Community | None:
    return db.session.scalar(community_by_slug_query(), {"slug": slug})


def members_by_role(community: Community) -> dict[str, list[Membership]]:
    """Return the memberships of a community grouped by role, each group by name."""
    query = (
        select(Membership)
        .join(Membership.user)
        .where(Membership.community_id == community.id)
        .options(joinedload(Membership.user))
        .order_by(User.name, Membership.id)
    )
    groups: dict[str, list[Membership]] = {role.value: [] for role in Role}
    for membership in db.session.scalars(query):
        groups.setdefault(membership.role, []).append(membership)
    return groups


@cache
def people_by_role_query():
    return (
        select(Membership.role, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.community_id == bindparam("community_id"))
        .order_by(User.name, Membership.id)
    )


def people_by_role(community: Community) -> dict[str, list[User]]:
    """Return the members of a community grouped by role, each group by name."""
    rows = db.session.execute(people_by_role_query(), {"community_id": community.id})
    groups: dict[str, list[User]] = {role.value: [] for role in Role}
    for role, person in rows:
        groups.setdefault(role, []).append(person)
    return groups


def member_count(community: Community) -> int:
    query = select(func.count()).where(Membership.community_id == community.id)
    return db.session.scalar(query.select_from(Membership))


def facilitator_count(community: Community) -> int:
    query = select(func.count()).where(
        Membership.community_id == community.id, Membership.role == Role.FACILITATOR
    )
    return db.session.scalar(query.select_from(Membership))


def create_community(creator: User, **fields) -> Community:
    """Create a community with its creator as the first facilitator."""
    community = Community(slug=unique_slug(Community, fields["name"]))
    apply_fields(community, fields)
    db.session.add(community)
    db.session.flush()
    add_member(community, creator, Role.FACILITATOR)
    logger.info("Community %r created by user %s", community.slug, creator.id)
    return community


def update_community(community: Community, **fields) -> None:
    apply_fields(community, fields)
    logger.info("Community %r updated", community.slug)


def apply_fields(community: Community, fields: dict) -> None:
    community.name = fields["name"]
    community.theme = fields["theme"]
    community.region_id = fields["region_id"]
    community.organisation_id = fields.get("organisation_id") or None
    community.description = fields.get("description") or ""
    community.description_html = render_markdown(community.description)
    community.is_open = bool(fields.get("is_open"))
    community.default_visibility = fields.get("default_visibility") or "facilitators"


def find_membership(community: Community, user: User) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.community_id == community.id, Membership.user_id == user.id
        )
    )


def add_member(community: Community, user: User, role: str) -> Membership:
    """Make the person a member with the role; an existing member keeps theirs."""
    membership = find_membership(community, user)
    if membership is not None:
        return membership

    try:
        # A double click can race us to the unique (user, community) pair.
        with db.session.begin_nested():
            membership = Membership(
                community_id=community.id, user_id=user.id, role=role
            )
            db.session.add(membership)
    except IntegrityError:
        return find_membership(community, user)

    forget_roles()
    logger.info("User %s joined community %r as %s", user.id, community.slug, role)
    return membership


def join(community: Community, user: User) -> Membership:
    """Join an open community as a participant."""
    if not community.is_open:
        raise CommunityError(
            _("Deze leergemeenschap is besloten: je hebt een uitnodiging nodig.")
        )
    return add_member(community, user, Role.PARTICIPANT)


def ensure_facilitator_remains(membership: Membership, new_role: str | None) -> None:
    if membership.role != Role.FACILITATOR or new_role == Role.FACILITATOR:
        return

    # Lock the community row so two facilitators cannot step down at the same time.
    db.session.execute(
        select(Community.id)
        .where(Community.id == membership.community_id)
        .with_for_update()
    )
    if facilitator_count(membership.community) <= 1:
        raise CommunityError(
            _(
                "Een leergemeenschap houdt altijd minstens één facilitator. "
                "Maak eerst iemand anders facilitator."
            )
        )


def leave_teams(community_id: int, user_id: int) -> None:
    """Take a former member off the teams of the community's challenges."""
    from hcimv_lc.challenges.models import Challenge, challenge_member

    db.session.execute(
        challenge_member.delete().where(
            challenge_member.c.user_id == user_id,
            challenge_member.c.challenge_id.in_(
                select(Challenge.id).where(Challenge.community_id == community_id)
            ),
        )
    )


def leave(community: Community, user: User) -> None:
    """End the person's membership, unless they are its last facilitator."""
    membership = find_membership(community, user)
    if membership is None:
        return

    ensure_facilitator_remains(membership, None)
    db.session.delete(membership)
    leave_teams(community.id, user.id)
    db.session.flush()
    forget_roles()
    logger.info("User %s left community %r", user.id, community.slug)


def change_role(membership: Membership, role: str) -> None:
    """Give a member another role, keeping at least one facilitator."""
    ensure_facilitator_remains(membership, role)
    membership.role = role
    forget_roles()
    logger.info(
        "Role of user %s in community %s changed to %s",
        membership.user_id,
        membership.community_id,
        role,
    )


def remove_member(membership: Membership) -> None:
    """Remove a member, keeping at least one facilitator."""
    ensure_facilitator_remains(membership, None)
    db.session.delete(membership)
    leave_teams(membership.community_id, membership.user_id)
    db.session.flush()
    forget_roles()
    logger.info(
        "User %s removed from community %s", membership.user_id, membership.community_id
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(community: Community, email: str, role: str, invited_by: User) -> Invitation:
    """Store an invitation and mail its single-use link; it replaces older ones."""
    email = email.strip().lower()
    member = db.session.scalar(
        select(Membership.id)
        .join(User, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, User.email == email)
    )
    if member is not None:
        raise CommunityError(
            _("Deze persoon is al lid van de leergemeenschap."), field="email"
        )

    for earlier in pending_invitations(community):
        if earlier.email == email:
            revoke_invitation(earlier)

    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(
        community_id=community.id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()

    link = url_for("communities.invitation", token=token, _external=True)
    with force_locale(invited_by.locale):
        subject = _("Uitnodiging voor %(name)s", name=community.name)
        body = _(
            "%(inviter)s nodigt je uit voor de leergemeenschap %(name)s op het "
            "HCIMV-platform.\n\nNeem de uitnodiging aan via deze link (%(days)d dagen "
            "geldig):\n\n%(link)s",
            inviter=invited_by.name,
            name=community.name,
            days=days,
            link=link,
        )
    send_mail(invitation.email, subject, body)

    invitee = db.session.scalar(select(User).where(User.email == invitation.email))
    if invitee is not None:
        with force_locale(invitee.locale):
            title = _("Uitnodiging voor %(name)s", name=community.name)
        path = url_for("communities.invitation", token=token)
        notifications.notify(
            invitee, NotificationKind.INVITATION, title, path, invited_by
        )
    logger.info("Invitation %s to community %r sent", invitation.id, community.slug)
    return invitation


def revoke_invitation(invitation: Invitation) -> None:
    """Make a pending invitation unusable."""
    invitation.expires_at = utcnow()
    logger.info("Invitation %s revoked", invitation.id)


def invitation_by_token(token: str) -> Invitation | None:
    query = select(Invitation).where(Invitation.token_hash == hash_token(token))
    return db.session.scalar(query.options(joinedload(Invitation.community)))


def invitation_usable(invitation: Invitation) -> bool:
    return invitation.accepted_at is None and invitation.expires_at > utcnow()


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Turn an invitation into a membership for the invited person."""
    if not invitation_usable(invitation):
        raise CommunityError(_("Deze uitnodiging is verlopen of al gebruikt."))
    if user.email != invitation.email:
        raise CommunityError(
            _("Deze uitnodiging is voor een ander e-mailadres. Log in met dat adres.")
        )

    invitation.accepted_at = utcnow()
    membership = add_member(invitation.community, user, invitation.role)
    logger.info("Invitation %s accepted by user %s", invitation.id, user.id)
    return membership


def pending_invitations(community: Community) -> list[Invitation]:
    query = (
        select(Invitation)
        .where(
            Invitation.community_id == community.id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())
    )
    return list(db.session.scalars(query))

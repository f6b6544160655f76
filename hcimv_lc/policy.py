"""Who may do what: the one access policy, asked by views and templates alike.

Every rule takes the person (possibly anonymous) and the object of the action. A view
calls `authorize()`: a person who may not even see the object gets 404, so that another
community's private objects stay invisible; one who may see it but not act gets 403;
an anonymous visitor is sent to log in.
"""

from collections.abc import Callable
from typing import Any

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from hcimv_lc.accounts.models import User
from hcimv_lc.badges.models import Credential
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community, Membership, Role
from hcimv_lc.discussion.models import Thread
from hcimv_lc.extensions import db, login_manager
from hcimv_lc.instruments.models import Administration
from hcimv_lc.logbook.models import LogEntry, Visibility
from hcimv_lc.regional.models import CompanyVisit
from hcimv_lc.research.models import ExportLog, ResearchConsent  # noqa: F401
from hcimv_lc.skills.models import ClaimStatus, ShareLink, SkillClaim
from hcimv_lc.sprints.models import (
    Lesson,
    LessonVisibility,
    Meeting,
    Sprint,
    SprintStatus,
)
from hcimv_lc.toolbox.models import Application, Tool, ToolStatus, ToolVisibility

Rule = Callable[[Any, Any], bool]


def with_memberships(query):
    """Add the person's communities and roles to a query of the User, by name."""
    return (
        query.add_columns(Community, Membership.role)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Community, Community.id == Membership.community_id)
        .order_by(Community.name, Community.id)
    )


def remember_memberships(user, memberships: list[tuple[Community, str]]) -> None:
    """Keep the person's communities and roles for the rest of this request."""
    g.setdefault("memberships", {})[user.id] = memberships
    g.setdefault("community_roles", {})[user.id] = {
        community.id: role for community, role in memberships
    }


def memberships_of(user) -> list[tuple[Community, str]]:
    """Return the person's communities with their role, by name, once per request."""
    if not user.is_authenticated:
        return []

    if user.id not in g.get("memberships", {}):
        query = (
            select(Community, Membership.role)
            .join(Membership, Membership.community_id == Community.id)
            .where(Membership.user_id == user.id)
            .order_by(Community.name, Community.id)
        )
        remember_memberships(user, [tuple(row) for row in db.session.execute(query)])

    return g.memberships[user.id]


def roles_of(user) -> dict[int, str]:
    """Return the person's role per community id, loaded once per request."""
    if not user.is_authenticated:
        return {}

    if user.id not in g.get("community_roles", {}):
        memberships_of(user)

    return g.community_roles[user.id]


def forget_roles() -> None:
    """Drop the cached roles after a membership changed within this request."""
    g.pop("community_roles", None)
    g.pop("memberships", None)


def role_in(user, community: Community) -> str | None:
    """Return the person's role in the community, or None for a non-member."""
    return roles_of(user).get(community.id)


def is_admin(user) -> bool:
    return user.is_authenticated and user.is_admin


def is_facilitator(user, community: Community) -> bool:
    return role_in(user, community) == Role.FACILITATOR


def leads_any_community(user) -> bool:
    return Role.FACILITATOR in roles_of(user).values()


def can_view_community(user, community: Community) -> bool:
    if community.is_open or is_admin(user):
        return True
    return role_in(user, community) is not None


def can_view_members(user, community: Community) -> bool:
    return is_admin(user) or role_in(user, community) is not None


def can_join_community(user, community: Community) -> bool:
    return user.is_authenticated and community.is_open


def can_leave_community(user, community: Community) -> bool:
    return role_in(user, community) is not None


def can_manage_community(user, community: Community) -> bool:
    return is_admin(user) or is_facilitator(user, community)


def can_create_community(user, _obj) -> bool:
    return is_admin(user) or leads_any_community(user)


def can_view_sprint(user, sprint: Sprint) -> bool:
    if not can_view_community(user, sprint.community):
        return False
    return sprint.status != SprintStatus.DRAFT or can_manage_community(
        user, sprint.community
    )


def can_manage_sprint(user, sprint: Sprint) -> bool:
    return can_manage_community(user, sprint.community)


def can_view_challenge(user, challenge: Challenge) -> bool:
    if challenge.sprint is not None:
        return can_view_sprint(user, challenge.sprint)
    return can_view_community(user, challenge.community)


def can_manage_challenge(user, challenge: Challenge) -> bool:
    return can_manage_community(user, challenge.community)


def can_move_challenge(user, challenge: Challenge) -> bool:
    if can_manage_challenge(user, challenge):
        return True
    if not can_view_challenge(user, challenge) or not is_member(
        user, challenge.community
    ):
        return False
    return any(member.id == user.id for member in challenge.team)


def can_view_lesson(user, lesson: Lesson) -> bool:
    return lesson.visibility == LessonVisibility.PUBLIC or user.is_authenticated


def is_member(user, community: Community) -> bool:
    return role_in(user, community) is not None


def can_view_entry(user, entry: LogEntry) -> bool:
    """Private: the author alone, administrators included; else by visibility."""
    if user.is_authenticated and entry.author_id == user.id:
        return True
    if entry.visibility == Visibility.FACILITATORS:
        return is_facilitator(user, entry.community)
    if entry.visibility == Visibility.COMMUNITY:
        return is_member(user, entry.community) or is_admin(user)
    return False


def can_comment_on_entry(user, entry: LogEntry) -> bool:
    if not can_view_entry(user, entry):
        return False
    if entry.author_id == user.id or is_facilitator(user, entry.community):
        return True
    return entry.visibility == Visibility.COMMUNITY and is_member(user, entry.community)


def is_author(user, entry: LogEntry) -> bool:
    return user.is_authenticated and entry.author_id == user.id


def can_view_discussion(user, community: Community) -> bool:
    return is_admin(user) or is_member(user, community)


def can_create_tool(user, _obj) -> bool:
    """Lectorates publish tools: researchers, facilitators and administrators."""
    roles = set(roles_of(user).values())
    return is_admin(user) or bool(roles & {Role.RESEARCHER, Role.FACILITATOR})


def can_edit_tool(user, tool: Tool) -> bool:
    # Not by organisation: anyone can pick any organisation on their own profile.
    return is_admin(user) or (user.is_authenticated and tool.created_by_id == user.id)


def can_view_tool(user, tool: Tool) -> bool:
    if tool.status != ToolStatus.PUBLISHED:
        return can_edit_tool(user, tool)
    return tool.visibility == ToolVisibility.PUBLIC or user.is_authenticated


def can_record_application(user, sprint: Sprint) -> bool:
    """Facilitators and researchers of the sprint's community record applications."""
    if is_admin(user):
        return True
    return role_in(user, sprint.community) in {Role.FACILITATOR, Role.RESEARCHER}


def can_answer(user, administration) -> bool:
    """Members who take part in the sprint answer: everyone but observers."""
    if not can_view_sprint(user, administration.sprint):
        return False
    return role_in(user, administration.sprint.community) in {
        Role.PARTICIPANT,
        Role.FACILITATOR,
        Role.RESEARCHER,
    }


def can_see_results(user, administration) -> bool:
    """Facilitators, researchers of the community and administrators see results."""
    if is_admin(user):
        return True
    return role_in(user, administration.sprint.community) in {
        Role.FACILITATOR,
        Role.RESEARCHER,
    }


def can_view_claim(user, claim: SkillClaim) -> bool:
    """The claimant, the community's facilitators who validate, and administrators."""
    if not user.is_authenticated:
        return False
    return (
        claim.user_id == user.id
        or is_admin(user)
        or is_facilitator(user, claim.community)
    )


def can_edit_claim(user, claim: SkillClaim) -> bool:
    return user.is_authenticated and claim.user_id == user.id and claim.is_open


def can_validate_claim(user, claim: SkillClaim) -> bool:
    # Nobody validates their own claim, not even a facilitator.
    if not user.is_authenticated or claim.user_id == user.id or not claim.is_open:
        return False
    return is_facilitator(user, claim.community)


def can_issue_badge(user, claim: SkillClaim) -> bool:
    return (
        user.is_authenticated
        and claim.user_id == user.id
        and claim.status == ClaimStatus.VALIDATED
    )


def can_revoke_badge(user, credential: Credential) -> bool:
    if not user.is_authenticated:
        return False
    claim = credential.claim
    return (
        claim.user_id == user.id
        or is_admin(user)
        or is_facilitator(user, claim.community)
    )


def can_see_badge_history(user, credential: Credential) -> bool:
    return can_view_claim(user, credential.claim)


def can_record_visit(user, _obj) -> bool:
    """Members of any community visit companies anyway; so may administrators."""
    return is_admin(user) or bool(roles_of(user))


def can_view_regional(user, _obj) -> bool:
    """Researchers and facilitators of any community, and administrators."""
    roles = set(roles_of(user).values())
    return is_admin(user) or bool(roles & {Role.RESEARCHER, Role.FACILITATOR})


def can_view_visit(user, visit: CompanyVisit) -> bool:
    return is_admin(user) or (user.is_authenticated and visit.recorded_by_id == user.id)


def can_export_research(user, community: Community) -> bool:
    """Researchers of the community and administrators; a facilitator is not one."""
    return is_admin(user) or role_in(user, community) == Role.RESEARCHER


def studies_community(user, community: Community) -> bool:
    """Facilitators and researchers follow a community's numbers; so do admins."""
    if is_admin(user):
        return True
    return role_in(user, community) in {Role.FACILITATOR, Role.RESEARCHER}


def studied_communities(user) -> set[int]:
    """Return the communities whose numbers the person follows one by one."""
    return {
        community_id
        for community_id, role in roles_of(user).items()
        if role in {Role.FACILITATOR, Role.RESEARCHER}
    }


def is_researcher(user) -> bool:
    return is_admin(user) or Role.RESEARCHER in roles_of(user).values()


RULES: dict[str, Rule] = {
    "account.use": lambda user, _obj: user.is_authenticated,
    "admin.manage": lambda user, _obj: is_admin(user),
    "community.create": can_create_community,
    "community.view": can_view_community,
    "community.view_members": can_view_members,
    "community.join": can_join_community,
    "community.leave": can_leave_community,
    "community.edit": can_manage_community,
    "community.invite": can_manage_community,
    "community.manage_members": can_manage_community,
    "sprint.plan": can_manage_community,
    "sprint.view": can_view_sprint,
    "sprint.manage": can_manage_sprint,
    "meeting.view": lambda user, meeting: can_view_sprint(user, meeting.sprint),
    "meeting.manage": lambda user, meeting: can_manage_sprint(user, meeting.sprint),
    "challenge.create": can_manage_community,
    "challenge.view_backlog": can_view_community,
    "challenge.view": can_view_challenge,
    "challenge.edit": can_manage_challenge,
    "challenge.schedule": can_manage_challenge,
    "challenge.move": can_move_challenge,
    "lesson.view": can_view_lesson,
    "log.create": lambda user, _obj: bool(roles_of(user)),
    "log.view_community": lambda user, community: is_member(user, community),
    "entry.view": can_view_entry,
    "entry.edit": is_author,
    "entry.comment": can_comment_on_entry,
    "sprint.participation": can_manage_sprint,
    "discussion.view": can_view_discussion,
    "discussion.post": lambda user, community: is_member(user, community),
    "thread.view": lambda user, thread: can_view_discussion(user, thread.community),
    "thread.reply": lambda user, thread: is_member(user, thread.community),
    "thread.pin": lambda user, thread: can_manage_community(user, thread.community),
    "tool.create": can_create_tool,
    "application.record": can_record_application,
    "administration.view": lambda user, item: can_view_sprint(user, item.sprint),
    "administration.answer": can_answer,
    "administration.results": can_see_results,
    "administration.manage": lambda user, item: can_manage_sprint(user, item.sprint),
    "application.view": lambda user, application: (
        user.is_authenticated and can_view_tool(user, application.tool)
    ),
    "skill.catalogue": lambda _user, _obj: True,
    "skill.import": lambda user, _obj: is_admin(user),
    "skill.claim": lambda user, _obj: bool(roles_of(user)),
    "claim.view": can_view_claim,
    "claim.edit": can_edit_claim,
    "claim.validate": can_validate_claim,
    "claim.review_queue": lambda user, _obj: leads_any_community(user),
    "passport.view": lambda user, _obj: user.is_authenticated,
    "share.manage": lambda user, link: (
        user.is_authenticated and link.user_id == user.id
    ),
    "badge.issue": can_issue_badge,
    "badge.verify": lambda _user, _obj: True,
    "badge.revoke": can_revoke_badge,
    "badge.history": can_see_badge_history,
    "challenge.suggestions": can_manage_challenge,
    "regional.record": can_record_visit,
    "regional.view": can_view_regional,
    "visit.view": can_view_visit,
    "dashboard.sprint": lambda user, sprint: studies_community(user, sprint.community),
    "dashboard.community": studies_community,
    "dashboard.regions": lambda user, _obj: is_researcher(user),
    "tool.view": can_view_tool,
    "tool.edit": can_edit_tool,
    "tool.adapt": lambda user, tool: (
        can_view_tool(user, tool) and can_create_tool(user, tool)
    ),
    "research.consent": lambda user, _obj: user.is_authenticated,
    "research.export": can_export_research,
}

# The action that decides whether an object is visible at all (404 when it is not).
VIEW_ACTIONS: dict[type, str] = {
    Community: "community.view",
    Sprint: "sprint.view",
    Meeting: "meeting.view",
    Challenge: "challenge.view",
    Lesson: "lesson.view",
    LogEntry: "entry.view",
    Thread: "thread.view",
    Tool: "tool.view",
    Application: "application.view",
    Administration: "administration.view",
    SkillClaim: "claim.view",
    ShareLink: "share.manage",
    CompanyVisit: "visit.view",
}


def can(user, action: str, obj: Any = None) -> bool:
    """Return whether the person may do the action on the object."""
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"no access rule for {action!r}")

    return bool(rule(user, obj))


def authorize(action: str, obj: Any = None) -> None:
    """Abort the request unless the current person may do the action on the object."""
    if can(current_user, action, obj):
        return

    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())

    view_action = VIEW_ACTIONS.get(type(obj))
    if view_action and (
        action == view_action or not can(current_user, view_action, obj)
    ):
        abort(404)

    abort(403)


def template_can(action: str, obj: Any = None) -> bool:
    """Ask the policy from a template, for the person of this request."""
    return can(current_user, action, obj)

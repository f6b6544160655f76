"""Rules of the toolbox: publishing tools, their revisions, families and the index."""

import difflib
import logging
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Membership, Role
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.markup import render_markdown
from hcimv_lc.policy import can_view_entry
from hcimv_lc.slugs import unique_slug
from hcimv_lc.sprints.models import Sprint
from hcimv_lc.toolbox import search
from hcimv_lc.toolbox.models import (
    Application,
    Tool,
    ToolRevision,
    ToolStatus,
    ToolVisibility,
    tool_theme,
)

logger = logging.getLogger(__name__)


def tool_by_slug(slug: str) -> Tool | None:
    query = select(Tool).where(Tool.slug == slug)
    options = (joinedload(Tool.organisation), joinedload(Tool.adapted_from))
    return db.session.scalar(query.options(*options))


def themes_of(tool: Tool) -> list[str]:
    query = select(tool_theme.c.theme).where(tool_theme.c.tool_id == tool.id)
    return sorted(db.session.scalars(query))


def set_themes(tool: Tool, themes: list[str]) -> None:
    db.session.execute(tool_theme.delete().where(tool_theme.c.tool_id == tool.id))
    for theme in sorted(set(themes)):
        db.session.execute(tool_theme.insert().values(tool_id=tool.id, theme=theme))


def apply_fields(tool: Tool, fields: dict) -> None:
    for name in (
        "title",
        "summary",
        "kind",
        "level",
        "authors",
        "licence",
        "status",
        "visibility",
    ):
        setattr(tool, name, fields[name])
    tool.body = fields.get("body") or ""
    tool.body_html = render_markdown(tool.body)
    tool.url = fields.get("url") or None
    tool.organisation_id = fields.get("organisation_id") or None
    tool.updated_at = utcnow()


def add_revision(tool: Tool, author: User | None, note: str) -> ToolRevision:
    number = (
        db.session.scalar(
            select(func.max(ToolRevision.number)).where(ToolRevision.tool_id == tool.id)
        )
        or 0
    ) + 1
    revision = ToolRevision(
        tool_id=tool.id,
        number=number,
        title=tool.title,
        summary=tool.summary,
        body=tool.body,
        note=note,
        author_id=author.id if author else None,
    )
    db.session.add(revision)
    return revision


def create_tool(author: User | None, themes: list[str], note: str, **fields) -> Tool:
    """Add a tool with its first revision; `adapted_from_id` links it to its origin."""
    tool = Tool(
        slug=unique_slug(Tool, fields["title"]),
        created_by_id=author.id if author else None,
        adapted_from_id=fields.get("adapted_from_id"),
    )
    apply_fields(tool, fields)
    db.session.add(tool)
    db.session.flush()
    set_themes(tool, themes)
    add_revision(tool, author, note)
    reindex(tool, themes)
    logger.info("Tool %r added by user %s", tool.slug, author.id if author else None)
    return tool


def update_tool(
    tool: Tool, author: User, themes: list[str], note: str, **fields
) -> None:
    """Change a tool; every change is a revision with its note."""
    apply_fields(tool, fields)
    set_themes(tool, themes)
    add_revision(tool, author, note)
    reindex(tool, themes)
    logger.info("Tool %r revised by user %s", tool.slug, author.id)


def reindex(tool: Tool, themes: list[str]) -> None:
    """Keep the search index in step: published tools only."""
    if tool.status != ToolStatus.PUBLISHED:
        search.remove("tool", tool.id)
        return
    search.upsert(
        "tool",
        tool.id,
        title=tool.title,
        body=f"{tool.summary}\n{tool.body}",
        is_public=tool.visibility == ToolVisibility.PUBLIC,
        tool_kind=tool.kind,
        tool_level=tool.level,
        themes="," + ",".join(themes) + ",",
    )


def revisions_of(tool: Tool) -> list[ToolRevision]:
    query = (
        select(ToolRevision)
        .where(ToolRevision.tool_id == tool.id)
        .options(joinedload(ToolRevision.author))
        .order_by(ToolRevision.number.desc())
    )
    return list(db.session.scalars(query))


@dataclass
class DiffLine:
    kind: str
    text: str


def diff(old: ToolRevision, new: ToolRevision) -> list[DiffLine]:
    """Return the line differences of two revisions; the template escapes the text."""
    before = f"# {old.title}\n\n{old.summary}\n\n{old.body}".splitlines()
    after = f"# {new.title}\n\n{new.summary}\n\n{new.body}".splitlines()
    lines = []
    for line in difflib.unified_diff(before, after, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
        lines.append(DiffLine(kind, line[1:] if kind != "hunk" else "…"))
    return lines


def family(tool: Tool) -> tuple[Tool | None, list[Tool]]:
    """Return the tool it was adapted from, and the published tools adapted from it."""
    query = (
        select(Tool)
        .where(Tool.adapted_from_id == tool.id, Tool.status == ToolStatus.PUBLISHED)
        .options(joinedload(Tool.organisation))
        .order_by(Tool.title)
    )
    return tool.adapted_from, list(db.session.scalars(query))


def index_lesson(lesson, sprint) -> None:
    """Make a published lesson findable next to the tools."""
    search.upsert(
        "lesson",
        lesson.id,
        title=sprint.title,
        body="\n".join([lesson.worked, lesson.did_not_work, lesson.advice]),
        is_public=lesson.visibility == "public",
        tool_kind=None,
        tool_level=None,
        themes=f",{sprint.community.theme},",
    )


def record_application(
    tool: Tool, sprint, author: User, entry_ids: list[int], **fields
):
    """Record that a tool was applied in a sprint, with its evaluation."""
    application = Application(
        tool_id=tool.id, sprint_id=sprint.id, recorded_by_id=author.id, **fields
    )
    application.evidence = evidence_entries(sprint, author, entry_ids)
    db.session.add(application)
    db.session.flush()
    logger.info(
        "Application %s of tool %r in sprint %s recorded by user %s",
        application.id,
        tool.slug,
        sprint.id,
        author.id,
    )
    return application


def evidence_entries(sprint, viewer: User, entry_ids: list[int]) -> list[LogEntry]:
    """Return the chosen log entries of the sprint that the viewer may see."""
    if not entry_ids:
        return []
    query = select(LogEntry).where(
        LogEntry.id.in_(entry_ids), LogEntry.sprint_id == sprint.id
    )
    return [
        entry for entry in db.session.scalars(query) if can_view_entry(viewer, entry)
    ]


def evidence_choices(sprint, viewer: User) -> list[tuple[int, str]]:
    query = (
        select(LogEntry)
        .where(LogEntry.sprint_id == sprint.id, LogEntry.visibility != "private")
        .order_by(LogEntry.date.desc())
        .limit(100)
    )
    return [
        (entry.id, f"{entry.date:%d-%m} {entry.what}")
        for entry in db.session.scalars(query)
        if can_view_entry(viewer, entry)
    ]


def measurement_choices(sprint) -> list[tuple[int, str]]:
    """Return the measurements of a sprint that can show an application's outcome."""
    from hcimv_lc.instruments.models import Administration, Instrument

    rows = db.session.execute(
        select(Administration.id, Instrument.title, Administration.moment)
        .join(Instrument, Instrument.id == Administration.instrument_id)
        .where(Administration.sprint_id == sprint.id)
        .order_by(Administration.opened_at)
    )
    return [(item_id, f"{title} ({moment})") for item_id, title, moment in rows]


def applications_of(tool: Tool) -> list[Application]:
    query = (
        select(Application)
        .where(Application.tool_id == tool.id)
        .options(joinedload(Application.region), joinedload(Application.sprint))
        .order_by(Application.applied_on.desc())
    )
    return list(db.session.scalars(query))


def application_by_id(application_id: int) -> Application | None:
    query = select(Application).where(Application.id == application_id)
    options = (
        joinedload(Application.tool),
        joinedload(Application.region),
        joinedload(Application.sprint),
        selectinload(Application.evidence),
    )
    return db.session.scalar(query.options(*options))


@dataclass
class Comparison:
    tool: Tool
    count: int
    average: float
    again: int
    outcomes: list[str]


def compare(filters: dict, signed_in: bool) -> list[Comparison]:
    """Return, per tool, how often it was applied here, its rating and outcomes."""
    where = [Tool.status == ToolStatus.PUBLISHED]
    if not signed_in:
        where.append(Tool.visibility == ToolVisibility.PUBLIC)
    if filters.get("sector"):
        where.append(Application.sector.ilike(f"%{filters['sector']}%"))
    if filters.get("company_size"):
        where.append(Application.company_size == filters["company_size"])
    if filters.get("region_id"):
        where.append(Application.region_id == filters["region_id"])
    if filters.get("theme"):
        themed = select(tool_theme.c.tool_id).where(
            tool_theme.c.theme == filters["theme"]
        )
        where.append(Tool.id.in_(themed))

    again = func.sum(case((Application.would_use_again, 1), else_=0))
    rows = db.session.execute(
        select(Tool, func.count(Application.id), func.avg(Application.rating), again)
        .join(Application, Application.tool_id == Tool.id)
        .where(*where)
        .group_by(Tool.id)
        .order_by(
            func.avg(Application.rating).desc(), func.count(Application.id).desc()
        )
        .limit(50)
    ).all()
    ids = [tool.id for tool, *_ in rows]
    outcomes: dict[int, list[str]] = {}
    for tool_id, outcome in db.session.execute(
        select(Application.tool_id, Application.outcome)
        .join(Tool, Tool.id == Application.tool_id)
        .where(Application.tool_id.in_(ids), *where)
        .order_by(Application.applied_on.desc())
    ):
        outcomes.setdefault(tool_id, [])
        if len(outcomes[tool_id]) < 3:
            outcomes[tool_id].append(outcome)
    return [
        Comparison(
            tool,
            count,
            round(float(average), 1),
            int(yes or 0),
            outcomes.get(tool.id, []),
        )
        for tool, count, average, yes in rows
    ]


def sprints_for_applications(user: User) -> list:
    """Return the sprints in which the person may record an application."""
    query = (
        select(Sprint)
        .options(joinedload(Sprint.community))
        .order_by(Sprint.start_date.desc())
    )
    if not user.is_admin:
        query = query.join(
            Membership, Membership.community_id == Sprint.community_id
        ).where(
            Membership.user_id == user.id,
            Membership.role.in_([Role.FACILITATOR, Role.RESEARCHER]),
        )
    return list(db.session.scalars(query.limit(100)))

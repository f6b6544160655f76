"""Tools and interventions that lectorates share, their revisions, the search index."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.accounts.models import User
from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.organisations.models import Organisation, Region
from hcimv_lc.sprints.models import Sprint


class ToolKind(StrEnum):
    SCAN = "scan"
    CHECKLIST = "checklist"
    GAME = "game"
    METHOD = "method"
    TRAINING = "training"
    GUIDELINE = "guideline"
    INSTRUMENT = "instrument"


class ToolLevel(StrEnum):
    INDIVIDUAL = "individual"
    COMPANY = "company"
    NETWORK = "network"


class ToolStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ToolVisibility(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"


tool_theme = Table(
    "tool_theme",
    db.metadata,
    Column("tool_id", ForeignKey("tool.id", ondelete="CASCADE"), primary_key=True),
    Column("theme", String(20), primary_key=True),
)


class Tool(db.Model):
    """A scan, checklist, game, method, training, guideline or instrument."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), index=True)
    level: Mapped[str] = mapped_column(String(12), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    authors: Mapped[str] = mapped_column(String(300), default="")
    licence: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default=ToolStatus.DRAFT)
    visibility: Mapped[str] = mapped_column(String(10), default=ToolVisibility.PUBLIC)
    adapted_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("tool.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    adapted_from: Mapped["Tool | None"] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Tool {self.slug}>"


class ToolRevision(db.Model):
    """A saved version of a tool's text, with who changed it, when and why."""

    __table_args__ = (UniqueConstraint("tool_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ToolRevision {self.number} of tool {self.tool_id}>"


class SearchDocument(db.Model):
    """One searchable text (a tool or a lesson) with what a reader needs to see it.

    Each engine adds its own full-text index in the migrations: an FTS5 table kept in
    step by triggers on SQLite, a generated Dutch `tsvector` column with a GIN index on
    PostgreSQL. `toolbox.search` is the one function that queries either.
    """

    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=False)
    tool_kind: Mapped[str | None] = mapped_column(String(12))
    tool_level: Mapped[str | None] = mapped_column(String(12))
    themes: Mapped[str] = mapped_column(String(100), default="")

    def __repr__(self) -> str:
        return f"<SearchDocument {self.kind} {self.ref_id}>"


class CompanySize(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


application_entry = Table(
    "application_entry",
    db.metadata,
    Column(
        "application_id",
        ForeignKey("application.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "entry_id", ForeignKey("log_entry.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Application(db.Model):
    """A use of a tool in a sprint, evaluated: context, mechanism and outcome."""

    __table_args__ = (Index("ix_application_tool", "tool_id", "rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"))
    sprint_id: Mapped[int] = mapped_column(
        ForeignKey("sprint.id", ondelete="CASCADE"), index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    applied_on: Mapped[date] = mapped_column(Date)
    adaptation: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[str] = mapped_column(String(120), default="")
    company_size: Mapped[str] = mapped_column(String(10))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    background: Mapped[str] = mapped_column(Text, default="")
    mechanism: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    rating: Mapped[int]
    would_use_again: Mapped[bool] = mapped_column(default=True)
    # A measurement of the sprint that shows the outcome (see the instruments area).
    administration_id: Mapped[int | None] = mapped_column(
        ForeignKey("administration.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tool: Mapped[Tool] = relationship()
    sprint: Mapped[Sprint] = relationship()
    region: Mapped[Region] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    evidence: Mapped[list[LogEntry]] = relationship(secondary=application_entry)

    def __repr__(self) -> str:
        return f"<Application {self.id} of tool {self.tool_id}>"

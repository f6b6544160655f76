"""Skills, the claims people make of them with evidence, and links to share them."""

from datetime import date, datetime
from enum import IntEnum, StrEnum

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db


class Skill(db.Model):
    """A skill, named in Dutch and English, optionally with its ESCO concept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_nl: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(60), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    esco_uri: Mapped[str | None] = mapped_column(String(300))
    esco_version: Mapped[str | None] = mapped_column(String(20))

    def __repr__(self) -> str:
        return f"<Skill {self.slug}>"

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl


class Level(IntEnum):
    """How well someone masters a skill, from being aware of it to teaching it."""

    AWARE = 1
    WITH_HELP = 2
    INDEPENDENT = 3
    TEACHES = 4


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"
    MORE_ASKED = "more_asked"
    VALIDATED = "validated"
    WITHDRAWN = "withdrawn"


class ClaimStep(StrEnum):
    """What happened to a claim, as kept in its history."""

    SUBMITTED = "submitted"
    EVIDENCE_ADDED = "evidence_added"
    EVIDENCE_REMOVED = "evidence_removed"
    MORE_ASKED = "more_asked"
    RESUBMITTED = "resubmitted"
    VALIDATED = "validated"
    WITHDRAWN = "withdrawn"
    BADGE_ISSUED = "badge_issued"
    BADGE_REVOKED = "badge_revoked"


claim_entry = Table(
    "claim_entry",
    db.metadata,
    Column(
        "claim_id", ForeignKey("skill_claim.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "entry_id", ForeignKey("log_entry.id", ondelete="CASCADE"), primary_key=True
    ),
)

# The skills a person wants to learn: one half of what matching looks at.
skill_goal = Table(
    "skill_goal",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True),
)


class SkillClaim(db.Model):
    """A person's claim to master a skill at a level, validated within a community."""

    __table_args__ = (
        Index("ix_skill_claim_user_skill", "user_id", "skill_id"),
        Index("ix_skill_claim_community_status", "community_id", "status"),
        # One open claim per person, skill and community, even under a double submit.
        Index(
            "uq_skill_claim_open",
            "user_id",
            "skill_id",
            "community_id",
            unique=True,
            sqlite_where=text("status IN ('submitted', 'more_asked')"),
            postgresql_where=text("status IN ('submitted', 'more_asked')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skill.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE")
    )
    level: Mapped[int]
    narrative: Mapped[str] = mapped_column(Text, default="")
    narrative_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=ClaimStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    validated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )

    user = relationship("User", foreign_keys=[user_id])
    validated_by = relationship("User", foreign_keys=[validated_by_id])
    skill: Mapped[Skill] = relationship()
    community = relationship("Community")
    entries = relationship("LogEntry", secondary=claim_entry, order_by="LogEntry.date")
    files: Mapped[list["EvidenceFile"]] = relationship(
        back_populates="claim",
        cascade="all, delete-orphan",
        order_by="EvidenceFile.id",
    )
    links: Mapped[list["EvidenceLink"]] = relationship(
        back_populates="claim",
        cascade="all, delete-orphan",
        order_by="EvidenceLink.id",
    )
    events: Mapped[list["ClaimEvent"]] = relationship(
        back_populates="claim",
        cascade="all, delete-orphan",
        order_by="ClaimEvent.id",
    )

    def __repr__(self) -> str:
        return f"<SkillClaim {self.id} of skill {self.skill_id} by {self.user_id}>"

    @property
    def is_open(self) -> bool:
        return self.status in (ClaimStatus.SUBMITTED, ClaimStatus.MORE_ASKED)


class EvidenceFile(db.Model):
    """An uploaded photo or PDF, stored under a generated name outside static/."""

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("skill_claim.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[SkillClaim] = relationship(back_populates="files")

    def __repr__(self) -> str:
        return f"<EvidenceFile {self.id} of claim {self.claim_id}>"


class EvidenceLink(db.Model):
    """A web address that shows the work, such as a video or a project page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("skill_claim.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(160), default="")

    claim: Mapped[SkillClaim] = relationship(back_populates="links")

    def __repr__(self) -> str:
        return f"<EvidenceLink {self.id} of claim {self.claim_id}>"


class ClaimEvent(db.Model):
    """One step in a claim's history: who did what, when, with what comment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("skill_claim.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    step: Mapped[str] = mapped_column(String(20))
    level: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[SkillClaim] = relationship(back_populates="events")
    actor = relationship("User")

    def __repr__(self) -> str:
        return f"<ClaimEvent {self.step} of claim {self.claim_id}>"


share_link_skill = Table(
    "share_link_skill",
    db.metadata,
    Column(
        "link_id", ForeignKey("share_link.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("skill_id", ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True),
)


class ShareLink(db.Model):
    """A link that shows a few of a person's validated skills to an employer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    # Stored as a SHA-256 digest; the link itself is shown to its owner once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    expires_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    views: Mapped[int] = mapped_column(default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    skills: Mapped[list[Skill]] = relationship(
        secondary=share_link_skill, order_by=Skill.name_nl
    )

    def __repr__(self) -> str:
        return f"<ShareLink {self.id} of user {self.user_id}>"

    def is_live(self, today: date) -> bool:
        return self.revoked_at is None and today <= self.expires_on

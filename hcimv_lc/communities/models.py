"""Learning communities, their members and invitations."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.accounts.models import User
from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db
from hcimv_lc.organisations.models import Organisation, Region


class Theme(StrEnum):
    INDIVIDUALS = "individuals"
    COMPANIES = "companies"
    NETWORKS = "networks"
    DIGITALISATION = "digitalisation"


class Role(StrEnum):
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    RESEARCHER = "researcher"
    OBSERVER = "observer"


class Community(db.Model):
    """A learning community around one of the four themes, with a home region."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    theme: Mapped[str] = mapped_column(String(20), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    # What a new log entry of a member shows to others unless its author chooses.
    default_visibility: Mapped[str] = mapped_column(String(12), default="facilitators")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="community", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Community {self.slug}>"


class Membership(db.Model):
    """A person's role in one community."""

    __table_args__ = (UniqueConstraint("user_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    community: Mapped[Community] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"<Membership {self.user_id} {self.role} in {self.community_id}>"


class Invitation(db.Model):
    """An emailed, single-use link into a community, most often a closed one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship()
    invited_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Invitation {self.id} to {self.community_id}>"

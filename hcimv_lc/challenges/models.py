"""Workplace challenges that companies bring, and the teams that take them on."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community
from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db
from hcimv_lc.organisations.models import Organisation
from hcimv_lc.skills.models import Skill
from hcimv_lc.sprints.models import Sprint


class ChallengeStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


challenge_member = Table(
    "challenge_member",
    db.metadata,
    Column(
        "challenge_id", ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)

# The skills a challenge asks for, which matching compares with validated skills.
challenge_skill = Table(
    "challenge_skill",
    db.metadata,
    Column(
        "challenge_id", ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("skill_id", ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True),
)


class Challenge(db.Model):
    """A concrete challenge from a workplace, in a community's backlog or a sprint."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    sprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    site: Mapped[str] = mapped_column(String(200), default="")
    learning_goals: Mapped[str] = mapped_column(Text, default="")
    success_criteria: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=ChallengeStatus.OPEN)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship()
    sprint: Mapped[Sprint | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    team: Mapped[list[User]] = relationship(
        secondary=challenge_member, order_by=User.name
    )
    needed_skills: Mapped[list[Skill]] = relationship(
        secondary=challenge_skill, order_by=Skill.name_nl
    )

    def __repr__(self) -> str:
        return f"<Challenge {self.id} in community {self.community_id}>"

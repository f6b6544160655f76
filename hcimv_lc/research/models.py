"""Consent for research per community, and the log of research exports."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db


class ResearchConsent(db.Model):
    """A person's current choice about research in one community."""

    __table_args__ = (UniqueConstraint("user_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    given: Mapped[bool] = mapped_column(default=False)
    # Reflections are the most personal text: a separate yes.
    include_reflections: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
    community = relationship("Community")

    def __repr__(self) -> str:
        return f"<ResearchConsent {self.user_id} in {self.community_id}: {self.given}>"


class ConsentEvent(db.Model):
    """Every change of a consent, with its date, so the history can be shown."""

    __table_args__ = (
        Index("ix_consent_event_user_community", "user_id", "community_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE")
    )
    given: Mapped[bool]
    include_reflections: Mapped[bool]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ConsentEvent {self.user_id} in {self.community_id}: {self.given}>"


class ExportLog(db.Model):
    """One research export: who took which data of which community, and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("community.id", ondelete="SET NULL"), index=True
    )
    dataset: Mapped[str] = mapped_column(String(30))
    file_format: Mapped[str] = mapped_column(String(10))
    rows: Mapped[int] = mapped_column(default=0)
    # A fingerprint of the pseudonym key, never the key: exports with the same key
    # can be joined, and the log shows which ones.
    key_fingerprint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
    community = relationship("Community")

    def __repr__(self) -> str:
        return f"<ExportLog {self.id} {self.dataset} of {self.community_id}>"

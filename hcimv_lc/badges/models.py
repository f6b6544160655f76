"""Open Badges 3.0 credentials issued for validated skill claims."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db
from hcimv_lc.skills.models import SkillClaim


class Credential(db.Model):
    """A signed OpenBadgeCredential, kept exactly as it was issued."""

    # One valid badge per claim, also when two requests issue it at once.
    __table_args__ = (
        Index(
            "uq_credential_valid_claim",
            "claim_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public identifier in the credential's URL and its urn:uuid.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("skill_claim.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    key_id: Mapped[str] = mapped_column(String(64))
    # The credential as JSON and as the compact JWS (VC-JWT) that signs it.
    document: Mapped[str] = mapped_column(Text)
    jwt: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    revocation_reason: Mapped[str] = mapped_column(String(200), default="")

    claim: Mapped[SkillClaim] = relationship()
    revoked_by = relationship("User")

    def __repr__(self) -> str:
        return f"<Credential {self.uuid}>"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

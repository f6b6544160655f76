"""What professionals learn when they visit SMEs: skills needed now and later."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db


class Horizon(StrEnum):
    NOW = "now"
    TWO_YEARS = "two_years"


class Sector(StrEnum):
    """The SME sectors a visit is filed under, stored by these codes."""

    INSTALLATION = "installatietechniek"
    CONSTRUCTION = "bouw"
    ELECTRICAL = "elektrotechniek"
    METAL = "metaal"
    CARE = "zorg"
    LOGISTICS = "logistiek"
    RETAIL = "retail"
    HOSPITALITY = "horeca"
    AGRIFOOD = "agrifood"
    ICT = "ict"
    OTHER = "overig"


company_visit_skill = Table(
    "company_visit_skill",
    db.metadata,
    Column(
        "visit_id", ForeignKey("company_visit.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("skill_id", ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True),
    Column("horizon", String(12), primary_key=True),
    Index("ix_company_visit_skill_skill", "skill_id", "horizon"),
)


class CompanyVisit(db.Model):
    """A short intake filled in during a visit to a company, often on a phone."""

    __table_args__ = (
        Index("ix_company_visit_region_date", "region_id", "visited_on"),
        Index("ix_company_visit_sector", "sector"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    company_name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(40))
    company_size: Mapped[str] = mapped_column(String(10))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    visited_on: Mapped[date] = mapped_column(Date)
    # The learning culture in a few questions, each 1 (not at all) to 5 (fully).
    time_to_learn: Mapped[int | None]
    learns_from_mistakes: Mapped[int | None]
    shares_knowledge: Mapped[int | None]
    open_vacancies: Mapped[int] = mapped_column(default=0)
    vacancy_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by = relationship("User")
    organisation = relationship("Organisation")
    region = relationship("Region")

    def __repr__(self) -> str:
        return f"<CompanyVisit {self.id} in region {self.region_id}>"

"""Labour-market regions and the organisations that take part."""

from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.extensions import db


class OrganisationKind(StrEnum):
    LECTORATE = "lectorate"
    UNIVERSITY = "university"
    VOCATIONAL_COLLEGE = "vocational_college"
    SME = "sme"
    COMPANY = "company"
    SECTOR_FUND = "sector_fund"
    EMPLOYER_ASSOCIATION = "employer_association"
    UNION = "union"
    MUNICIPALITY = "municipality"
    REGIONAL_BODY = "regional_body"
    KNOWLEDGE_INSTITUTE = "knowledge_institute"


class Region(db.Model):
    """A labour-market region (arbeidsmarktregio)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"


class Organisation(db.Model):
    """A lectorate, school, company, fund, association or public body in a region."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    website: Mapped[str | None] = mapped_column(String(300))

    region: Mapped[Region] = relationship()
    parent: Mapped["Organisation | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"

"""The catalogue of skills that log entries and, later, skill claims refer to."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

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

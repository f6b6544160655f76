"""Questionnaires of tools, administered in a sprint at named moments."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hcimv_lc.database import UTCDateTime, utcnow
from hcimv_lc.extensions import db
from hcimv_lc.sprints.models import Sprint
from hcimv_lc.toolbox.models import Tool

SCALE = range(1, 6)
ANONYMITY_THRESHOLD = 5


class Moment(StrEnum):
    START = "start"
    MIDDLE = "middle"
    END = "end"


class Instrument(db.Model):
    """The questionnaire of a tool: items on a five-point scale, in dimensions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(
        ForeignKey("tool.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(160))
    is_anonymous: Mapped[bool] = mapped_column(default=False)

    tool: Mapped[Tool] = relationship()
    dimensions: Mapped[list["Dimension"]] = relationship(
        back_populates="instrument",
        order_by="Dimension.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Instrument {self.id} of tool {self.tool_id}>"


class Dimension(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instrument.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(160))

    instrument: Mapped[Instrument] = relationship(back_populates="dimensions")
    items: Mapped[list["Item"]] = relationship(
        back_populates="dimension",
        order_by="Item.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Dimension {self.name!r}>"


class Item(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("dimension.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(300))

    dimension: Mapped[Dimension] = relationship(back_populates="items")

    def __repr__(self) -> str:
        return f"<Item {self.id}>"


class Administration(db.Model):
    """One moment (start, middle, end) at which a sprint answers an instrument."""

    __table_args__ = (UniqueConstraint("sprint_id", "instrument_id", "moment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(
        ForeignKey("sprint.id", ondelete="CASCADE"), index=True
    )
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instrument.id", ondelete="CASCADE")
    )
    moment: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sprint: Mapped[Sprint] = relationship()
    instrument: Mapped[Instrument] = relationship()

    def __repr__(self) -> str:
        return f"<Administration {self.moment} of sprint {self.sprint_id}>"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Response(db.Model):
    """One person's answers at one moment; changeable until the moment closes."""

    __table_args__ = (UniqueConstraint("administration_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="CASCADE")
    )
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE")
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answers: Mapped[list["Answer"]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Response {self.id}>"


class Answer(db.Model):
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[int]

    def __repr__(self) -> str:
        return f"<Answer {self.item_id}={self.value}>"

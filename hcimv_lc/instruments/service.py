"""Questionnaires: defining them, answering at a moment, and their results."""

import logging
import math
from dataclasses import dataclass
from statistics import mean, stdev

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hcimv_lc.accounts.models import User
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.instruments.models import (
    ANONYMITY_THRESHOLD,
    SCALE,
    Administration,
    Answer,
    Dimension,
    Instrument,
    Item,
    Response,
)
from hcimv_lc.sprints.models import Sprint
from hcimv_lc.toolbox.models import Tool
from hcimv_lc.toolbox.search import search

logger = logging.getLogger(__name__)


class InstrumentError(RuleError):
    """A rule of questionnaires was broken."""


def instrument_of(tool: Tool) -> Instrument | None:
    query = select(Instrument).where(Instrument.tool_id == tool.id)
    options = selectinload(Instrument.dimensions).selectinload(Dimension.items)
    return db.session.scalar(query.options(options))


def parse_items(text: str) -> list[tuple[str, list[str]]]:
    """Read lines "Dimension | statement" into dimensions with their items, in order."""
    dimensions: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, separator, item = line.partition("|")
        if not separator or not name.strip() or not item.strip():
            raise InstrumentError(
                _('Regel %(n)d: schrijf "dimensie | vraag".', n=number), field="items"
            )
        dimensions.setdefault(name.strip()[:160], []).append(item.strip()[:300])
    if not dimensions:
        raise InstrumentError(_("Geef minstens één vraag."), field="items")
    return list(dimensions.items())


def items_as_text(instrument: Instrument | None) -> str:
    if instrument is None:
        return ""
    return "\n".join(
        f"{dimension.name} | {item.text}"
        for dimension in instrument.dimensions
        for item in dimension.items
    )


def define(tool: Tool, title: str, anonymous: bool, text: str) -> Instrument:
    """Give a tool its questionnaire, or replace it while nobody has answered."""
    dimensions = parse_items(text)
    instrument = instrument_of(tool)
    if instrument is None:
        instrument = Instrument(tool_id=tool.id)
        db.session.add(instrument)
    elif db.session.scalar(
        select(Administration.id).where(Administration.instrument_id == instrument.id)
    ):
        raise InstrumentError(
            _(
                "Deze vragenlijst is al afgenomen; "
                "maak een nieuwe versie van het instrument."
            ),
            field="items",
        )
    instrument.title = title
    instrument.is_anonymous = anonymous
    instrument.dimensions = [
        Dimension(
            position=position,
            name=name,
            items=[Item(position=index, text=item) for index, item in enumerate(items)],
        )
        for position, (name, items) in enumerate(dimensions)
    ]
    db.session.flush()
    logger.info("Instrument of tool %r defined", tool.slug)
    return instrument


def instruments_available() -> list[Instrument]:
    query = (
        select(Instrument)
        .join(Tool)
        .where(Tool.status == "published")
        .order_by(Instrument.title)
    )
    return list(db.session.scalars(query))


def administrations_of(sprint: Sprint) -> list[Administration]:
    query = (
        select(Administration)
        .where(Administration.sprint_id == sprint.id)
        .options(selectinload(Administration.instrument))
        .order_by(Administration.opened_at)
    )
    return list(db.session.scalars(query))


def administration_by_id(administration_id: int) -> Administration | None:
    query = select(Administration).where(Administration.id == administration_id)
    questions = (
        selectinload(Administration.instrument)
        .selectinload(Instrument.dimensions)
        .selectinload(Dimension.items)
    )
    return db.session.scalar(query.options(questions))


def open_moment(sprint: Sprint, instrument: Instrument, moment: str) -> Administration:
    """Start a moment at which the sprint answers the instrument."""
    exists = db.session.scalar(
        select(Administration.id).where(
            Administration.sprint_id == sprint.id,
            Administration.instrument_id == instrument.id,
            Administration.moment == moment,
        )
    )
    if exists:
        raise InstrumentError(_("Dit moment is al gestart."), field="moment")
    administration = Administration(
        sprint_id=sprint.id, instrument_id=instrument.id, moment=moment
    )
    db.session.add(administration)
    db.session.flush()
    logger.info(
        "Instrument %s opened at %s in sprint %s", instrument.id, moment, sprint.id
    )
    return administration


def close_moment(administration: Administration) -> None:
    administration.closed_at = utcnow()
    logger.info("Administration %s closed", administration.id)


def response_of(administration: Administration, user: User) -> Response | None:
    return db.session.scalar(
        select(Response)
        .where(
            Response.administration_id == administration.id,
            Response.respondent_id == user.id,
        )
        .options(selectinload(Response.answers))
    )


def answer(
    administration: Administration, user: User, values: dict[int, int]
) -> Response:
    """Store the person's answers; they may change them until the moment closes."""
    if not administration.is_open:
        raise InstrumentError(_("Dit moment is gesloten."), field="submit")
    response = response_of(administration, user)
    if response is None:
        response = Response(administration_id=administration.id, respondent_id=user.id)
        db.session.add(response)
    response.answers = [
        Answer(item_id=item_id, value=value)
        for item_id, value in values.items()
        if value in SCALE
    ]
    response.submitted_at = utcnow()
    db.session.flush()
    logger.info(
        "Response %s to administration %s saved", response.id, administration.id
    )
    return response


def scores(administration: Administration) -> dict[int, dict[int, int]]:
    """Return each respondent's answers: {respondent: {item: value}}."""
    rows = db.session.execute(
        select(Response.respondent_id, Answer.item_id, Answer.value)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.administration_id == administration.id)
    )
    found: dict[int, dict[int, int]] = {}
    for respondent, item_id, value in rows:
        found.setdefault(respondent, {})[item_id] = value
    return found


def dimension_score(answers: dict[int, int], dimension: Dimension) -> float | None:
    values = [answers[item.id] for item in dimension.items if item.id in answers]
    return mean(values) if values else None


@dataclass
class DimensionResult:
    dimension: Dimension
    mean: float | None
    item_means: list[tuple[Item, float | None]]


@dataclass
class Results:
    respondents: int
    hidden: bool
    dimensions: list[DimensionResult]


def results(administration: Administration) -> Results:
    """Return the means per item and dimension.

    An anonymous instrument shows nothing while its moment is open (comparing the page
    before and after one more answer would reveal that answer) or below five people.
    """
    instrument = administration.instrument
    answers = scores(administration)
    hidden = instrument.is_anonymous and (
        administration.is_open or len(answers) < ANONYMITY_THRESHOLD
    )
    if hidden:
        return Results(len(answers), True, [])

    dimensions = []
    for dimension in instrument.dimensions:
        item_means = []
        for item in dimension.items:
            values = [
                person[item.id] for person in answers.values() if item.id in person
            ]
            item_means.append((item, round(mean(values), 2) if values else None))
        per_person = [dimension_score(person, dimension) for person in answers.values()]
        present = [score for score in per_person if score is not None]
        dimensions.append(
            DimensionResult(
                dimension, round(mean(present), 2) if present else None, item_means
            )
        )
    return Results(len(answers), False, dimensions)


def cohens_d_paired(before: list[float], after: list[float]) -> float | None:
    """Return Cohen's d for paired samples: the mean difference over its sd."""
    differences = [late - early for early, late in zip(before, after, strict=True)]
    if len(differences) < 2:
        return None
    spread = stdev(differences)
    if spread == 0:
        return None
    return mean(differences) / spread


@dataclass
class Effect:
    dimension: Dimension
    n: int
    start: float | None
    end: float | None
    difference: float | None
    d: float | None


def effect(start: Administration, end: Administration) -> tuple[list[Effect], bool]:
    """Return start against end per dimension for people who answered both."""
    before, after = scores(start), scores(end)
    pairs = sorted(set(before) & set(after))
    instrument = start.instrument
    if instrument.is_anonymous and (
        len(pairs) < ANONYMITY_THRESHOLD
        or set(before) != set(after)
        or start.is_open
        or end.is_open
    ):
        # Means of a subgroup next to the means of everyone would give one person away.
        return [], True

    effects = []
    for dimension in instrument.dimensions:
        early, late = [], []
        for person in pairs:
            first = dimension_score(before[person], dimension)
            last = dimension_score(after[person], dimension)
            if first is not None and last is not None:
                early.append(first)
                late.append(last)
        if not early:
            effects.append(Effect(dimension, 0, None, None, None, None))
            continue
        d = cohens_d_paired(early, late)
        effects.append(
            Effect(
                dimension,
                len(early),
                round(mean(early), 2),
                round(mean(late), 2),
                round(mean(late) - mean(early), 2),
                None if d is None else round(d, 2),
            )
        )
    return effects, False


def weak_dimensions(result: Results, limit: int = 2) -> list:
    """Return the weakest dimensions (below 3) and published tools that address them."""
    scored = [
        item for item in result.dimensions if item.mean is not None and item.mean < 3
    ]
    scored.sort(key=lambda item: item.mean)
    found = []
    for item in scored[:limit]:
        hits, _total = search(item.dimension.name, True, {"only": "tool"}, 3, 0)
        slugs = dict(
            db.session.execute(
                select(Tool.id, Tool.slug).where(
                    Tool.id.in_([hit.ref_id for hit in hits])
                )
            ).all()
        )
        found.append((item.dimension, [(hit.title, slugs[hit.ref_id]) for hit in hits]))
    return found


def radar_points(values: list[float | None], radius: float = 100.0) -> str:
    """Return SVG polygon points for values on a 1-5 scale around the centre."""
    count = len(values)
    points = []
    for index, value in enumerate(values):
        angle = 2 * math.pi * index / count - math.pi / 2
        length = radius * (value or 0) / 5
        points.append(f"{length * math.cos(angle):.1f},{length * math.sin(angle):.1f}")
    return " ".join(points)


def radar_axes(count: int, radius: float = 100.0) -> list[tuple[float, float]]:
    return [
        (
            round(radius * math.cos(2 * math.pi * index / count - math.pi / 2), 1),
            round(radius * math.sin(2 * math.pi * index / count - math.pi / 2), 1),
        )
        for index in range(count)
    ]

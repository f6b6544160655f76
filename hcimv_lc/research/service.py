"""Consent for research per community, and pseudonymised exports of its data.

An export holds only people who consented in the community at the moment of the
export, each under a pseudonym that a key chosen by the researcher determines: the
same key gives the same pseudonyms, so exports can be joined, and the platform never
keeps the key. Private log entries never leave the platform.
"""

import csv
import hashlib
import hmac
import io
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community, Membership
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.instruments.models import (
    ANONYMITY_THRESHOLD,
    SCALE,
    Administration,
    Answer,
    Dimension,
    Instrument,
    Item,
    Moment,
    Response,
)
from hcimv_lc.logbook.models import Kind, LogEntry, Subtype, Visibility, log_entry_skill
from hcimv_lc.organisations.models import Region
from hcimv_lc.research.models import ConsentEvent, ExportLog, ResearchConsent
from hcimv_lc.skills.models import Skill
from hcimv_lc.sprints.models import MAX_WEEKS, Sprint
from hcimv_lc.toolbox.models import Application, CompanySize, Tool

logger = logging.getLogger(__name__)

MIN_KEY_LENGTH = 12
RECENT_EXPORTS = 20
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SKILL_SEPARATOR = ";"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Short words of Dutch and other surnames that are words of every sentence too.
NAME_PARTICLES = {"van", "von", "der", "den", "het", "ter", "ten", "del", "dos"}


class Dataset(StrEnum):
    ENTRIES = "entries"
    ANSWERS = "answers"
    APPLICATIONS = "applications"
    ALL = "all"


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


# Consent


@dataclass
class ConsentChoice:
    """A community of the person with their current choice and its history."""

    community: Community
    consent: ResearchConsent | None
    history: list[ConsentEvent] = field(default_factory=list)

    @property
    def given(self) -> bool:
        return bool(self.consent and self.consent.given)

    @property
    def include_reflections(self) -> bool:
        return bool(self.consent and self.consent.include_reflections)


def consent_choices(user: User) -> list[ConsentChoice]:
    """Return the person's communities, each with the current choice and history.

    A community the person left stays listed while a choice for it exists, so that
    consent can still be withdrawn there.
    """
    member_of = select(Membership.community_id).where(Membership.user_id == user.id)
    rows = db.session.execute(
        select(Community, ResearchConsent)
        .outerjoin(
            ResearchConsent,
            and_(
                ResearchConsent.community_id == Community.id,
                ResearchConsent.user_id == user.id,
            ),
        )
        .where(or_(Community.id.in_(member_of), ResearchConsent.id.is_not(None)))
        .order_by(Community.name, Community.id)
    )
    choices = {
        community.id: ConsentChoice(community, consent) for community, consent in rows
    }

    events = db.session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.user_id == user.id)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
    )
    for event in events:
        if event.community_id in choices:
            choices[event.community_id].history.append(event)

    return list(choices.values())


def set_consent(
    user: User, community: Community, given: bool, include_reflections: bool
) -> bool:
    """Record the person's choice for research in the community; say if it changed."""
    # One person's choices are made one after the other, so two tabs cannot both
    # create the first choice of a community.
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    consent = db.session.scalar(
        select(ResearchConsent).where(
            ResearchConsent.user_id == user.id,
            ResearchConsent.community_id == community.id,
        )
    )
    include_reflections = given and include_reflections
    current = (consent.given, consent.include_reflections) if consent else (False,) * 2
    if current == (given, include_reflections):
        return False

    now = utcnow()
    if consent is None:
        consent = ResearchConsent(user_id=user.id, community_id=community.id)
        db.session.add(consent)
    consent.given = given
    consent.include_reflections = include_reflections
    consent.changed_at = now
    db.session.add(
        ConsentEvent(
            user_id=user.id,
            community_id=community.id,
            given=given,
            include_reflections=include_reflections,
            at=now,
        )
    )
    db.session.flush()
    logger.info(
        "Research consent of user %s in community %s set to %s, reflections %s",
        user.id,
        community.id,
        given,
        include_reflections,
    )
    return True


# Pseudonyms and safe text


def keyed_digest(message: str) -> str:
    """Return the hex HMAC-SHA256 of the message under the app's secret key."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def pseudonym(key: str, user_id: int) -> str:
    """Return the person's pseudonym under the key: the same key, the same name.

    The app's secret is part of the hash: ids are small numbers, so with the
    researcher's key alone anyone could hash every id and undo the pseudonyms.
    """
    return "p_" + keyed_digest(f"research-key:{key}\x00user:{user_id}")[:16]


def key_fingerprint(key: str) -> str:
    """Return 16 hex characters that tell exports with the same key apart."""
    # Keyed with the app's secret: whoever reads the export log cannot test guesses
    # of a researcher's key against it.
    return keyed_digest(f"research-key:{key}")[:16]


def safe_text(value: str) -> str:
    """Return text that a spreadsheet shows as text and never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class Redactor:
    """Replace e-mail addresses and the names of known people in free text."""

    def __init__(self, people: Iterable[tuple[str, str]]):
        words = set()
        for name, email in people:
            words.add(email.lower())
            words.add(" ".join(name.split()).lower())
            # Each part too: in a small community a first name alone says who it
            # is. Now and then an ordinary word that equals a name goes as well.
            words.update(part.strip(".,'\"()-").lower() for part in name.split())
        words = {
            word for word in words if len(word) >= 3 and word not in NAME_PARTICLES
        }
        alternatives = "|".join(
            re.escape(word) for word in sorted(words, key=len, reverse=True)
        )
        self.names = (
            re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
            if alternatives
            else None
        )

    def __call__(self, text: str) -> str:
        text = EMAIL.sub("[e-mail]", text)
        return self.names.sub("[naam]", text) if self.names else text


def people_of(community: Community) -> list[tuple[str, str]]:
    """Return name and e-mail of everyone whose name may appear in its texts."""
    members = select(Membership.user_id).where(Membership.community_id == community.id)
    consenting = select(ResearchConsent.user_id).where(
        ResearchConsent.community_id == community.id
    )
    rows = db.session.execute(
        select(User.name, User.email).where(
            or_(User.id.in_(members), User.id.in_(consenting))
        )
    )
    return [(name, email) for name, email in rows]


# The tables of an export and their codebook


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    allowed: str = ""


@dataclass
class Table:
    """One file of an export: a CSV file or a sheet, with rows of plain values.

    Values are None, whole numbers or text; dates and truth values are text already.
    """

    name: str
    description: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


def choices_of(values: Iterable[str]) -> str:
    return ", ".join(values)


PSEUDONYM = _l(
    "Pseudoniem: p_ en de eerste 16 hexadecimale tekens van HMAC-SHA256 met de "
    "sleutel van de export over het account. Dezelfde sleutel geeft in elke export "
    "hetzelfde pseudoniem; een andere sleutel een ander."
)
PSEUDONYM_FORM = "p_ + 16 × 0-9a-f"
REDACTED = _l(
    "Vrije tekst: e-mailadressen zijn vervangen door [e-mail], namen van leden van "
    "de leergemeenschap door [naam]. Andere namen kunnen blijven staan."
)
TRUTH = choices_of(["true", "false"])
ISO_DATE = "JJJJ-MM-DD (ISO 8601)"

ENTRY_COLUMNS = [
    Column("pseudonym", "pseudonym", PSEUDONYM, PSEUDONYM_FORM),
    Column("date", "date", _l("Dag van de leeractiviteit."), ISO_DATE),
    Column("sprint_id", "integer", _l("Nummer van de sprint; leeg zonder sprint.")),
    Column(
        "sprint_week",
        "integer",
        _l("Week van de sprint waarin de dag valt, 1 is de eerste week; leeg buiten."),
        f"1-{MAX_WEEKS}",
    ),
    Column("minutes", "integer", _l("Duur in minuten."), "1-1440"),
    Column(
        "kind",
        "string",
        _l("Soort leren: formeel, niet-formeel of informeel."),
        choices_of(Kind),
    ),
    Column("subtype", "string", _l("Vorm van de activiteit."), choices_of(Subtype)),
    Column(
        "visibility",
        "string",
        _l(
            "Wie het op het platform ziet: de facilitatoren of de hele "
            "leergemeenschap. Privé-activiteiten staan nooit in een export."
        ),
        choices_of([Visibility.FACILITATORS, Visibility.COMMUNITY]),
    ),
    Column(
        "challenge_id", "integer", _l("Nummer van de uitdaging; leeg zonder uitdaging.")
    ),
    Column(
        "skills",
        "string",
        _l("Vaardigheden bij de activiteit, als slugs, gescheiden door een puntkomma."),
    ),
    Column(
        "what",
        "string",
        _l(
            "Wat de deelnemer deed, in eigen woorden. Alleen gevuld als de "
            "deelnemer ook toestemming gaf voor reflecties, omdat het vrije tekst "
            "is; anders leeg."
        ),
    ),
    Column(
        "reflection",
        "string",
        _l(
            "De reflectie (Markdown). Alleen gevuld als de deelnemer ook "
            "toestemming gaf voor reflecties; anders leeg."
        ),
    ),
]

ANSWER_COLUMNS = [
    Column(
        "pseudonym",
        "pseudonym",
        _l(
            "Pseudoniem van wie antwoordde, zoals in log_entries. Leeg bij een "
            "anonieme vragenlijst."
        ),
        PSEUDONYM_FORM,
    ),
    Column("sprint_id", "integer", _l("Nummer van de sprint van de meting.")),
    Column("administration_id", "integer", _l("Nummer van het meetmoment.")),
    Column("instrument_id", "integer", _l("Nummer van de vragenlijst.")),
    Column("instrument", "string", _l("Titel van de vragenlijst.")),
    Column("moment", "string", _l("Moment in de sprint."), choices_of(Moment)),
    Column(
        "closed_on",
        "date",
        _l("Dag waarop het meetmoment werd gesloten (UTC)."),
        ISO_DATE,
    ),
    Column("dimension", "string", _l("Dimensie waar de vraag bij hoort.")),
    Column("item_id", "integer", _l("Nummer van de vraag.")),
    Column("item", "string", _l("Tekst van de vraag.")),
    Column(
        "value",
        "integer",
        _l("Antwoord: 1 is helemaal oneens, 5 helemaal eens."),
        f"{SCALE.start}-{SCALE.stop - 1}",
    ),
]

APPLICATION_COLUMNS = [
    Column("application_id", "integer", _l("Nummer van de toepassing.")),
    Column("tool", "string", _l("De toegepaste tool, als slug uit de toolbox.")),
    Column("sprint_id", "integer", _l("Nummer van de sprint.")),
    Column("applied_on", "date", _l("Dag van de toepassing."), ISO_DATE),
    Column("region", "string", _l("Arbeidsmarktregio, als slug.")),
    Column("sector", "string", _l("Sector van de bedrijven.")),
    Column(
        "company_size",
        "string",
        _l(
            "Grootte van de bedrijven in medewerkers: micro minder dan 10, small "
            "10 tot 50, medium 50 tot 250, large 250 of meer."
        ),
        choices_of(CompanySize),
    ),
    Column("adaptation", "string", _l("Hoe de tool werd aangepast.")),
    Column("context", "string", _l("Context: achtergrond van de deelnemers.")),
    Column(
        "mechanism", "string", _l("Mechanisme: wat mensen aanzette tot ander gedrag.")
    ),
    Column("outcome", "string", _l("Uitkomst: wat er veranderde en hoe men dat weet.")),
    Column("rating", "integer", _l("Beoordeling."), "1-5"),
    Column(
        "would_use_again", "boolean", _l("Zou men de tool opnieuw gebruiken?"), TRUTH
    ),
    Column(
        "administration_id",
        "integer",
        _l("Meetmoment dat de uitkomst laat zien; leeg zonder meting."),
    ),
    Column(
        "recorded_by",
        "pseudonym",
        _l(
            "Pseudoniem van wie de toepassing vastlegde, alleen als die persoon "
            "toestemming gaf; anders leeg."
        ),
        PSEUDONYM_FORM,
    ),
]

CODEBOOK_COLUMNS = [
    Column("file", "string", _l("Naam van het bestand (zonder .csv) of tabblad.")),
    Column(
        "column",
        "string",
        _l("Naam van de kolom; leeg in de regel die het bestand zelf beschrijft."),
    ),
    Column(
        "type",
        "string",
        _l("Soort waarde; file voor de regel die het bestand beschrijft."),
        choices_of(["file", "pseudonym", "integer", "string", "date", "boolean"]),
    ),
    Column("description", "string", _l("Wat de kolom of het bestand bevat.")),
    Column("allowed_values", "string", _l("Toegestane waarden; leeg als alles mag.")),
]

ENTRIES_ABOUT = _l(
    "Leeractiviteiten uit het logboek van deelnemers die op het moment van de export "
    "toestemming gaven voor onderzoek in deze leergemeenschap. Activiteiten die de "
    "deelnemer privé hield, staan er nooit in. De periode geldt voor de dag van de "
    "activiteit."
)
ANSWERS_ABOUT = _l(
    "Antwoorden op vragenlijsten van mensen met toestemming, alleen van gesloten "
    "meetmomenten: zolang een moment open is, kan een antwoord nog veranderen. Van "
    "een anonieme vragenlijst staan antwoorden er alleen in als minstens vijf mensen "
    "antwoordden en ze allemaal toestemming gaven, zonder pseudoniem en gesorteerd "
    "op vraag en antwoord, zodat geen antwoord tot een persoon te herleiden is. De "
    "periode geldt voor de dag van sluiten."
)
APPLICATIONS_ABOUT = _l(
    "Toepassingen van tools in sprints van deze leergemeenschap, met hun "
    "realistische evaluatie (context, mechanisme, uitkomst). De periode geldt voor de "
    "dag van toepassing."
)
CODEBOOK_ABOUT = _l(
    "Beschrijving van elke kolom van elk bestand in deze export. CSV-bestanden zijn "
    "UTF-8 met BOM, met een komma tussen de waarden en dubbele aanhalingstekens om "
    "waarden met een komma of regeleinde. Tekst die begint met =, +, -, @, een tab of "
    "een regeleinde krijgt een ' ervoor, zodat een rekenblad er geen formule van "
    "maakt. Een lege waarde betekent: onbekend of niet van toepassing."
)


@dataclass
class Period:
    start: date | None = None
    end: date | None = None


def as_text(value: date | bool | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat()


class Pseudonyms:
    """The pseudonyms of one export, each computed once."""

    def __init__(self, key: str):
        self.key = key
        self.known: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.known:
            self.known[user_id] = pseudonym(self.key, user_id)
        return self.known[user_id]


def consent_of(person_column, community_column):
    """Join condition: the person consents to research in the row's community."""
    return and_(
        ResearchConsent.user_id == person_column,
        ResearchConsent.community_id == community_column,
        ResearchConsent.given.is_(True),
    )


def entry_table(
    community: Community, period: Period, names: Pseudonyms, redact: Redactor
) -> Table:
    """Return the shared log entries of consenting people of the community."""
    conditions = [
        LogEntry.community_id == community.id,
        LogEntry.visibility != Visibility.PRIVATE,
    ]
    if period.start:
        conditions.append(LogEntry.date >= period.start)
    if period.end:
        conditions.append(LogEntry.date <= period.end)
    consenting = consent_of(LogEntry.author_id, LogEntry.community_id)

    sprints = {
        sprint.id: sprint
        for sprint in db.session.scalars(
            select(Sprint).where(Sprint.community_id == community.id)
        )
    }
    chosen = select(LogEntry.id).join(ResearchConsent, consenting).where(*conditions)
    skills = defaultdict(list)
    for entry_id, slug in db.session.execute(
        select(log_entry_skill.c.entry_id, Skill.slug)
        .join(Skill, Skill.id == log_entry_skill.c.skill_id)
        .where(log_entry_skill.c.entry_id.in_(chosen))
        .order_by(Skill.slug)
    ):
        skills[entry_id].append(slug)
    rows = db.session.execute(
        select(
            LogEntry.id,
            LogEntry.author_id,
            LogEntry.date,
            LogEntry.sprint_id,
            LogEntry.minutes,
            LogEntry.kind,
            LogEntry.subtype,
            LogEntry.visibility,
            LogEntry.challenge_id,
            LogEntry.what,
            LogEntry.reflection,
            ResearchConsent.include_reflections,
        )
        .join(ResearchConsent, consenting)
        .where(*conditions)
        .order_by(LogEntry.date, LogEntry.id)
    )

    about = f"{ENTRIES_ABOUT} {REDACTED}"
    table = Table("log_entries", about, ENTRY_COLUMNS)
    for row in rows:
        sprint = sprints.get(row.sprint_id)
        table.rows.append(
            [
                names(row.author_id),
                as_text(row.date),
                row.sprint_id,
                sprint.week_of(row.date) if sprint else None,
                row.minutes,
                row.kind,
                row.subtype,
                row.visibility,
                row.challenge_id,
                SKILL_SEPARATOR.join(skills[row.id]),
                redact(row.what) if row.include_reflections else "",
                redact(row.reflection or "") if row.include_reflections else "",
            ]
        )
    return table


def answer_table(community: Community, period: Period, names: Pseudonyms) -> Table:
    """Return answers of consenting people at the community's closed moments."""
    conditions = [
        Sprint.community_id == community.id,
        Administration.closed_at.is_not(None),
    ]
    if period.start:
        conditions.append(Administration.closed_at >= start_of_day(period.start))
    if period.end:
        conditions.append(
            Administration.closed_at < start_of_day(period.end + timedelta(days=1))
        )
    rows = db.session.execute(
        select(
            Response.respondent_id,
            Administration.id.label("administration_id"),
            Administration.sprint_id,
            Administration.moment,
            Administration.closed_at,
            Instrument.id.label("instrument_id"),
            Instrument.title,
            Instrument.is_anonymous,
            Dimension.name.label("dimension"),
            Dimension.position.label("dimension_position"),
            Item.id.label("item_id"),
            Item.position.label("item_position"),
            Item.text,
            Answer.value,
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Administration, Administration.id == Response.administration_id)
        .join(Sprint, Sprint.id == Administration.sprint_id)
        .join(Instrument, Instrument.id == Administration.instrument_id)
        .join(Item, Item.id == Answer.item_id)
        .join(Dimension, Dimension.id == Item.dimension_id)
        .join(ResearchConsent, consent_of(Response.respondent_id, Sprint.community_id))
        .where(*conditions)
        .order_by(
            Administration.id,
            Response.respondent_id,
            Dimension.position,
            Item.position,
        )
    ).all()

    respondents = defaultdict(set)
    for row in rows:
        respondents[row.administration_id].add(row.respondent_id)
    # An anonymous moment is exported only when everyone who answered consents:
    # otherwise two exports around one person's change of mind differ by exactly
    # that person's answers.
    everyone = dict(
        db.session.execute(
            select(Response.administration_id, func.count(Response.id))
            .where(Response.administration_id.in_(respondents))
            .group_by(Response.administration_id)
        ).all()
    )
    kept = []
    for row in rows:
        answered = len(respondents[row.administration_id])
        if not row.is_anonymous:
            kept.append((row, names(row.respondent_id)))
        elif answered >= ANONYMITY_THRESHOLD and answered == everyone.get(
            row.administration_id
        ):
            kept.append((row, None))
    kept.sort(key=answer_order)

    table = Table("instrument_answers", str(ANSWERS_ABOUT), ANSWER_COLUMNS)
    for row, name in kept:
        table.rows.append(
            [
                name,
                row.sprint_id,
                row.administration_id,
                row.instrument_id,
                row.title,
                row.moment,
                as_text(row.closed_at.astimezone(UTC).date()),
                row.dimension,
                row.item_id,
                row.text,
                row.value,
            ]
        )
    return table


def answer_order(pair) -> tuple:
    row, name = pair
    # Without a pseudonym, one person's answers must not stand together: such rows
    # go by item and value.
    return (
        row.administration_id,
        name or "",
        row.dimension_position,
        row.item_position,
        0 if name else row.value,
    )


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def application_table(
    community: Community, period: Period, names: Pseudonyms, redact: Redactor
) -> Table:
    """Return the applications of tools in the community's sprints."""
    conditions = [Sprint.community_id == community.id]
    if period.start:
        conditions.append(Application.applied_on >= period.start)
    if period.end:
        conditions.append(Application.applied_on <= period.end)
    rows = db.session.execute(
        select(
            Application.id,
            Tool.slug.label("tool"),
            Application.sprint_id,
            Application.applied_on,
            Region.slug.label("region"),
            Application.sector,
            Application.company_size,
            Application.adaptation,
            Application.background,
            Application.mechanism,
            Application.outcome,
            Application.rating,
            Application.would_use_again,
            Application.administration_id,
            ResearchConsent.user_id.label("consenting_recorder"),
        )
        .join(Sprint, Sprint.id == Application.sprint_id)
        .join(Tool, Tool.id == Application.tool_id)
        .join(Region, Region.id == Application.region_id)
        .outerjoin(
            ResearchConsent,
            consent_of(Application.recorded_by_id, Sprint.community_id),
        )
        .where(*conditions)
        .order_by(Application.applied_on, Application.id)
    )

    about = f"{APPLICATIONS_ABOUT} {REDACTED}"
    table = Table("applications", about, APPLICATION_COLUMNS)
    for row in rows:
        table.rows.append(
            [
                row.id,
                row.tool,
                row.sprint_id,
                as_text(row.applied_on),
                row.region,
                redact(row.sector or ""),
                row.company_size,
                redact(row.adaptation or ""),
                redact(row.background or ""),
                redact(row.mechanism or ""),
                redact(row.outcome or ""),
                row.rating,
                as_text(row.would_use_again),
                row.administration_id,
                names(row.consenting_recorder),
            ]
        )
    return table


def codebook_table(tables: list[Table]) -> Table:
    """Return the description of every column of every table, itself included."""
    codebook = Table("codebook", str(CODEBOOK_ABOUT), CODEBOOK_COLUMNS)
    for table in [*tables, codebook]:
        codebook.rows.append([table.name, "", "file", table.description, ""])
        for column in table.columns:
            codebook.rows.append(
                [
                    table.name,
                    column.name,
                    column.type,
                    str(column.description),
                    column.allowed,
                ]
            )
    return codebook


def export_tables(
    community: Community, dataset: str, key: str, period: Period
) -> list[Table]:
    """Return the tables of the dataset, pseudonymised under the key, and codebook."""
    names = Pseudonyms(key)
    redact = Redactor(people_of(community))
    tables = []
    if dataset in (Dataset.ENTRIES, Dataset.ALL):
        tables.append(entry_table(community, period, names, redact))
    if dataset in (Dataset.ANSWERS, Dataset.ALL):
        tables.append(answer_table(community, period, names))
    if dataset in (Dataset.APPLICATIONS, Dataset.ALL):
        tables.append(application_table(community, period, names, redact))
    return [*tables, codebook_table(tables)]


# Files


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return safe_text(value)


def zip_of_csv(tables: list[Table]) -> bytes:
    """Return a ZIP with one CSV file per table: UTF-8 with BOM, comma separated."""
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([column.name for column in table.columns])
            writer.writerows([csv_cell(value) for value in row] for row in table.rows)
            # The BOM makes Excel read the file as UTF-8 instead of guessing.
            archive.writestr(f"{table.name}.csv", text.getvalue().encode("utf-8-sig"))
    return archive_bytes.getvalue()


def xlsx_cell(sheet, value):
    if value is None or isinstance(value, int):
        return value
    # openpyxl refuses control characters; the ones a cell can hold stay.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", safe_text(value)))
    cell.data_type = "s"
    return cell


def workbook_of(tables: list[Table]) -> bytes:
    """Return an XLSX workbook with a sheet per table, every text a string cell."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.append([xlsx_cell(sheet, column.name) for column in table.columns])
        for row in table.rows:
            sheet.append([xlsx_cell(sheet, value) for value in row])
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


@dataclass
class ExportFile:
    filename: str
    mimetype: str
    content: bytes
    rows: int


MIMETYPES = {
    FileFormat.CSV: "application/zip",
    FileFormat.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}


def export(
    community: Community,
    user: User,
    dataset: str,
    file_format: str,
    key: str,
    period: Period | None = None,
) -> ExportFile:
    """Build the pseudonymised export of the community and log who took it."""
    tables = export_tables(community, dataset, key, period or Period())
    rows = sum(len(table.rows) for table in tables if table.name != "codebook")
    if file_format == FileFormat.XLSX:
        content, extension = workbook_of(tables), "xlsx"
    else:
        content, extension = zip_of_csv(tables), "zip"

    log = ExportLog(
        user_id=user.id,
        community_id=community.id,
        dataset=dataset,
        file_format=file_format,
        rows=rows,
        key_fingerprint=key_fingerprint(key),
    )
    db.session.add(log)
    db.session.flush()
    logger.info(
        "Research export %s of community %s by %s", log.id, community.id, user.id
    )
    filename = f"onderzoek-{community.slug}-{dataset}-{date.today():%Y%m%d}"
    return ExportFile(
        f"{filename}.{extension}", MIMETYPES[FileFormat(file_format)], content, rows
    )


def recent_exports(community: Community) -> list[ExportLog]:
    """Return the community's latest exports, newest first, with who took them."""
    query = (
        select(ExportLog)
        .options(joinedload(ExportLog.user))
        .where(ExportLog.community_id == community.id)
        .order_by(ExportLog.created_at.desc(), ExportLog.id.desc())
        .limit(RECENT_EXPORTS)
    )
    return list(db.session.scalars(query))

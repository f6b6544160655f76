"""Link the skill catalogue to ESCO from the skills CSV that ESCO publishes."""

import csv
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from sqlalchemy.orm.attributes import flag_modified

from hcimv_lc.extensions import db
from hcimv_lc.skills.models import Skill
from hcimv_lc.slugs import slugify

logger = logging.getLogger(__name__)

LANGUAGES = ("nl", "en")
SKILL_URI_PREFIX = "http://data.europa.eu/esco/skill/"
REQUIRED_COLUMNS = ("conceptUri", "preferredLabel")
OPTIONAL_COLUMNS = ("altLabels", "status", "description", "definition")
VERSION = re.compile(r"[vV]?(\d{1,4}(?:\.\d{1,4}){1,3})")
USED_STATUSES = ("", "released")
ERRORS_KEPT = 20
NAME_LENGTH = Skill.__table__.c.name_nl.type.length
SLUG_LENGTH = Skill.__table__.c.slug.type.length
URI_LENGTH = Skill.__table__.c.esco_uri.type.length


@dataclass
class ImportReport:
    """What an import did with the rows of a file; rows with problems are skipped."""

    updated: int = 0
    filled: int = 0
    added: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def problem(self, row: int, message: str) -> None:
        """Skip a row and keep the problem, up to ERRORS_KEPT of them."""
        self.skipped += 1
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(f"row {row}: {message}")


@dataclass
class Concept:
    """One usable row of the file: an ESCO skill and its labels in one language."""

    uri: str
    label: str
    alt_labels: list[str]
    description: str


def import_esco(
    lines: Iterable[str] | TextIO,
    *,
    language: str,
    version: str,
    add_new: bool = False,
) -> ImportReport:
    """Update, link and optionally add skills from one language's ESCO skills CSV."""
    if language not in LANGUAGES:
        raise ValueError(f"The language must be nl or en, not {language!r}.")
    match = VERSION.fullmatch(version.strip())
    if match is None:
        raise ValueError(f"The ESCO version must look like 1.2.0, not {version!r}.")

    esco_version = match.group(1)
    report = ImportReport()
    catalogue = Catalogue(f"name_{language}", esco_version)

    def add_or_skip(concept: Concept) -> None:
        if add_new:
            catalogue.add(concept)
            report.added += 1
        else:
            report.skipped += 1

    # An alternative label may be another concept's preferred label further down
    # the file, so those matches wait until every preferred label had its turn.
    waiting: list[Concept] = []

    for concept in read_concepts(lines, report):
        if catalogue.knows(concept.uri):
            catalogue.update(concept)
            report.updated += 1
        elif catalogue.fill(concept, [concept.label]):
            report.filled += 1
        elif catalogue.has_name(concept.alt_labels):
            waiting.append(concept)
        else:
            add_or_skip(concept)

    for concept in waiting:
        if catalogue.fill(concept, concept.alt_labels):
            report.filled += 1
        else:
            add_or_skip(concept)

    catalogue.flush()
    logger.info(
        "ESCO %s skills (%s) imported: %s updated, %s filled, %s added, "
        "%s skipped, %s problems",
        esco_version,
        language,
        report.updated,
        report.filled,
        report.added,
        report.skipped,
        report.error_count,
    )
    return report


class Catalogue:
    """The existing skills, loaded once and looked up by ESCO URI and by name."""

    def __init__(self, name_column: str, version: str) -> None:
        self.name_column = name_column
        self.version = version
        skills = db.session.scalars(db.select(Skill).order_by(Skill.id)).all()
        self.by_uri = {skill.esco_uri: skill for skill in skills if skill.esco_uri}
        self.slugs = {skill.slug for skill in skills}
        self.new_skills: list[dict[str, str]] = []
        # Only skills without a concept are linked by name: one with a concept
        # keeps it, whatever another concept happens to be called.
        self.by_name: dict[str, Skill] = {}
        for skill in skills:
            if not skill.esco_uri:
                self.by_name.setdefault(comparable(getattr(skill, name_column)), skill)

    def knows(self, uri: str) -> bool:
        return uri in self.by_uri

    def update(self, concept: Concept) -> None:
        skill = self.by_uri[concept.uri]
        setattr(skill, self.name_column, concept.label)
        if concept.description:
            skill.description = concept.description
        skill.esco_version = self.version
        self.write_whole(skill)

    def has_name(self, labels: list[str]) -> bool:
        return any(comparable(label) in self.by_name for label in labels)

    def fill(self, concept: Concept, labels: list[str]) -> bool:
        """Link the first unlinked skill named like one of the labels to the concept."""
        for label in labels:
            skill = self.by_name.pop(comparable(label), None)
            if skill is not None:
                skill.esco_uri = concept.uri
                skill.esco_version = self.version
                self.by_uri[concept.uri] = skill
                self.write_whole(skill)
                return True

        return False

    def write_whole(self, skill: Skill) -> None:
        # The flush puts consecutive UPDATEs of the same columns into one statement,
        # so every changed skill writes all the columns an import may change.
        if db.session.is_modified(skill):
            for name in (self.name_column, "description", "esco_uri", "esco_version"):
                flag_modified(skill, name)

    def add(self, concept: Concept) -> None:
        # Both names start as the label; the other language's file replaces its
        # name later, finding the skill by its URI.
        self.new_skills.append(
            {
                "slug": self.new_slug(concept.label),
                "name_nl": concept.label,
                "name_en": concept.label,
                "category": "esco",
                "description": concept.description,
                "esco_uri": concept.uri,
                "esco_version": self.version,
            }
        )

    def new_slug(self, label: str) -> str:
        base = slugify(label, max_length=SLUG_LENGTH)
        slug, number = base, 2
        while slug in self.slugs:
            suffix = f"-{number}"
            slug = base[: SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
            number += 1
        self.slugs.add(slug)
        return slug

    def flush(self) -> None:
        """Write the changed and the new skills in a few statements, however many."""
        db.session.flush()
        # Added as objects, each new skill would be its own INSERT on SQLite, which
        # cannot return the generated ids of a batch in order; nothing needs them.
        if self.new_skills:
            db.session.execute(db.insert(Skill), self.new_skills)


def read_concepts(lines: Iterable[str], report: ImportReport) -> Iterator[Concept]:
    """Yield the released ESCO skills of the file, skipping and reporting bad rows."""
    reader = csv.reader(without_bom(lines))
    header = next(reader, None)
    if header is None:
        raise ValueError("The file is empty; it has no header row.")

    names = [name.strip() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ValueError(f"The file lacks the columns: {', '.join(missing)}.")

    columns = {
        name: names.index(name)
        for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
        if name in names
    }
    seen: set[str] = set()
    row_number = 1
    while True:
        row_number += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report.problem(row_number, f"unreadable ({error})")
            continue

        if not row:
            continue
        if len(row) != len(names):
            report.problem(row_number, f"{len(row)} fields, expected {len(names)}")
            continue
        # PostgreSQL refuses NUL characters in text and would fail the whole flush.
        if any("\x00" in value for value in row):
            report.problem(row_number, "a NUL character in a field")
            continue

        cells = {name: row[index].strip() for name, index in columns.items()}
        uri = cells["conceptUri"]
        status = cells.get("status", "").lower()
        if not uri.startswith(SKILL_URI_PREFIX) or status not in USED_STATUSES:
            report.skipped += 1
            continue
        label = cells["preferredLabel"]
        if not label:
            report.problem(row_number, f"no preferredLabel for {uri}")
            continue
        if len(uri) > URI_LENGTH:
            report.problem(
                row_number, f"conceptUri longer than {URI_LENGTH} characters"
            )
            continue
        if uri in seen:
            report.problem(row_number, f"{uri} appears a second time")
            continue

        seen.add(uri)
        alt_labels = cells.get("altLabels", "").splitlines()
        yield Concept(
            uri=uri,
            label=label[:NAME_LENGTH].strip(),
            alt_labels=[alt for alt in alt_labels if alt.strip()],
            description=cells.get("description") or cells.get("definition", ""),
        )


def without_bom(lines: Iterable[str]) -> Iterator[str]:
    """Yield the lines with a byte order mark removed from the first."""
    # A file opened as utf-8 rather than utf-8-sig keeps the mark, which would
    # otherwise become part of the first column's name.
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        return

    yield first.removeprefix("\ufeff")
    yield from lines


def comparable(name: str) -> str:
    """Return the name as matching sees it: case and spacing ignored."""
    return " ".join(name.split()).casefold()

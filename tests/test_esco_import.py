"""The import of ESCO's skills CSV into the skill catalogue."""

import csv
import io
import uuid

import pytest
from sqlalchemy import event, select

from hcimv_lc.extensions import db
from hcimv_lc.skills.cli import skills
from hcimv_lc.skills.esco import import_esco
from hcimv_lc.skills.models import Skill

SKILL_URI = "http://data.europa.eu/esco/skill/"
OCCUPATION_URI = "http://data.europa.eu/esco/occupation/"
COLUMNS = [
    "conceptType",
    "conceptUri",
    "skillType",
    "reuseLevel",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "status",
    "modifiedDate",
    "scopeNote",
    "definition",
    "inScheme",
    "description",
]


def concept_uri(base: str = SKILL_URI) -> str:
    return f"{base}{uuid.uuid4()}"


def esco_row(uri: str, label: str, **cells: str) -> dict[str, str]:
    """Return a row as ESCO writes it, with the given cells replaced."""
    row = {
        "conceptType": "KnowledgeSkillCompetence",
        "conceptUri": uri,
        "skillType": "skill/competence",
        "reuseLevel": "sector-specific",
        "preferredLabel": label,
        "altLabels": "",
        "hiddenLabels": "",
        "status": "released",
        "modifiedDate": "2023-11-14T09:51:03.123Z",
        "scopeNote": "",
        "definition": "",
        "inScheme": "http://data.europa.eu/esco/concept-scheme/skills",
        "description": f"Beschrijving van {label}.",
    }
    row.update(cells)
    return row


def esco_csv(*rows: dict[str, str], columns: list[str] = COLUMNS) -> str:
    """Return the rows as a quoted CSV with a header, as ESCO's download is."""
    output = io.StringIO()
    writer = csv.DictWriter(
        output, fieldnames=columns, quoting=csv.QUOTE_ALL, extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return output.getvalue()


def run_import(text: str, language: str = "nl", **options):
    report = import_esco(
        io.StringIO(text), language=language, version="v1.2.0", **options
    )
    db.session.commit()
    return report


@pytest.fixture
def session(app):
    """The database session, inside an app context for the whole test."""
    with app.app_context():
        yield db.session


@pytest.fixture
def make_skill(session):
    """Return a factory that adds a skill to the catalogue."""

    def make(slug: str, name_nl: str, name_en: str = "", **fields) -> Skill:
        skill = Skill(slug=slug, name_nl=name_nl, name_en=name_en or name_nl, **fields)
        session.add(skill)
        session.commit()
        return skill

    return make


def catalogue(session) -> list[Skill]:
    return list(session.scalars(select(Skill).order_by(Skill.slug)))


def test_a_skill_named_like_a_concept_gets_its_uri_and_keeps_its_name(make_skill):
    heat_pump = make_skill("warmtepomp", "Warmtepomp  INREGELEN")
    soldering = make_skill("solderen", "Zacht solderen")
    first, second = concept_uri(), concept_uri()
    text = esco_csv(
        esco_row(first, "warmtepomp inregelen"),
        esco_row(
            second,
            "koperen leidingen verbinden",
            altLabels="hard solderen\nzacht solderen",
        ),
    )

    report = run_import(text)

    assert (report.filled, report.updated, report.added) == (2, 0, 0)
    assert (heat_pump.esco_uri, heat_pump.esco_version) == (first, "1.2.0")
    assert heat_pump.name_nl == "Warmtepomp  INREGELEN"
    assert soldering.esco_uri == second
    assert soldering.description == ""


def test_a_preferred_label_wins_over_an_alternative_label_earlier_in_the_file(
    make_skill,
):
    leading = make_skill("leidinggeven", "Leidinggeven")
    coaching, leadership = concept_uri(), concept_uri()
    text = esco_csv(
        esco_row(coaching, "coachen", altLabels="begeleiden\nleidinggeven"),
        esco_row(leadership, "leidinggeven"),
    )

    report = run_import(text)

    assert leading.esco_uri == leadership
    assert (report.filled, report.skipped) == (1, 1)


def test_a_skill_with_the_concept_gets_its_new_name_description_and_version(
    make_skill,
):
    uri = concept_uri()
    skill = make_skill(
        "isoleren",
        "Isoleren",
        "Insulating",
        description="Oude beschrijving",
        esco_uri=uri,
        esco_version="1.1.0",
    )
    named_alike = make_skill("warmte-isoleren", "Gebouwen isoleren")
    long_label = "Gebouwen isoleren " + "heel " * 40

    report = run_import(
        esco_csv(esco_row(uri, long_label, description="", definition="Definitie."))
    )

    assert (report.updated, report.filled) == (1, 0)
    assert skill.name_nl == long_label[:160].strip()
    assert skill.name_en == "Insulating"
    assert skill.description == "Definitie."
    assert skill.esco_version == "1.2.0"
    assert named_alike.esco_uri is None


def test_a_concept_without_description_keeps_the_skills_description(make_skill):
    uri = concept_uri()
    skill = make_skill("lassen", "Lassen", description="Eigen tekst", esco_uri=uri)

    run_import(esco_csv(esco_row(uri, "lassen", description="", definition="")))

    assert skill.description == "Eigen tekst"


def test_unmatched_concepts_are_skipped_unless_new_ones_are_asked_for(session):
    text = esco_csv(esco_row(concept_uri(), "Dakgoten vervangen"))

    report = run_import(text)

    assert (report.skipped, report.added) == (1, 0)
    assert catalogue(session) == []


def test_new_skills_get_unique_slugs_against_the_catalogue_and_each_other(
    session, make_skill
):
    make_skill("dakgoten-vervangen", "Iets anders")
    long_label = "Zonnepanelen " * 12
    rows = [
        esco_row(concept_uri(), "Dakgoten vervangen"),
        esco_row(concept_uri(), "Dakgoten  vervangen!"),
        esco_row(concept_uri(), "Ventilatie régelen"),
        esco_row(concept_uri(), long_label),
        esco_row(concept_uri(), long_label.lower() + "extra"),
    ]

    report = run_import(esco_csv(*rows), add_new=True)

    added = {skill.slug: skill for skill in catalogue(session) if skill.esco_uri}
    long_slug = ("zonnepanelen-" * 12)[:80].strip("-")
    assert report.added == 5
    assert set(added) == {
        "dakgoten-vervangen-2",
        "dakgoten-vervangen-3",
        "ventilatie-regelen",
        long_slug,
        long_slug[:78].rstrip("-") + "-2",
    }
    ventilation = added["ventilatie-regelen"]
    assert (ventilation.name_nl, ventilation.name_en) == ("Ventilatie régelen",) * 2
    assert ventilation.category == "esco"
    assert ventilation.esco_version == "1.2.0"
    assert all(len(slug) <= 80 for slug in added)


def test_the_english_file_names_skills_added_from_the_dutch_file(session):
    uri = concept_uri()
    run_import(esco_csv(esco_row(uri, "Dakgoten vervangen")), add_new=True)

    report = run_import(
        esco_csv(esco_row(uri, "replace gutters", description="")), language="en"
    )

    (skill,) = catalogue(session)
    assert report.updated == 1
    assert (skill.name_nl, skill.name_en) == ("Dakgoten vervangen", "replace gutters")
    assert skill.description == "Beschrijving van Dakgoten vervangen."


def test_unreleased_concepts_and_other_kinds_of_concept_are_skipped(
    session, make_skill
):
    make_skill("lassen", "Lassen")
    rows = [
        esco_row(concept_uri(), "lassen", status="obsolete"),
        esco_row(concept_uri(OCCUPATION_URI), "lassen", conceptType="Occupation"),
        esco_row("https://example.org/skill/lassen", "lassen"),
        esco_row(concept_uri(), "Solderen", status=""),
    ]

    report = run_import(esco_csv(*rows), add_new=True)

    assert (report.skipped, report.filled, report.added, report.errors) == (
        3,
        0,
        1,
        [],
    )
    lassen = session.scalar(select(Skill).filter_by(slug="lassen"))
    assert lassen.esco_uri is None


def test_a_file_without_the_required_columns_is_refused(session):
    columns = [name for name in COLUMNS if name not in ("conceptUri", "preferredLabel")]
    text = esco_csv(esco_row(concept_uri(), "Lassen"), columns=columns)

    with pytest.raises(ValueError, match="conceptUri, preferredLabel"):
        import_esco(io.StringIO(text), language="nl", version="1.2.0")


@pytest.mark.parametrize(
    ("language", "version"), [("de", "1.2.0"), ("nl", "latest"), ("en", "1.2.0.0.1")]
)
def test_an_unknown_language_or_version_is_refused(session, language, version):
    text = esco_csv(esco_row(concept_uri(), "Lassen"))

    with pytest.raises(ValueError):
        import_esco(io.StringIO(text), language=language, version=version)


def test_malformed_rows_are_reported_by_number_and_the_rest_imported(session):
    good = esco_row(concept_uri(), "Lassen")
    text = esco_csv(good, esco_row(concept_uri(), "  "))
    text += '"KnowledgeSkillCompetence","http://data.europa.eu/esco/skill/x"\n'
    text += esco_csv(esco_row(concept_uri(), "Solderen")).split("\n", 1)[1]
    text += esco_csv(good).split("\n", 1)[1]

    report = run_import(text, add_new=True)

    assert report.added == 2
    assert report.skipped == 3
    assert [error.split(":")[0] for error in report.errors] == [
        "row 3",
        "row 4",
        "row 6",
    ]
    assert "2 fields, expected 13" in report.errors[1]


def test_no_more_than_twenty_problems_are_kept(session):
    rows = [esco_row(concept_uri(), "") for _ in range(25)]

    report = run_import(esco_csv(*rows))

    assert (len(report.errors), report.error_count, report.skipped) == (20, 25, 25)


def test_a_byte_order_mark_and_another_column_order_are_understood(session):
    columns = ["preferredLabel", "status", "conceptUri", "extra"]
    text = "\ufeff" + esco_csv(esco_row(concept_uri(), "Lassen"), columns=columns)

    report = run_import(text, add_new=True)

    assert report.added == 1
    assert [skill.slug for skill in catalogue(session)] == ["lassen"]


def test_the_command_imports_a_file_and_commits(app, tmp_path):
    uri = concept_uri()
    path = tmp_path / "skills_nl.csv"
    path.write_text(
        esco_csv(esco_row(uri, "Lassen"), esco_row(concept_uri(), "")),
        encoding="utf-8-sig",
    )

    result = app.test_cli_runner().invoke(
        skills,
        [
            "import-esco",
            str(path),
            "--language",
            "nl",
            "--version",
            "1.2.0",
            "--add-new",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "0 updated, 0 filled, 1 added, 1 skipped." in result.stdout
    assert "row 3: no preferredLabel" in result.stderr
    with app.app_context():
        skill = db.session.scalar(select(Skill).filter_by(esco_uri=uri))
        assert (skill.slug, skill.esco_version) == ("lassen", "1.2.0")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--language", "de", "--version", "1.2.0"], "nl or en"),
        (["--language", "nl", "--version", "nieuw"], "look like 1.2.0"),
    ],
)
def test_the_command_refuses_a_bad_language_or_version(
    app, tmp_path, arguments, message
):
    path = tmp_path / "skills.csv"
    path.write_text(esco_csv(esco_row(concept_uri(), "Lassen")), encoding="utf-8")

    result = app.test_cli_runner().invoke(
        skills, ["import-esco", str(path), *arguments]
    )

    assert result.exit_code == 1
    assert message in result.output


def test_the_command_refuses_a_file_without_the_required_columns(app, tmp_path):
    path = tmp_path / "skills.csv"
    path.write_text("conceptUri,label\nhttp://data.europa.eu/esco/skill/x,Lassen\n")

    result = app.test_cli_runner().invoke(
        skills, ["import-esco", str(path), "--language", "nl", "--version", "1.2.0"]
    )

    assert result.exit_code == 1
    assert "lacks the columns: preferredLabel" in result.output


@pytest.fixture
def statements(app):
    """The SQL statements that run on the app's engine while the test runs."""
    recorded: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        recorded.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield recorded

    event.remove(engine, "before_cursor_execute", record)


def import_generated(session, statements, prefix: str, count: int) -> list[str]:
    """Import count rows, a third each to update, fill and add; return the SQL.

    Half the updates bring no description, so the changed columns differ per row.
    """
    rows = []
    for number in range(count):
        uri, label = concept_uri(), f"{prefix} vaardigheid {number}"
        description = "" if number % 6 == 0 else f"Over {label}"
        if number % 3 == 0:
            session.add(
                Skill(
                    slug=f"{prefix}-{number}",
                    name_nl="Oud",
                    name_en="Old",
                    esco_uri=uri,
                )
            )
        elif number % 3 == 1:
            session.add(Skill(slug=f"{prefix}-{number}", name_nl=label, name_en=label))
        rows.append(esco_row(uri, label, description=description))
    session.commit()
    text = esco_csv(*rows)
    statements.clear()

    report = import_esco(
        io.StringIO(text), language="nl", version="1.2.0", add_new=True
    )

    assert report.updated + report.filled + report.added == count
    return list(statements)


def test_a_large_file_takes_the_same_few_queries_as_a_small_one(session, statements):
    small = import_generated(session, statements, "klein", 200)
    large = import_generated(session, statements, "groot", 2000)

    def selects(recorded):
        return [s for s in recorded if s.lstrip().upper().startswith("SELECT")]

    assert len(selects(large)) == len(selects(small)) == 1
    # Inserts go in batches of up to 1,000 rows, so a bigger file may add one.
    assert len(large) <= len(small) + 2
    assert len(large) < 10

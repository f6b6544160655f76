"""Consent for research per community, and the pseudonymised exports of researchers."""

import codecs
import csv
import hashlib
import hmac
import io
import logging
import os
import re
import zipfile
from datetime import date, timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from sqlalchemy import func, select

from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community, Membership
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.instruments.models import (
    Administration,
    Answer,
    Dimension,
    Instrument,
    Item,
    Response,
)
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.research import service
from hcimv_lc.research.models import ConsentEvent, ExportLog, ResearchConsent
from hcimv_lc.skills.models import Skill
from hcimv_lc.sprints.models import Sprint
from hcimv_lc.toolbox.models import Application, Tool
from tests.test_query_counts import count_statements

KEY = "een lange geheime sleutel"
OTHER_KEY = "een heel andere sleutel"
CONSENT_PAGE = "/account/research"


def community_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Community.id).where(Community.slug == slug))


def export_path(slug: str) -> str:
    return f"/communities/{slug}/research/export"


def choose(client, community: int, given: bool, reflections: bool = False):
    data = {"community": str(community)}
    if given:
        data["given"] = "y"
    if reflections:
        data["include_reflections"] = "y"
    return client.post(CONSENT_PAGE, data=data)


def export(client, slug: str, **fields):
    data = {"dataset": "all", "file_format": "csv", "key": KEY}
    data.update(fields)
    return client.post(export_path(slug), data=data)


def read_zip(content: bytes) -> dict[str, list[dict]]:
    """Return the rows of every CSV file of the archive, checking the BOM."""
    files = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(codecs.BOM_UTF8), name
            text = io.StringIO(raw.decode("utf-8-sig"), newline="")
            files[name.removesuffix(".csv")] = list(csv.DictReader(text))
    return files


def headers_of_zip(content: bytes) -> dict[str, list[str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name.removesuffix(".csv"): next(
                csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def read_xlsx(content: bytes) -> dict[str, list[dict]]:
    """Return the rows of every sheet, with empty cells as empty text."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheets = {}
    for sheet in workbook.worksheets:
        header, *rows = sheet.iter_rows(values_only=True)
        sheets[sheet.title] = [
            {
                name: "" if value is None else str(value)
                for name, value in zip(header, row, strict=True)
            }
            for row in rows
        ]
    return sheets


def all_text(content: bytes) -> str:
    """Return every byte of every file inside a ZIP or XLSX, as lower-case text."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8-sig") for name in archive.namelist()
        ).lower()


def expected_pseudonym(key: str, person) -> str:
    # The app's secret takes part, so the researcher's key alone cannot undo it.
    message = f"research-key:{key}\x00user:{person.id}".encode()
    digest = hmac.new(os.environ["SECRET_KEY"].encode(), message, hashlib.sha256)
    return "p_" + digest.hexdigest()[:16]


def test_pseudonyms_cannot_be_recomputed_from_the_key_alone(app, study):
    from hcimv_lc.research.service import pseudonym

    with app.app_context():
        shown = pseudonym(KEY, study.participant.id)
    guesses = {
        "p_"
        + hmac.new(KEY.encode(), f"user:{n}".encode(), hashlib.sha256).hexdigest()[:16]
        for n in range(1, 1000)
    }

    assert shown not in guesses


def add_entry(person, community, sprint, visibility="community", **fields):
    values = {
        "author_id": person.id,
        "community_id": community.id,
        "sprint_id": sprint.id,
        "date": sprint.start_date + timedelta(days=15),
        "minutes": 45,
        "kind": "informal",
        "subtype": "peer",
        "what": "Samen ingeregeld",
        "reflection": "",
        "visibility": visibility,
    }
    values.update(fields)
    entry = LogEntry(**values)
    db.session.add(entry)
    return entry


def consent_in(community, person, reflections=False):
    user = db.session.get(User, person.id)
    service.set_consent(user, community, True, reflections)


def answer(administration, person, values):
    items = [
        item
        for dimension in administration.instrument.dimensions
        for item in dimension.items
    ]
    response = Response(
        administration_id=administration.id,
        respondent_id=person.id,
        answers=[
            Answer(item_id=item.id, value=value)
            for item, value in zip(items, values, strict=True)
        ],
    )
    db.session.add(response)


@pytest.fixture
def study(app, world, make_user):
    """Data of `closed` for research: who consented, entries of each visibility.

    - `participant` consents with reflections, `karel` without, `nina` never.
    - `nina` has an entry of every visibility, `karel` one for the community;
      `participant` adds entries whose text starts like a spreadsheet formula, and
      a reflection that names nina with her e-mail address.
    - Their entries are in the third week of the sprint, the world's in the second.
    - Everyone answered the world's administration, which is closed.
    """
    nina = make_user("nina@example.org", "Nina Nee")
    karel = make_user("karel@example.org", "Karel Kort")
    participant = world.person("participant")
    with app.app_context():
        closed = db.session.scalar(select(Community).filter_by(slug=world.closed))
        sprint = db.session.get(Sprint, world.ids["sprint"])
        for person in (nina, karel):
            db.session.add(
                Membership(
                    user_id=person.id, community_id=closed.id, role="participant"
                )
            )
        for visibility in ("private", "facilitators", "community"):
            add_entry(
                nina,
                closed,
                sprint,
                visibility,
                what=f"Geheim van Nina ({visibility})",
                reflection="Nina's eigen reflectie",
            )
        add_entry(karel, closed, sprint, what="Karel deed iets", reflection="Karel")
        add_entry(
            participant,
            closed,
            sprint,
            what='=HYPERLINK("http://evil.example","klik")',
            reflection="+1 beter dan gisteren, zei Nina Nee (nina@example.org)",
        )
        add_entry(
            participant,
            closed,
            sprint,
            "facilitators",
            what="@SUM(A1:A2)",
            reflection="-2 graden buiten",
        )
        shared = db.session.get(LogEntry, world.ids["community_entry"])
        shared.skills = [
            db.session.scalar(select(Skill).filter_by(slug="veilig-werken"))
        ]
        consent_in(closed, participant, reflections=True)
        consent_in(closed, karel)
        administration = db.session.get(Administration, world.ids["administration"])
        for person, values in ((participant, [4, 5]), (karel, [2, 3]), (nina, [1, 1])):
            answer(administration, person, values)
        administration.closed_at = utcnow()
        db.session.commit()
        closed_id = closed.id

    return SimpleNamespace(
        participant=participant,
        karel=karel,
        nina=nina,
        closed_id=closed_id,
        secret_words=[
            person.name.lower()
            for person in [*world.people.values(), nina, karel]
            if person
        ]
        + [person.email for person in [*world.people.values(), nina, karel] if person]
        + [
            person.name.split()[0].lower()
            for person in [*world.people.values(), nina, karel]
            if person
        ],
    )


# Consent


def test_member_gives_and_withdraws_consent_and_sees_each_change_dated(
    app, as_persona, world
):
    client = as_persona("participant")
    closed = community_id(app, world.closed)

    given = choose(client, closed, given=True, reflections=True)
    withdrawn = choose(client, closed, given=False)

    assert given.status_code == withdrawn.status_code == 303
    page = client.get(CONSENT_PAGE).get_data(as_text=True)
    assert "Geen toestemming" in page
    assert "toestemming ingetrokken" in page
    assert "toestemming gegeven, met reflecties" in page
    with app.app_context():
        consent = db.session.scalar(
            select(ResearchConsent).filter_by(user_id=world.person("participant").id)
        )
        events = db.session.scalars(
            select(ConsentEvent).order_by(ConsentEvent.id)
        ).all()
        assert (consent.given, consent.include_reflections) == (False, False)
        assert [(event.given, event.include_reflections) for event in events] == [
            (True, True),
            (False, False),
        ]
        assert events[-1].at == consent.changed_at
        assert consent.changed_at.date() == date.today()
    assert re.search(r"gekozen op \d{1,2} \w+ \d{4} \d{2}:\d{2}", page)
    assert page.index("toestemming ingetrokken") < page.index(
        "toestemming gegeven, met reflecties"
    )


def test_without_a_choice_a_member_has_not_consented(app, as_persona, world):
    client = as_persona("participant")

    page = client.get(CONSENT_PAGE).get_data(as_text=True)

    assert "Besloten Kring" in page and "Installateurs Oost" in page
    assert page.count("Geen toestemming") == 2
    assert "nog niet gekozen" in page
    assert "nooit je naam of je e-mailadres" in page.lower()
    with app.app_context():
        assert db.session.scalar(select(func.count(ResearchConsent.id))) == 0


def test_reflections_without_consent_for_the_data_are_not_kept(app, as_persona, world):
    client = as_persona("participant")

    response = choose(client, community_id(app, world.closed), False, reflections=True)

    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(ResearchConsent.id))) == 0
        assert db.session.scalar(select(func.count(ConsentEvent.id))) == 0


def test_saving_the_same_choice_again_adds_no_history(app, as_persona, world):
    client = as_persona("participant")
    closed = community_id(app, world.closed)
    choose(client, closed, True)

    choose(client, closed, True)

    with app.app_context():
        assert db.session.scalar(select(func.count(ConsentEvent.id))) == 1


def test_consent_in_a_community_one_is_not_in_is_refused(app, as_persona, world):
    client = as_persona("outsider")

    response = choose(client, community_id(app, world.closed), True)

    assert response.status_code == 400
    assert "Kies een leergemeenschap waar je lid van bent." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(ResearchConsent.id))) == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"community": "{closed}\x00", "given": "y"}, 400),
        ({"community": "99999999999999999999", "given": "y"}, 400),
        ({"community": "-1", "given": "y"}, 400),
        ({"community": "", "include_reflections": "x" * 10_000}, 400),
        ({"community": ["{closed}", "{open}"], "given": ["y", "\x00"]}, 303),
    ],
    ids=["nul", "huge", "negative", "empty", "repeated"],
)
def test_malformed_consent_is_refused_without_a_server_error(
    app, as_persona, world, data, status
):
    ids = {"closed": community_id(app, world.closed), "open": 0}
    filled = {
        name: [v.format(**ids) for v in value]
        if isinstance(value, list)
        else value.format(**ids)
        for name, value in data.items()
    }

    response = as_persona("participant").post(CONSENT_PAGE, data=filled)

    assert response.status_code == status
    with app.app_context():
        rows = db.session.execute(
            select(ResearchConsent.community_id, ResearchConsent.given)
        ).all()
    # Only the repeated form was valid: its first values count.
    assert rows == ([(ids["closed"], True)] if status == 303 else [])


def test_profile_links_to_the_research_page(as_persona, world):
    page = as_persona("participant").get("/account").get_data(as_text=True)

    assert 'href="/account/research"' in page


# Export


def test_csv_export_holds_only_consenting_people_and_no_private_entry(
    app, as_persona, world, study
):
    response = export(as_persona("researcher"), world.closed, file_format="csv")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    files = read_zip(response.data)
    assert set(files) == {
        "log_entries",
        "instrument_answers",
        "applications",
        "codebook",
    }
    entries = files["log_entries"]
    allowed = {
        expected_pseudonym(KEY, study.participant),
        expected_pseudonym(KEY, study.karel),
    }
    assert {row["pseudonym"] for row in entries} == allowed
    assert {row["pseudonym"] for row in files["instrument_answers"]} == allowed
    assert {row["visibility"] for row in entries} == {"facilitators", "community"}
    # The participant's shared world entries, the two formula ones, and Karel's one.
    assert len(entries) == 5
    text = all_text(response.data)
    assert "geheim van nina" not in text and "mijn private reflectie" not in text


def test_xlsx_export_holds_only_consenting_people_and_no_private_entry(
    app, as_persona, world, study
):
    response = export(as_persona("admin"), world.closed, file_format="xlsx")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheets = read_xlsx(response.data)
    assert list(sheets) == [
        "log_entries",
        "instrument_answers",
        "applications",
        "codebook",
    ]
    allowed = {
        expected_pseudonym(KEY, study.participant),
        expected_pseudonym(KEY, study.karel),
    }
    assert {row["pseudonym"] for row in sheets["log_entries"]} == allowed
    assert {row["visibility"] for row in sheets["log_entries"]} == {
        "facilitators",
        "community",
    }
    answers = sheets["instrument_answers"]
    assert {row["pseudonym"] for row in answers} == allowed
    assert sorted(row["value"] for row in answers) == ["2", "3", "4", "5"]
    assert "geheim van nina" not in all_text(response.data)


def test_withdrawn_consent_takes_the_person_out_of_the_next_export(
    app, as_persona, world, study
):
    researcher = as_persona("researcher")
    choose(as_persona("participant"), study.closed_id, given=False)

    files = read_zip(export(researcher, world.closed).data)

    assert {row["pseudonym"] for row in files["log_entries"]} == {
        expected_pseudonym(KEY, study.karel)
    }


def test_what_and_reflection_only_of_people_who_shared_their_reflections(
    app, as_persona, world, study
):
    files = read_zip(export(as_persona("researcher"), world.closed).data)

    rows = files["log_entries"]
    karel = [r for r in rows if r["pseudonym"] == expected_pseudonym(KEY, study.karel)]
    mine = [
        r for r in rows if r["pseudonym"] == expected_pseudonym(KEY, study.participant)
    ]
    assert [(r["what"], r["reflection"], r["minutes"]) for r in karel] == [
        ("", "", "45")
    ]
    assert "Mijn community reflectie" in {r["reflection"] for r in mine}
    assert "Geleerd (community)" in {r["what"] for r in mine}


def test_entry_columns_carry_sprint_week_and_skills(app, as_persona, world, study):
    files = read_zip(export(as_persona("researcher"), world.closed).data)

    rows = files["log_entries"]
    shared = next(row for row in rows if row["what"] == "Geleerd (community)")
    karel = next(
        row for row in rows if row["pseudonym"] == expected_pseudonym(KEY, study.karel)
    )
    assert shared["skills"] == "veilig-werken"
    assert shared["sprint_id"] == karel["sprint_id"] == str(world.ids["sprint"])
    assert (shared["sprint_week"], karel["sprint_week"]) == ("2", "3")
    assert (karel["kind"], karel["subtype"], karel["skills"]) == (
        "informal",
        "peer",
        "",
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", shared["date"])


def test_pseudonyms_are_stable_for_one_key_and_differ_for_another(
    app, as_persona, world, study
):
    client = as_persona("researcher")

    first = read_zip(export(client, world.closed).data)["log_entries"]
    again = read_zip(export(client, world.closed).data)["log_entries"]
    other = read_zip(export(client, world.closed, key=OTHER_KEY).data)["log_entries"]

    names = [row["pseudonym"] for row in first]
    assert names == [row["pseudonym"] for row in again]
    assert not set(names) & {row["pseudonym"] for row in other}
    assert all(re.fullmatch(r"p_[0-9a-f]{16}", name) for name in names)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_no_name_or_email_appears_anywhere_in_the_files(
    app, as_persona, world, study, file_format
):
    response = export(as_persona("researcher"), world.closed, file_format=file_format)

    text = all_text(response.data)
    found = [
        word
        for word in study.secret_words
        if re.search(rf"\b{re.escape(word)}\b", text)
    ]
    assert not found
    # The reflection that named Nina still says what happened.
    assert "beter dan gisteren, zei [naam] ([e-mail])" in text


def test_formula_cells_are_neutralised_in_csv(app, as_persona, world, study):
    files = read_zip(export(as_persona("researcher"), world.closed).data)

    cells = {row["what"] for row in files["log_entries"]} | {
        row["reflection"] for row in files["log_entries"]
    }
    assert '\'=HYPERLINK("http://evil.example","klik")' in cells
    assert "'@SUM(A1:A2)" in cells
    assert "'+1 beter dan gisteren, zei [naam] ([e-mail])" in cells
    assert "'-2 graden buiten" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_formula_cells_are_neutralised_in_xlsx_and_no_cell_is_a_formula(
    app, as_persona, world, study
):
    response = export(as_persona("researcher"), world.closed, file_format="xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert '\'=HYPERLINK("http://evil.example","klik")' in texts
    assert "'@SUM(A1:A2)" in texts
    assert "'-2 graden buiten" in texts
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert all(cell.data_type == "s" for cell in cells if isinstance(cell.value, str))


def test_codebook_names_every_column_of_every_file_in_both_formats(
    app, as_persona, world, study
):
    client = as_persona("researcher")
    csv_export = export(client, world.closed, file_format="csv").data
    xlsx_export = export(client, world.closed, file_format="xlsx").data

    headers = headers_of_zip(csv_export)
    codebook = read_zip(csv_export)["codebook"]
    for name, columns in headers.items():
        described = [r["column"] for r in codebook if r["file"] == name and r["column"]]
        assert described == columns, name
        assert all(r["description"] for r in codebook if r["file"] == name)
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_export))
    book = read_xlsx(xlsx_export)["codebook"]
    for sheet in workbook.worksheets:
        described = [
            r["column"] for r in book if r["file"] == sheet.title and r["column"]
        ]
        assert described == [cell.value for cell in sheet[1]], sheet.title
    visibility = next(r for r in codebook if r["column"] == "visibility")
    assert visibility["allowed_values"] == "facilitators, community"


def test_one_dataset_holds_only_its_file_and_the_codebook(
    app, as_persona, world, study
):
    response = export(as_persona("researcher"), world.closed, dataset="applications")

    files = read_zip(response.data)
    assert set(files) == {"applications", "codebook"}
    assert {row["file"] for row in files["codebook"]} == {"applications", "codebook"}


def test_recorder_of_an_application_is_named_only_with_consent(
    app, as_persona, world, study
):
    researcher = as_persona("researcher")
    before = read_zip(export(researcher, world.closed, dataset="applications").data)
    choose(as_persona("facilitator"), study.closed_id, given=True)

    after = read_zip(export(researcher, world.closed, dataset="applications").data)

    [row] = before["applications"]
    assert row["recorded_by"] == ""
    assert (row["tool"], row["company_size"], row["rating"]) == (
        "werkplekscan",
        "small",
        "4",
    )
    assert row["mechanism"] == "Het team zag zijn eigen zwakke plekken"
    assert after["applications"][0]["recorded_by"] == expected_pseudonym(
        KEY, world.person("facilitator")
    )


def test_answers_of_a_moment_still_open_are_not_exported(app, as_persona, world, study):
    with app.app_context():
        db.session.get(Administration, world.ids["administration"]).closed_at = None
        db.session.commit()

    files = read_zip(export(as_persona("researcher"), world.closed).data)

    assert files["instrument_answers"] == []


def anonymous_moment(app, world, people):
    """Close a moment of an anonymous instrument that the people answered."""
    with app.app_context():
        tool = Tool(slug="anonieme-scan", title="Anoniem", kind="scan", level="company")
        db.session.add(tool)
        db.session.flush()
        instrument = Instrument(
            tool_id=tool.id,
            title="Anonieme scan",
            is_anonymous=True,
            dimensions=[
                Dimension(
                    position=0, name="Veilig", items=[Item(position=0, text="Ik durf")]
                )
            ],
        )
        db.session.add(instrument)
        db.session.flush()
        administration = Administration(
            sprint_id=world.ids["sprint"],
            instrument_id=instrument.id,
            moment="end",
            closed_at=utcnow(),
        )
        db.session.add(administration)
        db.session.flush()
        for value, person in enumerate(people, start=1):
            answer(administration, person, [min(value, 5)])
        db.session.commit()


def test_anonymous_answers_come_only_when_all_of_at_least_five_consent(
    app, as_persona, world, study, make_user
):
    others = [make_user(f"anoniem{n}@example.org", f"Anoniem {n}") for n in range(3)]
    with app.app_context():
        closed = db.session.get(Community, study.closed_id)
        for person in others:
            consent_in(closed, person)
        db.session.commit()
    anonymous_moment(app, world, [study.participant, study.karel, *others])
    client = as_persona("researcher")

    five = read_zip(export(client, world.closed, dataset="answers").data)
    choose(as_persona("participant"), study.closed_id, given=False)
    four = read_zip(export(client, world.closed, dataset="answers").data)

    anonymous = [
        r for r in five["instrument_answers"] if r["instrument"] == "Anonieme scan"
    ]
    assert len(anonymous) == 5
    assert {row["pseudonym"] for row in anonymous} == {""}
    assert [row["value"] for row in anonymous] == sorted(r["value"] for r in anonymous)
    assert not [
        r for r in four["instrument_answers"] if r["instrument"] == "Anonieme scan"
    ]


def test_period_keeps_only_rows_of_those_days(app, as_persona, world, study):
    with app.app_context():
        sprint = db.session.get(Sprint, world.ids["sprint"])
        start = sprint.start_date + timedelta(days=15)
    day = start.isoformat()

    files = read_zip(
        export(as_persona("researcher"), world.closed, start=day, end=day).data
    )

    assert {row["date"] for row in files["log_entries"]} == {day}
    assert len(files["log_entries"]) == 3
    assert files["applications"] == []


def test_export_is_logged_without_its_key_and_listed_on_the_page(
    app, as_persona, world, study, caplog
):
    caplog.set_level(logging.INFO, logger="hcimv_lc.research")
    client = as_persona("researcher")

    response = export(client, world.closed, dataset="entries", file_format="xlsx")

    assert response.status_code == 200
    with app.app_context():
        [log] = db.session.scalars(select(ExportLog)).all()
        assert (log.user_id, log.community_id) == (
            world.person("researcher").id,
            study.closed_id,
        )
        assert (log.dataset, log.file_format, log.rows) == ("entries", "xlsx", 5)
        assert re.fullmatch(r"[0-9a-f]{16}", log.key_fingerprint)
        assert KEY not in log.key_fingerprint
    expected = (
        f"Research export {log.id} of community {study.closed_id} "
        f"by {world.person('researcher').id}"
    )
    assert expected in caplog.text
    assert KEY not in caplog.text
    page = client.get(export_path(world.closed)).get_data(as_text=True)
    assert "Rosa Onderzoek" in page and log.key_fingerprint in page
    assert "Leeractiviteiten uit het logboek · XLSX" in page


def test_same_key_gives_the_same_fingerprint_in_the_log(app, as_persona, world, study):
    client = as_persona("researcher")
    export(client, world.closed)
    export(client, world.closed)
    export(client, world.closed, key=OTHER_KEY)

    with app.app_context():
        prints = db.session.scalars(
            select(ExportLog.key_fingerprint).order_by(ExportLog.id)
        ).all()

    assert prints[0] == prints[1] != prints[2]


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("other_researcher", "closed", 404),
        ("other_researcher", "open", 403),
        ("facilitator", "closed", 403),
        ("participant", "closed", 403),
        ("outsider", "open", 403),
    ],
)
def test_people_who_are_no_researchers_of_the_community_get_no_export(
    app, as_persona, world, study, persona, slug, status
):
    client = as_persona(persona)
    path = getattr(world, slug)

    page = client.get(export_path(path))
    response = export(client, path)

    assert page.status_code == response.status_code == status
    assert response.mimetype == "text/html"
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportLog.id))) == 0


def test_community_page_offers_the_export_only_to_who_may_take_it(as_persona, world):
    link = f'href="/communities/{world.closed}/research/export"'

    researcher = as_persona("researcher").get(f"/communities/{world.closed}")
    facilitator = as_persona("facilitator").get(f"/communities/{world.closed}")

    assert link in researcher.get_data(as_text=True)
    assert link not in facilitator.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "te kort"}, "De sleutel heeft 12 tot 200 tekens."),
        ({"key": ""}, "Vul een pseudoniemsleutel in."),
        ({"key": "lang genoeg maar\x00 met NUL"}, "tekens die niet zijn toegestaan"),
        (
            {"start": "2026-03-02", "end": "2026-03-01"},
            "De einddatum ligt voor de begindatum.",
        ),
        ({"start": "2026-02-30"}, "Ongeldige datum."),
        ({"end": "99999999-01-01"}, "Ongeldige datum."),
        ({"start": "1900-01-01"}, "Kies een datum tussen 2000 en 2100."),
        ({"end": "2026-01-01\x00"}, "Ongeldige datum."),
        ({"dataset": "users"}, "Ongeldige keuze"),
        ({"file_format": ["csv\x00", "pdf"]}, "Ongeldige keuze"),
    ],
    ids=[
        "short key",
        "no key",
        "nul in key",
        "end before start",
        "impossible date",
        "huge year",
        "old date",
        "nul in date",
        "unknown dataset",
        "repeated format",
    ],
)
def test_bad_export_input_is_refused_beside_the_field(
    app, as_persona, world, fields, message
):
    response = export(as_persona("researcher"), world.closed, **fields)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="field-error"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportLog.id))) == 0


def test_refused_export_form_keeps_the_choices_but_never_echoes_the_key(
    as_persona, world
):
    response = export(
        as_persona("researcher"),
        world.closed,
        dataset="answers",
        start="2026-03-02",
        end="2026-03-01",
    )

    page = response.get_data(as_text=True)
    assert re.search(r'<input checked [^>]*value="answers">', page)
    assert 'value="2026-03-02"' in page
    assert KEY not in page


# Statement counts


def grow_consents(app, world, number):
    """Give the participant more communities, each with a history of choices."""
    with app.app_context():
        region_id = world.region_ids["twente"]
        participant = db.session.get(User, world.person("participant").id)
        start = db.session.scalar(select(func.count(Community.id)))
        for index in range(start, start + number):
            community = Community(
                slug=f"extra-{index}",
                name=f"Extra {index}",
                theme="companies",
                region_id=region_id,
            )
            db.session.add(community)
            db.session.flush()
            db.session.add(
                Membership(
                    user_id=participant.id,
                    community_id=community.id,
                    role="participant",
                )
            )
            service.set_consent(participant, community, True, True)
            service.set_consent(participant, community, False, False)
        db.session.commit()


def test_consent_page_statement_count_does_not_grow(app, as_persona, world):
    client = as_persona("participant")
    grow_consents(app, world, 1)
    client.get(CONSENT_PAGE)

    with count_statements(app) as small:
        assert client.get(CONSENT_PAGE).status_code == 200
    grow_consents(app, world, 15)
    with count_statements(app) as large:
        assert client.get(CONSENT_PAGE).status_code == 200

    assert len(large) == len(small)
    assert len(small) <= 12
    assert len(set(small)) == len(small), "a statement runs twice"


def grow_study(app, world, number):
    """Add consenting participants with entries, skills, answers and applications."""
    with app.app_context():
        closed = db.session.scalar(select(Community).filter_by(slug=world.closed))
        sprint = db.session.get(Sprint, world.ids["sprint"])
        administration = db.session.get(Administration, world.ids["administration"])
        administration.closed_at = utcnow()
        tool = db.session.scalar(select(Tool).filter_by(slug=world.ids["tool"]))
        skills = db.session.scalars(select(Skill)).all()
        start = db.session.scalar(select(func.count(User.id)))
        for index in range(start, start + number):
            person = User(
                email=f"studie{index}@example.org",
                name=f"Studie {index}",
                password_hash="x",
            )
            db.session.add(person)
            db.session.flush()
            db.session.add(
                Membership(
                    user_id=person.id, community_id=closed.id, role="participant"
                )
            )
            service.set_consent(person, closed, True, index % 2 == 0)
            entry = add_entry(person, closed, sprint, what=f"Werk {index}")
            entry.skills = skills
            answer(administration, person, [3, 4])
            db.session.add(
                Application(
                    tool_id=tool.id,
                    sprint_id=sprint.id,
                    recorded_by_id=person.id,
                    applied_on=sprint.start_date,
                    company_size="micro",
                    region_id=closed.region_id,
                    mechanism="m",
                    outcome="o",
                    rating=3,
                )
            )
            db.session.add(
                ExportLog(
                    user_id=person.id,
                    community_id=closed.id,
                    dataset="all",
                    file_format="csv",
                    key_fingerprint="0" * 16,
                )
            )
        db.session.commit()


def test_export_page_statement_count_does_not_grow(app, as_persona, world):
    client = as_persona("researcher")
    path = export_path(world.closed)
    grow_study(app, world, 1)
    client.get(path)

    with count_statements(app) as small:
        assert client.get(path).status_code == 200
    grow_study(app, world, 25)
    with count_statements(app) as large:
        assert client.get(path).status_code == 200

    assert len(large) == len(small)
    assert len(small) <= 12
    assert len(set(small)) == len(small), "a statement runs twice"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_statement_count_does_not_grow_with_the_rows(
    app, as_persona, world, file_format
):
    client = as_persona("researcher")
    # The token is fetched before counting: fetching it loads the home page.
    header = {"X-CSRFToken": client.csrf_token()}
    data = {"dataset": "all", "file_format": file_format, "key": KEY}
    path = export_path(world.closed)
    grow_study(app, world, 1)

    with count_statements(app) as small:
        first = client.post(path, data=data, headers=header, csrf=False)
    grow_study(app, world, 20)
    with count_statements(app) as large:
        second = client.post(path, data=data, headers=header, csrf=False)

    assert first.status_code == second.status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 12
    assert len(set(small)) == len(small), "a statement runs twice"
    with app.app_context():
        assert db.session.scalars(
            select(ExportLog.rows).where(ExportLog.key_fingerprint != "0" * 16)
        ).all() == [5, 85]

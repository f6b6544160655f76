"""A person downloads everything the platform holds about them, and erases it."""

import hashlib
import io
import json
import logging
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select, text
from werkzeug.datastructures import FileStorage

from hcimv_lc.accounts.models import User
from hcimv_lc.accounts.personal_data import REFERENCES
from hcimv_lc.badges import service as badges
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community, Invitation, Membership
from hcimv_lc.database import utcnow
from hcimv_lc.discussion import service as discussion
from hcimv_lc.discussion.models import Reply, Thread
from hcimv_lc.extensions import db
from hcimv_lc.instruments.models import Answer, Item, Response
from hcimv_lc.logbook import service as logbook
from hcimv_lc.logbook.models import Comment, LogEntry, PendingEntry
from hcimv_lc.notifications.models import Notification
from hcimv_lc.policy import forget_roles
from hcimv_lc.regional.models import CompanyVisit, company_visit_skill
from hcimv_lc.research.models import ConsentEvent, ExportLog, ResearchConsent
from hcimv_lc.skills import service as skills
from hcimv_lc.skills import storage
from hcimv_lc.skills.models import (
    ClaimEvent,
    EvidenceFile,
    EvidenceLink,
    ShareLink,
    Skill,
    SkillClaim,
)
from hcimv_lc.sprints.models import Lesson, Sprint
from hcimv_lc.toolbox import service as toolbox
from hcimv_lc.toolbox.models import Application, Tool, ToolRevision
from tests.conftest import PNG, TEST_PASSWORD, create_person, login, sign_in
from tests.test_query_counts import count_statements

# What each kind of erasure in personal_data.REFERENCES needs from the foreign key.
ERASURE = {
    "cascade": "CASCADE",
    "set null": "SET NULL",
    "by choice": "SET NULL",
    "deleted": "SET NULL",
}


def user_references(tables) -> set[tuple[str, str]]:
    return {
        (table.name, fk.parent.name)
        for table in tables
        for fk in table.foreign_keys
        if fk.column.table.name == "user"
    }


def new_marker() -> str:
    # Starts with letters no hex digest or token has, so a hit is always a real one.
    return "zqmerk" + uuid.uuid4().hex[:10]


def build_person(app, world, marker: str) -> dict:
    """Create a person who wrote the marker into every text the platform keeps.

    Participant in `closed`, researcher in `open` and second facilitator of `other`.
    Tools, lessons and applications stay after erasure as community knowledge, and
    review comments stay in other people's claim histories: the marker is kept out
    of those texts on purpose, so that every hit of the scan is a failure.
    """
    person = create_person(app, f"{marker}@example.org", f"Mira {marker}")
    with app.test_request_context():
        user = db.session.get(User, person.id)
        user.organisation_id = world.organisation_id
        communities = {
            key: db.session.scalar(select(Community).filter_by(slug=slug))
            for key, slug in (
                ("open", world.open),
                ("closed", world.closed),
                ("other", world.other),
            )
        }
        for key, role in (
            ("closed", "participant"),
            ("open", "researcher"),
            ("other", "facilitator"),
        ):
            db.session.add(
                Membership(user_id=user.id, community_id=communities[key].id, role=role)
            )
        db.session.flush()
        forget_roles()
        participant = db.session.get(User, world.person("participant").id)
        facilitator = db.session.get(User, world.person("facilitator").id)
        other_researcher = db.session.get(User, world.person("other_researcher").id)
        sprint = db.session.get(Sprint, world.ids["sprint"])
        heat_pump, safety = (
            db.session.scalar(select(Skill).filter_by(slug=slug))
            for slug in ("warmtepomp-inregelen", "veilig-werken")
        )
        challenge = db.session.get(Challenge, world.ids["challenge"])
        challenge.team.append(user)

        entry = LogEntry(
            author_id=user.id,
            community_id=communities["closed"].id,
            sprint_id=sprint.id,
            challenge_id=world.ids["challenge"],
            date=sprint.start_date,
            minutes=45,
            kind="informal",
            subtype="peer",
            what=f"Gedaan {marker}",
            reflection=f"Reflectie {marker}",
            reflection_html=f"<p>Reflectie {marker}</p>",
            visibility="facilitators",
            skills=[heat_pump],
        )
        db.session.add(entry)
        db.session.flush()
        logbook.add_comment(entry, facilitator, "Mooi gedaan")
        shared = db.session.get(LogEntry, world.ids["community_entry"])
        logbook.add_comment(shared, user, f"Feedback {marker}")

        thread = discussion.start_thread(
            communities["closed"], user, f"Vraag {marker}", f"Uitleg {marker}"
        )
        discussion.reply(thread, participant, "Goede vraag")
        world_thread = db.session.get(Thread, world.ids["thread"])
        discussion.reply(world_thread, user, f"Antwoord {marker}")

        upload = FileStorage(io.BytesIO(PNG), filename=f"foto-{marker}.png")
        claim = skills.create_claim(
            user,
            heat_pump.id,
            communities["closed"].id,
            3,
            f"Verhaal {marker}",
            [entry.id],
            link_url=f"https://example.org/{marker}",
            link_title=f"Werk {marker}",
            upload=upload,
        )
        validated = SkillClaim(
            user=user,
            skill=safety,
            community=communities["closed"],
            level=2,
            narrative=f"Hoogte {marker}",
            narrative_html=f"<p>Hoogte {marker}</p>",
            status="validated",
            validated_at=utcnow(),
            validated_by=facilitator,
        )
        db.session.add(validated)
        db.session.flush()
        badges.issue(validated, user)
        db.session.add(
            ShareLink(
                user=user,
                token_hash=skills.hash_token(f"share-{marker}"),
                label=f"Werkgever {marker}",
                expires_on=date.today() + timedelta(days=30),
                skills=[safety],
            )
        )
        skills.set_matching(user, True, [heat_pump.id])

        # Work as the second facilitator of `other`: a validation and a revocation.
        other_claim = db.session.get(SkillClaim, world.ids["other_claim"])
        skills.review(other_claim, user, "validate", 3, "Goed onderbouwd")
        db.session.flush()
        badges.revoke(badges.issue(other_claim, other_researcher), user, "Te vroeg")

        db.session.add_all(
            [
                ResearchConsent(
                    user_id=user.id,
                    community_id=communities["closed"].id,
                    given=True,
                    include_reflections=True,
                ),
                ConsentEvent(
                    user_id=user.id,
                    community_id=communities["closed"].id,
                    given=True,
                    include_reflections=True,
                ),
                ExportLog(
                    user_id=user.id,
                    community_id=communities["open"].id,
                    dataset="entries",
                    file_format="csv",
                    rows=3,
                    key_fingerprint="0" * 16,
                ),
                PendingEntry(
                    key_hash=hashlib.sha256(marker.encode()).hexdigest(),
                    owner_id=user.id,
                    payload=json.dumps({"what": f"Onderweg {marker}"}),
                ),
                Invitation(
                    community_id=communities["open"].id,
                    email=user.email,
                    role="participant",
                    token_hash=hashlib.sha256(b"in" + marker.encode()).hexdigest(),
                    expires_at=utcnow() + timedelta(days=14),
                ),
                Invitation(
                    community_id=communities["other"].id,
                    email=f"gast-{uuid.uuid4().hex[:6]}@example.org",
                    role="participant",
                    token_hash=hashlib.sha256(b"out" + marker.encode()).hexdigest(),
                    invited_by_id=user.id,
                    expires_at=utcnow() + timedelta(days=14),
                ),
            ]
        )
        items = db.session.scalars(select(Item.id)).all()
        db.session.add(
            Response(
                administration_id=world.ids["administration"],
                respondent_id=user.id,
                answers=[Answer(item_id=item, value=4) for item in items],
            )
        )
        visit = CompanyVisit(
            recorded_by_id=user.id,
            organisation_id=world.organisation_id,
            company_name="Installatiebedrijf Oost",
            sector="installatietechniek",
            company_size="small",
            region_id=world.region_ids["twente"],
            visited_on=date.today(),
            time_to_learn=3,
            open_vacancies=2,
            vacancy_note=f"Notitie {marker}",
        )
        db.session.add(visit)
        db.session.flush()
        db.session.execute(
            company_visit_skill.insert().values(
                visit_id=visit.id, skill_id=heat_pump.id, horizon="now"
            )
        )

        tool = toolbox.create_tool(
            user,
            ["companies"],
            f"Eerste versie {marker}",
            title="Leerladder",
            summary="Een ladder om samen te leren",
            body="Stap voor stap samen leren op de bouwplaats.",
            kind="method",
            level="company",
            authors="Lectoraat Leven Lang Ontwikkelen",
            licence="CC BY",
            status="published",
            visibility="public",
        )
        toolbox.record_application(
            tool,
            sprint,
            user,
            [],
            applied_on=sprint.start_date,
            sector="Installatietechniek",
            company_size="small",
            region_id=world.region_ids["twente"],
            mechanism="Samen leren op de bouwplaats",
            outcome="Minder fouten bij het inregelen",
            rating=4,
        )
        finished = Sprint(
            community_id=communities["open"].id,
            title="Korte sprint",
            start_date=sprint.start_date - timedelta(weeks=40),
            weeks=10,
            status="closed",
        )
        db.session.add(finished)
        db.session.flush()
        lesson = Lesson(
            sprint_id=finished.id,
            worked="Kort en vaak samenkomen",
            did_not_work="Lange verslagen",
            advice="Houd het klein",
            worked_html="<p>Kort en vaak samenkomen</p>",
            did_not_work_html="<p>Lange verslagen</p>",
            advice_html="<p>Houd het klein</p>",
            visibility="public",
            author_id=user.id,
        )
        db.session.add(lesson)
        db.session.flush()
        toolbox.index_lesson(lesson, finished)
        stored_names = [item.stored_name for item in claim.files]
        db.session.commit()

        return {
            "person": person,
            "thread": thread.id,
            "tool": tool.slug,
            "stored_names": stored_names,
        }


def grow_person(app, world, user_id: int, number: int) -> None:
    """Give the person more rows of every kind that can repeat."""
    with app.app_context():
        closed = db.session.scalar(select(Community).filter_by(slug=world.closed))
        sprint = db.session.get(Sprint, world.ids["sprint"])
        tool = db.session.scalar(select(Tool).filter_by(slug=world.ids["tool"]))
        start = db.session.scalar(select(func.count(Skill.id)))
        for index in range(start, start + number):
            skill = Skill(slug=f"groei-{index}", name_nl=f"Vak {index}", name_en="x")
            entry = LogEntry(
                author_id=user_id,
                community_id=closed.id,
                sprint_id=sprint.id,
                date=sprint.start_date,
                minutes=20,
                kind="formal",
                subtype="course",
                what=f"Cursus {index}",
                visibility="private",
                skills=[skill],
            )
            thread = Thread(
                community_id=closed.id, author_id=user_id, title=f"Vraag {index}"
            )
            claim = SkillClaim(
                user_id=user_id, community_id=closed.id, skill=skill, level=2
            )
            claim.files.append(
                EvidenceFile(
                    stored_name=f"{user_id:016x}{index:016x}",
                    filename="bewijs.png",
                    content_type="image/png",
                    size=10,
                    sha256="0" * 64,
                )
            )
            claim.links.append(EvidenceLink(url="https://example.org", title="w"))
            claim.events.append(ClaimEvent(actor_id=user_id, step="submitted"))
            claim.entries.append(entry)
            visit = CompanyVisit(
                recorded_by_id=user_id,
                company_name=f"Bedrijf {index}",
                sector="bouw",
                company_size="micro",
                region_id=closed.region_id,
                visited_on=date.today(),
            )
            db.session.add_all([entry, thread, claim, visit])
            db.session.flush()
            db.session.add_all(
                [
                    Comment(
                        entry_id=world.ids["community_entry"],
                        author_id=user_id,
                        body="Ook een reactie",
                        body_html="<p>Ook een reactie</p>",
                    ),
                    Reply(
                        thread_id=world.ids["thread"],
                        author_id=user_id,
                        body="Nog een antwoord",
                        body_html="<p>Nog een antwoord</p>",
                    ),
                    Notification(
                        user_id=user_id, kind="feedback", subject="Let op", link="/"
                    ),
                    ShareLink(
                        user_id=user_id,
                        token_hash=f"{user_id:032d}{index:032d}",
                        label=f"Link {index}",
                        expires_on=date.today(),
                        skills=[skill],
                    ),
                    ToolRevision(
                        tool_id=tool.id,
                        number=1000 + index,
                        title="t",
                        summary="s",
                        body="b",
                        note=f"Versie {index}",
                        author_id=user_id,
                    ),
                    Application(
                        tool_id=tool.id,
                        sprint_id=sprint.id,
                        recorded_by_id=user_id,
                        applied_on=sprint.start_date,
                        company_size="small",
                        region_id=closed.region_id,
                        mechanism="m",
                        outcome="o",
                        rating=3,
                    ),
                    PendingEntry(
                        key_hash=f"{user_id:032d}{index:032d}",
                        owner_id=user_id,
                        payload="{}",
                    ),
                    ConsentEvent(
                        user_id=user_id,
                        community_id=closed.id,
                        given=False,
                        include_reflections=False,
                    ),
                    ExportLog(
                        user_id=user_id,
                        dataset="entries",
                        file_format="csv",
                        key_fingerprint="0" * 16,
                    ),
                    Invitation(
                        community_id=closed.id,
                        email=f"genodigde{index}@example.org",
                        role="participant",
                        token_hash=f"{index:032d}{user_id:032d}",
                        invited_by_id=user_id,
                        expires_at=utcnow(),
                    ),
                    ClaimEvent(
                        claim_id=world.ids["other_claim"],
                        actor_id=user_id,
                        step="more_asked",
                    ),
                ]
            )
            db.session.execute(
                company_visit_skill.insert().values(
                    visit_id=visit.id, skill_id=skill.id, horizon="two_years"
                )
            )
        db.session.commit()


def section(document: dict, path: str):
    for key in path.split("."):
        document = document[key]
    return document


def delete_account(client, posts: str, password: str = TEST_PASSWORD):
    return client.post("/account/delete", data={"password": password, "posts": posts})


def signed_in_as(app, person):
    client = app.test_client()
    sign_in(app, client, person)
    return client


def leftovers(app, needles: list[str]) -> set[tuple[str, str]]:
    """Return (table, column) of every value in the database that holds a needle."""
    found = set()
    with app.app_context():
        tables = inspect(db.engine).get_table_names()
        # Every model table, the FTS5 table and its shadow tables on SQLite, and the
        # tsvector column of search_document on PostgreSQL.
        assert {table.name for table in db.metadata.sorted_tables} <= set(tables)
        for table in tables:
            rows = db.session.execute(text(f'SELECT * FROM "{table}"')).mappings()
            for row in rows:
                for column, value in row.items():
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    if value is not None and any(
                        needle in str(value).lower() for needle in needles
                    ):
                        found.add((table, column))
    return found


def index_hits(app, word: str) -> int:
    """Return how many documents the engine's full-text index finds for the word."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            query = (
                "SELECT count(*) FROM search_document "
                "WHERE search_tsv @@ to_tsquery('simple', :q)"
            )
            return db.session.scalar(text(query), {"q": f"{word}:*"})
        query = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :q"
        return db.session.scalar(text(query), {"q": f'"{word}"*'})


def references_left(app, user_id: int) -> dict[str, int]:
    with app.app_context():
        counts = {}
        for table_name, column in REFERENCES:
            table = db.metadata.tables[table_name]
            query = select(func.count()).where(table.c[column] == user_id)
            counts[f"{table_name}.{column}"] = db.session.scalar(
                query.select_from(table)
            )
        return {name: count for name, count in counts.items() if count}


# Which tables are known


def test_every_foreign_key_to_a_person_is_known_to_export_and_erasure(app):
    in_schema = user_references(db.metadata.sorted_tables)

    assert in_schema == set(REFERENCES), (
        "add the new foreign key to personal_data.REFERENCES, and to the export and "
        f"the erasure: {in_schema ^ set(REFERENCES)}"
    )


def test_the_migrated_schema_deletes_or_keeps_rows_as_the_erasure_expects(app):
    with app.app_context():
        inspector = inspect(db.engine)
        actual = {
            (table, fk["constrained_columns"][0]): (fk["options"] or {}).get(
                "ondelete", ""
            )
            for table in inspector.get_table_names()
            for fk in inspector.get_foreign_keys(table)
            if fk["referred_table"] == "user"
        }

    expected = {
        key: ERASURE[reference.erasure] for key, reference in REFERENCES.items()
    }
    assert {key: value.upper() for key, value in actual.items()} == expected


# The download


def test_person_downloads_everything_the_platform_holds_about_them(app, world):
    marker = new_marker()
    built = build_person(app, world, marker)
    client = signed_in_as(app, built["person"])

    response = client.get("/account/data.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="mijn-gegevens-'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    document = response.get_json()
    for key, reference in REFERENCES.items():
        if reference.section:
            assert section(document, reference.section), f"{key} left out"
    assert document["profile"]["email"] == f"{marker}@example.org"
    assert document["profile"]["organisation"] == "Saxion"
    assert {m["role"] for m in document["memberships"]} == {
        "participant",
        "researcher",
        "facilitator",
    }
    entry = document["log_entries"][0]
    assert (entry["what"], entry["reflection"]) == (
        f"Gedaan {marker}",
        f"Reflectie {marker}",
    )
    assert entry["skills"] == ["Warmtepomp inregelen"]
    assert document["comments"][0]["body"] == f"Feedback {marker}"
    assert document["discussion"]["threads"][0]["title"] == f"Vraag {marker}"
    assert document["discussion"]["replies"][0]["body"] == f"Antwoord {marker}"
    claims = {claim["narrative"]: claim for claim in document["skills"]["claims"]}
    evidence = claims[f"Verhaal {marker}"]["evidence"]
    assert evidence["links"][0]["title"] == f"Werk {marker}"
    assert evidence["files"][0]["filename"] == f"foto-{marker}.png"
    assert claims[f"Hoogte {marker}"]["badges"][0]["id"].startswith("urn:uuid:")
    assert document["skills"]["share_links"][0]["label"] == f"Werkgever {marker}"
    assert document["skills"]["goals"] == ["Warmtepomp inregelen"]
    assert document["skills"]["findable"] is True
    assert document["research"]["consents"][0]["include_reflections"] is True
    assert len(document["instrument_answers"][0]["answers"]) == 2
    assert document["company_visits"][0]["vacancy_note"] == f"Notitie {marker}"
    assert document["toolbox"]["revisions"][0]["note"] == f"Eerste versie {marker}"
    assert document["pending_entries"][0]["typed"] == {"what": f"Onderweg {marker}"}
    assert document["invitations"]["received"][0]["community"] == "Installateurs Oost"


def test_download_holds_no_share_token_or_its_digest(app, as_persona, world):
    response = as_persona("participant").get("/account/data.json")

    page = response.get_data(as_text=True)
    assert "live-share-token" not in page
    assert skills.hash_token("live-share-token") not in page
    assert "token_hash" not in page
    assert "Werkgever" in page


def test_download_holds_only_the_signed_in_persons_data(app, as_persona, world):
    document = as_persona("participant").get("/account/data.json").get_json()

    assert document["profile"]["email"] == "participant@example.org"
    assert "Goed bezig" not in json.dumps(document)
    assert document["comments"] == []


# Deleting the account


def test_profile_links_to_download_and_deletion(as_persona, world):
    page = as_persona("participant").get("/account").get_data(as_text=True)

    assert 'href="/account/data.json"' in page
    assert "Mijn gegevens downloaden" in page
    assert 'href="/account/delete"' in page


def test_deletion_page_asks_for_the_password_and_what_happens_to_posts(
    as_persona, world
):
    page = as_persona("participant").get("/account/delete").get_data(as_text=True)

    assert "Account definitief verwijderen" in page
    assert "voormalig lid" in page
    assert 'type="password"' in page


def test_wrong_password_keeps_the_account(app, as_persona, world):
    client = as_persona("participant")

    response = delete_account(client, "delete", password="not the password")

    assert response.status_code == 200
    assert "Dit is niet je wachtwoord." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 200
    with app.app_context():
        assert db.session.get(User, world.person("participant").id) is not None


def test_deletion_needs_a_choice_for_the_posts(app, as_persona, world):
    client = as_persona("participant")

    missing = client.post("/account/delete", data={"password": TEST_PASSWORD})
    malformed = delete_account(client, "\x00", password="x\x00" * 100)

    assert "Kies wat er met je berichten gebeurt." in missing.get_data(as_text=True)
    assert malformed.status_code == 200
    with app.app_context():
        assert db.session.get(User, world.person("participant").id) is not None


def test_last_facilitator_cannot_delete_the_account(app, as_persona, world):
    client = as_persona("facilitator")

    page = client.get("/account/delete").get_data(as_text=True)
    response = delete_account(client, "delete")

    assert "Je bent de enige facilitator van Besloten Kring, Installateurs Oost" in page
    assert "Account definitief verwijderen</button>" not in page
    assert "Je bent de enige facilitator" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.person("facilitator").id) is not None


def test_last_administrator_cannot_delete_the_account(app, as_persona, world):
    response = delete_account(as_persona("admin"), "keep")

    assert "Je bent de enige beheerder" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.person("admin").id) is not None


def test_administrator_deletes_the_account_when_another_remains(
    app, as_persona, world, make_user
):
    make_user("beheer2@example.org", "Bram Beheer", admin=True)

    response = delete_account(as_persona("admin"), "keep")

    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, world.person("admin").id) is None


def test_erased_person_is_signed_out_and_cannot_log_in_again(app, client, world):
    login(client, "participant@example.org")

    response = delete_account(client, "delete")

    assert response.status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert "Je account en al je gegevens zijn verwijderd." in home
    assert client.get("/account").status_code == 302
    assert login(client, "participant@example.org").status_code == 200


def test_erasure_removes_the_evidence_files_from_disk(app, as_persona, world):
    with app.app_context():
        stored_name = db.session.get(EvidenceFile, world.ids["claim_file"]).stored_name
        path = storage.path_of(stored_name)
    assert path.exists()

    delete_account(as_persona("participant"), "delete")

    assert not path.exists()


def test_kept_posts_show_a_former_member(app, world):
    built = build_person(app, world, new_marker())

    delete_account(signed_in_as(app, built["person"]), "keep")

    reader = signed_in_as(app, world.person("participant"))
    page = reader.get(f"/threads/{built['thread']}").get_data(as_text=True)
    assert "voormalig lid" in page
    assert "Goede vraag" in page
    listing = reader.get(f"/communities/{world.closed}/discussion")
    assert "voormalig lid" in listing.get_data(as_text=True)


def test_deleted_posts_take_their_replies_and_counts_with_them(app, world):
    built = build_person(app, world, new_marker())

    delete_account(signed_in_as(app, built["person"]), "delete")

    reader = signed_in_as(app, world.person("participant"))
    assert reader.get(f"/threads/{built['thread']}").status_code == 404
    page = reader.get(f"/threads/{world.ids['thread']}").get_data(as_text=True)
    assert "0 reacties" in page
    with app.app_context():
        thread = db.session.get(Thread, world.ids["thread"])
        assert thread.reply_count == 0


def test_erasure_logs_the_account_id_only(app, world, caplog):
    marker = new_marker()
    built = build_person(app, world, marker)
    person = built["person"]

    with caplog.at_level(logging.INFO, logger="hcimv_lc"):
        delete_account(signed_in_as(app, person), "delete")

    assert f"Account {person.id} erased" in caplog.messages
    assert not [message for message in caplog.messages if marker in message]


@pytest.mark.parametrize("posts", ["delete", "keep"])
def test_erasure_leaves_no_trace_of_the_person_in_any_table(app, world, posts):
    """After erasure no table, index included, holds the name, email or marker.

    With "keep" the person chose to leave their threads, replies and feedback: those
    texts are the one stated exception, shown as a former member's. Everything the
    person wrote elsewhere carries the marker (see build_person for what does not).
    """
    marker = new_marker()
    built = build_person(app, world, marker)
    person = built["person"]
    assert index_hits(app, "leerladder") == 1

    response = delete_account(signed_in_as(app, person), posts)

    assert response.status_code == 303
    needles = [marker, person.email.lower(), person.name.lower()]
    kept = {
        ("thread", "title"),
        ("thread", "body"),
        ("thread", "body_html"),
        ("reply", "body"),
        ("reply", "body_html"),
        ("comment", "body"),
        ("comment", "body_html"),
    }
    allowed = kept if posts == "keep" else set()
    assert leftovers(app, needles) == allowed
    assert index_hits(app, marker) == 0
    assert index_hits(app, "leerladder") == 1
    assert references_left(app, person.id) == {}
    for stored_name in built["stored_names"]:
        with app.app_context():
            assert not storage.path_of(stored_name).exists()
    with app.app_context():
        assert db.session.scalar(select(Tool).filter_by(slug=built["tool"]))


# Statements


def test_download_statement_count_does_not_grow_with_the_data(app, world):
    built = build_person(app, world, new_marker())
    person = built["person"]
    client = signed_in_as(app, person)
    client.get("/account/data.json")

    with count_statements(app) as small:
        assert client.get("/account/data.json").status_code == 200
    grow_person(app, world, person.id, 12)
    with count_statements(app) as large:
        assert client.get("/account/data.json").status_code == 200

    assert len(large) == len(small), (small, large)
    # One statement per kind of data the platform keeps about a person.
    assert len(small) <= 36
    assert len(set(small)) == len(small), "a statement runs twice"


def test_deletion_page_statement_count_stays_small(app, as_persona, world):
    client = as_persona("facilitator")
    client.get("/account/delete")

    with count_statements(app) as statements:
        assert client.get("/account/delete").status_code == 200

    assert len(statements) <= 12
    assert len(set(statements)) == len(statements), "a statement runs twice"


def test_erasure_statement_count_does_not_grow_with_the_data(app, world):
    small_person = build_person(app, world, new_marker())["person"]
    large_person = build_person(app, world, new_marker())["person"]
    grow_person(app, world, large_person.id, 12)
    counts = []

    for person in (small_person, large_person):
        client = signed_in_as(app, person)
        headers = {"X-CSRFToken": client.csrf_token()}
        with count_statements(app) as statements:
            response = client.post(
                "/account/delete",
                data={"password": TEST_PASSWORD, "posts": "delete"},
                headers=headers,
                csrf=False,
            )
        assert response.status_code == 303
        assert len(set(statements)) == len(statements), "a statement runs twice"
        counts.append(len(statements))

    assert counts[0] == counts[1]

"""Skill claims with evidence, their validation and history, and the passport."""

import io
import json
from pathlib import Path

from sqlalchemy import func, select

from hcimv_lc.extensions import db
from hcimv_lc.notifications.models import Notification
from hcimv_lc.skills.models import ClaimEvent, EvidenceFile, Skill, SkillClaim
from tests.conftest import PNG

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def ids_of(app, model, column, value):
    with app.app_context():
        return db.session.scalar(select(model.id).where(column == value))


def claim_form(app, world, **fields):
    data = {
        "skill": str(ids_of(app, Skill, Skill.slug, "warmtepomp-inregelen")),
        "community": str(world_community(app, world.closed)),
        "level": "3",
        "narrative": "Ik heb **zelf** de warmtepomp bij de Vries ingeregeld.",
    }
    data.update(fields)
    return data


def world_community(app, slug):
    from hcimv_lc.communities.models import Community

    return ids_of(app, Community, Community.slug, slug)


def claims_of(app, person):
    with app.app_context():
        query = select(SkillClaim).where(SkillClaim.user_id == person.id)
        return db.session.scalars(query.order_by(SkillClaim.id)).all()


def withdraw_existing_claim(as_persona, world):
    """The world's participant already has an open heat pump claim in `closed`."""
    as_persona("participant").post(f"/claims/{world.ids['claim']}/withdraw")


def test_participant_claims_a_skill_with_an_entry_a_link_and_a_photo(
    app, as_persona, world
):
    withdraw_existing_claim(as_persona, world)
    client = as_persona("participant")
    data = claim_form(
        app,
        world,
        entries=str(world.ids["community_entry"]),
        link_url="https://example.org/foto-album",
        link_title="Foto's van het werk",
        file=(io.BytesIO(PNG), "werk.png"),
    )

    response = client.post("/claims/new", data=data, content_type="multipart/form-data")

    assert response.status_code == 303
    claim = claims_of(app, world.person("participant"))[-1]
    with app.app_context():
        claim = db.session.merge(claim)
        assert (claim.status, claim.level) == ("submitted", 3)
        assert [entry.id for entry in claim.entries] == [world.ids["community_entry"]]
        assert claim.links[0].url == "https://example.org/foto-album"
        stored = claim.files[0]
        assert (stored.filename, stored.content_type) == ("werk.png", "image/png")
        assert [event.step for event in claim.events] == ["submitted"]
        told = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == world.person("facilitator").id,
                Notification.kind == "skill_claim",
            )
        )
    assert told == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>zelf</strong>" in page and "werk.png" in page


def test_evidence_file_is_stored_outside_static_and_served_as_an_attachment(
    app, as_persona, world
):
    client = as_persona("facilitator")
    path = f"/claims/{world.ids['claim']}/files/{world.ids['claim_file']}"

    response = client.get(path)

    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    with app.app_context():
        stored = db.session.get(EvidenceFile, world.ids["claim_file"])
        folder = Path(app.config["UPLOAD_FOLDER"])
        assert (folder / stored.stored_name[:2] / stored.stored_name).is_file()
    assert "static" not in str(folder)


def test_upload_of_another_type_is_refused_beside_the_field_and_keeps_the_text(
    app, as_persona, world
):
    withdraw_existing_claim(as_persona, world)
    client = as_persona("participant")
    before = len(claims_of(app, world.person("participant")))
    # An HTML page named like a photo: the content decides, not the name.
    fake = (io.BytesIO(b"<html><script>alert(1)</script></html>"), "foto.png")

    response = client.post(
        "/claims/new",
        data=claim_form(app, world, file=fake, narrative="Mijn eigen verhaal"),
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Alleen foto" in page and "Mijn eigen verhaal" in page
    assert len(claims_of(app, world.person("participant"))) == before


def test_upload_larger_than_ten_megabytes_answers_413_and_keeps_nothing(
    app, as_persona, world
):
    withdraw_existing_claim(as_persona, world)
    client = as_persona("participant")
    before = len(claims_of(app, world.person("participant")))
    folder = Path(app.config["UPLOAD_FOLDER"])
    files_before = sorted(folder.rglob("*"))
    big = io.BytesIO(PDF + b"0" * (10 * 1024 * 1024))

    response = client.post(
        "/claims/new",
        data=claim_form(app, world, file=(big, "groot.pdf")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 413
    assert len(claims_of(app, world.person("participant"))) == before
    assert sorted(folder.rglob("*")) == files_before


def test_file_names_cannot_reach_outside_the_upload_folder(app, as_persona, world):
    client = as_persona("participant")
    path = f"/claims/{world.ids['claim']}/evidence"

    response = client.post(
        path,
        data={"file": (io.BytesIO(PDF), "../../../etc/pass\x00wd.pdf")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 303
    with app.app_context():
        stored = db.session.scalars(
            select(EvidenceFile).order_by(EvidenceFile.id.desc())
        ).first()
        assert stored.filename == "passwd.pdf"
        assert len(stored.stored_name) == 32 and stored.stored_name.isalnum()
        target = Path(app.config["UPLOAD_FOLDER"]) / stored.stored_name[:2]
        assert (target / stored.stored_name).read_bytes() == PDF


def test_claim_without_any_evidence_asks_for_it_beside_the_narrative(
    app, as_persona, world
):
    withdraw_existing_claim(as_persona, world)
    client = as_persona("participant")

    response = client.post("/claims/new", data=claim_form(app, world, narrative=""))

    assert response.status_code == 200
    assert "Geef bewijs" in response.get_data(as_text=True)


def test_a_private_entry_cannot_be_linked_as_evidence(app, as_persona, world):
    client = as_persona("participant")

    client.post(
        f"/claims/{world.ids['claim']}/evidence",
        data={"entries": str(world.ids["private_entry"])},
    )

    with app.app_context():
        claim = db.session.get(SkillClaim, world.ids["claim"])
        assert world.ids["private_entry"] not in [entry.id for entry in claim.entries]


def test_facilitator_asks_for_more_then_validates_and_history_keeps_every_step(
    app, as_persona, world
):
    facilitator = as_persona("facilitator")
    participant = as_persona("participant")
    claim_path = f"/claims/{world.ids['claim']}"

    asked = facilitator.post(
        f"{claim_path}/review",
        data={"decision": "more", "level": "3", "comment": "Stuur een foto."},
    )
    participant.post(
        f"{claim_path}/evidence",
        data={"link_url": "https://example.org/foto", "link_title": "Foto"},
    )
    resent = participant.post(f"{claim_path}/resubmit", data={"comment": "Gedaan"})
    validated = facilitator.post(
        f"{claim_path}/review",
        data={"decision": "validate", "level": "2", "comment": "Goed gedaan"},
    )

    assert (asked.status_code, resent.status_code, validated.status_code) == (
        303,
        303,
        303,
    )
    with app.app_context():
        claim = db.session.get(SkillClaim, world.ids["claim"])
        steps = [
            (event.step, event.actor.name if event.actor else None)
            for event in db.session.scalars(
                select(ClaimEvent)
                .where(ClaimEvent.claim_id == claim.id)
                .order_by(ClaimEvent.id)
            )
        ]
        assert (claim.status, claim.level) == ("validated", 2)
        assert claim.validated_by_id == world.person("facilitator").id
    assert steps == [
        ("submitted", "Piet Deelnemer"),
        ("more_asked", "Fatima Facilitator"),
        ("evidence_added", "Piet Deelnemer"),
        ("resubmitted", "Piet Deelnemer"),
        ("validated", "Fatima Facilitator"),
    ]
    page = participant.get(claim_path).get_data(as_text=True)
    assert "Stuur een foto." in page and "Goed gedaan" in page


def test_asking_for_more_without_saying_what_is_refused(app, as_persona, world):
    response = as_persona("facilitator").post(
        f"/claims/{world.ids['claim']}/review",
        data={"decision": "more", "level": "3", "comment": "  "},
    )

    assert response.status_code == 400
    assert "Schrijf welk bewijs nog ontbreekt" in response.get_data(as_text=True)


def test_nobody_validates_their_own_claim(app, as_persona, world):
    client = as_persona("facilitator")
    client.post(
        "/claims/new",
        data=claim_form(app, world, narrative="Ik kan dit zelf."),
    )
    own = claims_of(app, world.person("facilitator"))[-1]

    response = client.post(
        f"/claims/{own.id}/review",
        data={"decision": "validate", "level": "3", "comment": ""},
    )

    assert response.status_code == 403
    assert claims_of(app, world.person("facilitator"))[-1].status == "submitted"


def test_claim_in_a_community_one_is_not_in_is_refused(app, as_persona, world):
    before = len(claims_of(app, world.person("participant")))

    response = as_persona("participant").post(
        "/claims/new",
        data=claim_form(app, world, community=str(world_community(app, world.other))),
    )

    assert response.status_code == 200
    assert "Ongeldige keuze" in response.get_data(as_text=True)
    assert len(claims_of(app, world.person("participant"))) == before


def test_passport_shows_validated_level_and_downloads_as_json(app, as_persona, world):
    client = as_persona("participant")

    page = client.get("/passport").get_data(as_text=True)
    download = client.get("/passport.json")

    assert "Veilig werken op hoogte" in page and "Gevalideerd" in page
    assert download.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(download.data)
    skills = {item["slug"]: item for item in document["skills"]}
    assert skills["veilig-werken"]["validated_level"] == 3
    assert skills["warmtepomp-inregelen"]["validated_level"] is None
    heat_pump = skills["warmtepomp-inregelen"]["claims"][0]
    assert heat_pump["evidence"]["files"][0]["filename"] == "foto.png"
    assert heat_pump["history"][0]["step"] == "submitted"
    assert document["person"]["email"] == "participant@example.org"
    assert "researcher2@example.org" not in download.get_data(as_text=True)


def test_passport_has_a_print_stylesheet(app, client):
    css = client.get("/static/css/app.css").get_data(as_text=True)

    assert "@media print" in css and ".no-print" in css


def test_review_queue_lists_open_claims_of_led_communities_only(app, as_persona, world):
    mine = as_persona("facilitator").get("/claims/review").get_data(as_text=True)
    theirs = (
        as_persona("other_facilitator").get("/claims/review").get_data(as_text=True)
    )

    assert f"/claims/{world.ids['claim']}" in mine
    assert f"/claims/{world.ids['other_claim']}" not in mine
    assert f"/claims/{world.ids['other_claim']}" in theirs
    assert f"/claims/{world.ids['claim']}" not in theirs


def test_an_entry_of_another_community_cannot_be_linked(app, as_persona, world):
    from hcimv_lc.logbook.models import LogEntry

    open_id = world_community(app, world.open)
    with app.app_context():
        entry = db.session.get(LogEntry, world.ids["community_entry"])
        elsewhere = LogEntry(
            author_id=entry.author_id,
            community_id=open_id,
            date=entry.date,
            minutes=30,
            kind="informal",
            subtype="peer",
            what="Elders geleerd",
            visibility="community",
        )
        db.session.add(elsewhere)
        db.session.commit()
        elsewhere_id = elsewhere.id

    response = as_persona("participant").post(
        f"/claims/{world.ids['claim']}/evidence", data={"entries": str(elsewhere_id)}
    )

    assert response.status_code == 400
    assert "Kies activiteiten uit deze leergemeenschap" in response.get_data(
        as_text=True
    )


def test_entry_made_private_after_linking_is_hidden_from_the_facilitator(
    app, as_persona, world
):
    from hcimv_lc.logbook.models import LogEntry

    with app.app_context():
        entry = db.session.get(LogEntry, world.ids["facilitators_entry"])
        entry.visibility = "private"
        what = entry.what
        db.session.commit()

    page = as_persona("facilitator").get(f"/claims/{world.ids['claim']}")

    assert what not in page.get_data(as_text=True)


def test_a_claim_submitted_twice_at_once_is_kept_once(
    app, as_persona, world, monkeypatch
):
    from hcimv_lc.skills import service

    # Both requests passed the check before either was written.
    monkeypatch.setattr(service, "open_claim_for", lambda *args: None)
    client = as_persona("participant")
    before = len(claims_of(app, world.person("participant")))

    response = client.post("/claims/new", data=claim_form(app, world))

    assert response.status_code == 200
    assert "al een open claim" in response.get_data(as_text=True)
    assert len(claims_of(app, world.person("participant"))) == before

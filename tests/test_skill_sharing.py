"""Share links to the passport, and Open Badges issued, verified and revoked."""

import base64
import json
import re
from datetime import date, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from hcimv_lc.badges.models import Credential
from hcimv_lc.extensions import db
from hcimv_lc.skills.models import ShareLink, Skill, SkillClaim


def skill_id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Skill.id).where(Skill.slug == slug))


def share(client, app, *slugs, expires=None):
    return client.post(
        "/passport/shares",
        data={
            "label": "Sollicitatie De Vries",
            "expires_on": (expires or date.today() + timedelta(days=14)).isoformat(),
            "skills": [str(skill_id(app, slug)) for slug in slugs],
        },
    )


def new_share_path(client) -> str:
    page = client.get("/passport/shares").get_data(as_text=True)
    return re.search(r'value="http://localhost(/s/[^"]+)"', page).group(1)


def test_share_link_shows_picked_validated_skills_once_made(app, as_persona, world):
    client = as_persona("participant")

    response = share(client, app, "veilig-werken")
    path = new_share_path(client)
    visitor = app.test_client()
    page = visitor.get(path)

    assert response.status_code == 303
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Veilig werken op hoogte" in text and "Piet Deelnemer" in text
    assert page.headers["X-Robots-Tag"] == "noindex"
    # The link is shown once; its page no longer holds it.
    assert path not in client.get("/passport/shares").get_data(as_text=True)


def test_share_link_never_shows_an_unvalidated_or_unpicked_skill(
    app, as_persona, world
):
    client = as_persona("participant")
    # The participant's heat pump claim is only submitted.
    refused = share(client, app, "warmtepomp-inregelen")
    heat_pump = skill_id(app, "warmtepomp-inregelen")
    with app.app_context():
        # A second validated skill that the live link of the world did not pick.
        claim = SkillClaim(
            user_id=world.person("participant").id,
            community_id=db.session.get(SkillClaim, world.ids["claim"]).community_id,
            skill_id=heat_pump,
            level=2,
            status="validated",
        )
        db.session.add(claim)
        db.session.commit()

    page = app.test_client().get(f"/s/{world.ids['share_token']}")

    assert refused.status_code == 400
    assert "Kies alleen vaardigheden die gevalideerd zijn" in refused.get_data(
        as_text=True
    )
    text = page.get_data(as_text=True)
    assert "Veilig werken op hoogte" in text
    assert "Warmtepomp inregelen" not in text


def test_share_link_counts_its_views(app, world):
    visitor = app.test_client()

    for _ in range(3):
        visitor.get(f"/s/{world.ids['share_token']}")

    with app.app_context():
        link = db.session.get(ShareLink, world.ids["share_link"])
        assert link.views == 3
        assert link.last_viewed_at is not None


def test_revoked_share_link_answers_410_with_a_readable_page(app, as_persona, world):
    client = as_persona("participant")

    client.post(f"/passport/shares/{world.ids['share_link']}/revoke")
    response = app.test_client().get(f"/s/{world.ids['share_token']}")

    assert response.status_code == 410
    assert "ingetrokken" in response.get_data(as_text=True)


def test_expired_share_link_answers_410_and_says_until_when(app, world):
    response = app.test_client().get(f"/s/{world.ids['expired_token']}")

    assert response.status_code == 410
    assert "was geldig tot en met" in response.get_data(as_text=True)


def test_share_link_expiry_must_lie_ahead_and_within_a_year(app, as_persona, world):
    client = as_persona("participant")

    past = share(client, app, "veilig-werken", expires=date.today())
    far = share(client, app, "veilig-werken", expires=date.today() + timedelta(400))

    assert (past.status_code, far.status_code) == (400, 400)
    assert "Kies een datum na vandaag" in past.get_data(as_text=True)
    assert "hoogstens een jaar" in far.get_data(as_text=True)


def test_another_persons_share_link_cannot_be_revoked(app, as_persona, world):
    response = as_persona("facilitator").post(
        f"/passport/shares/{world.ids['share_link']}/revoke"
    )

    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(ShareLink, world.ids["share_link"]).revoked_at is None


def jwk_public_key(client) -> Ed25519PublicKey:
    (key,) = client.get("/badges/keys.json").get_json()["keys"]
    raw = base64.urlsafe_b64decode(key["x"] + "=" * (-len(key["x"]) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def test_participant_issues_a_badge_that_verifies_with_the_published_key(
    app, as_persona, world
):
    client = as_persona("participant")
    claim_id = world.ids["validated_claim"]
    client.post(f"/badges/{world.ids['credential']}/revoke", data={"reason": "Opnieuw"})

    response = client.post(f"/claims/{claim_id}/badge")

    assert response.status_code == 303
    visitor = app.test_client()
    page = visitor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Echt en geldig" in page
    uuid = response.headers["Location"].rsplit("/", 1)[1]
    token = visitor.get(f"/badges/{uuid}/credential.jwt").get_data(as_text=True)
    header, payload, signature = token.split(".")
    jwk_public_key(visitor).verify(
        base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
        f"{header}.{payload}".encode(),
    )
    document = visitor.get(f"/badges/{uuid}/credential.json").get_json()
    assert document["id"] == f"urn:uuid:{uuid}"
    assert "OpenBadgeCredential" in document["type"]
    assert visitor.get(f"/badges/{uuid}/verify.json").get_json()["status"] == "valid"


def test_revoked_badge_is_reported_as_revoked(app, as_persona, world):
    uuid = world.ids["credential"]

    response = as_persona("facilitator").post(
        f"/badges/{uuid}/revoke", data={"reason": "Ten onrechte gevalideerd"}
    )

    visitor = app.test_client()
    assert response.status_code == 303
    check = visitor.get(f"/badges/{uuid}/verify.json").get_json()
    assert (check["status"], check["signature"]) == ("revoked", "valid")
    listed = visitor.get("/badges/revocations.json").get_json()
    assert f"urn:uuid:{uuid}" in [item["id"] for item in listed["revokedCredentials"]]
    public = visitor.get(f"/badges/{uuid}").get_data(as_text=True)
    assert "Ingetrokken" in public
    # The reason may name people: only the holder and the facilitators read it.
    assert "Ten onrechte gevalideerd" not in public + json.dumps(check) + str(listed)
    holder = as_persona("participant").get(f"/badges/{uuid}").get_data(as_text=True)
    assert "Ten onrechte gevalideerd" in holder


def test_badge_revoked_by_a_facilitator_cannot_be_issued_again(app, as_persona, world):
    as_persona("facilitator").post(
        f"/badges/{world.ids['credential']}/revoke", data={"reason": "Twijfel"}
    )
    client = as_persona("participant")

    response = client.post(f"/claims/{world.ids['validated_claim']}/badge")

    assert response.status_code == 403
    with app.app_context():
        claim = db.session.get(SkillClaim, world.ids["validated_claim"])
        assert claim.status == "more_asked"
        assert len(db.session.scalars(select(Credential)).all()) == 1
    page = client.get("/passport").get_data(as_text=True)
    assert "Meer bewijs gevraagd" in page


def test_revoking_twice_says_it_was_revoked_already(app, as_persona, world):
    client = as_persona("participant")
    path = f"/badges/{world.ids['credential']}/revoke"

    client.post(path, data={"reason": ""})
    again = client.post(path, data={"reason": ""})

    assert again.status_code == 303
    assert "al ingetrokken" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )


def test_too_long_revocation_reason_is_refused_beside_the_field(app, as_persona, world):
    response = as_persona("participant").post(
        f"/badges/{world.ids['credential']}/revoke", data={"reason": "x" * 300}
    )

    assert response.status_code == 400
    assert "Hoogstens 200 tekens" in response.get_data(as_text=True)
    with app.app_context():
        credential = db.session.scalar(
            select(Credential).where(Credential.uuid == world.ids["credential"])
        )
        assert credential.revoked_at is None


def test_second_badge_for_the_same_claim_is_refused_while_one_is_valid(
    app, as_persona, world
):
    client = as_persona("participant")

    response = client.post(f"/claims/{world.ids['validated_claim']}/badge")

    assert response.status_code == 303
    assert "al een badge" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        count = len(db.session.scalars(select(Credential)).all())
    assert count == 1


def test_badge_without_the_platform_key_says_so_and_issues_nothing(
    app, as_persona, world, tmp_path, monkeypatch
):
    client = as_persona("participant")
    client.post(f"/badges/{world.ids['credential']}/revoke", data={"reason": ""})
    monkeypatch.setitem(app.config, "BADGE_KEY_PATH", str(tmp_path / "missing.pem"))

    response = client.post(f"/claims/{world.ids['validated_claim']}/badge")

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sleutel van het platform ontbreekt" in page
    with app.app_context():
        assert len(db.session.scalars(select(Credential)).all()) == 1


def test_a_forged_credential_is_reported_invalid(app, world):
    with app.app_context():
        credential = db.session.scalar(
            select(Credential).where(Credential.uuid == world.ids["credential"])
        )
        header, payload, signature = credential.jwt.split(".")
        document = json.loads(base64.urlsafe_b64decode(payload + "=="))
        document["name"] = "Iets anders"
        forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=")
        credential.jwt = f"{header}.{forged.decode()}.{signature}"
        db.session.commit()

    check = app.test_client().get(f"/badges/{world.ids['credential']}/verify.json")

    assert check.get_json()["status"] == "invalid"


def test_service_refuses_a_share_link_to_an_unvalidated_skill(app, world):
    from hcimv_lc.accounts.models import User
    from hcimv_lc.skills.service import ClaimError, create_share_link

    with app.test_request_context():
        person = db.session.get(User, world.person("participant").id)
        heat_pump = db.session.scalar(
            select(Skill.id).where(Skill.slug == "warmtepomp-inregelen")
        )
        try:
            create_share_link(person, "x", date.today(), [heat_pump])
        except ClaimError as error:
            assert error.field == "skills"
        else:
            raise AssertionError("an unvalidated skill was shared")


def test_badges_signed_before_a_key_change_still_verify(
    app, as_persona, world, tmp_path, monkeypatch
):
    from hcimv_lc.badges.keys import create_key

    key_path = tmp_path / "badge.pem"
    create_key(key_path)
    monkeypatch.setitem(app.config, "BADGE_KEY_PATH", str(key_path))
    client = as_persona("participant")
    client.post(f"/badges/{world.ids['credential']}/revoke", data={"reason": ""})
    issued = client.post(f"/claims/{world.ids['validated_claim']}/badge")
    uuid = issued.headers["Location"].rsplit("/", 1)[1]

    create_key(key_path, force=True)

    visitor = app.test_client()
    assert visitor.get(f"/badges/{uuid}/verify.json").get_json()["status"] == "valid"
    assert len(visitor.get("/badges/keys.json").get_json()["keys"]) == 2

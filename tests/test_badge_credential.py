"""Open Badges 3.0 credentials: the document, its VC-JWT signature and the key."""

import base64
import hashlib
import json
import re
import stat
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from jsonschema import Draft201909Validator, FormatChecker
from sqlalchemy import select

from hcimv_lc import config
from hcimv_lc.badges.cli import badges
from hcimv_lc.badges.credential import (
    EXTENSIONS_CONTEXT,
    OB_CONTEXT,
    VC_CONTEXT,
    BadgeUrls,
    BadSignature,
    UnknownContext,
    build_credential,
    document_loader,
    sign,
    verify,
)
from hcimv_lc.badges.keys import (
    MissingKey,
    create_key,
    key_id,
    load_private_key,
    public_jwk,
)
from hcimv_lc.badges.models import Credential
from hcimv_lc.communities.models import Community
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.organisations.models import Organisation
from hcimv_lc.skills.models import (
    ClaimStatus,
    EvidenceFile,
    EvidenceLink,
    Level,
    Skill,
    SkillClaim,
)

SCHEMAS = Path(__file__).parent / "schemas"
# 1EdTech publishes the schema in two forms: the JSON-LD adaptation and the formal
# one, which demands arrays where the other takes single values. Both must pass.
SCHEMA_FILES = [
    "ob_v3p0_achievementcredential_schema.json",
    "ob_v3p0_achievementcredential_schema_strict.json",
]
SITE = "https://leren.example.org"
CREDENTIAL_UUID = "4f0b6c1e-8d2a-4e57-9a41-2b7d0c9e3f15"
ISSUED_AT = datetime(2025, 3, 14, 9, 30, 15, 123456, tzinfo=UTC)
KID_URL = f"{SITE}/badges/keys.json#platform"
ESCO_URI = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000042"
JWT_CLAIMS = {"iss", "jti", "nbf", "iat", "sub"}
RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


def urls_for(skill_slug: str) -> BadgeUrls:
    return BadgeUrls(
        credential=f"{SITE}/badges/{CREDENTIAL_UUID}",
        issuer=f"{SITE}/badges/issuers/community-besloten-kring",
        achievement=f"{SITE}/badges/achievements/{skill_slug}",
        status=f"{SITE}/badges/revocations.json",
    )


@pytest.fixture
def make_claim(app, world):
    """Return a factory of validated skill claims of `participant` in `closed`.

    Each claim has the narrative, `community_entry` as its log entry, a link and a
    file; `esco` gives its skill an ESCO concept, `organisation` puts the community
    under Saxion.
    """

    def make(slug: str = "warmtepomp-afstellen", esco: bool = True, **options):
        with app.app_context():
            community = db.session.scalar(
                select(Community).where(Community.slug == world.closed)
            )
            if options.get("organisation"):
                organisation = db.session.get(Organisation, world.organisation_id)
                organisation.website = options.get("website")
                community.organisation = organisation
            skill = Skill(
                slug=slug,
                name_nl="Een warmtepomp inregelen",
                name_en="Commissioning a heat pump",
                description="Een warmtepomp afstellen op het huis en de bewoners.",
                esco_uri=ESCO_URI if esco else None,
                esco_version="1.2.0" if esco else None,
            )
            claim = SkillClaim(
                user_id=world.person("participant").id,
                skill=skill,
                community_id=community.id,
                level=Level.INDEPENDENT,
                narrative="Ik regelde **drie** warmtepompen in bij klanten.",
                status=ClaimStatus.VALIDATED,
                validated_at=datetime(2025, 3, 10, 14, 0, tzinfo=UTC),
                validated_by_id=world.person("facilitator").id,
            )
            claim.entries = [db.session.get(LogEntry, world.ids["community_entry"])]
            claim.links = [
                EvidenceLink(
                    url="https://video.example.org/inregelen", title="Video van de klus"
                )
            ]
            claim.files = [
                EvidenceFile(
                    stored_name="f" * 32,
                    filename="werkbon-maart.pdf",
                    content_type="application/pdf",
                    size=2048,
                    sha256="0" * 64,
                )
            ]
            db.session.add(claim)
            db.session.commit()
            return claim.id

    return make


@pytest.fixture
def credential_for(app):
    """Return a function that builds the credential of a claim, given its id."""

    def build(claim_id: int) -> dict:
        with app.app_context():
            claim = db.session.get(SkillClaim, claim_id)
            return build_credential(
                claim,
                credential_uuid=CREDENTIAL_UUID,
                issued_at=ISSUED_AT,
                urls=urls_for(claim.skill.slug),
            )

    return build


@pytest.fixture(scope="module", params=SCHEMA_FILES, ids=["json-ld", "strict"])
def schema_validator(request) -> Draft201909Validator:
    """The official OB 3.0 schema, checking date-time formats too."""
    schema = json.loads((SCHEMAS / request.param).read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    # jsonschema only checks date-time with an optional package; this is RFC 3339.
    formats = FormatChecker()

    @formats.checks("date-time", raises=ValueError)
    def is_date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not RFC3339.fullmatch(value):
            return False
        datetime.fromisoformat(value.upper())
        return True

    return Draft201909Validator(schema, format_checker=formats)


def b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def evidence_named(document: dict, genre: str) -> list[dict]:
    return [item for item in document["evidence"] if item.get("genre") == genre]


@pytest.mark.parametrize("esco", [True, False], ids=["with ESCO", "without ESCO"])
def test_credential_of_a_validated_claim_meets_the_open_badges_schema(
    make_claim, credential_for, schema_validator, esco
):
    document = credential_for(make_claim(esco=esco))

    errors = [error.message for error in schema_validator.iter_errors(document)]
    assert errors == []
    assert document["@context"] == [VC_CONTEXT, OB_CONTEXT, EXTENSIONS_CONTEXT]
    assert document["id"] == f"urn:uuid:{CREDENTIAL_UUID}"
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["validFrom"] == "2025-03-14T09:30:15Z"
    assert json.loads(json.dumps(document)) == document


def test_schema_check_catches_a_credential_without_achievement(
    make_claim, credential_for, schema_validator
):
    document = credential_for(make_claim())

    del document["credentialSubject"]["achievement"]
    document["validFrom"] = "14 maart 2025"

    messages = " ".join(
        error.message for error in schema_validator.iter_errors(document)
    )
    assert "'achievement' is a required property" in messages
    assert "is not a 'date-time'" in messages


def test_every_address_in_the_credential_is_an_absolute_uri(make_claim, credential_for):
    document = credential_for(make_claim())

    def addresses(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in {"id", "url", "targetUrl", "achievedLevel"} or (
                    key == "resultDescription" and isinstance(item, str)
                ):
                    yield item
                else:
                    yield from addresses(item)
        elif isinstance(value, list):
            for item in value:
                yield from addresses(item)

    found = list(addresses(document))
    assert len(found) > 10
    assert all(urlsplit(address).scheme for address in found), found


def test_claimed_level_points_into_the_achievements_four_levels(
    make_claim, credential_for
):
    subject = credential_for(make_claim())["credentialSubject"]

    result = subject["result"][0]
    (description,) = subject["achievement"]["resultDescription"]
    levels = {level["id"]: level for level in description["rubricCriterionLevel"]}
    assert description["resultType"] == "RubricCriterionLevel"
    assert result["resultDescription"] == description["id"]
    assert [level["level"] for level in levels.values()] == ["1", "2", "3", "4"]
    assert levels[result["achievedLevel"]]["name"] == "Kan het zelfstandig"


def test_achievement_is_a_dutch_competency_the_same_in_every_community(
    make_claim, credential_for
):
    achievement = credential_for(make_claim())["credentialSubject"]["achievement"]

    assert achievement["id"] == f"{SITE}/badges/achievements/warmtepomp-afstellen"
    assert achievement["achievementType"] == "Competency"
    assert achievement["name"] == "Een warmtepomp inregelen"
    assert achievement["inLanguage"] == "nl"
    assert achievement["tag"] == ["Commissioning a heat pump"]
    narrative = achievement["criteria"]["narrative"]
    assert "4. **Kan het anderen leren**" in narrative
    assert "Besloten Kring" not in narrative


def test_skill_with_an_esco_uri_is_aligned_to_esco(make_claim, credential_for):
    achievement = credential_for(make_claim())["credentialSubject"]["achievement"]

    assert achievement["alignment"] == [
        {
            "type": ["Alignment"],
            "targetName": "Commissioning a heat pump",
            "targetUrl": ESCO_URI,
            "targetFramework": "ESCO",
            "targetType": "ext:ESCOSkill",
            "targetDescription": "ESCO-versie 1.2.0",
        }
    ]


def test_skill_without_an_esco_uri_has_no_alignment(make_claim, credential_for):
    document = credential_for(make_claim(esco=False))

    assert "alignment" not in document["credentialSubject"]["achievement"]
    assert "esco" not in json.dumps(document).lower()


def test_evidence_lists_narrative_log_entry_link_and_file_by_name(
    make_claim, credential_for, world
):
    document = credential_for(make_claim())

    narrative, entry, link, upload = document["evidence"]
    assert narrative["narrative"] == "Ik regelde **drie** warmtepompen in bij klanten."
    assert entry["name"].endswith(" · Geleerd (community)")
    assert entry["description"] == "30 minuten"
    assert link["id"] == "https://video.example.org/inregelen"
    assert link["name"] == "Video van de klus"
    assert upload == {
        "type": ["Evidence"],
        "name": "werkbon-maart.pdf",
        "description": "Alleen in te zien op het platform.",
        "genre": "Bestand",
    }
    assert document["credentialSubject"]["activityEndDate"].endswith("T00:00:00Z")


def test_credential_holds_no_reflection_no_plain_email_and_no_name(
    make_claim, credential_for, world
):
    participant = world.person("participant")

    text = json.dumps(credential_for(make_claim()), ensure_ascii=False)

    assert "reflectie" not in text
    assert participant.email not in text
    assert participant.name not in text
    assert "Fatima" not in text
    assert "f" * 32 not in text


def test_hashed_email_is_confirmed_by_whoever_knows_the_address(
    make_claim, credential_for, world
):
    claim_id = make_claim()

    first = credential_for(claim_id)["credentialSubject"]["identifier"]
    second = credential_for(claim_id)["credentialSubject"]["identifier"]

    (identity,) = first
    digest = hashlib.sha256(
        (world.person("participant").email + identity["salt"]).encode()
    ).hexdigest()
    assert identity["identityHash"] == f"sha256${digest}"
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    assert second[0]["identityHash"] != identity["identityHash"]


def test_issuer_is_the_community_when_it_has_no_organisation(
    make_claim, credential_for
):
    issuer = credential_for(make_claim())["issuer"]

    assert issuer == {
        "id": f"{SITE}/badges/issuers/community-besloten-kring",
        "type": ["Profile"],
        "name": "Besloten Kring",
    }


def test_issuer_is_the_communitys_organisation_with_its_website(
    make_claim, credential_for
):
    claim_id = make_claim(organisation=True, website="https://www.saxion.nl")

    issuer = credential_for(claim_id)["issuer"]

    assert issuer["name"] == "Saxion"
    assert issuer["url"] == "https://www.saxion.nl"


def test_organisation_website_without_scheme_is_left_out(make_claim, credential_for):
    claim_id = make_claim(organisation=True, website="www.saxion.nl")

    issuer = credential_for(claim_id)["issuer"]

    assert issuer["name"] == "Saxion"
    assert "url" not in issuer


def test_signature_verifies_with_the_published_public_key(make_claim, credential_for):
    private_key = Ed25519PrivateKey.generate()
    document = credential_for(make_claim())

    token = sign(document, private_key, kid_url=KID_URL)

    header_segment, payload_segment, signature_segment = token.split(".")
    jwk = public_jwk(private_key.public_key())
    published = Ed25519PublicKey.from_public_bytes(b64decode(jwk["x"]))
    published.verify(
        b64decode(signature_segment), f"{header_segment}.{payload_segment}".encode()
    )
    assert "=" not in token
    assert json.loads(b64decode(header_segment)) == {
        "alg": "EdDSA",
        "typ": "JWT",
        "kid": KID_URL,
    }
    payload = json.loads(b64decode(payload_segment))
    assert payload["iss"] == document["issuer"]["id"]
    assert payload["jti"] == f"urn:uuid:{CREDENTIAL_UUID}"
    assert payload["nbf"] == int(ISSUED_AT.replace(microsecond=0).timestamp())
    assert isinstance(payload["iat"], int)
    assert "sub" not in payload
    assert {key: value for key, value in payload.items() if key not in JWT_CLAIMS} == (
        document
    )


def test_verify_returns_the_payload_of_a_genuine_token(make_claim, credential_for):
    private_key = Ed25519PrivateKey.generate()
    document = credential_for(make_claim())
    token = sign(document, private_key, kid_url=KID_URL)

    payload = verify(token, private_key.public_key())

    assert payload["credentialSubject"] == document["credentialSubject"]
    assert payload["jti"] == document["id"]


def test_changed_payload_fails_verification(make_claim, credential_for):
    private_key = Ed25519PrivateKey.generate()
    token = sign(credential_for(make_claim()), private_key, kid_url=KID_URL)
    header_segment, payload_segment, signature_segment = token.split(".")
    payload = json.loads(b64decode(payload_segment))
    result = payload["credentialSubject"]["result"][0]
    result["achievedLevel"] = result["achievedLevel"].replace("niveau-3", "niveau-4")
    forged_segment = b64encode(json.dumps(payload).encode())

    forged = f"{header_segment}.{forged_segment}.{signature_segment}"

    with pytest.raises(BadSignature):
        verify(forged, private_key.public_key())
    with pytest.raises(InvalidSignature):
        private_key.public_key().verify(
            b64decode(signature_segment), f"{header_segment}.{forged_segment}".encode()
        )


def test_token_signed_with_another_key_fails_verification(make_claim, credential_for):
    token = sign(
        credential_for(make_claim()), Ed25519PrivateKey.generate(), kid_url=KID_URL
    )

    with pytest.raises(BadSignature):
        verify(token, Ed25519PrivateKey.generate().public_key())


def test_token_claiming_another_algorithm_fails_verification(
    make_claim, credential_for
):
    private_key = Ed25519PrivateKey.generate()
    token = sign(credential_for(make_claim()), private_key, kid_url=KID_URL)
    _, payload_segment, signature_segment = token.split(".")
    header = b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())

    with pytest.raises(BadSignature):
        verify(
            f"{header}.{payload_segment}.{signature_segment}", private_key.public_key()
        )
    with pytest.raises(BadSignature):
        verify(f"{header}.{payload_segment}.", private_key.public_key())


EDDSA_HEADER = b64encode(b'{"alg":"EdDSA"}')
GARBAGE_TOKENS = [
    "",
    "   ",
    "no-dots-at-all",
    "two.parts",
    "a.b.c.d",
    "...",
    "!!!.***.###",
    "é.é.é",
    "a.a.a",
    f"{EDDSA_HEADER}.e30.{'A' * 86}\n",
    f"{EDDSA_HEADER}.e30.{'A' * 86}",
    f"{EDDSA_HEADER}.e30.AAAA",
    f"{b64encode(b'not json')}.e30.{'A' * 86}",
    f"{b64encode(b'[1, 2]')}.e30.{'A' * 86}",
    f"{b64encode(b'{}')}.e30.{'A' * 86}",
    f"{b64encode(bytes([0xFF, 0xFE]))}.e30.{'A' * 86}",
    f"{b64encode(b'[' * 100_000)}.e30.{'A' * 86}",
    b"bytes.are.refused",
    None,
]


@pytest.mark.parametrize("token", GARBAGE_TOKENS)
def test_garbage_token_raises_bad_signature(token):
    public_key = Ed25519PrivateKey.generate().public_key()

    with pytest.raises(BadSignature):
        verify(token, public_key)


def test_create_key_writes_an_owner_only_pem_and_returns_its_id(tmp_path):
    path = tmp_path / "instance" / "keys" / "badge_signing_key.pem"

    kid = create_key(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert kid == key_id(load_private_key(path).public_key())
    assert re.fullmatch(r"[0-9a-f]{16}", kid)


def test_create_key_refuses_to_overwrite_unless_forced(tmp_path):
    path = tmp_path / "badge_signing_key.pem"
    first = create_key(path)
    original = path.read_bytes()

    with pytest.raises(FileExistsError):
        create_key(path)
    assert path.read_bytes() == original

    second = create_key(path, force=True)
    assert second != first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_id(load_private_key(path).public_key()) == second
    retired = tmp_path / "badge_signing_key.pem.retired"
    assert sorted(tmp_path.iterdir()) == [path, retired]
    # Only the public half of the old key is kept.
    assert [item.name for item in retired.iterdir()] == [f"{first}.pem"]
    assert b"PRIVATE" not in (retired / f"{first}.pem").read_bytes()


@pytest.mark.parametrize("content", [None, b"", b"not a key", "rsa"])
def test_missing_or_unusable_key_names_the_path_and_the_command(tmp_path, content):
    path = tmp_path / "badge_signing_key.pem"
    if content == "rsa":
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        content = rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(MissingKey) as raised:
        load_private_key(path)

    assert str(path) in str(raised.value)
    assert "flask --app wsgi badges create-key" in str(raised.value)


def test_public_jwk_describes_the_ed25519_key():
    public_key = Ed25519PrivateKey.generate().public_key()

    jwk = public_jwk(public_key)

    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
    raw = b64decode(jwk["x"])
    assert [jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]] == [
        "OKP",
        "Ed25519",
        "EdDSA",
        "sig",
    ]
    assert "=" not in jwk["x"]
    assert Ed25519PublicKey.from_public_bytes(raw) == public_key
    assert jwk["kid"] == key_id(public_key) == hashlib.sha256(raw).hexdigest()[:16]


def test_create_key_command_writes_to_the_configured_path(app, tmp_path, monkeypatch):
    path = tmp_path / "instance" / "badge_signing_key.pem"
    monkeypatch.setitem(app.config, "BADGE_KEY_PATH", str(path))
    runner = app.test_cli_runner()

    created = runner.invoke(badges, ["create-key"])
    refused = runner.invoke(badges, ["create-key"])
    kept = key_id(load_private_key(path).public_key())
    replaced = runner.invoke(badges, ["create-key", "--force"])

    assert created.exit_code == 0, created.output
    assert kept in created.output and str(path) in created.output
    assert "PRIVATE KEY" not in created.output
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert replaced.exit_code == 0
    assert key_id(load_private_key(path).public_key()) != kept


def test_signing_key_lives_in_the_instance_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("BADGE_KEY_PATH", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")

    settings = config.load(tmp_path / "instance")

    assert settings["BADGE_KEY_PATH"] == str(
        tmp_path / "instance" / "badge_signing_key.pem"
    )


@pytest.mark.parametrize(
    "url, term",
    [
        (VC_CONTEXT, "VerifiableCredential"),
        (OB_CONTEXT, "OpenBadgeCredential"),
        (EXTENSIONS_CONTEXT, "1EdTechRevocationList"),
    ],
)
def test_document_loader_serves_the_vendored_contexts(url, term):
    loaded = document_loader(url)
    loaded["document"]["@context"].clear()

    again = document_loader(url)

    assert again["documentUrl"] == url
    assert again["contextUrl"] is None
    assert term in again["document"]["@context"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        f"{OB_CONTEXT}?version=2",
        "http://www.w3.org/ns/credentials/v2",
        "https://attacker.example.org/context.json",
        "file:///etc/passwd",
    ],
)
def test_document_loader_refuses_any_other_url(url):
    with pytest.raises(UnknownContext):
        document_loader(url)


def test_every_context_a_credential_names_is_served_locally(make_claim, credential_for):
    document = credential_for(make_claim())

    loaded = [document_loader(url)["documentUrl"] for url in document["@context"]]

    assert loaded == [VC_CONTEXT, OB_CONTEXT, EXTENSIONS_CONTEXT]


def test_badge_issued_by_the_platform_meets_the_schema_and_verifies(
    app, world, schema_validator
):
    with app.app_context():
        credential = db.session.scalar(
            select(Credential).where(Credential.uuid == world.ids["credential"])
        )
        document = json.loads(credential.document)
        token = credential.jwt
        stored_key_id = credential.key_id
    public_key = load_private_key(app.config["BADGE_KEY_PATH"]).public_key()

    payload = verify(token, public_key)

    assert list(schema_validator.iter_errors(document)) == []
    assert stored_key_id == key_id(public_key)
    assert payload["jti"] == document["id"] == f"urn:uuid:{world.ids['credential']}"

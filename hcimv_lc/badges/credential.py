"""Open Badges 3.0 credentials for validated skill claims, signed as VC-JWT."""

import base64
import binascii
import functools
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hcimv_lc.skills.models import Level, SkillClaim

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines the revocation list and schema validator types the credential names.
EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json"
)

# The JSON-LD contexts a verifier needs, vendored so nothing is fetched at run time.
CONTEXTS_FOLDER = Path(__file__).parent / "contexts"
CONTEXT_FILES = {
    VC_CONTEXT: "credentials-v2.jsonld",
    OB_CONTEXT: "ob-context-3.0.3.json",
    EXTENSIONS_CONTEXT: "ob-extensions.json",
}

# What the four levels mean, in the Dutch the credential is written in.
LEVELS = {
    Level.AWARE: (
        "Weet wat het is",
        "Weet wat de vaardigheid inhoudt en wanneer die nodig is.",
    ),
    Level.WITH_HELP: (
        "Kan het met hulp",
        "Past de vaardigheid toe met hulp of begeleiding van een ander.",
    ),
    Level.INDEPENDENT: (
        "Kan het zelfstandig",
        "Past de vaardigheid zelfstandig toe in het eigen werk.",
    ),
    Level.TEACHES: (
        "Kan het anderen leren",
        "Leert anderen de vaardigheid aan en begeleidt hen daarbij.",
    ),
}

SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


class BadSignature(ValueError):
    """Raised when a token is malformed or its signature does not verify."""


class UnknownContext(LookupError):
    """Raised for a JSON-LD context that is not vendored with the app."""


@dataclass(frozen=True)
class BadgeUrls:
    """The absolute addresses a credential points to, computed by the caller."""

    credential: str
    issuer: str
    achievement: str
    status: str


def build_credential(
    claim: SkillClaim, *, credential_uuid: str, issued_at: datetime, urls: BadgeUrls
) -> dict:
    """Return the OpenBadgeCredential, not yet signed, for a validated skill claim."""
    skill = claim.skill
    level = Level(claim.level)
    label = LEVELS[level][0]
    issued_at = as_utc(issued_at)
    validated_at = as_utc(claim.validated_at) if claim.validated_at else issued_at

    document = {
        "@context": [VC_CONTEXT, OB_CONTEXT, EXTENSIONS_CONTEXT],
        "id": f"urn:uuid:{credential_uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{skill.name_nl} · niveau {level.value}",
        "description": (
            f"Open Badge voor de vaardigheid {skill.name_nl} op niveau {level.value} "
            f"({label.lower()}), gevalideerd in de leergemeenschap "
            f"{claim.community.name}. Controleer de badge op {urls.credential}"
        ),
        "issuer": issuer_profile(claim.community, urls.issuer),
        "validFrom": timestamp(issued_at),
        "awardedDate": timestamp(validated_at),
        "credentialSubject": achievement_subject(claim, urls.achievement),
        "credentialStatus": {"id": urls.status, "type": "1EdTechRevocationList"},
        "credentialSchema": [
            {
                "id": ACHIEVEMENT_CREDENTIAL_SCHEMA,
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ],
    }
    evidence = claim_evidence(claim)
    if evidence:
        document["evidence"] = evidence

    return document


def issuer_profile(community, url: str) -> dict:
    """Return the community's organisation, or the community itself, as a Profile."""
    organisation = community.organisation
    profile = {
        "id": url,
        "type": ["Profile"],
        "name": organisation.name if organisation else community.name,
    }
    # A website typed without its scheme is no URL a wallet can follow.
    website = organisation.website if organisation else None
    if website and website.startswith(("https://", "http://")):
        profile["url"] = website

    return profile


def achievement_subject(claim: SkillClaim, achievement_url: str) -> dict:
    """Return who earned the badge, hashed, and the achievement with their level."""
    results_url = f"{achievement_url}#niveaus"
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [hashed_email(claim.user.email)],
        "achievement": achievement(claim.skill, achievement_url),
        "result": [
            {
                "type": ["Result"],
                "resultDescription": results_url,
                "achievedLevel": level_url(achievement_url, Level(claim.level)),
            }
        ],
    }
    dates = [entry.date for entry in claim.entries]
    if dates:
        subject["activityStartDate"] = timestamp(start_of_day(min(dates)))
        subject["activityEndDate"] = timestamp(start_of_day(max(dates)))

    return subject


def hashed_email(email: str) -> dict:
    """Return an IdentityObject that lets whoever knows the address confirm it."""
    # A fresh salt per credential keeps two badges of one person from being linked
    # by their hashes; the address is lower-cased as verifiers normally type it.
    salt = secrets.token_hex(16)
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8"))
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest.hexdigest()}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def achievement(skill, url: str) -> dict:
    """Return the skill as an Achievement with the four levels as its rubric.

    The same for every community, so that its URL can serve it unchanged.
    """
    results_url = f"{url}#niveaus"
    result = {
        "id": url,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": skill.name_nl,
        "inLanguage": "nl",
        "description": skill.description.strip()
        or f"De vaardigheid {skill.name_nl}, op vier niveaus beschreven.",
        "criteria": {"narrative": criteria_narrative(skill.name_nl)},
        "resultDescription": [
            {
                "id": results_url,
                "type": ["ResultDescription"],
                "name": "Niveau",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {
                        "id": level_url(url, level),
                        "type": ["RubricCriterionLevel"],
                        "level": str(level.value),
                        "name": name,
                        "description": description,
                    }
                    for level, (name, description) in LEVELS.items()
                ],
            }
        ],
    }
    # The name is a plain Dutch string, as the formal schema demands, so the English
    # name travels as a keyword that wallets can search on.
    if skill.name_en and skill.name_en != skill.name_nl:
        result["tag"] = [skill.name_en]
    if skill.esco_uri:
        result["alignment"] = [esco_alignment(skill)]

    return result


def esco_alignment(skill) -> dict:
    """Return the alignment of a skill to its ESCO concept."""
    alignment = {
        "type": ["Alignment"],
        "targetName": skill.name_en or skill.name_nl,
        "targetUrl": skill.esco_uri,
        "targetFramework": "ESCO",
        "targetType": "ext:ESCOSkill",
    }
    if skill.esco_version:
        alignment["targetDescription"] = f"ESCO-versie {skill.esco_version}"

    return alignment


def criteria_narrative(skill_name: str) -> str:
    """Return, in Markdown, what the levels mean and how the claim was judged."""
    levels = "\n".join(
        f"{level.value}. **{name}**: {description}"
        for level, (name, description) in LEVELS.items()
    )
    return (
        f"De houder beheerst de vaardigheid *{skill_name}* op een van vier "
        f"niveaus:\n\n{levels}\n\n"
        "De houder heeft het niveau geclaimd en onderbouwd met bewijs uit de "
        "praktijk: logboekregels, links en bestanden. Een facilitator van de "
        "leergemeenschap waarin de houder leerde, heeft de claim aan dat bewijs "
        "getoetst en gevalideerd."
    )


def claim_evidence(claim: SkillClaim) -> list[dict]:
    """Return the claim's evidence, leaving out reflections and private files."""
    evidence = []
    if claim.narrative.strip():
        evidence.append(
            {
                "type": ["Evidence"],
                "name": "Toelichting bij de claim",
                "narrative": claim.narrative,
            }
        )
    # An entry made private after it was linked no longer travels with the badge.
    for entry in [e for e in claim.entries if e.visibility != "private"]:
        evidence.append(
            {
                "type": ["Evidence"],
                "name": f"{entry.date.isoformat()} · {entry.what}",
                "description": f"{entry.minutes} minuten",
                "genre": "Logboekregel",
            }
        )
    for link in claim.links:
        evidence.append(
            {
                "id": link.url,
                "type": ["Evidence"],
                "name": link.title or link.url,
                "genre": "Link",
            }
        )
    # Uploaded files are only shown inside the platform, so they go by name alone.
    for file in claim.files:
        evidence.append(
            {
                "type": ["Evidence"],
                "name": file.filename,
                "description": "Alleen in te zien op het platform.",
                "genre": "Bestand",
            }
        )

    return evidence


def level_url(achievement_url: str, level: Level) -> str:
    return f"{achievement_url}#niveau-{level.value}"


def as_utc(moment: datetime) -> datetime:
    """Return the moment in UTC to the second; a naive one is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def start_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def timestamp(moment: datetime) -> str:
    """Return an ISO 8601 UTC timestamp ending in Z, as the credential models want."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def sign(document: dict, private_key: Ed25519PrivateKey, *, kid_url: str) -> str:
    """Return the credential as a compact JWS signed with EdDSA (a VC-JWT)."""
    issuer = document["issuer"]
    valid_from = datetime.fromisoformat(document["validFrom"])
    claims = {
        "iss": issuer if isinstance(issuer, str) else issuer["id"],
        "jti": document["id"],
        "nbf": int(valid_from.timestamp()),
        "iat": int(time.time()),
    }
    subject_id = document["credentialSubject"].get("id")
    if subject_id:
        claims["sub"] = subject_id

    header = {"alg": "EdDSA", "typ": "JWT", "kid": kid_url}
    signing_input = f"{encode_segment(header)}.{encode_segment(document | claims)}"
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{base64url(signature)}"


def verify(token: str, public_key: Ed25519PublicKey) -> dict:
    """Return the payload of a VC-JWT signed by the key, or raise BadSignature."""
    if not isinstance(token, str):
        raise BadSignature("A token must be text")

    parts = token.split(".")
    if len(parts) != 3:
        raise BadSignature("A token has three parts separated by dots")

    header_segment, payload_segment, signature_segment = parts
    header = decode_object(header_segment)
    if header.get("alg") != "EdDSA":
        raise BadSignature("The token is not signed with EdDSA")
    # RFC 7515 requires refusing extensions marked critical that we do not know.
    if "crit" in header:
        raise BadSignature("The token names critical extensions")

    try:
        public_key.verify(
            decode_segment(signature_segment),
            f"{header_segment}.{payload_segment}".encode("ascii"),
        )
    except InvalidSignature as error:
        raise BadSignature("The signature does not match") from error

    return decode_object(payload_segment)


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def encode_segment(value: dict) -> str:
    """Return a JSON object as a JWS segment, serialised the same way every time."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64url(text.encode("utf-8"))


def decode_segment(segment: str) -> bytes:
    """Return the bytes of a base64url segment, refusing anything else."""
    # urlsafe_b64decode skips characters outside the alphabet, so check first.
    if not SEGMENT.fullmatch(segment):
        raise BadSignature("A token part is not base64url")

    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as error:
        raise BadSignature("A token part is not base64url") from error


def decode_object(segment: str) -> dict:
    """Return the JSON object in a JWS segment, or raise BadSignature."""
    data = decode_segment(segment)
    try:
        value = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise BadSignature("A token part is not JSON") from error

    if not isinstance(value, dict):
        raise BadSignature("A token part is not a JSON object")

    return value


@functools.cache
def context_text(filename: str) -> str:
    return (CONTEXTS_FOLDER / filename).read_text(encoding="utf-8")


def document_loader(url: str, options: dict | None = None) -> dict:
    """Return a vendored JSON-LD context as a remote document, never the network.

    The shape and the `options` argument are those a JSON-LD processor such as
    PyLD expects of its document loader.
    """
    filename = CONTEXT_FILES.get(url)
    if filename is None:
        raise UnknownContext(f"The JSON-LD context {url} is not vendored")

    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(context_text(filename)),
    }

"""Issuing, verifying and revoking Open Badges 3.0 credentials for skill claims."""

import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from hcimv_lc.accounts.models import User
from hcimv_lc.badges import keys
from hcimv_lc.badges.credential import BadgeUrls, BadSignature, build_credential, sign
from hcimv_lc.badges.credential import verify as verify_token
from hcimv_lc.badges.models import Credential
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.notifications import service as notifications
from hcimv_lc.notifications.models import NotificationKind
from hcimv_lc.skills.models import ClaimStatus, ClaimStep, SkillClaim
from hcimv_lc.skills.service import record

logger = logging.getLogger(__name__)


class BadgeError(RuleError):
    """A badge could not be issued or revoked; the message is for the user."""


def signing_key():
    return keys.load_private_key(Path(current_app.config["BADGE_KEY_PATH"]))


def kid_url(key_id: str) -> str:
    return url_for("badges.keys_document", _external=True) + f"#{key_id}"


def issuer_slug(claim: SkillClaim) -> str:
    """Name the issuer: the community's organisation, else the community itself."""
    community = claim.community
    if community.organisation is not None:
        return f"org-{community.organisation.slug}"
    return f"community-{community.slug}"


def urls_for(claim: SkillClaim, credential_uuid: str) -> BadgeUrls:
    return BadgeUrls(
        credential=url_for("badges.verify", uuid=credential_uuid, _external=True),
        issuer=url_for("badges.issuer", slug=issuer_slug(claim), _external=True),
        achievement=url_for(
            "badges.achievement", slug=claim.skill.slug, _external=True
        ),
        status=url_for("badges.revocations", _external=True),
    )


def credentials_of(claim: SkillClaim) -> list[Credential]:
    query = (
        select(Credential)
        .where(Credential.claim_id == claim.id)
        .order_by(Credential.issued_at.desc())
    )
    return list(db.session.scalars(query))


def active_by_claim(claim_ids: list[int]) -> dict[int, Credential]:
    """Return the unrevoked credential of each claim that has one."""
    if not claim_ids:
        return {}
    query = select(Credential).where(
        Credential.claim_id.in_(claim_ids), Credential.revoked_at.is_(None)
    )
    return {credential.claim_id: credential for credential in db.session.scalars(query)}


def issue(claim: SkillClaim, user: User) -> Credential:
    """Sign an OpenBadgeCredential for the validated claim and keep it as issued."""
    if active_by_claim([claim.id]):
        raise BadgeError(_("Voor deze vaardigheid is al een badge uitgegeven."))
    try:
        private_key = signing_key()
    except keys.MissingKey:
        logger.warning(
            "No badge signing key at %s", current_app.config["BADGE_KEY_PATH"]
        )
        raise BadgeError(
            _(
                "Badges kunnen nu niet worden uitgegeven: de sleutel van het "
                "platform ontbreekt. Vraag de beheerder die aan te maken."
            )
        ) from None

    credential_uuid = str(uuid.uuid4())
    issued_at = utcnow().replace(microsecond=0)
    document = build_credential(
        claim,
        credential_uuid=credential_uuid,
        issued_at=issued_at,
        urls=urls_for(claim, credential_uuid),
    )
    key_id = keys.key_id(private_key.public_key())
    credential = Credential(
        uuid=credential_uuid,
        claim=claim,
        issued_at=issued_at,
        key_id=key_id,
        document=json.dumps(document, ensure_ascii=False),
        jwt=sign(document, private_key, kid_url=kid_url(key_id)),
    )
    try:
        # The unique index keeps one valid badge per claim under a double click.
        with db.session.begin_nested():
            db.session.add(credential)
    except IntegrityError:
        raise BadgeError(
            _("Voor deze vaardigheid is al een badge uitgegeven.")
        ) from None

    record(claim, user, ClaimStep.BADGE_ISSUED, comment=f"urn:uuid:{credential_uuid}")
    logger.info("Badge %s issued for skill claim %s", credential_uuid, claim.id)
    return credential


def revoke(credential: Credential, user: User, reason: str) -> None:
    """Revoke the badge; revoked by someone else, its claim is validated no more.

    The holder may withdraw a badge and issue a new one. A facilitator or an
    administrator who revokes it also takes back the validation, so that the
    holder cannot simply issue it again: the claim waits for more evidence.
    """
    if credential.is_revoked:
        raise BadgeError(_("Deze badge was al ingetrokken."))

    claim = credential.claim
    credential.revoked_at = utcnow()
    credential.revoked_by_id = user.id
    credential.revocation_reason = reason or ""
    record(claim, user, ClaimStep.BADGE_REVOKED, comment=reason)
    if user.id != claim.user_id:
        claim.status = ClaimStatus.MORE_ASKED
        record(claim, user, ClaimStep.MORE_ASKED, comment=reason)
        with force_locale(claim.user.locale):
            subject = _(
                "Je badge voor %(skill)s is ingetrokken",
                skill=claim.skill.name(claim.user.locale),
            )
        notifications.notify(
            claim.user,
            NotificationKind.SKILL_CLAIM,
            subject,
            url_for("skills.claim", claim_id=claim.id),
            user,
        )
    logger.info("Badge %s revoked by %s", credential.uuid, user.id)


def credential_by_uuid(value: str) -> Credential | None:
    query = (
        select(Credential)
        .where(Credential.uuid == value)
        .options(
            joinedload(Credential.claim).joinedload(SkillClaim.user),
            joinedload(Credential.claim).joinedload(SkillClaim.skill),
            joinedload(Credential.claim).joinedload(SkillClaim.community),
        )
    )
    return db.session.scalar(query)


@dataclass
class Verification:
    """The outcome of checking a credential: its signature and its status."""

    signature_valid: bool
    revoked: bool
    payload: dict | None

    @property
    def status(self) -> str:
        if not self.signature_valid:
            return "invalid"
        return "revoked" if self.revoked else "valid"


def published_keys() -> dict:
    """Return the public keys verifiers may use: the current one and retired ones."""
    return keys.public_keys(Path(current_app.config["BADGE_KEY_PATH"]))


def check(credential: Credential) -> Verification:
    """Verify the stored signature with the public key the credential was signed by."""
    key = published_keys().get(credential.key_id)
    if key is None:
        return Verification(False, credential.is_revoked, None)
    try:
        payload = verify_token(credential.jwt, key)
    except BadSignature:
        return Verification(False, credential.is_revoked, None)
    return Verification(True, credential.is_revoked, payload)


def revoked_credentials() -> list[Credential]:
    query = (
        select(Credential)
        .where(Credential.revoked_at.is_not(None))
        .order_by(Credential.revoked_at)
    )
    return list(db.session.scalars(query))


def has_issued(community) -> bool:
    query = (
        select(Credential.id)
        .join(SkillClaim, SkillClaim.id == Credential.claim_id)
        .where(SkillClaim.community_id == community.id)
        .limit(1)
    )
    return db.session.scalar(query) is not None

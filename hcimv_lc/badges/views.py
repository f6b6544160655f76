"""Issuing a badge, its public verification page and the JSON behind it."""

import json

from flask import Blueprint, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hcimv_lc.badges import keys, service
from hcimv_lc.badges.credential import OB_CONTEXT, VC_CONTEXT
from hcimv_lc.badges.credential import achievement as achievement_of
from hcimv_lc.communities.models import Community
from hcimv_lc.extensions import db
from hcimv_lc.organisations.models import Organisation
from hcimv_lc.policy import authorize
from hcimv_lc.skills import service as skills
from hcimv_lc.skills.forms import RevokeForm
from hcimv_lc.web import found, json_response, render_page

bp = Blueprint("badges", __name__)

CREDENTIAL_TYPE = "application/vc+ld+json"
JWT_TYPE = "application/vc+ld+json+jwt"


def open_json(document: dict, mimetype: str = "application/json", download=None):
    """Answer with a public document that any verifier may fetch from its own site."""
    response = json_response(document, mimetype, download)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def load_credential(uuid) -> "service.Credential":
    return found(service.credential_by_uuid(str(uuid)))


@bp.post("/claims/<int:claim_id>/badge")
def issue(claim_id: int):
    claim = found(skills.claim_by_id(claim_id, lock=True))
    authorize("claim.view", claim)
    authorize("badge.issue", claim)

    try:
        credential = service.issue(claim, current_user)
    except service.BadgeError as error:
        flash(str(error), "error")
        return redirect(url_for("skills.claim", claim_id=claim.id), 303)

    db.session.commit()
    flash(_("Je badge is uitgegeven en ondertekend."), "success")
    return redirect(url_for("badges.verify", uuid=credential.uuid), 303)


def signed_level(document: dict) -> str:
    """Return the name of the level the signed credential states."""
    subject = document["credentialSubject"]
    achieved = {result.get("achievedLevel") for result in subject.get("result", [])}
    for description in subject["achievement"].get("resultDescription", []):
        for level in description.get("rubricCriterionLevel", []):
            if level["id"] in achieved:
                return f"{level['level']} · {level['name']}"
    return ""


def verify_page(credential, revoke_form=None, status=200):
    document = json.loads(credential.document)
    response = render_page(
        "badges/verify.html",
        credential=credential,
        result=service.check(credential),
        document=document,
        level=signed_level(document),
        revoke_form=revoke_form or RevokeForm(formdata=None),
    )
    return response, status


@bp.get("/badges/<uuid:uuid>")
def verify(uuid):
    credential = load_credential(uuid)
    authorize("badge.verify", credential)

    return verify_page(credential)


@bp.get("/badges/<uuid:uuid>/credential.json")
def credential_json(uuid):
    credential = load_credential(uuid)
    authorize("badge.verify", credential)

    return open_json(
        json.loads(credential.document),
        CREDENTIAL_TYPE,
        download=f"badge-{credential.uuid}.json",
    )


@bp.get("/badges/<uuid:uuid>/credential.jwt")
def credential_jwt(uuid):
    credential = load_credential(uuid)
    authorize("badge.verify", credential)

    response = make_response(credential.jwt)
    response.mimetype = JWT_TYPE
    response.headers["Content-Disposition"] = (
        f'attachment; filename="badge-{credential.uuid}.jwt"'
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/badges/<uuid:uuid>/verify.json")
def verification_json(uuid):
    credential = load_credential(uuid)
    authorize("badge.verify", credential)

    result = service.check(credential)
    return open_json(
        {
            "id": f"urn:uuid:{credential.uuid}",
            "status": result.status,
            "signature": "valid" if result.signature_valid else "invalid",
            "revoked": credential.is_revoked,
            "revokedAt": credential.revoked_at.isoformat()
            if credential.revoked_at
            else None,
            "issuedAt": credential.issued_at.isoformat(),
            "keyId": credential.key_id,
            "verificationMethod": service.kid_url(credential.key_id),
            "credential": url_for(
                "badges.credential_json", uuid=credential.uuid, _external=True
            ),
        }
    )


@bp.post("/badges/<uuid:uuid>/revoke")
def revoke(uuid):
    credential = load_credential(uuid)
    authorize("badge.revoke", credential)

    form = RevokeForm()
    if not form.validate():
        return verify_page(credential, revoke_form=form, status=400)
    try:
        service.revoke(credential, current_user, form.reason.data or "")
    except service.BadgeError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("De badge is ingetrokken."), "success")
    return redirect(url_for("badges.verify", uuid=credential.uuid), 303)


@bp.get("/badges/keys.json")
def keys_document():
    authorize("badge.verify")

    published = service.published_keys().values()
    return open_json({"keys": [keys.public_jwk(key) for key in published]})


@bp.get("/badges/revocations.json")
def revocations():
    authorize("badge.verify")

    return open_json(
        {
            "id": url_for("badges.revocations", _external=True),
            "revokedCredentials": [
                # The reason may name people: it stays on the platform.
                {
                    "id": f"urn:uuid:{credential.uuid}",
                    "revokedAt": credential.revoked_at.isoformat(),
                }
                for credential in service.revoked_credentials()
            ],
        }
    )


@bp.get("/badges/issuers/<slug:slug>")
def issuer(slug: str):
    authorize("badge.verify")

    kind, _sep, rest = slug.partition("-")
    if kind == "org":
        holder = db.session.scalar(
            select(Organisation).where(Organisation.slug == rest)
        )
    elif kind == "community":
        holder = db.session.scalar(select(Community).where(Community.slug == rest))
        # A closed community is named only once it issued a badge.
        if holder and not holder.is_open and not service.has_issued(holder):
            holder = None
    else:
        holder = None
    holder = found(holder)

    return open_json(
        {
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": url_for("badges.issuer", slug=slug, _external=True),
            "type": ["Profile"],
            "name": holder.name,
        }
    )


@bp.get("/badges/achievements/<slug:slug>")
def achievement(slug: str):
    authorize("badge.verify")

    skill = found(skills.skill_by_slug(slug))
    url = url_for("badges.achievement", slug=slug, _external=True)
    document = {"@context": [VC_CONTEXT, OB_CONTEXT], **achievement_of(skill, url)}
    return open_json(document)

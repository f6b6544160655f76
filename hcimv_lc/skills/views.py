"""The skill catalogue, skill claims and their review, the passport and sharing."""

import re
from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from hcimv_lc.badges import service as badges
from hcimv_lc.challenges.service import challenge_by_id
from hcimv_lc.communities.service import facilitator_count
from hcimv_lc.extensions import db
from hcimv_lc.forms import show_rule_error, valid_or
from hcimv_lc.logbook.service import communities_of
from hcimv_lc.policy import authorize, can
from hcimv_lc.skills import esco, service, storage
from hcimv_lc.skills.forms import (
    LEVEL_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    CatalogueForm,
    ClaimForm,
    EscoImportForm,
    EvidenceForm,
    MatchingForm,
    ResubmitForm,
    ReviewForm,
    RevokeForm,
    ShareLinkForm,
)
from hcimv_lc.skills.models import (
    ShareLink,
    SkillClaim,
)
from hcimv_lc.web import (
    SlugConverter,
    found,
    json_response,
    page_number,
    render_page,
)

bp = Blueprint("skills", __name__)
SLUG = re.compile(SlugConverter.regex)

PER_PAGE = 30
LABELS = {
    "level_labels": LEVEL_LABELS,
    "status_labels": STATUS_LABELS,
    "step_labels": STEP_LABELS,
}


def wrong_type() -> str:
    return _("Alleen foto's (JPEG, PNG, WebP, HEIC) en PDF-bestanden.")


def locale() -> str:
    return str(get_locale())


@bp.get("/skills")
def catalogue():
    authorize("skill.catalogue")

    form = CatalogueForm(request.args)
    form.category.choices = [("", _("Alle categorieën"))] + [
        (name, name) for name in service.categories()
    ]
    form.validate()
    page = page_number()
    skills, total = service.catalogue(
        valid_or(form.q, ""),
        valid_or(form.category, ""),
        locale(),
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    return render_page(
        "skills/catalogue.html",
        "skills/_catalogue_results.html",
        form=form,
        skills=skills,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
    )


@bp.route("/skills/import", methods=["GET", "POST"])
def import_esco():
    authorize("skill.import")

    form = EscoImportForm()
    report = None
    if form.validate_on_submit():
        if not form.file.data:
            form.file.errors = [_("Kies het CSV-bestand.")]
        else:
            try:
                lines = (
                    line.decode("utf-8-sig") if n == 0 else line.decode("utf-8")
                    for n, line in enumerate(form.file.data.stream)
                )
                report = esco.import_esco(
                    lines,
                    language=form.language.data,
                    version=form.version.data,
                    add_new=form.add_new.data,
                )
            except UnicodeDecodeError:
                form.file.errors = [_("Het bestand is geen UTF-8-tekst.")]
            except ValueError as error:
                # The import explains the problem in the operator's terms (English).
                form.file.errors = [
                    _("Het bestand kon niet worden ingelezen: %(reason)s", reason=error)
                ]
            else:
                db.session.commit()
                flash(_("De ESCO-vaardigheden zijn ingelezen."), "success")

    return render_page("skills/import.html", form=form, report=report)


def prepare_claim_form(form: ClaimForm) -> None:
    form.skill.choices = service.skill_choices(locale())
    form.community.choices = [
        (community.id, community.name) for community in communities_of(current_user)
    ]
    form.entries.choices = service.evidence_entry_choices(current_user)


def evidence_of(form) -> dict:
    return {
        "entry_ids": form.entries.data or [],
        "link_url": form.link_url.data,
        "link_title": form.link_title.data,
        "upload": form.file.data or None,
    }


def refuse_wrong_file(form, template: str, **context):
    form.file.errors = [wrong_type()]
    return render_page(template, form=form, **context), 400


@bp.route("/claims/new", methods=["GET", "POST"])
def new_claim():
    authorize("skill.claim")

    form = ClaimForm()
    prepare_claim_form(form)
    if request.method == "GET":
        # Links from the catalogue and the log preselect a skill or an entry.
        slug = request.args.get("skill", "")
        wanted = service.skill_by_slug(slug) if SLUG.fullmatch(slug) else None
        if wanted:
            form.skill.data = wanted.id
        entry_id = request.args.get("entry", type=int)
        if entry_id in dict(form.entries.choices):
            form.entries.data = [entry_id]

    if form.validate_on_submit():
        try:
            claim = service.create_claim(
                current_user,
                form.skill.data,
                form.community.data,
                form.level.data,
                form.narrative.data,
                **evidence_of(form),
            )
        except storage.WrongFileType:
            return refuse_wrong_file(form, "skills/claim_form.html", **LABELS)
        except storage.FileTooLarge:
            abort(413)
        except service.ClaimError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            if facilitator_count(claim.community):
                flash(_("Je claim is ingediend bij de facilitator."), "success")
            else:
                flash(
                    _(
                        "Je claim is opgeslagen, maar deze leergemeenschap heeft nog "
                        "geen facilitator die hem kan valideren."
                    ),
                    "error",
                )
            return redirect(url_for("skills.claim", claim_id=claim.id), 303)

    return render_page("skills/claim_form.html", form=form, **LABELS)


def load_claim(claim_id: int) -> SkillClaim:
    """Load the claim; a request that changes it holds its row until the commit."""
    return found(service.claim_by_id(claim_id, lock=request.method == "POST"))


def claim_page(claim: SkillClaim, status: int = 200, **forms):
    evidence_form = forms.get("evidence_form") or EvidenceForm(formdata=None)
    evidence_form.entries.choices = (
        service.evidence_entry_choices(current_user)
        if current_user.id == claim.user_id
        else []
    )
    review_form = forms.get("review_form") or ReviewForm(
        formdata=None, level=claim.level, decision="validate"
    )
    response = render_page(
        "skills/claim.html",
        claim=claim,
        # Only entries the reader may see: one made private later drops from view.
        entries=[e for e in claim.entries if can(current_user, "entry.view", e)],
        evidence_form=evidence_form,
        review_form=review_form,
        resubmit_form=forms.get("resubmit_form") or ResubmitForm(formdata=None),
        confirm_form=RevokeForm(formdata=None),
        credentials=badges.credentials_of(claim),
        **LABELS,
    )
    return response, status


@bp.get("/claims/<int:claim_id>")
def claim(claim_id: int):
    item = load_claim(claim_id)
    authorize("claim.view", item)

    return claim_page(item)


@bp.post("/claims/<int:claim_id>/evidence")
def add_evidence(claim_id: int):
    item = load_claim(claim_id)
    authorize("claim.edit", item)

    form = EvidenceForm()
    form.entries.choices = service.evidence_entry_choices(current_user)
    if not form.validate():
        return claim_page(item, 400, evidence_form=form)

    try:
        added = service.add_evidence(item, current_user, **evidence_of(form))
    except storage.WrongFileType:
        form.file.errors = [wrong_type()]
        return claim_page(item, 400, evidence_form=form)
    except storage.FileTooLarge:
        abort(413)
    except service.ClaimError as error:
        show_rule_error(form, error)
        return claim_page(item, 400, evidence_form=form)

    if not added:
        form.link_url.errors = [_("Kies een activiteit, link of bestand.")]
        return claim_page(item, 400, evidence_form=form)

    db.session.commit()
    flash(_("Bewijs toegevoegd."), "success")
    return redirect(url_for("skills.claim", claim_id=item.id), 303)


@bp.post("/claims/<int:claim_id>/files/<int:file_id>/delete")
def remove_file(claim_id: int, file_id: int):
    item = load_claim(claim_id)
    authorize("claim.edit", item)
    evidence = found(next((f for f in item.files if f.id == file_id), None))

    stored_name = service.remove_file(item, evidence, current_user)
    db.session.commit()
    storage.delete(stored_name)
    flash(_("Bestand verwijderd."), "success")
    return redirect(url_for("skills.claim", claim_id=item.id), 303)


@bp.post("/claims/<int:claim_id>/links/<int:link_id>/delete")
def remove_link(claim_id: int, link_id: int):
    item = load_claim(claim_id)
    authorize("claim.edit", item)
    evidence = found(next((li for li in item.links if li.id == link_id), None))

    service.remove_link(item, evidence, current_user)
    db.session.commit()
    flash(_("Link verwijderd."), "success")
    return redirect(url_for("skills.claim", claim_id=item.id), 303)


@bp.post("/claims/<int:claim_id>/entries/<int:entry_id>/delete")
def unlink_entry(claim_id: int, entry_id: int):
    item = load_claim(claim_id)
    authorize("claim.edit", item)
    entry = found(next((e for e in item.entries if e.id == entry_id), None))

    service.unlink_entry(item, entry, current_user)
    db.session.commit()
    flash(_("Activiteit losgekoppeld."), "success")
    return redirect(url_for("skills.claim", claim_id=item.id), 303)


@bp.get("/claims/<int:claim_id>/files/<int:file_id>")
def download_file(claim_id: int, file_id: int):
    item = load_claim(claim_id)
    authorize("claim.view", item)
    evidence = found(next((f for f in item.files if f.id == file_id), None))

    path = storage.path_of(evidence.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=evidence.content_type,
        as_attachment=True,
        download_name=evidence.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/claims/<int:claim_id>/resubmit")
def resubmit(claim_id: int):
    item = load_claim(claim_id)
    authorize("claim.edit", item)

    form = ResubmitForm()
    if not form.validate():
        return claim_page(item, 400, resubmit_form=form)
    try:
        service.resubmit(item, current_user, form.comment.data or "")
    except service.ClaimError as error:
        show_rule_error(form, error)
        return claim_page(item, 400, resubmit_form=form)

    db.session.commit()
    flash(_("Je claim is opnieuw ingediend."), "success")
    return redirect(url_for("skills.claim", claim_id=item.id), 303)


@bp.post("/claims/<int:claim_id>/withdraw")
def withdraw(claim_id: int):
    item = load_claim(claim_id)
    authorize("claim.edit", item)

    service.withdraw(item, current_user)
    db.session.commit()
    flash(_("Je claim is ingetrokken."), "success")
    return redirect(url_for("skills.passport"), 303)


@bp.post("/claims/<int:claim_id>/review")
def review(claim_id: int):
    item = load_claim(claim_id)
    authorize("claim.validate", item)

    form = ReviewForm()
    if not form.validate():
        return claim_page(item, 400, review_form=form)

    service.review(
        item, current_user, form.decision.data, form.level.data, form.comment.data
    )
    db.session.commit()
    if form.decision.data == "validate":
        flash(_("Vaardigheid gevalideerd."), "success")
    else:
        flash(_("Je vraag om meer bewijs is verstuurd."), "success")
    return redirect(url_for("skills.review_queue"), 303)


@bp.get("/claims/review")
def review_queue():
    authorize("claim.review_queue")

    return render_page(
        "skills/review_queue.html",
        claims=service.review_queue(current_user),
        **LABELS,
    )


@bp.get("/passport")
def passport():
    authorize("passport.view")

    rows = service.passport(current_user, locale())
    claim_ids = [claim.id for row in rows for claim in row.claims]
    return render_page(
        "skills/passport.html",
        rows=rows,
        active_badges=badges.active_by_claim(claim_ids),
        today=date.today(),
        **LABELS,
    )


@bp.get("/passport.json")
def passport_json():
    authorize("passport.view")

    document = service.passport_document(current_user, locale())
    name = f"vaardighedenpaspoort-{date.today().isoformat()}.json"
    response = json_response(document, download=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/passport/shares", methods=["GET", "POST"])
def shares():
    authorize("passport.view")

    form = ShareLinkForm()
    form.skills.choices = service.validated_skill_choices(current_user, locale())
    if form.validate_on_submit():
        try:
            _link, token = service.create_share_link(
                current_user, form.label.data, form.expires_on.data, form.skills.data
            )
        except service.ClaimError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            # The token is kept only as a digest: this is the one time it is shown.
            session["new_share_url"] = url_for(
                "skills.shared", token=token, _external=True
            )
            flash(_("Link gemaakt. Kopieer hem nu: hij wordt maar één keer getoond."))
            return redirect(url_for("skills.shares"), 303)

    status = 400 if form.errors else 200
    return render_page(
        "skills/shares.html",
        form=form,
        links=service.share_links_of(current_user),
        new_url=session.pop("new_share_url", None),
        revoke_form=RevokeForm(formdata=None),
        today=date.today(),
    ), status


@bp.post("/passport/shares/<int:link_id>/revoke")
def revoke_share(link_id: int):
    link = found(db.session.get(ShareLink, link_id))
    authorize("share.manage", link)

    service.revoke_share_link(link)
    db.session.commit()
    flash(_("De link werkt niet meer."), "success")
    return redirect(url_for("skills.shares"), 303)


@bp.get("/s/<token:token>")
def shared(token: str):
    authorize("skill.catalogue")

    link = found(service.share_link_by_token(token))
    if not link.is_live(date.today()) or not link.user.is_enabled:
        return render_page("skills/share_gone.html", link=link, today=date.today()), 410

    # Counting views writes: end the read, so that the next transaction takes the
    # write lock up front instead of upgrading to it. Unknown and expired tokens
    # never get here, so guessing tokens cannot take the lock.
    db.session.commit()
    g.write_on_read = True
    service.count_view(link)
    response = make_response(
        render_page(
            "skills/shared.html",
            link=link,
            claims=service.shared_claims(link),
            **LABELS,
        )
    )
    db.session.commit()
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/passport/matching", methods=["GET", "POST"])
def matching():
    authorize("passport.view")

    form = MatchingForm()
    form.goals.choices = service.skill_choices(locale())
    goals = service.goal_ids(current_user)
    if request.method == "GET":
        form.findable.data = current_user.findable
        form.goals.data = goals
    if form.validate_on_submit():
        service.set_matching(current_user, form.findable.data, form.goals.data or [])
        db.session.commit()
        flash(_("Je keuzes zijn opgeslagen."), "success")
        return redirect(url_for("skills.matching"), 303)

    challenges, communities = service.suggestions_for_person(current_user, set(goals))
    return render_page(
        "skills/matching.html",
        form=form,
        challenges=challenges,
        communities=communities,
    )


@bp.get("/challenges/<int:challenge_id>/suggestions")
def challenge_suggestions(challenge_id: int):
    challenge = found(challenge_by_id(challenge_id))
    authorize("challenge.view", challenge)
    authorize("challenge.suggestions", challenge)

    return render_page(
        "skills/suggestions.html",
        "skills/_suggestions.html",
        challenge=challenge,
        matches=service.suggestions_for_challenge(challenge),
    )

"""Consent for research per community, and pseudonymised exports for researchers."""

from flask import Blueprint, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hcimv_lc.communities.service import community_by_slug
from hcimv_lc.extensions import db
from hcimv_lc.policy import authorize
from hcimv_lc.research import service
from hcimv_lc.research.forms import (
    DATASET_LABELS,
    FORMAT_LABELS,
    ConsentForm,
    ExportForm,
)
from hcimv_lc.web import found, render_page

bp = Blueprint("research", __name__)


@bp.route("/account/research", methods=["GET", "POST"])
def consent():
    authorize("research.consent")

    choices = service.consent_choices(current_user)
    form = ConsentForm()
    form.community.choices = [
        (item.community.id, item.community.name) for item in choices
    ]
    if form.validate_on_submit():
        community = next(
            item.community
            for item in choices
            if item.community.id == form.community.data
        )
        changed = service.set_consent(
            current_user, community, form.given.data, form.include_reflections.data
        )
        db.session.commit()
        if changed:
            message = _("Je keuze voor %(name)s is opgeslagen.", name=community.name)
        else:
            message = _("Je keuze voor %(name)s was al zo.", name=community.name)
        flash(message, "success")
        return redirect(url_for("research.consent"), 303)

    status = 400 if form.errors else 200
    return render_page(
        "research/consent.html",
        choices=choices,
        forms=consent_forms(choices, form),
        failed=form if form.errors else None,
    ), status


def consent_forms(choices, posted: ConsentForm) -> dict[int, ConsentForm]:
    """Return a form per community with its current choice, or what was posted."""
    forms = {
        item.community.id: ConsentForm(
            formdata=None,
            community=item.community.id,
            given=item.given,
            include_reflections=item.include_reflections,
        )
        for item in choices
    }
    if posted.errors and posted.community.data in forms:
        forms[posted.community.data] = posted
    return forms


@bp.route("/communities/<slug:slug>/research/export", methods=["GET", "POST"])
def export(slug: str):
    community = found(community_by_slug(slug))
    authorize("research.export", community)

    form = ExportForm()
    if form.validate_on_submit():
        result = service.export(
            community,
            current_user,
            form.dataset.data,
            form.file_format.data,
            form.key.data,
            service.Period(form.start.data, form.end.data),
        )
        db.session.commit()
        # The file answers the POST itself: a redirect would need the key in a URL
        # or the export kept on the server.
        return download(result)

    status = 400 if form.errors else 200
    return render_page(
        "research/export.html",
        community=community,
        form=form,
        exports=service.recent_exports(community),
        dataset_labels=DATASET_LABELS,
        format_labels=FORMAT_LABELS,
    ), status


def download(result: service.ExportFile):
    """Answer with the export as an attachment that no cache keeps."""
    response = make_response(result.content)
    response.mimetype = result.mimetype
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{result.filename}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

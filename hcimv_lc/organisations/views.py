"""Administration of regions and organisations."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from hcimv_lc.extensions import db
from hcimv_lc.forms import show_rule_error
from hcimv_lc.organisations import service
from hcimv_lc.organisations.forms import (
    ORGANISATION_KIND_LABELS,
    OrganisationForm,
    RegionForm,
)
from hcimv_lc.organisations.models import Organisation, Region
from hcimv_lc.policy import authorize
from hcimv_lc.web import page_number, render_page

bp = Blueprint("organisations", __name__, url_prefix="/admin")

PER_PAGE = 50


@bp.get("/regions")
def regions():
    authorize("admin.manage")

    rows = db.session.scalars(db.select(Region).order_by(Region.name)).all()
    return render_page("organisations/regions.html", regions=rows, form=RegionForm())


@bp.route("/regions/new", methods=["GET", "POST"])
@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
def edit_region(region_id: int | None = None):
    authorize("admin.manage")

    region = db.get_or_404(Region, region_id) if region_id else Region()
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        try:
            service.save_region(region, form.name.data)
        except service.OrganisationError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("Regio opgeslagen."), "success")
            return redirect(url_for("organisations.regions"), 303)

    return render_page("organisations/region_form.html", form=form, region=region)


@bp.get("/organisations")
def organisations():
    authorize("admin.manage")

    query = (
        db.select(Organisation)
        .options(joinedload(Organisation.region))
        .order_by(Organisation.name)
    )
    pagination = db.paginate(
        query, page=page_number(), per_page=PER_PAGE, error_out=False
    )
    return render_page(
        "organisations/organisations.html",
        pagination=pagination,
        kind_labels=ORGANISATION_KIND_LABELS,
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def edit_organisation(organisation_id: int | None = None):
    authorize("admin.manage")

    organisation = (
        db.get_or_404(Organisation, organisation_id)
        if organisation_id
        else Organisation()
    )
    form = OrganisationForm(obj=organisation)
    form.region.choices = service.region_choices()
    form.parent.choices = [(0, _("Geen"))] + [
        choice
        for choice in service.organisation_choices()
        if choice[0] != organisation.id
    ]
    if request.method == "GET":
        form.region.data = organisation.region_id
        form.parent.data = organisation.parent_id or 0

    if form.validate_on_submit():
        try:
            service.save_organisation(
                organisation,
                name=form.name.data,
                kind=form.kind.data,
                region_id=form.region.data,
                parent_id=form.parent.data or None,
                website=form.website.data or None,
            )
        except service.OrganisationError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("Organisatie opgeslagen."), "success")
            return redirect(url_for("organisations.organisations"), 303)

    return render_page(
        "organisations/organisation_form.html", form=form, organisation=organisation
    )

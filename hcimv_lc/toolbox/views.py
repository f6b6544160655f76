"""The toolbox: search, a tool's page, its family and revisions, adding and editing."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hcimv_lc.communities.forms import THEME_LABELS
from hcimv_lc.extensions import db
from hcimv_lc.forms import valid_or
from hcimv_lc.organisations.service import organisation_choices, region_choices
from hcimv_lc.policy import authorize
from hcimv_lc.policy import template_can as can
from hcimv_lc.toolbox import search, service
from hcimv_lc.toolbox.forms import (
    COMPANY_SIZE_LABELS,
    KIND_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    ApplicationForm,
    CompareForm,
    SearchForm,
    ToolForm,
)
from hcimv_lc.toolbox.models import Tool
from hcimv_lc.web import found, page_number, render_page

bp = Blueprint("toolbox", __name__)

PER_PAGE = 20
LABELS = {
    "kind_labels": KIND_LABELS,
    "level_labels": LEVEL_LABELS,
    "status_labels": STATUS_LABELS,
    "visibility_labels": VISIBILITY_LABELS,
    "theme_labels": THEME_LABELS,
}


def load_tool(slug: str) -> Tool:
    return found(service.tool_by_slug(slug))


@bp.get("/toolbox")
def index():
    form = SearchForm(request.args)
    form.region.choices = [(0, _("Alle regio's"))] + region_choices()
    form.validate()
    filters = {
        name: valid_or(getattr(form, name), "")
        for name in ("only", "kind", "level", "theme", "region", "min_rating")
    }
    filters["region_id"] = filters.pop("region")
    query = valid_or(form.q, "")
    page = page_number()
    hits, total = search.search(
        query,
        signed_in=current_user.is_authenticated,
        filters=filters,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    tool_ids = [hit.ref_id for hit in hits if hit.kind == "tool"]
    slugs = dict(
        db.session.execute(
            select(Tool.id, Tool.slug).where(Tool.id.in_(tool_ids))
        ).all()
    )
    return render_page(
        "toolbox/index.html",
        "toolbox/_results.html",
        form=form,
        hits=hits,
        slugs=slugs,
        total=total,
        more_than=search.MOST_COUNTED if total > search.MOST_COUNTED else None,
        page=page,
        pages=max(1, -(-min(total, search.MOST_COUNTED) // PER_PAGE)),
        **LABELS,
    )


def prepare(form: ToolForm) -> None:
    form.organisation.choices = [(0, _("Geen"))] + organisation_choices()


def tool_fields(form: ToolForm) -> dict:
    return {
        "title": form.title.data,
        "summary": form.summary.data or "",
        "body": form.body.data,
        "kind": form.kind.data,
        "level": form.level.data,
        "organisation_id": form.organisation.data,
        "authors": form.authors.data or "",
        "licence": form.licence.data or "",
        "url": form.url.data,
        "status": form.status.data,
        "visibility": form.visibility.data,
    }


@bp.route("/tools/new", methods=["GET", "POST"])
def create():
    authorize("tool.create")

    origin = None
    if request.args.get("adapt"):
        origin = load_tool(request.args["adapt"])
        authorize("tool.adapt", origin)

    form = ToolForm(obj=origin) if request.method == "GET" and origin else ToolForm()
    prepare(form)
    if request.method == "GET":
        form.note.data = _("Eerste versie")
        if origin is not None:
            form.title.data = _("%(title)s (aangepast)", title=origin.title)
            form.organisation.data = current_user.organisation_id or 0
            form.themes.data = service.themes_of(origin)
            form.status.data = "draft"

    if form.validate_on_submit():
        tool = service.create_tool(
            current_user,
            form.themes.data or [],
            form.note.data,
            adapted_from_id=origin.id if origin else None,
            **tool_fields(form),
        )
        db.session.commit()
        flash(_("Instrument opgeslagen."), "success")
        return redirect(url_for("toolbox.detail", slug=tool.slug), 303)

    return render_page("toolbox/form.html", form=form, tool=None, origin=origin)


@bp.get("/tools/<slug:slug>")
def detail(slug: str):
    tool = load_tool(slug)
    authorize("tool.view", tool)

    origin, adaptations = service.family(tool)
    return render_page(
        "toolbox/detail.html",
        tool=tool,
        themes=service.themes_of(tool),
        origin=origin,
        adaptations=adaptations,
        revisions=service.revisions_of(tool)[:5],
        applications=service.applications_of(tool)
        if current_user.is_authenticated
        else [],
        size_labels=COMPANY_SIZE_LABELS,
        **LABELS,
    )


@bp.route("/tools/<slug:slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    tool = load_tool(slug)
    authorize("tool.edit", tool)

    form = ToolForm(obj=tool)
    prepare(form)
    if request.method == "GET":
        form.organisation.data = tool.organisation_id or 0
        form.themes.data = service.themes_of(tool)
        form.note.data = ""

    if form.validate_on_submit():
        service.update_tool(
            tool,
            current_user,
            form.themes.data or [],
            form.note.data,
            **tool_fields(form),
        )
        db.session.commit()
        flash(_("Nieuwe versie opgeslagen."), "success")
        return redirect(url_for("toolbox.detail", slug=tool.slug), 303)

    return render_page("toolbox/form.html", form=form, tool=tool, origin=None)


@bp.get("/tools/<slug:slug>/history")
def history(slug: str):
    tool = load_tool(slug)
    authorize("tool.view", tool)

    revisions = service.revisions_of(tool)
    numbers = {revision.number: revision for revision in revisions}
    newest = revisions[0].number if revisions else 1
    old = numbers.get(request.args.get("from", newest - 1, type=int))
    new = numbers.get(request.args.get("to", newest, type=int))
    lines = service.diff(old, new) if old and new and old is not new else []
    return render_page(
        "toolbox/history.html",
        tool=tool,
        revisions=revisions,
        old=old,
        new=new,
        lines=lines,
    )


@bp.route("/tools/<slug:slug>/applications/new", methods=["GET", "POST"])
def record_application(slug: str):
    tool = load_tool(slug)
    authorize("tool.view", tool)
    authorize("account.use")

    sprints = service.sprints_for_applications(current_user)
    form = ApplicationForm()
    form.sprint.choices = [
        (sprint.id, f"{sprint.title} ({sprint.community.name})") for sprint in sprints
    ]
    form.region.choices = region_choices()
    chosen = next(
        (
            s
            for s in sprints
            if s.id == (form.sprint.data or request.args.get("sprint", type=int))
        ),
        None,
    )
    if chosen is None and sprints:
        chosen = sprints[0]
    if chosen is None:
        abort(403)
    authorize("application.record", chosen)
    form.evidence.choices = service.evidence_choices(chosen, current_user)
    form.administration.choices = [(0, _("Geen"))] + service.measurement_choices(chosen)
    if request.method == "GET":
        form.sprint.data = chosen.id
        form.region.data = chosen.community.region_id
        form.applied_on.data = date.today()

    if form.validate_on_submit():
        application = service.record_application(
            tool,
            chosen,
            current_user,
            form.evidence.data or [],
            applied_on=form.applied_on.data,
            adaptation=form.adaptation.data or "",
            sector=form.sector.data or "",
            company_size=form.company_size.data,
            region_id=form.region.data,
            background=form.background.data or "",
            mechanism=form.mechanism.data,
            outcome=form.outcome.data,
            rating=form.rating.data,
            would_use_again=form.would_use_again.data,
            administration_id=form.administration.data or None,
        )
        db.session.commit()
        flash(
            _("Toepassing vastgelegd. Dank: zo leert de volgende regio ervan."),
            "success",
        )
        return redirect(
            url_for("toolbox.application", application_id=application.id), 303
        )

    return render_page(
        "toolbox/application_form.html", form=form, tool=tool, sprint=chosen
    )


@bp.get("/applications/<int:application_id>")
def application(application_id: int):
    item = service.application_by_id(application_id)
    if item is None:
        abort(404)
    authorize("application.view", item)

    return render_page(
        "toolbox/application.html",
        application=item,
        size_labels=COMPANY_SIZE_LABELS,
        evidence=[entry for entry in item.evidence if can("entry.view", entry)],
    )


@bp.get("/toolbox/compare")
def compare():
    form = CompareForm(request.args)
    form.region.choices = [(0, _("Alle regio's"))] + region_choices()
    form.validate()
    filters = {
        "sector": valid_or(form.sector, ""),
        "company_size": valid_or(form.company_size, ""),
        "region_id": valid_or(form.region, 0),
        "theme": valid_or(form.theme, ""),
    }
    return render_page(
        "toolbox/compare.html",
        form=form,
        rows=service.compare(filters, current_user.is_authenticated),
        **LABELS,
    )

"""The toolbox: search, a tool's page, its family and revisions, adding and editing."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from hcimv_lc.communities.forms import THEME_LABELS
from hcimv_lc.extensions import db
from hcimv_lc.organisations.service import organisation_choices
from hcimv_lc.policy import authorize
from hcimv_lc.toolbox import search, service
from hcimv_lc.toolbox.forms import (
    KIND_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    SearchForm,
    ToolForm,
)
from hcimv_lc.toolbox.models import Tool
from hcimv_lc.web import page_number, render_page

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
    tool = service.tool_by_slug(slug)
    if tool is None:
        abort(404)
    return tool


@bp.get("/toolbox")
def index():
    form = SearchForm(request.args)
    form.validate()
    filters = {
        name: "" if getattr(form, name).errors else getattr(form, name).data or ""
        for name in ("only", "kind", "level", "theme")
    }
    query = "" if form.q.errors else form.q.data or ""
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
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
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

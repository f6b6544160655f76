"""The sprint, community and region dashboards: charts, their tables and CSV."""

from flask import Blueprint, make_response, request
from flask_login import current_user

from hcimv_lc.communities.forms import THEME_CHOICES
from hcimv_lc.communities.service import community_by_slug
from hcimv_lc.dashboards import service
from hcimv_lc.dashboards.forms import DashboardFilterForm, RegionFilterForm
from hcimv_lc.dashboards.tables import community_tables, region_tables, sprint_tables
from hcimv_lc.forms import valid_or
from hcimv_lc.organisations.service import region_choices
from hcimv_lc.policy import authorize, can, is_admin, studied_communities
from hcimv_lc.spreadsheets import csv_text
from hcimv_lc.sprints.service import sprint_by_id
from hcimv_lc.web import found, render_page

bp = Blueprint("dashboards", __name__)


def respond(template: str, tables, form, **context):
    """Render the dashboard, or one of its tables as CSV when the link asks for it."""
    name = valid_or(form.table, "")
    if name:
        table = found(next((t for t in tables if t.name == name), None))
        response = make_response(csv_text(table.headers, table.rows))
        response.mimetype = "text/csv"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{table.name}.csv"'
        )
        return response

    status = 400 if form.errors else 200
    return render_page(template, tables=tables, form=form, **context), status


@bp.get("/sprints/<int:sprint_id>/dashboard")
def sprint(sprint_id: int):
    item = found(sprint_by_id(sprint_id))
    authorize("sprint.view", item)
    authorize("dashboard.sprint", item)

    form = DashboardFilterForm(request.args)
    form.validate()
    dashboard = service.sprint_dashboard(item)
    return respond(
        "dashboards/sprint.html",
        sprint_tables(dashboard),
        form,
        sprint=item,
        dashboard=dashboard,
    )


@bp.get("/communities/<slug:slug>/dashboard")
def community(slug: str):
    item = found(community_by_slug(slug))
    authorize("community.view", item)
    authorize("dashboard.community", item)

    form = DashboardFilterForm(request.args)
    form.validate()
    dashboard = service.community_dashboard(
        item,
        valid_or(form.start, None),
        valid_or(form.end, None),
        drafts=can(current_user, "sprint.plan", item),
    )
    return respond(
        "dashboards/community.html",
        community_tables(dashboard),
        form,
        community=item,
        dashboard=dashboard,
    )


@bp.get("/dashboards/regions")
def regions():
    authorize("dashboard.regions")

    form = RegionFilterForm(request.args)
    form.theme.choices = [("", "—")] + THEME_CHOICES
    form.regions.choices = region_choices()
    form.validate()
    rows, community_rows = service.region_dashboard(
        theme=valid_or(form.theme, ""),
        region_ids=valid_or(form.regions, []) or [],
        start=valid_or(form.start, None),
        end=valid_or(form.end, None),
        studied=None if is_admin(current_user) else studied_communities(current_user),
    )
    return respond("dashboards/regions.html", region_tables(rows, community_rows), form)

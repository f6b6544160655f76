"""Company visits and the regional view of the skills SMEs need."""

from flask import Blueprint, flash, make_response, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from hcimv_lc.extensions import db
from hcimv_lc.forms import show_rule_error, valid_or
from hcimv_lc.organisations.models import Region
from hcimv_lc.organisations.service import region_choices
from hcimv_lc.policy import authorize
from hcimv_lc.regional import service
from hcimv_lc.regional.forms import SECTOR_LABELS, RegionalFilterForm, VisitForm
from hcimv_lc.skills.service import skill_choices
from hcimv_lc.toolbox.forms import COMPANY_SIZE_LABELS
from hcimv_lc.web import found, page_number, render_page

bp = Blueprint("regional", __name__)

LABELS = {"sector_labels": SECTOR_LABELS, "size_labels": COMPANY_SIZE_LABELS}


def locale() -> str:
    return str(get_locale())


def prepare_visit_form(form: VisitForm, home: Region | None) -> None:
    companies = service.company_choices()
    form.organisation.choices = [(0, _("Kies een bedrijf"))] + companies
    automatic = (
        _("Regio van het bedrijf, anders %(region)s", region=home.name)
        if home
        else _("Regio van het bedrijf")
    )
    form.region.choices = [(0, automatic)] + region_choices()
    # TODO: `skills import-esco --add-new` makes thousands of chips, here and on the
    # log form (logbook/views.py); offer the skills of the region's challenges first,
    # or a search, once a catalogue grows that large.
    skills = skill_choices(locale())
    form.skills_now.choices = skills
    form.skills_later.choices = skills


def visit_fields(form: VisitForm) -> dict:
    return {
        "organisation_id": form.organisation.data or None,
        "company_name": form.company_name.data or "",
        "sector": form.sector.data,
        "company_size": form.company_size.data,
        "region_id": form.region.data or None,
        "visited_on": form.visited_on.data,
        "skills_now": form.skills_now.data or [],
        "skills_later": form.skills_later.data or [],
        "time_to_learn": form.time_to_learn.data,
        "learns_from_mistakes": form.learns_from_mistakes.data,
        "shares_knowledge": form.shares_knowledge.data,
        "open_vacancies": form.open_vacancies.data or 0,
        "vacancy_note": form.vacancy_note.data or "",
    }


@bp.route("/regional/visits/new", methods=["GET", "POST"])
def new_visit():
    authorize("regional.record")

    form = VisitForm()
    prepare_visit_form(form, service.home_region(current_user))
    if form.validate_on_submit():
        try:
            visit = service.record_visit(current_user, **visit_fields(form))
        except service.VisitError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Het bezoek aan %(company)s is vastgelegd.",
                    company=visit.company_name,
                ),
                "success",
            )
            return redirect(url_for("regional.visit", visit_id=visit.id), 303)

    return render_page("regional/visit_form.html", form=form)


@bp.get("/regional/visits/<int:visit_id>")
def visit(visit_id: int):
    item = found(service.visit_by_id(visit_id))
    authorize("visit.view", item)

    return render_page(
        "regional/visit.html",
        visit=item,
        skills=service.skills_of_visit(item, locale()),
        **LABELS,
    )


@bp.get("/regional/visits")
def visits():
    authorize("regional.record")

    pagination = service.visits_of(current_user, page_number())
    return render_page(
        "regional/visits.html",
        pagination=pagination,
        counts=service.skill_counts([visit.id for visit in pagination.items]),
        **LABELS,
    )


def read_filters() -> tuple[RegionalFilterForm, service.Filters]:
    form = RegionalFilterForm(request.args)
    form.region.choices = [(0, _("Alle regio's"))] + region_choices()
    form.validate()
    filters = service.Filters(
        region_id=valid_or(form.region, 0),
        sector=valid_or(form.sector, ""),
        start=valid_or(form.start, None),
        end=valid_or(form.end, None),
    )
    return form, filters


@bp.get("/regional")
def index():
    authorize("regional.view")

    form, filters = read_filters()
    return render_page(
        "regional/index.html",
        form=form,
        filters=filters,
        overview=service.overview(filters),
        regions=service.region_needs(filters, locale()),
        sectors=service.sector_needs(filters, locale()),
        trend=service.trend(filters, locale()),
        side_by_side=service.regions_side_by_side(filters, locale()),
    )


def tables_named(name: str, filters: service.Filters) -> list[service.Table]:
    """Compute only the tables of one kind, as the CSV download asks."""
    if name == "overview":
        return [service.overview(filters)]
    if name in ("now", "later", "gap"):
        return [
            getattr(needs, name) for needs in service.region_needs(filters, locale())
        ]
    if name == "sectors":
        return [service.sector_needs(filters, locale())]
    if name == "trend":
        return [service.trend(filters, locale())]
    if name == "regions":
        return [service.regions_side_by_side(filters, locale())]
    return []


@bp.get("/regional.csv")
def download():
    authorize("regional.view")

    form, filters = read_filters()
    name = valid_or(form.table, "")
    table = found(
        next(
            (
                table
                for table in tables_named(name, filters)
                if not table.region_id or table.region_id == filters.region_id
            ),
            None,
        )
    )
    response = make_response(service.csv_text(table))
    response.mimetype = "text/csv"
    suffix = f"-{table.region_id}" if table.region_id else ""
    response.headers["Content-Disposition"] = (
        f'attachment; filename="bedrijfsbehoeften-{table.key}{suffix}.csv"'
    )
    return response

"""Questionnaires: define one for a tool, open moments, answer, and see results."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hcimv_lc.communities.forms import ConfirmForm
from hcimv_lc.extensions import db
from hcimv_lc.forms import show_rule_error
from hcimv_lc.instruments import service
from hcimv_lc.instruments.forms import (
    MOMENT_LABELS,
    InstrumentForm,
    OpenMomentForm,
    response_form_class,
)
from hcimv_lc.instruments.models import Administration
from hcimv_lc.policy import authorize
from hcimv_lc.sprints.views import load_sprint
from hcimv_lc.toolbox.views import load_tool
from hcimv_lc.web import found, render_page

bp = Blueprint("instruments", __name__)


def load_administration(administration_id: int) -> Administration:
    return found(service.administration_by_id(administration_id))


@bp.route("/tools/<slug:slug>/instrument", methods=["GET", "POST"])
def define(slug: str):
    tool = load_tool(slug)
    authorize("tool.edit", tool)

    instrument = service.instrument_of(tool)
    form = InstrumentForm(obj=instrument)
    if request.method == "GET":
        form.items.data = service.items_as_text(instrument)
        form.title.data = form.title.data or tool.title

    if form.validate_on_submit():
        try:
            service.define(
                tool, form.title.data, form.is_anonymous.data, form.items.data
            )
        except service.InstrumentError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("Vragenlijst opgeslagen."), "success")
            return redirect(url_for("toolbox.detail", slug=tool.slug), 303)

    return render_page("instruments/define.html", form=form, tool=tool)


@bp.route("/sprints/<int:sprint_id>/instruments", methods=["GET", "POST"])
def sprint_moments(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.view", sprint)

    form = OpenMomentForm()
    form.instrument.choices = [
        (item.id, item.title) for item in service.instruments_available()
    ]
    if request.method == "POST":
        authorize("sprint.manage", sprint)
        if form.validate_on_submit():
            instrument = next(
                i
                for i in service.instruments_available()
                if i.id == form.instrument.data
            )
            try:
                service.open_moment(sprint, instrument, form.moment.data)
            except service.InstrumentError as error:
                show_rule_error(form, error)
            else:
                db.session.commit()
                flash(_("Moment gestart: deelnemers kunnen nu antwoorden."), "success")
                return redirect(
                    url_for("instruments.sprint_moments", sprint_id=sprint.id), 303
                )

    return render_page(
        "instruments/sprint.html",
        sprint=sprint,
        form=form,
        administrations=service.administrations_of(sprint),
        moment_labels=MOMENT_LABELS,
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/administrations/<int:administration_id>/close")
def close(administration_id: int):
    administration = load_administration(administration_id)
    authorize("administration.manage", administration)

    service.close_moment(administration)
    db.session.commit()
    flash(_("Moment gesloten."), "info")
    return redirect(
        url_for("instruments.sprint_moments", sprint_id=administration.sprint_id), 303
    )


@bp.route("/administrations/<int:administration_id>", methods=["GET", "POST"])
def respond(administration_id: int):
    administration = load_administration(administration_id)
    authorize("administration.answer", administration)

    instrument = administration.instrument
    items = [item for dimension in instrument.dimensions for item in dimension.items]
    form_class = response_form_class(items)
    response = service.response_of(administration, current_user)
    given = (
        {f"item_{answer.item_id}": answer.value for answer in response.answers}
        if response
        else {}
    )
    form = form_class(data=given) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        values = {item.id: getattr(form, f"item_{item.id}").data for item in items}
        try:
            service.answer(administration, current_user, values)
        except service.InstrumentError as error:
            form.submit.errors = [str(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "Je antwoorden zijn opgeslagen. "
                    "Je kunt ze wijzigen tot het moment sluit."
                ),
                "success",
            )
            return redirect(
                url_for("sprints.detail", sprint_id=administration.sprint_id), 303
            )

    return render_page(
        "instruments/respond.html",
        administration=administration,
        instrument=instrument,
        form=form,
        moment_labels=MOMENT_LABELS,
    )


@bp.get("/administrations/<int:administration_id>/results")
def results(administration_id: int):
    administration = load_administration(administration_id)
    authorize("administration.results", administration)

    result = service.results(administration)
    means = [item.mean for item in result.dimensions]
    start = None
    effects, effect_hidden = [], False
    if administration.moment == "end":
        start = next(
            (
                item
                for item in service.administrations_of(administration.sprint)
                if item.instrument_id == administration.instrument_id
                and item.moment == "start"
            ),
            None,
        )
        if start is not None:
            effects, effect_hidden = service.effect(start, administration)
    return render_page(
        "instruments/results.html",
        administration=administration,
        result=result,
        moment_labels=MOMENT_LABELS,
        radar=service.radar_points(means) if means else "",
        axes=service.radar_axes(len(means)) if means else [],
        effects=effects,
        effect_hidden=effect_hidden,
        start=start,
        weak=service.weak_dimensions(result),
    )

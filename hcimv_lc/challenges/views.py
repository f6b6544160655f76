"""Challenges: the backlog, a challenge's page, the team, and moving cards."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from hcimv_lc.challenges import service
from hcimv_lc.challenges.forms import (
    STATUS_CHOICES,
    STATUS_LABELS,
    ChallengeForm,
    MoveForm,
    ScheduleForm,
)
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.forms import ConfirmForm
from hcimv_lc.communities.models import Community
from hcimv_lc.communities.views import load_community
from hcimv_lc.discussion.service import threads_about
from hcimv_lc.extensions import db, htmx
from hcimv_lc.organisations.service import organisation_choices
from hcimv_lc.policy import authorize, can
from hcimv_lc.skills.service import skill_choices
from hcimv_lc.sprints.service import sprint_by_id
from hcimv_lc.web import found, render_page

bp = Blueprint("challenges", __name__)


def load_challenge(challenge_id: int) -> Challenge:
    return found(service.challenge_by_id(challenge_id))


def prepare(form: ChallengeForm, community: Community) -> None:
    form.organisation.choices = [(0, _("Geen"))] + organisation_choices()
    form.team.choices = service.member_choices(community)
    form.needed_skills.choices = skill_choices(str(get_locale()))


def challenge_fields(form: ChallengeForm) -> dict:
    return {
        "title": form.title.data,
        "description": form.description.data,
        "organisation_id": form.organisation.data,
        "site": form.site.data,
        "learning_goals": form.learning_goals.data,
        "success_criteria": form.success_criteria.data,
        "needed_skill_ids": form.needed_skills.data or [],
    }


def card_context() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "status_choices": STATUS_CHOICES,
        "move_form": MoveForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
    }


@bp.get("/communities/<slug:slug>/challenges")
def backlog(slug: str):
    community = load_community(slug)
    authorize("challenge.view_backlog", community)

    return render_page(
        "challenges/backlog.html",
        community=community,
        challenges=service.backlog(community),
        **card_context(),
    )


@bp.route("/communities/<slug:slug>/challenges/new", methods=["GET", "POST"])
def create(slug: str):
    community = load_community(slug)
    authorize("challenge.create", community)

    form = ChallengeForm()
    prepare(form, community)
    if form.validate_on_submit():
        challenge = service.create_challenge(
            community, current_user, form.team.data or [], **challenge_fields(form)
        )
        db.session.commit()
        flash(_("Uitdaging toegevoegd aan de backlog."), "success")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id), 303)

    return render_page(
        "challenges/form.html", form=form, community=community, challenge=None
    )


@bp.get("/challenges/<int:challenge_id>")
def detail(challenge_id: int):
    challenge = load_challenge(challenge_id)
    authorize("challenge.view", challenge)

    schedule_form = ScheduleForm(formdata=None, sprint=challenge.sprint_id or 0)
    schedule_form.sprint.choices = [(0, _("Backlog"))] + service.sprint_choices(
        challenge.community
    )
    return render_page(
        "challenges/detail.html",
        challenge=challenge,
        community=challenge.community,
        schedule_form=schedule_form,
        threads=(
            threads_about(challenge=challenge)
            if can(current_user, "discussion.view", challenge.community)
            else []
        ),
        **card_context(),
    )


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
def edit(challenge_id: int):
    challenge = load_challenge(challenge_id)
    authorize("challenge.edit", challenge)

    form = ChallengeForm(obj=challenge)
    prepare(form, challenge.community)
    if request.method == "GET":
        form.organisation.data = challenge.organisation_id or 0
        form.team.data = [person.id for person in challenge.team]
        form.needed_skills.data = [skill.id for skill in challenge.needed_skills]

    if form.validate_on_submit():
        service.update_challenge(
            challenge, form.team.data or [], **challenge_fields(form)
        )
        db.session.commit()
        flash(_("Uitdaging opgeslagen."), "success")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id), 303)

    return render_page(
        "challenges/form.html",
        form=form,
        community=challenge.community,
        challenge=challenge,
    )


@bp.post("/challenges/<int:challenge_id>/move")
def move(challenge_id: int):
    challenge = load_challenge(challenge_id)
    authorize("challenge.move", challenge)

    form = MoveForm()
    if not form.validate():
        abort(400)

    service.move(challenge, form.status.data, form.position.data)
    db.session.commit()
    if challenge.sprint_id is None:
        return redirect(
            url_for("challenges.backlog", slug=challenge.community.slug), 303
        )

    if htmx:
        sprint = sprint_by_id(challenge.sprint_id)
        return render_page(
            "challenges/_board.html",
            sprint=sprint,
            columns=service.board(sprint),
            **card_context(),
        )
    return redirect(
        url_for("sprints.detail", sprint_id=challenge.sprint_id) + "#board", 303
    )


@bp.post("/challenges/<int:challenge_id>/schedule")
def schedule(challenge_id: int):
    challenge = load_challenge(challenge_id)
    authorize("challenge.schedule", challenge)

    form = ScheduleForm()
    form.sprint.choices = [(0, _("Backlog"))] + service.sprint_choices(
        challenge.community
    )
    if not form.validate():
        flash(_("Kies een sprint die nog niet is afgerond."), "error")
        return redirect(url_for("challenges.detail", challenge_id=challenge.id), 303)

    sprint = sprint_by_id(form.sprint.data) if form.sprint.data else None
    service.schedule(challenge, sprint)
    db.session.commit()
    if sprint is None:
        flash(_("Uitdaging terug in de backlog."), "info")
    else:
        flash(_("Uitdaging staat nu in %(title)s.", title=sprint.title), "success")
    return redirect(url_for("challenges.detail", challenge_id=challenge.id), 303)

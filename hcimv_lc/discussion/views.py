"""A community's discussion: the threads, one thread with its replies, pinning."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hcimv_lc.challenges.service import challenge_by_id
from hcimv_lc.communities.forms import ConfirmForm
from hcimv_lc.communities.views import load_community
from hcimv_lc.discussion import service
from hcimv_lc.discussion.forms import ReplyForm, ThreadForm
from hcimv_lc.discussion.models import Thread
from hcimv_lc.extensions import db
from hcimv_lc.policy import authorize, can
from hcimv_lc.sprints.service import sprint_by_id
from hcimv_lc.web import found, page_number, render_page

bp = Blueprint("discussion", __name__)


def load_thread(thread_id: int) -> Thread:
    return found(service.thread_by_id(thread_id))


@bp.get("/communities/<slug:slug>/discussion")
def index(slug: str):
    community = load_community(slug)
    authorize("discussion.view", community)

    pagination = db.paginate(
        service.threads(community),
        page=page_number(),
        per_page=service.PER_PAGE,
        error_out=False,
    )
    return render_page(
        "discussion/index.html", community=community, pagination=pagination
    )


@bp.route("/communities/<slug:slug>/discussion/new", methods=["GET", "POST"])
def start(slug: str):
    community = load_community(slug)
    authorize("discussion.post", community)

    form = ThreadForm(request.args) if request.method == "GET" else ThreadForm()
    form.validate()
    sprint, challenge = subject_of(form, community)
    if request.method == "GET":
        form.title.errors = form.body.errors = []
    if request.method == "POST" and form.validate_on_submit():
        thread = service.start_thread(
            community, current_user, form.title.data, form.body.data, sprint, challenge
        )
        db.session.commit()
        return redirect(url_for("discussion.thread", thread_id=thread.id), 303)

    return render_page(
        "discussion/new.html",
        community=community,
        form=form,
        sprint=sprint,
        challenge=challenge,
    )


def subject_of(form: ThreadForm, community):
    """Return the sprint and challenge a thread is about, if the person sees them."""
    sprint = None
    if form.sprint.data and not form.sprint.errors:
        sprint = sprint_by_id(form.sprint.data)
    challenge = None
    if form.challenge.data and not form.challenge.errors:
        challenge = challenge_by_id(form.challenge.data)
    if sprint is not None and (
        sprint.community_id != community.id
        or not can(current_user, "sprint.view", sprint)
    ):
        sprint = None
    if challenge is not None and (
        challenge.community_id != community.id
        or not can(current_user, "challenge.view", challenge)
    ):
        challenge = None
    return sprint, challenge


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
def thread(thread_id: int):
    item = load_thread(thread_id)
    authorize("thread.view", item)

    form = ReplyForm()
    if request.method == "POST":
        authorize("thread.reply", item)
        if form.validate_on_submit():
            service.reply(item, current_user, form.body.data)
            db.session.commit()
            return redirect(
                url_for("discussion.thread", thread_id=item.id) + "#replies", 303
            )

    return render_page(
        "discussion/thread.html",
        thread=item,
        replies=service.replies_of(item),
        form=form,
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/threads/<int:thread_id>/pin")
def pin(thread_id: int):
    item = load_thread(thread_id)
    authorize("thread.pin", item)

    service.toggle_pin(item)
    db.session.commit()
    flash(_("Vastgezet.") if item.pinned else _("Niet meer vastgezet."), "info")
    return redirect(url_for("discussion.index", slug=item.community.slug), 303)

"""The logbook: quick log, my log, an entry and its feedback, the week grid."""

from datetime import date

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in
from werkzeug.datastructures import MultiDict

from hcimv_lc.accounts import sessions
from hcimv_lc.communities.forms import ConfirmForm
from hcimv_lc.communities.views import load_community
from hcimv_lc.extensions import db, limiter
from hcimv_lc.forms import show_rule_error, valid_or
from hcimv_lc.logbook import service
from hcimv_lc.logbook.forms import (
    KIND_LABELS,
    SUBTYPE_LABELS,
    VISIBILITY_LABELS,
    CommentForm,
    DefaultPromptForm,
    LogEntryForm,
    LogFilterForm,
    PromptForm,
)
from hcimv_lc.logbook.models import Kind, LogEntry, Subtype
from hcimv_lc.policy import authorize
from hcimv_lc.skills.service import skill_choices
from hcimv_lc.sprints.views import load_sprint
from hcimv_lc.web import found, page_number, render_page

bp = Blueprint("logbook", __name__)

LABELS = {
    "kind_labels": KIND_LABELS,
    "subtype_labels": SUBTYPE_LABELS,
    "visibility_labels": VISIBILITY_LABELS,
}


def labels() -> dict[str, dict[str, str]]:
    """Return the labels of kinds, subtypes and visibilities in this request's language.

    Translated once here, instead of again for every entry on the page.
    """
    return {
        name: {key: str(text) for key, text in texts.items()}
        for name, texts in LABELS.items()
    }


PENDING_SESSION_KEY = "pending_entry"
PENDING_MAX_BYTES = 40_000


def load_entry(entry_id: int) -> LogEntry:
    return found(service.entry_by_id(entry_id))


def prepare(
    form: LogEntryForm,
    user,
    entry=None,
    communities=None,
    challenges=None,
    default=None,
):
    """Fill the form's choices: the person's communities, challenges and skills.

    The home page passes the communities, challenges and the default community it
    has already.
    """
    if communities is None:
        communities = service.communities_of(user)
    if challenges is None:
        challenges = service.challenge_choices(user)
    form.community.choices = [
        (community.id, community.name) for community in communities
    ]
    form.challenge.choices = [(0, _("Geen"))] + challenges
    form.skills.choices = skill_choices(str(get_locale()))
    if request.method == "GET" and entry is None:
        form.date.data = form.date.data or date.today()
        chosen = form.community.data or default or service.default_community_id(user)
        form.community.data = chosen
        community = next((item for item in communities if item.id == chosen), None)
        if not form.visibility.data and community is not None:
            form.visibility.data = community.default_visibility


def entry_fields(form: LogEntryForm) -> dict:
    return {
        "what": form.what.data,
        "kind": form.kind.data or Kind.INFORMAL,
        "subtype": form.subtype.data or Subtype.ON_THE_JOB,
        "minutes": form.chosen_minutes(),
        "date": form.date.data or date.today(),
        "community_id": form.community.data,
        "challenge_id": form.challenge.data,
        "skill_ids": form.skills.data or [],
        "reflection": form.reflection.data,
        "visibility": form.visibility.data or None,
    }


def form_context(form: LogEntryForm) -> dict:
    sprints = (
        service.active_sprints_of(current_user) if current_user.is_authenticated else []
    )
    prompt = service.prompt_for(sprints[0], date.today()) if sprints else ""
    return {"form": form, "prompt": prompt}


@bp.route("/log/new", methods=["GET", "POST"])
@limiter.limit("120 per hour", methods=["POST"])
def create():
    if request.method == "POST" and not current_user.is_authenticated:
        keep_what_was_typed()
    authorize("log.create")

    formdata = pending_formdata() if request.method == "GET" else None
    form = LogEntryForm(formdata=formdata) if formdata else LogEntryForm()
    prepare(form, current_user)
    if request.method == "POST" and form.validate_on_submit():
        try:
            entry = service.create_entry(current_user, **entry_fields(form))
        except service.LogbookError as error:
            show_rule_error(form, error)
        else:
            forget_kept_entry()
            # Read before the commit expires the entry: reloading it afterwards would
            # wait for the write lock again, and fail a request whose entry is saved.
            what = entry.what
            db.session.commit()
            flash(_("Vastgelegd: %(what)s", what=what), "success")
            return redirect(url_for("core.home"), 303)

    return render_page("logbook/form.html", entry=None, **form_context(form))


def keep_what_was_typed() -> None:
    """Keep a log entry whose author's session ended while they typed."""
    # The ended session still names its account; the entry waits for that account.
    identity = session.get("_user_id") or session.get(sessions.ENDED, "")
    owner, _sep, _token = identity.partition(":")
    fields = MultiDict(request.form)
    fields.pop("csrf_token", None)
    payload = fields.to_dict(flat=False)
    if owner.isdigit() and len(str(payload)) <= PENDING_MAX_BYTES:
        session[PENDING_SESSION_KEY] = service.keep_pending(payload, int(owner))
        db.session.commit()
        flash(_("Je sessie was verlopen. Log in: je tekst is bewaard."), "info")


def as_formdata(payload: dict[str, list[str]]) -> MultiDict:
    return MultiDict(
        [(name, value) for name, values in payload.items() for value in values]
    )


def pending_formdata() -> MultiDict | None:
    """Return the kept entry of this person for the form; it stays until saved."""
    key = session.get(PENDING_SESSION_KEY)
    payload = service.peek_pending(key, current_user.id) if key else None
    return as_formdata(payload) if payload else None


def forget_kept_entry() -> None:
    key = session.pop(PENDING_SESSION_KEY, None)
    if key:
        service.forget_pending(key)


@user_logged_in.connect
def save_pending_entry(app, user, **extra) -> None:
    """After log-in, save the entry that was kept while the session was gone."""
    key = session.get(PENDING_SESSION_KEY)
    if not key:
        return

    payload = service.peek_pending(key, user.id)
    if payload is None:
        # Kept for someone else, or gone: never save it under this account.
        forget_kept_entry()
        return
    form = LogEntryForm(formdata=as_formdata(payload), meta={"csrf": False})
    prepare(form, user)
    if form.validate():
        try:
            service.create_entry(user, **entry_fields(form))
        except service.LogbookError:
            pass
        else:
            forget_kept_entry()
            flash(_("Je leeractiviteit van daarnet is opgeslagen."), "success")
            return
    flash(_("Je tekst van daarnet staat klaar in het formulier."), "info")


@bp.get("/log")
def my_log():
    authorize("account.use")

    form = LogFilterForm(request.args)
    sprints = service.active_sprints_of(current_user)
    form.sprint.choices = [(0, _("Alle sprints"))] + [(s.id, s.title) for s in sprints]
    form.validate()
    sprint = next((s for s in sprints if s.id == form.sprint.data), None)
    kind = valid_or(form.kind, "")
    week = valid_or(form.week, None)
    log = service.my_log(current_user, sprint, kind, week)
    return render_page(
        "logbook/my_log.html",
        form=form,
        log=log,
        **labels(),
    )


def entry_page(item: LogEntry, comment_form: CommentForm):
    return render_page(
        "logbook/entry.html",
        entry=item,
        comments=service.comments_of(item),
        comment_form=comment_form,
        **labels(),
    )


@bp.get("/entries/<int:entry_id>")
def entry(entry_id: int):
    item = load_entry(entry_id)
    authorize("entry.view", item)

    return entry_page(item, CommentForm(formdata=None))


@bp.post("/entries/<int:entry_id>/comments")
def comment(entry_id: int):
    item = load_entry(entry_id)
    authorize("entry.comment", item)

    form = CommentForm()
    if form.validate_on_submit():
        service.add_comment(item, current_user, form.body.data)
        db.session.commit()
        return redirect(url_for("logbook.entry", entry_id=item.id) + "#comments", 303)

    return entry_page(item, form)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def edit(entry_id: int):
    item = load_entry(entry_id)
    authorize("entry.edit", item)

    form = LogEntryForm(obj=item)
    prepare(form, current_user, item)
    if request.method == "GET":
        form.challenge.data = item.challenge_id or 0
        form.skills.data = [skill.id for skill in item.skills]
        form.quick_minutes.data = (
            item.minutes if item.minutes in (15, 30, 60, 120) else None
        )
        form.minutes.data = None if form.quick_minutes.data else item.minutes
        form.community.data = item.community_id

    if form.validate_on_submit():
        try:
            service.update_entry(item, current_user, **entry_fields(form))
        except service.LogbookError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("Leeractiviteit opgeslagen."), "success")
            return redirect(url_for("logbook.entry", entry_id=item.id), 303)

    return render_page("logbook/form.html", entry=item, **form_context(form))


@bp.route("/entries/<int:entry_id>/delete", methods=["GET", "POST"])
def delete(entry_id: int):
    item = load_entry(entry_id)
    authorize("entry.edit", item)

    form = ConfirmForm()
    if form.validate_on_submit():
        service.delete_entry(item)
        db.session.commit()
        flash(_("Leeractiviteit verwijderd."), "info")
        return redirect(url_for("logbook.my_log"), 303)

    return render_page("logbook/delete.html", entry=item, form=form)


@bp.get("/communities/<slug:slug>/log")
def community_log(slug: str):
    community = load_community(slug)
    authorize("log.view_community", community)

    query = service.visible_entries(community, current_user)
    pagination = db.paginate(
        query, page=page_number(), per_page=service.PER_PAGE, error_out=False
    )
    return render_page(
        "logbook/community_log.html",
        community=community,
        pagination=pagination,
        **labels(),
    )


@bp.get("/sprints/<int:sprint_id>/participation")
def participation(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.participation", sprint)

    today = date.today()
    return render_page(
        "logbook/participation.html",
        sprint=sprint,
        rows=service.participation_grid(sprint),
        current_week=sprint.week_of(today),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/sprints/<int:sprint_id>/remind")
def remind(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.participation", sprint)

    count = service.remind_missing(sprint, current_user, date.today())
    db.session.commit()
    flash(_("%(n)d deelnemers herinnerd.", n=count), "success")
    return redirect(url_for("logbook.participation", sprint_id=sprint.id), 303)


@bp.route("/sprints/<int:sprint_id>/prompts", methods=["GET", "POST"])
def prompts(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.manage", sprint)

    form = PromptForm()
    default_form = DefaultPromptForm(obj=sprint)
    if "default_prompt" in request.form and default_form.validate_on_submit():
        sprint.default_prompt = default_form.default_prompt.data or ""
        db.session.commit()
        flash(_("Vaste vraag opgeslagen."), "success")
        return redirect(url_for("logbook.prompts", sprint_id=sprint.id), 303)

    if "week" in request.form and form.validate_on_submit():
        try:
            service.set_prompt(sprint, form.week.data, form.text.data)
        except service.LogbookError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Vraag voor week %(week)d opgeslagen.", week=form.week.data),
                "success",
            )
            return redirect(url_for("logbook.prompts", sprint_id=sprint.id), 303)

    return render_page(
        "logbook/prompts.html",
        sprint=sprint,
        form=form,
        default_form=default_form,
        prompts=service.prompts_of(sprint),
    )

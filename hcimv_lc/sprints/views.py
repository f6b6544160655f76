"""Sprints: planning, the sprint page, meetings, calendars, closing and lessons."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from hcimv_lc.challenges import service as challenges
from hcimv_lc.challenges.forms import STATUS_CHOICES, STATUS_LABELS, MoveForm
from hcimv_lc.communities.forms import ConfirmForm
from hcimv_lc.communities.views import load_community
from hcimv_lc.discussion.service import threads_about
from hcimv_lc.extensions import db
from hcimv_lc.forms import show_rule_error
from hcimv_lc.policy import authorize, can
from hcimv_lc.regional.service import top_needs
from hcimv_lc.sprints import calendar, service
from hcimv_lc.sprints.forms import STATUS_LABELS as SPRINT_STATUS_LABELS
from hcimv_lc.sprints.forms import (
    WEEKDAY_CHOICES,
    CloseSprintForm,
    CopySprintForm,
    MeetingForm,
    SeriesForm,
    SprintForm,
)
from hcimv_lc.sprints.models import Meeting, Sprint, SprintStatus
from hcimv_lc.web import found, render_page

bp = Blueprint("sprints", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"


def load_sprint(sprint_id: int) -> Sprint:
    return found(service.sprint_by_id(sprint_id))


def load_meeting(meeting_id: int) -> Meeting:
    return found(service.meeting_by_id(meeting_id))


def sprint_fields(form: SprintForm) -> dict:
    return {
        "title": form.title.data,
        "goal": form.goal.data,
        "start_date": form.start_date.data,
        "weeks": form.weeks.data,
    }


def meeting_fields(form) -> dict:
    fields = {
        "start_time": form.start_time.data,
        "end_time": form.end_time.data,
        "place": form.place.data,
        "online_url": form.online_url.data,
        "agenda": form.agenda.data,
    }
    if hasattr(form, "date"):
        fields["date"] = form.date.data
    return fields


@bp.route("/communities/<slug:slug>/sprints/new", methods=["GET", "POST"])
def plan(slug: str):
    community = load_community(slug)
    authorize("sprint.plan", community)

    form = SprintForm()
    if form.validate_on_submit():
        sprint = service.plan_sprint(community, current_user, **sprint_fields(form))
        db.session.commit()
        flash(
            _("Sprint gepland als concept. Voeg bijeenkomsten en uitdagingen toe."),
            "success",
        )
        return redirect(url_for("sprints.detail", sprint_id=sprint.id), 303)

    return render_page(
        "sprints/form.html",
        form=form,
        community=community,
        sprint=None,
        needs=needs_of_region(community),
    )


def needs_of_region(community) -> list[tuple[str, int]]:
    """Return what companies in the community's region need, for its planners."""
    return top_needs(community.region_id, locale=str(get_locale()))


@bp.get("/sprints/<int:sprint_id>")
def detail(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.view", sprint)

    meetings = service.meetings_of(sprint)
    columns = challenges.board(sprint)
    done, total = challenges.progress(columns)
    today = date.today()
    return render_page(
        "sprints/detail.html",
        sprint=sprint,
        community=sprint.community,
        weeks=service.timeline(sprint, meetings, today),
        current_week=sprint.week_of(today),
        meetings=meetings,
        columns=columns,
        done=done,
        total=total,
        team=team_of(sprint, columns),
        lesson=service.lesson_of(sprint),
        threads=(
            threads_about(sprint=sprint)
            if can(current_user, "discussion.view", sprint.community)
            else []
        ),
        **board_context(),
    )


def board_context() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "status_choices": STATUS_CHOICES,
        "sprint_status_labels": SPRINT_STATUS_LABELS,
        "weekday_labels": dict(WEEKDAY_CHOICES),
        "move_form": MoveForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
    }


def team_of(sprint: Sprint, columns: dict) -> list:
    people = {}
    for cards in columns.values():
        for challenge in cards:
            for person in challenge.team:
                people[person.id] = person
    return sorted(people.values(), key=lambda person: person.name)


@bp.route("/sprints/<int:sprint_id>/edit", methods=["GET", "POST"])
def edit(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.manage", sprint)

    form = SprintForm(obj=sprint)
    if form.validate_on_submit():
        try:
            service.update_sprint(sprint, **sprint_fields(form))
        except service.SprintError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("Sprint opgeslagen."), "success")
            return redirect(url_for("sprints.detail", sprint_id=sprint.id), 303)

    return render_page(
        "sprints/form.html",
        form=form,
        community=sprint.community,
        sprint=sprint,
        needs=needs_of_region(sprint.community),
    )


@bp.post("/sprints/<int:sprint_id>/activate")
def activate(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.manage", sprint)

    if sprint.status == SprintStatus.DRAFT:
        service.activate(sprint)
        db.session.commit()
        flash(_("De sprint is gestart: deelnemers zien hem nu."), "success")
    return redirect(url_for("sprints.detail", sprint_id=sprint.id), 303)


@bp.route("/sprints/<int:sprint_id>/close", methods=["GET", "POST"])
def close(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.manage", sprint)

    form = CloseSprintForm(obj=service.lesson_of(sprint))
    if form.validate_on_submit():
        lesson = service.close(
            sprint,
            current_user,
            worked=form.worked.data,
            did_not_work=form.did_not_work.data,
            advice=form.advice.data,
            visibility=form.visibility.data,
        )
        db.session.commit()
        flash(_("Sprint afgerond. De les staat online."), "success")
        return redirect(url_for("sprints.lesson", lesson_id=lesson.id), 303)

    return render_page("sprints/close.html", form=form, sprint=sprint)


@bp.route("/sprints/<int:sprint_id>/copy", methods=["GET", "POST"])
def copy(sprint_id: int):
    source = load_sprint(sprint_id)
    authorize("sprint.manage", source)

    led = service.communities_led_by(current_user)
    form = CopySprintForm()
    form.community.choices = [(community.id, community.name) for community in led]
    if request.method == "GET":
        form.community.data = source.community_id
        form.title.data = source.title

    if form.validate_on_submit():
        target = next(item for item in led if item.id == form.community.data)
        authorize("sprint.plan", target)
        sprint = service.copy_sprint(
            source, target, current_user, form.title.data, form.start_date.data
        )
        db.session.commit()
        flash(
            _("Nieuwe sprint gemaakt op basis van %(title)s.", title=source.title),
            "success",
        )
        return redirect(url_for("sprints.detail", sprint_id=sprint.id), 303)

    return render_page("sprints/copy.html", form=form, sprint=source)


@bp.route("/sprints/<int:sprint_id>/meetings/new", methods=["GET", "POST"])
def add_meeting(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.manage", sprint)

    form = MeetingForm()
    if request.method == "GET":
        form.date.data = max(sprint.start_date, min(date.today(), sprint.end_date))
        form.start_time.data, form.end_time.data = (
            sprint.meeting_start,
            sprint.meeting_end,
        )
        form.place.data = sprint.meeting_place

    if form.validate_on_submit():
        try:
            service.add_meeting(sprint, **meeting_fields(form))
        except service.SprintError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("Bijeenkomst toegevoegd."), "success")
            return redirect(
                url_for("sprints.detail", sprint_id=sprint.id) + "#meetings", 303
            )

    return render_page(
        "sprints/meeting_form.html", form=form, sprint=sprint, meeting=None
    )


@bp.route("/sprints/<int:sprint_id>/meetings/series", methods=["GET", "POST"])
def series(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.manage", sprint)

    form = SeriesForm()
    if form.validate_on_submit():
        try:
            created = service.generate_series(
                sprint, form.weekday.data, form.interval.data, **meeting_fields(form)
            )
        except service.SprintError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("%(n)d bijeenkomsten gepland.", n=len(created)), "success")
            return redirect(
                url_for("sprints.detail", sprint_id=sprint.id) + "#meetings", 303
            )

    return render_page("sprints/series_form.html", form=form, sprint=sprint)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int):
    meeting = load_meeting(meeting_id)
    authorize("meeting.manage", meeting)

    form = MeetingForm(obj=meeting)
    if form.validate_on_submit():
        try:
            service.update_meeting(meeting, **meeting_fields(form))
        except service.SprintError as error:
            show_rule_error(form, error)
        else:
            db.session.commit()
            flash(_("Bijeenkomst opgeslagen."), "success")
            return redirect(
                url_for("sprints.detail", sprint_id=meeting.sprint_id) + "#meetings",
                303,
            )

    return render_page(
        "sprints/meeting_form.html", form=form, sprint=meeting.sprint, meeting=meeting
    )


@bp.post("/meetings/<int:meeting_id>/cancel")
def cancel_meeting(meeting_id: int):
    meeting = load_meeting(meeting_id)
    authorize("meeting.manage", meeting)

    service.cancel_meeting(meeting)
    db.session.commit()
    flash(_("Bijeenkomst geannuleerd; agenda's krijgen dat door."), "info")
    return redirect(
        url_for("sprints.detail", sprint_id=meeting.sprint_id) + "#meetings", 303
    )


@bp.post("/sprints/<int:sprint_id>/calendar-link")
def replace_sprint_feed(sprint_id: int):
    sprint = load_sprint(sprint_id)
    authorize("sprint.manage", sprint)

    service.replace_sprint_feed_token(sprint)
    db.session.commit()
    flash(_("Nieuwe agendalink gemaakt; de oude werkt niet meer."), "info")
    return redirect(url_for("sprints.detail", sprint_id=sprint.id) + "#meetings", 303)


@bp.get("/calendar")
def my_calendar():
    authorize("account.use")

    return render_page(
        "sprints/calendar.html",
        token=current_user.calendar_token,
        meetings=service.personal_meetings(current_user),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/calendar/link")
def replace_personal_feed():
    authorize("account.use")

    service.replace_personal_feed_token(current_user)
    db.session.commit()
    flash(_("Nieuwe agendalink gemaakt; de oude werkt niet meer."), "info")
    return redirect(url_for("sprints.my_calendar"), 303)


def ics_response(body: bytes, name: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/calendar/sprints/<token:token>.ics")
def sprint_feed(token: str):
    # The secret token is the access check: calendar apps cannot log in.
    sprint = service.sprint_by_feed_token(token)
    if sprint is None:
        abort(404)

    body = calendar.build_feed(sprint.title, service.meetings_of(sprint))
    return ics_response(body, f"sprint-{sprint.id}")


@bp.get("/calendar/people/<token:token>.ics")
def personal_feed(token: str):
    user = service.user_by_feed_token(token)
    if user is None or not user.is_enabled:
        abort(404)

    body = calendar.build_feed(_("Mijn bijeenkomsten"), service.personal_meetings(user))
    return ics_response(body, "bijeenkomsten")


@bp.get("/lessons/<int:lesson_id>")
def lesson(lesson_id: int):
    item = service.lesson_by_id(lesson_id)
    if item is None:
        abort(404)
    authorize("lesson.view", item)

    return render_page("sprints/lesson.html", lesson=item, sprint=item.sprint)

"""The home page and the health check."""

import logging
from datetime import date

from flask import Blueprint, jsonify
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hcimv_lc.communities import service as communities
from hcimv_lc.communities.forms import THEME_LABELS
from hcimv_lc.core import service
from hcimv_lc.extensions import db, limiter
from hcimv_lc.logbook import service as logbook
from hcimv_lc.logbook.forms import LogEntryForm
from hcimv_lc.logbook.views import prepare as prepare_log_form
from hcimv_lc.web import render_page

logger = logging.getLogger(__name__)

bp = Blueprint("core", __name__)

HOME_COMMUNITY_LIMIT = 50


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        by_region = communities.open_communities_by_region(HOME_COMMUNITY_LIMIT)
        return render_page(
            "core/home.html", by_region=by_region, theme_labels=THEME_LABELS
        )

    today = date.today()
    mine = communities.my_communities(current_user)
    sprints = service.active_sprints(current_user, today)
    sprint, meeting = sprints[0] if sprints else (None, None)
    challenges = service.sprint_challenges(current_user)
    form = LogEntryForm(formdata=None)
    prepare_log_form(
        form,
        current_user,
        communities=[item for item, _role in mine],
        challenges=[(item.id, item.title) for item in challenges],
        default=sprint.community_id if sprint else None,
    )
    week = logbook.week_at_a_glance(current_user, sprint, today)
    return render_page(
        "core/dashboard.html",
        mine=mine,
        form=form,
        entry=None,
        sprint=sprint,
        next_meeting=meeting,
        prompt=week.prompt,
        challenges=service.my_challenges(challenges),
        minutes_this_week=week.minutes_this_week,
        minutes_last_week=week.minutes_last_week,
        overviews=service.facilitator_overview(
            current_user, today, sprints, challenges
        ),
        theme_labels=THEME_LABELS,
    )


@bp.get("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.warning("Health check: the database does not answer")
        db.session.rollback()
        return jsonify(status="unavailable", database="unavailable"), 503

    return jsonify(status="ok", database="ok")

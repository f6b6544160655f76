"""The home page and the health check."""

import logging

from flask import Blueprint, jsonify
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hcimv_lc.communities import service as communities
from hcimv_lc.communities.forms import THEME_LABELS
from hcimv_lc.extensions import db, limiter
from hcimv_lc.web import render_page

logger = logging.getLogger(__name__)

bp = Blueprint("core", __name__)

HOME_COMMUNITY_LIMIT = 50


@bp.get("/")
def home():
    mine = communities.my_communities(current_user)
    by_region = communities.open_communities_by_region(HOME_COMMUNITY_LIMIT)
    return render_page(
        "core/home.html", mine=mine, by_region=by_region, theme_labels=THEME_LABELS
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

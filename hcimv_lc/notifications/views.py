"""A person's notifications: the list, opening one, marking all read."""

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from hcimv_lc.communities.forms import ConfirmForm
from hcimv_lc.extensions import db
from hcimv_lc.notifications import service
from hcimv_lc.notifications.models import Notification
from hcimv_lc.policy import authorize
from hcimv_lc.web import page_number, render_page

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
def index():
    authorize("account.use")

    return render_page(
        "notifications/index.html",
        pagination=service.recent(current_user, page_number()),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/notifications/<int:notification_id>/open")
def open_one(notification_id: int):
    authorize("account.use")
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)

    link = service.open_notification(notification)
    db.session.commit()
    return redirect(link if link.startswith("/") else url_for("core.home"), 303)


@bp.post("/notifications/read")
def read_all():
    authorize("account.use")

    service.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"), 303)

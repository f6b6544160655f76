"""Create, count, list and open in-app notifications; mail them when wanted."""

import logging

from flask import g, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from hcimv_lc.accounts.models import User
from hcimv_lc.database import utcnow
from hcimv_lc.extensions import db
from hcimv_lc.mail import send_mail
from hcimv_lc.notifications.models import Notification

logger = logging.getLogger(__name__)

PER_PAGE = 30


def notify(user: User, kind: str, subject: str, link: str, actor: User | None = None):
    """Leave a note for the person; the subject is a title, never private text."""
    notification = Notification(
        user_id=user.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        subject=subject[:200],
        link=link,
    )
    db.session.add(notification)
    logger.info("Notification %s for user %s", kind, user.id)
    return notification


def mail_about(user: User, subject: str, lines: list[str], link: str) -> None:
    """Mail a short message with a link to the platform in the person's language."""
    with force_locale(user.locale):
        greeting = _("Hallo %(name)s,", name=user.name)
        footer = _("Je kunt deze mails uitzetten in je profiel.")
        address = url_for("core.home", _external=True).rstrip("/") + link
        body = "\n\n".join([greeting, *lines, address, footer])
    send_mail(user.email, subject, body)


def unread_count_of(user_id):
    """Return a scalar subquery of how many notifications the person has not opened."""
    return (
        select(func.count())
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .select_from(Notification)
        .scalar_subquery()
    )


def remember_unread(user: User, count: int) -> None:
    """Keep the person's unread count, loaded with the account, for this request."""
    g.unread_notifications = (user.id, count)


def unread_count(user) -> int:
    """Return how many notifications the person has not opened, once per request."""
    if not user.is_authenticated:
        return 0
    kept = g.get("unread_notifications")
    if kept is None or kept[0] != user.id:
        remember_unread(user, db.session.scalar(select(unread_count_of(user.id))))
    return g.unread_notifications[1]


def recent(user: User, page: int):
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(joinedload(Notification.actor))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def open_notification(notification: Notification) -> str:
    """Mark the notification read and return where it points."""
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification.link


def mark_all_read(user: User) -> None:
    db.session.execute(
        Notification.__table__.update()
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )

"""Rules and queries of community discussions."""

import logging

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community
from hcimv_lc.database import utcnow
from hcimv_lc.discussion.models import Reply, Thread
from hcimv_lc.extensions import db
from hcimv_lc.markup import render_markdown
from hcimv_lc.notifications import service as notifications
from hcimv_lc.notifications.models import NotificationKind
from hcimv_lc.sprints.models import Sprint

logger = logging.getLogger(__name__)

PER_PAGE = 20


def threads(community: Community):
    """Return a query of the community's threads: pinned first, then newest activity."""
    return (
        select(Thread)
        .where(Thread.community_id == community.id)
        .options(joinedload(Thread.author))
        .order_by(
            Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc()
        )
    )


def threads_about(sprint: Sprint | None = None, challenge: Challenge | None = None):
    query = select(Thread).order_by(Thread.last_activity_at.desc()).limit(10)
    if sprint is not None:
        query = query.where(Thread.sprint_id == sprint.id)
    if challenge is not None:
        query = query.where(Thread.challenge_id == challenge.id)
    return list(db.session.scalars(query))


def thread_by_id(thread_id: int) -> Thread | None:
    query = select(Thread).where(Thread.id == thread_id)
    options = (
        joinedload(Thread.community),
        joinedload(Thread.author),
        joinedload(Thread.sprint),
        joinedload(Thread.challenge),
    )
    return db.session.scalar(query.options(*options))


def replies_of(thread: Thread) -> list[Reply]:
    query = (
        select(Reply)
        .where(Reply.thread_id == thread.id)
        .options(joinedload(Reply.author))
        .order_by(Reply.created_at, Reply.id)
    )
    return list(db.session.scalars(query))


def start_thread(
    community: Community,
    author: User,
    title: str,
    body: str,
    sprint: Sprint | None = None,
    challenge: Challenge | None = None,
) -> Thread:
    """Open a thread, optionally about a sprint or a challenge of the same community."""
    thread = Thread(
        community_id=community.id,
        author_id=author.id,
        title=title,
        body=body or "",
        body_html=render_markdown(body or ""),
        sprint_id=sprint.id if sprint and sprint.community_id == community.id else None,
        challenge_id=(
            challenge.id
            if challenge and challenge.community_id == community.id
            else None
        ),
    )
    db.session.add(thread)
    db.session.flush()
    logger.info("Thread %s started by user %s", thread.id, author.id)
    return thread


def reply(thread: Thread, author: User, body: str) -> Reply:
    """Add a reply; the thread moves up and its starter hears of it."""
    item = Reply(
        thread_id=thread.id,
        author_id=author.id,
        body=body,
        body_html=render_markdown(body),
    )
    db.session.add(item)
    thread.reply_count += 1
    thread.last_activity_at = utcnow()
    db.session.flush()
    logger.info("Reply %s in thread %s by user %s", item.id, thread.id, author.id)

    starter = thread.author
    if starter is not None and starter.id != author.id:
        with force_locale(starter.locale):
            subject = _("Nieuwe reactie op %(title)s", title=thread.title)
        link = url_for("discussion.thread", thread_id=thread.id) + f"#reply-{item.id}"
        notifications.notify(starter, NotificationKind.REPLY, subject, link, author)
    return item


def toggle_pin(thread: Thread) -> None:
    thread.pinned = not thread.pinned
    logger.info("Thread %s %s", thread.id, "pinned" if thread.pinned else "unpinned")

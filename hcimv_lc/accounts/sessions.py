"""How long a signed-in session lasts: idle and absolute limits, checked by the server.

The session cookie is signed, so the times it carries cannot be moved by the
browser. A session ends after SESSION_IDLE_LIMIT without a request, unless the
person chose "remember me"; every session ends SESSION_ABSOLUTE_LIMIT after its
log-in, however active. "Remember me" makes the cookie outlive the browser
(a permanent session), instead of Flask-Login's separate remember cookie, which
carries no time and would let a copied cookie work for ever.
"""

import logging
import time

from flask import current_app, session
from flask_login import login_user, logout_user

logger = logging.getLogger(__name__)

STARTED = "_started"
SEEN = "_seen"
REMEMBERED = "_remembered"
# Whose session the limits ended, so that text typed meanwhile waits for them.
ENDED = "_ended_user_id"
# Writing the last-seen time sends a new cookie; once a minute is precise enough.
SEEN_PRECISION = 60


def clock() -> float:
    """Return the current time in seconds; the tests stop it."""
    return time.time()


def start(user, remember: bool = False) -> None:
    """Sign the person in with a session that carries its own start time."""
    login_user(user)
    session.pop(ENDED, None)
    now = int(clock())
    session[STARTED] = now
    session[SEEN] = now
    session[REMEMBERED] = bool(remember)
    session.permanent = bool(remember)


def enforce_limits() -> None:
    """End the session of this request when it was idle or open too long."""
    if "_user_id" not in session:
        return

    now = int(clock())
    started = session.setdefault(STARTED, now)
    seen = session.get(SEEN, started)
    config = current_app.config
    too_old = now - started > config["SESSION_ABSOLUTE_LIMIT"].total_seconds()
    idle = now - seen > config["SESSION_IDLE_LIMIT"].total_seconds()
    if too_old or (idle and not session.get(REMEMBERED)):
        identity = session["_user_id"]
        logout_user()
        for key in (STARTED, SEEN, REMEMBERED):
            session.pop(key, None)
        session[ENDED] = identity
        user_id = identity.partition(":")[0]
        logger.info(
            "Session of user %s ended: %s", user_id, "too old" if too_old else "idle"
        )
        return

    if now - seen >= SEEN_PRECISION:
        session[SEEN] = now

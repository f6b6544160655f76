"""Friendly error pages in the person's language, never with a traceback."""

import logging
import sqlite3

import psycopg
from flask import Flask, g, make_response, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from hcimv_lc.extensions import db, htmx
from hcimv_lc.web import render_page

logger = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Dat ging niet goed"),
        _l(
            "Het verzoek was niet compleet of niet geldig. Ga terug, laad de pagina "
            "opnieuw en probeer het nog eens."
        ),
    ),
    403: (_l("Geen toegang"), _l("Je hebt geen rechten voor deze actie.")),
    404: (
        _l("Pagina niet gevonden"),
        _l("Deze pagina bestaat niet, of je hebt er geen toegang toe."),
    ),
    405: (_l("Dat kan zo niet"), _l("Deze pagina werkt niet op deze manier.")),
    410: (_l("Niet meer geldig"), _l("Deze link is verlopen of ingetrokken.")),
    413: (
        _l("Te groot"),
        _l("Wat je stuurde is te groot. Verstuur minder of kleinere bestanden."),
    ),
    429: (
        _l("Even rustig aan"),
        _l(
            "Te veel pogingen achter elkaar. Wacht een kwartier en probeer het dan "
            "opnieuw."
        ),
    ),
    503: (
        _l("Even niet bereikbaar"),
        _l(
            "Het platform kan zijn gegevens even niet bereiken. Probeer het over een "
            "minuut opnieuw."
        ),
    ),
    500: (
        _l("Er ging iets mis"),
        _l(
            "Er ging bij ons iets mis. Probeer het later nog eens; blijft het "
            "gebeuren, meld dan de code hieronder."
        ),
    ),
}


def error_page(code: int):
    """Render the error page; to htmx, only its message, shown in the main element."""
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    response = render_page(
        "errors/error.html",
        fragment="errors/_error.html",
        code=code,
        title=title,
        message=message,
    )
    if htmx and not htmx.history_restore_request:
        # static/js/app.js swaps error answers that carry this header.
        response.headers["HX-Retarget"] = "#main"
        response.headers["HX-Reswap"] = "innerHTML"
    return response, code


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if isinstance(error, CSRFError):
        logger.info("CSRF check failed on %s %s", request.method, request.path)
    response, code = error_page(error.code)
    for name, value in error.get_headers():
        if name.lower() in {"allow", "retry-after", "content-range"}:
            response.headers[name] = value
    return response, code


# Shown when even the error page fails, as when the database is down: the layout
# asks the database who is signed in. Both languages, no database, no template.
BARE_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{title}</h1>
<p>{dutch}</p>
<p lang="en">{english}</p>
<p><small>Foutcode: <code>{request_id}</code></small></p></main></body></html>
"""
BARE_TEXTS = {
    500: (
        "Er ging iets mis",
        "Er ging bij ons iets mis. Probeer het over een paar minuten nog eens.",
        "Something went wrong on our side. Please try again in a few minutes.",
    ),
    503: (
        "Even niet bereikbaar",
        "Het platform kan zijn gegevens even niet bereiken. Probeer het over een "
        "minuut opnieuw.",
        "The platform cannot reach its data just now. Please try again in a minute.",
    ),
}
# How long a client should wait before it tries again when the database is away.
RETRY_AFTER = "30"
# SQLite's words for a database it cannot use at all, as against a bad statement.
SQLITE_UNAVAILABLE = ("unable to open database file", "disk I/O error", "is locked")


def page_or_bare_page(code: int):
    """Render the error page, or the bare one when that needs what has failed."""
    try:
        db.session.rollback()
        response, code = error_page(code)
    except Exception:
        logger.warning("The error page failed too; the bare page was shown")
        db.session.remove()
        title, dutch, english = BARE_TEXTS[code]
        page = BARE_PAGE.format(
            title=title,
            dutch=dutch,
            english=english,
            request_id=escape(g.get("request_id", "")),
        )
        response = make_response(page)
        response.content_type = "text/html; charset=utf-8"
    return response, code


def handle_unexpected_error(error: InternalServerError):
    # Flask has logged the exception with its traceback through the app's logger,
    # which carries the request id; a second record would only repeat it.
    return page_or_bare_page(500)


def database_unavailable(error: DBAPIError) -> bool:
    """Tell an unreachable or stopping database from a fault in a statement."""
    original = error.orig
    if error.connection_invalidated:
        return True
    if isinstance(original, psycopg.OperationalError):
        # No SQLSTATE: the client lost or never got a connection. 08: connection
        # exceptions; 57P: the server shuts down or is not yet accepting.
        state = original.sqlstate
        return state is None or state.startswith(("08", "57P"))
    if isinstance(original, sqlite3.OperationalError):
        return any(words in str(original) for words in SQLITE_UNAVAILABLE)
    return False


def handle_database_error(error: DBAPIError):
    """Answer 503 while the database is away; any other database error is a crash."""
    if not database_unavailable(error):
        raise error
    # One line per request, without the traceback: they would all be the same.
    logger.warning(
        "Database unavailable on %s %s: %s",
        request.method,
        request.path,
        type(error.orig).__name__,
    )
    response, code = page_or_bare_page(503)
    response.headers["Retry-After"] = RETRY_AFTER
    return response, code


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(DBAPIError, handle_database_error)

"""Friendly error pages in the person's language, never with a traceback."""

import logging

from flask import Flask, g, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
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
BARE_ERROR_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Er ging iets mis</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Er ging iets mis</h1>
<p>Er ging bij ons iets mis. Probeer het over een paar minuten nog eens.</p>
<p lang="en">Something went wrong on our side. Please try again in a few minutes.</p>
<p><small>Foutcode: <code>{request_id}</code></small></p></main></body></html>
"""


def handle_unexpected_error(error: InternalServerError):
    # Flask has logged the exception with its traceback through the app's logger,
    # which carries the request id; a second record would only repeat it.
    try:
        db.session.rollback()
        return error_page(500)
    except Exception:
        logger.warning("The error page failed too; the bare page was shown")
        db.session.remove()
        page = BARE_ERROR_PAGE.format(request_id=escape(g.get("request_id", "")))
        return page, 500, {"Content-Type": "text/html; charset=utf-8"}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)

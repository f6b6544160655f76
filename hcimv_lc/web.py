"""Request plumbing shared by every area: request ids, headers, page-or-fragment."""

import json
import logging
import re
import uuid
from typing import TypeVar

from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, IntegerConverter

from hcimv_lc.accounts import sessions
from hcimv_lc.extensions import htmx

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


_base_record_factory = logging.getLogRecordFactory()


def record_with_request_id(*args, **kwargs) -> logging.LogRecord:
    """Create a log record that carries the id of the current request."""
    record = _base_record_factory(*args, **kwargs)
    record.request_id = g.get("request_id", "-") if has_request_context() else "-"
    return record


def configure_logging(app: Flask) -> None:
    """Send the app's log lines, each with its request id, to standard error."""
    logging.setLogRecordFactory(record_with_request_id)
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter(
            "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
        )
    )
    package_logger = logging.getLogger("hcimv_lc")
    package_logger.handlers = [handler]
    package_logger.setLevel(app.config["LOG_LEVEL"])


def start_request() -> None:
    # Facts about the person are kept per request; a test or CLI may keep one app
    # context open across requests.
    for name in ("community_roles", "memberships", "unread_notifications"):
        g.pop(name, None)
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex


def add_security_headers(response):
    # A view may set a stricter policy of its own, such as for downloads.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if current_app.config["ENV_NAME"] == "production":
        response.headers["Strict-Transport-Security"] = "max-age=31536000"

    return response


class IdConverter(IntegerConverter):
    """A database id: a positive integer that fits the column, else 404."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1)


class SlugConverter(BaseConverter):
    """A slug as `slugify` makes them; anything else, NUL included, is a 404."""

    regex = r"[a-z0-9][a-z0-9-]{0,79}"


class TokenConverter(BaseConverter):
    """A URL-safe secret token."""

    regex = r"[A-Za-z0-9_.-]{1,200}"


def register_converters(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["token"] = TokenConverter


T = TypeVar("T")


def found(item: T | None) -> T:
    """Return the object a URL names, or answer 404 when there is none."""
    if item is None:
        abort(404)
    return item


MAX_PAGE = 10_000


def page_number() -> int:
    """Return the ?page= of the request, kept between 1 and a sane maximum."""
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, MAX_PAGE))


def redirect_to(location: str, code: int = 303):
    """Redirect, also for htmx, which would otherwise swap the next page into a part."""
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code)


def init_app(app: Flask) -> None:
    configure_logging(app)
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        # Behind a reverse proxy the socket peer is the proxy; trust its headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(start_request)
    app.before_request(sessions.enforce_limits)
    app.after_request(add_security_headers)


def render_page(
    template: str, fragment: str | None = None, **context
) -> ResponseReturnValue:
    """Render the full page, or only its fragment when htmx asks for it."""
    partial = htmx and not htmx.history_restore_request
    name = fragment if fragment and partial else template
    response = make_response(render_template(name, **context))
    response.vary.add("HX-Request")
    return response


# "<", ">" and "&" leave as \u escapes, as Jinja's tojson writes them: a document that
# a browser or a proxy takes for HTML after all then holds no markup to run.
JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def json_response(
    document, mimetype: str = "application/json", download: str | None = None
):
    """Answer with the document as readable JSON, or as a file to save."""
    text = json.dumps(document, ensure_ascii=False, indent=2).translate(JSON_ESCAPES)
    response = make_response(text)
    response.mimetype = mimetype
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    return response


def plain_choice(field) -> bool:
    """Whether the macros may render a choice field's options with a plain loop.

    The loop covers what the forms use: no groups of options, no extra attributes.
    """
    return (
        not field.render_kw
        and not isinstance(field.choices, dict)
        and not field.flags.disabled
    )


def labelled(label) -> bool:
    """Whether a choice's label is shown rather than its value, as WTForms does.

    A lazy text counts as a label without being translated to find out.
    """
    return label is not None and not (isinstance(label, str) and not label)

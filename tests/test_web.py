"""Security headers, CSRF, the health check, error pages and request ids."""

import logging

import pytest
from sqlalchemy.exc import OperationalError

from hcimv_lc import create_app
from hcimv_lc.extensions import db


@pytest.mark.parametrize("path", ["/", "/login", "/communities", "/nope", "/healthz"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_pages_hold_no_inline_script(client):
    page = client.get("/").get_data(as_text=True)

    assert "<script>" not in page
    assert 'src="/static/vendor/htmx/htmx.min.js"' in page


def test_htmx_sends_the_csrf_token_from_the_body(client):
    page = client.get("/").get_data(as_text=True)

    assert '<body hx-headers=\'{"X-CSRFToken": "' in page


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/logout", {}),
        ("/language", {}),
        ("/communities/installateurs/join", {}),
        ("/communities/installateurs/join", {"HX-Request": "true"}),
    ],
)
def test_state_change_without_csrf_token_is_refused(as_persona, world, path, headers):
    client = as_persona("participant")

    response = client.post(path, headers=headers, csrf=False)

    assert response.status_code == 400


def test_state_change_with_a_wrong_csrf_token_is_refused(as_persona, world):
    client = as_persona("outsider")

    response = client.post(
        "/communities/installateurs/join", headers={"X-CSRFToken": "forged"}, csrf=False
    )

    assert response.status_code == 400
    assert "Dat ging niet goed" in response.get_data(as_text=True)


def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_answers_503_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_not_found_page_is_friendly_in_both_languages(client):
    dutch = client.get("/nope")
    client.post("/language", data={"locale": "en", "next": "/"})
    english = client.get("/nope")

    assert dutch.status_code == english.status_code == 404
    assert "Pagina niet gevonden" in dutch.get_data(as_text=True)
    assert "Page not found" in english.get_data(as_text=True)


def test_request_id_is_returned_in_the_response(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abcdef123456"})

    assert response.headers["X-Request-ID"] == "abcdef123456"


def test_production_error_page_shows_no_traceback_or_secret(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.setenv("HCIMV_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret-value-0123456789")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    app = create_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM vault")

    caplog.set_level(logging.ERROR, logger="hcimv_lc")
    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-12345678"})

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in page
    assert "req-12345678" in page
    assert "Traceback" not in page
    assert "SELECT secret" not in page
    assert "a-real-production-secret-value-0123456789" not in page
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert any(record.request_id == "req-12345678" for record in caplog.records)


def test_production_session_cookie_is_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("HCIMV_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret-value-0123456789")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")

    app = create_app()

    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_too_large_request_gets_a_readable_413_page(client, app):
    body = "name=" + "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)

    response = client.post(
        "/register", data=body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert "Te groot" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/communities?page=" + "9" * 30,
        "/communities/a%00b",
        "/sprints/" + "9" * 30,
        "/challenges/0",
        "/invitations/%00",
        "/calendar/sprints/%00.ics",
    ],
)
def test_absurd_numbers_and_bytes_in_urls_never_fail(client, world, path):
    response = client.get(path)

    assert response.status_code in (200, 302, 404)


def test_an_unusual_error_keeps_its_status(client):
    response = client.get("/static/css/app.css", headers={"Range": "bytes=999999-"})

    assert response.status_code == 416
    assert "Dat ging niet goed" in response.get_data(as_text=True)


def test_htmx_history_restore_gets_the_whole_page(client, world):
    response = client.get(
        "/communities?q=oost",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.get_data(as_text=True)


def test_anonymous_htmx_action_is_sent_to_log_in_as_a_whole_page(client, world):
    response = client.post(
        "/communities/installateurs/join",
        headers={
            "HX-Request": "true",
            "Referer": "http://localhost/communities/installateurs",
        },
    )

    assert response.headers["HX-Redirect"] == "/login?next=/communities/installateurs"


def test_behind_a_proxy_rate_limits_count_the_forwarded_address(monkeypatch, tmp_path):
    monkeypatch.setenv("HCIMV_ENV", "testing")
    monkeypatch.setenv("PROXY_FIX_HOPS", "1")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    client = app.test_client()

    def attempt(address, number=0):
        data = {"email": f"someone{number}@example.org", "password": "wrong password"}
        return client.post("/login", data=data, headers={"X-Forwarded-For": address})

    for number in range(10):
        attempt("203.0.113.1", number)

    assert attempt("203.0.113.1").status_code == 429
    assert attempt("203.0.113.2").status_code == 200

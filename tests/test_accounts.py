"""Registration, log-in, log-out, password rules and resets, profile and language."""

import os
import re
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from hcimv_lc.accounts.models import User
from hcimv_lc.extensions import db
from tests.conftest import TEST_PASSWORD, login


def find_user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def register(client, **fields):
    data = {
        "name": "Nina Nieuw",
        "email": "nina@example.org",
        "password": "een lange zin als wachtwoord",
        "confirm": "een lange zin als wachtwoord",
    }
    data.update(fields)
    return client.post("/register", data=data)


def test_visitor_registers_and_is_signed_in(app, client):
    response = register(client, email="Nina@Example.org ")

    assert response.status_code == 303
    assert find_user(app, "nina@example.org").name == "Nina Nieuw"
    assert "Hallo Nina Nieuw" in client.get("/").get_data(as_text=True)


def test_registration_refuses_a_short_password_and_keeps_the_input(app, client):
    response = register(client, password="kort", confirm="kort")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "minstens 10 tekens" in page
    assert 'value="nina@example.org"' in page
    assert find_user(app, "nina@example.org") is None


def test_registration_refuses_a_common_password(app, client):
    response = register(client, password="1234567890", confirm="1234567890")

    assert "komt te vaak voor" in response.get_data(as_text=True)
    assert find_user(app, "nina@example.org") is None


def test_registration_refuses_a_password_over_128_characters(app, client):
    long_password = "x" * 129

    response = register(client, password=long_password, confirm=long_password)

    assert "hoogstens 128 tekens" in response.get_data(as_text=True)
    assert find_user(app, "nina@example.org") is None


def test_registration_accepts_a_password_of_128_characters(app, client):
    password = "abcdefgh" * 16

    response = register(client, password=password, confirm=password)

    assert response.status_code == 303


def test_registration_refuses_a_taken_email(app, client, make_user):
    make_user("nina@example.org")

    response = register(client)

    assert "Er is al een account met dit e-mailadres" in response.get_data(as_text=True)


def test_person_logs_in_with_email_and_password(app, client, make_user):
    make_user("piet@example.org")

    response = login(client, "piet@example.org")

    assert response.status_code == 303
    assert find_user(app, "piet@example.org").last_login_at is not None


def test_wrong_password_shows_a_message_beside_the_field(client, make_user):
    make_user("piet@example.org")

    response = login(client, "piet@example.org", "not the password")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "horen niet bij elkaar" in page
    assert 'value="piet@example.org"' in page


def test_log_in_continues_to_a_local_next_page_only(client, make_user):
    make_user("piet@example.org")

    response = client.post(
        "/login?next=https://evil.example/steal",
        data={"email": "piet@example.org", "password": TEST_PASSWORD},
    )

    assert response.headers["Location"] == "/"


def test_cookie_copied_before_log_out_no_longer_works(app, client, make_user):
    make_user("piet@example.org")
    login(client, "piet@example.org")
    copied = client.get_cookie("session").value

    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)

    assert thief.get("/account").status_code == 302


def test_disabled_account_is_logged_out_at_its_next_request(app, client, make_user):
    make_user("piet@example.org")
    login(client, "piet@example.org")
    assert client.get("/account").status_code == 200

    with app.app_context():
        from hcimv_lc.accounts.service import disable_user, find_by_email

        disable_user(find_by_email("piet@example.org"))
        db.session.commit()

    assert client.get("/account").status_code == 302
    assert login(client, "piet@example.org").status_code == 200


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    make_user("piet@example.org")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "piet@example.org")
    login(phone, "piet@example.org")

    response = laptop.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "password": "een heel nieuw wachtwoord",
            "confirm": "een heel nieuw wachtwoord",
        },
    )

    assert response.status_code == 303
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_password_change_needs_the_current_password(app, client, make_user):
    make_user("piet@example.org")
    login(client, "piet@example.org")

    response = client.post(
        "/account/password",
        data={
            "current": "wrong one!!",
            "password": "nieuw wachtwoord 1",
            "confirm": "nieuw wachtwoord 1",
        },
    )

    assert "niet je huidige wachtwoord" in response.get_data(as_text=True)
    assert login(app.test_client(), "piet@example.org").status_code == 303


def reset_link(mail) -> str:
    body = mail[-1].get_content()
    return re.search(r"https?://\S+/password/reset/\S+", body).group(0)


def test_forgotten_password_is_reset_through_the_mailed_link(
    app, client, mail, make_user
):
    make_user("piet@example.org")

    client.post("/password/forgot", data={"email": "piet@example.org"})
    link = reset_link(mail)
    response = client.post(
        link,
        data={
            "password": "mijn nieuwe wachtwoord",
            "confirm": "mijn nieuwe wachtwoord",
        },
    )

    assert mail[-1]["To"] == "piet@example.org"
    assert response.status_code == 303
    assert (
        login(client, "piet@example.org", "mijn nieuwe wachtwoord").status_code == 303
    )


def test_reset_link_works_only_once(client, mail, make_user):
    make_user("piet@example.org")
    client.post("/password/forgot", data={"email": "piet@example.org"})
    link = reset_link(mail)
    new = {"password": "mijn nieuwe wachtwoord", "confirm": "mijn nieuwe wachtwoord"}
    client.post(link, data=new)

    response = client.get(link)

    assert response.status_code == 410
    assert "werkt niet meer" in response.get_data(as_text=True)


def test_reset_link_expires(app, client, mail, make_user):
    make_user("piet@example.org")
    client.post("/password/forgot", data={"email": "piet@example.org"})
    link = reset_link(mail)

    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        response = client.get(link)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600

    assert response.status_code == 410


def test_reset_request_for_unknown_email_sends_nothing_and_says_the_same(client, mail):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"})

    assert response.status_code == 303
    assert mail == []


def test_ten_failed_log_ins_for_one_account_answer_429(client, make_user):
    make_user("piet@example.org")
    for _ in range(10):
        assert login(client, "piet@example.org", "wrong password").status_code == 200

    response = login(client, "piet@example.org", TEST_PASSWORD)

    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)


def test_failed_log_ins_from_one_address_are_limited_across_accounts(client, make_user):
    for number in range(10):
        login(client, f"someone{number}@example.org", "wrong password")

    response = login(client, "another@example.org", "wrong password")

    assert response.status_code == 429


def test_successful_log_ins_do_not_count_towards_the_limit(app, make_user):
    make_user("piet@example.org")

    for _ in range(12):
        client = app.test_client()
        assert login(client, "piet@example.org").status_code == 303


def test_person_edits_profile_name_organisation_and_language(app, client, world):
    login(client, "participant@example.org")

    response = client.post(
        "/account",
        data={
            "name": "Piet de Installateur",
            "organisation": world.organisation_id,
            "locale": "en",
        },
    )

    user = find_user(app, "participant@example.org")
    assert response.status_code == 303
    assert (user.name, user.organisation_id, user.locale) == (
        "Piet de Installateur",
        world.organisation_id,
        "en",
    )
    assert "My profile" in client.get("/account").get_data(as_text=True)


def test_profile_refuses_an_unknown_organisation(app, client, world):
    login(client, "participant@example.org")

    response = client.post(
        "/account", data={"name": "Piet", "organisation": "99999", "locale": "nl"}
    )

    assert response.status_code == 200
    assert find_user(app, "participant@example.org").organisation_id is None


def test_language_switch_turns_the_interface_english_and_back(client):
    assert "Inloggen" in client.get("/login").get_data(as_text=True)

    client.post("/language", data={"locale": "en", "next": "/login"})
    english = client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "nl", "next": "/login"})

    assert "Log in" in english and "Wachtwoord" not in english
    assert "Wachtwoord" in client.get("/login").get_data(as_text=True)


def test_language_switch_never_redirects_to_another_site(client):
    response = client.post("/language", data={"locale": "en", "next": "//evil.example"})

    assert response.headers["Location"] == "/"


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    make_user("piet@example.org")

    response = login(client, "piet@example.org")

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_new_person_registers_and_returns_to_where_they_came_from(client):
    response = client.post(
        "/register?next=/communities/installateurs",
        data={
            "name": "Nina Nieuw",
            "email": "nina@example.org",
            "password": "een lange zin als wachtwoord",
            "confirm": "een lange zin als wachtwoord",
        },
    )

    assert response.headers["Location"] == "/communities/installateurs"


LOGIN_ATTEMPTS = """
import sys
from hcimv_lc import create_app
app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_KEY_PREFIX": sys.argv[1]})
client = app.test_client()
for password in sys.argv[2:]:
    data = {"email": "piet@example.org", "password": password}
    print(client.post("/login", data=data).status_code)
"""


def attempt_log_ins(app, prefix: str, *passwords: str) -> list[int]:
    """Log in from a separate process, as a second app server would."""
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    result = subprocess.run(
        [sys.executable, "-c", LOGIN_ATTEMPTS, prefix, *passwords],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [int(line) for line in result.stdout.split()]


def test_rate_limits_in_redis_count_across_processes(app, make_user):
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    make_user("piet@example.org")
    prefix = f"test-{uuid.uuid4().hex}"

    first = attempt_log_ins(app, prefix, *["wrong password"] * 5)
    second = attempt_log_ins(app, prefix, *["wrong password"] * 5, TEST_PASSWORD)

    assert first == [200] * 5
    assert second == [200] * 5 + [429]
